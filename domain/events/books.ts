import { z } from 'zod';
import { Amount, IsoDate, Text, Year } from '../primitives';

/** A balance-sheet account of the BAS chart: four digits, class 1 (assets) or 2 (equity and liabilities). */
export const BalanceAccount = z.string().regex(/^[12]\d{3}$/, 'ett balanskonto är fyra siffror i klass 1 eller 2, t.ex. "1930"');

/** One account's opening balance: debit positive, credit negative, as the trial balance signs it. */
export const OpeningBalance = z.object({ account: BalanceAccount, amount: Amount });

/**
 * The balances the books open with in the first year samkost keeps them: the closing balances of the
 * association's earlier bookkeeping (bank, paid-in contributions, retained earnings, open receivables …).
 * The ledger starts every year from `year` on from them (projections/ledger.ts#openingBalances). One set
 * only, on a stream of its own: a second recording is a conflict at the stream's revision, never a duplicate.
 */
export const OpeningBalancesRecorded = z.object({
  /** The first year whose opening balances (IB) these are. */
  year: Year,
  /** Sorted by account, each account once, no zero, summing to zero. */
  balances: z.array(OpeningBalance).min(1),
  /** Where the figures come from, e.g. "UB 2022 enligt Visma, bokslut fastställt 2023-03-15". */
  reference: Text,
  /** The day they were recorded (Europe/Stockholm). */
  recordedOn: IsoDate,
});
export type OpeningBalancesRecorded = z.infer<typeof OpeningBalancesRecorded>;

/**
 * The opening balances corrected while their year is open: the whole set again, which replaces the one
 * before from its first day (IB is what the latest set says). The earlier sets stay in the stream, with
 * why each was replaced, for an auditor to follow.
 */
export const OpeningBalancesCorrected = OpeningBalancesRecorded.extend({
  /** Why the set was corrected, e.g. "UB 2022 ändrad efter revision, 1510 −2 500,00". */
  reason: Text,
});
export type OpeningBalancesCorrected = z.infer<typeof OpeningBalancesCorrected>;

export const bookEvents = {
  OpeningBalancesRecorded,
  OpeningBalancesCorrected,
} as const;
