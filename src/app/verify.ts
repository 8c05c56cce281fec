import { amountString, sum } from '../../domain/money';
import type { State } from '../../domain/state';
import { InvoiceReplay, type ReplayedDocument } from '../../projections/replay';
import { journal, type Voucher } from '../../projections/ledger';
import { computeSplit, costBase, reportingTiersFor, type ServiceSplit, splitInputs } from '../../projections/splits';
import { eventHash } from '../store/hash-chain';
import type { EventStore } from '../store/port';
import { refOf } from './engine';
import { domainEventOf } from './trace';

export interface ChainBreak {
  streamId: string;
  revision: number;
  reason: string;
}

export interface ChainReport {
  streams: number;
  events: number;
  firstBreak?: ChainBreak;
}

/**
 * Walks every event in global order and checks, per stream: revisions run 0, 1, 2 … without a gap, each
 * event's prevHash is the hash of the one before it, and its stored hash is the hash of its content.
 * An edited byte, a deleted event or two swapped events all break one of these. Stops at the first break.
 */
export async function verifyChains(store: EventStore, onProgress?: (events: number) => void): Promise<ChainReport> {
  const heads = new Map<string, { revision: number; hash: string }>();
  let events = 0;
  try {
    for await (const e of store.readAll()) {
      events += 1;
      if (events % 10000 === 0) onProgress?.(events);
      const head = heads.get(e.streamId);
      const expectedRevision = head ? head.revision + 1 : 0;
      const fail = (reason: string): ChainReport => ({ streams: heads.size, events, firstBreak: { streamId: e.streamId, revision: e.revision, reason } });
      if (e.revision !== expectedRevision)
        return fail(`revision ${e.revision} follows ${head ? head.revision : 'nothing'}: an event is missing or out of order`);
      if (e.metadata.prevHash !== (head ? head.hash : null)) return fail('prevHash does not match the previous event: the chain is broken');
      if (eventHash(e) !== e.metadata.hash) return fail('the stored hash does not match the event content: the event was altered');
      heads.set(e.streamId, { revision: e.revision, hash: e.metadata.hash });
    }
  } catch (err) {
    const named = err as Error & { streamId?: string; revision?: number | null };
    return {
      streams: heads.size,
      events,
      firstBreak: { streamId: named.streamId ?? '?', revision: named.revision ?? -1, reason: named.message },
    };
  }
  return { streams: heads.size, events };
}

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
  /** What was checked, for people: "2 streams, 45 events", "2024, 2025", "egil 2024 budget, …". */
  detail: string;
  /** Why the check did not run (it then neither passes nor fails). */
  skipped?: string;
}

export interface VerifyReport extends ChainReport {
  ok: boolean;
  checks: { chains: CheckSummary; invoices: CheckSummary; splits: CheckSummary; vouchers: CheckSummary };
}

/**
 * For every service and year with a budget (and, where recorded, actual costs): Σ participants +
 * unallocated = cost, the twelve month amounts sum to the cost, and each month's shares plus its
 * unallocated amount equal the month's amount. Pure: it reads only the state.
 */
