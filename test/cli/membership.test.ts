import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFixture, eventCount } from '../support/cli';

const SCHEDULE_2020 = join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'sambruk-2020.json');
const SCB = join(__dirname, '..', '..', 'scripts', 'data', 'scb', 'scb-folkmangd-kommuner-2013-2023.csv');


/** A store with a small population table (Skurup and Stockholm at 31 December 2022 and 2023, Malmö at 2023) and the 2020 schedule for 2023 and 2024. */
async function fixture() {
  const f = cliFixture();
  const csv = join(f.dir, 'pop.csv');
  writeFileSync(csv, [
    'code,name,county,population,year',
    '1264,Skurup,Skåne län,18000,2022', '1264,Skurup,Skåne län,18100,2023',
    '0180,Stockholm,Stockholms län,984748,2022', '0180,Stockholm,Stockholms län,988943,2023',
    // Malmö at 31 December 2023 only: it may join (SCB knows the code), but has no figure for the fees of 2023.
    '1280,Malmö,Skåne län,362133,2023',
  ].join('\n'));
  expect((await f.run('population', 'import', csv)).code).toBe(0);
  for (const [year, date] of [['2023', '2023-04-20'], ['2024', '2024-02-22']]) {
    const r = await f.run('schedule', 'adopt', SCHEDULE_2020, '--year', year, '--decision', `Årsmöte ${year} §7`, '--decided-on', date);
    expect(r).toMatchObject({ code: 0, err: '' });
  }
  return f;
}

interface FeesJson {
  total: string;
  members: { name: string; tier: { id: string }; population: { value: number; year: number; referenceDate: string } | null; lines: { kind: string; amount: string; basis: string }[]; total: string }[];
}

