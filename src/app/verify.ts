import { describeGap, seriesGaps } from '../../domain/billing/numbers';
import { paymentIdOf } from '../../domain/billing/payment-id';
import { formatSek, grouped, sum } from '../../domain/money';
import { servicesBilledIn, type State } from '../../domain/state';
import { InvoiceReplay, type ReplayedDocument } from '../../projections/replay';
import { type BookedKind, forEachBooked, journal, type Voucher } from '../../projections/ledger';
import { computeSplit, costBase, type CostBasis, reportingTiersFor, type ServiceSplit, splitInputs } from '../../projections/splits';
import { PopulationPendingError } from '../../domain/errors';
import { chainBreak, eventHash } from '../store/hash-chain';
import { EventDecodeError, type EventStore, StoreError } from '../store/port';
import { refOf } from './engine';
import { SharedValues } from './shared-values';
import { HeadsCheck, type StreamHead } from './stream-heads';
import { domainEventOf } from './trace';
import { RULES_VERSION } from '../../domain/rules';

/** How a split's basis reads in a check's subject. */
const BASIS_WORDS = { budget: 'budget', actual: 'utfall' } as const;
/** The subject of a year's journal that cannot be built (not a voucher, so not counted as one). */
const JOURNAL = 'grundbok';

export interface ChainBreak {
  streamId: string;
  revision: number;
  reason: string;
  /** The event could not be read: the walk stopped there, and what follows is not checked. */
  stopped?: boolean;
}

export interface ChainReport {
  streams: number;
  events: number;
  firstBreak?: ChainBreak;
  /** Every break found, in log order (firstBreak is the first). */
  breaks?: ChainBreak[];
}

/**
 * Walks every event in global order and checks, per stream: revisions run 0, 1, 2 … without a gap, each
 * event's prevHash is the hash of the one before it, and its stored hash is the hash of its content.
 * An edited byte, a deleted event or two swapped events all break one of these. A break does not end the
 * walk: the stream goes on from the event as stored, so that every altered stream (and every later break
 * in the same one) is named, not just the first.
 */
export async function verifyChains(store: EventStore, onProgress?: (events: number) => void): Promise<ChainReport> {
  return (await walkChains(store, onProgress)).report;
}

/** The chains checked, and each stream's head: its last revision and that event's hash. */
export async function streamHeads(store: EventStore, onProgress?: (events: number) => void): Promise<{ report: ChainReport; heads: Map<string, StreamHead> }> {
  const walk = await walkChains(store, onProgress);
  return { report: walk.report, heads: new Map([...walk.heads].map(([id, h]) => [id, { last: h.revision, head: h.hash }])) };
}

