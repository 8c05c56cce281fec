import { z } from 'zod';
import { Text, Year } from '../primitives';

/**
 * The opening balances of the books' first year. Accounts and amounts are taken as text and checked by the
 * decider (deciders/books.ts), which names the account that is wrong rather than a row's index.
 */
export const RecordOpeningBalances = z.object({
  type: z.literal('ledger.opening'),
  /** The first year whose opening balances (IB) these are. */
  year: Year,
  /** Debit positive, credit negative: "125000.00" on 1930, "-40000.00" on 2061. */
  balances: z.array(z.object({ account: z.string(), amount: z.string() }).strict()).min(1),
  reference: Text,
});

/**
 * A corrected set of the books' opening balances, replacing the recorded one while its year is open: the
 * earlier program's closing balances were revised after they were recorded (a late supplier invoice, an
 * auditor's adjustment). The whole set is given again, as the first was; why is required.
 */
export const CorrectOpeningBalances = RecordOpeningBalances.extend({
  type: z.literal('ledger.opening.correct'),
  reason: Text,
});

export const bookCommands = [RecordOpeningBalances, CorrectOpeningBalances] as const;
export type RecordOpeningBalances = z.infer<typeof RecordOpeningBalances>;
export type CorrectOpeningBalances = z.infer<typeof CorrectOpeningBalances>;
