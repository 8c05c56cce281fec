/**
 * Re-checks an audit package written by `samkost export audit` (format samkost-audit/3, or the earlier
 * samkost-audit/2, which has no vouchers.ndjson), offline, with nothing but its files:
 *
 *   node dist/scripts/check-audit.js DIR
 *
 * - every file listed in manifest.json has the SHA-256 and size written there;
 * - events.ndjson: per stream, revisions run 0, 1, 2 … without a gap, each event's prevHash is the hash of
 *   the one before it, and its hash is SHA-256 over its canonical JSON (src/store/hash-chain.ts);
 *   the last event of each stream is the head the manifest names;
 * - splits.ndjson: each table's id is the SHA-256 of its participants' canonical JSON;
 * - every event reference in documents.ndjson, traces.ndjson and splits.ndjson names an event in
 *   events.ndjson, with its stream, revision, position, type and hash; and every event a document or its
 *   trace (or a split table its trace names) refers to comes before the document's own event;
 * - every document is the data of the hash-chained event it names, byte for byte in canonical JSON, and
 *   every invoice and credit note of the year's billing stream is in documents.ndjson;
 * - every document adds up: its lines sum to totalNet, each rate of its VAT breakdown is the sum of the
 *   lines at that rate, totalVat the breakdown's VAT and total totalNet + totalVat; its number is its
 *   series, year and sequence, and each series of the year is numbered 1, 2 … N without a gap or a duplicate;
 * - documents.ndjson is in the order the documents were issued: each one's event after the one before it,
 *   and each series' sequence above the one before it in the series (the first out of place is named);
 * - every trace is of a document in the package: its event, its lines and their amounts, and a line
 *   counts as recomputed only where its recomputed amount is the amount; a line the trace says does not
 *   recompute, or names a problem of, fails, and so does a manifest whose linesRecomputed is below its lines;
 * - a traced line's recomputed and matches are only the trace's word: a line it says recomputes is worked out
 *   again from its own per-month figures. An a-conto line is the sum of its months' shares; a settlement line
 *   is its share of the actual cost (the sum of its months' shares) less what it counts as billed (each billed
 *   line's amount, the billed document's line in documents.ndjson, less what was credited of it), the other
 *   way round on a credit note. What was credited of a billed line is what the credit notes before the
 *   settlement in documents.ndjson credited of it;
 * - every trace is worked out again from events.ndjson, by the code that wrote it (src/export/audit-package.ts#
 *   YearTracer), and must be its line byte for byte: the checks above are independent of that code and work
 *   the amounts out, this one holds the trace's words (figures' values and notes, rule, derivation, decisions)
 *   to the events; what differs is named by document, line and field;
 * - a document missing from documents.ndjson or traces.ndjson is named by its number and event;
 * - every split month a trace names by table: the table is in splits.ndjson, its weights sum to the
 *   month's Σ weights (and to the month's denominator; a price list's is 0), its shares plus the unallocated
 *   amount to the month's amount, and the line's own participants in it carry the line's weight and share;
 * - vouchers.ndjson (samkost-audit/3): every voucher balances (its transactions sum to zero), is dated in the
 *   year and is the only one with its series and number, and its source names an event in events.ndjson,
 *   with its stream, revision, type and hash; a payment reversal's voucher undoes a payment in the package
 *   (same invoice and amount, not later, reversed once) and, where the payment's voucher is of the year
 *   too, is that voucher with debit and credit swapped; a document's voucher (F, K, or a P that moves it between
 *   years) is, account by account, what the document gives by the manifest's chart (BAS where it names none,
 *   noted), as projections/ledger.ts#documentDrafts books it; a payment's, a reversal's or a refund's voucher (B)
 *   is, account by account, what projections/ledger.ts#bankTransactions books of that event; every event the year's
 *   books take (a document, payment, reversal, refund, supplier cost or payment to a supplier in
 *   events.ndjson) has its voucher of each series it gives one in, and one without is named by its event;
 *   a package of samkost-audit/2 has none, which is noted;
 * - the manifest's year and counts of documents, lines, recomputed lines, tables and vouchers are those of the files,
 *   and every one of them is there (a file in the directory the manifest does not list is noted, not failed);
 * - with --manifest-sha256 HEX (the hash `samkost export audit` printed, noted by the auditor), the manifest
 *   is the one written then: a package rewritten with a manifest to match fails here.
 *
 * Every file is read a line at a time: a national year's package is about a gigabyte.
 * Exit code 0 when everything holds, 1 when something does not (each problem printed), 2 on bad usage.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import Decimal from 'decimal.js';
import { documentNumber, missingSequences, parseDocumentNumber } from '../domain/billing/numbers';
import { grouped } from '../domain/money';
import { isValidIsoDate, monthRanges } from '../domain/proration';
import { listed as inWords, namedFirst } from '../domain/swedish-list';
import { canonicalJson } from '../domain/canonical-json';
import type { EventRef } from '../domain/event-ref';
import { AUDIT_FORMAT, AUDIT_FORMAT_WITHOUT_VOUCHERS, canonicalSha256, collectRefs, splitTableId, traceRecord, YearTracer } from '../src/export/audit-package';
import type { RecordedEvent } from '../src/store/port';
import { Command, CommanderError } from 'commander';
import { commanderRefusal, isShownByCommander } from '../src/cli/commander-errors';
import { SWEDISH_HELP } from '../src/cli/help-words';
import { fileProblem } from '../src/cli/file-errors';
import { chainBreak, eventHash, type HashableEvent } from '../src/store/hash-chain';
import { bankTransactions, type Chart, type CreditedLine, creditLines, DEFAULT_CHART, documentDrafts, invoiceLines, merged } from '../projections/ledger';
import type { CreditNoteIssued, InvoiceIssued } from '../domain/events/billing';
import { addDays } from '../domain/billing/periods';
import { OUT_OF_SCOPE_BASIS } from '../domain/billing/vat';

export interface AuditCheckResult {
  ok: boolean;
  problems: string[];
  /** What is worth a look but no failure: files beside the package that it does not list. */
  notices: string[];
  files: number;
  events: number;
  streams: number;
  references: number;
  splitTables: number;
  /** The vouchers checked; undefined for a package of samkost-audit/2, which has none. */
  vouchers?: number;
}

const NDJSON = ['events.ndjson', 'splits.ndjson', 'documents.ndjson', 'traces.ndjson'] as const;
const VOUCHERS = 'vouchers.ndjson';

interface Manifest {
  format?: string;
  year?: number;
  linesRecomputed?: number;
  files?: Record<string, { sha256: string; bytes: number }>;
  events?: { count: number; streams: Record<string, { first: number; last: number; head: string }> };
  documents?: number;
  lines?: number;
  splitTables?: number;
  vouchers?: number;
  vouchersBalanced?: number;
  /** The accounts the vouchers are booked to (the chart's mapping, without its accounts); BAS where it is absent. */
  chart?: Partial<Chart>;
}

type EventLine = HashableEvent & { position: string; metadata: HashableEvent['metadata'] & { hash: string } };

interface TableRow { key: string; member: string; weight: string; share: string }
interface Sums { weight: Decimal; share: Decimal }
/** What the lines that name a table are checked against: its sums, and those of each enrolment and member in it. */
interface TableSums extends Sums { byKey: Map<string, Sums>; byMember: Map<string, Sums> }

function tableSums(rows: readonly TableRow[]): TableSums {
  const add = (into: Map<string, Sums>, k: string, r: TableRow) => {
    const s = into.get(k);
    if (s) {
      s.weight = s.weight.plus(r.weight);
      s.share = s.share.plus(r.share);
    } else into.set(k, { weight: new Decimal(r.weight), share: new Decimal(r.share) });
  };
  const t: TableSums = { weight: new Decimal(0), share: new Decimal(0), byKey: new Map(), byMember: new Map() };
  for (const r of rows) {
    t.weight = t.weight.plus(r.weight);
    t.share = t.share.plus(r.share);
    add(t.byKey, r.key, r);
    add(t.byMember, r.member, r);
  }
  return t;
}
interface MonthTrace { month: number; priceList: boolean; monthAmount: string; weightSum: string; weight: string; share: string; unallocated: string; denominator?: string; table?: string }
/** A settlement line's own figures (projections/trace.ts#SettlementTrace): its share of the actual cost, and what it counts as billed. */
interface SettlementFigures {
  actualShare: string;
  billed: string;
  billedLines: { document: string; lineNo: number; amount: string; credited: string; net: string; event?: { eventId: string } }[];
}
interface TracedLine {
  document: { buyer: { orgnr: string } };
  line: { lineNo: number; kind: string; enrolmentId?: string; amount: string };
  amount: string;
  recomputed: string | null;
  matches: boolean;
  /** What the trace found wrong with the line, in Swedish: a missing or altered reference, weights that do not sum. */
  problems?: string[];
  months?: MonthTrace[];
  settlement?: SettlementFigures;
}
interface TracedDocument { number: string; type: string; event: { eventId: string }; lines: TracedLine[] }
interface VoucherRecord {
  series: string;
  number: string;
  date: string;
  source: { streamId: string; revision: number; position: string; eventId: string; type: string; hash: string };
  transactions: { account: string; amount: string }[];
}
/**
 * What an event settles of the voucher it is the source of (other than an accrual, P): a document's number
 * and issue date; a payment's, a payment reversal's, a refund's, a supplier payment's or a supplier cost's date, and the
 * voucher's debits (the amount; a cost's with its input VAT, which the supplier is owed with it). A payment
 * and its reversal name their invoice, and a reversal the payment it undoes.
 */
interface SourceFacts { date: string; number?: string; debit?: Decimal; invoice?: string; reverses?: string }
function sourceFacts(e: EventLine): SourceFacts | undefined {
  const d = e.data as { number?: string; issueDate?: string; date?: string; amount?: string; vat?: string; invoice?: string; payment?: string };
  // An amount that is none leaves the debits unchecked: the event's own hash already stands for its data.
  const amount = (...parts: (string | undefined)[]) => (parts.every((x) => x === undefined || (typeof x === 'string' && AMOUNT.test(x)))
    ? parts.reduce((a, x) => a.plus(x ?? 0), new Decimal(0)) : undefined);
  switch (e.type) {
    case 'InvoiceIssued':
    case 'CreditNoteIssued': return { number: d.number, date: d.issueDate as string };
    case 'PaymentRecorded': return { date: d.date as string, debit: amount(d.amount), invoice: d.invoice };
    case 'PaymentReversed': return { date: d.date as string, debit: amount(d.amount), invoice: d.invoice, reverses: d.payment };
    case 'RefundPaid': return { date: d.date as string, debit: amount(d.amount), invoice: d.invoice };
    case 'SupplierPaymentRecorded': return { date: d.date as string, debit: amount(d.amount) };
    case 'ActualCostRecorded': return { date: d.date as string, debit: amount(d.amount, d.vat) };
    default: return undefined;
  }
}
/**
 * What is wrong with a payment reversal as the package holds it (`facts` its own, at `place`): the payment it
 * names must be in the package, a payment of the same invoice and amount, in the same stream before it, and
 * made on or before the reversal's date.
 */
