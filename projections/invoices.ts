import { differenceInCalendarDays, parseISO } from 'date-fns';
import Decimal from 'decimal.js';
import type { CreditNoteIssued, InvoiceIssued } from '../domain/events/billing';
import { amountString, formatPercent, formatSek, sum } from '../domain/money';
import { eventLink } from '../domain/event-ref';
import { paymentIdOf } from '../domain/billing/payment-id';
import { periodText } from '../domain/billing/due';
import { periodDates, suppliedPeriod } from '../domain/billing/periods';
import { ocrOf } from '../domain/ocr';
import { type InvoiceState, openBalance, openBalanceAt, paidOf, pushTo, refundedOf, type State } from '../domain/state';

export interface InvoiceSummary {
  number: string;
  kind: InvoiceIssued['kind'];
  buyer: string;
  buyerName: string;
  issueDate: string;
  dueDate: string;
  totalNet: string;
  totalVat: string;
  total: string;
  credited: Decimal;
  paid: Decimal;
  /** Paid back to the member of the invoice's credit (payment refund). */
  refunded: Decimal;
  open: Decimal;
}

export interface CreditNoteSummary {
  number: string;
  kind: CreditNoteIssued['kind'];
  buyer: string;
  buyerName: string;
  issueDate: string;
  /** The invoices it changes. */
  credits: string[];
  reason: string;
  totalNet: string;
  totalVat: string;
  total: string;
}

/** A year's credit notes in the order they were issued: what `invoices` lists beside the invoices. */
export function creditNoteSummaries(state: State, year: number): CreditNoteSummary[] {
  return [...(state.billing.get(year)?.creditNotes.values() ?? [])].map(({ value: c }) => ({
    number: c.number, kind: c.kind, buyer: c.buyer.orgnr, buyerName: c.buyer.name, issueDate: c.issueDate, credits: c.credits, reason: c.reason,
    totalNet: c.totalNet, totalVat: c.totalVat, total: c.total,
  }));
}

export function invoiceSummaries(state: State, year: number): InvoiceSummary[] {
  return [...(state.billing.get(year)?.invoices.values() ?? [])].map((i) => ({
    number: i.invoice.number, kind: i.invoice.kind, buyer: i.invoice.buyer.orgnr, buyerName: i.invoice.buyer.name, issueDate: i.invoice.issueDate,
    dueDate: i.invoice.dueDate, totalNet: i.invoice.totalNet, totalVat: i.invoice.totalVat, total: i.invoice.total, credited: i.creditedGross, paid: paidOf(i), refunded: refundedOf(i), open: openBalance(i),
  }));
}

/** One invoice not settled in full: what is open of it, and how long past its due date. */
export interface OpenInvoice {
  number: string;
  issueDate: string;
  dueDate: string;
  open: Decimal;
  /** Days past the due date on the day asked about; 0 until then, and for a credit balance. */
  daysOverdue: number;
}

/** What the association owes back on these invoices: the sum of their credit balances (overpaid or credited beyond). */
export const creditOf = (invoices: readonly OpenInvoice[]): Decimal => sum(invoices.filter((i) => i.open.isNeg()).map((i) => i.open.neg()));

export interface MemberReceivables {
  member: string;
  name: string;
  invoices: OpenInvoice[];
  open: Decimal;
  /** What of `open` is past its due date. */
  overdue: Decimal;
}

/**
 * Open receivables per member: each invoice less the credit notes it carries and its payments, over every
 * year. With `at`, as they stood at the end of that day: only documents issued and payments dated by then,
 * less those reversed and the refunds paid by then, which is what the books' account 1510 holds on that date. Days overdue are
 * counted to `overdueOn`.
 */
