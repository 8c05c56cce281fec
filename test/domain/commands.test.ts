import { CommandValidationError, parseCommand, parseRecordedCommand } from '../../domain/commands';
import { checkEventData, EVENT_SCHEMA_VERSION } from '../../domain/events';

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

describe('payment.record names its invoice however a bank file or a person writes it', () => {
  test.each([['m2024-0002', 'M2024-0002'], [' tk2024-0001 ', 'TK2024-0001'], ['T2024-0012', 'T2024-0012']])('given invoice %j, then the payment is of %s', (given, invoice) => {
    expect(parseCommand({ type: 'payment.record', invoice: given, amount: '1.00', date: '2024-02-10', reference: 'BG 1' })).toMatchObject({ invoice });
  });
});

describe('an amount a command takes is stored with two decimals, however it was given; a stored event\'s amount decodes as it was stored', () => {
  const tier = { id: 'a', label: 'Alla', min: 0 };
  const org = { id: 'o', label: 'Organisationer', organisation: true };
  const service = (pricing: unknown) => ({ type: 'service.establish', serviceId: 'egil', name: 'EGIL', area: 'Skola', pricing, overheadRate: '0.05', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01' });

  test.each([
    ['budget.decide', { type: 'budget.decide', serviceId: 'egil', year: 2024, lines: [{ text: 'Drift', amount: '600000.5' }, { text: 'Utv', amount: '100' }], decidedOn: '2023-11-15', minutesRef: 'FR' }, { lines: [{ amount: '600000.50' }, { amount: '100.00' }] }],
    ['cost.record', { type: 'cost.record', serviceId: 'egil', year: 2024, amount: '80000', vat: '20000.5', supplier: 'K', reference: 'K-7', date: '2024-09-30' }, { amount: '80000.00', vat: '20000.50' }],
    ['cost.pay', { type: 'cost.pay', serviceId: 'egil', year: 2024, reference: 'K-7', amount: '100000.5', date: '2024-10-30' }, { amount: '100000.50' }],
    ['payment.record', { type: 'payment.record', invoice: 'M2024-0001', amount: '12500', date: '2024-02-10', reference: 'BG 1' }, { amount: '12500.00' }],
    ['service.establish base', service({ kind: 'base-plus-per-capita', base: '5000' }), { pricing: { base: '5000.00' } }],
    ['service.establish price-list', service({ kind: 'price-list', bands: [{ ...tier, price: '16000.5' }, { ...org, price: '7' }] }), { pricing: { bands: [{ price: '16000.50' }, { price: '7.00' }] } }],
    ['schedule.adopt', { type: 'schedule.adopt', year: 2024, decisionRef: 'Å', decidedOn: '2023-11-20', firstYear: 'full-year', reentryPercent: 50, tiers: [{ ...tier, joiningContribution: '1000', annualFee: '250.5' }, { ...org, joiningContribution: '0', annualFee: '10.00' }] }, { tiers: [{ joiningContribution: '1000.00', annualFee: '250.50' }, { joiningContribution: '0.00', annualFee: '10.00' }] }],
    ['levy.decide', { type: 'levy.decide', year: 2024, levyId: 'it', purpose: 'IT', decisionRef: 'Å', decidedOn: '2023-11-20', tiers: [{ ...tier, amount: '99.9' }, { ...org, amount: '1' }] }, { tiers: [{ amount: '99.90' }, { amount: '1.00' }] }],
  ])('given %s with amounts of no or one decimal, when parsed, then each has two', (_name, input, stored) => {
    expect(parseCommand(input)).toMatchObject(stored);
  });

  test('given an amount of three decimals, then it is refused, not rounded', () => {
    expect(() => parseCommand({ type: 'cost.pay', serviceId: 'egil', year: 2024, reference: 'K-7', amount: '1.005', date: '2024-10-30' })).toThrow('amount: ska vara ett belopp som "1234.50"');
  });

  test('given an amount written right but of 16 digits before the point, then it is refused as too long, not as badly written', () => {
    expect(() => parseCommand({ type: 'cost.pay', serviceId: 'egil', year: 2024, reference: 'K-7', amount: '1000000000000000.00', date: '2024-10-30' })).toThrow('amount: får ha högst 15 siffror före decimaltecknet, inte 16');
  });

  test('given a budget stored before amounts were written with two decimals, when its event is decoded, then its amounts are as stored', () => {
    const data = { serviceId: 'egil', year: 2024, lines: [{ text: 'Drift', amount: '600000.5' }], decidedOn: '2023-11-15', minutesRef: 'FR' };
    expect(checkEventData('CouncilBudgetDecided', EVENT_SCHEMA_VERSION, data)).toEqual(data);
  });
});
