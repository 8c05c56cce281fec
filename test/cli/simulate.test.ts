import { billingFixture, establishService, settledYear } from '../support/billing-fixture';
import { cliOn } from '../support/cli';

type Fixture = Awaited<ReturnType<typeof billingFixture>>;

const ok = (f: Fixture) => async (...args: string[]) => {
  const r = await f.run(...args);
  if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
  return r;
};

interface AContoInvoicedJson { periods: string[]; periodsInYear: number; invoices: number; settled: boolean; closedOn: string | null }

/**
 * A price list's cost is what its participants' prices add up to, so a scenario that adds one changes
 * the cost itself; a council reading the text must see both, not today's cost alone.
 */
describe('simulate on a price-list service: the scenario\'s cost beside today\'s', () => {
  test('given Stockholm (42 000) and Göteborg (22 000), when Malmö (22 000) is added, then the text and --json give 64 000,00 now and 86 000,00 in the scenario', async () => {
    const f = await billingFixture();
    await establishService(f, {
      serviceId: 'bibblix', name: 'Bibblix', area: 'Bibliotek', overheadRate: '0.05', cadence: 'yearly', decisionRef: 'Styrelsen 2023 §6', date: '2023-01-01',
      pricing: { kind: 'price-list', bands: [{ id: 'small', label: '< 100 000', max: 99999, price: '22000.00' }, { id: 'large', label: '≥ 100 000', min: 100000, price: '42000.00' }] },
    });
    const run = ok(f);
    await run('enrolment', 'start', '--service', 'bibblix', '--member', '0180', '--from', '2024-01-01');
    await run('enrolment', 'start', '--service', 'bibblix', '--member', '1480', '--from', '2024-01-01');
    const text = await run('simulate', '--service', 'bibblix', '--year', '2024', '--kommun', '1280');
    expect(text.out.split('\n')[0]).toBe('Bibblix 2024: kostnad nu 64 000,00 kr, i scenariot 86 000,00 kr (simulering, inget sparas)');
    const sim = await f.json<{ cost: string; costScenario: string; totalNow: string; totalScenario: string }>('simulate', '--service', 'bibblix', '--year', '2024', '--kommun', '1280');
    expect(sim).toMatchObject({ cost: '64000.00', costScenario: '86000.00', totalNow: '64000.00', totalScenario: '86000.00' });
  });
});

