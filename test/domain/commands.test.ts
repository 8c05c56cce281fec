import { CommandValidationError, parseCommand, parseRecordedCommand } from '../../domain/commands';

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

describe('a command\'s dates lie in the years 1990–2100, as --year\'s do; a stored document\'s command replays whatever its date', () => {
  const run = (issueDate: string) => ({ type: 'invoice.run', period: '2024', issueDate, paymentTermsDays: 30, vatRate: '0.25', seller: { orgnr: '802999-0002', name: 'Föreningen Sambruk' } });

  test('given an issue date in 2999 (a mistyped 2024), when given as a command, then it is refused naming the date', () => {
    expect(() => parseCommand(run('2999-04-01'))).toThrow('invoice.run: issueDate: ska vara ett datum ÅÅÅÅ-MM-DD mellan 1990-01-01 och 2100-12-31, inte "2999-04-01"');
    expect(parseCommand(run('2100-12-31'))).toMatchObject({ issueDate: '2100-12-31' });
  });

  test('given a document issued 2999-04-01 before dates were held to those years, when its command is parsed to be decided again, then it is the command, as it was', () => {
    expect(parseRecordedCommand(run('2999-04-01'))).toMatchObject({ type: 'invoice.run', issueDate: '2999-04-01' });
    expect(() => parseRecordedCommand({ ...run('2024-04-01'), extra: 1 })).toThrow('invoice.run: okänt fält "extra"');
    expect(() => parseRecordedCommand(run('2024-02-30'))).toThrow('invoice.run: issueDate: ska vara ett giltigt datum ÅÅÅÅ-MM-DD');
  });
});
