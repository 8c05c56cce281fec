import { DomainError } from '../errors';
import type { Cadence } from '../events/services';
import { monthBounds } from '../proration';

/** A billing period: a year, a quarter or a month. */
export interface Period {
  label: string;
  year: number;
  months: number[];
}

export function parsePeriod(label: string): Period {
  let m = /^(\d{4})$/.exec(label);
  if (m) return { label, year: Number(m[1]), months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] };
  m = /^(\d{4})-Q([1-4])$/.exec(label);
  if (m) {
    const q = Number(m[2]);
    return { label, year: Number(m[1]), months: [3 * q - 2, 3 * q - 1, 3 * q] };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label);
  if (m) return { label, year: Number(m[1]), months: [Number(m[2])] };
  throw new DomainError(`perioden "${label}" är inte ett år (2024), ett kvartal (2024-Q2) eller en månad (2024-05)`);
}

/**
 * What an invoice bills for: its run's period, but for membership invoices the fee year (an annual fee, a
 * levy and a joining contribution are the year's, whichever run bills them).
 */
export function suppliedPeriod(doc: { kind: string; year: number; period: string; lines?: readonly { provenance?: { months?: readonly { month: number }[] } }[] }): Period {
  if (doc.kind === 'membership') return parsePeriod(String(doc.year));
  // The months its a-conto lines bill, first to last: a run bills a yearly service for its year, and (rules 4)
  // what fell due earlier and was never billed, so its own period can be narrower than what it supplies.
  let first = 13;
  let last = 0;
  for (const l of doc.lines ?? []) {
    for (const m of l.provenance?.months ?? []) {
      if (m.month < first) first = m.month;
      if (m.month > last) last = m.month;
    }
  }
  if (last === 0) return parsePeriod(doc.period);
  return { label: doc.period, year: doc.year, months: Array.from({ length: last - first + 1 }, (_, i) => first + i) };
}

/** The first and last day of a period's months, as ISO dates (a document's supply period). */
export function periodDates(p: Period): { start: string; end: string } {
  return { start: monthBounds(p.year, p.months[0]).first, end: monthBounds(p.year, p.months[p.months.length - 1]).last };
}

/** The periods a service bills a-conto in a year, by its cadence. */
export function billingPeriods(cadence: Cadence, year: number): Period[] {
  switch (cadence) {
    case 'yearly':
      return [parsePeriod(String(year))];
    case 'quarterly':
      return [1, 2, 3, 4].map((q) => parsePeriod(`${year}-Q${q}`));
    case 'monthly':
      return Array.from({ length: 12 }, (_, i) => parsePeriod(`${year}-${String(i + 1).padStart(2, '0')}`));
  }
}

/**
 * THE rule for when something falls due: a-conto is billed in advance, so a billing period falls due in
 * its first month; a membership fee falls due in January of its year, or in the month of entry for a
 * member that joins during the year. An invoice run for a period bills everything whose due month lies
 * in it and is not billed yet.
 */
export const dueMonthOfPeriod = (p: Period): number => p.months[0];

/** Days from 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): string {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Calendar arithmetic without a clock: "2024-01-15" + 30 → "2024-02-14". */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return civilFromDays(daysFromCivil(y, m, d) + days);
}
