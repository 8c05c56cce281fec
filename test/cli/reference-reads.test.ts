import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFixture, eventCount } from '../support/cli';

/*
 * The reads of what the annual meeting and SCB gave the engine to work from: the fee schedule in force for
 * a year (`schedule show`), the extra levies of a year (`levies`) and the recorded population tables
 * (`population show`), each with the event it rests on.
 */

const SCHEDULE_2020 = join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'sambruk-2020.json');
const LEVY_2007 = join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'levy-2007.json');

interface EventLink { streamId: string; revision: number; position: string; eventId: string; type: string; hash: string }

/**
 * SCB tables at 31 December 2022 and 2023 (Skurup, Stockholm; Malmö in 2023 only), the 2020 schedule
 * adopted for 2024 by the annual meeting of 2024, and the 2007 levy decided again for 2024.
 */
async function fixture() {
  const f = cliFixture();
  const csv = join(f.dir, 'pop.csv');
  writeFileSync(csv, [
    'code,name,county,population,year',
    '1264,Skurup,Skåne län,16812,2022', '1264,Skurup,Skåne län,16900,2023',
    '0180,Stockholm,Stockholms län,984748,2022', '0180,Stockholm,Stockholms län,988943,2023',
    '1280,Malmö,Skåne län,362133,2023',
  ].join('\n'));
  expect((await f.run('population', 'import', csv, '--source', 'SCB BE0101 Folkmängd 31 december')).code).toBe(0);
  const adopted = await f.run('schedule', 'adopt', SCHEDULE_2020, '--year', '2024', '--decision', 'Årsmöte 2024 §7', '--decided-on', '2024-02-22');
  expect(adopted).toMatchObject({ code: 0, err: '' });
  const levy = join(f.dir, 'levy.json');
  writeFileSync(levy, JSON.stringify({ ...JSON.parse(readFileSync(LEVY_2007, 'utf8')), year: 2024, levyId: 'extra-2024', purpose: 'Gemensam e-arkivupphandling', decisionRef: 'Stämma 2024 §9', decidedOn: '2024-02-22' }));
  expect((await f.run('levy', 'decide', levy)).code).toBe(0);
  return f;
}

