import { luhnDigit } from './luhn';

/**
 * Swedish bankgiro numbers: seven or eight digits written NNN-NNNN or NNNN-NNNN, the last a check digit by
 * the modulus-10 (Luhn) rule over the others, as Bankgirot issues them. Where members are to pay the
 * association, printed on its invoices and given in its Peppol documents (SE:BANKGIRO).
 */

/**
 * `input` as a bankgiro number is written (NNN-NNNN or NNNN-NNNN), from that form or its digits alone; or
 * why it is none, in Swedish.
 */
export function normaliseBankgiro(input: string): { bankgiro: string } | { problem: string } {
  const digits = input.trim().replace(/[-\s]/g, '');
  if (!/^\d{7,8}$/.test(digits)) return { problem: 'ett bankgironummer är sju eller åtta siffror, NNN-NNNN eller NNNN-NNNN' };
  const check = luhnDigit(digits.slice(0, -1));
  if (check !== Number(digits.at(-1))) return { problem: `kontrollsiffran är ${digits.at(-1)} men ska vara ${check}` };
  return { bankgiro: bankgiroWritten(digits) };
}

/** A bankgiro number's digits as it is written: NNN-NNNN or NNNN-NNNN. */
export const bankgiroWritten = (digits: string): string => `${digits.slice(0, -4)}-${digits.slice(-4)}`;

/** The digits alone, as Peppol's account identifier takes them (SE-R-008, SE-R-009). */
export const bankgiroDigits = (bankgiro: string): string => bankgiro.replace('-', '');
