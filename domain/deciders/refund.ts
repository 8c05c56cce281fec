import Decimal from 'decimal.js';
import type { RefundPayment } from '../commands/billing';
import { DomainError } from '../errors';
import { amountString, formatSek } from '../money';
import { type InvoiceState, openBalance, openBalanceAt, type RefundState, type State } from '../state';
import { billingStream, findInvoice } from './billing';
import type { Decision } from './membership';
import { assertBookedInOpenYear, assertNotAfterToday } from './year-guard';

/** Whether a recorded refund is the one `c` pays: its amount, day and bank reference. */
export const isRefundOf = (r: Pick<RefundState, 'amount' | 'date' | 'reference'>, c: Pick<RefundPayment, 'amount' | 'date' | 'reference'>): boolean =>
  r.amount.eq(c.amount) && r.date === c.date && r.reference === c.reference;

/**
 * The member's credit on an invoice that a refund dated `date` may pay out: what it held at the end of that
 * day and what it holds now, whichever is less. Money is not paid back before the credit arose (a refund
 * dated before the overpayment), nor beyond what is left of it since (a later payment reversed, a refund
 * already paid).
 */
function refundable(inv: InvoiceState, date: string): Decimal {
  return Decimal.max(Decimal.min(openBalanceAt(inv, date).neg(), openBalance(inv).neg()), 0);
}

/**
 * Why a refund of `amount` dated `date` cannot be paid from the invoice as it stands (before the refund):
 * beyond the member's credit on that day or now. The refund command refuses it, and a replay of the log
 * names a stored refund it finds so (a RefundPaid edited and its chain written anew).
 */
export function refundProblem(inv: InvoiceState, amount: Decimal, date: string): string | undefined {
  const credit = refundable(inv, date);
  if (amount.lte(credit)) return undefined;
  const now = openBalance(inv);
  const held = now.isNeg() ? `${inv.invoice.buyer.name} har ${formatSek(now.neg())} tillgodo på fakturan` : `${inv.invoice.buyer.name} har inget tillgodo på fakturan (kvar att betala ${formatSek(now)})`;
  const then = credit.lt(now.neg()) ? `, men bara ${formatSek(credit)} den ${date}` : '';
  return `${formatSek(amount)} är mer än det som kan betalas tillbaka; ${held}${then}`;
}

/**
 * Pays back money an invoice holds for its member (overpaid, or credited after it was paid). The books
 * move it from the receivable back to the bank on its date; the invoice is open again by it, so the credit
 * a reminder sets off and the receivables list shrink alike.
 */
export function decideRefund(c: RefundPayment, state: State, today: string): Decision {
  const inv = findInvoice(state, c.invoice);
  const what = `payment.refund ${inv.invoice.number}`;
  const stream = billingStream(inv.invoice.year);
  // The same refund again (another idempotency key, the invoice named by its OCR number) is a retry.
  if (inv.refunds.some((r) => isRefundOf(r, c))) return { streamId: stream, events: [] };
  const amount = new Decimal(c.amount);
  if (amount.lte(0)) throw new DomainError(`${what}: beloppet måste vara större än noll (${c.amount})`);
  assertNotAfterToday(c.date, today, what, 'utbetalningsdagen', 'ange dagen pengarna lämnade banken');
  if (c.date < inv.invoice.issueDate) throw new DomainError(`${what}: daterad ${c.date}, innan fakturan utfärdades (${inv.invoice.issueDate})`);
  assertBookedInOpenYear(state, c.date, what);
  const problem = refundProblem(inv, amount, c.date);
  if (problem) throw new DomainError(`${what}: ${problem}`);
  return {
    streamId: stream,
    events: [{ type: 'RefundPaid', data: { invoice: inv.invoice.number, amount: amountString(amount), date: c.date, reference: c.reference, reason: c.reason } }],
  };
}
