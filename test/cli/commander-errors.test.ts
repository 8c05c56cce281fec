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
    [['invoice', 'show'], 'argumentet number måste anges'],
    [['invoice', 'show', 'T2024-0001', 'T2024-0002'], 'för många argument till show: 1 väntades men 2 angavs'],
    [['fees', '--year', '20x3'], '--year ska vara ett årtal mellan 1990 och 2100, inte "20x3"'],
    [['members', '--at', '2024-02-30'], '--at ska vara ett datum ÅÅÅÅ-MM-DD, inte "2024-02-30"'],
    [['year', 'close', 'abc'], 'argumentet year ska vara ett årtal mellan 1990 och 2100, inte "abc"'],
    [['serve', '--request-timeout', '0'], '--request-timeout ska vara ett antal sekunder 1–9999, inte "0"'],
  ])('samkost %j', async (args, message) => {
    const r = await cliFixture().run(...args);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: ${message}\n` });
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
