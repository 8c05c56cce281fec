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

/** What suppliedPeriod reads of a document: its kind, year and run's period, and of its lines what they bill. */
export interface SuppliedDocument {
  kind: string;
  year: number;
  period: string;
  lines?: readonly { kind?: string; provenance?: { basis?: string; months?: readonly { month: number }[] } }[];
}

/**
 * An annual fee counted from the month of entry, as its provenance states it (projections/fees.ts writes
 * "annual fee 50000.00 × 3/12 (joined 2023-10-01, first year counted from the month of entry)"); a whole
 * year's fee says "× 12/12" and nothing after it.
 */
const FIRST_YEAR_FEE = / × (\d{1,2})\/12 \(joined (\d{4})-(\d{2})-\d{2}, first year counted from the month of entry\)$/;

/**
 * The month a membership invoice's annual fee is counted from: the month of entry where its fee line
 * says it bills the first year from it, else January (a whole year's fee; a levy or a joining contribution
 * billed alone is the year's). Read from the line's basis, which gives both the months billed and the join
 * date, and taken only when they agree (the months run from the entry month to December) and the join lies
 * in the invoice's year; the description's "(3/12 från inträdesmånaden)" follows the tier's label, and the
 * due key names no month.
 */
function feeFirstMonth(doc: SuppliedDocument): number {
  for (const l of doc.lines ?? []) {
    if (l.kind !== 'annual-fee') continue;
    const m = FIRST_YEAR_FEE.exec(l.provenance?.basis ?? '');
    if (m === null) return 1;
    const [months, year, entry] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return year === doc.year && entry >= 2 && entry <= 12 && months === 13 - entry ? entry : 1;
  }
  return 1;
}

/**
 * What an invoice bills for: its run's period, but for membership invoices the fee year (an annual fee, a
 * levy and a joining contribution are the year's, whichever run bills them) from the month of entry when
 * its annual fee is counted from it (a member's first year, by a schedule whose first year runs from the
 * month of entry). Until 2 December 2026 a first-year invoice said the whole year, whatever months its fee
 * billed. Worked out from the document alone, which never changes.
 */
export function suppliedPeriod(doc: SuppliedDocument): Period {
  if (doc.kind === 'membership') {
    const first = feeFirstMonth(doc);
    return { label: String(doc.year), year: doc.year, months: Array.from({ length: 13 - first }, (_, i) => first + i) };
  }
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
