/**
 * The invoicing phases of the bench (scripts/bench.ts): a year's invoice runs executed again on a copy of
 * the history, their write floor, and `replay --year Y --verify`. Each runs in a child process of its own.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommand } from '../domain/commands';
import { decide } from '../domain/decide';
import { commandInputOf } from '../domain/rules';
import { domainCodec } from '../src/app/codec';
import { Engine, scopeOfCommands } from '../src/app/engine';
import { replayYear } from '../src/app/replay-year';
import { SqliteEventStore, writeSettings } from '../src/store/sqlite';
import { median, nowMs, peakRssBytes } from './bench-lib';

/** One invoice run of the year as the history recorded it: its command and where its events sit. */
interface RecordedRun {
  commandId: string;
  actor: string;
  recordedAt: string;
  params: Record<string, unknown>;
  /** Positions of its first and last event (one append: contiguous). */
  first: number;
  last: number;
}

/** The year's invoice runs, read back from the documents they issued (`origin` holds each run's command). */
function recordedRuns(src: Database.Database, year: number): RecordedRun[] {
  const rows = src.prepare(`
    SELECT command_id AS commandId, min(position) AS first, max(position) AS last, min(metadata) AS metadata,
           min(json_extract(data, '$.origin.params')) AS params
      FROM events
     WHERE stream_id = ? AND type = 'InvoiceIssued' AND json_extract(data, '$.origin.command') = 'invoice.run'
     GROUP BY command_id ORDER BY first`).all(`billing-${year}`) as { commandId: string; first: number; last: number; metadata: string; params: string }[];
  return rows.map((r) => {
    const m = JSON.parse(r.metadata) as { actor: string; recordedAt: string };
    return { commandId: r.commandId, actor: m.actor, recordedAt: m.recordedAt, params: JSON.parse(r.params) as Record<string, unknown>, first: r.first, last: r.last };
  });
}

/** A recorded run's command, as the history gave it (`origin.params`). */
const runCommand = (r: RecordedRun) => parseCommand(commandInputOf({ command: 'invoice.run', params: r.params }));

/** A scratch store in a directory of its own and the history beside it, for a phase to copy rows between. */
interface ScratchCopy {
  dir: string;
  /** The history, read only. */
  src: Database.Database;
  /** The scratch store as the adapter opens it, and its database, with the history attached as `src`. */
  store: SqliteEventStore;
  copy: Database.Database;
  /** Copies the history's events from position `from` up to, not including, `before`, verbatim. */
  copyRange: (from: number, before: number) => void;
}