export function receivables(state: State, opts: { at?: string; overdueOn?: string } = {}): MemberReceivables[] {
  const { at } = opts;
  const overdueOn = opts.overdueOn ?? at;
  const byMember = new Map<string, InvoiceState[]>();
  for (const b of state.billing.values()) {
    for (const i of b.invoices.values()) if (at === undefined || i.invoice.issueDate <= at) pushTo(byMember, i.invoice.buyer.orgnr, i);
  }
  const openAt = (i: InvoiceState): Decimal => (at === undefined ? openBalance(i) : openBalanceAt(i, at));
  return [...byMember.entries()].map(([member, invs]) => {
    const open = invs.map((i): OpenInvoice => {
      const amount = openAt(i);
      const late = overdueOn !== undefined && amount.gt(0) && i.invoice.dueDate < overdueOn;
      return {
        number: i.invoice.number, issueDate: i.invoice.issueDate, dueDate: i.invoice.dueDate, open: amount,
        daysOverdue: late ? differenceInCalendarDays(parseISO(overdueOn), parseISO(i.invoice.dueDate)) : 0,
      };
    }).filter((x) => !x.open.isZero());
    return { member, name: invs[0].invoice.buyer.name, invoices: open, open: sum(open.map((x) => x.open)), overdue: sum(open.filter((x) => x.daysOverdue > 0).map((x) => x.open)) };
  // A member is listed while any invoice of theirs is open, even when a credit on another nets it to zero:
  // what is overdue must not hide behind it.
  }).filter((r) => r.invoices.length > 0).sort((a, b) => a.name.localeCompare(b.name, 'sv'));
}

const kr = (s: string) => formatSek(new Decimal(s));

const DESCRIPTION_WIDTH = 58;

/** `text` in lines of at most `width` characters, broken between words (a longer word on a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** The Swedish text rendering of an invoice or credit note, as a member's finance office reads it. */
export function renderDocument(doc: InvoiceIssued | CreditNoteIssued, kind: 'invoice' | 'credit'): string {
  const out: string[] = [];
  const title = kind === 'credit' ? 'KREDITFAKTURA' : 'FAKTURA';
  out.push(`${title} ${doc.number}`, '');
  out.push(`Säljare: ${doc.seller.name}, org.nr ${doc.seller.orgnr}${doc.seller.vatNumber ? `, momsreg.nr ${doc.seller.vatNumber}` : ''}`);
  if (doc.seller.address) out.push(`         ${[doc.seller.address.street, [doc.seller.address.postalCode, doc.seller.address.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')}`);
  out.push(`Köpare:  ${doc.buyer.name}, org.nr ${doc.buyer.orgnr}`);
  if (doc.buyer.address) out.push(`         ${[doc.buyer.address.street, [doc.buyer.address.postalCode, doc.buyer.address.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')}`);
  if (doc.buyer.reference) out.push(`         Er referens: ${doc.buyer.reference}`);
  out.push('', `Fakturadatum: ${doc.issueDate}`);
  if ('dueDate' in doc) out.push(`Förfallodatum: ${doc.dueDate}`, `Period: ${periodText(suppliedPeriod(doc))}`);
  if ('credits' in doc) out.push(`Avser faktura: ${doc.credits.join(', ')}`, `Orsak: ${doc.reason}`);
  if ('references' in doc && doc.references?.length) out.push(`Avser a conto-fakturor: ${doc.references.join(', ')}`);
  out.push('', `${'Rad  Beskrivning'.padEnd(5 + DESCRIPTION_WIDTH)} ${'Belopp'.padStart(16)}  Moms`);
  for (const l of doc.lines) {
    // A description is never cut: what does not fit goes on the lines below, under itself.
    const [first, ...rest] = wrapWords(l.description, DESCRIPTION_WIDTH);
    out.push(`${String(l.lineNo).padStart(3)}  ${first.padEnd(DESCRIPTION_WIDTH)} ${kr(l.amount).padStart(16)}  ${l.vatCategory === 'S' ? formatPercent(l.vatRate) : '–'}`);
    for (const r of rest) out.push(`     ${r}`);
  }
  out.push('');
  for (const v of doc.vat) out.push(v.category === 'S' ? `Moms ${formatPercent(v.rate)} på ${kr(v.taxable)}: ${kr(v.vat)}` : `Utan moms (${kr(v.taxable)})`);
  out.push(`Summa exkl. moms: ${kr(doc.totalNet)}`, `Moms: ${kr(doc.totalVat)}`, `${kind === 'credit' ? 'Att kreditera' : 'Att betala'}: ${kr(doc.total)}`);
  if ('dueDate' in doc && doc.seller.bankgiro) {
    const ocr = ocrOf(doc.number);
    out.push(`Betalas till bankgiro ${doc.seller.bankgiro} senast ${doc.dueDate}${ocr ? ` med OCR-nummer ${ocr}` : `; ange ${doc.number} som referens`}.`);
  }
  if (doc.legalBasis) out.push('', doc.legalBasis);
  return `${out.join('\n')}\n`;
}

