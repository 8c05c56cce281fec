import { DomainError } from '../errors';
import type { State } from '../state';

/** After `year close`, nothing may change that year's figures: every decider that could asks this. */
export function assertYearOpen(state: State, year: number, what: string): void {
  const closed = state.billing.get(year)?.closed;
  if (closed) throw new DomainError(`${what}: året ${year} stängdes ${closed.value.date}; dess siffror kan inte längre ändras`);
}
