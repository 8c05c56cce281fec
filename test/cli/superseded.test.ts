import { billingFixture } from '../support/billing-fixture';
import { eventCount } from '../support/cli';

/*
 * A decision given again after a later one replaced it is the same command (its id is its content's), so it
 * is answered "redan registrerat" and stores nothing; the answer then says what is in force instead, and how
 * to make the decision again, rather than reading as if it were in force.
 */
describe('a decision given again after a later one replaced it', () => {
  test('given a budget corrected by a typo, when the first budget is given again, then nothing is stored and the answer names the budget in force and how to decide it again; under an id of its own it is decided', async () => {
    const f = await billingFixture();
    const budget = (amount: string, ...extra: string[]) => f.run('budget', 'decide', '--service', 'egil', '--year', '2024', '--line', `Drift=${amount}`, '--decided-on', '2023-11-30', '--minutes', 'FR EGIL 2023-11-30', ...extra);
    expect((await budget('6000000.00')).code).toBe(0);
    expect((await budget('6500000.00')).code).toBe(0);
    const before = eventCount(f.store);
    const again = await budget('6000000.00');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^budget\.decide: redan registrerat av kommando c-[0-9a-f]+; inget nytt sparat\. Men för egil 2024 är budgeten FR EGIL 2023-11-30 \(6 500 000,00 kr, beslutad 2023-11-30, service-egil@\d+\) i kraft, inte den här \(service-egil@\d+\)\. För att fatta beslutet igen: ge kommandot ett eget --command-id \(commandId i en fil eller ett HTTP-anrop\)\n$/);
    expect(eventCount(f.store)).toBe(before);
    const json = await f.json<{ duplicate: boolean; note: string }>('budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=6000000.00', '--decided-on', '2023-11-30', '--minutes', 'FR EGIL 2023-11-30');
    expect(json.duplicate).toBe(true);
    expect(json.note).toContain('i kraft, inte den här');
    expect((await budget('6000000.00', '--command-id', 'budget-rattelse-1')).code).toBe(0);
    expect((await f.json<{ split: { cost: string } } & Record<string, unknown>>('split', '--service', 'egil', '--year', '2024')).cost ?? '').toBe('6300000.00');
  });

  test('given an invoice reference set back after a change, then the answer names the reference in force', async () => {
    const f = await billingFixture();
    for (const ref of ['REF-A', 'REF-B']) expect((await f.run('member', 'details', '0180', '--reference', ref, '--date', '2024-01-10')).code).toBe(0);
    const again = await f.run('member', 'details', '0180', '--reference', 'REF-A', '--date', '2024-01-10');
    expect(again.out).toMatch(/; inget nytt sparat\. Men Stockholms stads uppgifter ändrades senare: referensen är "REF-B" \(inte som här, member-212000-0142@\d+\)\. För att fatta beslutet igen/);
  });

  test('given an enrolment withdrawn, when it is started again, then the answer says it was withdrawn and how to enrol again; given an id of its own it is refused for the enrolment id in use', async () => {
    const f = await billingFixture();
    const start = ['enrolment', 'start', '--service', 'egil', '--member', '232100-0016', '--from', '2025-01-01'];
    expect((await f.run(...start)).code).toBe(0);
    expect((await f.run('enrolment', 'end', '--service', 'egil', '--enrolment', '232100-0016-2025-01-01', '--to', '2024-12-31')).code).toBe(0);
    const again = await f.run(...start);
    expect(again.out).toMatch(/; inget nytt sparat\. Men anslutningen 232100-0016-2025-01-01 avslutades sedan \(återtogs innan den började, service-egil@\d+\)\. För att ansluta medlemmen igen: samkost enrolment start med ett eget --id/);
    expect(await f.run(...start, '--command-id', 'ny-1')).toMatchObject({ code: 2, err: 'samkost: enrolment.start: anslutnings-id 232100-0016-2025-01-01 används redan i egil\n' });
    expect((await f.run(...start, '--id', 'sthlm-egil-2025')).code).toBe(0);
  });

  test('given an enrolment\'s end brought forward, when the first end is given again, then the answer names the end in force', async () => {
    const f = await billingFixture();
    const end = (to: string) => f.run('enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1355-2024-01-01', '--to', to);
    expect((await end('2024-09-30')).code).toBe(0);
    expect((await end('2024-08-31')).code).toBe(0);
    expect((await end('2024-09-30')).out).toMatch(/; inget nytt sparat\. Men anslutningens slut ändrades senare till 2024-08-31 \(service-egil@\d+\), inte 2024-09-30 som här \(service-egil@\d+\)\. För att fatta beslutet igen/);
  });

  test('given a decision given again while it is still in force (a retry), then the answer is the plain one', async () => {
    const f = await billingFixture();
    const again = await f.run('budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=1000000.00', '--line', 'Utveckling=200000.00', '--decided-on', '2023-11-15', '--minutes', 'FR EGIL 2023-11-15 §4');
    expect(again.out).toMatch(/^budget\.decide: redan registrerat av kommando c-[0-9a-f]+; inget nytt sparat\n$/);
  });
});
