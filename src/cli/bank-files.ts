import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { BgMaxError, isBgMax, parseBgMax } from '../bank/bgmax';
import type { Config } from '../config';
import { csvProblem, readBytes, utf8Text } from './input-files';
import { UsageError } from './io';
import Decimal from 'decimal.js';
import { parseCommand } from '../../domain/commands';
import type { RecordPayment } from '../../domain/commands/billing';
import { findInvoice, paymentProblem, samePayment } from '../../domain/deciders/billing';
import { formatSek } from '../../domain/money';
import { type InvoiceState, openBalance, type PaymentState } from '../../domain/state';
import type { Engine } from '../app/engine';
import { paymentCommandId } from '../app/ids';

/** How a payment from a BgMax file records Bankgirot's serial number (12 digits) as its reference. */
const BANK_SERIAL = /^BGC \d{12}$/;
const bankSerialReference = (serial: string): string => `BGC ${serial}`;

/** A bank-file reference that is Bankgirot's serial number: one payment, never another's. */
const isBankSerial = (reference: string): boolean => BANK_SERIAL.test(reference);

/** The columns a CSV payment file must have (bankReference is optional). */
const CSV_COLUMNS = ['date', 'amount', 'reference'];

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
  const bytes = readBytes(file);
  if (!isBgMax(bytes.toString('latin1', 0, 7))) {
    const text = utf8Text(file, bytes);
    // With each record's line (info), so that a refusal names the line the user sees, blank lines counted.
    let rows: { record: Record<string, string>; info: { lines: number } }[];
    try {
      rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true });
    } catch (err) {
      throw new UsageError(`${file}: ingen läsbar CSV-fil: ${csvProblem(err)}`);
    }
    // A header that is not ours (another separator, other names) would make every row lack its fields.
    const header = Object.keys(rows[0]?.record ?? {});
    const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
    if (rows.length > 0 && missing.length > 0) {
      throw new UsageError(`${file}: rubrikraden ska vara ${CSV_COLUMNS.join(',')} (komma mellan fälten, små bokstäver; bankReference får finnas också), men saknar ${missing.join(', ')}: den är "${header.join(',')}"`);
    }
    if (rows.length === 0) throw new UsageError(`${file}: inga betalningar i filen (en CSV-fil ska ha rubrikraden date,amount,reference och en rad per betalning)`);
    // An empty bankReference cell is no reference of the bank's.
    return rows.map(({ record: r, info }) => ({ line: info.lines, reference: r.reference, amount: r.amount, date: r.date, bankReference: r.bankReference || undefined }));
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
  return bgmax.payments.map((p) => ({ line: p.line, reference: p.reference, amount: p.amount, date: p.date, bankReference: bankSerialReference(p.serial) }));
}

/**
 * A bank row as a payment command. The bank's own identity of the payment is its reference when the file
 * gives one (BgMax: Bankgirot's serial); without one, the invoice it pays (its OCR number resolved), so
 * that the same payment given once by OCR and once by invoice number is one payment. The bank has the
 * money, so what exceeds the invoice is recorded as the member's credit (checkBankPayments reports it).
 */
export function bankPayment(r: BankRow): RecordPayment | Error {
  try {
    const c = parseCommand({ type: 'payment.record', invoice: r.reference, amount: r.amount, date: r.date, reference: r.bankReference ?? r.reference, overpayment: true, fromBank: true }) as RecordPayment;
    return r.bankReference === undefined ? { ...c, reference: c.invoice } : c;
  } catch (err) {
    return err as Error;
  }
}

/**
 * A bank file's rows as payment commands, a row the file repeats being a payment of its own. Without a
 * bank reference (a CSV file without the bankReference column) a payment is known by its invoice, amount
 * and value date alone, so two payments of the same amount on the same day to the same invoice, which a
 * bank's statement does hold, would be one payment and the second one's money never recorded. Within one
 * file the n-th such identical row (n ≥ 2) is therefore recorded with its number after the invoice as its
 * reference ("M2024-0002 #2"): it is in the recorded payment itself, where decidePayment and samePayment
 * look (they take a payment of the same invoice, amount, value date and reference for the same payment,
 * whatever command id brings it), and in its command id (paymentCommandId) alike. The first row keeps the
 * identity it always had, so a file imported before this records nothing new when imported again, and
 * the same file imported twice records its repeated rows once each. A row the bank gives a reference of
 * its own (Bankgirot's serial, the bankReference column) is known by it: the same reference again is the
 * same payment.
 */
