import Decimal from 'decimal.js';

/** One party's claim on a total; the share is proportional to `weight` (>= 0). */
export interface Claim {
  key: string;
  weight: Decimal;
}

export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

/*
 * Only exact operations are used below (plus, times, minus, integer division), so the precision is not a
 * rounding step but a ceiling every intermediate must fit under. 1000 digits covers any real weight; cost
 * follows the actual digits, not this ceiling. A local clone keeps the global Decimal config untouched.
 */
const X = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_DOWN });

// Code-unit order, not localeCompare: tie-breaking must not depend on the machine's locale.
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Splits `total` (whole öre) in proportion to the weights. Each share is the exact share rounded down to
 * öre; the öre left over go one each to the largest remainders, ties by key ascending. The shares carry
 * the sign of the total and sum exactly to it. The Map iterates in the order of `claims`.
 */
export function allocate(total: Decimal, claims: readonly Claim[]): Map<string, Decimal> {
  if (!total.isFinite()) throw new AllocationError(`total ${total.toString()} is not a finite amount`);
  const totalOre = new X(total).times(100);
  if (!totalOre.isInteger()) throw new AllocationError(`total ${total.toString()} is not a whole number of öre`);

  const seen = new Set<string>();
  for (const c of claims) {
    if (seen.has(c.key)) throw new AllocationError(`duplicate claim key "${c.key}"`);
    seen.add(c.key);
    if (!c.weight.isFinite()) throw new AllocationError(`weight of "${c.key}" is not a finite number`);
    if (c.weight.isNeg() && !c.weight.isZero()) throw new AllocationError(`weight of "${c.key}" is negative (${c.weight.toString()})`);
  }

  if (totalOre.isZero()) return new Map(claims.map((c) => [c.key, new Decimal(0)]));
  if (claims.length === 0) throw new AllocationError(`no claims to allocate ${total.toFixed(2)} to`);
  const weights = claims.map((c) => new X(c.weight));
  const weightSum = weights.reduce((a, b) => a.plus(b), new X(0));
  if (weightSum.isZero()) throw new AllocationError(`all weights are zero; cannot allocate ${total.toFixed(2)}`);

  // Work on |total| in öre so "round down" is plain truncation; the sign is put back at the end.
  const ore = totalOre.abs();
  const products = weights.map((w) => ore.times(w)); // exact share in öre = product / weightSum
  const floors = products.map((p) => p.dividedToIntegerBy(weightSum));
  // Remainders over the common denominator weightSum: comparing them compares the fractional öre exactly.
  const remainders = products.map((p, i) => p.minus(floors[i].times(weightSum)));
  let leftover = ore.minus(floors.reduce((a, b) => a.plus(b), new X(0))).toNumber(); // < claims.length

  const order = claims.map((_, i) => i).sort((a, b) => remainders[b].comparedTo(remainders[a]) || byKey(claims[a].key, claims[b].key));
  const extra = new Array<number>(claims.length).fill(0);
  for (const i of order) {
    if (leftover === 0) break;
    extra[i] = 1;
    leftover -= 1;
  }

  const negative = total.isNeg();
  const result = new Map<string, Decimal>();
  claims.forEach((c, i) => {
    const share = floors[i].plus(extra[i]).dividedBy(100);
    // Negate only non-zero shares: decimal.js has a -0 that would print and compare as negative.
    result.set(c.key, new Decimal(negative && !share.isZero() ? share.neg() : share));
  });
  return result;
}

/** Splits `total` into equal parts; the odd öre go to the keys first in ascending order. */
export function splitEvenly(total: Decimal, keys: readonly string[]): Map<string, Decimal> {
  return allocate(
    total,
    keys.map((key) => ({ key, weight: new Decimal(1) })),
  );
}
