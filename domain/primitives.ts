import Decimal from 'decimal.js';
import { z } from 'zod';
import { normaliseBankgiro } from './bankgiro';
import { excessDigits, isAmountString } from './money';
import { normaliseOrgnr } from './orgnr';
import { isValidIsoDate } from './proration';

export const IsoDate = z.string().refine(isValidIsoDate, { message: 'ska vara ett giltigt datum ÅÅÅÅ-MM-DD' });
export const Year = z.number().int().min(1990).max(2100);
/**
 * A date given in a command: a calendar date in the years `Year` allows, as `--year` takes them. A mistyped
 * year (2999 for 2024) is refused here rather than stored, as no correction of a stored one can undo it.
 * Events keep `IsoDate`: what is stored must go on decoding, and a replayed document's command too
 * (parseRecordedCommand). The pattern puts the range in the JSON Schemas as well.
 */
export const CommandDate = z.string()
  .refine(isValidIsoDate, { message: 'ska vara ett giltigt datum ÅÅÅÅ-MM-DD' })
  .regex(/^(199\d|20\d\d|2100)-\d\d-\d\d$/, { error: (issue) => `ska vara ett datum ÅÅÅÅ-MM-DD mellan 1990-01-01 och 2100-12-31, inte ${JSON.stringify(issue.input)}` });
/** Money at rest: a string with a decimal point and at most two decimals. */
export const Amount = z.string().refine(isAmountString, { error: (issue) => amountProblem(issue.input) });

/** Why text is no amount: written right but too long is said so (money.ts#excessDigits). */
function amountProblem(input: unknown): string {
  const digits = typeof input === 'string' ? excessDigits(input) : undefined;
  return digits !== undefined ? `får ha högst 15 siffror före decimaltecknet, inte ${digits}` : 'ska vara ett belopp som "1234.50"';
}
export const NonNegativeAmount = Amount.refine((s) => !s.startsWith('-'), { message: 'beloppet får inte vara negativt' });
/**
 * An amount a command takes, written at rest with two decimals ("100" and "100.5" are stored as "100.00"
 * and "100.50"), however it was given: the CLI, an apply line or an HTTP body. Commands use it where their
 * events take NonNegativeAmount; events keep NonNegativeAmount, which checks and does not rewrite, so what
 * is stored decodes and replays as it was stored.
 */
export const CommandAmount = NonNegativeAmount.transform((a) => new Decimal(a).toFixed(2));
/** Accepts any common spelling, stores the canonical NNNNNN-NNNN; a bad check digit is a validation error. */
export const Orgnr = z.string().transform((s, ctx) => {
  try {
    return normaliseOrgnr(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
/** Accepts the digits with or without their hyphen, stores NNN-NNNN or NNNN-NNNN; a bad check digit is an error. */
export const Bankgiro = z.string().transform((s, ctx) => {
  const n = normaliseBankgiro(s);
  if ('bankgiro' in n) return n.bankgiro;
  ctx.addIssue({ code: 'custom', message: `ogiltigt bankgironummer "${s}": ${n.problem}` });
  return z.NEVER;
});
export const Kommunkod = z.string().regex(/^\d{4}$/, 'en kommunkod är fyra siffror, t.ex. "0180"');
export const Text = z.string().trim().min(1);

export type IsoDate = z.infer<typeof IsoDate>;
