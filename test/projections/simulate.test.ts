import type Decimal from 'decimal.js';
import fc from 'fast-check';
import type { DomainEvent } from '../../domain/events';
import { pairByKey, simulate } from '../../projections/simulate';
import { stateOf } from '../support/spec';
import { type Command, parseCommand } from '../../domain/commands';
import { decide } from '../../domain/decide';
import { sharesByInhabitants } from '../../domain/pricing';
import { dayBefore } from '../../domain/proration';
import { RULES_VERSION } from '../../domain/rules';
import type { State } from '../../domain/state';
import { splitForYear } from '../../projections/splits';
import { DEFAULT_CONFIG, vatRatesOf } from '../../src/config';

/** The definition: every key of a in a's order, then b's others in b's order, each with its index in either. */
function reference(a: readonly { key: string }[], b: readonly { key: string }[]): [number | undefined, number | undefined][] {
  const inA = new Map(a.map((p, i) => [p.key, i]));
  const inB = new Map(b.map((p, j) => [p.key, j]));
  return [...new Set([...inA.keys(), ...inB.keys()])].map((key) => [inA.get(key), inB.get(key)]);
}

function rowsOf(a: readonly { key: string }[], b: readonly { key: string }[]): [number | undefined, number | undefined][] {
  const { scenarioOf, added } = pairByKey(a, b);
  return [...Array.from(scenarioOf, (j, i): [number, number | undefined] => [i, j < 0 ? undefined : j]), ...added.map((j): [undefined, number] => [undefined, j])];
}

const keysArb = fc.uniqueArray(fc.stringMatching(/^[a-z~0-9-]{1,4}$/), { maxLength: 40 });

