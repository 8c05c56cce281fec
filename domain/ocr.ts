import { documentNumber, parseDocumentNumber } from './billing/numbers';
import { luhnDigit } from './luhn';

/*
 * The OCR number a member pays an invoice with: digits only, as a bank's payment form and Bankgirot's
 * incoming-payment files carry it, derived from the invoice number and back. Series digit (M 1, T 2),
 * year, sequence in six digits, then a length digit (the number's length, 13, mod 10) and a Luhn check
 * digit over all before it: Bankgirot's "hård kontroll", so a mistyped OCR is refused rather than matched
 * to another invoice.
 */

/** The invoice series that are paid, and each one's first digit. Credit notes have no OCR number. */
const SERIES_DIGIT: Readonly<Record<string, string>> = { M: '1', T: '2' };
const LENGTH = 13;

/** The OCR number of an invoice number (`T2024-0001` → 2202400000139), or undefined for a number that has none. */
export function ocrOf(invoiceNumber: string): string | undefined {
  const n = parseDocumentNumber(invoiceNumber);
  const digit = n ? SERIES_DIGIT[n.series] : undefined;
  if (!n || digit === undefined || n.sequence.length > 6) return undefined;
  const body = `${digit}${n.year}${n.sequence.padStart(6, '0')}${LENGTH % 10}`;
  return `${body}${luhnDigit(body)}`;
}

export const isOcrLike = (text: string): boolean => /^\d+$/.test(text.trim());

/** The invoice number an OCR number stands for, or why it stands for none (in Swedish). */
export function invoiceOfOcr(input: string): { invoice: string } | { problem: string } {
  const ocr = input.trim();
  if (ocr.length !== LENGTH) return { problem: `ett OCR-nummer från samkost har ${LENGTH} siffror, inte ${ocr.length}` };
  if (luhnDigit(ocr.slice(0, -1)) !== Number(ocr.at(-1)) || ocr[LENGTH - 2] !== String(LENGTH % 10)) return { problem: 'kontrollsiffran stämmer inte (felskrivet?)' };
  const series = Object.keys(SERIES_DIGIT).find((s) => SERIES_DIGIT[s] === ocr[0]);
  if (series === undefined) return { problem: `ingen fakturaserie börjar med ${ocr[0]}` };
  return { invoice: documentNumber(series, Number(ocr.slice(1, 5)), Number(ocr.slice(5, 11))) };
}
