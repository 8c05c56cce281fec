import { buildProgram } from '../../src/cli/main';
import { cliFixture } from '../support/cli';
import { compiled, runNode } from '../support/processes';
import { type Command, Option } from 'commander';

describe('the help in Swedish: commander\'s headings and words, and every description', () => {
  test('samkost --help: Swedish headings, usage words, options and commands; names and flags as they are', async () => {
    const r = await cliFixture().run('--help');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^Användning: samkost \[flaggor\] \[kommando\]\n/);
    expect(r.out).toContain('\nFlaggor:\n');
    expect(r.out).toContain('\nKommandon:\n');
    expect(r.out).toMatch(/^ {2}--json +maskinläsbar utdata \(JSON\)$/m);
    expect(r.out).toMatch(/^ {2}-h, --help +visa hjälp för kommandot$/m);
    expect(r.out).toMatch(/^ {2}help \[kommando\] +visa hjälp för ett kommando$/m);
    expect(r.out).toMatch(/^ {2}invoice +fakturakörningar, kreditfakturor och enskilda\n +fakturor$/m);
    expect(r.out).toMatch(/^ {2}fees \[flaggor\] +avgifter per medlem för ett år/m);
    for (const english of ['Usage:', 'Options:', 'Commands:', 'Arguments:', '[options]', '[command]', 'display help', 'default:']) {
      expect(r.out).not.toContain(english);
    }
  });

  test('samkost invoice run --help: a subcommand\'s help is Swedish too', async () => {
    const r = await cliFixture().run('invoice', 'run', '--help');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toBe([
      'Användning: samkost invoice run [flaggor]',
      '',
      'fakturera allt som ska faktureras för en period (2024, 2024-Q2 eller 2024-05)',
      'och inte redan är fakturerat',
      '',
      'Flaggor:',
      '  --period <period>  år, kvartal eller månad (krävs)',
      '  --date <date>      fakturadatum (standard: dagens datum i Stockholm)',
      '  --terms <days>     betalningsvillkor i dagar (standard: enligt',
      '                     konfigurationen, 30)',
      '  --command-id <id>  id som hindrar att samma kommando registreras två gånger',
      '  -h, --help         visa hjälp för kommandot',
      '',
    ].join('\n'));
  });

  test('arguments, defaults and the help command in Swedish', async () => {
    const f = cliFixture();
    const close = await f.run('year', 'close', '--help');
    expect(close.out).toMatch(/^Användning: samkost year close \[flaggor\] <år>\n/);
    expect(close.out).toMatch(/\nArgument:\n {2}år +året som ska stängas\n/);
    const sie = await f.run('export', 'sie', '--help');
    expect(sie.out).toMatch(/4E \(saldon och verifikationer\) eller 4I \(bara verifikationer\)\s+\(standard:\s+"4E"\)/);
    const help = await f.run('help', 'invoice');
    expect(help.out).toMatch(/^Användning: samkost invoice \[flaggor\] \[kommando\]\n/);
    expect(help.out).toMatch(/^ {2}credit \[flaggor\] <fakturanummer> +utfärda en kreditfaktura/m);
  });

  test('given commands whose arguments are defined by English names, when their help is shown, then each argument is named in Swedish, as a refusal names it', async () => {
    const f = cliFixture();
    expect((await f.run('invoice', 'show', '--help')).out).toMatch(/^Användning: samkost invoice show \[flaggor\] <fakturanummer>\n/);
    expect((await f.run('export', 'peppol', '--help')).out).toMatch(/^Användning: samkost export peppol \[flaggor\] <fakturanummer>\n/);
    expect((await f.run('payment', 'reverse', '--help')).out).toMatch(/\nArgument:\n {2}inbetalnings-id +inbetalningens id, som billing-2024@5/);
    expect((await f.run('apply', '--help')).out).toMatch(/^Användning: samkost apply \[flaggor\] <fil>\n/);
    expect((await f.run('member', 'leave', '--help')).out).toMatch(/^Användning: samkost member leave \[flaggor\] <medlem>\n/);
    expect((await f.run('trace', '--help')).out).toMatch(/^Användning: samkost trace \[flaggor\] \[fakturanummer\]\n/);
  });
});

