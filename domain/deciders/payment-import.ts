import Decimal from 'decimal.js';
import type { ImportPayments, RecordPayment } from '../commands/billing';
import { DomainError } from '../errors';
import type { DomainEvent } from '../events';
import { ZERO } from '../money';
import { type InvoiceState, payableOn, type PaymentState, type State } from '../state';
import { billingStream, findInvoice, paymentProblem, paymentRecorded, samePayment } from './billing';
import type { Decision } from './membership';

/** How a payment from Bankgirot's BgMax file records Bankgirot's serial number (12 digits) as its reference. */
const BANK_SERIAL = /^BGC \d{12}$/;

/** A reference that is Bankgirot's serial number: one payment, never another's. */
export const isBankSerial = (reference: string): boolean => BANK_SERIAL.test(reference);

/**
 * Whether `p`, recorded on the invoice, is the payment typed by hand that the bank file's row `c` confirms: the
 * same amount and value date, another reference, typed (neither a bank file's row nor a Bankgirot serial), not
 * reversed (a typed payment since reversed is no money received: the bank's row is, and is recorded) and not
 * already answering for another row.
 */
export const typedFor = (c: RecordPayment, p: PaymentState, claimed: ReadonlySet<PaymentState>): boolean =>
  !claimed.has(p) && !p.reversed && !p.fromBank && p.amount.eq(c.amount) && p.date === c.date && p.reference !== c.reference && !isBankSerial(p.reference);

/** A reference a bank row without the bank's own reference is recorded under: its invoice (`#n` for a repeated row). */
const withoutBankReference = (reference: string, invoice: string): boolean => reference === invoice || reference.startsWith(`${invoice} #`);

/**
 * Whether `p`, recorded from an earlier bank file, is the payment the row `c` gives again, one of the two
 * with the bank's reference and the other without (an export that added the bankReference column, or left
 * it out): the same amount and value date, not reversed, not already answering for another row. Two
 * exports overlapping by a day recorded their common payments twice.
 */
export const bankRowFor = (c: RecordPayment, p: PaymentState, claimed: ReadonlySet<PaymentState>): boolean =>
  !claimed.has(p) && !p.reversed && p.fromBank === true && p.amount.eq(c.amount) && p.date === c.date
  && withoutBankReference(p.reference, c.invoice) !== withoutBankReference(c.reference, c.invoice);

/**
 * A payment as isPaymentOf tells payments apart (invoice, amount by value, value date, reference), as one
 * text: rows compared through a set, not each against every other, which is quadratic in a file's rows.
 */
export const paymentIdentity = (p: { invoice: string; amount: string; date: string; reference: string }): string =>
  `${p.invoice}\n${new Decimal(p.amount).toFixed(2)}\n${p.date}\n${p.reference}`;

/** What becomes of one row of a bank file, checked with the rows before it, and the invoice it pays. */
export type RowOutcome = { invoice: InvoiceState } & (
  | { kind: 'record'; overpaidBy?: Decimal }
  /** Recorded before (or by an earlier row of the same file): the same payment, not recorded again. */
  | { kind: 'already' }
  /** Typed by hand before the file came: the bank confirms that payment, which is not recorded again. */
  | { kind: 'typed'; payment: PaymentState }
);

/** A row that cannot be recorded: its place in the payments given, and why. */
export class PaymentRowError extends DomainError {
  constructor(readonly index: number, readonly problem: string) {
    super(`inbetalning ${index + 1}: ${problem}`);
  }
}

/**
 * Every payment of a bank file checked before any is recorded, in file order, as if those before it were
 * recorded (what they take of an invoice's open balance): one that cannot be recorded refuses them all. One
 * recorded before, or given twice, is the same payment (a bank file's identical rows without a bank
 * reference are numbered apart before they get here: src/cli/bank-files.ts#bankPayments). One matching a
 * payment typed by hand (the same invoice, amount and value date, a reference that is not the bank's, not
 * reversed) is taken for that payment, which the bank now confirms; each typed payment answers for one row,
 * and a payment a row is already recorded as answers for no other. Anything beyond an invoice is the
 * member's credit. Pure: the CLI reports it before the append, and the decider decides by it at the append,
 * on the state as it is then (a payment typed meanwhile is seen).
 */
export function checkPaymentImport(payments: readonly RecordPayment[], state: State, today: string): RowOutcome[] {
  const pending = new Map<string, Decimal>();
  const claimed = new Set<PaymentState>();
  const given = new Set<string>();
  return payments.map((c, index) => {
    let invoice: InvoiceState;
    try {
      invoice = findInvoice(state, c.invoice);
    } catch (err) {
      throw new PaymentRowError(index, (err as Error).message);
    }
    const identity = paymentIdentity(c);
    if (given.has(identity)) return { kind: 'already', invoice };
    given.add(identity);
    const recorded = samePayment(c, invoice);
    if (recorded) {
      // Answering for this row, it answers for no other as a payment typed by hand.
      claimed.add(recorded);
      return { kind: 'already', invoice };
    }
    const fromFile = invoice.payments.find((p) => bankRowFor(c, p, claimed));
    if (fromFile) {
      claimed.add(fromFile);
      return { kind: 'already', invoice };
    }
    const byHand = invoice.payments.find((p) => typedFor(c, p, claimed));
    if (byHand) {
      claimed.add(byHand);
      return { kind: 'typed', invoice, payment: byHand };
    }
    const before = pending.get(c.invoice) ?? ZERO;
    const problem = paymentProblem(c, invoice, state, today, before);
    if (problem) throw new PaymentRowError(index, problem);
    const excess = new Decimal(c.amount).minus(Decimal.max(payableOn(invoice, c.date).minus(before), 0));
    pending.set(c.invoice, before.plus(c.amount));
    return excess.gt(0) ? { kind: 'record', invoice, overpaidBy: excess } : { kind: 'record', invoice };
  });
}

/**
 * A bank file's payments to one year's invoices, recorded in one append: a process killed while a file is
 * imported leaves all of that year's payments or none, and a payment typed meanwhile is seen when the
 * append is decided again after the conflict it causes. Payments are appended to their invoice's year, so a
 * file paying two years' invoices is two of these (src/cli: one per year).
 */
export function decideImportPayments(c: ImportPayments, state: State, today: string): Decision {
  const outcomes = checkPaymentImport(c.payments.map((p) => ({ ...p, type: 'payment.record' as const })), state, today);
  const years = [...new Set(outcomes.map((o) => o.invoice.invoice.year))];
  if (years.length > 1) throw new DomainError(`payment.import: inbetalningarna gäller fakturor från ${years.join(' och ')}; ett kommando registrerar inbetalningar till ett års fakturor`);
  const events: DomainEvent[] = [];
  outcomes.forEach((o, i) => {
    const p = c.payments[i];
    if (o.kind === 'record') events.push({ type: 'PaymentRecorded', data: paymentRecorded(p) });
  });
  return { streamId: billingStream(years[0]), events };
}