/** verifyChains, showing each event to a check of noted heads as it goes. */
async function walkChains(store: EventStore, onProgress?: (events: number) => void, noted?: HeadsCheck): Promise<{ report: ChainReport; heads: Map<string, { revision: number; hash: string }> }> {
  // A stream's head is UNREAD where its last event could not be read: the next one's prevHash cannot be checked.
  const heads = new Map<string, { revision: number; hash: string }>();
  const breaks: ChainBreak[] = [];
  let events = 0;
  const done = () => ({ report: { streams: heads.size, events, ...(breaks.length ? { firstBreak: breaks[0], breaks } : {}) }, heads });
  /** An event that cannot be read is a break, and its stream goes on after it, as after an altered one. */
  const unreadable = (err: EventDecodeError & { revision: number }) => {
    breaks.push({ streamId: err.streamId, revision: err.revision, reason: `${err.message}; den kan inte kontrolleras, och inte heller nästa händelses länk till den` });
    const head = heads.get(err.streamId);
    if (!head || err.revision > head.revision) heads.set(err.streamId, { revision: err.revision, hash: UNREAD });
    noted?.see(err.streamId, err.revision, UNREAD);
  };
  let after: bigint | undefined;
  for (;;) {
    try {
      for await (const e of store.readAll(after)) {
        after = e.position;
        events += 1;
        if (events % 10000 === 0) onProgress?.(events);
        let hash: string;
        try {
          hash = e.metadata.hash;
        } catch (err) {
          // Metadata is parsed when first read: a row whose metadata is not JSON fails here, alone.
          if (!(err instanceof EventDecodeError) || err.revision === null) throw err;
          unreadable(err as EventDecodeError & { revision: number });
          continue;
        }
        const head = heads.get(e.streamId);
        const expectedRevision = head ? head.revision + 1 : 0;
        const reason = e.revision !== expectedRevision
          ? chainBreak.order(e.revision, head?.revision)
          : head?.hash !== UNREAD && e.metadata.prevHash !== (head ? head.hash : null)
            ? chainBreak.prevHash
            : eventHash(e) !== hash ? chainBreak.altered : undefined;
        if (reason !== undefined) breaks.push({ streamId: e.streamId, revision: e.revision, reason });
        // The stream goes on from its highest revision: two swapped events are two breaks, not a cascade.
        if (!head || e.revision > head.revision) heads.set(e.streamId, { revision: e.revision, hash });
        noted?.see(e.streamId, e.revision, hash);
      }
      break;
    } catch (err) {
      // A store that cannot be read at all is no finding about the log: the whole check is refused.
      if (err instanceof StoreError) throw err;
      // An event whose data cannot be read ends the read it was met in; where the store says where it lies,
      // the walk reads on after it, so that one unreadable row hides no edit after it.
      if (err instanceof EventDecodeError && err.revision !== null && err.position !== undefined && (after === undefined || err.position > after)) {
        events += 1;
        unreadable(err as EventDecodeError & { revision: number });
        after = err.position;
        continue;
      }
      const named = err as Error & { streamId?: string; revision?: number | null };
      breaks.push({ streamId: named.streamId ?? '?', revision: named.revision ?? -1, reason: `${named.message}; det som följer är inte kontrollerat`, stopped: true });
      return done();
    }
  }
  noted?.finish(heads);
  return done();
}

/** The hash of an event that could not be read: none, and no stored hash equals it. */
const UNREAD = '(oläsbar)';

export interface CheckFailure {
  subject: string;
  reason: string;
  streamId?: string;
  revision?: number;
  /** The fold stopped here: what follows was not checked. */
  stopped?: boolean;
}

export interface CheckSummary {
  checked: number;
  passed: number;
  failures: CheckFailure[];
  /** What was checked, for people: "2 strömmar, 45 händelser", "2024, 2025", "egil 2024 budget, …". */
  detail: string;
  /** Why the check did not run (it then neither passes nor fails). */
  skipped?: string;
}

export interface VerifyReport extends ChainReport {
  ok: boolean;
  /** With noted heads: the SHA-256 of the file they came from. */
  headsSha256?: string;
  /** `heads` only when noted heads were given to check against. */
  checks: { chains: CheckSummary; heads?: CheckSummary; invoices: CheckSummary; numbers: CheckSummary; splits: CheckSummary; vouchers: CheckSummary };
}

/** Heads noted at an earlier audit (src/app/stream-heads.ts), and where they were read from. */
export interface NotedHeads {
  heads: ReadonlyMap<string, StreamHead>;
  source: string;
  /** The SHA-256 of the file they were read from, for the auditor to compare with the one noted. */
  sha256?: string;
}

/** The check of noted heads, once the walk has seen every event (or stopped at a break, when none is checked). */
function headsSummary(noted: NotedHeads, check: HeadsCheck, report: ChainReport): CheckSummary {
  const detail = `${grouped(noted.heads.size)} strömmar ur ${noted.source}`;
  // Only a log that could not be read to its end leaves the heads unchecked: a broken chain is walked past.
  const unread = report.breaks?.find((b) => b.stopped);
  if (unread) {
    return { checked: 0, passed: 0, detail, failures: [{ subject: noted.source, reason: `ej kontrollerat: loggen kan inte läsas förbi ${unread.streamId}@${unread.revision}` }] };
  }
  return {
    checked: noted.heads.size, passed: noted.heads.size - check.mismatches.length, detail,
    failures: check.mismatches.map((m) => ({ subject: `${m.streamId}@${m.revision}`, reason: m.reason, streamId: m.streamId, revision: m.revision })),
  };
}

