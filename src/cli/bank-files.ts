import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { BgMaxError, isBgMax, parseBgMax } from '../bank/bgmax';
import type { Config } from '../config';
import { csvProblem, readBytes, utf8Text } from './input-files';
import { amountText } from './options';
import { UsageError } from './io';
import Decimal from 'decimal.js';
import { parseCommand } from '../../domain/commands';
import type { ImportPayments, RecordPayment } from '../../domain/commands/billing';
import { findInvoice } from '../../domain/deciders/billing';
import { checkPaymentImport, PaymentRowError, paymentIdentity, type RowOutcome, typedFor } from '../../domain/deciders/payment-import';
import { formatSek } from '../../domain/money';
import type { PaymentState, State } from '../../domain/state';
import { paymentCommandId } from '../app/ids';

/** How a payment from a BgMax file records Bankgirot's serial number (12 digits) as its reference (payment-import.ts#isBankSerial). */
const bankSerialReference = (serial: string): string => `BGC ${serial}`;

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
    // An amount as a Swedish spreadsheet writes it ("1 000,00", quoted for its comma) is read as typed ones are.
    return rows.map(({ record: r, info }) => ({ line: info.lines, reference: r.reference, amount: amountText(r.amount ?? ''), date: r.date, bankReference: r.bankReference || undefined }));
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

/** A bank file's payments as they will be recorded: one command per year whose invoices they pay, and what is reported. */
export interface BankImport {
  /**
   * One `payment.import` per invoice year with a row to record, each appended whole or not at all, holding
   * all that year's rows; the engine gives it an id by what it records (src/app/ids.ts#decidedImportId).
   */
  commands: ImportPayments[];
  /** The rows to be recorded, with their line in the file and what exceeds their invoice, if anything. */
  toRecord: { payment: RecordPayment; line: number; overpaidBy?: Decimal }[];
  /** Rows taken for a payment typed by hand, in words. */
  typed: string[];
}

const typedWords = (c: RecordPayment, p: PaymentState, line: number): string =>
  `${c.invoice}: ${formatSek(p.amount)} ${p.date} (rad ${line}) är redan registrerad för hand med referensen ${p.reference}; inte registrerad igen`;

/**
 * What an import did, as it was appended: the rows checked to be recorded that the append recorded (by the
 * events it returned), what exceeded their invoices, and the rows it took for a payment typed by hand after
 * the check (its decision at the append saw one the check did not): those are reported as typed, not as
 * recorded before. `state` is the engine's after the appends.
 */
export function importReport(state: State, checked: BankImport, recorded: readonly { invoice: string; amount: string; date: string; reference: string }[]):
  { recorded: BankImport['toRecord']; overpaid: string[]; typed: string[] } {
  const recordedIds = new Set(recorded.map(paymentIdentity));
  const wasRecorded = (c: RecordPayment) => recordedIds.has(paymentIdentity(c));
  const done = checked.toRecord.filter((t) => wasRecorded(t.payment));
  const claimed = new Set<PaymentState>();
  const typed = [...checked.typed];
  for (const t of checked.toRecord) {
    if (wasRecorded(t.payment)) continue;
    const inv = findInvoice(state, t.payment.invoice);
    const byHand = inv.payments.find((p) => typedFor(t.payment, p, claimed));
    if (byHand) {
      claimed.add(byHand);
      typed.push(typedWords(t.payment, byHand, t.line));
    }
  }
  const overpaid = done.flatMap((t) => (t.overpaidBy ? [`${t.payment.invoice}: överbetald med ${formatSek(t.overpaidBy)} (rad ${t.line}); överskottet blir medlemmens tillgodohavande`] : []));
  return { recorded: done, overpaid, typed };
}

/**
 * Every row of a bank file checked before any is recorded (domain/deciders/payment-import.ts#checkPaymentImport,
 * which the append decides by again): a file with a row that cannot be recorded records nothing, and its
 * refusal names the file's line. What a row matching a typed payment, or exceeding its invoice, does is
 * reported in words.
 */
export function checkBankPayments(state: State, file: string, rows: readonly BankRow[], parsed: readonly (RecordPayment | Error)[], today: string): BankImport {
  const refuse = (i: number, message: string) => new UsageError(`${file} rad ${rows[i].line}: ${message}`);
  const bad = parsed.findIndex((c) => c instanceof Error);
  if (bad >= 0) throw refuse(bad, (parsed[bad] as Error).message);
  const payments = parsed as readonly RecordPayment[];
  let outcomes: RowOutcome[];
  try {
    outcomes = checkPaymentImport(payments, state, today);
  } catch (err) {
    if (err instanceof PaymentRowError) throw refuse(err.index, err.problem);
    throw err;
  }
  const byYear = new Map<number, ImportPayments['payments']>();
  const result: BankImport = { commands: [], toRecord: [], typed: [] };
  outcomes.forEach((o, i) => {
    const c = payments[i];
    const line = rows[i].line;
    // Every row goes to its year's command, those recorded before too: which typed payment a row answers
    // for depends on the rows before it, and the append decides them all again.
    const { type: _t, ...payment } = c;
    const year = o.invoice.invoice.year;
    byYear.set(year, [...(byYear.get(year) ?? []), payment]);
    if (o.kind === 'typed') {
      result.typed.push(typedWords(c, o.payment, line));
      return;
    }
    if (o.kind === 'already') return;
    result.toRecord.push({ payment: c, line, ...(o.overpaidBy ? { overpaidBy: o.overpaidBy } : {}) });
  });
  // A year with nothing to record is no command: importing a file again appends nothing.
  const recordsIn = new Set(outcomes.flatMap((o) => (o.kind === 'record' ? [o.invoice.invoice.year] : [])));
  result.commands = [...byYear].filter(([year]) => recordsIn.has(year)).map(([, p]) => ({ type: 'payment.import', payments: p }));
  return result;
}
