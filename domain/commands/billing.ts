import { z } from 'zod';
import { CommandAmount, CommandDate, Text, Year } from '../primitives';
import { SellerParty } from '../events/billing';
import { ServiceId } from '../events/services';
import { invoiceOfOcr, isOcrLike } from '../ocr';
import { canonicalPaymentId } from '../billing/payment-id';
import { RulesVersion } from '../rules';

const Terms = z.number().int().min(0).max(365);
const VatRate = z.string().regex(/^0(\.\d{1,4})?$/, 'en momssats är ett decimaltal som "0.25"');

export const RunInvoices = z.object({
  type: z.literal('invoice.run'),
  period: z.string(),
  issueDate: CommandDate,
  paymentTermsDays: Terms,
  vatRate: VatRate,
  seller: SellerParty,
  /** The billing rules to decide by (domain/rules.ts); the current ones when absent. A replay gives the recorded ones. */
  rules: RulesVersion.optional(),
});

export const CreditInvoice = z.object({
  type: z.literal('invoice.credit'),
  invoice: z.string().min(1),
  /** Line numbers to credit in full (what is left of them); all lines when absent. */
  lines: z.array(z.number().int().positive()).min(1).optional(),
  reason: Text,
  issueDate: CommandDate,
  /** The billing rules to decide by (domain/rules.ts); the current ones when absent. A replay gives the recorded ones. */
  rules: RulesVersion.optional(),
});

/** An invoice number, or its OCR number (domain/ocr.ts) as a bank file gives it: the invoice number either way. */
const PaidInvoice = z.string().trim().min(1).transform((s, ctx) => {
  // An invoice number as a bank file or a person may write it, "m2024-0002": the invoice M2024-0002.
  if (/^[a-z]{1,2}\d{4}-\d{4,}$/i.test(s)) return s.toUpperCase();
  if (!isOcrLike(s)) return s;
  const found = invoiceOfOcr(s);
  if ('invoice' in found) return found.invoice;
  ctx.addIssue({ code: 'custom', message: `ogiltigt OCR-nummer "${s}": ${found.problem}` });
  return z.NEVER;
});

export const RecordPayment = z.object({
  type: z.literal('payment.record'),
  invoice: PaidInvoice,
  /** Written at rest with two decimals, so that "1000", "1000.0" and "1000.00" are one payment (paymentCommandId). */
  amount: CommandAmount,
  date: CommandDate,
  reference: Text,
  /**
   * Money the bank has received beyond what is left of the invoice: recorded in full, the excess the
   * member's credit. Without it such a payment is refused, as a mistyped amount would be.
   */
  overpayment: z.boolean().optional(),
  /**
   * A row of the bank's file: money received, recorded whatever its size. A typed overpayment is bounded
   * (deciders/billing.ts#paymentProblem) as a likely typo.
   */
  fromBank: z.boolean().optional(),
});

/**
 * A bank file's payments to one year's invoices, recorded in one append or not at all
 * (deciders/payment-import.ts): `samkost payment import` gives one per year whose invoices the file pays.
 */
export const ImportPayments = z.object({
  type: z.literal('payment.import'),
  payments: z.array(RecordPayment.omit({ type: true })).min(1),
});

/** A recorded payment as a user names it (domain/billing/payment-id.ts), in one spelling. */
const ReversedPayment = z.string().transform((s, ctx) => {
  const id = canonicalPaymentId(s);
  if (id !== undefined) return id;
  ctx.addIssue({ code: 'custom', message: `"${s}" är inget id för en inbetalning: ange det som billing-2024@5, som invoice show visar det vid inbetalningen, eller inbetalningens händelse-id` });
  return z.NEVER;
});

/** Undoes one recorded payment from `date` on (a wrong amount, the wrong invoice): the payment stays in the log. */
export const ReversePayment = z.object({
  type: z.literal('payment.reverse'),
  payment: ReversedPayment,
  /** The reversal's booking date. */
  date: CommandDate,
  reason: Text,
});

/**
 * Pays back to a member the credit an invoice holds for it (overpaid, or credited after it was paid): never
 * more than that credit, on the day it stood and today.
 */
export const RefundPayment = z.object({
  type: z.literal('payment.refund'),
  invoice: PaidInvoice,
  /** Written at rest with two decimals, as a payment's. */
  amount: CommandAmount,
  /** The day the money left the bank. */
  date: CommandDate,
  /** The bank's reference of the outgoing payment. */
  reference: Text,
  reason: Text,
});

export const SettleService = z.object({
  type: z.literal('settlement.run'),
  serviceId: ServiceId,
  year: Year,
  issueDate: CommandDate,
  paymentTermsDays: Terms,
  vatRate: VatRate,
  seller: SellerParty,
  /** As for invoice.run. */
  rules: RulesVersion.optional(),
});

export const CloseYear = z.object({
  type: z.literal('year.close'),
  year: Year,
  date: CommandDate,
  decisionRef: z.string().optional(),
});

export const billingCommands = [RunInvoices, CreditInvoice, RecordPayment, ImportPayments, ReversePayment, RefundPayment, SettleService, CloseYear] as const;
export type RunInvoices = z.infer<typeof RunInvoices>;
export type CreditInvoice = z.infer<typeof CreditInvoice>;
export type RecordPayment = z.infer<typeof RecordPayment>;
export type ImportPayments = z.infer<typeof ImportPayments>;
export type ReversePayment = z.infer<typeof ReversePayment>;
export type RefundPayment = z.infer<typeof RefundPayment>;
export type SettleService = z.infer<typeof SettleService>;
export type CloseYear = z.infer<typeof CloseYear>;