function reversalProblems(facts: SourceFacts, place: Place, payment: Place | undefined): string[] {
  if (payment === undefined) return [`inbetalningen ${facts.reverses} som den återför finns inte i events.ndjson`];
  const named = `${payment.streamId}@${payment.revision}`;
  if (payment.type !== 'PaymentRecorded') return [`återför ${named}, som är en ${payment.type}, ingen inbetalning`];
  const out: string[] = [];
  const paid = payment.facts;
  if (paid?.invoice !== facts.invoice) out.push(`avser ${facts.invoice}, inbetalningen ${named} ${paid?.invoice}`);
  if (paid?.debit !== undefined && facts.debit !== undefined && !paid.debit.eq(facts.debit)) out.push(`återför ${facts.debit.toFixed(2)}, inbetalningen ${named} var ${paid.debit.toFixed(2)}`);
  if (paid !== undefined && paid.date > facts.date) out.push(`daterad ${facts.date}, före inbetalningen ${named} (${paid.date})`);
  if (payment.streamId !== place.streamId || !isAfter(place.position, payment.position)) out.push(`inbetalningen ${named} kommer inte före återföringen i samma ström`);
  return out;
}

/** Whether `a`'s transactions are `b`'s with debit and credit swapped: per account, the opposite amount. */
function mirrors(a: VoucherRecord['transactions'], b: VoucherRecord['transactions']): boolean {
  const byAccount = (ts: VoucherRecord['transactions'], sign: number) => {
    const m = new Map<string, Decimal>();
    for (const t of ts) if (typeof t.amount === 'string' && AMOUNT.test(t.amount)) m.set(t.account, (m.get(t.account) ?? new Decimal(0)).plus(new Decimal(t.amount).times(sign)));
    return m;
  };
  const x = byAccount(a, 1);
  const y = byAccount(b, -1);
  return x.size === y.size && [...x].every(([account, amount]) => y.get(account)?.eq(amount) === true);
}

const transactionWords = (ts: VoucherRecord['transactions']): string => ts.map((t) => `${t.account} ${t.amount}`).join(', ');

/** What a document's event gives in the year's books (projections/ledger.ts#documentDrafts): per series, the date and the amount per account. */
interface ExpectedVoucher { series: string; date: string; accounts: Map<string, Decimal> }

/**
 * The vouchers a document event gives in `year`'s books by `chart`, as the ledger books them: a credit
 * note's lines on the accounts of the invoice lines they credit (`credited`). Undefined when its data is
 * no document the books could take (an amount that is none, no lines): what is wrong with it is named
 * where the document is checked.
 */
function expectedVouchers(e: EventLine, chart: Chart, year: number, credited: (invoice: string, lineNo: number) => CreditedLine | undefined): ExpectedVoucher[] | undefined {
  try {
    const sign = e.type === 'InvoiceIssued' ? 1 : -1;
    const lines = sign > 0 ? invoiceLines(chart, e.data as InvoiceIssued) : creditLines(chart, e.data as CreditNoteIssued, credited);
    return documentDrafts(chart, e.data as InvoiceIssued | CreditNoteIssued, sign, lines, year)
      .map((d) => ({ series: d.series, date: d.date, accounts: new Map(merged(d.transactions).map((t) => [t.account, t.amount])) }));
  } catch {
    return undefined;
  }
}

/**
 * Where a voucher's transactions differ from what its document gives, per account in Swedish ("1510
 * 1350.00 där dokumentet ger 1250.00"), or undefined when they agree.
 */
function accountDifferences(ts: VoucherRecord['transactions'], expected: Map<string, Decimal>, source = 'dokumentet'): string | undefined {
  const actual = new Map<string, Decimal>();
  for (const t of ts) actual.set(t.account, (actual.get(t.account) ?? new Decimal(0)).plus(t.amount));
  const out: string[] = [];
  for (const [account, amount] of actual) {
    const want = expected.get(account);
    if (want === undefined) {
      if (!amount.isZero()) out.push(`konto ${account} ${amount.toFixed(2)} där ${source} ger inget`);
    } else if (!want.eq(amount)) out.push(`konto ${account} ${amount.toFixed(2)} där ${source} ger ${want.toFixed(2)}`);
  }
  for (const [account, want] of expected) if (!actual.has(account)) out.push(`konto ${account} saknas där ${source} ger ${want.toFixed(2)}`);
  return out.length > 0 ? out.join(', ') : undefined;
}

/** The events the ledger books in series B: a member's payment, its reversal, and a refund. */

/** How the ledger books each event of series B (projections/ledger.ts#bankTransactions). */
const BANK_KINDS = { PaymentRecorded: 'payment', PaymentReversed: 'reversal', RefundPaid: 'refund' } as const;
/** Whether an event's type is one the ledger books in series B (a package's type is any text: own keys only). */
const isBankType = (type: unknown): type is keyof typeof BANK_KINDS => typeof type === 'string' && Object.hasOwn(BANK_KINDS, type);

/**
 * What a payment, a payment reversal or a refund gives in `year`'s books by `chart`: the ledger's own
 * transactions (projections/ledger.ts#bankTransactions), not a copy of them here that could drift, on the
 * day the event is dated. A reversal is booked with its payment's amount (`payment`, the reversed payment's
 * facts where the package holds it), as the ledger books it. Empty where it gives no voucher in the year
 * (dated in another); undefined where its data is no booking the books could take, which is named where
 * its voucher is checked.
 */
function bankVouchers(e: EventLine, chart: Chart, year: number, payment: SourceFacts | undefined): ExpectedVoucher[] | undefined {
  const d = e.data as { amount?: unknown; date?: unknown };
  const amount = amountOf(d.amount);
  if (amount === undefined || !isBankType(e.type) || typeof d.date !== 'string' || !isValidIsoDate(d.date)) return undefined;
  if (!d.date.startsWith(`${year}-`)) return [];
  const kind = BANK_KINDS[e.type];
  const booked = kind === 'reversal' ? (payment?.debit ?? amount) : amount;
  return [{ series: 'B', date: d.date, accounts: new Map(bankTransactions(chart, kind, booked).map((t) => [t.account, t.amount])) }];
}

/**
 * The series a supplier cost or a payment to a supplier gives a voucher in, in `year`'s books, as
 * projections/ledger.ts#journal books them: L or U in the year it is dated in, and a cost of the year's cost
 * year dated in another a P (its prepayment or accrual). Not its accounts: the ledger books a cost against
 * its service's self-cost, which a package's events alone do not give. None for an amount of nothing,
 * which the ledger drops.
 */
function costSeries(e: EventLine, year: number): string[] {
  const d = e.data as { amount?: unknown; vat?: unknown; date?: unknown; year?: unknown };
  const amount = amountOf(d.amount);
  const vat = d.vat === undefined ? new Decimal(0) : amountOf(d.vat);
  if (amount === undefined || vat === undefined || typeof d.date !== 'string') return [];
  const dated = d.date.startsWith(`${year}-`);
  if (e.type === 'SupplierPaymentRecorded') return dated && !amount.isZero() ? ['U'] : [];
  return [...(dated && !amount.plus(vat).isZero() ? ['L'] : []), ...(!dated && d.year === year && !amount.isZero() ? ['P'] : [])];
}

/** The vouchers an event of the package gives in the year's books, by series: what vouchers.ndjson must hold of it. */
interface BookedEvent { name: string; series: string[] }
/** How many booked events without their voucher are named; the rest are counted. */
const VOUCHERLESS_NAMED = 20;

/**
 * Where a B voucher's transactions differ from what the ledger books of its source (`expected`, bankVouchers'),
 * in Swedish. Nothing where the event's data is no booking (undefined): its date and amount are named
 * where its facts are checked.
 */
function bankVoucherProblems(ts: VoucherRecord['transactions'], series: string, year: number | undefined, expected: ExpectedVoucher[] | undefined): string[] {
  if (expected === undefined) return [];
  const own = expected.find((x) => x.series === series);
  if (own === undefined) return [`händelsen ger ingen verifikation i serie ${series} ${year}`];
  const differences = accountDifferences(ts, own.accounts, 'händelsen');
  return differences === undefined ? [] : [`stämmer inte med händelsen: ${differences}`];
}

/**
 * The events the year's books take that have no voucher of a series they give one in, a line each (the first
 * VOUCHERLESS_NAMED; the rest counted): a voucher taken out of vouchers.ndjson, and the counts in the
 * manifest lowered to match, leaves its event behind in events.ndjson.
 */
function voucherlessProblems(booked: ReadonlyMap<string, BookedEvent>, vouchered: ReadonlyMap<string, ReadonlySet<string>>, year: number | undefined): string[] {
  const missing: string[] = [];
  for (const [id, b] of booked) {
    const has = vouchered.get(id);
    for (const series of b.series) if (!has?.has(series)) missing.push(`${VOUCHERS}: ${b.name} ger en verifikation i serie ${series} ${year}, som saknas`);
  }
  const rest = missing.length - VOUCHERLESS_NAMED;
  return rest > 0 ? [...missing.slice(0, VOUCHERLESS_NAMED), `${VOUCHERS}: ${grouped(rest)} verifikationer till saknas, av händelser som bokförs ${year}`] : missing;
}

/** An amount as the package writes it, or undefined where the field holds none. */
const amountOf = (x: unknown): Decimal | undefined => (typeof x === 'string' && AMOUNT.test(x) ? new Decimal(x) : undefined);

/**
 * Where a traced line's own per-month figures do not give its amount, in Swedish ("andelarna för månad 1–3
 * summerar till 27472.78, raden anger 27572.78"): an a-conto line is the sum of its months' shares; a
 * settlement line its share of the actual cost (the sum of its months' shares) less what it counts as
 * billed (each billed line's amount less what was credited of it, that amount the billed document's line as
 * `billedLine` finds it in documents.ndjson; undefined where the package has no such document), negated on
 * a credit note. Only lines whose trace says they recompute: one that does not fails on that already.
 * What was credited of a billed line must be what `creditedOf` gives (the credit notes before the
 * settlement), where it gives anything.
 */
