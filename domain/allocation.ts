import Decimal from 'decimal.js';

/** One party's claim on a total; the share is proportional to `weight` (>= 0). */
export interface Claim {
  key: string;
  weight: Decimal;
  /** What ties among equal remainders are broken by, when not the key (distinct, like the keys). */
  tie?: string;
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
 * Where month `month`'s odd öre start among n claims in tie order (rules 7): k odd öre a month go to
 * positions (month − 1) × k … onwards, wrapping, so that over a year they go round the claims instead of to
 * the same first k every month. With the same k each month, every claim gets them equally often, give or
 * take one; the month alone decides it, so a month is split the same whenever it is split.
 */
export const turnOffset = (month: number, leftover: number, n: number): number => (n === 0 ? 0 : ((month - 1) * leftover) % n);

/**
 * How a month's odd öre are turned among equal remainders: from rules 7 by `month` over every claim in tie
 * order (turnOffset(month, odd öre, claims)); with `group` (rules 11) over the claims that tie for the last
 * of them alone (turnOffset(month, the öre they share, the claims that tie)). Turned over every claim, the
 * start passes a tied group unevenly: four equal members among eight could be billed 6 öre apart over a
 * year. Turned within the group, each of them gets the group's öre equally often, give or take one. Where
 * every remainder ties (an equal split) the two are the same.
 */
export interface Turn {
  month: number;
  group?: true;
}

/**
 * Splits `total` (whole öre) in proportion to the weights. Each share is the exact share rounded down to
 * öre; the öre left over go one each to the largest remainders, ties by key ascending, or with `turn` by
 * key order turned to where that month's odd öre start (Turn). The shares carry the sign of the
 * total and sum exactly to it. The Map iterates in the order of `claims`.
 */
export function allocate(total: Decimal, claims: readonly Claim[], turn?: Turn): Map<string, Decimal> {
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

  const tieOrder = (a: number, b: number) => byKey(claims[a].tie ?? claims[a].key, claims[b].tie ?? claims[b].key);
  const extra = new Array<number>(claims.length).fill(0);
  if (turn?.group && leftover > 0) {
    // Every claim above the last odd öre's remainder takes one; those tying at it share the rest, turned.
    const edge = claims.map((_, i) => remainders[i]).sort(byRemainder)[leftover - 1];
    const tied: number[] = [];
    claims.forEach((_, i) => {
      if (remainders[i] > edge) {
        extra[i] = 1;
        leftover -= 1;
      } else if (remainders[i] === edge) tied.push(i);
    });
    tied.sort(tieOrder);
    const offset = turnOffset(turn.month, leftover, tied.length);
    for (let t = 0; t < leftover; t++) extra[tied[(offset + t) % tied.length]] = 1;
    leftover = 0;
  }
  let byPlace = tieOrder;
  if (turn && !turn.group) {
    // Each claim's place in tie order, turned so that this month's odd öre start at the offset.
    const n = claims.length;
    const offset = turnOffset(turn.month, leftover, n);
    const turned = new Array<number>(n);
    claims.map((_, i) => i).sort(tieOrder).forEach((i, at) => {
      turned[i] = (at - offset + n) % n;
    });
    byPlace = (a, b) => turned[a] - turned[b];
  }
  const order = leftover === 0 ? [] : claims.map((_, i) => i).sort((a, b) => byRemainder(remainders[a], remainders[b]) || byPlace(a, b));
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

/**
 * `allocate` for whole öre and whole-number weights held in JS numbers: the same shares by the same rule,
 * without a Decimal or a BigInt, for splits repeated over months and scenarios. The claims are `items`,
 * indices into `weights` and `rank`; `rank[i]` is claim i's place in ascending key order, the tie-break
 * (distinct, 0 … rank.length − 1: see `keyRanks`). The shares come back in the order of `items`. Decimal
 * weights scaled by one power of ten are fine: a common factor changes neither the shares nor the order of
 * the remainders.
 *
 * Returns undefined where `allocate` has to decide: weights summing to zero with öre to place (its error),
 * or a product total × weight that could pass 2^53 − 1 and stop being exact.
 */
export function allocateOre(totalOre: number, weights: ArrayLike<number>, rank: ArrayLike<number>, items: ArrayLike<number>, turn?: Turn): Float64Array | undefined {
  const n = items.length;
  const shares = new Float64Array(n);
  if (totalOre === 0) return shares;
  const ore = Math.abs(totalOre);
  let weightSum = 0;
  let maxWeight = 0;
  for (let j = 0; j < n; j++) {
    const w = weights[items[j]];
    weightSum += w;
    if (w > maxWeight) maxWeight = w;
  }
  // Every intermediate below is at most ore × maxWeight + weightSum, so this bound keeps them all exact.
  if (weightSum === 0 || !(ore * maxWeight + weightSum <= Number.MAX_SAFE_INTEGER)) return undefined;

  const remainders = scratch(0, n);
  let leftover = ore;
  let tied = true; // every remainder the same, as with equal weights
  let ranked = true; // items in ascending key order
  for (let j = 0; j < n; j++) {
    const product = ore * weights[items[j]];
    // The rounded quotient can land one off the true floor; the exact remainder shows which way.
    let floor = Math.floor(product / weightSum);
    let remainder = product - floor * weightSum;
    if (remainder < 0) {
      floor -= 1;
      remainder += weightSum;
    } else if (remainder >= weightSum) {
      floor += 1;
      remainder -= weightSum;
    }
    shares[j] = floor;
    remainders[j] = remainder;
    leftover -= floor;
    if (j > 0) {
      tied &&= remainder === remainders[0];
      ranked &&= rank[items[j]] > rank[items[j - 1]];
    }
  }

  if (leftover > 0 && turn) {
    // The items in key order, then turned to where this month's odd öre start (turnOffset, as allocate).
    const inOrder = ranked ? undefined : Array.from({ length: n }, (_, j) => j).sort((a, b) => rank[items[a]] - rank[items[b]]);
    const offset = turnOffset(turn.month, leftover, n);
    if (tied) {
      for (let t = 0; t < leftover; t++) {
        const at = (offset + t) % n;
        shares[inOrder ? inOrder[at] : at] += 1;
      }
    } else if (turn.group) {
      for (const j of turnedInGroup(remainders, n, leftover, turn.month, inOrder)) shares[j] += 1;
    } else {
      const turned = new Int32Array(n);
      for (let at = 0; at < n; at++) turned[inOrder ? inOrder[at] : at] = (at - offset + n) % n;
      for (const j of largestRemainders(remainders, weightSum, turned, identity(n), leftover)) shares[j] += 1;
    }
  } else if (leftover > 0) {
    // All remainders tied and the keys in order: the odd öre go to the first claims, no ordering needed.
    if (tied && ranked) for (let j = 0; j < leftover; j++) shares[j] += 1;
    else for (const j of largestRemainders(remainders, weightSum, rank, items, leftover)) shares[j] += 1;
  }
  // Negate only non-zero shares: -0 would become a negative Decimal zero.
  if (totalOre < 0) for (let j = 0; j < n; j++) if (shares[j] !== 0) shares[j] = -shares[j];
  return shares;
}

/**
 * The positions that take a month's `leftover` odd öre when they are turned within the group that ties for
 * the last of them (Turn.group): each above that remainder, then the tied in key order (`inOrder`, or the
 * positions' own order), turned to the month's offset among them.
 */
function turnedInGroup(remainders: Float64Array, n: number, leftover: number, month: number, inOrder: readonly number[] | undefined): number[] {
  const selected = scratch(2, n); // kthLargest reorders it
  for (let j = 0; j < n; j++) selected[j] = remainders[j];
  const edge = kthLargest(selected, n, leftover);
  const chosen: number[] = [];
  const tied: number[] = [];
  for (let at = 0; at < n; at++) {
    const j = inOrder ? inOrder[at] : at;
    if (remainders[j] > edge) chosen.push(j);
    else if (remainders[j] === edge) tied.push(j);
  }
  const share = leftover - chosen.length;
  const offset = turnOffset(month, share, tied.length);
  for (let t = 0; t < share; t++) chosen.push(tied[(offset + t) % tied.length]);
  return chosen;
}

/*
 * Working arrays of allocateOre, kept between calls: a what-if allocates 24 months of ≈ 290 claims, and
 * fresh typed arrays (memory outside the JS heap, zeroed) for values dropped at return were much of its
 * garbage. allocateOre runs to completion and calls nothing that could call it again, so one set will do.
 */
const scratchArrays = [new Float64Array(512), new Float64Array(512), new Float64Array(512)];

/** Working array `which` with room for n values (its contents are whatever was left there). */
function scratch(which: number, n: number): Float64Array {
  let a = scratchArrays[which];
  if (a.length < n) {
    a = new Float64Array(Math.max(n, 2 * a.length));
    scratchArrays[which] = a;
  }
  return a;
}

/** 0, 1, … n − 1: items that are their own positions. */
function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let j = 0; j < n; j++) a[j] = j;
  return a;
}

