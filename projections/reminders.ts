import Decimal from 'decimal.js';
import { addDays } from '../domain/billing/periods';
import type { SellerParty } from '../domain/events/billing';
import { formatSek, sum } from '../domain/money';
import { ocrOf } from '../domain/ocr';
import type { MemberState } from '../domain/state';
import { creditOf, type MemberReceivables } from './invoices';

/** Days a reminder gives to pay: a new date to pay by, counted from the reminder's. */
export const REMINDER_DAYS = 10;

export interface LateInvoice {
  number: string;
  dueDate: string;
  daysOverdue: number;
  open: Decimal;
  /** Only where the association has a bankgiro to pay to (an OCR number is given with one). */
  ocr?: string;
}

/** What a payment reminder to one member says, and its letter. */
export interface Reminder {
  member: string;
  name: string;
  at: string;
  payBy: string;
  late: LateInvoice[];
  lateTotal: Decimal;
  /** The member's credit (overpayments, credit notes left over), set off against what is late. */
  credit: Decimal;
  toPay: Decimal;
  text: string;
}

/** One line of an address, as a letter prints it. */
const addressLine = (a: MemberState['address'] | SellerParty['address']): string | undefined =>
  a ? [a.street, [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ') : undefined;

/**
 * A payment reminder (påminnelse) in Swedish for what the member has past its due date on `at`, less any
 * credit it has with the association; undefined when nothing is late or its credit covers what is. Each
 * late invoice with what is left of it, its days late and (with a bankgiro) its OCR number; a new date to
 * pay by. Correspondence, not a billing fact: nothing is stored, and the same day's reminder is the same.
 */
export function reminderFor(member: MemberState, receivable: MemberReceivables, seller: SellerParty, at: string): Reminder | undefined {
  const late: LateInvoice[] = receivable.invoices.filter((i) => i.daysOverdue > 0).map((i) => ({
    number: i.number, dueDate: i.dueDate, daysOverdue: i.daysOverdue, open: i.open, ...(seller.bankgiro ? { ocr: ocrOf(i.number) } : {}),
  }));
  const lateTotal = sum(late.map((i) => i.open));
  const credit = creditOf(receivable.invoices);
  const toPay = lateTotal.minus(credit);
  if (late.length === 0 || toPay.lte(0)) return undefined;
  const payBy = addDays(at, REMINDER_DAYS);
  const one = late.length === 1;

  const out: string[] = ['PÅMINNELSE', ''];
  out.push(`Till:  ${member.name}, org.nr ${member.orgnr}`);
  const to = addressLine(member.address);
  if (to) out.push(`       ${to}`);
  if (member.invoiceReference) out.push(`       Er referens: ${member.invoiceReference}`);
  out.push(`Från:  ${seller.name}, org.nr ${seller.orgnr}`);
  const from = addressLine(seller.address);
  if (from) out.push(`       ${from}`);
  out.push(`Datum: ${at}`, '', `Enligt våra noteringar är ${one ? 'följande faktura obetald' : 'följande fakturor obetalda'} efter förfallodagen:`, '');
  const withOcr = seller.bankgiro !== undefined;
  const head = ['Faktura', 'Förfallodag', 'Dagar efter förfallodagen', 'Kvar att betala', ...(withOcr ? ['OCR-nummer'] : [])];
  const rows = late.map((i) => [i.number, i.dueDate, String(i.daysOverdue), formatSek(i.open), ...(withOcr ? [i.ocr ?? ''] : [])]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  // Days and amounts right-aligned, as a column of figures reads.
  const line = (r: string[]) => r.map((v, c) => (c === 2 || c === 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  out.push(line(head), ...rows.map(line), '');
  if (credit.gt(0)) {
    out.push(`Summa förfallet: ${formatSek(lateTotal)}`, `Avgår ert tillgodohavande: ${formatSek(credit.neg())}`, `Att betala: ${formatSek(toPay)}`);
  } else out.push(`Att betala: ${formatSek(toPay)}`);
  out.push('', `Vänligen betala senast ${payBy}${withOcr
    ? ` till bankgiro ${seller.bankgiro}, med ${one ? 'fakturans' : 'respektive fakturas'} OCR-nummer.`
    : `, med ${one ? 'fakturans nummer' : 'respektive fakturas nummer'} som referens.`}`);
  out.push(`Har ni redan betalat kan ni bortse från denna påminnelse. Frågor om ${one ? 'fakturan' : 'fakturorna'} besvaras av föreningens ekonomifunktion.`);
  return { member: member.orgnr, name: member.name, at, payBy, late, lateTotal, credit, toPay, text: `${out.join('\n')}\n` };
}