function lineFigureProblems(
  l: TracedLine,
  type: string,
  billedLine: (document: string, lineNo: number, eventId: string | undefined) => { amount: string | undefined; type: string } | undefined,
  creditedOf: (document: string, lineNo: number) => Decimal | undefined,
): string[] {
  const kind = l.line?.kind;
  if ((kind !== 'a-conto' && kind !== 'settlement') || l.matches !== true) return [];
  if (!Array.isArray(l.months)) return ['spårningen anger inga månader för raden, och dess belopp kan inte räknas fram ur dem'];
  const out: string[] = [];
  let shares: Decimal | undefined = new Decimal(0);
  for (const m of l.months) {
    const share = amountOf(m?.share);
    if (share === undefined) {
      out.push(`månad ${m?.month}: andelen ${JSON.stringify(m?.share)} är inget belopp`);
      shares = undefined;
    } else if (shares !== undefined) shares = shares.plus(share);
  }
  const amount = amountOf(l.amount);
  if (shares === undefined || amount === undefined) return out;
  const months = `andelarna för månad ${monthRanges(l.months.map((m) => m.month)) || '(ingen)'}`;
  if (kind === 'a-conto') {
    if (!shares.eq(amount)) out.push(`${months} summerar till ${shares.toFixed(2)}, raden anger ${l.amount}`);
    return out;
  }
  const s = l.settlement;
  if (s === undefined || s === null || !Array.isArray(s.billedLines)) return [...out, 'spårningen anger inte vad slutregleringen räknas fram ur (andel av utfallet och fakturerat)'];
  const actualShare = amountOf(s.actualShare);
  const billed = amountOf(s.billed);
  if (actualShare === undefined || !actualShare.eq(shares)) out.push(`${months} summerar till ${shares.toFixed(2)}, andelen av utfallet anges till ${s.actualShare}`);
  let nets: Decimal | undefined = new Decimal(0);
  for (const b of s.billedLines) {
    const what = `fakturerat ${b?.document} rad ${b?.lineNo}`;
    const [lineAmount, credited, net] = [amountOf(b?.amount), amountOf(b?.credited), amountOf(b?.net)];
    if (lineAmount === undefined || credited === undefined || net === undefined) {
      out.push(`${what}: ${JSON.stringify({ amount: b?.amount, credited: b?.credited, net: b?.net })} är inga belopp`);
      nets = undefined;
      continue;
    }
    if (!lineAmount.minus(credited).eq(net)) out.push(`${what}: ${b.amount} − krediterat ${b.credited} är ${lineAmount.minus(credited).toFixed(2)}, spårningen anger ${b.net}`);
    const creditNotes = creditedOf(String(b.document), b.lineNo);
    if (creditNotes !== undefined && !creditNotes.eq(credited)) out.push(`${what}: krediterat anges till ${b.credited}, kreditfakturorna före slutregleringen krediterar ${creditNotes.toFixed(2)} av raden`);
    if (nets !== undefined) nets = nets.plus(net);
    const own = billedLine(String(b.document), b.lineNo, b.event?.eventId);
    if (own !== undefined) {
      // A settlement credit note counts as billed with its sign turned: what it gave back.
      const stated = amountOf(own.amount);
      const expected = stated === undefined ? undefined : own.type === 'CreditNoteIssued' ? stated.neg() : stated;
      if (expected === undefined || !expected.eq(lineAmount)) out.push(`${what}: anges till ${b.amount}, dokumentet anger ${expected?.toFixed(2) ?? 'ingen sådan rad'}`);
    }
  }
  if (nets !== undefined && (billed === undefined || !nets.eq(billed))) out.push(`de fakturerade raderna summerar till ${nets.toFixed(2)}, spårningen anger fakturerat ${s.billed}`);
  if (billed === undefined) return out;
  const difference = type === 'CreditNoteIssued' ? billed.minus(shares) : shares.minus(billed);
  const words = type === 'CreditNoteIssued' ? `fakturerat ${billed.toFixed(2)} − andelen av utfallet ${shares.toFixed(2)}` : `andelen av utfallet ${shares.toFixed(2)} − fakturerat ${billed.toFixed(2)}`;
  if (!difference.eq(amount)) out.push(`${words} är ${difference.toFixed(2)}, raden anger ${l.amount}`);
  return out;
}

/** The series whose vouchers come from one kind of event (P, accruals, comes from documents and costs). */
const SOURCE_SERIES: Record<string, readonly string[]> = {
  F: ['InvoiceIssued'], K: ['CreditNoteIssued'], B: ['PaymentRecorded', 'PaymentReversed', 'RefundPaid'], L: ['ActualCostRecorded'], U: ['SupplierPaymentRecorded'],
};
/** An amount as the package writes it (decimal.js via moneyToJson): digits, a sign, a point. */
const AMOUNT = /^-?\d+(\.\d+)?$/;
interface DocumentLine { lineNo: number; amount: string; vatCategory: string; vatRate: string }
/** An invoice or a credit note as documents.ndjson holds it (domain/events/billing.ts: InvoiceIssued, CreditNoteIssued). */
interface DocumentRecord {
  type: string;
  event: { eventId: string; streamId: string; revision: number };
  document: {
    number: string; series: string; sequence: number; year: number; lines: DocumentLine[];
    vat: { category: string; rate: string; taxable: string; vat: string }[]; totalNet: string; totalVat: string; total: string;
  };
}

/**
 * Where a document's own figures do not add up, in Swedish, as domain/billing/vat.ts#vatBreakdown decides
 * them: its lines sum to totalNet; per VAT category and rate, the breakdown's taxable amount is the sum of
 * the lines at it (and every such rate is in the breakdown once); totalVat is the breakdown's VAT, and
 * total is totalNet + totalVat. Not each rate's VAT from its taxable amount: a credit note that leaves
 * nothing of an invoice's rate credits what the invoice charged there, which may differ from it by an öre.
 */
export function documentArithmetic(d: DocumentRecord['document']): string[] {
  const out: string[] = [];
  const amount = (what: string, x: unknown): Decimal | undefined => {
    if (typeof x === 'string' && AMOUNT.test(x)) return new Decimal(x);
    out.push(`${what} ${JSON.stringify(x)} är inget belopp`);
    return undefined;
  };
  // A sum is undefined once one of its terms is no amount (which is said once, where it is read).
  const add = (a: Decimal | undefined, b: Decimal | undefined) => (a && b ? a.plus(b) : undefined);
  const zero = new Decimal(0);
  let net: Decimal | undefined = zero;
  const byRate = new Map<string, Decimal | undefined>();
  for (const l of Array.isArray(d.lines) ? d.lines : []) {
    const a = amount(`rad ${l.lineNo}: beloppet`, l.amount);
    net = add(net, a);
    const rate = `${l.vatCategory} ${l.vatRate}`;
    byRate.set(rate, add(byRate.has(rate) ? byRate.get(rate) : zero, a));
  }
  const totalNet = amount('totalNet', d.totalNet);
  if (net && totalNet && !net.eq(totalNet)) out.push(`raderna summerar till ${net.toFixed(2)}, totalNet anger ${d.totalNet}`);
  let vat: Decimal | undefined = zero;
  const stated = new Set<string>();
  for (const v of Array.isArray(d.vat) ? d.vat : []) {
    const rate = `${v.category} ${v.rate}`;
    const taxable = amount(`momsunderlaget för ${rate}`, v.taxable);
    vat = add(vat, amount(`momsen för ${rate}`, v.vat));
    if (stated.has(rate)) {
      out.push(`momsspecifikationen har ${rate} mer än en gång`);
      continue;
    }
    stated.add(rate);
    const lines = byRate.has(rate) ? byRate.get(rate) : zero;
    if (taxable && lines && !lines.eq(taxable)) out.push(`momsunderlaget för ${rate} anger ${v.taxable}, raderna med ${rate} summerar till ${lines.toFixed(2)}`);
  }
  for (const [rate, lines] of byRate) if (!stated.has(rate) && lines) out.push(`raderna med ${rate} summerar till ${lines.toFixed(2)}, som momsspecifikationen saknar`);
  const totalVat = amount('totalVat', d.totalVat);
  if (vat && totalVat && !vat.eq(totalVat)) out.push(`momsspecifikationens moms summerar till ${vat.toFixed(2)}, totalVat anger ${d.totalVat}`);
  const total = amount('total', d.total);
  if (totalNet && totalVat && total && !totalNet.plus(totalVat).eq(total)) out.push(`totalNet ${d.totalNet} + totalVat ${d.totalVat} är ${totalNet.plus(totalVat).toFixed(2)}, total anger ${d.total}`);
  return out;
}

/**
 * Where an invoice does not say what the command it records (origin.params) decided it by, in Swedish: the
 * VAT rate of its taxed lines and breakdown, its due date (issue date + payment terms), its seller, and, for
 * a membership invoice, the legal basis of its exemption. A forger who rewrites a document and its hash
 * chain consistently, but not the command it carries, leaves the package at odds with itself (a rate of
 * 0.12 on an invoice whose run was decided at 0.25); without the noted manifest hash, nothing else names it.
 */
export function documentAgainstCommand(d: DocumentRecord['document'], type: string): string[] {
  if (type !== 'InvoiceIssued') return [];
  const doc = d as Partial<InvoiceIssued>;
  const params = (doc.origin?.params ?? {}) as { vatRate?: unknown; paymentTermsDays?: unknown; seller?: unknown; issueDate?: unknown };
  const out: string[] = [];
  if (typeof params.vatRate === 'string') {
    const taxed = (doc.lines ?? []).filter((l) => l.vatCategory === 'S' && l.vatRate !== params.vatRate).map((l) => l.lineNo);
    if (taxed.length) out.push(`${taxed.length === 1 ? 'rad' : 'raderna'} ${taxed.join(', ')} har en annan momssats än kommandot dokumentet beslutades med (${params.vatRate})`);
    const breakdown = (doc.vat ?? []).filter((v) => v.category === 'S' && v.rate !== params.vatRate).map((v) => v.rate);
    if (breakdown.length) out.push(`momsspecifikationen anger ${breakdown.join(', ')}, kommandot ${params.vatRate}`);
  }
  if (typeof params.paymentTermsDays === 'number' && typeof doc.issueDate === 'string' && isValidIsoDate(doc.issueDate)) {
    const due = addDays(doc.issueDate, params.paymentTermsDays);
    if (doc.dueDate !== due) out.push(`förfallodagen ${doc.dueDate} är inte fakturadatumet + kommandots ${params.paymentTermsDays} dagar (${due})`);
  }
  if (params.seller !== undefined && canonicalJson(doc.seller ?? null) !== canonicalJson(params.seller)) out.push('säljaren är inte den som kommandot dokumentet beslutades med anger');
  if (doc.kind === 'membership' && doc.legalBasis !== OUT_OF_SCOPE_BASIS) out.push('en medlemsfaktura ska ange skälet till att den är utan moms, som samkost skriver det');
  return out;
}

