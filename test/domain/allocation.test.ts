import fc from 'fast-check';
import Decimal from 'decimal.js';
import { allocate, AllocationError, Claim, splitEvenly } from '../../domain/allocation';
import { sum } from '../../domain/money';

const d = (s: string | number): Decimal => new Decimal(s);
const claims = (...pairs: [string, string | number][]): Claim[] => pairs.map(([key, w]) => ({ key, weight: d(w) }));
const asStrings = (m: Map<string, Decimal>): [string, string][] => [...m].map(([k, v]) => [k, v.toFixed(2)]);

// The reference for "exact share": a separate high-precision clone, independent of the code under test.
const Exact = Decimal.clone({ precision: 60 });

describe('allocate — examples', () => {
  test('given 100.00 over three equal claims, when allocated, then the odd öre goes to the first key in order', () => {
    const result = allocate(d('100.00'), claims(['c', 1], ['a', 1], ['b', 1]));
    expect(asStrings(result)).toEqual([
      ['c', '33.33'],
      ['a', '33.34'],
      ['b', '33.33'],
    ]);
  });

  test('given 1 260 000.00 tier-weighted 1/2/4, when allocated, then the shares are exact', () => {
    const result = allocate(d('1260000.00'), claims(['small', 1], ['mid', 2], ['large', 4]));
    expect(asStrings(result)).toEqual([
      ['small', '180000.00'],
      ['mid', '360000.00'],
      ['large', '720000.00'],
    ]);
  });

  test('given unequal remainders, when allocated, then the leftover öre go to the largest remainders', () => {
    // 0.10 by 1/2/3/4: exact 0.01, 0.02, 0.03, 0.04 — no leftover.
    expect(asStrings(allocate(d('0.10'), claims(['a', 1], ['b', 2], ['c', 3], ['d', 4])))).toEqual([
      ['a', '0.01'],
      ['b', '0.02'],
      ['c', '0.03'],
      ['d', '0.04'],
    ]);
    // 0.04 by 1/1/3: exact 0.8, 0.8, 2.4 öre → floors 0, 0, 2; the two leftover öre go to the .8 remainders.
    expect(asStrings(allocate(d('0.04'), claims(['b', 1], ['a', 1], ['c', 3])))).toEqual([
      ['b', '0.01'],
      ['a', '0.01'],
      ['c', '0.02'],
    ]);
  });

  test('given decimal weights, when allocated, then they count like any other weight', () => {
    expect(asStrings(allocate(d('10.00'), claims(['a', '0.5'], ['b', '1.5'])))).toEqual([
      ['a', '2.50'],
      ['b', '7.50'],
    ]);
  });

  test('given a zero weight among others, when allocated, then it gets nothing', () => {
    expect(asStrings(allocate(d('1.00'), claims(['a', 0], ['b', 1], ['c', 1], ['d', 1])))).toEqual([
      ['a', '0.00'],
      ['b', '0.34'],
      ['c', '0.33'],
      ['d', '0.33'],
    ]);
  });

  test('given splitEvenly, when 0.02 is split four ways, then the first two keys in ascending order get an öre', () => {
    expect(asStrings(splitEvenly(d('0.02'), ['z', 'b', 'a', 'y']))).toEqual([
      ['z', '0.00'],
      ['b', '0.01'],
      ['a', '0.01'],
      ['y', '0.00'],
    ]);
  });
});

describe('allocate — negative and zero totals', () => {
  test('given -100.00 over three equal claims, when allocated, then every share is negative and the extra öre mirrors the positive case', () => {
    expect(asStrings(allocate(d('-100.00'), claims(['c', 1], ['a', 1], ['b', 1])))).toEqual([
      ['c', '-33.33'],
      ['a', '-33.34'],
      ['b', '-33.33'],
    ]);
  });

  test('given a negative total smaller than the claims, when allocated, then the zero shares are plain zero, not -0', () => {
    const result = allocate(d('-0.01'), claims(['a', 1], ['b', 1]));
    expect(result.get('a')?.toFixed(2)).toBe('-0.01');
    expect(result.get('b')?.isZero()).toBe(true);
    expect(result.get('b')?.isNeg()).toBe(false);
  });

  test('given a zero total, when allocated, then all shares are zero — even with no weight or no claims', () => {
    expect(asStrings(allocate(d(0), claims(['a', 0], ['b', 0])))).toEqual([
      ['a', '0.00'],
      ['b', '0.00'],
    ]);
    expect(allocate(d(0), []).size).toBe(0);
  });
});