async function withScratchCopy<T>(file: string, tmpDir: string, prefix: string, use: (s: ScratchCopy) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpDir, prefix));
  const path = join(dir, 'store.db');
  const src = new Database(file, { readonly: true });
  const store = new SqliteEventStore(path, domainCodec);
  const copy = new Database(path);
  try {
    copy.pragma('synchronous = OFF'); // a scratch copy: losing it on a power cut costs nothing
    copy.prepare('ATTACH DATABASE ? AS src').run(file);
    const columns = `position, ${ROW_COLUMNS}`;
    const range = copy.prepare(`INSERT INTO main.events (${columns}) SELECT ${columns} FROM src.events WHERE position >= ? AND position < ? ORDER BY position`);
    return await use({ dir, src, store, copy, copyRange: (from, before) => { range.run(from, before); } });
  } finally {
    copy.close();
    src.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The last year with an invoice in the store, if any. */
export function lastBilledYear(file: string): number | undefined {
  const db = new Database(file, { readonly: true });
  try {
    const r = db.prepare("SELECT max(stream_id) AS s FROM events WHERE stream_id LIKE 'billing-%' AND type = 'InvoiceIssued'").get() as { s: string | null };
    return r.s ? Number(r.s.slice('billing-'.length)) : undefined;
  } finally {
    db.close();
  }
}

export function billedYear(file: string, year?: number): number {
  const y = year ?? lastBilledYear(file);
  if (y === undefined) throw new Error(`${file} holds no invoices; generate a store with invoicing (scripts/generate.ts)`);
  return y;
}

export interface InvoiceRun {
  year: number;
  /**
   * Each of the year's runs: what it issued, how long `engine.execute` took, and how much of that was the
   * store's `append` (checking, serialising, hashing and inserting the documents); the rest is deciding
   * and folding what was appended.
   */
  runs: { period: string; invoices: number; lines: number; ms: number; appendMs: number }[];
  /** The year's runs together: the figure the target is about. */
  ms: number;
  /** Of `ms`, the store's appends. */
  appendMs: number;
  invoices: number;
  lines: number;
  /** Distinct buyers, services on a-conto lines and enrolments billed by the year's runs. */
  members: number;
  services: number;
  enrolments: number;
  /** Untimed: copying the store up to the first run and folding it, and the events between runs. */
  setupMs: number;
  foldedEvents: number;
  peakRss: number;
  /** What writing the year's run documents costs with no deciding at all: see `writeFloor`. */
  floor: WriteFloor;
}

/**
 * The least a year's invoice runs can cost with documents of this size: the events the runs appended,
 * written again as stored into a fresh store (same schema and pragmas, one transaction a run), first
 * their stored text as it is, then each document serialised by the native `JSON.stringify` and hashed
 * (SHA-256) before its insert, which any append must at least do. Untimed for the target.
 */
export interface WriteFloor {
  events: number;
  bytes: number;
  insertMs: number;
  stringifyHashInsertMs: number;
}

/** An event row's columns but its position (which a store assigns), in the table's order. */
const ROW_COLUMNS = 'stream_id, revision, event_id, type, schema_version, data, metadata, command_id, recorded_at';

async function writeFloor(dir: string, runs: { rows: unknown[][] }[]): Promise<WriteFloor> {
  const DATA = 5;
  const parsed = runs.map((r) => r.rows.map((row) => JSON.parse(row[DATA] as string) as unknown));
  const once = async (name: string, serialise: boolean): Promise<number> => {
    const path = join(dir, `floor-${name}.db`);
    // The adapter makes the schema, as for a real store; the pragmas are set again below as it sets them.
    await new SqliteEventStore(path, domainCodec).close();
    const db = new Database(path);
    try {
      writeSettings(db);
      const insert = db.prepare(`INSERT INTO events (${ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const t0 = nowMs();
      runs.forEach((r, i) => db.transaction(() => {
        r.rows.forEach((row, j) => {
          const values = [...row];
          if (serialise) {
            values[DATA] = JSON.stringify(parsed[i][j]);
            createHash('sha256').update(values[DATA] as string).digest('hex');
          }
          insert.run(...values);
        });
      }).immediate());
      return nowMs() - t0;
    } finally {
      db.close();
    }
  };
  return {
    events: runs.reduce((n, r) => n + r.rows.length, 0),
    bytes: runs.reduce((n, r) => n + r.rows.reduce<number>((b, row) => b + Buffer.byteLength(row[DATA] as string), 0), 0),
    insertMs: await once('insert', false),
    stringifyHashInsertMs: await once('serialise', true),
  };
}

/**
 * The year's invoice runs, each on exactly the state it saw when the history was written: a fresh store
 * holds every event before the year's first run; each run's command (from its documents' `origin`) is
 * executed through `engine.execute` with its command id and recorded time, timed; then the events the
 * history has between that run and the next (payments, enrolments, …) are copied in verbatim and folded,
 * untimed. Each run must append exactly the stored events (same ids, positions and hashes), so what is
 * timed is the real run and the benchmark doubles as a determinism check.
 */
export async function invoicePhase(file: string, year: number, tmpDir: string): Promise<InvoiceRun> {
  const t0 = nowMs();
  return withScratchCopy(file, tmpDir, 'samkost-bench-invoice-', async ({ dir, src, store, copy, copyRange }) => {
    const runs = recordedRuns(src, year);
    if (runs.length === 0) throw new Error(`${file}: no invoice run in ${year}`);
    const storedOf = src.prepare('SELECT position, event_id, metadata FROM events WHERE position BETWEEN ? AND ? ORDER BY position').raw(true);
    const appendedOf = copy.prepare('SELECT position, event_id, metadata FROM main.events WHERE position BETWEEN ? AND ? ORDER BY position').raw(true);
    const writtenOf = copy.prepare(`SELECT ${ROW_COLUMNS} FROM main.events WHERE position BETWEEN ? AND ? ORDER BY position`).raw(true);

    let at = new Date(0);
    // Scoped as the CLI scopes `samkost invoice run` (scopeOfCommands): the year's documents, their lines
    // without provenance, no other year's.
    const engine = new Engine(store, runs[0].actor, { now: () => at }, scopeOfCommands([runCommand(runs[0])]));
    // The store's share of each run, timed around its append (the engine calls it once a run).
    let appendMs = 0;
    const append = store.append.bind(store);
    store.append = async (...args: Parameters<typeof store.append>) => {
      const s = nowMs();
      try {
        return await append(...args);
      } finally {
        appendMs += nowMs() - s;
      }
    };
    let foldedEvents = 0;
    let setupMs = 0;
    const catchUpTo = async (before: number, from: number) => {
      const s = nowMs();
      copyRange(from, before);
      await engine.catchUp(() => { foldedEvents += 1; });
      setupMs += nowMs() - s;
    };
    await catchUpTo(runs[0].first, 0);
    setupMs = nowMs() - t0;

    const out: InvoiceRun['runs'] = [];
    for (const [i, r] of runs.entries()) {
      at = new Date(r.recordedAt);
      const command = runCommand(r);
      const s = nowMs();
      appendMs = 0;
      const result = await engine.execute(command, { commandId: r.commandId });
      const ms = nowMs() - s;
      const runAppendMs = appendMs;
      const stored = JSON.stringify(storedOf.all(r.first, r.last));
      if (result.duplicate || JSON.stringify(appendedOf.all(r.first, r.last)) !== stored || result.events.length !== r.last - r.first + 1) {
        throw new Error(`invoice run ${r.commandId} did not append what the history holds at positions ${r.first}–${r.last}`);
      }
      const ids = new Set(result.events.map((e) => e.id));
      const issued = [...(engine.state.billing.get(year)?.invoices.values() ?? [])].filter((inv) => ids.has(inv.ref.eventId));
      out.push({ period: String(r.params.period), invoices: issued.length, lines: issued.reduce((n, inv) => n + inv.invoice.lines.length, 0), ms, appendMs: runAppendMs });
      await catchUpTo(i + 1 < runs.length ? runs[i + 1].first : r.last + 1, r.last + 1);
    }

    const peakRss = peakRssBytes().bytes;
    const floor = await writeFloor(dir, runs.map((r) => ({ rows: writtenOf.all(r.first, r.last) as unknown[][] })));

    const members = new Set<string>();
    const services = new Set<string>();
    const enrolments = new Set<string>();
    for (const inv of engine.state.billing.get(year)?.invoices.values() ?? []) {
      if (inv.invoice.origin.command !== 'invoice.run') continue;
      members.add(inv.invoice.buyer.orgnr);
      for (const l of inv.invoice.lines) {
        if (l.serviceId) services.add(l.serviceId);
        if (l.enrolmentId) enrolments.add(`${l.serviceId}/${l.enrolmentId}`);
      }
    }
    return {
      year, runs: out, ms: out.reduce((a, r) => a + r.ms, 0), appendMs: out.reduce((a, r) => a + r.appendMs, 0), invoices: out.reduce((a, r) => a + r.invoices, 0), lines: out.reduce((a, r) => a + r.lines, 0),
      members: members.size, services: services.size, enrolments: enrolments.size, setupMs, foldedEvents, peakRss, floor,
    };
  });
}

export interface DecideRun {
  year: number;
  period: string;
  invoices: number;
  lines: number;
  /** CPU time (user + system) of each `decide` of the run, in order: the first is the coldest. */
  cpuMs: number[];
  medianCpuMs: number;
}

/**
 * Deciding alone: the year's run of index `index` (0 = its first), decided `times` times over on the state
 * it saw (a copy of the history up to it, folded as the CLI folds it), nothing appended. Timed in CPU
 * time, which the rest of the machine disturbs less than wall time; the documents are those the history
 * holds (their count is checked), so what is timed is the real deciding.
 */
export async function decidePhase(file: string, year: number, index: number, times: number, tmpDir: string): Promise<DecideRun> {
  return withScratchCopy(file, tmpDir, 'samkost-bench-decide-', async ({ src, store, copyRange }) => {
    const runs = recordedRuns(src, year);
    const r = runs[index];
    if (!r) throw new Error(`${file}: ${year} has ${runs.length} invoice runs, no run ${index}`);
    copyRange(0, r.first);
    const command = runCommand(r);
    const at = new Date(r.recordedAt);
    const engine = new Engine(store, r.actor, { now: () => at }, scopeOfCommands([command]));
    await engine.catchUp();
    const cpuMs: number[] = [];
    let decided: ReturnType<typeof decide> | undefined;
    for (let i = 0; i < times; i++) {
      const before = process.cpuUsage();
      decided = decide(command, engine.state, { today: r.recordedAt.slice(0, 10) });
      const used = process.cpuUsage(before);
      cpuMs.push((used.user + used.system) / 1000);
    }
    const events = decided?.events ?? [];
    if (events.length !== r.last - r.first + 1) throw new Error(`run ${index} of ${year} decided ${events.length} documents where the history holds ${r.last - r.first + 1}`);
    const lines = events.reduce((n, e) => n + (e.type === 'InvoiceIssued' ? e.data.lines.length : 0), 0);
    return { year, period: String(r.params.period), invoices: events.length, lines, cpuMs, medianCpuMs: median(cpuMs) };
  });
}

export interface VerifyRun {
  year: number;
  events: number;
  documents: number;
  reproduced: number;
  ms: number;
  peakRss: number;
}

/** `samkost replay --year Y --verify` without the CLI around it: the same `replayYear`. */
export async function verifyPhase(file: string, year: number): Promise<VerifyRun> {
  const t0 = nowMs();
  const store = new SqliteEventStore(file, domainCodec);
  try {
    const { eventsRead: events, documents: results } = await replayYear(store, year);
    const ms = nowMs() - t0;
    const reproduced = results.filter((r) => r.reproduced).length;
    if (reproduced !== results.length) throw new Error(`replay --verify ${year}: ${results.length - reproduced} of ${results.length} documents differ, e.g. ${results.find((r) => !r.reproduced)?.difference}`);
    return { year, events, documents: results.length, reproduced, ms, peakRss: peakRssBytes().bytes };
  } finally {
    await store.close();
  }
}