/**
 * Two hashes (or ids) that differ, each shown far enough to see where: its first 12 hex digits, or up to
 * four past the first one that differs, whole where that is all of it.
 */
export function differingHashes(a: string, b: string): [string, string] {
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same += 1;
  const shown = Math.max(12, same + 5);
  const show = (h: string) => (h.length <= shown ? h : `${h.slice(0, shown)}…`);
  return [show(a), show(b)];
}

/** A global position as events.ndjson writes it: a decimal string without leading zeros. */
const POSITION = /^(0|[1-9]\d*)$/;
/** Whether position `a` comes after position `b` (both POSITION, so the longer is the greater). */
const isAfter = (a: string, b: string): boolean => (a.length !== b.length ? a.length > b.length : a > b);
/** Where an event is in the package, as a reference names it; and what a voucher of it must say (sourceFacts). */
interface Place { streamId: string; revision: number; position: string; type: string; hash: string; facts?: SourceFacts }
/** The fields of a reference that must be those of its event (besides its id and hash), with their Swedish names. */
const PLACE_FIELDS = [['streamId', 'ström'], ['revision', 'revision'], ['position', 'position'], ['type', 'typ']] as const;
/** A series of a year's numbers (`T2023`): how often each sequence occurs. */
interface NumberSeries { series: string; year: number; sequences: Map<number, number> }
/** How many gaps of a series are named in its line; the rest are counted. */
const GAPS_NAMED = 10;
/** How many documents missing from a file are named; the rest are counted. */
const DOCUMENTS_NAMED = 5;

/** What is wrong with a series' numbers, 1 … N without a gap or a duplicate: one line each for its duplicates, and one for its gaps. */
function seriesProblems(s: NumberSeries): string[] {
  const name = `nummerserien ${s.series}${s.year}`;
  const number = (q: number) => documentNumber(s.series, s.year, q);
  const out: string[] = [];
  const sequences = [...s.sequences.keys()].sort((a, b) => a - b);
  for (const q of sequences) {
    const n = s.sequences.get(q) as number;
    if (n > 1) out.push(`${name} har ${number(q)} ${n} gånger`);
  }
  const gaps: string[] = [];
  let missing = 0;
  for (const { from, to } of missingSequences(sequences)) {
    missing += to - from + 1;
    gaps.push(to === from ? number(from) : to === from + 1 ? `${number(from)}, ${number(to)}` : `${number(from)}–${number(to)} (${to - from + 1} nummer)`);
  }
  if (gaps.length > 0) {
    out.push(`${name} saknar ${gaps.slice(0, GAPS_NAMED).join(', ')}${gaps.length > GAPS_NAMED ? ` och ${gaps.length - GAPS_NAMED} luckor till (${missing} nummer i allt)` : ''}`);
  }
  return out;
}

/** The document event types: what documents.ndjson must hold every one of, for the year's billing stream. */
const DOCUMENT_TYPES = new Set(['InvoiceIssued', 'CreditNoteIssued']);


type FieldKind = 'string' | 'number' | 'array' | 'object';
const KIND_WORDS: Record<FieldKind, string> = { string: 'ingen text', number: 'inget tal', array: 'ingen lista', object: 'inget objekt' };

/**
 * What a row of each file holds, by field: a row is read as one only when each is there, of its kind.
 * Otherwise every check made of it named "undefined" ("verifikation undefined undefined: daterad undefined").
 */
const ROW_SHAPES = {
  'events.ndjson': { what: 'ingen händelse', fields: [['streamId', 'string'], ['revision', 'number'], ['id', 'string'], ['type', 'string'], ['data', 'object'], ['metadata', 'object']] },
  'splits.ndjson': { what: 'ingen fördelningstabell', fields: [['id', 'string'], ['participants', 'array']] },
  'documents.ndjson': { what: 'inget dokument', fields: [['type', 'string'], ['event', 'object'], ['document', 'object']] },
  'traces.ndjson': { what: 'ingen spårning', fields: [['number', 'string'], ['type', 'string'], ['event', 'object'], ['lines', 'array']] },
  'vouchers.ndjson': { what: 'ingen verifikation', fields: [['series', 'string'], ['number', 'string'], ['date', 'string'], ['transactions', 'array'], ['source', 'object']] },
} as const satisfies Record<string, { what: string; fields: readonly (readonly [string, FieldKind])[] }>;

/** Why a parsed row is not what its file holds ("saknar series, number och date"), or undefined when it is. */
function rowShapeProblem(row: unknown, fields: readonly (readonly [string, FieldKind])[]): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return `raden är ${Array.isArray(row) ? 'en lista' : JSON.stringify(row)}, inget JSON-objekt`;
  const r = row as Record<string, unknown>;
  const kindOf = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
  const missing = fields.filter(([k]) => r[k] === undefined || r[k] === null).map(([k]) => k);
  const wrong = fields.filter(([k, kind]) => !missing.includes(k) && kindOf(r[k]) !== kind).map(([k, kind]) => `${k} är ${KIND_WORDS[kind]}`);
  const said = [...(missing.length ? [`saknar ${inWords(missing)}`] : []), ...wrong];
  return said.length ? said.join('; ') : undefined;
}

/** An event of events.ndjson as a read of the store gives it, its position a bigint. */
const recordedEvent = (e: EventLine): RecordedEvent => ({ ...e, position: BigInt(e.position) });

/**
 * The package's traces worked out again from its own events.ndjson, fed a line at a time as it is read, by
 * the code that wrote them (src/export/audit-package.ts#YearTracer): each document's trace, by its event
 * id, as the SHA-256 of its canonical JSON, which are the bytes its line of traces.ndjson must hold. With
 * `keep`, the whole traces of those event ids instead, to name what differs in them. Stops at the first
 * event it cannot fold, and says which (`failure`).
 */
class TraceRecomputation {
  readonly hashes = new Map<string, string>();
  readonly kept = new Map<string, unknown>();
  failure: string | undefined;
  private readonly tracer: YearTracer;

  constructor(year: number, keep?: ReadonlySet<string>) {
    this.tracer = new YearTracer(year, splitTableId, (d) => {
      const id = d.event.eventId;
      if (keep === undefined) this.hashes.set(id, canonicalSha256(traceRecord(d)));
      else if (keep.has(id)) this.kept.set(id, JSON.parse(canonicalJson(traceRecord(d))));
    });
  }

  feed(e: EventLine, n: number): void {
    if (this.failure !== undefined) return;
    try {
      this.tracer.feed(recordedEvent(e));
    } catch (err) {
      this.failure = `rad ${n} (${e.streamId}@${e.revision}): ${(err as Error).message}`;
    }
  }

  finish(): void {
    if (this.failure !== undefined) return;
    try {
      this.tracer.finish();
    } catch (err) {
      this.failure = (err as Error).message;
    }
  }
}

/** How many traces that differ from their recomputation are shown field by field; the rest are only named. */
const TRACES_DETAILED = 50;
/** How many differing fields of one trace are shown. */
const FIELDS_SHOWN = 3;

/**
 * A JSON value as a problem quotes it, 80 characters of it; a long text from a little before `from`, where
 * it differs from the other, which would otherwise be cut off.
 */
function quoted(v: unknown, from = 0): string {
  if (v === undefined) return 'inget';
  const text = JSON.stringify(v);
  const start = from > 30 ? from - 20 : 0;
  const shown = text.slice(start, start + 80);
  return `${start > 0 ? '…' : ''}${shown}${start + 80 < text.length ? '…' : ''}`;
}

/** Where two texts first differ (their common prefix's length), for `quoted`; 0 unless both are texts. */
function firstDifference(a: unknown, b: unknown): number {
  if (typeof a !== 'string' || typeof b !== 'string') return 0;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}

/**
 * Where a trace as traces.ndjson holds it (`stated`) differs from its recomputation, field by field in
 * Swedish: a field of one of its lines is named by the line's number ("rad 1: figures[3].value anger
 * \"6 500 000,00 kr\", händelserna ger \"6 000 000,00 kr\""), and arrays by index.
 */