export function checkSplits(state: State): CheckSummary {
  const failures: CheckFailure[] = [];
  const done: string[] = [];
  for (const svc of state.services.values()) {
    const years = [...new Set([...svc.budgets.keys(), ...svc.actualCosts.keys()])].sort((a, b) => a - b);
    for (const year of years) {
      for (const basis of ['budget', 'actual'] as const) {
        if (!(basis === 'budget' ? svc.budgets : svc.actualCosts).get(year)?.length) continue;
        const subject = `${svc.service.serviceId} ${year} ${basis}`;
        const ref = (basis === 'budget' ? svc.budgets : svc.actualCosts).get(year)!.at(-1)!.ref;
        const fail = (reason: string) => failures.push({ subject, reason, streamId: ref.streamId, revision: ref.revision });
        done.push(subject);
        let split: ServiceSplit;
        try {
          split = computeSplit(svc, year, basis, costBase(svc, year, basis), splitInputs(state, svc, year), reportingTiersFor(state, year));
        } catch (err) {
          fail(`the split cannot be computed: ${(err as Error).message}`);
          continue;
        }
        const allocated = sum(split.participants.map((p) => p.total));
        if (!allocated.plus(split.unallocated).eq(split.cost))
          fail(`Σ participants ${amountString(allocated)} + unallocated ${amountString(split.unallocated)} ≠ cost ${amountString(split.cost)}`);
        if (svc.service.pricing.kind === 'price-list') continue;
        const months = sum(split.months.map((m) => m.amount));
        if (!months.eq(split.cost)) fail(`the twelve month amounts sum to ${amountString(months)}, not the cost ${amountString(split.cost)}`);
        for (const m of split.months) {
          const shares = sum(m.shares.map((s) => s.amount));
          if (!shares.plus(m.unallocated).eq(m.amount)) fail(`month ${m.month}: Σ shares ${amountString(shares)} + unallocated ${amountString(m.unallocated)} ≠ ${amountString(m.amount)}`);
        }
      }
    }
  }
  const failed = new Set(failures.map((f) => f.subject));
  return { checked: done.length, passed: done.filter((d) => !failed.has(d)).length, failures, detail: done.join(', ') };
}

/** The years the books have vouchers in: billing years, the years documents and payments are dated, cost years. */
function ledgerYears(state: State): number[] {
  const years = new Set<number>();
  for (const [year, b] of state.billing) {
    years.add(year);
    for (const i of b.invoices.values()) {
      years.add(Number(i.invoice.issueDate.slice(0, 4)));
      for (const p of i.payments) years.add(Number(p.date.slice(0, 4)));
    }
    for (const c of b.creditNotes.values()) years.add(Number(c.value.issueDate.slice(0, 4)));
  }
  for (const svc of state.services.values()) for (const [year, costs] of svc.actualCosts) if (costs.length) years.add(year);
  return [...years].sort((a, b) => a - b);
}

/** Every voucher of every year's journal (projections/ledger.ts) balances: Σ debit + credit = 0. */
export function checkVouchers(state: State): CheckSummary {
  const failures: CheckFailure[] = [];
  const years = ledgerYears(state);
  let checked = 0;
  for (const year of years) {
    let vouchers: Voucher[];
    try {
      vouchers = journal(state, year);
    } catch (err) {
      failures.push({ subject: `journal ${year}`, reason: `the journal cannot be built: ${(err as Error).message}` });
      continue;
    }
    for (const v of vouchers) {
      checked += 1;
      const total = sum(v.transactions.map((t) => t.amount));
      if (!total.isZero())
        failures.push({ subject: `${v.series} ${v.number} (${v.date})`, reason: `debits and credits differ by ${total.toFixed(2)}`, streamId: v.source.streamId, revision: v.source.revision });
    }
  }
  return { checked, passed: checked - failures.filter((f) => !f.subject.startsWith('journal ')).length, failures, detail: years.join(', ') };
}

/**
 * Every check an auditor relies on, in two passes over the log: the hash chains (raw bytes, first break);
 * then a fold that decides every invoice and credit note of every year again from the state before it
 * (InvoiceReplay), and, on the final state, every cost split against its cost and every voucher of the
 * books (projections/ledger.ts#journal) against zero.
 */
