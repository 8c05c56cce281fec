import type { SellerParty } from '../domain/events/billing';
import { formatSek, sum } from '../domain/money';
import { ocrOf } from '../domain/ocr';
import type { MemberState } from '../domain/state';
import type { MemberReceivables } from './invoices';

/** One line of an address, as a letter prints it. */
const addressLine = (a: MemberState['address'] | SellerParty['address']): string | undefined =>
  a ? [a.street, [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ') : undefined;

/**
 * A payment reminder (påminnelse) in Swedish: the member's invoices past their due date on `at`, each with
 * what is left of it, its days late and its OCR number, and where to pay. Correspondence, not a billing
 * fact: nothing is stored, and the same day's reminder is the same text.
 */
export function renderReminder(member: MemberState, overdue: MemberReceivables, seller: SellerParty, at: string): string {
  const late = overdue.invoices.filter((i) => i.daysOverdue > 0);
  const out: string[] = ['PÅMINNELSE', ''];
  out.push(`Till:  ${member.name}, org.nr ${member.orgnr}`);
  const to = addressLine(member.address);
  if (to) out.push(`       ${to}`);
  if (member.invoiceReference) out.push(`       Er referens: ${member.invoiceReference}`);
  out.push(`Från:  ${seller.name}, org.nr ${seller.orgnr}`);
  const from = addressLine(seller.address);
  if (from) out.push(`       ${from}`);
  out.push(`Datum: ${at}`, '', `Enligt våra noteringar är ${late.length === 1 ? 'följande faktura obetald' : 'följande fakturor obetalda'} efter förfallodagen:`, '');
  const rows = late.map((i) => [i.number, i.dueDate, String(i.daysOverdue), formatSek(i.open), ocrOf(i.number) ?? '']);
  const head = ['Faktura', 'Förfallodag', 'Dagar', 'Kvar att betala', 'OCR-nummer'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  // Amounts and days right-aligned, as a column of figures reads.
  const line = (r: string[]) => r.map((v, c) => (c === 2 || c === 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  out.push(line(head), ...rows.map(line), '');
  out.push(`Summa förfallet: ${formatSek(sum(late.map((i) => i.open)))}`);
  const credit = sum(overdue.invoices.filter((i) => i.open.isNeg()).map((i) => i.open.neg()));
  if (credit.gt(0)) out.push(`Ni har också ett tillgodohavande på ${formatSek(credit)} (överbetalning eller kreditering), som kan avräknas.`);
  out.push('');
  out.push(seller.bankgiro
    ? `Betala till bankgiro ${seller.bankgiro} med fakturans OCR-nummer.`
    : 'Betala enligt fakturan, med fakturanumret som referens.');
  out.push('Har ni redan betalat kan ni bortse från denna påminnelse. Frågor om fakturorna besvaras av föreningens ekonomifunktion.');
  return `${out.join('\n')}\n`;
}
