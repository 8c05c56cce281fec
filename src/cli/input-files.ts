import { duplicateKey, duplicateKeyWords } from '../json-keys';
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileProblem } from './file-errors';
import { UsageError } from './io';
import { amountText } from './options';

/** The bytes of a file the user named; one that cannot be read is refused by name. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`kan inte läsa ${path}: ${fileProblem(err)}`);
  }
}

/** The text of `bytes` read from `path`, which must be UTF-8; anything else is refused by name, never half-read. */
export function utf8Text(path: string, bytes: Uint8Array): string {
  // Named as such: "often Latin-1" sent its user looking for the wrong cause.
  if (looksUtf16(bytes)) throw new UsageError(`${path} är UTF-16-text, inte UTF-8 (spara filen som UTF-8)`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new UsageError(`${path} är inte UTF-8-text (spara filen som UTF-8; exporter från SCB och kalkylprogram är ofta Latin-1)`);
  }
}

/**
 * UTF-16 (a Windows tool's "Unicode"): a byte-order mark, or a NUL, which no text file or JSON body holds
 * and which UTF-16's ASCII text has beside each character (it even decodes as UTF-8). The CLI's files and
 * the HTTP server's bodies are told apart by this one test.
 */
export const looksUtf16 = (bytes: Uint8Array): boolean =>
  (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.includes(0);

/** Reads a text file that must be UTF-8. */
export const readUtf8 = (path: string): string => utf8Text(path, readBytes(path));

/**
 * Where JSON.parse stopped, in the user's words: its own message is English ("Unexpected token 'o', …").
 * The position, where V8 gives one, is kept as a character count.
 */
export function jsonProblem(err: unknown): string {
  const m = /position (\d+)/.exec((err as Error).message);
  if (m) return `fel vid tecken ${Number(m[1]) + 1}`;
  return /Unexpected end of JSON input/.test((err as Error).message) ? 'texten tar slut mitt i' : 'tecken som inte hör hemma i JSON';
}

export const readJsonFile = (path: string): unknown => readSealedJsonFile(path).value;

/**
 * A JSON file read once, with the SHA-256 of its bytes: what an auditor compares with the hash noted when
 * the file was written (a heads file, an audit manifest).
 */
export function readSealedJsonFile(path: string): { value: unknown; sha256: string } {
  const bytes = readBytes(path);
  const text = utf8Text(path, bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} är inte giltig JSON (${jsonProblem(err)})`);
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new UsageError(`${path}: ${duplicateKeyWords(twice)}`);
  return { value, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What csv-parse found wrong with a file, in the user's words and with its line; its own message otherwise. */
export function csvProblem(err: unknown): string {
  const e = err as { code?: string; lines?: number; message: string };
  const line = e.lines !== undefined ? `rad ${e.lines}: ` : '';
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `${line}raden har ett annat antal fält än rubrikraden (ett kommatecken för mycket, eller ett belopp med decimalkomma utan citattecken: skriv 1000.00 eller "1000,00")`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${line}ett citattecken öppnas men stängs aldrig`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${line}tecken direkt efter ett avslutande citattecken`;
    default:
      return e.message;
  }
}

export interface PopulationColumns {
  code: string;
  name: string;
  population: string;
  year: string;
}

export const DEFAULT_POPULATION_COLUMNS: PopulationColumns = { code: 'code', name: 'name', population: 'population', year: 'year' };

/**
 * An SCB table as CSV with a header row, one row per municipality and year (`code,name,county,population,year`,
 * or other column names through `columns`), grouped into one table per year at 31 December.
 */
export function readPopulationCsv(path: string, columns: PopulationColumns = DEFAULT_POPULATION_COLUMNS) {
  const text = readUtf8(path);
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, delimiter: text.includes(';') && !text.includes(',') ? ';' : ',' });
  } catch (err) {
    throw new UsageError(`${path}: ingen läsbar CSV-tabell: ${csvProblem(err)}`);
  }
  if (records.length === 0) throw new UsageError(`${path}: inga rader`);
  for (const key of Object.values(columns)) {
    if (!(key in records[0])) throw new UsageError(`${path}: kolumnen "${key}" saknas (kolumnerna är ${Object.keys(records[0]).join(', ')}; ange vilka som gäller med --columns)`);
  }
  const byYear = new Map<number, { code: string; name: string; population: number }[]>();
  records.forEach((r, i) => {
    const line = i + 2;
    const year = Number(r[columns.year]);
    const population = Number(String(r[columns.population]).replace(/\s/g, ''));
    if (!Number.isInteger(year)) throw new UsageError(`${path} rad ${line}: året "${r[columns.year]}" är inte ett årtal`);
    if (!Number.isInteger(population) || population < 0) throw new UsageError(`${path} rad ${line}: folkmängden "${r[columns.population]}" är inte ett heltal`);
    const rows = byYear.get(year) ?? [];
    rows.push({ code: String(r[columns.code]).padStart(4, '0'), name: r[columns.name], population });
    byYear.set(year, rows);
  });
  return {
    source: `SCB BE0101 Folkmängd 31 december (${basename(path)})`,
    tables: [...byYear.entries()].sort(([a], [b]) => a - b).map(([year, rows]) => ({ year, referenceDate: `${year}-12-31`, rows })),
  };
}

/**
 * Opening balances from a file: CSV with the header `konto;belopp` (semicolon-separated, as a Swedish
 * spreadsheet saves it; commas where the header has them), amounts as "125000.00" or "125 000,00", debit
 * positive and credit negative; or JSON, an array of `{"account","amount"}` (or an object with one as
 * `balances`), as the command takes them. Accounts and amounts are checked by the command's decider, which
 * names the account; only the file's shape is checked here.
 */
export function readOpeningBalancesFile(path: string): { account: string; amount: string }[] {
  if (/\.json$/i.test(path)) {
    const value = readJsonFile(path);
    const rows = Array.isArray(value) ? value : (value as { balances?: unknown } | null)?.balances;
    if (!Array.isArray(rows)) throw new UsageError(`${path}: ska vara en JSON-lista av {"account": "1930", "amount": "125000.00"} (eller ett objekt med den som "balances")`);
    // Anything else in the object (a "reason", a "year") would be taken for given and silently dropped.
    const other = Array.isArray(value) ? [] : Object.keys(value as object).filter((k) => k !== 'balances');
    if (other.length > 0) throw new UsageError(`${path}: okänt fält ${other.map((k) => `"${k}"`).join(', ')}; filen ger bara raderna ("balances"), övriga uppgifter anges som flaggor`);
    return rows as { account: string; amount: string }[];
  }
  const text = readUtf8(path);
  const header = text.split(/\r?\n/, 1)[0];
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, delimiter: header.includes(';') ? ';' : ',' });
  } catch (err) {
    throw new UsageError(`${path}: ingen läsbar CSV-tabell: ${csvProblem(err)}`);
  }
  const columns = records.length > 0 ? Object.keys(records[0]) : header.split(/[;,]/).map((c) => c.trim().toLowerCase());
  if (!columns.includes('konto') || !columns.includes('belopp')) {
    throw new UsageError(`${path}: rubrikraden ska vara "konto;belopp" (den är "${header.trim()}")`);
  }
  if (records.length === 0) throw new UsageError(`${path}: inga rader under rubrikraden`);
  // A spreadsheet may write a minus sign (U+2212) for a credit.
  return records.map((r) => ({ account: r.konto, amount: amountText(r.belopp.replace(/^\u2212/, '-')) }));
}

/**
 * Lines of an apply file may name a data file instead of carrying it inline: `{"type":"population.import",
 * "file":"scb.csv"}` or `{"type":"schedule.adopt","file":"schedule-2020.json","year":2023}`. Paths are
 * relative to the apply file.
 */
export function expandFileReference(command: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  if (typeof command.file !== 'string') return command;
  const { file, ...rest } = command;
  const path = resolve(baseDir, file as string);
  // A table the file gives (a population table, opening balances) must not also be given inline: one of the
  // two would be silently dropped. A JSON file's other fields are given inline beside it (a schedule's year).
  const given = rest.type === 'population.import' ? 'tables' : rest.type === 'ledger.opening' || rest.type === 'ledger.opening.correct' ? 'balances' : undefined;
  if (given !== undefined && given in rest) throw new UsageError(`${String(rest.type)}: både "file" och "${given}" anges; ange det ena`);
  if (rest.type === 'population.import') {
    const table = readPopulationCsv(path);
    return { ...rest, source: rest.source ?? table.source, tables: table.tables };
  }
  if (rest.type === 'ledger.opening' || rest.type === 'ledger.opening.correct') return { ...rest, balances: readOpeningBalancesFile(path) };
  const content = readJsonFile(path);
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw new UsageError(`${path}: ska vara ett JSON-objekt`);
  return { ...(content as Record<string, unknown>), ...rest };
}

export const dirOf = (path: string) => dirname(resolve(path));