export async function verifyAll(store: EventStore, onProgress?: (events: number) => void): Promise<VerifyReport> {
  const report = await verifyChains(store, onProgress);
  const chains: CheckSummary = {
    checked: report.events, passed: report.firstBreak ? report.events - 1 : report.events, detail: `${report.streams} streams, ${report.events} events`,
    failures: report.firstBreak ? [{ subject: `${report.firstBreak.streamId}@${report.firstBreak.revision}`, ...report.firstBreak }] : [],
  };
  const replay = new InvoiceReplay();
  let unreadable: CheckFailure | undefined;
  let last: { streamId: string; revision: number } | undefined;
  let documents: ReplayedDocument[] = [];
  try {
    for await (const e of store.readAll()) {
      last = e;
      replay.feed(domainEventOf(e, true), refOf(e), e.metadata.commandId);
    }
    documents = replay.finish();
  } catch (err) {
    const named = err as Error & { streamId?: string; revision?: number | null };
    const streamId = named.streamId ?? last?.streamId;
    const revision = (named.streamId ? named.revision : last?.revision) ?? undefined;
    unreadable = { subject: `${streamId ?? '?'}@${revision ?? '?'}`, reason: `the log cannot be folded past this event: ${named.message}`, streamId, revision, stopped: true };
    documents = replay.documents;
  }
  const years = [...new Set(documents.map((d) => d.year))].sort((a, b) => a - b);
  const invoices: CheckSummary = {
    checked: documents.length, passed: documents.filter((d) => d.reproduced).length, detail: years.join(', '),
    failures: [
      ...(unreadable ? [unreadable] : []),
      ...documents.filter((d) => !d.reproduced).map((d) => ({ subject: d.number, reason: d.difference ?? 'not reproduced', streamId: d.ref.streamId, revision: d.ref.revision })),
    ],
  };
  const splits: CheckSummary = unreadable
    ? { checked: 0, passed: 0, detail: '', failures: [{ ...unreadable, reason: `not checked: ${unreadable.reason}` }] }
    : checkSplits(replay.state);
  const vouchers: CheckSummary = unreadable
    ? { checked: 0, passed: 0, detail: '', failures: [{ ...unreadable, reason: `not checked: ${unreadable.reason}` }] }
    : checkVouchers(replay.state);
  const checks = { chains, invoices, splits, vouchers };
  return { ...report, ok: Object.values(checks).every((c) => c.failures.length === 0), checks };
}

const where = (f: CheckFailure) => (f.streamId !== undefined ? ` (stream ${f.streamId} revision ${f.revision ?? '?'})` : '');

/** The summary for people: one line per check, each failure named, a last line with the count. */
export function describeVerify(r: VerifyReport): string {
  const out: string[] = [];
  if (r.firstBreak) {
    const b = r.firstBreak;
    out.push(`FAILED: stream ${b.streamId} revision ${b.revision}: ${b.reason}`, `(${r.events} events in ${r.streams} streams checked before the break)`);
  } else out.push(`OK: ${r.streams} streams, ${r.events} events checked; every hash chain is intact`);
  const { invoices, splits, vouchers } = r.checks;
  const years = invoices.detail ? ` (${invoices.detail})` : '';
  if (invoices.failures.length) {
    out.push(`FAILED: ${invoices.passed} of ${invoices.checked} invoices and credit notes reproduced${years}`);
    for (const f of invoices.failures) out.push(`  ${f.stopped ? 'STOPPED at' : 'DIFFERENCE'} ${f.subject}${where(f)}: ${f.reason}`);
  } else out.push(`OK: ${invoices.passed} of ${invoices.checked} invoices and credit notes reproduced${years}`);
  if (splits.failures.length) {
    out.push(`FAILED: ${splits.passed} of ${splits.checked} cost splits sum to their cost`);
    for (const f of splits.failures) out.push(`  ${f.subject}${where(f)}: ${f.reason}`);
  } else out.push(`OK: ${splits.checked} cost splits sum to their cost${splits.detail ? ` (${splits.detail})` : ''}`);
  if (vouchers.skipped) out.push(`--: vouchers not checked: ${vouchers.skipped}`);
  else if (vouchers.failures.length) {
    out.push(`FAILED: ${vouchers.passed} of ${vouchers.checked} vouchers balance`);
    for (const f of vouchers.failures) out.push(`  ${f.subject}: ${f.reason}`);
  } else out.push(`OK: ${vouchers.checked} vouchers balance${vouchers.detail ? ` (${vouchers.detail})` : ''}`);
  const run = Object.values(r.checks).filter((c) => !c.skipped);
  const failed = run.filter((c) => c.failures.length).length;
  out.push(failed ? `verify: ${failed} of ${run.length} checks failed` : `verify: all ${run.length} checks passed`);
  return `${out.join('\n')}\n`;
}
