import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { BgMaxError, isBgMax, parseBgMax } from '../bank/bgmax';
import type { Config } from '../config';
import { readUtf8 } from './input-files';
import { UsageError } from './io';

/** A payment as a bank file gives it, and the line it is on. */
export interface BankRow {
  line: number;
  reference: string;
  amount: string;
  date: string;
  bankReference?: string;
}

/**
 * The payments in a bank file: Bankgirot's BgMax (src/bank/bgmax.ts; Latin-1, each payment identified by
 * Bankgirot's serial number), or a CSV file with date, amount, reference and optionally bankReference.
 */
export function bankFileRows(file: string, config: Config): BankRow[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UsageError(`kan inte läsa ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!isBgMax(bytes.toString('latin1', 0, 7))) {
    const text = readUtf8(file);
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: true, skip_empty_lines: true, trim: true });
    } catch (err) {
      throw new UsageError(`${file}: ingen läsbar CSV-fil: ${(err as Error).message}`);
    }
    return rows.map((r, i) => ({ line: i + 2, reference: r.reference, amount: r.amount, date: r.date, bankReference: r.bankReference }));
  }
  let bgmax: ReturnType<typeof parseBgMax>;
  try {
    bgmax = parseBgMax(iconv.decode(bytes, 'latin1'));
  } catch (err) {
    if (err instanceof BgMaxError) throw new UsageError(`${file}: ${err.message}; ingenting registrerat`);
    throw err;
  }
  if (bgmax.marker !== 'P') throw new UsageError(`${file}: en testfil från Bankgirot (märkt ${bgmax.marker || 'utan märkning'}, inte P); ingenting registrerat`);
  const own = config.seller.bankgiro;
  const foreign = bgmax.receivers.find((r) => own !== undefined && r !== own);
  if (foreign) throw new UsageError(`${file}: betalningarna gick till bankgiro ${foreign}, inte föreningens ${own}; ingenting registrerat`);
  return bgmax.payments.map((p) => ({ line: p.line, reference: p.reference, amount: p.amount, date: p.date, bankReference: `BGC ${p.serial}` }));
}