describe('the help marks what must be given', () => {
  /**
   * Every command's path ("export sie") with the flags of its required options, as the commands define them
   * (requiredOption): commander-errors.ts makes each optional to commander, and these are the ones it did.
   */
  function requiredOptions(): Map<string, string[]> {
    const required = new Set<Option>();
    const spy = jest.spyOn(Option.prototype, 'makeOptionMandatory').mockImplementation(function (this: Option, mandatory = true) {
      if (!mandatory && this.mandatory) required.add(this);
      this.mandatory = mandatory;
      return this;
    });
    try {
      const program = buildProgram({ out: () => undefined, err: () => undefined, env: {}, isTty: false }, () => undefined);
      const byPath = new Map<string, string[]>();
      const walk = (cmd: Command, path: string[]) => {
        byPath.set(path.join(' '), cmd.options.filter((o) => required.has(o)).map((o) => o.flags));
        for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
      };
      walk(program, []);
      return byPath;
    } finally {
      spy.mockRestore();
    }
  }

  test.each([
    [['fees'], '--year <year>'], [['invoices'], '--year <year>'], [['ledger'], '--year <year>'], [['selfcost'], '--year <year>'],
    [['split'], '--year <year>'], [['split'], '--service <id>'], [['export', 'sie'], '--out <file>'], [['export', 'sie'], '--year <year>'],
    [['ledger', 'opening'], '--year <year>'], [['ledger', 'correct-opening'], '--year <year>'],
  ])('given samkost %j, when its help is shown, then %s is marked (krävs), once', async (path, flags) => {
    const r = await cliFixture().run(...path, '--help');
    const at = r.out.indexOf(`  ${flags} `);
    expect(at).toBeGreaterThan(0);
    // The option's description, over however many lines it wraps, up to the next option.
    const described = r.out.slice(at).split(/\n {2}-/)[0];
    expect(described.match(/\(krävs/g)).toHaveLength(1);
  });

  test('given every command, when its help is shown, then each required option says (krävs), and no other option does', async () => {
    const f = cliFixture();
    // ledger opening and correct-opening require --year in their action: commander would give it to ledger's own.
    const checkedInAction = new Map([['ledger opening', ['--year <year>']], ['ledger correct-opening', ['--year <year>']]]);
    const required = requiredOptions();
    expect(required.get('fees')).toEqual(['--year <year>']);
    for (const [path, flags] of required) {
      if (path === '') continue;
      const help = (await f.run(...path.split(' '), '--help')).out;
      const marked = help.split('\n').filter((l) => l.startsWith('  -')).map((l) => l.trim().split(/ {2,}/)[0])
        .filter((term) => /\(krävs[,)]/.test(help.slice(help.indexOf(`  ${term} `)).split(/\n {2}-/)[0]));
      expect([path, marked.sort()]).toEqual([path, [...flags, ...(checkedInAction.get(path) ?? [])].sort()]);
    }
  });
});

describe('check-audit --help', () => {
  test('given the auditor\'s script, when its help is shown, then it is in the Swedish of the samkost CLI, not commander\'s English', async () => {
    const r = await runNode(compiled('scripts/check-audit.js'), ['--help']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Användning: check-audit \[flaggor\] <katalog>\n/);
    expect(r.stdout).toContain('\nArgument:\n  katalog ');
    expect(r.stdout).toContain('\nFlaggor:\n  --manifest-sha256 <hex> ');
    for (const english of ['Usage:', 'Options:', 'Arguments:', '[options]', 'display help']) expect(r.stdout).not.toContain(english);
  });
});

describe('the help names who decides what', () => {
  test('a service\'s budget is decided by its council (förvaltningsråd), not the municipal council (fullmäktige)', async () => {
    const f = cliFixture();
    const top = (await f.run('--help')).out;
    expect(top).toMatch(/^ {2}budget +tjänsternas budgetar, som varje tjänsts\n +förvaltningsråd beslutar$/m);
    const decide = await f.run('budget', 'decide', '--help');
    expect([decide.code, decide.err]).toEqual([0, '']);
    expect(decide.out).toContain('\ntjänstens förvaltningsråd beslutar (eller ändrar) tjänstens budget för ett år\n');
    for (const help of [top, decide.out, (await f.run('budget', '--help')).out]) expect(help).not.toMatch(/fullmäktige/);
  });
});
