import { createHash } from 'node:crypto';
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJsonUtf8 } from '../../domain/canonical-json';
import { collectRefs, type EventRef } from '../../domain/event-ref';
import { sum } from '../../domain/money';
import { bookedCostRefs, type Chart, DEFAULT_CHART, journal, openingBalancesEvent, voucherRecord, yearOutsideBooks } from '../../projections/ledger';
import { NotFoundError } from '../../domain/errors';
import { memberStream } from '../../domain/deciders/membership';
import { DocumentFold, type SplitTableRow, type SplitTableSink, TraceCache, traceDocument } from '../../projections/trace';
import { documentFilter } from '../app/document-filter';
import { Engine, refOf } from '../app/engine';
import { type DocumentTrace, domainEventOf } from '../app/trace';
import { moneyToJson } from '../cli/money-json';
import { type EventStore, passes, type ReadFilter, type RecordedEvent } from '../store/port';

/*
 * The audit package of a year (format samkost-audit/3): every file is written as it is produced, one
 * record a line, so a national year (some 12 000 documents, 100 000 lines) is written in bounded memory.
 * Its split tables are stored once each and named from the lines' traces: listed on every line, as the
 * first format did, a national year's traces came to tens of gigabytes. The third format adds the year's
 * vouchers (vouchers.ndjson) and, in events.ndjson, every event they and the year's supplier costs and
 * payments come from; the second had neither, and check-audit still checks it, noting what it lacks.
 */

export const AUDIT_FORMAT = 'samkost-audit/3';
/** The format before vouchers.ndjson, which check-audit still checks. */
export const AUDIT_FORMAT_WITHOUT_VOUCHERS = 'samkost-audit/2';
/** Every file `writeAuditPackage` writes into its directory, the manifest last. */
export const AUDIT_FILES = ['documents.ndjson', 'traces.ndjson', 'splits.ndjson', 'vouchers.ndjson', 'events.ndjson', 'manifest.json'] as const;
export { collectRefs };

export interface AuditManifest {
  format: typeof AUDIT_FORMAT;
  year: number;
  generatedAt: string;
  files: Record<string, { sha256: string; bytes: number }>;
  events: { count: number; streams: Record<string, { first: number; last: number; head: string }> };
  documents: number;
  lines: number;
  linesRecomputed: number;
  splitTables: number;
  /** The year's vouchers, as `samkost ledger --year Y --json` gives them (by the chart the export was given, else BAS). */
  vouchers: number;
  /** How many of them balance: all, unless the log was edited behind the store (an invoice's line, say). */
  vouchersBalanced: number;
  /**
   * The accounts the vouchers are booked to: the chart's mapping (receivables, VAT, income per kind and
   * service …) without its list of accounts, so that check-audit can work out each document's voucher.
   */
  chart: Omit<Chart, 'accounts'>;
}

export interface AuditProgress {
  documents?: (count: number) => void;
  /** Events folded for the books, every 5000. */
  books?: (count: number) => void;
  events?: (count: number) => void;
}

/** The SHA-256 of a value's canonical JSON, in hex: what a split table's id is, and what check-audit compares a document with its event by. */
export function canonicalSha256(value: unknown): string {
  const hash = createHash('sha256');
  canonicalJsonUtf8(value, (bytes) => hash.update(bytes));
  return hash.digest('hex');
}

/** A split table's id: the SHA-256 of its rows' canonical JSON, so that check-audit can recompute it. */
export const splitTableId = (rows: readonly unknown[]): string => canonicalSha256(rows);

const NEWLINE = Uint8Array.of(0x0a);

/** A line of traces.ndjson: a document's trace as the package holds it. */
export const traceRecord = (d: DocumentTrace) => ({ number: d.number, type: d.type, event: d.event, lines: d.lines });

/**
 * Traces the documents of `year` from events fed to it in global order, each from the state before it, and
 * hands each to `onDocument`. The one fold both behind traces.ndjson (fed by the store) and behind
 * check-audit's recomputation of it (fed by the package's events.ndjson): so that the checker can require
 * each trace byte for byte, it must be worked out by the same code that wrote it. Synchronous, so that
 * check-audit can feed it as it reads events.ndjson a line at a time. Other years' documents are left out,
 * as the store's read leaves them out (src/app/document-filter.ts): a year's documents never read them.
 */
export class YearTracer {
  private readonly fold: DocumentFold;
  private readonly filter: ReadFilter;

  constructor(year: number, tables: SplitTableSink, onDocument: (d: DocumentTrace) => void) {
    const cache = new TraceCache();
    this.filter = documentFilter([year]);
    this.fold = new DocumentFold((doc) => doc.year === year, (d) => {
      const lines = traceDocument(d.state, d.doc, d.ref, { cache, epoch: d.epoch, tables });
      onDocument({ number: d.doc.number, type: d.type, document: d.doc, event: d.ref, lines });
    });
  }