export function bankPayments(rows: readonly BankRow[]): (RecordPayment | Error)[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const c = bankPayment(r);
    if (c instanceof Error || r.bankReference !== undefined) return c;
    const id = paymentCommandId(c);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? c : { ...c, reference: repeatedRowReference(c.invoice, n) };
  });
}

/** The reference of the n-th (n ≥ 2) identical row of a bank file without a bank reference: see bankPayments. */
export const repeatedRowReference = (invoice: string, n: number): string => `${invoice} #${n}`;

/**
 * Every row of a bank file checked before any is recorded, in file order, as if the rows before it were
 * recorded (what they take of an invoice's open balance): a file with a bad row records nothing. A row
 * recorded before, or repeated in the file under the same bank reference, is the same payment (a repeated
 * row without one is numbered by bankPayments, and is another). A row matching a payment typed by hand
 * (same invoice, amount and value date, a reference that is not the bank's, not reversed) is taken for that payment,
 * which the bank now confirms: it is not recorded again, and reported; each typed payment answers for one
 * row, and a payment a row is already recorded as answers for no other. Anything beyond an invoice is recorded as the member's credit, and reported.
 */
export async function checkBankPayments(
  engine: Engine, file: string, rows: readonly BankRow[], parsed: readonly (RecordPayment | Error)[], today: string,
): Promise<{ commands: RecordPayment[]; overpaid: string[]; typed: string[] }> {
  const pending = new Map<string, Decimal>();
  const inFile = new Set<string>();
  const claimed = new Set<PaymentState>();
  const overpaid: string[] = [];
  const typed: string[] = [];
  const commands: RecordPayment[] = [];
  for (const [i, c] of parsed.entries()) {
    const refuse = (message: string) => new UsageError(`${file} rad ${rows[i].line}: ${message}`);
    if (c instanceof Error) throw refuse(c.message);
    let inv: InvoiceState;
    try {
      inv = findInvoice(engine.state, c.invoice);
    } catch (err) {
      throw refuse((err as Error).message);
    }
    const id = paymentCommandId(c);
    // Recorded before under another command id (a typed payment, an HTTP key): the same payment, counted once.
    const recorded = inFile.has(id) ? undefined : samePayment(c, inv);
    if (recorded) {
      // Answering for this row, it answers for no other as a payment typed by hand.
      claimed.add(recorded);
      inFile.add(id);
      commands.push(c);
      continue;
    }
    if (!inFile.has(id) && (await engine.store.eventsOfCommand(id)).length === 0) {
      // A typed payment since reversed is no money received: the bank's row is, and is recorded.
      const byHand = inv.payments.find((p) => !claimed.has(p) && !p.reversed && p.amount.eq(c.amount) && p.date === c.date && p.reference !== c.reference && !isBankSerial(p.reference));
      if (byHand) {
        claimed.add(byHand);
        inFile.add(id);
        typed.push(`${c.invoice}: ${formatSek(byHand.amount)} ${byHand.date} (rad ${rows[i].line}) är redan registrerad för hand med referensen ${byHand.reference}; inte registrerad igen`);
        continue;
      }
      const before = pending.get(c.invoice) ?? new Decimal(0);
      const problem = paymentProblem(c, inv, engine.state, today, before);
      if (problem) throw refuse(problem);
      const excess = new Decimal(c.amount).minus(Decimal.max(openBalance(inv).minus(before), 0));
      if (excess.gt(0)) overpaid.push(`${c.invoice}: överbetald med ${formatSek(excess)} (rad ${rows[i].line}); överskottet blir medlemmens tillgodohavande`);
      pending.set(c.invoice, before.plus(c.amount));
    }
    inFile.add(id);
    commands.push(c);
  }
  return { commands, overpaid, typed };
}
