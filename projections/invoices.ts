import Decimal from 'decimal.js';
import { openBalance, paidOf } from '../domain/deciders/billing';
import type { CreditNoteIssued, InvoiceIssued } from '../domain/events/billing';
import { formatPercent, formatSek, sum } from '../domain/money';
import { type InvoiceState, pushTo, type State } from '../domain/state';

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
  open: Decimal;
}

export function invoiceSummaries(state: State, year: number): InvoiceSummary[] {
  return [...(state.billing.get(year)?.invoices.values() ?? [])].map((i) => ({
    number: i.invoice.number, kind: i.invoice.kind, buyer: i.invoice.buyer.orgnr, buyerName: i.invoice.buyer.name, issueDate: i.invoice.issueDate,
    dueDate: i.invoice.dueDate, totalNet: i.invoice.totalNet, totalVat: i.invoice.totalVat, total: i.invoice.total, credited: i.creditedGross, paid: paidOf(i), open: openBalance(i),
  }));
}

/** Open receivables per member: invoices less credit notes less payments, over every year. */
export function receivables(state: State): { member: string; name: string; invoices: { number: string; dueDate: string; open: Decimal }[]; open: Decimal }[] {
  const byMember = new Map<string, InvoiceState[]>();
  for (const b of state.billing.values()) for (const i of b.invoices.values()) pushTo(byMember, i.invoice.buyer.orgnr, i);
  return [...byMember.entries()].map(([member, invs]) => {
    const open = invs.map((i) => ({ number: i.invoice.number, dueDate: i.invoice.dueDate, open: openBalance(i) })).filter((x) => !x.open.isZero());
    return { member, name: invs[0].invoice.buyer.name, invoices: open, open: sum(open.map((x) => x.open)) };
  }).filter((r) => !r.open.isZero()).sort((a, b) => a.name.localeCompare(b.name, 'sv'));
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
  if ('dueDate' in doc) out.push(`Förfallodatum: ${doc.dueDate}`, `Period: ${doc.period}`);
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
  if (doc.legalBasis) out.push('', doc.legalBasis);
  return `${out.join('\n')}\n`;
}

