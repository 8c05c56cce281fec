import Decimal from 'decimal.js';
import type { CorrectOpeningBalances, RecordOpeningBalances } from '../commands/books';
import { DomainError } from '../errors';
import type { OpeningBalancesRecorded } from '../events/books';
import { formatSek, isAmountString, sum } from '../money';
import type { State } from '../state';
import { firstYear } from '../../projections/ledger';
import type { Decision } from './membership';
import { assertYearOpen } from './year-guard';

/** The stream of the books' opening balances: one set, so a second recording meets the stream's revision. */
export const OPENING_STREAM = 'books-opening';

type Row = OpeningBalancesRecorded['balances'][number];

/** The rows as they are stored: each amount with two decimals, sorted by account. A malformed amount is kept as given. */
const normalised = (rows: readonly { account: string; amount: string }[]): Row[] =>
  rows.map((r) => ({ account: r.account.trim(), amount: isAmountString(r.amount.trim()) ? new Decimal(r.amount.trim()).toFixed(2) : r.amount }))
    .sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));

const sameRows = (a: readonly Row[], b: readonly Row[]): boolean =>
  a.length === b.length && a.every((r, i) => r.account === b[i].account && r.amount === b[i].amount);

/** What is wrong with one row, or undefined: an account of four digits in class 1 or 2, a non-zero amount in kronor and öre. */
function rowProblem(r: Row): string | undefined {
  if (!/^\d{4}$/.test(r.account)) return `kontot "${r.account}" är inget kontonummer med fyra siffror`;
  const cls = Number(r.account[0]);
  // Result accounts (3–8) start every year at zero: a year's result reaches the balance sheet through 2091.
  if (cls >= 3 && cls <= 8) return `konto ${r.account} är ett resultatkonto (klass ${cls}); ingående balanser finns bara på balanskonton i klass 1 och 2`;
  if (cls !== 1 && cls !== 2) return `konto ${r.account} är inget balanskonto (klass ${cls}); ingående balanser finns bara på balanskonton i klass 1 och 2`;
  if (!isAmountString(r.amount)) return `konto ${r.account}: "${r.amount}" är inget belopp i kronor med högst två decimaler (debet positivt, kredit negativt, t.ex. "125000.00" eller "-40000.00")`;
  if (new Decimal(r.amount).isZero()) return `konto ${r.account} har beloppet noll; ett konto utan ingående balans utelämnas`;
  return undefined;
}

/** A set of opening balances as the books can open with: each row a balance-sheet account once, summing to zero. */
function checkSet(rows: readonly Row[], what: string): void {
  const seen = new Set<string>();
  for (const r of rows) {
    const problem = rowProblem(r);
    if (problem) throw new DomainError(`${what}: ${problem}`);
    if (seen.has(r.account)) throw new DomainError(`${what}: konto ${r.account} förekommer mer än en gång; ange varje konto en gång med dess saldo`);
    seen.add(r.account);
  }
  const amounts = rows.map((r) => new Decimal(r.amount));
  const debit = sum(amounts.filter((a) => a.gt(0)));
  const credit = sum(amounts.filter((a) => a.lt(0))).neg();
  if (!debit.eq(credit)) {
    throw new DomainError(`${what}: debet och kredit skiljer ${formatSek(debit.minus(credit).abs())} (debet ${formatSek(debit)}, kredit ${formatSek(credit)}); ingående balanser ska summera till noll`);
  }
}

/**
 * The balances the books open with: one set, for the first year the books hold anything or an earlier one,
 * summing to zero over balance-sheet accounts. The same set again (a retry, under whatever command id or
 * idempotency key) records nothing; it is asked first, so that a retry after a close is answered as a retry.
 */
export function decideOpeningBalances(c: RecordOpeningBalances, state: State, today: string): Decision {
  const what = `ledger.opening ${c.year}`;
  const rows = normalised(c.balances);
  const recorded = state.openingBalances?.value;
  // The set first recorded, corrected since or not: this command given again is a retry.
  const original = state.replacedOpeningBalances?.[0]?.value ?? recorded;
  if (original && original.year === c.year && original.reference === c.reference && sameRows(original.balances, rows)) return { streamId: OPENING_STREAM, events: [] };
  if (recorded) {
    const done = state.replacedOpeningBalances?.length ? 'rättade' : 'registrerade';
    throw new DomainError(`${what}: ingående balanser är redan registrerade för ${recorded.year} (i kraft: ${recorded.reference}, ${done} ${recorded.recordedOn}); en rättad uppsättning registreras med samkost ledger correct-opening`);
  }
  assertYearOpen(state, c.year, what);
  checkSet(rows, what);
  // The recorded balances stand for everything before their year: a voucher of an earlier year would be
  // counted on top of them.
  const first = firstYear(state);
  if (first !== undefined && first < c.year) {
    throw new DomainError(`${what}: bokföringen har redan verifikationer från ${first}, som skulle hamna före de ingående balanserna; de kan registreras för ${first} eller ett tidigare år`);
  }
  return {
    streamId: OPENING_STREAM,
    events: [{ type: 'OpeningBalancesRecorded', data: { year: c.year, balances: rows, reference: c.reference, recordedOn: today } }],
  };
}

/**
 * A corrected set replacing the recorded one, for the same year, while that year is open: once it is
 * closed its closing balances are the next year's opening ones, and its books must not move. A set equal
 * to the one in force (rows and reference) records nothing, as a retry of the correction, under whatever
 * command id, must not record it twice.
 */
export function decideOpeningCorrection(c: CorrectOpeningBalances, state: State, today: string): Decision {
  const what = `ledger.opening.correct ${c.year}`;
  const rows = normalised(c.balances);
  const recorded = state.openingBalances?.value;
  if (!recorded) throw new DomainError(`${what}: inga ingående balanser är registrerade att rätta; registrera böckernas första med samkost ledger opening`);
  if (recorded.year !== c.year) {
    throw new DomainError(`${what}: de registrerade ingående balanserna gäller ${recorded.year} (${recorded.reference}); en rättelse gäller samma år`);
  }
  if (recorded.reference === c.reference && sameRows(recorded.balances, rows)) return { streamId: OPENING_STREAM, events: [] };
  assertYearOpen(state, c.year, what);
  checkSet(rows, what);
  return {
    streamId: OPENING_STREAM,
    events: [{ type: 'OpeningBalancesCorrected', data: { year: c.year, balances: rows, reference: c.reference, reason: c.reason, recordedOn: today } }],
  };
}
