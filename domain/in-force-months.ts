import { countsInMonth, isValidIsoDate } from './proration';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * `countsInMonth` for the twelve months of one year, for many enrolments at a time. A split asks it for
 * every participant and month, and half the participants of a service have dates of their own, so each
 * distinct (from, to) is worked out once, by plain comparisons. For valid dates and year, countsInMonth's
 * test (the later start on or before the earlier end) is: from on or before the month's last day, and,
 * with an end, the month's first day and from both on or before it. "On or before the last day" is "before
 * the first day of the next month", which needs no month lengths ("YYYY-13" after December: every December
 * date sorts before it, every date of a later year after it). Anything countsInMonth would refuse goes to
 * countsInMonth itself, so that it throws as it always does.
 */
export class InForceMonths {
  /** By `from`, the flags of the open-ended periods from then, and of the ended ones by `to`. */
  private readonly open = new Map<string, readonly boolean[]>();
  private readonly ended = new Map<string, Map<string, readonly boolean[]>>();
  private readonly first: string[] = [];
  private readonly next: string[] = [];
  private readonly validYear: boolean;

  constructor(private readonly year: number) {
    this.validYear = Number.isInteger(year) && year >= 1 && year <= 9999;
    for (let month = 1; month <= 12; month++) {
      this.first.push(`${pad(year, 4)}-${pad(month, 2)}-01`);
      this.next.push(month === 12 ? `${pad(year, 4)}-13` : `${pad(year, 4)}-${pad(month + 1, 2)}-01`);
    }
  }

  /** Whether the period counts in each month of the year (index 0 = January). The array is shared: do not change it. */
  flags(from: string, to: string | undefined): readonly boolean[] {
    if (to === undefined) {
      let flags = this.open.get(from);
      if (!flags) {
        flags = this.compute(from, to);
        this.open.set(from, flags);
      }
      return flags;
    }
    let byTo = this.ended.get(from);
    if (!byTo) {
      byTo = new Map();
      this.ended.set(from, byTo);
    }
    let flags = byTo.get(to);
    if (!flags) {
      flags = this.compute(from, to);
      byTo.set(to, flags);
    }
    return flags;
  }

  private compute(from: string, to: string | undefined): readonly boolean[] {
    if (!(this.validYear && isValidIsoDate(from) && (to === undefined || isValidIsoDate(to)))) countsInMonth(from, to, this.year, 1); // throws
    let mask = 0;
    for (let m = 0; m < 12; m++) if (from < this.next[m] && (to === undefined || (this.first[m] <= to && from <= to))) mask |= 1 << m;
    return flagsOf(mask);
  }
}

/**
 * The twelve flags of each bit mask, made once per process: there are 4 096 at most and a year's
 * enrolments use a handful, so contexts share them instead of each making an array per distinct period.
 */
const FLAGS: (readonly boolean[] | undefined)[] = new Array<readonly boolean[] | undefined>(1 << 12).fill(undefined);

function flagsOf(mask: number): readonly boolean[] {
  let flags = FLAGS[mask];
  if (!flags) {
    const made: boolean[] = [];
    for (let m = 0; m < 12; m++) made.push((mask & (1 << m)) !== 0);
    flags = Object.freeze(made);
    FLAGS[mask] = flags;
  }
  return flags;
}
