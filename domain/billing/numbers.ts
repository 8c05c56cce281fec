import { DomainError } from '../errors';

/** A document number: series, year and sequence in at least four digits (`T2024-0012`, `MK2023-0001`). */
export const documentNumber = (series: string, year: number, sequence: number): string => `${series}${year}-${String(sequence).padStart(4, '0')}`;

/** The parts of a number `documentNumber` made, or undefined for any other text. */
export function parseDocumentNumber(number: string): { series: string; year: number; sequence: string } | undefined {
  const m = /^([A-Z]{1,3})(\d{4})-(\d{4,})$/.exec(number);
  return m ? { series: m[1], year: Number(m[2]), sequence: m[3] } : undefined;
}

/** The year in a document number (`T2024-0012` → 2024), or undefined for any other text. */
export const documentNumberYear = (number: string): number | undefined => parseDocumentNumber(number)?.year;

/**
 * `number`, if it is one `documentNumber` could have made; otherwise a refusal that says it is no number at
 * all, so that a typo is not answered as if it were a number no document has.
 */
export function requireDocumentNumber(number: string): string {
  if (!parseDocumentNumber(number)) throw new DomainError(`"${number}" är inget fakturanummer: ett sådant ser ut som T2024-0012 (kreditfakturor TK2024-0001)`);
  return number;
}