/**
 * For every service and year with a budget (and, where recorded, actual costs): Σ participants +
 * unallocated = cost, the twelve month amounts sum to the cost, and each month's shares plus its
 * unallocated amount equal the month's amount. Pure: it reads only the state.
 */
export function checkSplits(state: State): CheckSummary {
  const failures: CheckFailure[] = [];
  const checked: SplitSubject[] = [];
  const waiting: SplitSubject[] = [];
  // Whether anything was billed from a split: a-conto lines from the budget's, a settlement from the actual one's.
  const billedFrom = (serviceId: string, year: number, basis: CostBasis) => basis === 'actual'
    ? Boolean(state.billing.get(year)?.settled.has(serviceId))
    : servicesBilledIn(state.billing.get(year)).has(serviceId);
  for (const svc of state.services.values()) {
    const years = [...new Set([...svc.budgets.keys(), ...svc.actualCosts.keys()])].sort((a, b) => a - b);
    for (const year of years) {
      for (const basis of ['budget', 'actual'] as const) {
        if (!(basis === 'budget' ? svc.budgets : svc.actualCosts).get(year)?.length) continue;
        const thisSplit: SplitSubject = { serviceId: svc.service.serviceId, year, basis };
        const subject = splitSubject(thisSplit);
        const ref = (basis === 'budget' ? svc.budgets : svc.actualCosts).get(year)!.at(-1)!.ref;
        const fail = (reason: string) => failures.push({ subject, reason, streamId: ref.streamId, revision: ref.revision });
        let split: ServiceSplit;
        try {
          split = computeSplit(svc, year, basis, costBase(svc, year, basis), splitInputs(state, svc, year, RULES_VERSION), reportingTiersFor(state, year), RULES_VERSION);
        } catch (err) {
          // A budget decided, or a cost recorded, before SCB's year-end figures the split counts by (next
          // year's, in November or January) is no finding while nothing has been billed from it: no run or
          // settlement could have split it either.
          if (err instanceof PopulationPendingError && !billedFrom(svc.service.serviceId, year, basis)) {
            waiting.push(thisSplit);
            continue;
          }
          checked.push(thisSplit);
          fail(`fördelningen kan inte beräknas: ${(err as Error).message}`);
          continue;
        }
        checked.push(thisSplit);
        const allocated = sum(split.participants.map((p) => p.total));
        if (!allocated.plus(split.unallocated).eq(split.cost))
          fail(`Σ deltagare ${formatSek(allocated)} + ofördelat ${formatSek(split.unallocated)} ≠ kostnaden ${formatSek(split.cost)}`);
        if (svc.service.pricing.kind === 'price-list') continue;
        const months = sum(split.months.map((m) => m.amount));
        if (!months.eq(split.cost)) fail(`de tolv månadsbeloppen summerar till ${formatSek(months)}, inte till kostnaden ${formatSek(split.cost)}`);
        for (const m of split.months) {
          const shares = sum(m.shares.map((s) => s.amount));
          if (!shares.plus(m.unallocated).eq(m.amount)) fail(`månad ${m.month}: Σ andelar ${formatSek(shares)} + ofördelat ${formatSek(m.unallocated)} ≠ ${formatSek(m.amount)}`);
        }
      }
    }
  }
  const failed = new Set(failures.map((f) => f.subject));
  const wait = waiting.length ? `; ${waiting.length === 1 ? 'en' : grouped(waiting.length)} kan inte beräknas än och är inte fakturerad${waiting.length === 1 ? '' : 'e'}: ${splitsChecked(waiting)}` : '';
  return { checked: checked.length, passed: checked.filter((c) => !failed.has(splitSubject(c))).length, failures, detail: `${splitsChecked(checked)}${wait}` };
}

export interface SplitSubject {
  serviceId: string;
  year: number;
  basis: 'budget' | 'actual';
}

/** A split as a failure and the check's detail name it: "egil 2024 utfall". */
const splitSubject = (s: SplitSubject): string => `${s.serviceId} ${s.year} ${BASIS_WORDS[s.basis]}`;

/** Up to this many splits are named one by one; more are counted, so verify's line stays a line. */
const NAMED_SPLITS = 10;

