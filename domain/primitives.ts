import { z } from 'zod';
import { isAmountString } from './money';
import { normaliseOrgnr } from './orgnr';
import { isValidIsoDate } from './proration';

export const IsoDate = z.string().refine(isValidIsoDate, { message: 'expected a calendar date YYYY-MM-DD' });
export const Year = z.number().int().min(1990).max(2100);
/** Money at rest: a string with a decimal point and at most two decimals. */
export const Amount = z.string().refine(isAmountString, { message: 'expected an amount like "1234.50"' });
export const NonNegativeAmount = Amount.refine((s) => !s.startsWith('-'), { message: 'amount must not be negative' });
/** Accepts any common spelling, stores the canonical NNNNNN-NNNN; a bad check digit is a validation error. */
export const Orgnr = z.string().transform((s, ctx) => {
  try {
    return normaliseOrgnr(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
export const Kommunkod = z.string().regex(/^\d{4}$/, 'kommunkod is four digits, e.g. "0180"');
export const Text = z.string().trim().min(1);

export type IsoDate = z.infer<typeof IsoDate>;