/** The billing fixture with an equal split "eq" of `budget` for 2024 and `member` enrolled in it from `from`. */
async function withEqualSplit(budget: string, member: string, from: string) {
  const f = await billingFixture();
  await establishService(f, { serviceId: 'eq', name: 'Lika', area: 'IT', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2023-01-01', pricing: { kind: 'equal' } });
  await ok(f)('budget', 'decide', '--service', 'eq', '--year', '2024', '--line', `Drift=${budget}`, '--decided-on', '2023-11-20', '--minutes', 'R');
  await ok(f)('enrolment', 'start', '--service', 'eq', '--member', member, '--from', from);
  return f;
}

describe('simulate --kommun names a municipality as the register does, and is not also removed', () => {
  test('given Malmö a member (SCB: Malmö) not enrolled in a service, when added by --kommun 1280, then its row is "Malmö stad (ny)", the member\'s name', async () => {
    const f = await withEqualSplit('90000.00', '0180', '2024-01-01');
    const sim = await f.json<{ rows: { key: string; name: string }[] }>('simulate', '--service', 'eq', '--year', '2024', '--kommun', '1280');
    expect(sim.rows.find((r) => r.key === '~kommun-1280')?.name).toBe('Malmö stad (ny)');
  });

  test('given Göteborg enrolled, when the same municipality is given to --kommun and --remove (by code or orgnr), then it is refused: a change of nothing shown as a scenario', async () => {
    const f = await billingFixture();
    for (const removed of ['1480', '212000-1355']) {
      const r = await f.run('simulate', '--service', 'egil', '--year', '2024', '--kommun', '1480', '--remove', removed);
      expect([r.code, r.err.trim()]).toEqual([2, 'samkost: simulate: kommunkod 1480 anges både med --kommun och --remove; ange den med det ena']);
    }
  });
});

/**
 * A run never bills a period twice (domain/billing/due.ts): a participant invoiced a conto for a period
 * keeps that amount, whatever the split says later, until the year-end settlement bills or credits the
 * difference. A what-if shows what the split gives, so once the year is invoiced it says so.
 */
describe('simulate on a year already invoiced a conto says that the invoiced keep their amounts until the settlement', () => {
  const args = ['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '15000'];
  const sweepArgs = ['simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..1'];

  test('given no a-conto invoice yet, then no note, and --json lists no period', async () => {
    const f = await billingFixture();
    expect((await ok(f)(...args)).out).not.toContain('a conto');
    const sim = await f.json<{ aContoInvoiced: AContoInvoicedJson }>(...args);
    expect(sim.aContoInvoiced).toEqual({ periods: [], periodsInYear: 4, invoices: 0, settled: false, closedOn: null });
  });

  test('given the first quarter invoiced (Stockholm and Göteborg; Malmö joins in April), then one note line names it, in the what-if and in its sweep', async () => {
    const f = await billingFixture();
    await ok(f)('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const note = 'Obs: redan fakturerat a conto: kvartal 1 2024 (1 av 4 perioder, 2 fakturor); de deltagare som fakturerats för en period behåller det beloppet till årets slutreglering, som fakturerar eller krediterar skillnaden mot utfallets fördelning (visas med --basis actual), inte mot budgetens här.';
    const text = (await ok(f)(...args)).out;
    expect(text.split('\n').filter((l) => l.includes('a conto'))).toEqual([note]);
    expect((await ok(f)(...sweepArgs)).out).toContain(`\n${note}\n`);
    const sim = await f.json<{ aContoInvoiced: AContoInvoicedJson }>(...args);
    expect(sim.aContoInvoiced).toEqual({ periods: ['2024-Q1'], periodsInYear: 4, invoices: 2, settled: false, closedOn: null });
    const curve = await f.json<{ aContoInvoiced: AContoInvoicedJson }>(...sweepArgs);
    expect(curve.aContoInvoiced).toEqual(sim.aContoInvoiced);
  });

  test('given the year invoiced and settled, then the note says a new settlement would bill or credit the difference: against the actual cost\'s split, which --basis actual shows, not the budget\'s', async () => {
    const f = await settledYear();
    const sim = await f.json<{ aContoInvoiced: AContoInvoicedJson }>(...args);
    expect(sim.aContoInvoiced).toMatchObject({ periods: ['2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4'], periodsInYear: 4, settled: true });
    const text = (await ok(f)(...args)).out;
    expect(text).toMatch(/^Obs: redan fakturerat a conto: kvartal 1 2024, kvartal 2 2024, kvartal 3 2024 och kvartal 4 2024 \(4 av 4 perioder, \d+ fakturor\), och året är redan slutreglerat för tjänsten; det fakturerade står kvar tills en ny slutreglering fakturerar eller krediterar skillnaden mot utfallets fördelning \(visas med --basis actual\), inte mot budgetens här\.$/m);
    const actual = (await ok(f)(...args, '--basis', 'actual')).out;
    expect(actual).toContain('en ny slutreglering fakturerar eller krediterar skillnaden mot fördelningen här.\n');
  });

  test('given the year settled and closed, then the note says what was invoiced and settled stands, not that a settlement will come', async () => {
    const f = await settledYear();
    const later = cliOn(f.store, '2025-03-01T09:00:00Z');
    const closed = await later('year', 'close', '2024', '--date', '2025-02-15');
    expect(closed.err).toBe('');
    const sim = await f.json<{ aContoInvoiced: AContoInvoicedJson }>(...args);
    expect(sim.aContoInvoiced).toMatchObject({ settled: true, closedOn: '2025-02-15' });
    const text = (await ok(f)(...args)).out;
    expect(text).toMatch(/^Obs: redan fakturerat a conto: kvartal 1 2024, kvartal 2 2024, kvartal 3 2024 och kvartal 4 2024 \(4 av 4 perioder, \d+ fakturor\), och året stängdes 2025-02-15; det fakturerade och slutreglerade står fast, och scenariot visar bara hur fördelningen hade blivit\.$/m);
    expect(text).not.toContain('slutreglering fakturerar');
  });
});

/**
 * `--tier` describes a hypothetical municipality by one of the service's own bands, the ones its weights
 * or prices go by: a fee schedule's tier could straddle two of them, and the smallest's lower bound (0)
 * made a municipality of no inhabitants.
 */
describe('simulate --tier: a band of the service\'s own, at its lower bound and at least one inhabitant', () => {
  test('given egil\'s band m (10 000 – 100 000, weight 2), when one is added by --tier m, then it is the same scenario as --population 10000', async () => {
    const f = await billingFixture();
    type Sim = { rows: { key: string; name: string; scenario: string }[]; totalScenario: string };
    const byTier = await f.json<Sim>('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--tier', 'm');
    const byPopulation = await f.json<Sim>('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '10000');
    const unnamed = (sim: Sim) => ({ ...sim, rows: sim.rows.map(({ name: _n, ...row }) => row) });
    expect(unnamed(byTier)).toEqual(unnamed(byPopulation));
    expect(byTier.rows.find((r) => r.key === '~hyp-0001')?.name).toBe('Ny kommun (nivå 10 000 – 100 000) #1');
    expect(byPopulation.rows.find((r) => r.key === '~hyp-0001')?.name).toBe('Ny kommun (10 000 inv.) #1');
  });

  test('given egil\'s band s (below 10 000, no lower bound), when one is added by --tier s, then it weighs as 1 inhabitant, not 0, and is named by its band, not as a municipality of one inhabitant', async () => {
    const f = await billingFixture();
    const sim = await f.json<{ rows: { key: string; name: string; scenario: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--tier', 's');
    const one = await f.json<{ rows: { key: string; scenario: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '1');
    expect(sim.rows.find((r) => r.key === '~hyp-0001')).toMatchObject({ name: 'Ny kommun (nivå < 10 000) #1', scenario: one.rows.find((r) => r.key === '~hyp-0001')?.scenario });
  });

  test('given a per-capita service, when --tier is given, then it is refused, pointing to --population', async () => {
    const f = await billingFixture();
    await establishService(f, { serviceId: 'pc', name: 'PC', area: 'IT', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2023-01-01', pricing: { kind: 'per-capita' } });
    await ok(f)('budget', 'decide', '--service', 'pc', '--year', '2024', '--line', 'Drift=100000.00', '--decided-on', '2023-11-20', '--minutes', 'R');
    const r = await f.run('simulate', '--service', 'pc', '--year', '2024', '--add', '1', '--tier', 's');
    expect(r).toEqual({ code: 2, out: '', err: 'samkost: --tier s: tjänsten fördelar per invånare, så en storleksklass säger inte vad en tänkt kommun betalar; ange dess folkmängd med --population N\n' });
  });
});

/**
 * `--from` with `--remove` was ignored: the member was removed for the whole year whatever day was given.
 * Now the member leaves from that day, its enrolment ended the day before, as `enrolment end` records it.
 */
describe('simulate --remove M --from DATE: the member leaves the service from DATE', () => {
  type Sim = { rows: { key: string; scenario: string | null }[]; participantsScenario: number };
  type Split = { participants: { key: string; total: string }[] };

  test('given Göteborg enrolled for 2024, when it is removed from 2024-07-01, then each pays what split gives after enrolment end --to 2024-06-30, and not what removal for the year gives', async () => {
    const f = await billingFixture();
    const args = ['simulate', '--service', 'egil', '--year', '2024', '--remove', '1480'];
    const fromJuly = await f.json<Sim>(...args, '--from', '2024-07-01');
    expect(fromJuly).not.toEqual(await f.json<Sim>(...args));
    expect(fromJuly.participantsScenario).toBe(3);
    await ok(f)('enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1355-2024-01-01', '--to', '2024-06-30');
    const split = await f.json<Split>('split', '--service', 'egil', '--year', '2024');
    expect(Object.fromEntries(fromJuly.rows.map((r) => [r.key, r.scenario]))).toEqual(Object.fromEntries(split.participants.map((p) => [p.key, p.total])));
  });

  test('given Göteborg\'s enrolment ended 2024-06-30, when it is removed from 2024-09-01, then it is refused in one line: it has left by then', async () => {
    const f = await billingFixture();
    await ok(f)('enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1355-2024-01-01', '--to', '2024-06-30');
    const r = await f.run('simulate', '--service', 'egil', '--year', '2024', '--remove', '1480', '--from', '2024-09-01');
    expect(r).toEqual({ code: 2, out: '', err: 'samkost: simulate: "1480" deltar inte i tjänsten från 2024-09-01: dess anslutning upphör redan 2024-06-30\n' });
  });
});

describe('simulate --organisation under a rule that shares by inhabitants is refused up front, in words', () => {
  test.each([['per-capita', {}], ['base-plus-per-capita', { base: '1000.00' }]])('given a %s service, when an organisation is added or swept, then it is refused, pointing to --population, and no internal id is named', async (kind, extra) => {
    const f = await billingFixture();
    await establishService(f, { serviceId: 'pc', name: 'PC', area: 'IT', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2023-01-01', pricing: { kind, ...extra } });
    await ok(f)('budget', 'decide', '--service', 'pc', '--year', '2024', '--line', 'Drift=100000.00', '--decided-on', '2023-11-20', '--minutes', 'R');
    const refusal = { code: 2, out: '', err: 'samkost: --organisation: tjänsten fördelar per invånare, och en organisation har ingen folkmängd att fördela efter; ange en tänkt kommuns folkmängd med --population N\n' };
    expect(await f.run('simulate', '--service', 'pc', '--year', '2024', '--add', '1', '--organisation')).toEqual(refusal);
    expect(await f.run('simulate', '--service', 'pc', '--year', '2024', '--sweep', '0..2', '--organisation')).toEqual(refusal);
  });

  test('given egil, weighted with a band for organisations, when an organisation is added, then it is added as before', async () => {
    const f = await billingFixture();
    const sim = await f.json<{ rows: { key: string; name: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--organisation');
    expect(sim.rows.find((r) => r.key === '~hyp-0001')?.name).toBe('Ny organisation #1');
  });
});

describe('simulate --population takes spaces between groups of three digits, as amounts do', () => {
  const args = ['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population'];

  test.each(['15 000', '15\u00a0000', '15\u202f000'])('given egil, when a municipality of "%s" is added, then it is the scenario of --population 15000', async (written) => {
    const f = await billingFixture();
    expect(await f.json(...args, written)).toEqual(await f.json(...args, '15000'));
  });

  test.each(['1 5000', '15,000', '15.000', '15 000,5', '-5', ' '])('given "%s", which is not a whole number grouped by threes, then it is refused in one line', async (written) => {
    const f = await billingFixture();
    expect(await f.run(...args, written)).toEqual({ code: 2, out: '', err: `samkost: --population ska vara ett heltal, som 15000 eller "15 000", inte "${written}"\n` });
  });

  test('given "0 000", then it is refused as a municipality of no inhabitants', async () => {
    const f = await billingFixture();
    expect((await f.run(...args, '0 000')).err).toBe('samkost: --population 0 000: en kommun har invånare; ange en folkmängd på minst 1 (tänkta organisationer, som saknar folkmängd, anges med --organisation utan --population)\n');
  });
});

describe('simulate --sweep --from: the swept members count from that day, as --add\'s do', () => {
  test('given an equal split with Malmö alone from 2024-04-15, when 0..2 are swept from 2024-02-01, then each point is what --add N --from 2024-02-01 gives, January left unallocated', async () => {
    const f = await withEqualSplit('120000.00', '1280', '2024-04-15');
    const base = ['simulate', '--service', 'eq', '--year', '2024', '--population', '15000'];
    type Curve = { points: { added: number; participants: number; averagePerMember: string; cost: string; unallocated: string }[] };
    const curve = await f.json<Curve>(...base, '--sweep', '0..2', '--from', '2024-02-01');
    for (const n of [1, 2]) {
      const sim = await f.json<{ averageScenario: string; participantsScenario: number; unallocatedScenario: string }>(...base, '--add', String(n), '--from', '2024-02-01');
      expect(curve.points[n]).toMatchObject({ added: n, participants: sim.participantsScenario, averagePerMember: sim.averageScenario, cost: '120000.00', unallocated: sim.unallocatedScenario });
    }
    expect(curve.points.map((p) => p.unallocated)).toEqual(['30000.00', '10000.00', '10000.00']);
    expect((await ok(f)(...base, '--sweep', '0..2', '--from', '2024-02-01')).out.split('\n')[0]).toBe('Snittkostnad per deltagare i Lika 2024 när 0..2 nya medlemmar (15 000 invånare) ansluter från 2024-02-01:');
  });

  test('given the same, then beside the average over everyone (which no one pays) each point gives what Malmö pays and what one added member pays, as --add shows them', async () => {
    const f = await withEqualSplit('120000.00', '1280', '2024-04-15');
    const base = ['simulate', '--service', 'eq', '--year', '2024', '--population', '15000'];
    type Curve = { points: { averagePerMember: string; averageExisting: string; perAdded: string }[] };
    const curve = await f.json<Curve>(...base, '--sweep', '0..2', '--from', '2024-02-01');
    // Two added from February: 10 000 a month; February and March theirs alone (5 000 each), April–December shared by three.
    expect(curve.points.map((p) => [p.averageExisting, p.perAdded])).toEqual([['90000.00', '0.00'], ['45000.00', '65000.00'], ['30000.00', '40000.00']]);
    const two = await f.json<{ rows: { key: string; scenario: string }[] }>(...base, '--add', '2', '--from', '2024-02-01');
    expect(two.rows.map((r) => r.scenario)).toEqual(['30000.00', '40000.00', '40000.00']);
    const text = (await ok(f)(...base, '--sweep', '0..2', '--from', '2024-02-01')).out;
    expect(text).toMatch(/\n {3}2 nya +3 deltagare +36 666,67 kr {2}befintliga i snitt +30 000,00 kr {2}ny betalar +40 000,00 kr/);
    expect(text).toContain('\nSnittet är över alla deltagare; de nya betalar bara för månaderna från 2024-02-01.');
  });
});