/**
 * The splits a check covered, for people: each named while they are few ("egil 2024 budget, egil 2024
 * utfall"), counted when many ("100 tjänster, 2014–2023; 756 budget, 756 utfall").
 */
export function splitsChecked(splits: readonly SplitSubject[]): string {
  if (splits.length <= NAMED_SPLITS) return splits.map(splitSubject).join(', ');
  const services = new Set(splits.map((s) => s.serviceId)).size;
  const first = splits.reduce((y, s) => Math.min(y, s.year), Infinity);
  const last = splits.reduce((y, s) => Math.max(y, s.year), -Infinity);
  const budgets = splits.filter((s) => s.basis === 'budget').length;
  return `${grouped(services)} tjänster, ${first === last ? first : `${first}–${last}`}; ${grouped(budgets)} budget, ${grouped(splits.length - budgets)} utfall`;
}

/** The years the books have vouchers in: billing years, and every year something in them is dated or billed for (forEachBooked). */
function ledgerYears(state: State): number[] {
  const years = new Set<number>(state.billing.keys());
  forEachBooked(state, (_kind, date, _ref, year) => {
    if (year !== undefined) years.add(year);
    years.add(Number(date.slice(0, 4)));
  });
  return [...years].sort((a, b) => a - b);
}

/** Every voucher of every year's journal (projections/ledger.ts) balances: Σ debit + credit = 0. */
export function checkVouchers(state: State): CheckSummary {
  const failures: CheckFailure[] = [];
  const years = ledgerYears(state);
  let checked = 0;
  let unbalanced = 0;
  for (const year of years) {
    let vouchers: Voucher[];
    try {
      vouchers = journal(state, year);
    } catch (err) {
      failures.push({ subject: `${JOURNAL} ${year}`, reason: `grundboken kan inte sammanställas: ${(err as Error).message}` });
      continue;
    }
    for (const v of vouchers) {
      checked += 1;
      const total = sum(v.transactions.map((t) => t.amount));
      if (total.isZero()) continue;
      unbalanced += 1;
      failures.push({ subject: `${v.series} ${v.number} (${v.date})`, reason: `debet och kredit skiljer sig med ${formatSek(total)}`, streamId: v.source.streamId, revision: v.source.revision });
    }
  }
  // A reversal's voucher is the payment's, swapped: one whose event says another amount, or that undoes no
  // payment of its invoice, was not decided so, and its voucher would not be what its event records.
  for (const b of state.billing.values()) {
    for (const inv of b.invoices.values()) {
      for (const p of inv.payments) {
        if (p.reversed && !p.reversed.amount.eq(p.amount)) {
          failures.push({ subject: `återföring av ${paymentIdOf(p.ref)}`, reason: `återför ${formatSek(p.reversed.amount)}, men inbetalningen var ${formatSek(p.amount)}`, streamId: p.reversed.ref.streamId, revision: p.reversed.ref.revision });
        }
        if (p.reversed && p.reversed.date < p.date) {
          failures.push({ subject: `återföring av ${paymentIdOf(p.ref)}`, reason: `daterad ${p.reversed.date}, före inbetalningens valutadag ${p.date}`, streamId: p.reversed.ref.streamId, revision: p.reversed.ref.revision });
        }
      }
    }
  }
  for (const r of state.unmatchedReversals ?? []) {
    failures.push({ subject: `återföring ${r.streamId}@${r.revision}`, reason: 'återför ingen inbetalning på sin faktura som inte redan är återförd', streamId: r.streamId, revision: r.revision });
  }
  failures.push(...bookedAfterClose(state));
  return { checked, passed: checked - unbalanced, failures, detail: years.join(', ') };
}

/** How a refusal names each kind of booking. */
const BOOKED_WORDS: Record<BookedKind, string> = {
  invoice: 'fakturan', 'credit-note': 'kreditfakturan', payment: 'inbetalningen', reversal: 'återföringen', refund: 'återbetalningen',
  'supplier-cost': 'leverantörsfakturan', 'supplier-payment': 'leverantörsbetalningen',
};