describe('allocate — errors', () => {
  test.each([
    ['a total with fractions of öre', () => allocate(d('1.005'), claims(['a', 1])), /whole number of öre/],
    ['no claims for a non-zero total', () => allocate(d('1.00'), []), /no claims/],
    ['a negative weight', () => allocate(d('1.00'), claims(['a', 1], ['b', -1])), /weight of "b" is negative/],
    ['all weights zero', () => allocate(d('1.00'), claims(['a', 0], ['b', 0])), /all weights are zero/],
    ['duplicate keys', () => allocate(d('1.00'), claims(['a', 1], ['a', 2])), /duplicate claim key "a"/],
    ['a NaN weight', () => allocate(d('1.00'), [{ key: 'a', weight: d(NaN) }]), /not a finite number/],
  ])('given %s, when allocated, then AllocationError names the problem', (_name, run, message) => {
    expect(run).toThrow(AllocationError);
    expect(run).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

const totalArb = fc.bigInt({ min: -(10n ** 11n), max: 10n ** 11n }).map((ore) => new Decimal(ore.toString()).dividedBy(100));

const weightArb: fc.Arbitrary<Decimal> = fc.oneof(
  fc.constant(new Decimal(0)),
  fc.integer({ min: 0, max: 5 }).map((n) => new Decimal(n)),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Decimal(n)),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 10 })).map(([n, scale]) => new Decimal(n.toString()).dividedBy(new Decimal(10).pow(scale))),
);

const claimsArb = fc
  .uniqueArray(fc.record({ key: fc.string({ maxLength: 6 }), weight: weightArb }), { minLength: 1, maxLength: 40, selector: (c) => c.key })
  .filter((cs) => cs.some((c) => !c.weight.isZero()));

const exactShares = (total: Decimal, cs: readonly Claim[]): Decimal[] => {
  const weightSum = cs.reduce((a, c) => a.plus(c.weight), new Exact(0));
  return cs.map((c) => new Exact(total).times(c.weight).dividedBy(weightSum));
};

describe('allocate — properties', () => {
  test('given any whole-öre total and non-negative weights, when allocated, then the split is exact, signed, in öre and close to the exact share', () => {
    fc.assert(
      fc.property(totalArb, claimsArb, (total, cs) => {
        const result = allocate(total, cs);
        const shares = cs.map((c) => result.get(c.key) as Decimal);
        const exact = exactShares(total, cs);

        expect([...result.keys()]).toEqual(cs.map((c) => c.key));
        expect(sum(shares).equals(total)).toBe(true);
        // Plain booleans in the loops: 10 000 runs × 40 claims of expect() calls would dominate the run time.
        const bad = shares.findIndex(
          (s, i) =>
            s.decimalPlaces() > 2 ||
            (s.isZero() ? s.isNeg() /* -0 */ : s.isNeg() !== total.isNeg()) ||
            !new Exact(s).minus(exact[i]).abs().lessThan('0.01'),
        );
        expect(bad === -1 ? null : { key: cs[bad].key, share: shares[bad].toString(), exact: exact[bad].toString() }).toBeNull();
        // Equal weights mean equal treatment, up to the one odd öre.
        const byWeight = new Map<string, Decimal[]>();
        cs.forEach((c, i) => byWeight.set(c.weight.toString(), [...(byWeight.get(c.weight.toString()) ?? []), shares[i]]));
        for (const group of byWeight.values()) {
          const sorted = [...group].sort((a, b) => a.comparedTo(b));
          expect(sorted[sorted.length - 1].minus(sorted[0]).lessThanOrEqualTo('0.01')).toBe(true);
        }
      }),
      { numRuns: 10000 },
    );
  });

  test('given any split, when an öre is handed out above the rounded-down share, then no claim left without one has a larger remainder (ties: smaller key first)', () => {
    fc.assert(
      fc.property(totalArb, claimsArb, (total, cs) => {
        const result = allocate(total, cs);
        // Remainders as exact integers over the common denominator Σw (a rounded quotient could split a tie).
        const weightSum = cs.reduce((a, c) => a.plus(c.weight), new Exact(0));
        const info = cs.map((c) => {
          const numerator = new Exact(total).abs().times(100).times(c.weight);
          const floor = numerator.dividedToIntegerBy(weightSum);
          const remainder = numerator.minus(floor.times(weightSum));
          return { key: c.key, remainder, extra: (result.get(c.key) as Decimal).abs().times(100).minus(floor).toNumber() };
        });
        for (const got of info.filter((x) => x.extra === 1))
          for (const missed of info.filter((x) => x.extra === 0)) {
            expect(got.remainder.greaterThanOrEqualTo(missed.remainder)).toBe(true);
            if (got.remainder.equals(missed.remainder)) expect(got.key < missed.key).toBe(true);
          }
        expect(info.every((x) => x.extra === 0 || x.extra === 1)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('given any total and keys, when split evenly, then shares differ by at most one öre and sum exactly', () => {
    fc.assert(
      fc.property(totalArb, fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 40 }), (total, keys) => {
        const shares = [...splitEvenly(total, keys).values()];
        expect(sum(shares).equals(total)).toBe(true);
        const sorted = [...shares].sort((a, b) => a.comparedTo(b));
        expect(sorted[sorted.length - 1].minus(sorted[0]).lessThanOrEqualTo('0.01')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
