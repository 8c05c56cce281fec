import Decimal from 'decimal.js';

/**
 * Money is a Decimal of SEK with öre. It is stored as a string with exactly two decimals ("1234.50"),
 * and a JS number never holds an amount. Rounding to öre is always explicit (see allocation.ts).
 */
export type Money = Decimal;

export const ZERO: Money = new Decimal(0);

const AMOUNT_RE = /^-?\d{1,15}(\.\d{1,2})?$/;

export class MoneyFormatError extends Error {
  constructor(input: string) {
    super(`inte ett belopp i kronor med högst två decimaler: "${input}"`);
    this.name = 'MoneyFormatError';
  }
}

/** Parses "1234.5", "1234.50" or "-12" (a decimal point, no thousands separators). */
export function parseAmount(input: string): Money {
  const s = input.trim();
  if (!AMOUNT_RE.test(s)) throw new MoneyFormatError(input);
  return new Decimal(s);
}

export const isAmountString = (s: string): boolean => AMOUNT_RE.test(s);

/**
 * How many digits text has before its point where it is written as an amount but has more than an amount
 * holds (15), or undefined: a refusal then says it is too long, not that it should look as it does.
 */
export function excessDigits(text: string): number | undefined {
  const digits = /^-?(\d+)(\.\d{1,2})?$/.exec(text)?.[1].length;
  return digits !== undefined && digits > 15 ? digits : undefined;
}

/** The at-rest form: two decimals, a point, no grouping ("1234.50"). Throws if not whole öre. */
export function amountString(m: Money): string {
  // At most two decimal places, read off the digits: m × 100 made a Decimal for every line a run writes.
  // NaN and ±Infinity have none (NaN), so they throw as before.
  if (!(m.decimalPlaces() <= 2)) throw new Error(`amount ${m.toString()} is not a whole number of öre`);
  return m.toFixed(2);
}

export const sum = (xs: readonly Money[]): Money => xs.reduce((a, b) => a.plus(b), ZERO);

/** Rounds half away from zero to whole öre (only for amounts derived from a rate, e.g. VAT). */
export const roundOre = (m: Money): Money => m.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/** "18 000", "1 234 567": a whole number's digits in groups of three, as Swedish reports print them. */
export const grouped = (n: number | string): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

/**
 * A number as people read it in Swedish, with the decimals its value has (trailing zeros dropped: "1.50" →
 * "1,5"): "9578.9474" → "9 578,9474", "0.05" → "0,05", "22000" → "22 000". For weights, rates and quotients in text; money goes through formatSek.
 */
export function formatNumber(n: Decimal | string | number): string {
  return svDecimal(new Decimal(n).toFixed());
}

/** A decimal's plain text ("-1234.5") as Swedish prints it: a minus sign, grouped thousands, a decimal comma. */
function svDecimal(text: string): string {
  const negative = text.startsWith('-');
  const [int, dec] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '−' : ''}${grouped(int)}${dec === undefined ? '' : `,${dec}`}`;
}

/**
 * sv-SE presentation for people: space as thousands separator, comma as decimal sign, "kr" unit:
 * 1234.5 → "1 234,50 kr". A plain space (not U+00A0) keeps terminal tables and tests predictable.
 */
export function formatSek(m: Money, withUnit = true): string {
  return `${svDecimal(m.toFixed(2))}${withUnit ? ' kr' : ''}`;
}

/** A rate as a Swedish percentage: "0.25" → "25 %", "0.125" → "12,5 %". */
export const formatPercent = (rate: Money | string): string => `${new Decimal(rate).mul(100).toString().replace('.', ',')} %`;

export { Decimal };