describe('schedule show: the fee schedule adopted for a year', () => {
  test('given the 2020 schedule adopted for 2024, when schedule show --year 2024, then its decision, rules and tiers in Swedish', async () => {
    const f = await fixture();
    const r = await f.run('schedule', 'show', '--year', '2024');
    expect([r.code, r.err]).toEqual([0, '']);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Avgiftsplan 2024');
    expect(r.out).toContain('\nBeslut: Årsmöte 2024 §7, 2024-02-22\n');
    expect(r.out).toContain('\nFörsta året: årsavgiften räknas från inträdesmånaden (årsavgift × månader/12)\n');
    expect(r.out).toContain('\nÅterinträde: 50 % av den ordinarie medlemsinsatsen\n');
    expect(r.out).toContain('\nBefolkning: SCB:s folkmängd 31 december 2023\n');
    expect(r.out).toMatch(/│ Nivå +│ Benämning +│ Invånare +│ Medlemsinsats +│ Årsavgift +│/);
    expect(r.out).toMatch(/│ lt7000 +│ mindre än 7 000 invånare +│ 0 – 6 999 +│ 5 000,00 kr +│ 5 000,00 kr +│/);
    expect(r.out).toMatch(/│ 15000-25000 +│ 15 000 – 25 000 invånare +│ 15 000 – 24 999 +│ 10 000,00 kr +│ 25 000,00 kr +│/);
    expect(r.out).toMatch(/│ gt150000 +│ mer än 150 000 invånare +│ 150 001 – +│ 25 000,00 kr +│ 80 000,00 kr +│/);
    expect(r.out).toMatch(/│ org +│ Andra organisationer +│ organisationer +│ 5 000,00 kr +│ 25 000,00 kr +│/);
    expect(r.out).toMatch(/\nHändelse: schedule-2024@0, hash [0-9a-f]{64}\n$/);
  });

  test('given the same, when schedule show --year 2024 --json, then the schedule as stored and the event it rests on', async () => {
    const f = await fixture();
    const shown = await f.json<Record<string, unknown> & { event: EventLink }>('schedule', 'show', '--year', '2024');
    const file = JSON.parse(readFileSync(SCHEDULE_2020, 'utf8')) as Record<string, unknown>;
    const { event, ...schedule } = shown;
    expect(schedule).toEqual({ ...file, year: 2024, decisionRef: 'Årsmöte 2024 §7', decidedOn: '2024-02-22' });
    const stored = (await f.json<{ streamId: string; revision: number; position: string; id: string; type: string; metadata: { hash: string } }[]>('events', '--stream', 'schedule-2024'))[0];
    expect(event).toEqual({ streamId: 'schedule-2024', revision: 0, position: stored.position, eventId: stored.id, type: 'FeeScheduleAdopted', hash: stored.metadata.hash });
  });

  test('given --decision "" beside a file that has a decision, then it is refused as empty, not read as absent', async () => {
    const f = await fixture();
    const r = await f.run('schedule', 'adopt', SCHEDULE_2020, '--year', '2024', '--decision', '', '--decided-on', '2024-02-29');
    expect(r).toEqual({ code: 2, out: '', err: 'samkost: schedule.adopt: decisionRef: får inte vara tom\n' });
  });

  test('given a schedule adopted twice for a year, when shown, then the later decision, saying that it replaces the earlier', async () => {
    const f = await fixture();
    await f.run('schedule', 'adopt', SCHEDULE_2020, '--year', '2024', '--decision', 'Extra årsmöte 2024 §2', '--decided-on', '2024-02-29');
    const r = await f.run('schedule', 'show', '--year', '2024');
    expect(r.out).toContain('\nBeslut: Extra årsmöte 2024 §2, 2024-02-29 (ersätter 1 tidigare beslut för 2024)\n');
    expect((await f.json<{ event: EventLink }>('schedule', 'show', '--year', '2024')).event.revision).toBe(1);
  });

  test('given no schedule for 2030, when schedule show --year 2030, then one line naming the year and the years that have one, exit 2', async () => {
    const f = await fixture();
    const before = eventCount(f.store);
    const r = await f.run('schedule', 'show', '--year', '2030');
    expect(r).toEqual({ code: 2, out: '', err: 'samkost: ingen avgiftsplan är antagen för 2030 (antagna: 2024); anta en med `samkost schedule adopt`\n' });
    // As fees does for the same year.
    expect((await f.run('fees', '--year', '2030')).code).toBe(2);
    expect(eventCount(f.store)).toBe(before);
  });

  test('a year that is not one, or none given, is refused as every read refuses it', async () => {
    const f = await fixture();
    expect(await f.run('schedule', 'show', '--year', '24')).toEqual({ code: 2, out: '', err: 'samkost: --year ska vara ett årtal mellan 1990 och 2100, inte "24"\n' });
    expect(await f.run('schedule', 'show')).toEqual({ code: 2, out: '', err: 'samkost: flaggan --year <year> måste anges\n' });
  });
});

