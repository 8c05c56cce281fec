import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { billingFixture } from '../support/billing-fixture';
import { cliFixture } from '../support/cli';

const SCHEDULE_2020 = join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'sambruk-2020.json');

/** "(member-212000-1124@0, position 3)": where an event was stored, which auditors look it up by. */
const at = (stream: string, revision: number | string = '\\d+') => `\\(${stream}@${revision}, position \\d+\\)`;

/** An event type's name (FeeScheduleAdopted, YearClosed): what a confirmation no longer prints. */
const EVENT_TYPE = /\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b/;

/**
 * What a command says it stored, in the words of what was recorded: finance and a board read these lines,
 * which used to name the internal event (`schedule.adopt: sparade FeeScheduleAdopted i schedule-2024@0
 * (position 948)`). The stream@revision and the position stay.
 */
describe('a command confirms what it recorded in Swedish, with where it is stored', () => {
  test('given a fresh store, when the SCB table, a fee schedule and two members are recorded, then each says what, and where', async () => {
    // given
    const f = cliFixture();
    const pop = join(f.dir, 'pop.csv');
    writeFileSync(pop, 'code,name,county,population,year\n0180,Stockholm,Stockholms län,900000,2023\n1280,Malmö,Skåne län,5000,2023\n');

    // when
    const table = await f.run('population', 'import', pop, '--source', 'SCB 2023');
    const schedule = await f.run('schedule', 'adopt', SCHEDULE_2020, '--year', '2024', '--decision', 'Årsmöte 2023 §7', '--decided-on', '2023-11-20');
    const malmo = await f.run('member', 'join', '--orgnr', '212000-1124', '--kind', 'municipality', '--name', 'Malmö stad', '--kommunkod', '1280', '--date', '2024-01-01', '--decision', 'Styrelsen 2023-12-01 §3');
    const region = await f.run('member', 'join', '--orgnr', '232100-0016', '--kind', 'region', '--name', 'Region Stockholm', '--date', '2024-01-01', '--decision', 'Styrelsen 2023-12-01 §4');
    const details = await f.run('member', 'details', '1280', '--reference', 'Ref 42', '--street', 'Stadshuset', '--postal-code', '205 80', '--city', 'Malmö', '--date', '2024-02-01');

    // then
    expect(table.out).toMatch(new RegExp(`^Befolkningstabell 2023 registrerad: 2 kommuner, 905 000 invånare den 2023-12-31, källa SCB 2023 ${at('population', 0)}\\n$`));
    expect(schedule.out).toMatch(new RegExp(`^Avgiftsplan 2024 antagen 2023-11-20, beslut Årsmöte 2023 §7: 8 nivåer ${at('schedule-2024', 0)}\\n$`));
    expect(malmo.out).toMatch(new RegExp(`^Inträde registrerat: Malmö stad \\(kommun, kommunkod 1280\\), medlem från 2024-01-01, beslut Styrelsen 2023-12-01 §3 ${at('member-212000-1124', 0)}\\n$`));
    expect(region.out).toMatch(new RegExp(`^Inträde registrerat: Region Stockholm \\(region, 232100-0016\\), medlem från 2024-01-01, beslut Styrelsen 2023-12-01 §4 ${at('member-232100-0016', 0)}\\n$`));
    expect(details.out).toMatch(new RegExp(`^Fakturauppgifter ändrade för Malmö stad från 2024-02-01: adress Stadshuset, 205 80 Malmö; fakturareferens Ref 42 ${at('member-212000-1124', 1)}\\n$`));
    for (const r of [table, schedule, malmo, region, details]) expect(r.out).not.toMatch(EVENT_TYPE);
  });

  test('given the billing fixture, when a budget is decided and revised, an enrolment started (with an end) and ended, and a member leaves, then each says what, and where', async () => {
    // given EGIL with a budget for 2024 and three municipalities enrolled
    const f = await billingFixture();

    // when
    const budget = await f.run('budget', 'decide', '--service', 'egil', '--year', '2025', '--line', 'Drift=1000000.00', '--line', 'Utveckling=200000.00', '--decided-on', '2024-11-15', '--minutes', 'FR EGIL 2024-11-15 §4');
    const revised = await f.run('budget', 'decide', '--service', 'egil', '--year', '2025', '--line', 'Drift=1100000.00', '--decided-on', '2024-12-10', '--minutes', 'FR EGIL 2024-12-10 §2');
    const region = await f.run('enrolment', 'start', '--service', 'egil', '--member', '232100-0016', '--from', '2025-01-01', '--to', '2025-06-30');
    const ended = await f.run('enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1124-2024-04-15', '--to', '2024-12-31');
    const leave = await f.run('member', 'leave', '1280', '--date', '2024-12-31', '--reason', 'ingen tjänst', '--decision', 'Styrelsen 2024-11-01 §9');

    // then
    expect(budget.out).toMatch(new RegExp(`^Budget 2025 för EGIL \\(egil\\) beslutad 2024-11-15, FR EGIL 2024-11-15 §4: 1 200 000,00 kr \\(2 rader\\) ${at('service-egil')}\\n$`));
    expect(revised.out).toMatch(new RegExp(`^Reviderad budget 2025 för EGIL \\(egil\\) beslutad 2024-12-10, FR EGIL 2024-12-10 §2: 1 100 000,00 kr \\(1 rad\\); ersätter det tidigare beslutet för året ${at('service-egil')}\\n$`));
    // An enrolment given an end stores two events: one line each.
    expect(region.out).toMatch(new RegExp(`^Anslutning registrerad: Region Stockholm \\(region, 232100-0016\\) till EGIL \\(egil\\) från 2025-01-01 \\(anslutning 232100-0016-2025-01-01\\) ${at('service-egil')}\\n`
      + `Anslutning 232100-0016-2025-01-01 \\(Region Stockholm\\) till EGIL \\(egil\\) upphör: sista dag 2025-06-30 ${at('service-egil')}\\n$`));
    expect(ended.out).toMatch(new RegExp(`^Anslutning 212000-1124-2024-04-15 \\(Malmö stad\\) till EGIL \\(egil\\) upphör: sista dag 2024-12-31 ${at('service-egil')}\\n$`));
    expect(leave.out).toMatch(new RegExp(`^Utträde registrerat: Malmö stad \\(kommun, kommunkod 1280\\), medlem till och med 2024-12-31, skäl: ingen tjänst, beslut Styrelsen 2024-11-01 §9 ${at('member-212000-1124', 1)}\\n$`));
    for (const r of [budget, revised, region, ended, leave]) expect(r.out).not.toMatch(EVENT_TYPE);
  });

  test('given a year with nothing to settle, when it is closed, then it says which year was closed on which day, and where', async () => {
    // given 2024 with nothing billed
    const f = cliFixture('2025-03-01T09:00:00Z');

    // when
    const closed = await f.run('year', 'close', '2024', '--date', '2025-02-15', '--decision', 'Styrelsen 2025-02-15 §2');

    // then
    expect(closed.out).toMatch(new RegExp(`^År 2024 stängt per 2025-02-15, beslut Styrelsen 2025-02-15 §2 ${at('billing-2024', 0)}\\n$`));
  });

  test('given an apply file with a service, a levy and a bank file\'s payments, when applied, then each line says what it recorded, and where', async () => {
    // given the fixture's Q1 invoiced, and a file establishing a service, deciding a levy and importing a payment
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const invoices = (await f.json<{ invoices: { number: string }[] }>('invoices', '--year', '2024')).invoices;
    const lines = [
      { type: 'service.establish', serviceId: 'bibblix', name: 'Bibblix', area: 'Bibliotek', overheadRate: '0.05', cadence: 'yearly', decisionRef: 'Styrelsen 2024 §6', date: '2024-06-01', pricing: { kind: 'equal' } },
      { type: 'levy.decide', year: 2024, levyId: 'extra-2024', purpose: 'Gemensam upphandling', decisionRef: 'Stämman 2024-05-01 §8', decidedOn: '2024-05-01', tiers: [{ id: 'kommuner', label: 'Kommuner', amount: '1000.00' }, { id: 'org', label: 'Organisationer', organisation: true, amount: '500.00' }] },
      { type: 'payment.import', payments: [{ invoice: invoices[0].number, amount: '100.00', date: '2024-02-01', reference: 'BG 77' }] },
    ];
    const file = join(f.dir, 'more.ndjson');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));

    // when
    const r = await f.run('apply', file);

    // then
    expect(r.err).toBe('');
    expect(r.out).toMatch(new RegExp(`^Tjänsten Bibblix \\(bibblix\\) inrättad från 2024-06-01, beslut Styrelsen 2024 §6: lika delar, påslag 5 %, fakturering per helår ${at('service-bibblix', 0)}\\n`
      + `Extra utdebitering 2024 beslutad 2024-05-01, beslut Stämman 2024-05-01 §8: Gemensam upphandling \\(extra-2024\\), 2 nivåer ${at('levy-2024')}\\n`
      + `Inbetalning registrerad: 100,00 kr på ${invoices[0].number}, betald 2024-02-01, referens BG 77 ${at('billing-2024')}\\n`));
    expect(r.out).not.toMatch(EVENT_TYPE);
  });
});
