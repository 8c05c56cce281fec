import { cliFixture } from '../support/cli';

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
      '  --period <period>  år, kvartal eller månad',
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
    expect(close.out).toMatch(/^Användning: samkost year close \[flaggor\] <year>\n/);
    expect(close.out).toMatch(/\nArgument:\n {2}year +året som ska stängas\n/);
    const sie = await f.run('export', 'sie', '--help');
    expect(sie.out).toMatch(/4E \(saldon och verifikationer\) eller 4I \(bara verifikationer\)\s+\(standard:\s+"4E"\)/);
    const help = await f.run('help', 'invoice');
    expect(help.out).toMatch(/^Användning: samkost invoice \[flaggor\] \[kommando\]\n/);
    expect(help.out).toMatch(/^ {2}credit \[flaggor\] <number> +utfärda en kreditfaktura/m);
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