function traceDifferences(stated: unknown, recomputed: unknown): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b);
    if (!objects) {
      const from = firstDifference(a, b);
      if (a !== b) out.push(`${path || 'spårningen'} anger ${quoted(a, from)}, händelserna ger ${quoted(b, from)}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i += 1) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[k], y[k], path ? `${path}.${k}` : k);
  };
  const s = stated as { lines?: unknown };
  const r = recomputed as { lines?: unknown };
  const { lines: statedLines, ...statedRest } = s;
  const { lines: recomputedLines, ...recomputedRest } = r;
  walk(statedRest, recomputedRest, '');
  // Each line by its number (the stated one's, else the recomputed one's), as every other problem names it.
  const a = Array.isArray(statedLines) ? statedLines : [];
  const b = Array.isArray(recomputedLines) ? recomputedLines : [];
  if (!Array.isArray(statedLines)) out.push(`lines anger ${quoted(statedLines)}, händelserna ger ${b.length} rader`);
  else {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      const lineNo = (a[i] as { line?: { lineNo?: unknown } } | undefined)?.line?.lineNo ?? (b[i] as { line?: { lineNo?: unknown } } | undefined)?.line?.lineNo ?? i + 1;
      const before = out.length;
      walk(a[i], b[i], '');
      for (let j = before; j < out.length; j += 1) out[j] = `rad ${String(lineNo)}: ${out[j].replace(/^spårningen anger/, 'raden anger')}`;
    }
  }
  return out;
}

/** Calls `onLine` with each non-empty line of a file (1-based number) and returns the file's SHA-256 and size. */
function eachLine(path: string, onLine: (text: string, n: number) => void): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.alloc(4 << 20);
  const fd = openSync(path, 'r');
  let rest = '';
  let bytes = 0;
  let n = 0;
  const lines = (text: string) => {
    const parts = text.split('\n');
    rest = parts.pop() as string;
    for (const p of parts) {
      n += 1;
      if (p.length > 0) onLine(p, n);
    }
  };
  try {
    for (;;) {
      const read = readSync(fd, buf, 0, buf.length, null);
      if (read === 0) break;
      const chunk = buf.subarray(0, read);
      hash.update(chunk);
      bytes += read;
      lines(rest + decoder.write(chunk));
    }
    lines(`${rest}${decoder.end()}\n`);
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function checkAudit(dir: string, manifestSha256?: string): AuditCheckResult {
  const problems: string[] = [];
  const notices: string[] = [];
  let events = 0;
  let references = 0;
  let vouchers: number | undefined;
  const heads = new Map<string, { revision: number; hash: string }>();
  const tables = new Map<string, TableSums>();
  const result = (files: number): AuditCheckResult =>
    ({ ok: problems.length === 0, problems, notices, files, events, streams: heads.size, references, splitTables: tables.size, ...(vouchers !== undefined && { vouchers }) });
  let manifest: Manifest;
  try {
    const bytes = readFileSync(join(dir, 'manifest.json'));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (manifestSha256 !== undefined && sha256 !== manifestSha256.toLowerCase()) {
      problems.push(`manifest.json: SHA-256 ${sha256}, inte den noterade ${manifestSha256}: manifestet är inte det som skrevs vid exporten`);
    }
    manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch (err) {
    problems.push(`manifest.json: kan inte läsas i ${dir} (${err instanceof SyntaxError ? `inte JSON: ${err.message}` : fileProblem(err)})`);
    return result(0);
  }
  if (manifest.format !== AUDIT_FORMAT && manifest.format !== AUDIT_FORMAT_WITHOUT_VOUCHERS) {
    problems.push(`manifest.json: okänt format ${JSON.stringify(manifest.format)}; det här skriptet kontrollerar ${AUDIT_FORMAT} och ${AUDIT_FORMAT_WITHOUT_VOUCHERS}`
      + (manifest.format === 'samkost-audit/1' ? ' (ett paket i samkost-audit/1 kontrolleras med check-audit från den version av samkost som skrev det)' : ''));
    return result(0);
  }
  // The second format has no vouchers: checked as it always was, with a note of what it cannot show.
  const withVouchers = manifest.format === AUDIT_FORMAT;
  if (!withVouchers) {
    notices.push(`paketet har formatet ${AUDIT_FORMAT_WITHOUT_VOUCHERS}, utan ${VOUCHERS}: årets verifikationer knyts inte till sina händelser (samkost export audit skriver dem i ${AUDIT_FORMAT})`);
  }
  // The accounts the vouchers are booked to: the chart `export audit --chart` was given, as the manifest
  // records it; a package written before it did so was booked by BAS unless given one, which is noted.
  const recordedChart = typeof manifest.chart === 'object' && manifest.chart !== null && !Array.isArray(manifest.chart) ? manifest.chart : undefined;
  const chart: Chart = { ...DEFAULT_CHART, ...recordedChart };
  if (withVouchers && recordedChart === undefined) {
    notices.push(`manifestet anger ingen kontoplan (chart): verifikationerna i serie F och K, och periodiseringarna av dokument, kontrolleras mot BAS`);
  }
  const listed = manifest.files ?? {};
  for (const name of withVouchers ? [...NDJSON, VOUCHERS] : NDJSON) if (!listed[name]) problems.push(`manifest.json saknar ${name}`);
  // What the files are checked against: a manifest without it would switch the check off.
  for (const field of ['year', 'events', 'documents', 'lines', 'linesRecomputed', 'splitTables', ...(withVouchers ? ['vouchers', 'vouchersBalanced'] as const : [])] as const) {
    if (manifest[field] === undefined) problems.push(`manifest.json saknar ${field}, som filerna kontrolleras mot`);
  }

  // Each file once: its lines checked as they are read, its hash and size against the manifest.
  const checked = new Set<string>();
  // Every name read or looked for: a missing file is named once, not again by the pass over the manifest's files.
  const tried = new Set<string>();
  const read = (name: string, onLine: (text: string, n: number) => void) => {
    tried.add(name);
    // A name from the manifest never leads out of the package's directory.
    if (name.includes('/') || name.includes('\\') || name === '..') {
      problems.push(`manifest.json: ${JSON.stringify(name)} är inte ett filnamn i paketet`);
      return;
    }
    const path = join(dir, name);
    if (!existsSync(path)) {
      problems.push(`${name}: saknas`);
      return;
    }
    checked.add(name);
    const { sha256, bytes } = eachLine(path, (text, n) => {
      try {
        onLine(text, n);
      } catch (err) {
        // JSON.parse words its error in English; the line and file say where, which is what a reader needs.
        problems.push(`${name} rad ${n}: ${err instanceof SyntaxError ? 'raden är inte JSON' : (err as Error).message}`);
      }
    });
    const f = listed[name];
    if (f && sha256 !== f.sha256) problems.push(`${name}: SHA-256 ${sha256} skiljer sig från manifestets ${f.sha256}`);
    if (f && bytes !== f.bytes) problems.push(`${name}: ${grouped(bytes)} byte, manifestet anger ${grouped(f.bytes)}`);
  };

  /**
   * Each row of a file parsed, and passed on only when it has its file's shape (ROW_SHAPES): a row that has
   * not is named as such, by what it lacks, and is not counted as one.
   */
  const rows = <T>(name: keyof typeof ROW_SHAPES, onRow: (row: T, n: number, raw: string) => void) => read(name, (raw, n) => {
    const parsed = JSON.parse(raw) as unknown;
    const shape = ROW_SHAPES[name];
    const problem = rowShapeProblem(parsed, shape.fields);
    if (problem !== undefined) problems.push(`${name} rad ${n}: ${shape.what}: ${problem}`);
    else onRow(parsed as T, n, raw);
  });

  // The hash chains, stream by stream, in the order the events were written.
  // Where each event is, by its id: what every reference to it must name.
  const placeOf = new Map<string, Place>();
  const documentData = new Map<string, { type: string; sha256: string }>();
  // The year's documents in its billing stream, by event id, each named by its number and event.
  const yearDocuments = new Map<string, string>();
  // The payments reversed so far, by event id: a payment is reversed once.
  const reversed = new Map<string, string>();
  // What each document event gives in the year's books (F, K, P), by event id; and, for a credit note's
  // lines, the kind and service of each invoice line by number (a credit note comes after its invoice).
  const documentVouchers = new Map<string, ExpectedVoucher[]>();
  const invoiceLineKinds = new Map<string, Map<number, CreditedLine>>();
  const credited = (invoice: string, lineNo: number) => invoiceLineKinds.get(invoice)?.get(lineNo);
  // What each payment, reversal and refund gives in the year's books (B), by event id, worked out by the ledger.
  const bankExpected = new Map<string, ExpectedVoucher[]>();
  // Every event the year's books take, with the series of its vouchers: each must have them in vouchers.ndjson.
  const bookedEvents = new Map<string, BookedEvent>();
  const book = (e: EventLine, name: string, series: readonly string[]) => {
    if (series.length > 0) bookedEvents.set(e.id, { name, series: [...new Set(series)] });
  };
  // Every trace worked out again from the package's events, by the code that wrote it: the checks of
  // traces.ndjson below work each amount out from the trace's own figures, but its words (a figure's value
  // or note, the rule, the derivation, the decisions) only this can hold to the events.
  const recomputation = manifest.year !== undefined ? new TraceRecomputation(manifest.year) : undefined;
  /** What a payment, reversal, refund, supplier cost or payment to a supplier gives in `year`'s books. */
  const bookedElsewhere = (e: EventLine, year: number) => {
    const name = `${e.type} ${e.streamId}@${e.revision} (${String((e.data as { date?: unknown }).date)})`;
    if (isBankType(e.type)) {
      const reverses = e.type === 'PaymentReversed' ? placeOf.get(String((e.data as { payment?: unknown }).payment))?.facts : undefined;
      const expected = bankVouchers(e, chart, year, reverses);
      if (expected !== undefined) bankExpected.set(e.id, expected);
      book(e, name, (expected ?? []).map((x) => x.series));
    } else if (e.type === 'ActualCostRecorded' || e.type === 'SupplierPaymentRecorded') book(e, name, costSeries(e, year));
  };
  rows<EventLine>('events.ndjson', (e, n) => {
    events += 1;
    recomputation?.feed(e, n);
    const head = heads.get(e.streamId);
    const expected = head ? head.revision + 1 : 0;
    const at = `events.ndjson rad ${n}: ström ${e.streamId}`;
    if (e.revision !== expected) problems.push(`${at}: ${chainBreak.order(e.revision, head?.revision)}`);
    else if (e.metadata?.prevHash !== (head ? head.hash : null)) problems.push(`${at} revision ${e.revision}: ${chainBreak.prevHash}`);
    else if (eventHash(e) !== e.metadata.hash) problems.push(`${at} revision ${e.revision}: ${chainBreak.altered}`);
    heads.set(e.streamId, { revision: e.revision, hash: e.metadata?.hash });
    // A position that is none would make every comparison of order by it meaningless.
    if (!(typeof e.position === 'string' && POSITION.test(e.position))) problems.push(`${at} revision ${e.revision}: ${JSON.stringify(e.position)} är ingen position`);
    placeOf.set(e.id, { streamId: e.streamId, revision: e.revision, position: e.position, type: e.type, hash: e.metadata?.hash, ...(withVouchers && { facts: sourceFacts(e) }) });
    if (e.type === 'PaymentReversed') {
      const payment = String((e.data as { payment?: unknown }).payment);
      const first = reversed.get(payment);
      if (first !== undefined) problems.push(`${at} revision ${e.revision}: återför inbetalningen ${payment}, som ${first} redan återförde`);
      else reversed.set(payment, `${e.streamId}@${e.revision}`);
    }
    // A document's data, by its canonical JSON's hash: documents.ndjson must hold exactly this.
    if (DOCUMENT_TYPES.has(e.type)) {
      documentData.set(e.id, { type: e.type, sha256: canonicalSha256(e.data) });
      if (manifest.year !== undefined && e.streamId === `billing-${manifest.year}`) yearDocuments.set(e.id, `${String((e.data as { number?: unknown }).number)} (${e.streamId}@${e.revision})`);
      if (withVouchers && manifest.year !== undefined) {
        const d = e.data as Partial<InvoiceIssued>;
        if (e.type === 'InvoiceIssued' && typeof d.number === 'string' && Array.isArray(d.lines)) {
          invoiceLineKinds.set(d.number, new Map(d.lines.map((l) => [l.lineNo, { kind: l.kind, serviceId: l.serviceId }])));
        }
        const expected = expectedVouchers(e, chart, manifest.year, credited);
        if (expected && expected.length > 0) documentVouchers.set(e.id, expected);
        // A voucher whose amounts all net to nothing is one the ledger drops.
        book(e, `dokumentet ${String(d.number)} (${e.type} ${e.streamId}@${e.revision})`, (expected ?? []).filter((x) => x.accounts.size > 0).map((x) => x.series));
      }
    }
    if (withVouchers && manifest.year !== undefined) bookedElsewhere(e, manifest.year);
  });
  recomputation?.finish();
  if (manifest.events) {
    if (manifest.events.count !== events) problems.push(`events.ndjson: ${grouped(events)} händelser, manifestet anger ${grouped(manifest.events.count)}`);
    for (const [stream, s] of Object.entries(manifest.events.streams ?? {})) {
      const h = heads.get(stream);
      if (!h) problems.push(`events.ndjson: strömmen ${stream} saknas`);
      else if (h.revision !== s.last || h.hash !== s.head) {
        const [found, stated] = differingHashes(String(h.hash), String(s.head));
        problems.push(`events.ndjson: strömmen ${stream} slutar vid revision ${h.revision} med hash ${found}, manifestet anger ${s.last} med hash ${stated}`);
      }
    }
  }

  // Every reference resolves to an event in the package, with the same hash, stream, revision, position and
  // type; each distinct reference is named once a file (`seen`), where it first occurs (`at`). Given the
  // document's own event (`document`), every other event referred to must come before it: a document is
  // decided from the events before it, and so is its trace. Returns the latest event referred to.
  // Without events.ndjson no reference can be resolved: said once below, not once for each of thousands.
  const withEvents = checked.has('events.ndjson');
  const resolve = (at: string, value: unknown, seen: Set<string>, document?: { eventId: string; place: Place }): Place | undefined => {
    if (!withEvents) return undefined;
    let latest: Place | undefined;
    const later = new Set<string>();
    collectRefs(value, (r: EventRef) => {
      references += 1;
      const e = placeOf.get(r.eventId);
      if (e && POSITION.test(e.position)) {
        if (!latest || isAfter(e.position, latest.position)) latest = e;
        if (document && r.eventId !== document.eventId && !later.has(r.eventId) && !isAfter(document.place.position, e.position)) {
          later.add(r.eventId);
          problems.push(`${at}: hänvisar till ${e.streamId}@${e.revision} (position ${e.position}), som ligger efter dokumentets händelse ${document.place.streamId}@${document.place.revision} (position ${document.place.position}): ett dokument bygger bara på tidigare händelser`);
        }
      }
      const key = `${r.eventId}/${r.hash}/${r.streamId}/${r.revision}/${r.position}/${r.type}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (!e) problems.push(`${at}: hänvisar till ${r.streamId}@${r.revision}, som inte finns i events.ndjson`);
      else if (e.hash !== r.hash) {
        const [stated, actual] = differingHashes(String(r.hash), String(e.hash));
        problems.push(`${at}: hänvisar till ${r.streamId}@${r.revision} med hash ${stated}, händelsens är ${actual}`);
      } else {
        const differ = PLACE_FIELDS.filter(([k]) => r[k] !== e[k]);
        if (differ.length > 0) {
          problems.push(`${at}: hänvisningen till ${r.streamId}@${r.revision} anger ${inWords(differ.map(([k, name]) => `${name} ${r[k]}`))}, händelsen i events.ndjson har ${inWords(differ.map(([k, name]) => `${name} ${e[k]}`))}`);
        }
      }
    });
    return latest;
  };
  /** A document's own event, where events.ndjson holds it with a position: what its references must come before. */
  const documentEvent = (eventId: string | undefined) => {
    const place = eventId === undefined ? undefined : placeOf.get(eventId);
    return place && POSITION.test(place.position) ? { eventId: eventId as string, place } : undefined;
  };

  const splitRefs = new Set<string>();
  // The latest event each table refers to: a document whose trace names the table must come after it.
  const tableLatest = new Map<string, Place>();
  rows<{ id: string; participants: TableRow[] }>('splits.ndjson', (t, n) => {
    const id = splitTableId(t.participants);
    if (id !== t.id) {
      const [stated, actual] = differingHashes(String(t.id), id);
      problems.push(`splits.ndjson rad ${n}: tabellen ${stated} har innehåll med SHA-256 ${actual}: den har ändrats`);
    }
    if (tables.has(t.id)) problems.push(`splits.ndjson rad ${n}: tabellen ${t.id.slice(0, 12)}… finns redan`);
    tables.set(t.id, tableSums(t.participants));
    const latest = resolve(`splits.ndjson rad ${n}`, t.participants, splitRefs);
    if (latest) tableLatest.set(t.id, latest);
  });
  if (manifest.splitTables !== undefined && manifest.splitTables !== tables.size) problems.push(`splits.ndjson: ${grouped(tables.size)} tabeller, manifestet anger ${grouped(manifest.splitTables)}`);

  let documents = 0;
  const documentRefs = new Set<string>();
  // What a trace must agree with: each document's event and its lines' amounts.
  // By number; a number used twice (named below, as a duplicate in its series) holds each document, and a
  // trace is compared with the one of its event.
  const documentLines = new Map<string, { eventId: string; type: string; amounts: Map<number, string> }[]>();
  // Each document's event id, with its number and event as a problem names it.
  const documentEvents = new Map<string, string>();
  // Per invoice line (`T2024-0001/1`), what the credit notes had credited of it after each of them, in order.
  const creditSteps = new Map<string, { position: string; total: Decimal }[]>();
  // The year's numbers by series (`T2023`), each gapless from 1.
  const numberSeries = new Map<string, NumberSeries>();
  // The documents in the order they were issued: each one's event after the one before it, and each
  // series' sequence above the one before it in the series. Only the first misplaced document is named:
  // one out of place puts every later comparison off by one.
  let previous: { number: string; place: Place } | undefined;
  const lastInSeries = new Map<string, { number: string; sequence: number }>();
  let misplaced = false;
  rows<DocumentRecord>('documents.ndjson', (d, n) => {
    documents += 1;
    const at = `documents.ndjson rad ${n}: ${d.document?.number}`;
    const own = documentEvent(d.event?.eventId);
    resolve(at, d, documentRefs, own);
    if (!misplaced && own) {
      if (previous && !isAfter(own.place.position, previous.place.position)) {
        misplaced = true;
        problems.push(`${at}: står efter ${previous.number} men utfärdades före det (${own.place.streamId}@${own.place.revision}, position ${own.place.position}, mot ${previous.place.streamId}@${previous.place.revision}, position ${previous.place.position}): documents.ndjson ska hålla dokumenten i den ordning de utfärdades`);
      }
      previous = { number: String(d.document?.number), place: own.place };
    }
    const sequence = Number(d.document?.sequence);
    if (!misplaced && typeof d.document?.series === 'string' && Number.isInteger(sequence)) {
      const key = `${d.document.series}${d.document.year}`;
      const last = lastInSeries.get(key);
      // A sequence used twice is named as a duplicate of its series (seriesProblems), not here.
      if (last && sequence < last.sequence) {
        misplaced = true;
        problems.push(`${at}: står efter ${last.number} i nummerserien ${key}: documents.ndjson ska hålla dokumenten i den ordning de utfärdades`);
      }
      lastInSeries.set(key, { number: String(d.document.number), sequence });
    }
    const stored = documentData.get(d.event?.eventId);
    if (!stored) problems.push(`${at}: händelsen ${d.event?.streamId}@${d.event?.revision} är inget dokument i events.ndjson`);
    else if (stored.type !== d.type) problems.push(`${at}: anges som ${d.type}, händelsen är ${stored.type}`);
    else if (canonicalSha256(d.document) !== stored.sha256) problems.push(`${at}: dokumentet är inte händelsens data (${d.event.streamId}@${d.event.revision}): det har ändrats`);
    if (manifest.year !== undefined && d.document?.year !== manifest.year) problems.push(`${at}: dokumentet gäller ${d.document?.year}, manifestet ${manifest.year}`);
    for (const p of documentArithmetic(d.document ?? {})) problems.push(`${at}: ${p}`);
    for (const p of documentAgainstCommand(d.document ?? {}, String(d.type))) problems.push(`${at}: ${p}`);
    const number = typeof d.document?.number === 'string' ? parseDocumentNumber(d.document.number) : undefined;
    if (!number) problems.push(`${at}: är inget dokumentnummer (som T2023-0001)`);
    else {
      const own = documentNumber(String(d.document.series), Number(d.document.year), Number(d.document.sequence));
      if (own !== d.document.number) problems.push(`${at}: numret är inte serie ${d.document.series}, år ${d.document.year} och löpnummer ${d.document.sequence} (${own})`);
      const key = `${number.series}${number.year}`;
      const s = numberSeries.get(key) ?? { series: number.series, year: number.year, sequences: new Map<number, number>() };
      numberSeries.set(key, s);
      const q = Number(number.sequence);
      s.sequences.set(q, (s.sequences.get(q) ?? 0) + 1);
    }
    documentEvents.set(d.event?.eventId, `${d.document?.number} (${d.event?.streamId}@${d.event?.revision})`);
    // What the notes credit of each invoice line, as it stood after each of them.
    if (d.type === 'CreditNoteIssued' && own) {
      for (const l of Array.isArray(d.document?.lines) ? d.document.lines : []) {
        const credits = (l as { credits?: { invoice: string; lineNo: number } }).credits;
        const amount = amountOf(l.amount);
        if (!credits || amount === undefined) continue;
        const key = `${credits.invoice}/${credits.lineNo}`;
        const steps = creditSteps.get(key) ?? [];
        steps.push({ position: own.place.position, total: (steps.at(-1)?.total ?? new Decimal(0)).plus(amount) });
        creditSteps.set(key, steps);
      }
    }
    const entry = { eventId: d.event?.eventId, type: d.type, amounts: new Map((Array.isArray(d.document?.lines) ? d.document.lines : []).map((l) => [l.lineNo, l.amount])) };
    const same = documentLines.get(d.document?.number);
    if (same) same.push(entry);
    else documentLines.set(d.document?.number, [entry]);
  });
  const missing = [...yearDocuments].filter(([id]) => !documentEvents.has(id)).map(([, name]) => name);
  if (missing.length > 0) problems.push(`documents.ndjson: ${grouped(missing.length)} av fakturorna och kreditfakturorna i billing-${manifest.year} (events.ndjson) saknas: ${namedFirst(missing, DOCUMENTS_NAMED)}`);
  // A löpnummer is gapless: a number missing from a series of the year, or used twice, is named.
  for (const key of [...numberSeries.keys()].sort()) problems.push(...seriesProblems(numberSeries.get(key) as NumberSeries));

  let traced = 0;
  let lines = 0;
  let recomputed = 0;
  // The documents traced (by event id), and the traces that are not what the package's events give.
  const tracedEvents = new Set<string>();
  const differing: { n: number; number: string; eventId: string; row?: TracedDocument }[] = [];
  const traceRefs = new Set<string>();
  // Without splits.ndjson every month that names a table would be a problem of its own: one says it.
  const withTables = checked.has('splits.ndjson');
  // Without documents.ndjson no trace has its document to be compared with: said once below.
  const withDocuments = checked.has('documents.ndjson');
  // A line a settlement counts as billed, as documents.ndjson holds it (its amount undefined where there is no such line or document).
  const billedLine = (number: string, lineNo: number, eventId: string | undefined) => {
    if (!withDocuments) return undefined;
    const same = documentLines.get(number);
    const billedDoc = same?.find((x) => x.eventId === eventId) ?? same?.[0];
    return { amount: billedDoc?.amounts.get(lineNo), type: billedDoc?.type ?? '' };
  };
  rows<TracedDocument>('traces.ndjson', (d, n, raw) => {
    traced += 1;
    tracedEvents.add(d.event?.eventId);
    // Byte for byte what the events give: the line's own bytes, against its recomputation's.
    const expected = recomputation?.failure === undefined ? recomputation?.hashes.get(d.event?.eventId) : undefined;
    if (expected !== undefined && createHash('sha256').update(raw).digest('hex') !== expected) {
      differing.push({ n, number: d.number, eventId: d.event.eventId, ...(differing.length < TRACES_DETAILED && { row: d }) });
    }
    const docEvent = documentEvent(d.event?.eventId);
    resolve(`traces.ndjson rad ${n}: ${d.number}`, d, traceRefs, docEvent);
    // A table named in several months of the document is said to come after it once.
    const laterTables = new Set<string>();
    const numbered = documentLines.get(d.number);
    const doc = numbered?.find((x) => x.eventId === d.event?.eventId) ?? numbered?.[0];
    if (!doc) {
      if (withDocuments) problems.push(`traces.ndjson rad ${n}: ${d.number} finns inte i documents.ndjson`);
    } else {
      if (doc.eventId !== d.event?.eventId || doc.type !== d.type) problems.push(`traces.ndjson rad ${n}: ${d.number} spåras från en annan händelse än dokumentets`);
      if (doc.amounts.size !== d.lines.length) problems.push(`traces.ndjson rad ${n}: ${d.number} har ${d.lines.length} spårade rader, dokumentet ${doc.amounts.size}`);
    }
    for (const l of d.lines) {
      lines += 1;
      const at = `traces.ndjson rad ${n}: ${d.number} rad ${l.line?.lineNo}`;
      const amount = doc?.amounts.get(l.line?.lineNo);
      if (doc && (amount === undefined || amount !== l.amount || amount !== l.line.amount)) problems.push(`${at}: spårningen anger beloppet ${l.amount}, dokumentet ${amount ?? 'ingen sådan rad'}`);
      const same = l.recomputed !== null && l.recomputed !== undefined && new Decimal(l.recomputed).eq(l.amount);
      if (l.matches !== same) problems.push(`${at}: spårningen säger att omräkningen ${l.matches ? 'stämmer' : 'inte stämmer'}, men den ger ${l.recomputed ?? 'inget belopp'} mot ${l.amount}`);
      if (same && l.matches) recomputed += 1;
      // What the trace itself says is wrong: a line it does not recompute, and every problem it names.
      if (l.matches === false) problems.push(`${at}: räknas inte fram till sitt belopp: omräkningen ger ${l.recomputed ?? 'inget belopp'}, raden anger ${l.amount}`);
      for (const p of Array.isArray(l.problems) ? l.problems : []) problems.push(`${at}: spårningen anger ett problem: ${String(p).replace(/\s*\n\s*/g, ' ')}`);
      // The line's own months must give its amount: the trace's recomputed and matches are only its word.
      // What the notes before this document credited of a line it counts as billed; unknown where the
      // documents are not in the package, are out of order, or this document has no event to place it by.
      const creditedOf = (number: string, lineNo: number): Decimal | undefined => {
        if (!withDocuments || misplaced || !docEvent) return undefined;
        let total = new Decimal(0);
        for (const step of creditSteps.get(`${number}/${lineNo}`) ?? []) if (isAfter(docEvent.place.position, step.position)) total = step.total;
        return total;
      };
      for (const p of lineFigureProblems(l, d.type, billedLine, creditedOf)) problems.push(`${at}: ${p}`);
      if (!withTables) continue;
      for (const m of l.months ?? []) {
        if (m.table === undefined) continue;
        const at = `traces.ndjson rad ${n}: ${d.number} rad ${l.line.lineNo} månad ${m.month}`;
        const t = tables.get(m.table);
        if (!t) {
          problems.push(`${at}: tabellen ${m.table.slice(0, 12)}… finns inte i splits.ndjson`);
          continue;
        }
        const latest = tableLatest.get(m.table);
        if (docEvent && latest && !laterTables.has(m.table) && !isAfter(docEvent.place.position, latest.position)) {
          laterTables.add(m.table);
          problems.push(`${at}: tabellen ${m.table.slice(0, 12)}… hänvisar till ${latest.streamId}@${latest.revision} (position ${latest.position}), som ligger efter dokumentets händelse ${docEvent.place.streamId}@${docEvent.place.revision} (position ${docEvent.place.position}): ett dokument bygger bara på tidigare händelser`);
        }
        if (!t.weight.eq(m.weightSum)) problems.push(`${at}: tabellens vikter summerar till ${t.weight.toString()}, spårningen anger ${m.weightSum}`);
        // A price list divides nothing: each participant pays a twelfth of its yearly price (its weight).
        const shares = t.share.plus(m.unallocated);
        if (!m.priceList && !shares.eq(m.monthAmount)) problems.push(`${at}: tabellens andelar plus ofördelat är ${shares.toFixed(2)}, månadens belopp ${m.monthAmount}`);
        // The line's own participants: its enrolment (an a-conto line), or the buyer's enrolments (a settlement).
        const own = (l.line.kind === 'a-conto' ? t.byKey.get(l.line.enrolmentId ?? '') : t.byMember.get(l.document.buyer.orgnr)) ?? { weight: new Decimal(0), share: new Decimal(0) };
        if (!own.weight.eq(m.weight)) problems.push(`${at}: radens vikt ${m.weight} finns inte i tabellen (${own.weight.toString()})`);
        if (!own.share.eq(m.share)) problems.push(`${at}: radens andel ${m.share} finns inte i tabellen (${own.share.toFixed(2)})`);
        // The month's denominator is the table's Σ weights; a price list's month has none (0).
        const denominator = amountOf(m.denominator);
        if (m.denominator !== undefined && (denominator === undefined || !denominator.eq(m.priceList ? 0 : t.weight))) {
          problems.push(`${at}: månadens nämnare ${m.denominator} är inte ${m.priceList ? 'prislistans 0' : `tabellens Σ vikter ${t.weight.toString()}`}`);
        }
      }
    }
  });
  // The documents without a trace, by number and event: a count alone left the auditor to find which.
  const untraced = [...documentEvents].filter(([id]) => !tracedEvents.has(id)).map(([, name]) => name);
  const untracedWords = untraced.length > 0 ? `spårningen saknas för ${namedFirst(untraced, DOCUMENTS_NAMED)}` : '';
  if (traced !== documents) problems.push(`traces.ndjson: ${grouped(traced)} dokument, documents.ndjson har ${grouped(documents)}${untracedWords && `: ${untracedWords}`}`);
  else if (untracedWords) problems.push(`traces.ndjson: ${untracedWords}`);
  if (recomputation?.failure !== undefined) {
    problems.push(`traces.ndjson: spårningarna kan inte räknas fram på nytt ur events.ndjson, och jämförs inte med dem: ${recomputation.failure}`);
  } else if (differing.length > 0 && manifest.year !== undefined) {
    // What differs, field by field: the first traces' recomputations are worked out again, kept whole this
    // time (a second pass over events.ndjson, only for a package that fails).
    const again = new TraceRecomputation(manifest.year, new Set(differing.filter((x) => x.row).map((x) => x.eventId)));
    eachLine(join(dir, 'events.ndjson'), (text, n) => {
      try {
        const e = JSON.parse(text) as unknown;
        if (rowShapeProblem(e, ROW_SHAPES['events.ndjson'].fields) === undefined) again.feed(e as EventLine, n);
      } catch {
        // A line that is no JSON was named in the first pass.
      }
    });
    again.finish();
    for (const x of differing) {
      const at = `traces.ndjson rad ${x.n}: ${x.number}: spårningen är inte den som händelserna i events.ndjson ger`;
      const recomputedTrace = again.kept.get(x.eventId);
      if (x.row === undefined || recomputedTrace === undefined) {
        problems.push(at);
        continue;
      }
      const fields = traceDifferences(x.row, recomputedTrace);
      // Equal values in other bytes: the line is not the canonical JSON the export writes.
      if (fields.length === 0) problems.push(`${at}: samma innehåll, men inte som kanonisk JSON`);
      else problems.push(`${at}: ${fields.slice(0, FIELDS_SHOWN).join('; ')}${fields.length > FIELDS_SHOWN ? ` och ${grouped(fields.length - FIELDS_SHOWN)} skillnader till` : ''}`);
    }
  }
  if (manifest.documents !== undefined && manifest.documents !== documents) problems.push(`documents.ndjson: ${grouped(documents)} dokument, manifestet anger ${grouped(manifest.documents)}`);
  if (manifest.lines !== undefined && manifest.lines !== lines) problems.push(`traces.ndjson: ${grouped(lines)} rader, manifestet anger ${grouped(manifest.lines)}`);
  if (manifest.linesRecomputed !== undefined && manifest.linesRecomputed !== recomputed) problems.push(`traces.ndjson: ${grouped(recomputed)} rader omräknade och stämmer, manifestet anger ${grouped(manifest.linesRecomputed)}`);
  // The manifest's own count says so too: every line of a sound package recomputes.
  if (manifest.lines !== undefined && manifest.linesRecomputed !== undefined && manifest.linesRecomputed < manifest.lines) {
    problems.push(`manifest.json: ${grouped(manifest.linesRecomputed)} av ${grouped(manifest.lines)} rader räknas fram till sitt belopp (linesRecomputed): spårningarna i traces.ndjson visar var de övriga skiljer sig`);
  }
  if (!withTables && listed['splits.ndjson']) problems.push('traces.ndjson: fördelningstabellerna kan inte kontrolleras utan splits.ndjson');
  if (!withDocuments) problems.push('traces.ndjson: spårningarna kan inte jämföras med sina dokument utan documents.ndjson');
  if (!withEvents) problems.push('hänvisningarna i dokument, spårningar och tabeller kan inte kontrolleras utan events.ndjson');

  // The year's vouchers: each balances, and comes from an event in the package, the one it names.
  if (withVouchers) {
    let count = 0;
    let balanced = 0;
    const numbers = new Set<string>();
    // A reversal's voucher is its payment's with debit and credit swapped: compared once both are read, where
    // the payment's voucher is of the year too (a payment of an earlier year has its voucher in that year's package).
    const paymentVouchers = new Map<string, VoucherRecord['transactions']>();
    const reversalVouchers: { at: string; payment: string; transactions: VoucherRecord['transactions']; ledger: string[] }[] = [];
    // The series each event has its vouchers in, by event id: every event the books take must have its own.
    const voucheredSeries = new Map<string, Set<string>>();
    rows<VoucherRecord>(VOUCHERS, (v, n) => {
      count += 1;
      const at = `${VOUCHERS} rad ${n}: verifikation ${v.series} ${v.number}`;
      const key = `${v.series} ${v.number}`;
      if (numbers.has(key)) problems.push(`${at}: finns redan, med samma serie och nummer`);
      numbers.add(key);
      if (manifest.year !== undefined && !(typeof v.date === 'string' && v.date.startsWith(`${manifest.year}-`))) problems.push(`${at}: daterad ${v.date}, inte ${manifest.year}`);
      const transactions = Array.isArray(v.transactions) ? v.transactions : [];
      if (transactions.length === 0) problems.push(`${at}: har inga transaktioner`);
      let total = new Decimal(0);
      let amounts = true;
      for (const t of transactions) {
        if (typeof t.amount === 'string' && AMOUNT.test(t.amount)) total = total.plus(t.amount);
        else {
          amounts = false;
          problems.push(`${at}: konto ${t.account}: ${JSON.stringify(t.amount)} är inget belopp`);
        }
      }
      if (amounts && total.isZero() && transactions.length > 0) balanced += 1;
      if (amounts && !total.isZero()) problems.push(`${at}: balanserar inte, debet och kredit skiljer sig med ${total.toFixed(2)}`);
      const s = v.source;
      references += 1;
      const place = placeOf.get(s?.eventId);
      // Even one whose source is named amiss below: the event has a voucher, and that one is what is wrong.
      if (place !== undefined) voucheredSeries.set(s.eventId, (voucheredSeries.get(s.eventId) ?? new Set<string>()).add(v.series));
      if (place === undefined) {
        if (withEvents) problems.push(`${at}: källan ${s?.streamId}@${s?.revision} finns inte i events.ndjson`);
      } else if (place.hash !== s.hash) {
        const [stated, actual] = differingHashes(String(s.hash), String(place.hash));
        problems.push(`${at}: källan ${s.streamId}@${s.revision} anges med hash ${stated}, händelsens är ${actual}`);
      } else if (place.streamId !== s.streamId || place.revision !== s.revision || place.type !== s.type) {
        problems.push(`${at}: källan anges som ${s.type} ${s.streamId}@${s.revision}, händelsen är ${place.type} ${place.streamId}@${place.revision}`);
      } else if (place.position !== s.position) {
        problems.push(`${at}: källan ${s.type} ${s.streamId}@${s.revision} anges med position ${s.position}, händelsen i events.ndjson har position ${place.position}`);
      } else {
        const source = `${s.type} ${s.streamId}@${s.revision}`;
        const series = SOURCE_SERIES[v.series];
        if (series && !series.includes(s.type)) problems.push(`${at}: en verifikation i serie ${v.series} kommer inte från en ${s.type} (${source})`);
        const f = place.facts;
        // What the event alone settles: a document's number and date, a payment's or cost's date and amount.
        if (f && v.series !== 'P') {
          if (f.number !== undefined && f.number !== v.number) problems.push(`${at}: källan är dokumentet ${f.number} (${source})`);
          if (f.date !== v.date) problems.push(`${at}: daterad ${v.date}, källan ${f.date} (${source})`);
          const debits = transactions.filter((t) => typeof t.amount === 'string' && AMOUNT.test(t.amount) && new Decimal(t.amount).gt(0)).reduce((a, t) => a.plus(t.amount), new Decimal(0));
          if (f.debit !== undefined && amounts && !debits.eq(f.debit)) problems.push(`${at}: debet ${debits.toFixed(2)}, källan anger ${f.debit.toFixed(2)} (${source})`);
          if (s.type === 'PaymentRecorded') paymentVouchers.set(s.eventId, transactions);
          if (s.type === 'PaymentReversed') {
            problems.push(...reversalProblems(f, place, placeOf.get(String(f.reverses))).map((p) => `${at}: ${p} (${source})`));
            const ledger = amounts ? bankVoucherProblems(transactions, v.series, manifest.year, bankExpected.get(s.eventId)).map((p) => `${at}: ${p} (${source})`) : [];
            reversalVouchers.push({ at, payment: String(f.reverses), transactions, ledger });
          }
        }
        // A document's voucher (F, K, or a P that moves it between years) is what the document gives by the
        // chart, account by account: its receivable the total, its VAT the breakdown's, each line's net on
        // its income (or prepaid, or accrued) account, a credit note's reversed (projections/ledger.ts).
        if (DOCUMENT_TYPES.has(s.type) && amounts) {
          const document = `dokumentet ${f?.number ?? `${s.streamId}@${s.revision}`}`;
          const expected = documentVouchers.get(s.eventId)?.find((x) => x.series === v.series);
          if (expected === undefined) {
            if (!series || series.includes(s.type)) problems.push(`${at}: ${document} ger ingen verifikation i serie ${v.series} ${manifest.year} (${source})`);
          } else {
            if (v.series === 'P' && expected.date !== v.date) problems.push(`${at}: daterad ${v.date}, ${document} ger ${expected.date} (${source})`);
            const differences = accountDifferences(transactions, expected.accounts);
            if (differences !== undefined) problems.push(`${at}: stämmer inte med ${document} (${source}): ${differences}`);
          }
        }
        // A payment's or a refund's voucher (B) is, account by account, what the ledger books of it (a reversal's below).
        if (isBankType(s.type) && s.type !== 'PaymentReversed' && amounts && (!series || series.includes(s.type))) {
          problems.push(...bankVoucherProblems(transactions, v.series, manifest.year, bankExpected.get(s.eventId)).map((p) => `${at}: ${p} (${source})`));
        }
      }
    });
    // A reversal's voucher is held to its payment's, itself held to the ledger's; where the payment's is of an
    // earlier year (not in the package), to what the ledger books of the reversal. Named once either way.
    for (const r of reversalVouchers) {
      const paid = paymentVouchers.get(r.payment);
      if (paid === undefined) problems.push(...r.ledger);
      else if (!mirrors(r.transactions, paid)) {
        problems.push(`${r.at}: återför inte inbetalningens verifikation: ${transactionWords(r.transactions)}, inbetalningens ${transactionWords(paid)} med debet och kredit omkastade`);
      }
    }
    // Without the file there are no vouchers to miss: its absence is named already.
    if (checked.has(VOUCHERS)) problems.push(...voucherlessProblems(bookedEvents, voucheredSeries, manifest.year));
    vouchers = count;
    if (manifest.vouchers !== undefined && manifest.vouchers !== count) problems.push(`${VOUCHERS}: ${grouped(count)} verifikationer, manifestet anger ${grouped(manifest.vouchers)}`);
    if (manifest.vouchersBalanced !== undefined && manifest.vouchersBalanced !== balanced) problems.push(`${VOUCHERS}: ${grouped(balanced)} verifikationer balanserar, manifestet anger ${grouped(manifest.vouchersBalanced)}`);
  }

  // Any other file the manifest lists, and any file it does not.
  for (const name of Object.keys(listed)) if (!tried.has(name)) read(name, () => undefined);
  // A file the manifest does not list is no part of the package (an auditor's notes, a desktop's index
  // file): noted, not a failure.
  for (const name of readdirSync(dir)) if (name !== 'manifest.json' && !listed[name]) notices.push(`${name} finns i katalogen men inte i manifestet och ingår inte i paketet`);
  return result(Object.keys(listed).length);
}