  /** Feeds the next event; its data is validated as read (the package and the export read it raw). */
  feed(e: RecordedEvent): void {
    if (passes(this.filter, e.type, e.streamId)) this.fold.feed(domainEventOf(e, true), refOf(e), e.metadata.commandId);
  }

  /** Traces the documents of the last command fed. */
  finish(): void {
    this.fold.finish();
  }
}

/** A file of the package, one canonical JSON record a line, hashed as it is written a megabyte at a time. */
class PackageFile {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private readonly buf = Buffer.alloc(1 << 20);
  private pos = 0;
  private size = 0;

  constructor(readonly name: string, dir: string) {
    this.fd = openSync(join(dir, name), 'w');
  }

  /** Appends `value` as a line; the UTF-8 bytes go to the file as written, never through a string. */
  record(value: unknown): void {
    canonicalJsonUtf8(value, (bytes) => this.append(bytes));
    this.append(NEWLINE);
  }

  private append(bytes: Uint8Array): void {
    if (this.pos + bytes.length > this.buf.length) this.flush();
    if (bytes.length > this.buf.length) this.write(bytes);
    else {
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  private write(bytes: Uint8Array): void {
    writeSync(this.fd, bytes);
    this.hash.update(bytes);
    this.size += bytes.length;
  }

  /** Closes the file (also after a failure) and returns its hash and size. */
  close(): { sha256: string; bytes: number } {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
    return { sha256: this.hash.digest('hex'), bytes: this.size };
  }
}

/**
 * The member streams behind the enrolments of the service streams a package holds. A split is made from
 * every enrolment of its year, also one whose member no line of the package bills (a member joining after
 * the year's last run, rules 10; an enrolment recorded after it): without the member's stream check-audit
 * could not make the split the lines were decided from. Each member's stream goes up to its last event
 * before the export.
 */
class EnrolledMembers {
  private readonly enrolments = new Map<string, { revision: number; member: string }[]>();
  private readonly heads = new Map<string, number>();

  see(e: RecordedEvent): void {
    if (e.streamId.startsWith('member-')) this.heads.set(e.streamId, e.revision);
    else if (e.type === 'EnrolmentStarted') {
      const list = this.enrolments.get(e.streamId) ?? [];
      list.push({ revision: e.revision, member: (e.data as { member: string }).member });
      this.enrolments.set(e.streamId, list);
    }
  }

  /** Notes the member streams of the enrolments each held stream holds, up to the revision it is held to. */
  noteMembersOf(upTo: ReadonlyMap<string, number>, note: (r: Pick<EventRef, 'streamId' | 'revision'>) => void): void {
    for (const [streamId, revision] of [...upTo]) {
      for (const en of this.enrolments.get(streamId) ?? []) {
        const member = memberStream(en.member);
        const head = this.heads.get(member);
        if (en.revision <= revision && head !== undefined) note({ streamId: member, revision: head });
      }
    }
  }
}

/**
 * Writes the audit package of `year` into `dir` (which must exist): documents.ndjson, traces.ndjson and
 * splits.ndjson in one pass over the log, vouchers.ndjson in a second (the books' fold), events.ndjson in a
 * third (it holds every event up to the last one a document, trace, table or voucher refers to, and up to
 * every supplier cost and payment the year's books rest on, and to the recorded opening balances its IB
 * starts from), manifest.json last. `store` is read raw
 * (src/store/port.ts#rawCodec), so that events.ndjson holds the stored data as it was hashed.
 */
export async function writeAuditPackage(store: EventStore, year: number, dir: string, generatedAt: string, progress: AuditProgress = {}, chart: Chart = DEFAULT_CHART): Promise<AuditManifest> {
  const ownStreams = new Set([`billing-${year}`, `schedule-${year}`, `levy-${year}`]);
  // For every other stream a package refers to: its events from revision 0 to the last one referred to,
  // enough to check the chain from its start.
  const upTo = new Map<string, number>();
  const note = (r: Pick<EventRef, 'streamId' | 'revision'>) => upTo.set(r.streamId, Math.max(upTo.get(r.streamId) ?? -1, r.revision));
  const files: AuditManifest['files'] = {};
  // The manifest is written last: a package whose export stopped half-way (a killed process, a full disk)
  // has none, rather than an earlier export's, which would vouch for files this one has overwritten.
  rmSync(join(dir, 'manifest.json'), { force: true });

  const participants = new EnrolledMembers();
  const documents = new PackageFile('documents.ndjson', dir);
  const traces = new PackageFile('traces.ndjson', dir);
  const splits = new PackageFile('splits.ndjson', dir);
  const tableIds = new Set<string>();
  let documentCount = 0;
  let lines = 0;
  let recomputed = 0;
  try {
    const tables = (rows: readonly SplitTableRow[]): string => {
      const id = splitTableId(rows);
      if (!tableIds.has(id)) {
        tableIds.add(id);
        collectRefs(rows, note);
        splits.record({ id, participants: rows });
      }
      return id;
    };
    const tracer = new YearTracer(year, tables, (d) => {
      collectRefs(d.event, note);
      collectRefs(d.document, note);
      collectRefs(d.lines, note);
      documents.record({ type: d.type, event: d.event, document: d.document });
      traces.record(traceRecord(d));
      documentCount += 1;
      lines += d.lines.length;
      for (const l of d.lines) if (l.matches) recomputed += 1;
      progress.documents?.(documentCount);
    });
    // A year's documents are traced from every event but other years' documents, which they never read.
    for await (const e of store.readAll(undefined, documentFilter([year]))) {
      tracer.feed(e);
      participants.see(e);
    }
    tracer.finish();
  } finally {
    files[documents.name] = documents.close();
    files[traces.name] = traces.close();
    files[splits.name] = splits.close();
  }

  // The year's books, folded as `samkost ledger` folds them: every document, its lines without their
  // provenance (which no voucher reads). Every event but other years' documents was decoded by the trace
  // pass above; the fold reads the raw data as the ledger reads the stored data.
  const vouchers = new PackageFile('vouchers.ndjson', dir);
  let voucherCount = 0;
  let balanced = 0;
  try {
    const books = new Engine(store, 'samkost export audit', undefined, { documentYears: [], otherDocuments: 'provenance' });
    let folded = 0;
    await books.catchUp(() => {
      folded += 1;
      if (folded % 5000 === 0) progress.books?.(folded);
    });
    // A mistyped year is refused, not written as an empty package that looks like a year's: the manifest,
    // written last, is then never written, as for any export that stops half-way.
    const outside = yearOutsideBooks(books.state, year, Number(generatedAt.slice(0, 4)));
    if (outside) throw new NotFoundError(outside);
    // An unbalanced voucher is written as it is: the package records the log, and check-audit names it.
    for (const v of journal(books.state, year, chart, { keepUnbalanced: true })) {
      note(v.source);
      if (sum(v.transactions.map((t) => t.amount)).isZero()) balanced += 1;
      vouchers.record(moneyToJson(voucherRecord(v)));
      voucherCount += 1;
    }
    // The costs and payments behind the year's self-cost and supplier debt, whichever year their vouchers fall in.
    for (const r of bookedCostRefs(books.state, year)) note(r);
    // The recorded opening balances the year's IB starts from (its own year's, or an earlier year's
    // carried forward): no voucher names them, so an auditor could not trace IB to them otherwise.
    const opening = openingBalancesEvent(books.state, year);
    if (opening) note(opening.ref);
  } finally {
    files[vouchers.name] = vouchers.close();
  }

  participants.noteMembersOf(upTo, note);
  const events = new PackageFile('events.ndjson', dir);
  let count = 0;
  const streams: AuditManifest['events']['streams'] = {};
  // A closed year's billing stream up to its close (or what the package refers to after it): a payment of
  // its invoice dated in the next year, or its reversal, is appended to it later and belongs to that year's
  // books, and the closed year's package stays as it was.
  const billing = `billing-${year}`;
  let closedAt: number | undefined;
  try {
    // Every event this writes is in an own stream or one the package refers to: documents elsewhere are never read.
    for await (const e of store.readAll(undefined, documentFilter([year], [...ownStreams, ...upTo.keys()]))) {
      if (!ownStreams.has(e.streamId) && (upTo.get(e.streamId) ?? -1) < e.revision) continue;
      if (e.streamId === billing && closedAt !== undefined && e.revision > Math.max(closedAt, upTo.get(billing) ?? -1)) continue;
      if (e.streamId === billing && e.type === 'YearClosed') closedAt = e.revision;
      events.record({ position: e.position.toString(), streamId: e.streamId, revision: e.revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata });
      count += 1;
      if (count % 5000 === 0) progress.events?.(count);
      const s = streams[e.streamId];
      streams[e.streamId] = { first: s ? s.first : e.revision, last: e.revision, head: e.metadata.hash };
    }
  } finally {
    files[events.name] = events.close();
  }

  const manifest: AuditManifest = {
    format: AUDIT_FORMAT, year, generatedAt, files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))),
    events: { count, streams }, documents: documentCount, lines, linesRecomputed: recomputed, splitTables: tableIds.size, vouchers: voucherCount, vouchersBalanced: balanced,
    chart: Object.fromEntries(Object.entries(chart).filter(([k]) => k !== 'accounts')) as Omit<Chart, 'accounts'>,
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