/** The `count` positions j of `items` with the largest remainders[j], ties by the smaller rank[items[j]]. */
function largestRemainders(remainders: Float64Array, weightSum: number, rank: ArrayLike<number>, items: ArrayLike<number>, count: number): number[] {
  const n = items.length;
  const ranks = rank.length;
  if (weightSum * ranks > Number.MAX_SAFE_INTEGER) {
    const order = Array.from({ length: n }, (_, j) => j);
    order.sort((a, b) => remainders[b] - remainders[a] || rank[items[a]] - rank[items[b]]);
    return order.slice(0, count);
  }
  // remainder × ranks + (ranks − 1 − rank) orders by remainder, then by rank ascending, as one number
  // (remainder < weightSum, hence the bound), and no two are equal: the chosen are those at or above the
  // count-th largest.
  const keyed = scratch(1, n);
  const selected = scratch(2, n); // kthLargest reorders it
  for (let j = 0; j < n; j++) {
    keyed[j] = remainders[j] * ranks + (ranks - 1 - rank[items[j]]);
    selected[j] = keyed[j];
  }
  const threshold = kthLargest(selected, n, count);
  const chosen: number[] = [];
  for (let j = 0; j < n; j++) if (keyed[j] >= threshold) chosen.push(j);
  return chosen;
}

/** The k-th largest of the first n `values` (k from 1), by quickselect; reorders them. */
function kthLargest(values: Float64Array, n: number, k: number): number {
  const target = k - 1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    // Now values[lo..j] ≥ pivot ≥ values[i..hi], and anything between j and i equals the pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[lo];
}

/** The place of each key in ascending code-unit order, the tie-break `allocateOre` takes as `rank`. */
export function keyRanks(keys: readonly string[]): Int32Array {
  const rank = new Int32Array(keys.length);
  // Split inputs usually come sorted by key already.
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
  if (sorted) return rank.map((_, i) => i);
  keys
    .map((_, i) => i)
    .sort((a, b) => byKey(keys[a], keys[b]) || a - b)
    .forEach((i, place) => {
      rank[i] = place;
    });
  return rank;
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
