import { CommandValidationError, parseCommand } from '../../domain/commands';

describe('a command as a script or an HTTP client gives it', () => {
  test('given a field the command does not have (a typo of one it has), then it is refused naming the field, never dropped', () => {
    // "line" for "lines" would credit the whole invoice instead of its first line.
    const typo = { type: 'invoice.credit', invoice: 'T2024-0002', reason: 'bara rad 1', issueDate: '2024-02-01', line: [1] };
    expect(() => parseCommand(typo)).toThrow(CommandValidationError);
    expect(() => parseCommand(typo)).toThrow('invoice.credit: okänt fält "line" (fälten är invoice, lines, reason, issueDate, rules)');
    expect(() => parseCommand({ type: 'population.import', file: '/etc/hostname', source: 'x', tables: [] })).toThrow(/^population\.import: .*|okänt fält "file"/);
  });

  test('given only the fields it has, then it is the command', () => {
    expect(parseCommand({ type: 'invoice.credit', invoice: 'T2024-0002', reason: 'bara rad 1', issueDate: '2024-02-01', lines: [1] })).toMatchObject({ lines: [1] });
  });
});
