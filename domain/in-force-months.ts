import { countsInMonth } from './proration';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * `countsInMonth` for the twelve months of one year, for many enrolments at a time. A split asks it for
 * every participant and month, and half the participants of a service have dates of their own, so each
 * distinct (from, to) is worked out once: one `countsInMonth` call (month 1), which checks both dates and
 * the year and throws as it always does, then plain comparisons for months 2–12. For dates that call has
 * accepted, countsInMonth's test (the later start on or before the earlier end) is: from on or before the
 * month's last day, and, with an end, the month's first day and from both on or before it. "On or before
 * the last day" is "before the first day of the next month", which needs no month lengths ("YYYY-13" after
 * December: every December date sorts before it, every date of a later year after it).
 */
export class InForceMonths {
  private readonly byDates = new Map<string, Map<string | undefined, readonly boolean[]>>();
  private readonly first: string[] = [];
  private readonly next: string[] = [];

  constructor(private readonly year: number) {
    for (let month = 1; month <= 12; month++) {
      this.first.push(`${pad(year, 4)}-${pad(month, 2)}-01`);
      this.next.push(month === 12 ? `${pad(year, 4)}-13` : `${pad(year, 4)}-${pad(month + 1, 2)}-01`);
    }
  }

  /** Whether the period counts in each month of the year (index 0 = January). The array is shared: do not change it. */
  flags(from: string, to: string | undefined): readonly boolean[] {
    let byTo = this.byDates.get(from);
    if (!byTo) {
      byTo = new Map();
      this.byDates.set(from, byTo);
    }
    let flags = byTo.get(to);
    if (!flags) {
      const january = countsInMonth(from, to, this.year, 1);
      const counts = [january];
      for (let m = 1; m < 12; m++) counts.push(from < this.next[m] && (to === undefined || (this.first[m] <= to && from <= to)));
      flags = counts;
      byTo.set(to, flags);
    }
    return flags;
  }
}
