import fc from 'fast-check';
import type { DomainEvent } from '../../domain/events';
import { pairByKey, simulate } from '../../projections/simulate';
import { stateOf } from '../support/spec';

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