describe('pairByKey — a simulation\'s rows, now and in the scenario', () => {
  test('given two lists of distinct keys, sorted or not, then the pairs are those of the union of their keys', () => {
    fc.assert(
      fc.property(keysArb, keysArb, fc.boolean(), fc.boolean(), (ka, kb, sortA, sortB) => {
        const a = (sortA ? [...ka].sort() : ka).map((key) => ({ key }));
        const b = (sortB ? [...kb].sort() : kb).map((key) => ({ key }));
        expect(rowsOf(a, b)).toEqual(reference(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  test('given a scenario that removes one participant and adds two, then the removed has no scenario index and the added come last', () => {
    const now = ['e-1', 'e-2', 'e-3'].map((key) => ({ key }));
    const scenario = ['e-1', 'e-3', '~hyp-0001', '~kommun-0582'].map((key) => ({ key }));
    expect(rowsOf(now, scenario)).toEqual([[0, 0], [1, undefined], [2, 1], [undefined, 2], [undefined, 3]]);
  });
});

describe('simulate --kommun under a per-capita rule: a municipality a federation is enrolled for is already counted', () => {
  const events: DomainEvent[] = [
    { type: 'PopulationRecorded', data: { year: 2023, referenceDate: '2023-12-31', source: 'SCB', rows: [['0604', 30000], ['0686', 17000], ['0682', 16000]].map(([code, population]) => ({ code: String(code), name: String(code), population: Number(population) })) } },
    { type: 'MemberJoined', data: { member: '222000-1230', kind: 'federation', name: 'Höglandets kommunalförbund', covers: ['0604', '0686'], date: '2020-01-01', decisionRef: 'S', rejoin: false } },
    { type: 'CouncilBudgetDecided', data: { serviceId: 'uka', year: 2024, lines: [{ text: 'Drift', amount: '100000.00' }], decidedOn: '2023-11-20', minutesRef: 'R' } },
    { type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: 'hog-2024', member: '222000-1230', from: '2024-01-01' } },
  ];
  const established = (pricing: Record<string, unknown>): DomainEvent => ({
    type: 'ServiceEstablished', data: { serviceId: 'uka', name: 'UKA', area: 'x', pricing, overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2020-01-01' } as never,
  });
  const stateFor = (pricing: Record<string, unknown>) => stateOf([established(pricing), ...events]);

  test('given Höglandet enrolled for 0604 and 0686 in a per-capita service, when 0686 is added, then it is refused; 0682, then it is added', () => {
    expect(() => simulate(stateFor({ kind: 'per-capita' }), 'uka', 2024, 'budget', { kommuner: ['0686'] }))
      .toThrow('simulate: kommunkod 0686 deltar redan i tjänsten 2024 (Höglandets kommunalförbund');
    expect(simulate(stateFor({ kind: 'per-capita' }), 'uka', 2024, 'budget', { kommuner: ['0682'] }).participantsScenario).toBe(2);
  });

  test('given Höglandet\'s enrolment ended 2024-06-30, when 0686 is added from 2024-07-01, then it is added: the two never count at once', () => {
    const ended: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: 'hog-2024', to: '2024-06-30' } };
    const state = stateOf([established({ kind: 'per-capita' }), ...events, ended]);
    expect(simulate(state, 'uka', 2024, 'budget', { kommuner: ['0686'], from: '2024-07-01' }).participantsScenario).toBe(2);
    expect(() => simulate(state, 'uka', 2024, 'budget', { kommuner: ['0686'], from: '2024-06-01' })).toThrow('simulate: kommunkod 0686 deltar redan');
  });

  test('given the same under an equal split, when 0686 is added, then it is a participant of its own, as enrolment.start allows', () => {
    expect(simulate(stateFor({ kind: 'equal' }), 'uka', 2024, 'budget', { kommuner: ['0686'] }).participantsScenario).toBe(2);
  });
});

/**
 * `simulate --kommun` shows what a real enrolment of the municipality would give, so it refuses exactly what
 * enrolment.start refuses: the municipality's own enrolment, and, only under a rule that shares by
 * inhabitants, a federation's enrolment that counts its inhabitants already. A weighted or equal split counts
 * participants, so there the federation and its municipality may each take part.
 */
describe('simulate --kommun beside a federation enrolled with --covers: as enrolment.start allows, under every rule', () => {
  const dalsland = '222000-9001';
  const bengtsfors = '212000-0621';
  const events: DomainEvent[] = [
    { type: 'PopulationRecorded', data: { year: 2023, referenceDate: '2023-12-31', source: 'SCB', rows: [{ code: '1460', name: 'Bengtsfors', population: 9138 }, { code: '1461', name: 'Mellerud', population: 9165 }] } },
    { type: 'MemberJoined', data: { member: dalsland, kind: 'federation', name: 'Dalslandsförbundet', covers: ['1460', '1461'], date: '2020-01-01', decisionRef: 'S', rejoin: false } },
    { type: 'MemberJoined', data: { member: bengtsfors, kind: 'municipality', name: 'Bengtsfors kommun', kommunkod: '1460', date: '2020-01-01', decisionRef: 'S', rejoin: false } },
    { type: 'CouncilBudgetDecided', data: { serviceId: 'tw', year: 2024, lines: [{ text: 'Drift', amount: '1000000.00' }], decidedOn: '2023-11-15', minutesRef: 'R' } },
    { type: 'EnrolmentStarted', data: { serviceId: 'tw', enrolmentId: 'dal-2024', member: dalsland, from: '2024-01-01', covers: ['1460', '1461'] } },
  ];
  const rules: Record<string, Record<string, unknown>> = {
    'tier-weighted': { kind: 'tier-weighted', bands: [{ id: 'lt10000', label: '< 10 000', max: 9999, weight: '1' }, { id: 'gte10000', label: '≥ 10 000', min: 10000, weight: '2' }] },
    equal: { kind: 'equal' },
    'per-capita': { kind: 'per-capita' },
    'base-plus-per-capita': { kind: 'base-plus-per-capita', base: '1000.00' },
  };
  const established = (pricing: Record<string, unknown>): DomainEvent => ({
    type: 'ServiceEstablished', data: { serviceId: 'tw', name: 'Viktad', area: 'x', pricing, overheadRate: '0.05', cadence: 'quarterly', decisionRef: 'S', date: '2020-01-01' } as never,
  });
  const enrolBengtsfors = { type: 'enrolment.start', serviceId: 'tw', member: '1460', from: '2024-01-01' };
  const enrols = (state: State): boolean => {
    try {
      decide(parseCommand(enrolBengtsfors) as Command, state, { today: '2024-06-01', vatRates: vatRatesOf(DEFAULT_CONFIG) });
      return true;
    } catch {
      return false;
    }
  };

  test.each(Object.keys(rules))('given Dalslandsförbundet enrolled for 1460 and 1461 under %s, when 1460 is simulated, then it is refused exactly when enrolment.start refuses Bengtsfors', (kind) => {
    const state = stateOf([established(rules[kind]), ...events]);
    const simulated = () => simulate(state, 'tw', 2024, 'budget', { kommuner: ['1460'] });
    expect(enrols(state)).toBe(!sharesByInhabitants(kind));
    if (enrols(state)) expect(simulated().participantsScenario).toBe(2);
    else expect(simulated).toThrow('simulate: kommunkod 1460 deltar redan i tjänsten 2024 (Dalslandsförbundet (2 kommuner))');
  });

  test('given the tier-weighted service, when 1460 is simulated, then each pays to the öre what the split gives once Bengtsfors is really enrolled', () => {
    const state = stateOf([established(rules['tier-weighted']), ...events]);
    const sim = simulate(state, 'tw', 2024, 'budget', { kommuner: ['1460'] });
    const enrolled = stateOf([established(rules['tier-weighted']), ...events, { type: 'EnrolmentStarted', data: { serviceId: 'tw', enrolmentId: 'ben-2024', member: bengtsfors, from: '2024-01-01' } }]);
    const real = splitForYear(enrolled, 'tw', 2024, 'budget', RULES_VERSION);
    const scenario = (key: string) => sim.rows.find((r) => r.key === key)?.scenario?.toFixed(2);
    expect([scenario('dal-2024'), scenario('~kommun-1460')]).toEqual([real.participants.find((p) => p.key === 'dal-2024')?.total.toFixed(2), real.participants.find((p) => p.key === 'ben-2024')?.total.toFixed(2)]);
    expect([scenario('dal-2024'), scenario('~kommun-1460')]).toEqual(['699999.96', '350000.04']);
  });

  test.each(Object.keys(rules))('given Bengtsfors enrolled on its own too under %s, when 1460 is simulated, then it is refused: it takes part already', (kind) => {
    const own: DomainEvent = { type: 'EnrolmentStarted', data: { serviceId: 'tw', enrolmentId: 'ben-2024', member: bengtsfors, from: '2024-01-01' } };
    const state = stateOf([established(rules[kind]), ...events.slice(0, -1), own]);
    expect(enrols(state)).toBe(false);
    expect(() => simulate(state, 'tw', 2024, 'budget', { kommuner: ['1460'] })).toThrow('simulate: kommunkod 1460 deltar redan i tjänsten 2024 (Bengtsfors kommun)');
  });

  test('given Bengtsfors\'s own enrolment ended 2024-06-30, when 1460 is simulated from 2024-07-01, then it is added, as enrolment.start takes it from then', () => {
    const own: DomainEvent[] = [
      { type: 'EnrolmentStarted', data: { serviceId: 'tw', enrolmentId: 'ben-2024', member: bengtsfors, from: '2024-01-01' } },
      { type: 'EnrolmentEnded', data: { serviceId: 'tw', enrolmentId: 'ben-2024', to: '2024-06-30' } },
    ];
    const state = stateOf([established(rules['per-capita']), ...events.slice(0, -1), ...own]);
    const later = { ...enrolBengtsfors, from: '2024-07-01' };
    expect(() => decide(parseCommand(later) as Command, state, { today: '2024-06-01', vatRates: vatRatesOf(DEFAULT_CONFIG) })).not.toThrow();
    expect(simulate(state, 'tw', 2024, 'budget', { kommuner: ['1460'], from: '2024-07-01' }).participantsScenario).toBe(2);
    expect(() => simulate(state, 'tw', 2024, 'budget', { kommuner: ['1460'], from: '2024-06-01' })).toThrow('simulate: kommunkod 1460 deltar redan i tjänsten 2024 (Bengtsfors kommun)');
  });
});

/**
 * `simulate --remove M --from D`: the member leaves the service from D, its enrolment ending the day before,
 * as `enrolment end --to` would record it. Checked against the split after that real end, to the öre, so
 * that the months counted are the proration's and nothing of its own.
 */
describe('simulate --remove with --from: the member leaves from that day, as a real enrolment end would count it', () => {
  const members: [string, string, string, number][] = [['212000-0142', 'Stockholms stad', '0180', 900000], ['212000-1355', 'Göteborgs Stad', '1480', 60000], ['212000-1124', 'Malmö stad', '1280', 5000]];
  const enrolled = (orgnr: string, from: string): DomainEvent => ({ type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: `${orgnr}-${from}`, member: orgnr, from } });
  const events: DomainEvent[] = [
    { type: 'PopulationRecorded', data: { year: 2023, referenceDate: '2023-12-31', source: 'SCB', rows: members.map(([, name, code, population]) => ({ code, name, population })) } },
    ...members.map(([member, name, kommunkod]): DomainEvent => ({ type: 'MemberJoined', data: { member, kind: 'municipality', name, kommunkod, date: '2020-01-01', decisionRef: 'S', rejoin: false } })),
    { type: 'CouncilBudgetDecided', data: { serviceId: 'uka', year: 2024, lines: [{ text: 'Drift', amount: '1000000.01' }], decidedOn: '2023-11-20', minutesRef: 'R' } },
    enrolled('212000-0142', '2023-03-01'), enrolled('212000-1355', '2024-01-01'), enrolled('212000-1124', '2024-04-15'),
  ];
  const rules: Record<string, unknown>[] = [
    { kind: 'equal' }, { kind: 'per-capita' }, { kind: 'base-plus-per-capita', base: '12000.00' },
    { kind: 'tier-weighted', bands: [{ id: 's', label: 's', max: 9999, weight: '1' }, { id: 'm', label: 'm', min: 10000, max: 100000, weight: '2' }, { id: 'l', label: 'l', min: 100001, weight: '4' }] },
    { kind: 'price-list', bands: [{ id: 's', label: 's', max: 99999, price: '22000.00' }, { id: 'l', label: 'l', min: 100000, price: '42000.00' }] },
  ];
  const established = (pricing: Record<string, unknown>): DomainEvent => ({
    type: 'ServiceEstablished', data: { serviceId: 'uka', name: 'UKA', area: 'x', pricing, overheadRate: '0.05', cadence: 'quarterly', decisionRef: 'S', date: '2020-01-01' } as never,
  });
  const totals = (rows: { key: string; total: Decimal | null }[]) => Object.fromEntries(rows.filter((r) => r.total !== null).map((r) => [r.key, r.total?.toFixed(2)]));
  // Each member, each leaving day (mid-month, a month's first, the year's first and last, before Malmö begins), each rule.
  const cases = rules.flatMap((rule) => members.flatMap(([orgnr, , code]) => ['2024-01-01', '2024-03-01', '2024-04-14', '2024-05-15', '2024-07-01', '2024-12-31']
    .map((day): [string, string, string, Record<string, unknown>] => [code, day, String(rule.kind), rule]).concat([[orgnr, '2024-10-31', String(rule.kind), rule]])));

  test.each(cases)('given three enrolled, when %s is removed from %s under %s, then each pays what the split gives after its enrolment ends the day before', (who, day, _kind, rule) => {
    const state = stateOf([established(rule), ...events]);
    const sim = simulate(state, 'uka', 2024, 'budget', { remove: [who], from: day });
    // The end enrolment.end records: the day before, or, for an enrolment that begins later, the day before it begins.
    const orgnr = members.find(([o, , code]) => o === who || code === who)?.[0] as string;
    const e = events.find((x) => x.type === 'EnrolmentStarted' && x.data.member === orgnr) as Extract<DomainEvent, { type: 'EnrolmentStarted' }>;
    const ended: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: e.data.enrolmentId, to: dayBefore(e.data.from > day ? e.data.from : day) } };
    const real = splitForYear(stateOf([established(rule), ...events, ended]), 'uka', 2024, 'budget', RULES_VERSION);
    expect(totals(sim.rows.map((r) => ({ key: r.key, total: r.scenario })))).toEqual(totals(real.participants));
    expect([sim.scenario.cost.toFixed(2), sim.scenario.unallocated.toFixed(2), sim.participantsScenario]).toEqual([real.cost.toFixed(2), real.unallocated.toFixed(2), real.participants.length]);
  });

  test('given Malmö from 2024-04-15, when it is removed from 2024-03-01, then it is withdrawn: no participant of the scenario, as after enrolment end --to 2024-04-14, and as when removed for the whole year', () => {
    const state = stateOf([established({ kind: 'equal' }), ...events]);
    const sim = simulate(state, 'uka', 2024, 'budget', { remove: ['1280'], from: '2024-03-01' });
    const whole = simulate(state, 'uka', 2024, 'budget', { remove: ['1280'] });
    const malmo = (s: typeof sim) => s.rows.find((r) => r.key === '212000-1124-2024-04-15');
    expect(malmo(sim)?.scenario).toBe(malmo(whole)?.scenario);
    expect(sim.participantsScenario).toBe(whole.participantsScenario);
  });

  test('given Göteborg\'s enrolment ended 2024-06-30, when it is removed from 2024-07-01 or later, then it is refused: it has left by then, and the scenario would change nothing', () => {
    const ended: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1355-2024-01-01', to: '2024-06-30' } };
    const state = stateOf([established({ kind: 'equal' }), ...events, ended]);
    expect(() => simulate(state, 'uka', 2024, 'budget', { remove: ['1480'], from: '2024-07-01' })).toThrow('simulate: "1480" deltar inte i tjänsten från 2024-07-01: dess anslutning upphör redan 2024-06-30');
    expect(simulate(state, 'uka', 2024, 'budget', { remove: ['1480'], from: '2024-06-30' }).rows.find((r) => r.key === '212000-1355-2024-01-01')?.scenario).not.toBeNull();
  });

  test('given a removal from a day outside the year, then it is refused, saying the day is not in the year', () => {
    const state = stateOf([established({ kind: 'equal' }), ...events]);
    expect(() => simulate(state, 'uka', 2024, 'budget', { remove: ['1480'], from: '2025-01-01' })).toThrow('simulate: de borttagna lämnar tjänsten från 2025-01-01, som inte ligger i 2024');
  });

  test('given no --from, then the removed takes no part in the year, as before', () => {
    const sim = simulate(stateOf([established({ kind: 'equal' }), ...events]), 'uka', 2024, 'budget', { remove: ['1480'] });
    expect(sim.rows.find((r) => r.key === '212000-1355-2024-01-01')?.scenario).toBeNull();
    expect(sim.participantsScenario).toBe(2);
  });
});