/**
 * What check-audit prints: a line per problem and notice, then the verdict, its counts grouped as Swedish
 * reports print them ("19 398 hänvisningar").
 */
export function auditReport(r: AuditCheckResult, dir: string): string {
  const out = [...r.problems.map((p) => `FEL: ${p}`), ...r.notices.map((n) => `OBS: ${n}`)];
  out.push(r.ok
    ? `OK: ${grouped(r.files)} filer stämmer med manifestet; ${grouped(r.events)} händelser i ${grouped(r.streams)} strömmar, varje hashkedja obruten; ${grouped(r.references)} hänvisningar hittade; ${grouped(r.splitTables)} fördelningstabeller stämmer med spårningarna`
      + `${r.vouchers !== undefined ? `; ${grouped(r.vouchers)} verifikationer balanserar och har sin källa i händelserna` : ''}`
    : `${grouped(r.problems.length)} fel i ${dir}`);
  return `${out.join('\n')}\n`;
}

if (require.main === module) {
  const program = new Command('check-audit')
    .description('kontrollera ett revisionspaket från samkost export audit, bara med dess egna filer')
    .argument('<katalog>', 'paketets katalog')
    .option('--manifest-sha256 <hex>', 'manifestets SHA-256 som export audit skrev ut (och revisorn antecknade)')
    .helpOption('-h, --help', 'visa hjälpen')
    // The help in the samkost CLI's Swedish ("Användning:", "Argument:", "Flaggor:"), not commander's English.
    // Not its help command: check-audit has no subcommands, and a package in a directory named help is checked.
    .configureHelp(SWEDISH_HELP)
    .configureOutput({ writeErr: () => undefined })
    .exitOverride();
  try {
    program.parse();
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (isShownByCommander(err)) process.exit(0);
    process.stderr.write(`check-audit: ${commanderRefusal(err)}\n`);
    process.exit(2);
  }
  const o = program.opts<{ manifestSha256?: string }>();
  if (o.manifestSha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(o.manifestSha256)) {
    process.stderr.write(`check-audit: --manifest-sha256 ska vara 64 hexadecimala tecken, inte "${o.manifestSha256}"\n`);
    process.exit(2);
  }
  const dir = program.args[0];
  const r = checkAudit(dir, o.manifestSha256);
  process.stdout.write(auditReport(r, dir));
  process.exit(r.ok ? 0 : 1);
}