/** One payment of an invoice as `invoice show --json` gives it: its id (what `payment reverse` takes), and its reversal, if any. */
export interface PaymentShown {
  id: string;
  amount: string;
  date: string;
  reference: string;
  event: ReturnType<typeof eventLink>;
  reversed?: { date: string; reason: string; event: ReturnType<typeof eventLink> };
}

export const paymentsShown = (inv: InvoiceState): PaymentShown[] => inv.payments.map((p) => ({
  id: paymentIdOf(p.ref), amount: amountString(p.amount), date: p.date, reference: p.reference, event: eventLink(p.ref),
  ...(p.reversed ? { reversed: { date: p.reversed.date, reason: p.reversed.reason, event: eventLink(p.reversed.ref) } } : {}),
}));

/**
 * An invoice as `invoice show --json` (and GET /v1/invoices/N) gives it: the document as stored, whose
 * `period` is the period of the run that issued it ("2023-Q1"); `periodOfSupply`, the first and last day of
 * what it bills, as its text's "Period:" and its Peppol InvoicePeriod state it (derived, never stored);
 * what is credited, paid and open of it, and every payment.
 */
export const invoiceShown = (inv: InvoiceState) => ({
  ...inv.invoice, periodOfSupply: periodDates(suppliedPeriod(inv.invoice)), credited: amountString(inv.creditedGross), paid: amountString(paidOf(inv)),
  refunded: amountString(refundedOf(inv)), open: amountString(openBalance(inv)), payments: paymentsShown(inv), refunds: refundsShown(inv),
});

/** Each refund of an invoice's credit as `invoice show --json` gives it. */
export const refundsShown = (inv: InvoiceState) => inv.refunds.map((r) => ({
  amount: amountString(r.amount), date: r.date, reference: r.reference, reason: r.reason, event: eventLink(r.ref),
}));

/**
 * The payments of an invoice in Swedish, each with the id `payment reverse` takes, a reversed one with its
 * date and reason, what the credit notes took of it, and what is left to pay after them; nothing for an
 * invoice neither paid nor credited, which shows as the member got it.
 */
export function renderPayments(inv: InvoiceState): string {
  const credited = !inv.creditedGross.isZero();
  // Credited and not paid, an invoice still shows what is left of it: its own "Att betala" is what it billed.
  if (inv.payments.length === 0 && !credited) return '';
  const out: string[] = [];
  if (inv.payments.length > 0) {
    const shown = paymentsShown(inv);
    const idWidth = Math.max(...shown.map((p) => p.id.length));
    out.push('', 'Inbetalningar');
    for (const p of shown) {
      out.push(`  ${p.id.padEnd(idWidth)}  ${p.date}  ${kr(p.amount).padStart(16)}  referens ${p.reference}`);
      if (p.reversed) out.push(`  ${' '.repeat(idWidth)}  återförd ${p.reversed.date} (${p.reversed.event.streamId}@${p.reversed.event.revision}): ${p.reversed.reason}`);
    }
  }
  if (inv.refunds.length > 0) {
    out.push('', 'Återbetalningar av tillgodohavandet');
    for (const r of inv.refunds) out.push(`  ${r.ref.streamId}@${r.ref.revision}  ${r.date}  ${formatSek(r.amount).padStart(16)}  referens ${r.reference}: ${r.reason}`);
  }
  out.push('');
  if (credited) out.push(`Krediterat: ${formatSek(inv.creditedGross)} (${inv.creditNotes.join(', ')})`);
  out.push(`Betalt: ${formatSek(paidOf(inv))}`);
  if (inv.refunds.length > 0) out.push(`Återbetalt: ${formatSek(refundedOf(inv))}`);
  const open = openBalance(inv);
  out.push(open.isNeg() ? `Tillgodo för medlemmen: ${formatSek(open.neg())}` : `Kvar att betala: ${formatSek(open)}`);
  return `${out.join('\n')}\n`;
}
