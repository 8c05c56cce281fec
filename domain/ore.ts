import Decimal from 'decimal.js';

/*
 * Whole öre in a JS number, for splits that run the same arithmetic thousands of times. A number holds an
 * integer exactly up to 2^53 − 1 öre (≈ 90 000 000 000 000 kr); beyond that these helpers decline and the
 * caller keeps to Decimal.
 */

/** `d` in öre, or undefined when it is not whole öre or not exact in a number. Never −0. */
export function toOre(d: Decimal): number | undefined {
  const ore = d.times(100);
  if (!ore.isInteger()) return undefined;
  const n = ore.toNumber();
  if (!Number.isSafeInteger(n)) return undefined;
  return n === 0 ? 0 : n;
}

/** Whole öre as kronor text: 12345 → "123.45", -5 → "-0.05". */
export function oreText(ore: number): string {
  const s = String(Math.abs(ore)).padStart(3, '0');
  return `${ore < 0 ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}

const WORD = 1e7; // decimal.js keeps a coefficient in base-10^7 words

/** The number of decimal digits of 1 ≤ n < 10^7. */
const digitsOf = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : 7);

/** The documented fields of a Decimal's value (decimal.js: "Properties"), written only on a fresh one. */
type DecimalFields = { e: number; d: number[] };

/**
 * `ore` (a safe integer) as a Decimal of kronor: the very Decimal `new Decimal(oreText(ore))` makes (sign,
 * exponent and digits), without building and parsing the text. A split makes thousands of these, and the
 * parse was most of their cost. decimal.js documents its value as sign `s`, base-10 exponent `e` of the
 * first digit and digits `d` in base-10^7 words, the words aligned so that one ends just before the decimal
 * point, with no trailing zero word. Kronor and öre below 2^53 öre take at most three words: 10^7-kronor,
 * kronor, and the öre as the first two digits of the fraction's word. 0 is +0, as the text "0.00" gives.
 */
export function oreDecimal(ore: number): Decimal {
  if (ore === 0) return new Decimal(0);
  const x = new Decimal(ore < 0 ? -1 : 1); // sign and constructor as decimal.js sets them
  const abs = Math.abs(ore);
  // Remainders first: each division below is then of an exact multiple, so no rounding can creep in.
  const fraction = abs % 100;
  const kronor = (abs - fraction) / 100;
  const low = kronor % WORD;
  const high = (kronor - low) / WORD;
  const f = x as unknown as DecimalFields;
  if (high > 0) {
    f.e = 7 + digitsOf(high) - 1;
    f.d = fraction ? [high, low, fraction * 1e5] : low ? [high, low] : [high];
  } else if (low > 0) {
    f.e = digitsOf(low) - 1;
    f.d = fraction ? [low, fraction * 1e5] : [low];
  } else {
    f.e = fraction >= 10 ? -1 : -2;
    f.d = [fraction * 1e5];
  }
  return x;
}

/**
 * One Decimal per distinct amount: an equal or tier-weighted split of 290 participants over 12 months has a
 * few dozen distinct amounts among its 3 500 lines, and Decimals are immutable, so sharing one is safe.
 */
export class OreDecimals {
  private readonly made = new Map<number, Decimal>();

  /** `ore` (a safe integer) as a Decimal of kronor; 0 is +0, as `allocate` makes it. */
  of(ore: number): Decimal {
    let d = this.made.get(ore);
    if (d === undefined) {
      d = oreDecimal(ore);
      this.made.set(ore, d);
    }
    return d;
  }
}
