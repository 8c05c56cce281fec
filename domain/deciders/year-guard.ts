import { DomainError } from '../errors';
import type { State } from '../state';

/**
 * The close that makes `year` final: its own, or (`earlierToo`) that of any later year. Books are closed in
 * order: a year's closing balances are the next year's opening ones, so once a year is closed every year
 * before it is final too, closed or not (a history may begin its billing, and its closes, after its first
 * recorded cost).
 */
function closeOf(state: State, year: number, earlierToo: boolean): { year: number; date: string } | undefined {
  const own = state.billing.get(year)?.closed;
  if (own) return { year, date: own.value.date };
  if (!earlierToo) return undefined;
  let found: { year: number; date: string } | undefined;
  for (const [y, b] of state.billing) if (y > year && b.closed && (found === undefined || y < found.year)) found = { year: y, date: b.closed.value.date };
  return found;
}

const finalWords = (year: number, close: { year: number; date: string }): string =>
  close.year === year ? `året ${year} stängdes ${close.date}` : `året ${year} ligger före ${close.year}, som stängdes ${close.date}`;

/**
 * After `year close`, nothing may change that year's figures, nor an earlier year's (closeOf): every decider
 * that could asks this. `earlierToo: false` only for documents decided by rules before version 4, which
 * checked the year's own close and must replay as they were decided.
 */
export function assertYearOpen(state: State, year: number, what: string, earlierToo = true): void {
  const close = closeOf(state, year, earlierToo);
  if (close) throw new DomainError(`${what}: ${finalWords(year, close)}; dess siffror kan inte längre ändras`);
}

/**
 * A document or payment is booked on its date, whatever year it bills: one dated in a closed year (or
 * before one) would change that year's books (its receivables, output VAT and SIE file) after the close.
 */
export function assertBookedInOpenYear(state: State, date: string, what: string, earlierToo = true): void {
  const problem = bookedInClosedYear(state, date, what, earlierToo);
  if (problem) throw new DomainError(problem);
}

/** Why something dated `date` cannot be booked (its year is final), or undefined when it can. */
export function bookedInClosedYear(state: State, date: string, what: string, earlierToo = true): string | undefined {
  const year = Number(date.slice(0, 4));
  // Recorded opening balances stand for everything before their year: a voucher dated earlier would be
  // counted on top of them (none can be stored before them: ledger.opening refuses a year after the first).
  const opening = state.openingBalances?.value.year;
  if (opening !== undefined && year < opening) return `${what}: daterad ${date}, före bokföringens ingående balanser för ${opening}; det som hände före ${opening} ingår i dem`;
  const close = closeOf(state, year, earlierToo);
  return close ? `${what}: daterad ${date}, men ${finalWords(year, close)}; dess siffror kan inte längre ändras` : undefined;
}

/**
 * The latest day a membership or an enrolment may take effect, decided `today`: 31 December of the next year.
 * A board or council decides in the autumn to join (or leave, or enrol) from January; nothing is decided
 * further ahead. A later date is a mistyped year, and once stored it cannot be put right: joining again is
 * refused while it stands, and leaving before it too.
 */
export function latestEffectiveDate(today: string): string {
  return `${Number(today.slice(0, 4)) + 1}-12-31`;
}

/**
 * Refuses `date` (what `words` names, e.g. "valutadagen") when it lies after `today`: money received or paid,
 * a supplier's invoice and a credit note are recorded once they exist, and a year mistyped for another one
 * (2027 for 2025) would put them in a year's books that is not begun, and could not be undone until then.
 */
export function assertNotAfterToday(date: string, today: string, what: string, words: string, hint?: string): void {
  const problem = afterToday(date, today, what, words, hint);
  if (problem) throw new DomainError(problem);
}

/** Why `date` may not be recorded (assertNotAfterToday), as a refusal's text, or undefined. */
export const afterToday = (date: string, today: string, what: string, words: string, hint = 'ange dagen det hände'): string | undefined =>
  (date > today ? `${what}: ${words} ${date} ligger efter i dag (${today}); ${hint}` : undefined);

/**
 * What a refusal of a document dated after today says to do. An invoice is dated the day it is issued, and
 * one dated ahead would also stop every run dated before it (a series is numbered in date order) until then.
 */
export const ISSUED_TODAY = 'en faktura dateras den dag den utfärdas, i dag eller tidigare';

/** Refuses `date` (what `words` names, e.g. "inträdesdatumet") when it lies after latestEffectiveDate(today). */
export function assertNotTooFarAhead(date: string, today: string, what: string, words: string): void {
  const latest = latestEffectiveDate(today);
  if (date > latest) throw new DomainError(`${what}: ${words} ${date} ligger för långt fram; senast ${latest} (31 december året efter i dag) kan anges`);
}

/**
 * Refuses a decision that replaces the one in force (a council's budget for a year, the year's fee schedule)
 * when it is dated before that one. The latest recorded decision is the one in force, so an older decision
 * recorded after a newer one (the original budget entered after its revision) would put what the newer one
 * replaced back in force and bill by it. One of the same day is a decision taken after it and replaces it.
 */
export function assertNotOlderThanInForce(
  inForce: { decidedOn: string; reference: string } | undefined,
  decidedOn: string,
  what: string,
  words: string,
): void {
  if (inForce === undefined || decidedOn >= inForce.decidedOn) return;
  throw new DomainError(
    `${what}: beslutet ${decidedOn} är äldre än ${words} som gäller, beslutad ${inForce.decidedOn} (${inForce.reference}); `
    + 'det senast registrerade beslutet gäller, så ett äldre kan inte registreras efter det',
  );
}

/**
 * Refuses a decision for a year (a budget, a fee schedule, a levy) beyond the year after today: one is
 * decided in the autumn for the next year, and a year further ahead is a year mistyped (2090 for 2024).
 */
export function assertDecidedYearNotTooFarAhead(year: number, today: string, what: string, words: string): void {
  const latest = Number(latestEffectiveDate(today).slice(0, 4));
  if (year > latest) throw new DomainError(`${what}: ${words} ${year} ligger för långt fram; beslut fattas för senast ${latest} (året efter i dag)`);
}