describe('levies: the extra levies decided for a year', () => {
  test('given a levy decided for 2024, when levies --year 2024, then its purpose, decision and amount per tier', async () => {
    const f = await fixture();
    const r = await f.run('levies', '--year', '2024');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^Extra utdebiteringar 2024: 1\n\nextra-2024: Gemensam e-arkivupphandling\nBeslut: Stämma 2024 §9, 2024-02-22; händelse levy-2024@0, hash [0-9a-f]{64}\n/);
    expect(r.out).toMatch(/│ Nivå +│ Benämning +│ Invånare +│ Belopp +│/);
    expect(r.out).toMatch(/│ lt10000 +│ Invånare mindre än 10 000 +│ 0 – 9 999 +│ 7 500,00 kr +│/);
    expect(r.out).toMatch(/│ 10000-100000 +│ Invånare mellan 10 000 – 100 000 +│ 10 000 – 100 000 +│ 10 500,00 kr +│/);
    expect(r.out).toMatch(/│ gt100000 +│ Invånare fler än 100 000 +│ 100 001 – +│ 13 500,00 kr +│/);
    expect(r.out).toMatch(/│ org +│ Organisationer +│ organisationer +│ 7 500,00 kr +│/);
  });

  test('given the same, when levies --year 2024 --json, then each levy as stored with its event', async () => {
    const f = await fixture();
    const shown = await f.json<{ year: number; levies: (Record<string, unknown> & { event: EventLink })[] }>('levies', '--year', '2024');
    expect(shown.year).toBe(2024);
    expect(shown.levies).toHaveLength(1);
    const { event, ...levy } = shown.levies[0];
    expect(levy).toEqual({ ...JSON.parse(readFileSync(LEVY_2007, 'utf8')), year: 2024, levyId: 'extra-2024', purpose: 'Gemensam e-arkivupphandling', decisionRef: 'Stämma 2024 §9', decidedOn: '2024-02-22' });
    expect(event).toMatchObject({ streamId: 'levy-2024', revision: 0, type: 'ExtraLevyDecided', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  test('given no levy for 2025, when levies --year 2025, then an empty list: a year needs none', async () => {
    const f = await fixture();
    expect(await f.run('levies', '--year', '2025')).toEqual({ code: 0, out: 'Inga extra utdebiteringar är beslutade för 2025.\n', err: '' });
    expect(await f.json('levies', '--year', '2025')).toEqual({ year: 2025, levies: [] });
  });

  test('without --year, every year\'s levies in order of year', async () => {
    const f = await fixture();
    await f.run('levy', 'decide', LEVY_2007);
    const all = await f.json<{ year: null; levies: { year: number; levyId: string }[] }>('levies');
    expect(all.year).toBeNull();
    expect(all.levies.map((l) => [l.year, l.levyId])).toEqual([[2007, 'extra-2007'], [2024, 'extra-2024']]);
  });
});

describe('population show: the recorded SCB tables, the one a fee year uses, and a municipality\'s figures', () => {
  interface TableJson { year: number; referenceDate: string; source: string; count: number; usedForFeeYear: number; event: EventLink }

  test('given tables at 31 December 2022 and 2023, when population show, then each with its date, source, size, fee year and event', async () => {
    const f = await fixture();
    const r = await f.run('population', 'show');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^Befolkningstabeller: 2 \(avgiftsåret använder SCB:s folkmängd 31 december året före\)\n/);
    expect(r.out).toMatch(/│ År +│ Referensdatum +│ Källa +│ Kommuner +│ Avgiftsår +│ Händelse +│/);
    expect(r.out).toMatch(/│ 2022 │ 2022-12-31 +│ SCB BE0101 Folkmängd 31 december │ 2 +│ 2023 +│ population@0 │/);
    expect(r.out).toMatch(/│ 2023 │ 2023-12-31 +│ SCB BE0101 Folkmängd 31 december │ 3 +│ 2024 +│ population@1 │/);
    const shown = await f.json<{ tables: TableJson[] }>('population', 'show');
    expect(shown.tables.map(({ event, ...t }) => [t, event.streamId, event.revision, event.type])).toEqual([
      [{ year: 2022, referenceDate: '2022-12-31', source: 'SCB BE0101 Folkmängd 31 december', count: 2, usedForFeeYear: 2023 }, 'population', 0, 'PopulationRecorded'],
      [{ year: 2023, referenceDate: '2023-12-31', source: 'SCB BE0101 Folkmängd 31 december', count: 3, usedForFeeYear: 2024 }, 'population', 1, 'PopulationRecorded'],
    ]);
  });

  test('given the same, when population show --year 2024, then the table of 31 December 2023 that fee year uses, every row', async () => {
    const f = await fixture();
    const r = await f.run('population', 'show', '--year', '2024');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^Avgiftsåret 2024 använder SCB:s folkmängd 31 december 2023: tabellen 2023-12-31 \(SCB BE0101 Folkmängd 31 december\), 3 kommuner, händelse population@1\n/);
    expect(r.out).toMatch(/│ Kommunkod │ Kommun +│ Folkmängd +│/);
    expect(r.out).toMatch(/│ 0180 +│ Stockholm +│ 988 943 +│\n.*\n│ 1264 +│ Skurup +│ 16 900 +│\n.*\n│ 1280 +│ Malmö +│ 362 133 +│/);
    const shown = await f.json<{ feeYear: number; table: TableJson; rows: unknown[] }>('population', 'show', '--year', '2024');
    expect(shown).toMatchObject({ feeYear: 2024, table: { year: 2023, referenceDate: '2023-12-31', count: 3, usedForFeeYear: 2024, event: { revision: 1 } } });
    expect(shown.rows).toEqual([{ code: '0180', name: 'Stockholm', population: 988943 }, { code: '1264', name: 'Skurup', population: 16900 }, { code: '1280', name: 'Malmö', population: 362133 }]);
  });

  test('given the same, when population show --kommun 1280, then its figure in each table, none where a table lacks it', async () => {
    const f = await fixture();
    const r = await f.run('population', 'show', '--kommun', '1280');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^Kommunkod 1280 Malmö\n/);
    expect(r.out).toMatch(/│ 2022 │ 2022-12-31 +│ – +│ 2023 +│ population@0 │/);
    expect(r.out).toMatch(/│ 2023 │ 2023-12-31 +│ 362 133 +│ 2024 +│ population@1 │/);
    const shown = await f.json<{ kommunkod: string; name: string; figures: { year: number; population: number | null }[] }>('population', 'show', '--kommun', '1280');
    expect(shown).toMatchObject({ kommunkod: '1280', name: 'Malmö' });
    expect(shown.figures.map((x) => [x.year, x.population])).toEqual([[2022, null], [2023, 362133]]);
  });

  test('given --year and --kommun, then that municipality\'s figure in the table the fee year uses', async () => {
    const f = await fixture();
    const shown = await f.json<{ rows: unknown[] }>('population', 'show', '--year', '2023', '--kommun', '1264');
    expect(shown.rows).toEqual([{ code: '1264', name: 'Skurup', population: 16812 }]);
    const absent = await f.run('population', 'show', '--year', '2023', '--kommun', '1280');
    expect(absent).toEqual({ code: 2, out: '', err: 'samkost: kommunkod 1280 finns inte i SCB-tabellen 2022-12-31, som avgiftsåret 2023 använder\n' });
  });

  test('a fee year with no table, a kommunkod in no table and a malformed kommunkod are refused with one line, exit 2', async () => {
    const f = await fixture();
    const before = eventCount(f.store);
    expect(await f.run('population', 'show', '--year', '2030')).toEqual({
      code: 2, out: '', err: 'samkost: ingen befolkningstabell för 2029 finns registrerad (avgifterna för 2030 bygger på SCB:s folkmängd 31 december 2029; registrerade: 2022, 2023); importera en med `samkost population import`\n',
    });
    expect(await f.run('population', 'show', '--kommun', '9999')).toEqual({ code: 2, out: '', err: 'samkost: kommunkod 9999 finns inte i någon registrerad SCB-tabell (registrerade: 2022, 2023)\n' });
    expect(await f.run('population', 'show', '--kommun', '180')).toEqual({ code: 2, out: '', err: 'samkost: --kommun ska vara en kommunkod med fyra siffror, t.ex. 0180, inte "180"\n' });
    expect(eventCount(f.store)).toBe(before);
  });

  test('given no table recorded, then population show says so and exits 0', async () => {
    const f = cliFixture();
    await f.run('schedule', 'adopt', SCHEDULE_2020, '--year', '2024', '--decision', 'Årsmöte 2024 §7', '--decided-on', '2024-02-22');
    expect(await f.run('population', 'show')).toEqual({ code: 0, out: 'Inga befolkningstabeller är registrerade; importera en med `samkost population import`.\n', err: '' });
    expect(await f.json('population', 'show')).toEqual({ tables: [] });
  });
});
