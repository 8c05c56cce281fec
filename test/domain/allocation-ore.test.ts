import fc from 'fast-check';
import Decimal from 'decimal.js';
import { allocate, allocateOre, keyRanks, type Turn } from '../../domain/allocation';
import { toOre } from '../../domain/ore';

/** allocate() over the claims `items` of (keys, weights), as öre in the order of items. */
const reference = (totalOre: number, keys: readonly string[], weights: readonly number[], items: readonly number[], turn?: Turn): number[] => {
  const result = allocate(
    new Decimal(totalOre).div(100),
    items.map((i) => ({ key: keys[i], weight: new Decimal(weights[i]) })),
    turn,
  );
  return items.map((i) => toOre(result.get(keys[i]) as Decimal) as number);
};

const weightArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 2 ** 40 }));

const caseArb = fc
  .uniqueArray(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 60 })
  .chain((keys) =>
    fc.record({
      keys: fc.constant(keys),
      weights: fc.array(weightArb, { minLength: keys.length, maxLength: keys.length }),
      // A month's claims: any subset of the participants, in any order.
      items: fc.shuffledSubarray(keys.map((_, i) => i)),
      totalOre: fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: -(10 ** 11), max: 10 ** 11 }), fc.constant(0)),
      // Rules 7 turns the tie order by month (allocation.ts#turnOffset), rules 11 within the tied group; before them, none.
      turn: fc.option(fc.record({ month: fc.integer({ min: 1, max: 12 }), group: fc.boolean() }).map(({ month, group }): Turn => (group ? { month, group: true } : { month })), { nil: undefined }),
    }),
  );

