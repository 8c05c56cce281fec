/** A document number: series, year and sequence in at least four digits (`T2024-0012`, `MK2023-0001`). */
export const documentNumber = (series: string, year: number, sequence: number): string => `${series}${year}-${String(sequence).padStart(4, '0')}`;

/** The parts of a number `documentNumber` made, or undefined for any other text. */
export function parseDocumentNumber(number: string): { series: string; year: number; sequence: string } | undefined {
  const m = /^([A-Z]{1,3})(\d{4})-(\d{4,})$/.exec(number);
  return m ? { series: m[1], year: Number(m[2]), sequence: m[3] } : undefined;
}

/** The year in a document number (`T2024-0012` → 2024), or undefined for any other text. */
export const documentNumberYear = (number: string): number | undefined => parseDocumentNumber(number)?.year;
