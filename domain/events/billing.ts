import { z } from 'zod';
import { Amount, Bankgiro, IsoDate, NonNegativeAmount, Orgnr, Text, Year } from '../primitives';
import { PostalAddress } from './membership';

export const EventRefSchema = z.object({
  streamId: z.string(),
  revision: z.number().int().nonnegative(),
  position: z.string(),
  eventId: z.string(),
  type: z.string(),
  recordedAt: z.string(),
  actor: z.string(),
  hash: z.string(),
});

export const Party = z.object({
  orgnr: Orgnr,
  name: Text,
  vatNumber: z.string().optional(),
  address: PostalAddress.optional(),
});

/**
 * The association as the seller: a party, and where it is paid. `bankgiro` is optional so that documents
 * issued before it was configured stay valid and replay as they were.
 */
export const SellerParty = Party.extend({ bankgiro: Bankgiro.optional() });

/** A buyer is a party that may have asked its invoices to carry a reference ("Er referens", Peppol BT-10). */
export const BuyerParty = Party.extend({ reference: Text.optional() });

export const VatCategory = z.enum(['O', 'S']);

/** Where a line's amount came from: the rule in words, the figures, and the events that hold them. */
export const Provenance = z.object({
  rule: z.string(),
  basis: z.string(),
  refs: z.array(EventRefSchema),
  /** Split lines: per month, the participant's weight, the denominator and the month's amount. */
  months: z.array(z.object({ month: z.number().int(), amount: Amount, share: Amount, weight: z.string(), denominator: z.string(), participants: z.number().int() })).optional(),
});

export const InvoiceLine = z.object({
  lineNo: z.number().int().positive(),
  /** What this line bills, once: a retried or repeated run never bills a key twice. */
  dueKey: z.string(),
  kind: z.enum(['annual-fee', 'joining-contribution', 'levy', 'a-conto', 'settlement']),
  description: Text,
  amount: Amount,
  vatCategory: VatCategory,
  vatRate: z.string(),
  serviceId: z.string().optional(),
  enrolmentId: z.string().optional(),
  provenance: Provenance,
});

export const VatBreakdown = z.array(z.object({ category: VatCategory, rate: z.string(), taxable: Amount, vat: Amount }));

/** The command a generated document came from, so replay can decide it again and compare the bytes. */
export const Origin = z.object({ command: z.string(), params: z.record(z.string(), z.unknown()) });

export const InvoiceIssued = z.object({
  number: z.string(),
  series: z.string(),
  sequence: z.number().int().positive(),
  year: Year,
  kind: z.enum(['membership', 'a-conto', 'settlement']),
  issueDate: IsoDate,
  dueDate: IsoDate,
  period: z.string(),
  seller: SellerParty,
  buyer: BuyerParty,
  currency: z.literal('SEK'),
  lines: z.array(InvoiceLine).min(1),
  vat: VatBreakdown,
  totalNet: Amount,
  totalVat: Amount,
  total: Amount,
  /** Required where no VAT is charged (mervärdesskattelagen 17 kap. 24 §). */
  legalBasis: z.string().optional(),
  references: z.array(z.string()).optional(),
  origin: Origin,
});

export const CreditNoteLine = z.object({
  lineNo: z.number().int().positive(),
  description: Text,
  /** The credited net amount, positive. */
  amount: NonNegativeAmount,
  vatCategory: VatCategory,
  vatRate: z.string(),
  credits: z.object({ invoice: z.string(), lineNo: z.number().int().positive() }).optional(),
  serviceId: z.string().optional(),
  enrolmentId: z.string().optional(),
  provenance: Provenance,
});

export const CreditNoteIssued = z.object({
  number: z.string(),
  series: z.string(),
  sequence: z.number().int().positive(),
  year: Year,
  kind: z.enum(['correction', 'settlement']),
  issueDate: IsoDate,
  /** The invoice(s) this credit note changes (ändringsfaktura, 17 kap. 22 §). */
  credits: z.array(z.string()).min(1),
  reason: Text,
  seller: SellerParty,
  buyer: BuyerParty,
  currency: z.literal('SEK'),
  lines: z.array(CreditNoteLine).min(1),
  vat: VatBreakdown,
  totalNet: Amount,
  totalVat: Amount,
  total: Amount,
  legalBasis: z.string().optional(),
  origin: Origin,
});

export const PaymentRecorded = z.object({
  invoice: z.string(),
  amount: NonNegativeAmount,
  date: IsoDate,
  reference: Text,
  /**
   * A row of a bank file (since stop 26): its reference is the bank's, never a payment typed by hand that a
   * later file's row could be taken for. Before it, only Bankgirot's serials told (payment-import.ts#isBankSerial).
   */
  fromBank: z.literal(true).optional(),
});

/**
 * A recorded payment undone: typed with the wrong amount, put on the wrong invoice, or never received. The
 * payment stays in the log as it was; from `date` on it counts for nothing, and the books take it back with
 * a voucher of their own on that date (projections/ledger.ts). Appended to the stream of the payment.
 */
export const PaymentReversed = z.object({
  invoice: z.string(),
  /** The event id of the PaymentRecorded it reverses. */
  payment: z.string(),
  /** The reversed payment's amount, as it was recorded: what the reversal takes back. */
  amount: NonNegativeAmount,
  date: IsoDate,
  reason: Text,
});

/**
 * Money paid back to a member out of the credit an invoice holds for it (overpaid, or credited after it was
 * paid): the invoice is open again by the amount, and the books take it from the bank (projections/ledger.ts).
 * Appended to the stream of the invoice's year.
 */
export const RefundPaid = z.object({
  invoice: z.string(),
  amount: NonNegativeAmount,
  /** The day the money left the bank: the refund's booking date. */
  date: IsoDate,
  /** The bank's reference of the outgoing payment. */
  reference: Text,
  reason: Text,
});

export const ServiceSettled = z.object({
  serviceId: z.string(),
  year: Year,
  actualCost: Amount,
  billedBefore: Amount,
  difference: Amount,
  documents: z.array(z.string()),
  /**
   * The rules version the settlement was decided by, recorded from version 4 on (the first whose split
   * differs: domain/rules.ts#yearlySpreadOf); a settlement without it was decided by an earlier one.
   */
  rules: z.number().int().min(4).optional(),
});

export const YearClosed = z.object({
  year: Year,
  date: IsoDate,
  decisionRef: z.string().optional(),
  /** The rules version in force at the close, recorded from version 4 on: what a closed year's unsettled splits are worked out by. */
  rules: z.number().int().min(4).optional(),
});

export const billingEvents = { InvoiceIssued, CreditNoteIssued, PaymentRecorded, PaymentReversed, RefundPaid, ServiceSettled, YearClosed } as const;
export type InvoiceIssued = z.infer<typeof InvoiceIssued>;
export type CreditNoteIssued = z.infer<typeof CreditNoteIssued>;
export type InvoiceLine = z.infer<typeof InvoiceLine>;
export type CreditNoteLine = z.infer<typeof CreditNoteLine>;
export type Party = z.infer<typeof Party>;
export type SellerParty = z.infer<typeof SellerParty>;
export type BuyerParty = z.infer<typeof BuyerParty>;
export type Provenance = z.infer<typeof Provenance>;
export { NonNegativeAmount };