describe('allocateOre — the same shares as allocate, in whole öre', () => {
  test('given any total, integer weights and claims in any order, when allocated, then each share equals allocate\'s, or it declines', () => {
    let declined = 0;
    fc.assert(
      fc.property(caseArb, ({ keys, weights, items, totalOre, turn }) => {
        const result = allocateOre(totalOre, weights, keyRanks(keys), items, turn);
        const shares = result && Array.from(result);
        const weightSum = items.reduce((a, i) => a + weights[i], 0);
        if (shares === undefined) {
          declined += 1;
          // Only where allocate refuses (no weight) or a product could pass 2^53.
          const maxWeight = Math.max(0, ...items.map((i) => weights[i]));
          expect(weightSum === 0 || Math.abs(totalOre) * maxWeight + weightSum > Number.MAX_SAFE_INTEGER).toBe(true);
          return;
        }
        expect(shares).toEqual(reference(totalOre, keys, weights, items, turn));
        expect(shares.some((s) => Object.is(s, -0))).toBe(false);
      }),
      { numRuns: 5000 },
    );
    expect(declined).toBeLessThan(2500);
  });

  test('given huge weights and a few öre, when the remainders cannot be ordered as one number, then the shares still equal allocate\'s', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 3 }), { minLength: 2, maxLength: 30 }).chain((keys) =>
          fc.record({
            keys: fc.constant(keys),
            weights: fc.array(fc.integer({ min: 2 ** 46, max: 2 ** 47 }), { minLength: keys.length, maxLength: keys.length }),
            totalOre: fc.integer({ min: -7, max: 7 }),
          }),
        ),
        ({ keys, weights, totalOre }) => {
          const items = keys.map((_, i) => i);
          expect(Array.from(allocateOre(totalOre, weights, keyRanks(keys), items) ?? [])).toEqual(reference(totalOre, keys, weights, items));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('given every claim the same weight, in or out of key order, when allocated, then each share equals allocate\'s', () => {
    fc.assert(
      fc.property(caseArb, weightArb, fc.boolean(), ({ keys, items, totalOre, turn }, weight, sorted) => {
        const weights = keys.map(() => weight);
        const claims = sorted ? [...items].sort((a, b) => (keys[a] < keys[b] ? -1 : 1)) : items;
        const result = allocateOre(totalOre, weights, keyRanks(keys), claims, turn);
        if (result === undefined) {
          expect(weight * claims.length === 0 || Math.abs(totalOre) * weight + weight * claims.length > Number.MAX_SAFE_INTEGER).toBe(true);
          return;
        }
        expect(Array.from(result)).toEqual(reference(totalOre, keys, weights, claims, turn));
        expect(Array.from(result).some((x) => Object.is(x, -0))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  test('given equal weights and claims out of key order, when allocated, then the odd öre still go to the smallest keys', () => {
    const keys = ['d', 'b', 'a', 'c'];
    expect(Array.from(allocateOre(6, [1, 1, 1, 1], keyRanks(keys), [0, 1, 2, 3]) ?? [])).toEqual([1, 2, 2, 1]);
    expect(Array.from(allocateOre(-6, [1, 1, 1, 1], keyRanks(keys), [0, 1, 2, 3]) ?? [])).toEqual([-1, -2, -2, -1]);
  });

  test('given equal weights turned by month (rules 7), then a month\'s odd öre start at (month − 1) × their count, wrapping, in key order', () => {
    const keys = ['d', 'b', 'a', 'c']; // key order: a, b, c, d
    const month = (m: number, ore: number) => Array.from(allocateOre(ore, [1, 1, 1, 1], keyRanks(keys), [0, 1, 2, 3], { month: m }) ?? []);
    // 6 öre: 1 each and 2 odd. Month 1 from a (a, b); month 2 from 2 (c, d); month 3 from 4 ≡ 0 (a, b).
    expect(month(1, 6)).toEqual([1, 2, 2, 1]);
    expect(month(2, 6)).toEqual([2, 1, 1, 2]);
    expect(month(3, 6)).toEqual([1, 2, 2, 1]);
    // Over a year of 1 odd öre a month among the four, each gets three.
    const year = [0, 0, 0, 0];
    for (let m = 1; m <= 12; m++) month(m, 5).forEach((x, i) => { year[i] += x - 1; });
    expect(year).toEqual([3, 3, 3, 3]);
  });

  test('given four members of weight 2 and four of weight 1 sharing 10,07 kr a month, when a year is turned within the tied group (rules 11), then the four of weight 2 are billed alike; turned over all eight (rules 7) they were 8 öre apart', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const weights = [2, 2, 2, 2, 1, 1, 1, 1];
    const yearOf = (turn: (m: number) => Turn) => {
      const year = [0, 0, 0, 0, 0, 0, 0, 0];
      for (let m = 1; m <= 12; m++) {
        const month = allocateOre(1007, weights, keyRanks(keys), [0, 1, 2, 3, 4, 5, 6, 7], turn(m))!;
        expect(Array.from(month).reduce((a, x) => a + x, 0)).toBe(1007);
        month.forEach((x, i) => { year[i] += x; });
      }
      return year;
    };
    const spread = (year: number[], group: number[]) => Math.max(...group.map((i) => year[i])) - Math.min(...group.map((i) => year[i]));
    const grouped = yearOf((month) => ({ month, group: true }));
    expect(spread(grouped, [0, 1, 2, 3])).toBeLessThanOrEqual(1);
    expect(spread(grouped, [4, 5, 6, 7])).toBeLessThanOrEqual(1);
    expect(spread(yearOf((month) => ({ month })), [0, 1, 2, 3])).toBe(8);
  });

  test('given weights summing to zero, when there is money to place, then it declines (allocate reports the error)', () => {
    expect(allocateOre(100, [0, 0], [0, 1], [0, 1])).toBeUndefined();
    expect(Array.from(allocateOre(0, [0, 0], [0, 1], [0, 1]) ?? [])).toEqual([0, 0]);
  });

  test('given a product past 2^53, when allocated, then it declines rather than round', () => {
    expect(allocateOre(2 ** 40, [2 ** 14, 1], [0, 1], [0, 1])).toBeUndefined();
    expect(Array.from(allocateOre(2 ** 30, [2 ** 14, 1], [0, 1], [0, 1]) ?? [])).toEqual(reference(2 ** 30, ['a', 'b'], [2 ** 14, 1], [0, 1]));
  });
});

describe('keyRanks', () => {
  test('given keys, then each rank is its place in code-unit order (not the locale\'s)', () => {
    expect(Array.from(keyRanks(['b', 'a', 'C', 'ä']))).toEqual([2, 1, 0, 3]);
    expect(Array.from(keyRanks(['a', 'b', 'c']))).toEqual([0, 1, 2]);
  });
});