/**
 * What is booked on a date of a closed year was recorded before its close: every command refuses a date in
 * a closed year (domain/deciders/year-guard.ts), so a payment, reversal, document, supplier cost or
 * supplier payment dated in it and recorded after `YearClosed` was not decided so; its date was altered
 * (and its chain written anew), and the closed year's books moved after the close. Named as a voucher
 * check, since the books are what such an edit moves.
 */
function bookedAfterClose(state: State): CheckFailure[] {
  const closes = new Map<number, { date: string; position: bigint }>();
  for (const [year, b] of state.billing) if (b.closed) closes.set(year, { date: b.closed.value.date, position: BigInt(b.closed.ref.position) });
  const failures: CheckFailure[] = [];
  if (closes.size === 0) return failures;
  forEachBooked(state, (kind, date, ref) => {
    const close = closes.get(Number(date.slice(0, 4)));
    if (close === undefined || BigInt(ref.position) < close.position) return;
    failures.push({
      subject: `${BOOKED_WORDS[kind]} ${ref.streamId}@${ref.revision}`,
      reason: `daterad ${date} i året ${date.slice(0, 4)}, som stängdes ${close.date}, men registrerad efter stängningen`,
      streamId: ref.streamId, revision: ref.revision,
    });
  });
  return failures;
}

/**
 * Every number series (series and year: M2023, T2023, TK2023 …) runs 1 … its highest without a hole. A
 * document taken out of the log with its chain written anew leaves every remaining event intact, and the
 * last of its command's documents is not decided again by anything later: its number's hole shows it.
 */
export function checkNumbers(state: State): CheckSummary {
  const numbers: string[] = [];
  // A loop, not push(...keys): a national year's numbers are too many to spread into arguments.
  for (const b of state.billing.values()) {
    for (const n of b.invoices.keys()) numbers.push(n);
    for (const n of b.creditNotes.keys()) numbers.push(n);
  }
  const gaps = seriesGaps(numbers);
  const series = new Set(numbers.map((n) => n.slice(0, n.indexOf('-')))).size;
  return {
    checked: series, passed: series - gaps.length, detail: `${grouped(series)} serier, ${grouped(numbers.length)} nummer`,
    failures: gaps.map((g) => ({ subject: `${g.series}${g.year}`, reason: describeGap(g) })),
  };
}

/** Where a verify is: the chains pass, then the pass that folds the log and decides every document again. */
export type VerifyPass = 'chains' | 'replay';

/**
 * Every check an auditor relies on, in two passes over the log: the hash chains (raw bytes, first break);
 * then a fold that decides every invoice and credit note of every year again from the state before it
 * (InvoiceReplay), and, on the final state, every cost split against its cost and every voucher of the
 * books (projections/ledger.ts#journal) against zero.
 */