describe('fees for a year', () => {
  test('given a municipality of 18 000 that joined 2023-04-15, when fees 2023, then 25 000 × 9/12 and a joining contribution of 10 000', async () => {
    const f = await fixture();
    const join1 = await f.run('member', 'join', '--orgnr', '212000-1033', '--kind', 'municipality', '--name', 'Skurups kommun', '--kommunkod', '1264', '--date', '2023-04-15', '--decision', 'Styrelsen 2023-04-01 §3');
    expect(join1.code).toBe(0);
    const fees = await f.json<FeesJson>('fees', '--year', '2023');
    expect(fees.members).toHaveLength(1);
    const m = fees.members[0];
    expect(m.tier.id).toBe('15000-25000');
    expect(m.population).toMatchObject({ value: 18000, year: 2022, referenceDate: '2022-12-31' });
    expect(m.lines.map((l) => [l.kind, l.amount])).toEqual([['annual-fee', '18750.00'], ['joining-contribution', '10000.00']]);
    expect(m.total).toBe('28750.00');
    const text = await f.run('fees', '--year', '2023');
    expect(text.out).toContain('18 750,00 kr');
    expect(text.out).toContain('Summa: 28 750,00 kr');
  });

  test('the fees table groups a population with the plain space its amounts use, never U+00A0', async () => {
    const f = await fixture();
    expect((await f.run('member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'Stockholms stad', '--kommunkod', '0180', '--date', '2015-01-01', '--decision', 'S')).code).toBe(0);
    const text = await f.run('fees', '--year', '2023');
    expect(text.out).not.toContain('\u00a0');
    const stockholm = text.out.split('\n').find((l) => l.includes('Stockholms stad')) ?? '';
    expect(stockholm).toContain('984 748');
    expect(stockholm).toContain('80 000,00 kr');
  });

  test('given a municipality that left in 2022, when it rejoins in 2024, then it pays 50 % of the ordinary joining contribution', async () => {
    const f = await fixture();
    await f.run('member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'Stockholms stad', '--kommunkod', '0180', '--date', '2015-01-01', '--decision', 'S');
    await f.run('member', 'leave', '0180', '--date', '2022-06-30', '--reason', 'ingen tjänst');
    const r = await f.run('member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'Stockholms stad', '--kommunkod', '0180', '--date', '2024-01-10', '--decision', 'S 2');
    expect(r.code).toBe(0);
    const fees = await f.json<FeesJson>('fees', '--year', '2024');
    expect(fees.members[0].lines.map((l) => [l.kind, l.amount])).toEqual([['annual-fee', '80000.00'], ['joining-contribution', '12500.00']]);
    expect(fees.members[0].lines[1].basis).toContain('× 50 %');
    // 2023: not a member at all that year.
    expect((await f.json<FeesJson>('fees', '--year', '2023')).members).toHaveLength(0);
  });

  test('a fee year with no adopted schedule is refused', async () => {
    const f = await fixture();
    const r = await f.run('fees', '--year', '2025');
    expect(r.code).toBe(2);
    expect(r.err).toBe('samkost: ingen avgiftsplan är antagen för 2025; anta en med `samkost schedule adopt`\n');
  });

  test('a member with no population on record for the fee year is refused, naming the member and the year', async () => {
    const f = await fixture();
    await f.run('member', 'join', '--orgnr', '212000-1124', '--kind', 'municipality', '--name', 'Malmö stad', '--kommunkod', '1280', '--date', '2020-01-01', '--decision', 'S');
    const r = await f.run('fees', '--year', '2023');
    expect(r.code).toBe(2);
    expect(r.err).toContain('ingen folkmängd registrerad för Malmö stad (212000-1124, kommunkod 1280) för avgiftsåret 2023 (SCB 2022)');
  });
});

describe('bad input is refused with one line, exit code 2 and nothing stored', () => {
  test.each([
    [['member', 'join', '--orgnr', '212000-0143', '--kind', 'municipality', '--name', 'X', '--kommunkod', '0180', '--date', '2023-01-01', '--decision', 'S'], 'ogiltigt organisationsnummer "212000-0143"'],
    [['member', 'join', '--orgnr', '212000-0142', '--kind', 'kommun', '--name', 'X', '--kommunkod', '0180', '--date', '2023-01-01', '--decision', 'S'], 'kind: '],
    [['member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'X', '--kommunkod', '0180', '--date', '2023-13-01', '--decision', 'S'], 'date: ska vara ett giltigt datum'],
    [['member', 'leave', '9999', '--date', '2023-01-01', '--reason', 'x'], 'okänd medlem: ingen kommun med kommunkod 9999'],
    [['fees', '--year', '20x3'], '--year ska vara ett årtal mellan 1990 och 2100, inte "20x3"'],
  ])('samkost %j', async (args, message) => {
    const f = await fixture();
    const before = eventCount(f.store);
    const r = await f.run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(eventCount(f.store)).toBe(before);
  });

  test('a population file that is not UTF-8 is refused by name', async () => {
    const f = await fixture();
    const latin1 = join(f.dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('code,name,county,population,year\n1264,Skurup,Sk\xe5ne l\xe4n,18000,2021\n', 'latin1'));
    const before = eventCount(f.store);
    const r = await f.run('population', 'import', latin1);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`samkost: ${latin1} är inte UTF-8-text (spara filen som UTF-8; exporter från SCB och kalkylprogram är ofta Latin-1)\n`);
    // UTF-16 (a Windows tool's "Unicode"), with its byte-order mark or without, is named as such.
    const text = 'code,name,county,population,year\n1264,Skurup,Skåne län,18000,2021\n';
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), Buffer.from(text, 'utf16le')]) {
      const utf16 = join(f.dir, 'utf16.csv');
      writeFileSync(utf16, bytes);
      expect(await f.run('population', 'import', utf16)).toMatchObject({ code: 2, err: `samkost: ${utf16} är UTF-16-text, inte UTF-8 (spara filen som UTF-8)\n` });
    }
    expect(eventCount(f.store)).toBe(before);
  });

  test('a schedule whose tiers overlap is refused', async () => {
    const f = await fixture();
    const bad = join(f.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ year: 2025, decisionRef: 'x', decidedOn: '2024-02-01', firstYear: 'full-year', reentryPercent: 50, tiers: [
      { id: 'a', label: 'a', max: 10000, joiningContribution: '1.00', annualFee: '1.00' },
      { id: 'b', label: 'b', min: 10000, joiningContribution: '1.00', annualFee: '1.00' },
      { id: 'o', label: 'o', organisation: true, joiningContribution: '1.00', annualFee: '1.00' },
    ] }));
    const r = await f.run('schedule', 'adopt', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain('nivåerna överlappar: "b" börjar vid 10000, inom "a"');
  });
});

describe('a kommunkod SCB does not know is refused at joining, so it cannot break the fees of every member later', () => {
  const join = (...more: string[]) => ['member', 'join', '--orgnr', '212000-1033', '--kind', 'municipality', '--name', 'Skurups kommun', '--date', '2024-01-01', '--decision', 'S', ...more];
  const federation = (covers: string) => ['member', 'join', '--orgnr', '222000-1230', '--kind', 'federation', '--name', 'Förbundet', '--covers', covers, '--date', '2024-01-01', '--decision', 'S'];

  test.each([
    [join('--kommunkod', '9999'), 'kommunkod 9999 finns inte i någon registrerad SCB-tabell (senast 2023-12-31); kontrollera koden eller importera en nyare tabell'],
    [federation('1264,9999'), 'kommunkod 9999 finns inte i någon registrerad SCB-tabell (senast 2023-12-31); kontrollera koden eller importera en nyare tabell'],
    [federation('1264,0180,1264'), 'kommunkod 1264 står två gånger bland de kommuner Förbundet omfattar'],
  ])('given SCB tables for 2022 and 2023, when samkost %j, then one line, exit code 2, nothing stored, and fees for 2024 still work', async (args, message) => {
    const f = await fixture();
    expect((await f.run('member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'Stockholms stad', '--kommunkod', '0180', '--date', '2020-01-01', '--decision', 'S')).code).toBe(0);
    const before = eventCount(f.store);
    const r = await f.run(...args);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: member.join: ${message}\n` });
    expect(eventCount(f.store)).toBe(before);
    const fees = await f.run('fees', '--year', '2024');
    expect(fees.code).toBe(0);
    expect(fees.out).toContain('Stockholms stad');
  });

  test('given no population table recorded yet, when a municipality joins with a code, then it is stored: there is nothing to check it against', async () => {
    const f = cliFixture();
    const r = await f.run(...join('--kommunkod', '9999'));
    expect(r).toMatchObject({ code: 0, err: '' });
  });

  test('given SCB tables, when a federation joins covering municipalities SCB knows, then its fee is on their summed population', async () => {
    const f = await fixture();
    expect((await f.run(...federation('1264,0180'))).code).toBe(0);
    const fees = await f.json<FeesJson>('fees', '--year', '2024');
    expect(fees.members[0].population).toMatchObject({ value: 18100 + 988943, year: 2023 });
  });
});

describe('a date far ahead is refused, since once stored it cannot be put right (joining again and leaving before it are refused)', () => {
  const join = (date: string) => ['member', 'join', '--orgnr', '802999-9003', '--kind', 'municipality', '--name', 'X', '--kommunkod', '0180', '--date', date, '--decision', 'x'];

  test.each([
    [join('2999-01-01'), 'member.join: --date: ska vara ett datum ÅÅÅÅ-MM-DD mellan 1990-01-01 och 2100-12-31, inte "2999-01-01"'],
    [join('2100-12-31'), 'member.join: inträdesdatumet 2100-12-31 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges'],
    [join('2026-01-01'), 'member.join: inträdesdatumet 2026-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges'],
    [['enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2999-01-01'], '--from ska vara ett datum mellan 1990-01-01 och 2100-12-31, inte "2999-01-01"'],
    [['members', '--at', '3000-01-01'], '--at ska vara ett datum mellan 1990-01-01 och 2100-12-31, inte "3000-01-01"'],
  ])('given today is 2024-03-01, when samkost %j, then one line naming the date, exit code 2 and nothing stored', async (args, message) => {
    const f = await fixture();
    const before = eventCount(f.store);
    expect(await f.run(...args)).toEqual({ code: 2, out: '', err: `samkost: ${message}\n` });
    expect(eventCount(f.store)).toBe(before);
  });

  test('given today is 2024-03-01, when a municipality joins from 2025-01-01 (decided this year, from next January), then it is stored and can leave at the end of 2025', async () => {
    const f = await fixture();
    expect(await f.run(...join('2025-01-01'))).toMatchObject({ code: 0, err: '' });
    expect(await f.run('member', 'leave', '0180', '--date', '2025-12-31', '--reason', 'x')).toMatchObject({ code: 0, err: '' });
  });
});

describe('population import: a table that replaces a year\'s recorded one must hold every municipality of it', () => {
  /** A population file with the Swedish headings a user may have, imported with --columns. */
  const swedish = (f: { dir: string; run: (...a: string[]) => Promise<{ code: number; out: string; err: string }> }, name: string, rows: string[]) => {
    const csv = join(f.dir, name);
    writeFileSync(csv, ['Kommunkod;Kommun;Folkmängd;År', ...rows].join('\n'));
    return f.run('population', 'import', csv, '--columns', 'code=Kommunkod,name=Kommun,population=Folkmängd,year=År');
  };
  const scb2023 = () => readFileSync(SCB, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((r) => r[4] === '2023');

  test('given SCB\'s 290 municipalities recorded for 2023, when a file of Uppsala alone for 2023 is imported, then it is refused naming the year, how many are missing and a few of them, and nothing is stored', async () => {
    const f = cliFixture();
    expect((await f.run('population', 'import', SCB)).code).toBe(0);
    const before = eventCount(f.store);
    const r = await swedish(f, 'sv.csv', ['0380;Uppsala;"250 000";2023']);
    expect(r).toEqual({
      code: 2, out: '',
      err: 'samkost: population.import: tabellen för 2023 saknar 289 kommuner av de 290 i den registrerade tabellen för 2023 (0114 Upplands Väsby, 0115 Vallentuna, 0117 Österåker och 286 till); '
        + 'en ny tabell ersätter hela årets registrerade, så importera hela tabellen för 2023, med de rättade uppgifterna i den\n',
    });
    expect(eventCount(f.store)).toBe(before);
    expect((await f.json<{ table: { count: number } }>('population', 'show', '--year', '2024')).table.count).toBe(290);
  });

  test('given SCB\'s table for 2023, when the whole table is imported again with Uppsala corrected and a municipality added, then it replaces the recorded one', async () => {
    const f = cliFixture();
    expect((await f.run('population', 'import', SCB)).code).toBe(0);
    const rows = scb2023().map(([code, name, , population, year]) => `${code};${name};${code === '0380' ? '250000' : population};${year}`);
    expect(await swedish(f, 'whole.csv', [...rows, '9999;Nykommun;1000;2023'])).toMatchObject({ code: 0, err: '' });
    const shown = await f.json<{ table: { count: number }; rows: { code: string; population: number }[] }>('population', 'show', '--year', '2024');
    expect(shown.table.count).toBe(291);
    expect(shown.rows.find((r) => r.code === '0380')?.population).toBe(250000);
  });

  test('given a table replaced by a corrected one, when the first is imported again, then nothing is stored, and the answer says which table is in force and how to put the first back', async () => {
    const f = cliFixture();
    const whole = (population: string) => scb2023().map(([code, name, , p, year]) => `${code};${name};${code === '0114' ? population : p};${year}`);
    expect(await swedish(f, 'first.csv', whole('47820'))).toMatchObject({ code: 0 });
    expect(await swedish(f, 'wrong.csv', whole('11111'))).toMatchObject({ code: 0 });
    const before = eventCount(f.store);
    const again = await swedish(f, 'first.csv', whole('47820'));
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^population\.import: redan registrerat av kommando \S+; inget nytt sparat\. Men för 2023 är population@1 \(.+\) i kraft, inte den här tabellen \(population@0\)\. För att ta tillbaka den: importera den med ett eget --source eller --command-id\n$/);
    expect(eventCount(f.store)).toBe(before);
    // A plain retry of the table in force says only that it is recorded.
    expect((await swedish(f, 'wrong.csv', whole('11111'))).out).toMatch(/^population\.import: redan registrerat av kommando \S+; inget nytt sparat\n$/);
    // Under a source of its own it is a new import, and in force again.
    const csv = join(f.dir, 'first.csv');
    expect((await f.run('population', 'import', csv, '--columns', 'code=Kommunkod,name=Kommun,population=Folkmängd,year=År', '--source', 'SCB, återställd')).code).toBe(0);
    expect((await f.json<{ rows: { code: string; population: number }[] }>('population', 'show', '--year', '2024')).rows.find((r) => r.code === '0114')?.population).toBe(47820);
  });

  test('given no table for 2024, when a table of one municipality is imported for it, then it is stored, and population show counts it as 1 kommun', async () => {
    const f = cliFixture('2025-03-01T10:00:00Z');
    expect(await swedish(f, 'sv.csv', ['0380;Uppsala;"250 000";2024'])).toMatchObject({ code: 0, err: '' });
    const r = await f.run('population', 'show', '--year', '2025');
    expect(r.out).toMatch(/^Avgiftsåret 2025 använder SCB:s folkmängd 31 december 2024: tabellen 2024-12-31 \(.*\), 1 kommun, händelse population@0\n/);
  });
});

/** Stockholm's join, written to a file of one command and applied: the file. */
async function appliedStockholm(f: ReturnType<typeof cliFixture>): Promise<string> {
  const file = join(f.dir, 'cmds.ndjson');
  writeFileSync(file, `${JSON.stringify({ type: 'member.join', orgnr: '212000-0142', kind: 'municipality', name: 'Stockholms stad', kommunkod: '0180', date: '2010-01-01', decisionRef: 'S' })}\n`);
  expect((await f.run('apply', file)).code).toBe(0);
  return file;
}

describe('samkost apply FILE.ndjson', () => {
  test('given a file whose first command is refused, then the one line on stderr says why, nothing is printed beside it, and nothing is stored', async () => {
    const f = cliFixture();
    const file = join(f.dir, 'first-bad.ndjson');
    writeFileSync(file, `${JSON.stringify({ type: 'member.join', orgnr: '212000-0143', kind: 'municipality', name: 'Fel', kommunkod: '0181', date: '2010-01-01', decisionRef: 'S' })}\n`);
    const r = await f.run('apply', file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^samkost: .*first-bad\.ndjson rad 1: /);
    expect(existsSync(f.store) ? eventCount(f.store) : 0).toBe(0);
  });

  /** A file of SCB's table, Stockholm's join, a blank line, then `fourth` on line 4 and Malmö's join. */
  const fileWithFourth = (f: ReturnType<typeof cliFixture>, fourth: Record<string, unknown>): string => {
    const file = join(f.dir, 'cmds.ndjson');
    writeFileSync(file, [
      JSON.stringify({ type: 'population.import', file: SCB }),
      JSON.stringify({ type: 'member.join', orgnr: '212000-0142', kind: 'municipality', name: 'Stockholms stad', kommunkod: '0180', date: '2010-01-01', decisionRef: 'S' }),
      '',
      JSON.stringify(fourth),
      JSON.stringify({ type: 'member.join', orgnr: '212000-1124', kind: 'municipality', name: 'Malmö stad', kommunkod: '1280', date: '2010-01-01', decisionRef: 'S' }),
    ].join('\n'));
    return file;
  };

  test('given a line that is no command (a bad orgnr), then the file is refused naming it before any line is applied', async () => {
    const f = cliFixture();
    const file = fileWithFourth(f, { type: 'member.join', orgnr: '212000-0143', kind: 'municipality', name: 'Fel', kommunkod: '0181', date: '2010-01-01', decisionRef: 'S' });
    const r = await f.run('apply', file);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: ${file} rad 4: member.join: orgnr: ogiltigt organisationsnummer "212000-0143": kontrollsiffran är 3 men ska vara 2; inget i filen har utförts\n` });
    expect(existsSync(f.store) ? eventCount(f.store) : 0).toBe(0);
  });

  test.each([
    [{ commandId: '' }, 'member.leave: kommando-id:t är tomt; ange ett id med tecken i, eller inget alls; inget i filen har utförts'],
    [{ commandId: 'a\u2028b' }, 'member.leave: kommando-id:t innehåller en radbrytning eller ett annat styrtecken; skriv det på en rad; inget i filen har utförts'],
  ])('given a line whose command id cannot be one (%j), then the file is refused before any line is applied', async (id, message) => {
    const f = cliFixture();
    const file = fileWithFourth(f, { type: 'member.leave', member: '0180', date: '2020-06-30', reason: 'x', ...id });
    expect(await f.run('apply', file)).toEqual({ code: 2, out: '', err: `samkost: ${file} rad 4: ${message}\n` });
    expect(existsSync(f.store) ? eventCount(f.store) : 0).toBe(0);
  });

  test('given a line giving a field twice, then the file is refused naming the field before any line is applied: which value was meant cannot be known', async () => {
    const f = cliFixture();
    const file = fileWithFourth(f, { type: 'member.leave', member: '0180', date: '2020-06-30', reason: 'x' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"date":"2020-06-30"', '"date":"2020-06-30","date":"2021-06-30"'));
    expect(await f.run('apply', file)).toEqual({ code: 2, out: '', err: `samkost: ${file} rad 4: fältet "date" står två gånger i samma objekt; ange det en gång, eftersom det inte går att veta vilket värde som menas; inget i filen har utförts\n` });
    expect(existsSync(f.store) ? eventCount(f.store) : 0).toBe(0);
  });

  test('given two lines giving one command id to different commands, then the file is refused at the second before any line is applied', async () => {
    const f = cliFixture();
    const file = join(f.dir, 'ids.ndjson');
    const join2 = (orgnr: string, name: string, kommunkod: string) => JSON.stringify({ type: 'member.join', orgnr, kind: 'municipality', name, kommunkod, date: '2010-01-01', decisionRef: 'S', commandId: 'j-1' });
    writeFileSync(file, [JSON.stringify({ type: 'population.import', file: SCB }), join2('212000-0142', 'Stockholms stad', '0180'), join2('212000-1124', 'Malmö stad', '1280')].join('\n'));
    expect(await f.run('apply', file)).toEqual({ code: 2, out: '', err: `samkost: ${file} rad 3: kommando-id j-1 används redan av en tidigare rad i filen för ett annat kommando; ge varje kommando ett eget id; inget i filen har utförts\n` });
    expect(existsSync(f.store) ? eventCount(f.store) : 0).toBe(0);
  });

  test('applies lines in order, stops at the first line refused by what is stored, naming it, and keeps what came before', async () => {
    const f = cliFixture();
    const file = fileWithFourth(f, { type: 'member.leave', member: '1280', date: '2010-06-30', reason: 'x' });
    const r = await f.run('apply', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^samkost: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} rad 4: okänd medlem`));
    expect(r.out).toContain('2 kommandon utförda, 0 redan registrerade, före rad 4');
    const members = await f.json<{ count: number }>('members', '--at', '2020-01-01');
    expect(members.count).toBe(1);
    // A line that is not JSON, or a JSON file cut short, is said in Swedish, not in JSON.parse's English.
    writeFileSync(file, 'not json\n');
    expect((await f.run('apply', file)).err).toBe(`samkost: ${file} rad 1: inte giltig JSON (tecken som inte hör hemma i JSON); en rad ska vara ett kommando som ett JSON-objekt, t.ex. {"type":"payment.record",…}; inget i filen har utförts\n`);
    const cut = join(f.dir, 'schema.json');
    writeFileSync(cut, '{"year":');
    expect(await f.run('schedule', 'adopt', cut)).toMatchObject({ code: 2, err: `samkost: ${cut} är inte giltig JSON (texten tar slut mitt i)\n` });
    // A table saved to a file or mailed carries no terminal colour codes.
    const table = await f.run('members', '--at', '2020-01-01');
    expect(table.out).toContain('Stockholms stad');
    expect(table.out).not.toContain('\u001b[');
  });

  test('given a file with no command in it (empty, or blank lines and comments only), when applied, then it is refused in one line naming it, and nothing is stored', async () => {
    const f = cliFixture();
    await appliedStockholm(f);
    const before = eventCount(f.store);
    const file = join(f.dir, 'e.ndjson');
    for (const text of ['', '\n\n', '// inget ännu\n\n']) {
      writeFileSync(file, text);
      for (const args of [['apply', file], ['--json', 'apply', file]]) {
        expect(await f.run(...args)).toEqual({ code: 2, out: '', err: `samkost: ${file}: inga kommandon i filen (en apply-fil ska ha ett kommando per rad som ett JSON-objekt, t.ex. {"type":"payment.record",…})\n` });
      }
    }
    expect(eventCount(f.store)).toBe(before);
  });

  test('re-applying the same file appends nothing', async () => {
    const f = cliFixture();
    const file = await appliedStockholm(f);
    const before = eventCount(f.store);
    const again = await f.run('apply', file);
    expect(again.code).toBe(0);
    expect(again.out).toContain('0 kommandon utförda, 1 redan registrerade');
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a line whose content is recorded already under another id, then the summary counts it as recorded already, as its own line says', async () => {
    const f = cliFixture();
    const file = join(f.dir, 'ib.ndjson');
    const line = { type: 'ledger.opening', year: 2023, reference: 'UB 2022', balances: [{ account: '1930', amount: '100.00' }, { account: '2091', amount: '-100.00' }] };
    writeFileSync(file, `${JSON.stringify({ ...line, commandId: 'first' })}\n${JSON.stringify({ ...line, commandId: 'second' })}\n`);
    const r = await f.run('apply', file);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain('ledger.opening: redan registrerat; inget nytt sparat\n');
    expect(r.out).toContain('1 kommando utfört, 1 redan registrerade');
  });
});
