import fc from 'fast-check';
import { pairByKey } from '../../projections/simulate';

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
