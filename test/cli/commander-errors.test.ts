import { CommanderError } from 'commander';
import { commanderRefusal } from '../../src/cli/commander-errors';
import { cliFixture } from '../support/cli';

describe("commander's own refusals, in Swedish on one line with exit code 2", () => {
  test.each([
    [['fees'], 'flaggan --year <year> måste anges'],
    [['fees', '--year'], 'flaggan --year <year> saknar värde'],
    [['fees', '--year', '2024', '--yeer'], 'okänd flagga --yeer; menade du --year?'],
    [['fees', '--year', '2024', '--zzz'], 'okänd flagga --zzz; se --help för tillgängliga flaggor'],
    [['invoce'], 'okänt kommando invoce; menade du invoice?'],
    [['zzz'], 'okänt kommando zzz; se samkost --help för tillgängliga kommandon'],
    // An argument is named in Swedish, as the help names it: the commands define them as number, payment, file.
    [['invoice', 'show'], 'argumentet fakturanummer måste anges'],
    [['export', 'peppol'], 'argumentet fakturanummer måste anges'],
    [['invoice', 'credit', '--reason', 'x'], 'argumentet fakturanummer måste anges'],
    [['payment', 'reverse', '--date', '2024-03-01', '--reason', 'x'], 'argumentet inbetalnings-id måste anges'],
    [['payment', 'import'], 'argumentet fil måste anges'],
    [['apply'], 'argumentet fil måste anges'],
    [['member', 'leave', '--date', '2024-12-31', '--reason', 'x'], 'argumentet medlem måste anges'],
    [['year', 'close'], 'argumentet år måste anges'],
    [['invoice', 'show', 'T2024-0001', 'T2024-0002'], 'för många argument till show: 1 väntades men 2 angavs'],
    [['fees', '--year', '20x3'], '--year ska vara ett årtal mellan 1990 och 2100, inte "20x3"'],
    [['members', '--at', '2024-02-30'], '--at ska vara ett datum ÅÅÅÅ-MM-DD, inte "2024-02-30"'],
    [['year', 'close', 'abc'], 'argumentet år ska vara ett årtal mellan 1990 och 2100, inte "abc"'],
    [['serve', '--request-timeout', '0'], '--request-timeout ska vara ett antal sekunder 1–9999, inte "0"'],
  ])('samkost %j', async (args, message) => {
    const r = await cliFixture().run(...args);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: ${message}\n` });
  });

  // Commander keeps the last of an option given twice: the scenario, the payment or the period the user meant
  // would be answered for only one of the values typed, with exit code 0.
  test.each([
    [['simulate', '--service', 'egil', '--year', '2024', '--remove', '1280', '--remove', '1281'], '--remove angavs mer än en gång, och bara den sista hade gällt; ange den en gång, flera värden med komma emellan (--remove a,b)'],
    [['simulate', '--service', 'egil', '--year', '2024', '--kommun', '0380', '--kommun', '2480'], '--kommun angavs mer än en gång, och bara den sista hade gällt; ange den en gång, flera värden med komma emellan (--kommun a,b)'],
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--add', '2'], '--add angavs mer än en gång, och bara den sista hade gällt; ange den en gång'],
    [['payment', 'record', '--invoice', 'T2024-0001', '--amount', '1.00', '--amount', '2.00'], '--amount angavs mer än en gång, och bara den sista hade gällt; ange den en gång'],
    [['invoice', 'run', '--period', '2024-01', '--period', '2024-02'], '--period angavs mer än en gång, och bara den sista hade gällt; ange den en gång'],
  ])('given an option that takes one value, when samkost %j gives it twice, then it is refused rather than answered for the last', async (args, message) => {
    const f = cliFixture();
    const r = await f.run(...args);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: ${message}\n` });
  });

  test('given --line, which collects, and --store, which a later one overrides (a shell alias), then both may be given twice', async () => {
    const f = cliFixture();
    const r = await f.run('--store', f.store, 'budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=1.00', '--line', 'Utv=2.00', '--decided-on', '2024-01-01', '--minutes', 'x');
    // Refused for the service that does not exist, not for the options: they were taken.
    expect(r.err).toMatch(/^samkost: okänd tjänst "egil"/);
  });

  // A mistyped required option is reported as mistyped, with the name meant, not as missing: the user typed it.
  test.each([
    [['fees', '--yeer', '2024'], 'okänd flagga --yeer; menade du --year?'],
    [['invoice', 'run', '--perod', '2024-Q1'], 'okänd flagga --perod; menade du --period?'],
    [['member', 'join', '--orgnr', '212000-1124', '--kommunkd', '1280'], 'okänd flagga --kommunkd; menade du --kommunkod?'],
    [['payment', 'record', '--invoice', 'T2024-0001', '--amont', '100.00'], 'okänd flagga --amont; menade du --amount?'],
    [['--json', 'fees', '--zzz'], 'okänd flagga --zzz; se --help för tillgängliga flaggor'],
  ])('given a required option missing and an unknown one, when samkost %j, then the unknown one is reported, with a suggestion', async (args, message) => {
    const r = await cliFixture().run(...args);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: ${message}\n` });
  });

  test('given every option known, when a required one is missing, then it is still reported as missing, the first in the order declared', async () => {
    const f = cliFixture();
    expect((await f.run('invoice', 'run')).err).toBe('samkost: flaggan --period <period> måste anges\n');
    expect((await f.run('member', 'join', '--orgnr', '212000-1124', '--kind', 'municipality')).err).toBe('samkost: flaggan --name <name> måste anges\n');
    expect((await f.run('payment', 'record', '--invoice', 'T2024-0001', '--amount', '1.00', '--date', '2024-01-01')).err).toBe('samkost: flaggan --reference <ref> måste anges\n');
  });

  test('help asked for is not a refusal, and help shown for a missing subcommand is not repeated as one', async () => {
    const f = cliFixture();
    const help = await f.run('fees', '--help');
    expect([help.code, help.err]).toEqual([0, '']);
    const missing = await f.run('invoice');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^Användning: samkost invoice /);
    expect(missing.err).not.toContain('samkost: ');
  });

  test.each([
    ["error: option '--a <x>' cannot be used with environment variable 'B'", 'commander.conflictingOption', 'flaggan --a kan inte användas tillsammans med miljövariabeln B'],
    ["error: option '-p, --port <port>' value 'x' from env 'PORT' is invalid. ska vara ett portnummer 1–65535, inte \"x\"", 'commander.invalidArgument', '--port (från miljövariabeln PORT) ska vara ett portnummer 1–65535, inte "x"'],
    ["error: unknown option '--fo'\n(Did you mean one of --foo, --for?)", 'commander.unknownOption', 'okänd flagga --fo; menade du någon av --foo, --for?'],
    ['error: too many arguments. Expected 0 arguments but got 1.', 'commander.excessArguments', 'för många argument: 0 väntades men 1 angavs'],
    // A message commander words in a way not known here keeps its words, on one line.
    ['error: something new\non two lines', 'commander.somethingNew', 'something new on two lines'],
  ])('%j', (message, code, expected) => {
    expect(commanderRefusal(new CommanderError(1, code, message))).toBe(expected);
  });
});