export async function verifyAll(store: EventStore, onProgress?: (pass: VerifyPass, events: number) => void, noted?: NotedHeads): Promise<VerifyReport> {
  const check = noted && new HeadsCheck(noted.heads);
  const { report } = await walkChains(store, (n) => onProgress?.('chains', n), check);
  onProgress?.('chains', report.events);
  const breaks = report.breaks ?? [];
  const chains: CheckSummary = {
    checked: report.events, passed: report.events - breaks.length, detail: `${grouped(report.streams)} strömmar, ${grouped(report.events)} händelser`,
    failures: breaks.map((b) => ({ subject: `${b.streamId}@${b.revision}`, ...b })),
  };
  // Lean: documents stay in the replay's state without their lines' provenance, which no decision and
  // none of the checks below reads.
  const replay = new InvoiceReplay(undefined, true);
  // Every year's documents stay in the replay's state, as in the engine's, and are kept the same way: their
  // recurring parts shared (the rule words, refs and parties of thousands of lines are equal values).
  const shared = new SharedValues();
  let unreadable: CheckFailure | undefined;
  let last: { streamId: string; revision: number } | undefined;
  let documents: ReplayedDocument[] = [];
  try {
    let read = 0;
    for await (const e of store.readAll()) {
      last = e;
      read += 1;
      if (read % 10000 === 0) onProgress?.('replay', read);
      const event = domainEventOf(e, true);
      // Provenance is checked and then dropped (lean), so only what stays is shared.
      if (event.type === 'InvoiceIssued' || event.type === 'CreditNoteIssued') shared.document(event.data, false);
      replay.feed(event, refOf(e), e.metadata.commandId);
    }
    documents = replay.finish();
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const named = err as Error & { streamId?: string; revision?: number | null };
    const streamId = named.streamId ?? last?.streamId;
    const revision = (named.streamId ? named.revision : last?.revision) ?? undefined;
    unreadable = { subject: `${streamId ?? '?'}@${revision ?? '?'}`, reason: `loggen kan inte läsas förbi denna händelse: ${named.message}`, streamId, revision, stopped: true };
    documents = replay.documents;
  }
  const years = [...new Set(documents.map((d) => d.year))].sort((a, b) => a - b);
  const invoices: CheckSummary = {
    checked: documents.length, passed: documents.filter((d) => d.reproduced).length, detail: years.join(', '),
    failures: [
      ...(unreadable ? [unreadable] : []),
      ...documents.filter((d) => !d.reproduced).map((d) => ({ subject: d.number, reason: d.difference ?? 'ej återskapad', streamId: d.ref.streamId, revision: d.ref.revision })),
    ],
  };
  // A check of the final state, unless the log could not be read to its end: then it is not made, and says so.
  const onState = (check: (state: State) => CheckSummary): CheckSummary => (unreadable
    ? { checked: 0, passed: 0, detail: '', failures: [{ ...unreadable, reason: `ej kontrollerat: ${unreadable.reason}` }] }
    : check(replay.state));
  const splits = onState(checkSplits);
  const vouchers = onState(checkVouchers);
  const numbers = onState(checkNumbers);
  const checks = { chains, ...(noted && check ? { heads: headsSummary(noted, check, report) } : {}), invoices, numbers, splits, vouchers };
  return { ...report, ok: Object.values(checks).every((c) => c.failures.length === 0), ...(noted?.sha256 ? { headsSha256: noted.sha256 } : {}), checks };
}

/** Breaks listed one per line in the summary for people; the JSON report lists every one. */
const MAX_LISTED = 50;

const where = (f: CheckFailure) => (f.streamId !== undefined ? ` (ström ${f.streamId} revision ${f.revision ?? '?'})` : '');

