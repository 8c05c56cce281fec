import { DomainError } from '../errors';
import { namedFirst } from '../swedish-list';

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

/** A number series of one year (`T2023`) whose sequence has holes: what an auditor must be able to detect. */
export interface SeriesGap {
  series: string;
  year: number;
  /** The highest sequence the series has. */
  last: number;
  /** The numbers below it that no document has, in order. */
  missing: string[];
}

/**
 * The holes in each series of `numbers` (mervärdesskattelagen 17 kap. 24 §: a missing number must be
 * detectable). Every series starts at 1 and a document takes the next number, so a series is whole when its
 * numbers are 1 … its highest; a number that is not a document number is ignored (no series to hold it).
 */
export function seriesGaps(numbers: Iterable<string>): SeriesGap[] {
  const series = new Map<string, { series: string; year: number; sequences: Set<number>; last: number }>();
  for (const number of numbers) {
    const p = parseDocumentNumber(number);
    if (!p) continue;
    const key = `${p.series}${p.year}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { series: p.series, year: p.year, sequences: new Set(), last: 0 }));
    const n = Number(p.sequence);
    s.sequences.add(n);
    if (n > s.last) s.last = n;
  }
  const gaps: SeriesGap[] = [];
  for (const s of [...series.values()].sort((a, b) => a.year - b.year || a.series.localeCompare(b.series))) {
    const missing: string[] = [];
    for (const { from, to } of missingSequences(s.sequences)) for (let n = from; n <= to; n++) missing.push(documentNumber(s.series, s.year, n));
    if (missing.length) gaps.push({ series: s.series, year: s.year, last: s.last, missing });
  }
  return gaps;
}

/** The runs of sequences 1 … the highest of `sequences` that none of them has, in order: what a series lacks. */
export function missingSequences(sequences: Iterable<number>): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  let previous = 0;
  for (const q of [...new Set(sequences)].sort((a, b) => a - b)) {
    if (q - 1 >= previous + 1) runs.push({ from: previous + 1, to: q - 1 });
    previous = q;
  }
  return runs;
}

/** A gap for people: "nummerserien T2023 (1–125) saknar T2023-0124". */
export function describeGap(g: SeriesGap): string {
  return `nummerserien ${g.series}${g.year} (1–${g.last}) saknar ${namedFirst(g.missing, 10)}: ett dokument har tagits bort ur loggen`;
}
