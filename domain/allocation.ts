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
 * Checking that the total is whole öre multiplies by 100 exactly: the precision is a ceiling, not a rounding
 * step. A local clone keeps the global Decimal config untouched. The split itself is done in BigInt.
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
  // Exact integer arithmetic: every weight times 10^places (places = the most decimals of any weight) is a
  // whole number, and scaling all weights by one factor changes neither the shares nor the order of the
  // remainders. BigInt keeps it exact at any size, and is far cheaper than Decimal for the same steps.
  const places = claims.reduce((p, c) => Math.max(p, c.weight.decimalPlaces()), 0);
  const weights = claims.map((c) => BigInt(c.weight.toFixed(places).replace('.', '')));
  const weightSum = weights.reduce((a, b) => a + b, 0n);
  if (weightSum === 0n) throw new AllocationError(`all weights are zero; cannot allocate ${total.toFixed(2)}`);

  // Work on |total| in öre so "round down" is plain truncation; the sign is put back at the end.
  const ore = BigInt(totalOre.abs().toFixed(0));
  const products = weights.map((w) => ore * w); // exact share in öre = product / weightSum
  const floors = products.map((p) => p / weightSum);
  // Remainders over the common denominator weightSum: comparing them compares the fractional öre exactly.
  const remainders = products.map((p, i) => p - floors[i] * weightSum);
  let leftover = Number(ore - floors.reduce((a, b) => a + b, 0n)); // < claims.length

  const order = claims.map((_, i) => i).sort((a, b) => byRemainder(remainders[a], remainders[b]) || byKey(claims[a].key, claims[b].key));
  const extra = new Array<number>(claims.length).fill(0);
  for (const i of order) {
    if (leftover === 0) break;
    extra[i] = 1;
    leftover -= 1;
  }

  // Negate only non-zero shares: decimal.js has a -0 that would print and compare as negative. Equal shares
  // are one (immutable) Decimal: an equal split of 290 parts makes two, not 290.
  const sign = total.isNeg() ? '-' : '';
  const made = new Map<bigint, Decimal>();
  const result = new Map<string, Decimal>();
  claims.forEach((c, i) => {
    const share = floors[i] + BigInt(extra[i]);
    let amount = made.get(share);
    if (amount === undefined) {
      amount = share === 0n ? new Decimal(0) : new Decimal(`${sign}${oreString(share)}`);
      made.set(share, amount);
    }
    result.set(c.key, amount);
  });
  return result;
}

/** Larger remainder first. */
const byRemainder = (a: bigint, b: bigint): number => (b > a ? 1 : b < a ? -1 : 0);

/** Whole öre as kronor: 12345n → "123.45", 5n → "0.05". */
function oreString(ore: bigint): string {
  const s = ore.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** Splits `total` into equal parts; the odd öre go to the keys first in ascending order. */
export function splitEvenly(total: Decimal, keys: readonly string[]): Map<string, Decimal> {
  return allocate(
    total,
    keys.map((key) => ({ key, weight: new Decimal(1) })),
  );
}