/** The summary for people, in Swedish: one line per check, each failure named, a last line with the count. */
export function describeVerify(r: VerifyReport): string {
  const out: string[] = [];
  const breaks = r.breaks ?? [];
  if (breaks.length) {
    const streams = new Set(breaks.map((b) => b.streamId)).size;
    for (const b of breaks.slice(0, MAX_LISTED)) out.push(`FEL: ström ${b.streamId} revision ${b.revision}: ${b.reason}`);
    if (breaks.length > MAX_LISTED) out.push(`  … och ${grouped(breaks.length - MAX_LISTED)} brott till (samkost verify --json listar alla)`);
    const where = streams === 1 ? 'en ström' : `${grouped(streams)} strömmar`;
    out.push(`(${grouped(r.events)} händelser i ${grouped(r.streams)} strömmar kontrollerade; hashkedjan är bruten ${breaks.length === 1 ? 'på ett ställe' : `på ${grouped(breaks.length)} ställen`} i ${where})`);
  } else out.push(`OK: ${grouped(r.streams)} strömmar, ${grouped(r.events)} händelser kontrollerade; varje hashkedja är obruten`);
  const { heads, invoices, numbers, splits, vouchers } = r.checks;
  if (heads?.failures.length) {
    out.push(`FEL: ${grouped(heads.passed)} av ${grouped(heads.checked)} noterade strömhuvuden finns kvar oförändrade (${heads.detail})`);
    for (const f of heads.failures) out.push(`  ${f.subject}: ${f.reason}`);
  } else if (heads) out.push(`OK: ${grouped(heads.checked)} noterade strömhuvuden finns kvar oförändrade (${heads.detail}); inget har tagits bort eller skrivits om`);
  // The heads vouch for the log only if the file is the one noted: its hash, to compare with the audit file's.
  if (heads && r.headsSha256) out.push(`  huvudfilens SHA-256 ${r.headsSha256}: jämför med den som antecknades`);
  const years = invoices.detail ? ` (${invoices.detail})` : '';
  // A check that reached nothing (the log unreadable from before its first subject) says so, not "0 av 0".
  const reproduced = invoices.checked === 0 && invoices.failures.length ? 'inga fakturor eller kreditfakturor kunde återskapas' : `${grouped(invoices.passed)} av ${grouped(invoices.checked)} fakturor och kreditfakturor återskapade${years}`;
  if (invoices.failures.length) {
    out.push(`FEL: ${reproduced}`);
    for (const f of invoices.failures.slice(0, MAX_LISTED)) out.push(`  ${f.stopped ? 'STOPP vid' : 'AVVIKELSE'} ${f.subject}${where(f)}: ${f.reason}`);
    if (invoices.failures.length > MAX_LISTED) out.push(`  … och ${grouped(invoices.failures.length - MAX_LISTED)} avvikelser till (samkost verify --json listar alla)`);
  } else out.push(`OK: ${reproduced}`);
  if (numbers.failures.length) {
    out.push(numbers.checked === 0 ? 'FEL: nummerserierna kunde inte kontrolleras' : `FEL: ${grouped(numbers.passed)} av ${grouped(numbers.checked)} nummerserier är obrutna`);
    for (const f of numbers.failures) out.push(`  ${f.subject}: ${f.reason}`);
  } else out.push(`OK: ${grouped(numbers.checked)} nummerserier är obrutna${numbers.detail ? ` (${numbers.detail})` : ''}`);
  if (splits.failures.length) {
    out.push(splits.checked === 0 ? 'FEL: kostnadsfördelningarna kunde inte kontrolleras' : `FEL: ${grouped(splits.passed)} av ${grouped(splits.checked)} kostnadsfördelningar summerar till sin kostnad`);
    for (const f of splits.failures) out.push(`  ${f.subject}${where(f)}: ${f.reason}`);
  } else out.push(`OK: ${grouped(splits.checked)} kostnadsfördelningar summerar till sin kostnad${splits.detail ? ` (${splits.detail})` : ''}`);
  if (vouchers.skipped) out.push(`--: verifikationerna är inte kontrollerade: ${vouchers.skipped}`);
  else if (vouchers.failures.length) {
    // A year whose journal cannot be built has no vouchers to count: said beside the count, which may be whole.
    const unbuilt = vouchers.failures.filter((f) => f.subject.startsWith(`${JOURNAL} `)).map((f) => f.subject.slice(JOURNAL.length + 1));
    // Failures other than an unbalanced voucher or an unbuilt journal: what is booked disagrees with its events.
    const other = vouchers.failures.length - (vouchers.checked - vouchers.passed) - vouchers.failures.filter((f) => f.subject.startsWith(`${JOURNAL} `)).length;
    const counted = `${grouped(vouchers.passed)} av ${grouped(vouchers.checked)} verifikationer balanserar${other ? `, men ${other} ${other === 1 ? 'bokförd händelse stämmer' : 'bokförda händelser stämmer'} inte (nedan)` : ''}`;
    out.push(vouchers.checked === 0 && !unbuilt.length
      ? 'FEL: verifikationerna kunde inte kontrolleras'
      : unbuilt.length
      ? `FEL: grundboken för ${unbuilt.join(', ')} kan inte sammanställas, så ${unbuilt.length === 1 ? 'dess' : 'deras'} verifikationer är inte kontrollerade; ${vouchers.checked ? `av övriga års ${counted}` : 'inga andra år har verifikationer'}`
      : `FEL: ${counted}`);
    for (const f of vouchers.failures) out.push(`  ${f.subject}: ${f.reason}`);
  } else out.push(`OK: ${grouped(vouchers.checked)} verifikationer balanserar${vouchers.detail ? ` (${vouchers.detail})` : ''}`);
  const run = Object.values(r.checks).filter((c) => !c.skipped);
  const failed = run.filter((c) => c.failures.length).length;
  out.push(failed ? `verify: ${failed} av ${run.length} kontroller visade fel` : `verify: alla ${run.length} kontroller godkända`);
  return `${out.join('\n')}\n`;
}
