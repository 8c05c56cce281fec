import { DomainError } from '../errors';
import type { State } from '../state';

/** After `year close`, nothing may change that year's figures: every decider that could asks this. */
export function assertYearOpen(state: State, year: number, what: string): void {
  const closed = state.billing.get(year)?.closed;
  if (closed) throw new DomainError(`${what}: året ${year} stängdes ${closed.value.date}; dess siffror kan inte längre ändras`);
}

/**
 * A document or payment is booked on its date, whatever year it bills: one dated in a closed year would
 * change that year's books (its receivables, output VAT and SIE file) after the close.
 */
export function assertBookedInOpenYear(state: State, date: string, what: string): void {
  const problem = bookedInClosedYear(state, date, what);
  if (problem) throw new DomainError(problem);
}

/** Why something dated `date` cannot be booked (its year is closed), or undefined when it can. */
export function bookedInClosedYear(state: State, date: string, what: string): string | undefined {
  const year = Number(date.slice(0, 4));
  const closed = state.billing.get(year)?.closed;
  return closed ? `${what}: daterad ${date}, men året ${year} stängdes ${closed.value.date}; dess siffror kan inte längre ändras` : undefined;
}
