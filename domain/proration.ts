import Decimal from 'decimal.js';
import { allocate } from './allocation';

/*
 * Calendar arithmetic on ISO date strings. No Date object: it carries a time zone and a clock, and
 * `YYYY-MM-DD` strings of a four-digit year already sort lexicographically in calendar order.
 */

export const MONTHS: readonly number[] = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, m: number): number => (m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m - 1]);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The first and last day of a month, as ISO dates. */
export function monthBounds(year: number, month: number): { first: string; last: string } {
  return { first: `${pad(year, 4)}-${pad(month, 2)}-01`, last: `${pad(year, 4)}-${pad(month, 2)}-${pad(daysInMonth(year, month), 2)}` };
}

/** The day before an ISO date, as an ISO date (for a valid date from 0001-01-02 on). */
export function dayBefore(date: string): string {
  const y = digits(date, 0, 4);
  const m = digits(date, 5, 7);
  const d = digits(date, 8, 10);
  if (d > 1) return `${date.slice(0, 8)}${pad(d - 1, 2)}`;
  return m > 1 ? monthBounds(y, m - 1).last : monthBounds(y - 1, 12).last;
}

/**
 * The digits of s from `start` to `end` (exclusive) as a number, or −1 if one is not an ASCII digit: how
 * the parts of an ISO date or timestamp are read without a regular expression or a substring.
 */
export function digits(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * A real calendar date `YYYY-MM-DD` (Gregorian, leap years included): ten characters, ASCII digits and
 * hyphens in place. Read character by character, not by a regular expression: a split checks every
 * enrolment's dates, and the expression was a tenth of a what-if.
 */
export function isValidIsoDate(s: string): boolean {
  if (typeof s !== 'string' || s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  return y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function checkDate(label: string, s: string): void {
  if (!isValidIsoDate(s)) throw new RangeError(`${label} "${s}" is not a calendar date YYYY-MM-DD`);
}

function checkYearMonth(year: number, month: number): void {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`year ${year} is not a four-digit year`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month ${month} is not 1..12`);
}

/**
 * THE one rule for mid-month starts and ends: an enrolment or membership counts in a month when it is in
 * force on at least one day of that month. `from` inclusive, `to` inclusive last day in force, undefined =
 * open-ended. A `to` before `from` is in force on no day (e.g. cancelled before it started) and never counts.
 */
export function countsInMonth(from: string, to: string | undefined, year: number, month: number): boolean {
  checkDate('from', from);
  if (to !== undefined) checkDate('to', to);
  checkYearMonth(year, month);
  const { first, last } = monthBounds(year, month);
  // The in-force period and the month intersect when the later start is on or before the earlier end.
  const start = from > first ? from : first;
  const end = to === undefined || to > last ? last : to;
  return start <= end;
}

/** The months (1..12) of `year` in which the period counts, ascending. */
export function monthsInForce(from: string, to: string | undefined, year: number): number[] {
  return MONTHS.filter((m) => countsInMonth(from, to, year, m));
}

const MONTH_KEYS = MONTHS.map((m) => pad(m, 2));

/**
 * Spreads a yearly amount over the 12 months exactly. Equal weights leave every remainder tied, so the
 * key order ('01'..'12') hands the odd öre to the earliest months.
 */
export function monthlyAmounts(yearly: Decimal): Map<number, Decimal> {
  const byKey = allocate(
    yearly,
    MONTH_KEYS.map((key) => ({ key, weight: new Decimal(1) })),
  );
  return new Map(MONTHS.map((m, i) => [m, byKey.get(MONTH_KEYS[i]) as Decimal]));
}

/**
 * Spreads a yearly amount over the 12 months by cumulative rounding: month m gets
 * round(yearly × m/12) − round(yearly × (m − 1)/12), each rounded half up to the öre. Any run of months
 * then sums to round(yearly × end/12) − round(yearly × (start − 1)/12), so when its exact share is whole öre
 * (9 months of 16 000 kr: 12 000 kr) it gets that share exactly, and otherwise is within an öre of it.
 * `monthlyAmounts` hands the odd öre to the first months instead, so a member in force from April lost them.
 */
export function cumulativeMonthlyAmounts(yearly: Decimal): Map<number, Decimal> {
  const upTo = (m: number): Decimal => yearly.times(m).div(12).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return new Map(MONTHS.map((m) => [m, upTo(m).minus(upTo(m - 1))]));
}

/**
 * How a participant's fixed yearly amount (a price-list price, a base) is spread over the months: by the
 * rules version a document is decided by (domain/rules.ts#yearlySpreadOf).
 */
export type YearlySpread = 'largest-remainder' | 'cumulative';

export const spreadOverMonths = (yearly: Decimal, spread: YearlySpread): Map<number, Decimal> =>
  spread === 'cumulative' ? cumulativeMonthlyAmounts(yearly) : monthlyAmounts(yearly);

/** Months as spans: "1–3, 5, 7–12", or with `name` for each month's text ("januari–mars, maj"). */
export function monthRanges(months: readonly number[], name: (month: number) => string = String): string {
  const sorted = [...new Set(months)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${name(sorted[i])}–${name(sorted[j])}` : name(sorted[i]));
    i = j;
  }
  return parts.join(', ');
}
