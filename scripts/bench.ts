/**
 * Benchmarks of the engine against a generated store (scripts/generate.ts):
 *
 *   node dist/scripts/bench.js [--store FILE | --events N] [--runs 5] [--json]
 *
 * - replay: every event folded into a fresh state by `Engine.catchUp` (SQLite read, JSON.parse, type check,
 *   `evolve`), then the fees of every year and the split of every service in every year; beside it, in the
 *   same process, the raw rate of `SELECT data, metadata FROM events ORDER BY position` with JSON.parse;
 * - peak RSS of the replay process (VmHWM);
 * - what-if: `simulate` adding one municipality to the service closest to 290 participants (p50/p95/p99),
 *   and a `sweep` of 0..50 added members;
 * - append: `engine.execute` of small commands, and `store.append` of 100 events a call, into fresh stores;
 * - invoice: the invoice runs of one year (default: the store's last invoiced year), each executed again
 *   on a copy of the store holding exactly what preceded it, and checked to append what the history holds;
 * - verify: `samkost replay --year Y --verify` of that year (the store read and `InvoiceReplay`);
 * - the write floor of those runs (their documents inserted as stored, then stringified and hashed first);
 * - alone, not in the report: one of those runs decided again and again on the state it saw, nothing
 *   appended (`--phase decide --run I --runs N`, CPU time), to measure a change to deciding in a few seconds;
 * - cli: `samkost` commands as a user runs them, a fresh process each, refused so the store is unchanged.
 *
 * Each replay, append, invoice and verify run is a fresh child process (`--phase …`), so a run's peak RSS
 * is its own and no run inherits another's warmed-up heap. A phase can be run alone, e.g. under
 * `node --cpu-prof`:
 *
 *   node --cpu-prof dist/scripts/bench.js --phase replay --store data/bench/scale-1-seed-1.db
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Command as Program, InvalidArgumentError, Option } from 'commander';
import { parseCommand } from '../domain/commands';
import type { DomainEvent } from '../domain/events';
import { evolve, type State } from '../domain/state';
import { feesForYear } from '../projections/fees';
import { simulate, sweep } from '../projections/simulate';
import { splitForYear, splitInputs } from '../projections/splits';
import { populationYearFor } from '../domain/population-rule';
import { domainCodec } from '../src/app/codec';
import { Engine, refOf } from '../src/app/engine';
import { eventId } from '../src/app/ids';
import { SqliteEventStore } from '../src/store/sqlite';
import { grouped, median, mib, nowMs, peakRssBytes, percentile, table } from './bench-lib';
import { generate, syntheticOrgnr } from './generate';
import { billedYear, decidePhase, invoicePhase, type InvoiceRun, lastBilledYear, verifyPhase, type VerifyRun, type WriteFloor } from './bench-invoicing';
import { auditDir, cliCommands, commandPhase, type CommandRun } from './bench-commands';
import { RULES_VERSION } from '../domain/rules';

// ---------------------------------------------------------------------------------------------------------
// Phases (each runs in its own process and prints one JSON line)

export interface ReplayRun {
  events: number;
  raw: { ms: number; rows: number };
  fold: { ms: number; mode: 'engine' | 'state' };
  projections: { ms: number; feeYears: number; feeRows: number; splits: number; splitParticipants: number };
  /** VmHWM at the end of the run (raw scan, fold and projections), and after the first two steps. */
  peakRss: number;
  peakRssAfterRaw: number;
  peakRssAfterFold: number;
  peakRssSource: string;
  /** Live heap after a full GC, with the folded state still referenced (when run with --expose-gc). */
  heapUsedAfter: number;
}

/** Reads every row the way a hand-written scan would: the floor a replay is compared with. */
function rawScan(file: string): { ms: number; rows: number } {
  const db = new Database(file, { readonly: true });
  try {
    const stmt = db.prepare('SELECT data, metadata FROM events ORDER BY position');
    const t0 = nowMs();
    let rows = 0;
    let keep = 0;
    for (const r of stmt.iterate() as IterableIterator<{ data: string; metadata: string }>) {
      const data = JSON.parse(r.data) as unknown;
      const metadata = JSON.parse(r.metadata) as { hash: string };
      if (data !== null && metadata.hash.length) keep += 1;
      rows += 1;
    }
    const ms = nowMs() - t0;
    if (keep !== rows) throw new Error('raw scan: unexpected row');
    return { ms, rows };
  } finally {
    db.close();
  }
}

/** The fees of every year with a schedule and the split of every service in every year it has a budget. */
function allProjections(state: State): ReplayRun['projections'] {
  const t0 = nowMs();
  const years = [...state.schedules.keys()].sort((a, b) => a - b);
  let feeRows = 0;
  let splits = 0;
  let splitParticipants = 0;
  for (const y of years) feeRows += feesForYear(state, y).members.length;
  for (const svc of state.services.values()) {
    const start = Number(svc.service.date.slice(0, 4));
    for (const y of years) {
      if (y < start || (!svc.budgets.has(y) && svc.service.pricing.kind !== 'price-list')) continue;
      splitParticipants += splitForYear(state, svc.service.serviceId, y, 'budget', RULES_VERSION).participants.length;
      splits += 1;
    }
  }
  return { ms: nowMs() - t0, feeYears: years.length, feeRows, splits, splitParticipants };
}

async function foldState(file: string, mode: 'engine' | 'state'): Promise<{ state: State; events: number; ms: number }> {
  const store = new SqliteEventStore(file, domainCodec);
  try {
    const engine = new Engine(store, 'bench');
    let events = 0;
    const t0 = nowMs();
    if (mode === 'engine') {
      await engine.catchUp(() => { events += 1; });
    } else {
      // The fold alone, as Engine.catchUp does it but without the engine's command-id and revision indexes.
      for await (const e of store.readAll()) {
        evolve(engine.state, { type: e.type, data: e.data } as DomainEvent, refOf(e));
        events += 1;
      }
    }
    return { state: engine.state, events, ms: nowMs() - t0 };
  } finally {
    await store.close();
  }
}

async function replayPhase(file: string, mode: 'engine' | 'state', withProjections: boolean): Promise<ReplayRun> {
  const raw = rawScan(file);
  const peakRssAfterRaw = peakRssBytes().bytes;
  const fold = await foldState(file, mode);
  const peakRssAfterFold = peakRssBytes().bytes;
  const projections = withProjections ? allProjections(fold.state) : { ms: 0, feeYears: 0, feeRows: 0, splits: 0, splitParticipants: 0 };
  const peak = peakRssBytes();
  (globalThis as { gc?: () => void }).gc?.();
  const heapUsedAfter = process.memoryUsage().heapUsed;
  if (fold.events !== raw.rows) throw new Error(`replay saw ${fold.events} events, the raw scan ${raw.rows}`);
  if (fold.state.services.size < 0) throw new Error('unreachable: keeps the state alive until the heap is measured');
  return {
    events: fold.events, raw, fold: { ms: fold.ms, mode }, projections,
    peakRss: peak.bytes, peakRssAfterRaw, peakRssAfterFold, peakRssSource: peak.source, heapUsedAfter,
  };
}

export interface Latency {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

const latency = (ms: readonly number[]): Latency => ({
  samples: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), mean: ms.reduce((a, b) => a + b, 0) / ms.length,
});

export interface WhatIfResult {
  year: number;
  service: { id: string; rule: string; participants: number };
  added: { kommunkod: string; population: number } | { hypotheticalPopulation: number };
  simulate: Latency;
  sweep: Latency & { max: number; points: number };
  byRule: { rule: string; id: string; participants: number; simulate: Latency }[];
}

async function whatIfPhase(file: string, iterations: number, sweepRuns: number): Promise<WhatIfResult> {
  const { state } = await foldState(file, 'engine');
  const years = [...state.schedules.keys()].sort((a, b) => a - b);
  const year = years[years.length - 1];
  const candidates = [...state.services.values()]
    .filter((s) => s.service.pricing.kind !== 'price-list' && s.budgets.has(year))
    .map((s) => ({ svc: s, participants: splitInputs(state, s, year, RULES_VERSION).length }));
  if (candidates.length === 0) throw new Error(`no service with a budget for ${year}`);
  const closest = (list: typeof candidates) =>
    [...list].sort((a, b) => Math.abs(a.participants - 290) - Math.abs(b.participants - 290) || (a.svc.service.serviceId < b.svc.service.serviceId ? -1 : 1))[0];
  const chosen = closest(candidates);
  const id = chosen.svc.service.serviceId;

  // A municipality from the SCB table that is not yet a participant, the one nearest 15 000 inhabitants.
  const inputs = splitInputs(state, chosen.svc, year, RULES_VERSION);
  const participating = new Set(inputs.map((p) => state.members.get(p.member)?.kommunkod).filter(Boolean));
  const table = state.populations.get(populationYearFor(year));
  const outside = [...(table?.byCode.entries() ?? [])].filter(([code]) => !participating.has(code)).sort((a, b) => Math.abs(a[1] - 15000) - Math.abs(b[1] - 15000));
  const scenario = outside.length ? { kommuner: [outside[0][0]] } : { hypothetical: { count: 1, population: 15000 } };
  const added = outside.length ? { kommunkod: outside[0][0], population: outside[0][1] } : { hypotheticalPopulation: 15000 };

  const measure = (serviceId: string, n: number): number[] => {
    for (let i = 0; i < Math.min(20, n); i++) simulate(state, serviceId, year, 'budget', serviceId === id ? scenario : { hypothetical: { count: 1, population: 15000 } });
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      simulate(state, serviceId, year, 'budget', serviceId === id ? scenario : { hypothetical: { count: 1, population: 15000 } });
      ms.push(nowMs() - t0);
    }
    return ms;
  };
  const simulateMs = measure(id, iterations);

  const SWEEP_MAX = 50;
  let points = 0;
  for (let i = 0; i < 2; i++) sweep(state, id, year, 'budget', 15000, SWEEP_MAX);
  const sweepMs: number[] = [];
  for (let i = 0; i < sweepRuns; i++) {
    const t0 = nowMs();
    points = sweep(state, id, year, 'budget', 15000, SWEEP_MAX).length;
    sweepMs.push(nowMs() - t0);
  }

  const byRule: WhatIfResult['byRule'] = [];
  for (const rule of ['equal', 'tier-weighted', 'per-capita', 'base-plus-per-capita']) {
    const ofRule = candidates.filter((c) => c.svc.service.pricing.kind === rule);
    if (!ofRule.length) continue;
    const c = closest(ofRule);
    byRule.push({ rule, id: c.svc.service.serviceId, participants: c.participants, simulate: latency(measure(c.svc.service.serviceId, Math.max(50, Math.floor(iterations / 3)))) });
  }
  return {
    year, service: { id, rule: chosen.svc.service.pricing.kind, participants: chosen.participants }, added,
    simulate: latency(simulateMs), sweep: { ...latency(sweepMs), max: SWEEP_MAX, points }, byRule,
  };
}

export interface AppendRun {
  dir: string;
  single: { commands: number; events: number; ms: number };
  batched: { calls: number; perCall: number; events: number; ms: number };
}

async function appendPhase(tmpDir: string, singleCommands: number, batchCalls: number): Promise<AppendRun> {
  const dir = mkdtempSync(join(tmpDir, 'samkost-bench-'));
  try {
    // Single commands through the engine: member.join of organisations (one small event each).
    const single = new SqliteEventStore(join(dir, 'single.db'), domainCodec);
    const clock = { now: () => new Date('2024-03-01T09:00:00Z') };
    const engine = new Engine(single, 'bench', clock);
    const commands = Array.from({ length: singleCommands }, (_, i) => parseCommand({
      type: 'member.join', orgnr: syntheticOrgnr('8021', i), kind: 'organisation', name: `Benchföreningen ${i}`, date: '2024-03-01', decisionRef: `Styrelsen §${i}`,
    }));
    let events = 0;
    const t0 = nowMs();
    for (let i = 0; i < commands.length; i++) events += (await engine.execute(commands[i], { commandId: `bench-single-${i}` })).events.length;
    const singleMs = nowMs() - t0;
    await single.close();

    // Batches of 100 events straight into the store (validated, hash-chained, one transaction a call).
    const batched = new SqliteEventStore(join(dir, 'batched.db'), domainCodec);
    const PER_CALL = 100;
    const metadata = { actor: 'bench', commandId: 'bench-batch', correlationId: 'bench-batch', causationId: 'bench-batch', recordedAt: '2024-03-01T09:00:00.000Z' };
    const batches = Array.from({ length: batchCalls }, (_, c) => Array.from({ length: PER_CALL }, (_, j) => ({
      id: eventId(`bench-batch-${c}`, j), type: 'ActualCostRecorded', schemaVersion: 1, metadata,
      data: { serviceId: 'bench', year: 2024, amount: `${1000 + j}.50`, supplier: 'Leverantör AB', reference: `F-${c}-${j}`, date: '2024-03-01' },
    })));
    const t1 = nowMs();
    for (let c = 0; c < batches.length; c++) await batched.append('service-bench', batches[c], c === 0 ? 'no_stream' : c * PER_CALL - 1);
    const batchedMs = nowMs() - t1;
    await batched.close();
    return { dir: tmpDir, single: { commands: commands.length, events, ms: singleMs }, batched: { calls: batchCalls, perCall: PER_CALL, events: batchCalls * PER_CALL, ms: batchedMs } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The driver

function child<T>(args: string[], nodeFlags: string[] = []): T {
  const r = spawnSync(process.execPath, [...process.execArgv, ...nodeFlags, __filename, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench ${args.join(' ')} failed with exit code ${r.status}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

interface StoreInfo {
  file: string;
  bytes: number;
  events: number;
  streams: number;
  byType: Record<string, number>;
}

function storeInfo(file: string): StoreInfo {
  const db = new Database(file, { readonly: true });
  try {
    const byType: Record<string, number> = {};
    for (const r of db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type').all() as { type: string; n: number }[]) byType[r.type] = r.n;
    const streams = (db.prepare('SELECT count(DISTINCT stream_id) AS n FROM events').get() as { n: number }).n;
    const bytes = [file, `${file}-wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
    return { file, bytes, events: Object.values(byType).reduce((a, b) => a + b, 0), streams, byType };
  } finally {
    db.close();
  }
}

/**
 * The scale for a history of about N events without invoicing. At scale 1 (seed 1) there are 27 015
 * enrolment events, which grow with scale² (members × services), and 4 586 others, which grow with the
 * scale: N = a·k² + b·k. Invoicing would add ≈ 26 000 events a year at scale 1, mostly growing with scale²
 * too, and every document stays in the engine's memory: a year's invoicing at scale 6 is ≈ 3 M invoice
 * lines, more than a process holds, so `--events` histories are generated without it.
 */
export function scaleForEvents(n: number): number {
  const a = 27_015;
  const b = 4_586;
  return Math.round(((-b + Math.sqrt(b * b + 4 * a * n)) / (2 * a)) * 100) / 100;
}

async function ensureStore(o: { store?: string; events?: number; seed: number }, log: (s: string) => void): Promise<string> {
  if (o.store) {
    if (!existsSync(o.store)) throw new Error(`${o.store} does not exist; make one with node dist/scripts/generate.js --store ${o.store}`);
    return resolve(o.store);
  }
  const scale = o.events ? scaleForEvents(o.events) : 1;
  const invoicedYears = o.events ? 0 : undefined;
  const file = resolve('data', 'bench', `scale-${scale}-seed-${o.seed}${invoicedYears === 0 ? '-invoiced-0' : ''}.db`);
  if (existsSync(file)) return file;
  log(`bench: generating ${file} (scale ${scale}, seed ${o.seed}${invoicedYears === 0 ? ', no invoicing' : ', invoiced every year'})`);
  const r = await generate({ store: file, scale, seed: o.seed, invoicedYears, log });
  log(`bench: ${r.commands} commands, ${r.events} events in ${r.seconds.toFixed(1)} s`);
  return file;
}

export interface BenchReport {
  machine: { node: string; v8: string; platform: string; cpus: number; memory: number };
  store: StoreInfo;
  runs: number;
  /** Absent with --skip replay. */
  replay?: {
    mode: 'engine';
    rawEventsPerSecond: number;
    foldEventsPerSecond: number;
    replayEventsPerSecond: number;
    ratio: number;
    foldRatio: number;
    medianMs: { raw: number; fold: number; projections: number };
    projections: ReplayRun['projections'];
    peakRssBytes: number;
    peakRssAfterRawBytes: number;
    peakRssAfterFoldBytes: number;
    liveHeapBytes: number;
    peakRssSource: string;
    /** The fold alone (`evolve`, no engine indexes, no projections), in runs of its own. */
    stateOnly: { foldEventsPerSecond: number; peakRssAfterFoldBytes: number; liveHeapBytes: number };
    runs: ReplayRun[];
  };
  whatIf?: WhatIfResult;
  append?: { single: { commandsPerSecond: number; msPerCommand: number }; batched: { eventsPerSecond: number; msPerCall: number }; runs: AppendRun[] };
  /** The year's invoice runs (median of the runs' sums) and `replay --verify` of that year. */
  invoicing?: {
    year: number;
    medianMs: number;
    /** Of the runs, the store's appends (median of the repetitions' sums); the rest is deciding and folding. */
    appendMedianMs: number;
    /** Median per period across the repetitions. */
    periods: { period: string; invoices: number; lines: number; medianMs: number }[];
    sizes: Omit<InvoiceRun, 'runs' | 'ms' | 'appendMs' | 'setupMs' | 'peakRss' | 'floor'>;
    /** Medians of the runs' write floors. */
    floor?: WriteFloor;
    runs: InvoiceRun[];
    verify?: { medianMs: number; ratio: number; documents: number; events: number; peakRssBytes: number; runs: VerifyRun[] };
  };
  /** `samkost` commands as a user runs them: wall time of the whole process (medians). */
  commands?: { name: string; folds: string; medianMs: number; peakRssBytes: number; runs: { ms: number; code: number; peakRss: number }[] }[];
  targets: { name: string; target: string; measured: string; met: boolean | null }[];
}

async function driver(o: { store?: string; events?: number; seed: number; runs: number; json?: boolean; tmpDir: string; iterations: number; skip: string[]; year?: number }): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const file = await ensureStore(o, log);
  const info = storeInfo(file);
  log(`bench: ${file}: ${grouped(info.events)} events in ${grouped(info.streams)} streams, ${mib(info.bytes)}`);

  const replayRuns: ReplayRun[] = [];
  const stateRuns: ReplayRun[] = [];
  const replayed = !o.skip.includes('replay');
  for (let i = 0; replayed && i < o.runs; i++) {
    const noProjections = o.skip.includes('projections') ? ['--no-projections'] : [];
    replayRuns.push(child<ReplayRun>(['--phase', 'replay', '--store', file, ...noProjections], ['--expose-gc']));
    const r = replayRuns[i];
    log(`bench: replay run ${i + 1}/${o.runs}: raw ${r.raw.ms.toFixed(0)} ms, fold ${r.fold.ms.toFixed(0)} ms, projections ${r.projections.ms.toFixed(0)} ms, peak RSS ${mib(r.peakRss)}`);
    if (!o.skip.includes('state')) stateRuns.push(child<ReplayRun>(['--phase', 'replay', '--fold', 'state', '--store', file, '--no-projections'], ['--expose-gc']));
  }
  const med = (f: (r: ReplayRun) => number, runs = replayRuns) => median(runs.map(f));
  const events = info.events;
  const rawRate = med((r) => events / (r.raw.ms / 1000));
  const foldRate = med((r) => events / (r.fold.ms / 1000));
  const replayRate = med((r) => events / ((r.fold.ms + r.projections.ms) / 1000));
  // Ratios per run (raw and fold measured in the same process, minutes apart at most), then their median:
  // load that comes and goes between runs then moves both halves of a ratio alike.
  const ratio = med((r) => r.raw.ms / (r.fold.ms + r.projections.ms));
  const foldRatio = med((r) => r.raw.ms / r.fold.ms);
  const peakRss = med((r) => r.peakRss);
  const peakRssFold = med((r) => r.peakRssAfterFold);
  const projected = !o.skip.includes('projections');

  let whatIf: WhatIfResult | undefined;
  if (!o.skip.includes('whatif')) {
    whatIf = child<WhatIfResult>(['--phase', 'whatif', '--store', file, '--iterations', String(o.iterations), '--sweep-runs', String(Math.max(o.runs, 20))]);
    log(`bench: what-if ${whatIf.service.id} (${whatIf.service.participants} participants): p95 ${whatIf.simulate.p95.toFixed(2)} ms, sweep p50 ${whatIf.sweep.p50.toFixed(1)} ms`);
  }
  let append: BenchReport['append'];
  if (!o.skip.includes('append')) {
    const runs: AppendRun[] = [];
    for (let i = 0; i < o.runs; i++) runs.push(child<AppendRun>(['--phase', 'append', '--tmp-dir', o.tmpDir]));
    append = {
      single: { commandsPerSecond: median(runs.map((r) => r.single.commands / (r.single.ms / 1000))), msPerCommand: median(runs.map((r) => r.single.ms / r.single.commands)) },
      batched: { eventsPerSecond: median(runs.map((r) => r.batched.events / (r.batched.ms / 1000))), msPerCall: median(runs.map((r) => r.batched.ms / r.batched.calls)) },
      runs,
    };
  }

  let invoicing: BenchReport['invoicing'];
  const year = o.year ?? lastBilledYear(file);
  if (year === undefined && !(o.skip.includes('invoice') && o.skip.includes('verify'))) log(`bench: ${file} holds no invoices: no invoice or verify phase`);
  if (year !== undefined && (!o.skip.includes('invoice') || !o.skip.includes('verify'))) {
    const runs: InvoiceRun[] = [];
    if (!o.skip.includes('invoice')) {
      for (let i = 0; i < o.runs; i++) {
        runs.push(child<InvoiceRun>(['--phase', 'invoice', '--store', file, '--year', String(year), '--tmp-dir', o.tmpDir]));
        const r = runs[i];
        log(`bench: invoice runs ${year} ${i + 1}/${o.runs}: ${r.runs.length} runs, ${grouped(r.invoices)} invoices, ${grouped(r.lines)} lines in ${r.ms.toFixed(0)} ms (setup ${(r.setupMs / 1000).toFixed(1)} s), peak RSS ${mib(r.peakRss)}`);
      }
    }
    const verifyRuns: VerifyRun[] = [];
    if (!o.skip.includes('verify')) {
      for (let i = 0; i < o.runs; i++) {
        verifyRuns.push(child<VerifyRun>(['--phase', 'verify', '--store', file, '--year', String(year)]));
        const v = verifyRuns[i];
        log(`bench: replay --verify ${year} ${i + 1}/${o.runs}: ${grouped(v.documents)} documents reproduced in ${v.ms.toFixed(0)} ms, peak RSS ${mib(v.peakRss)}`);
      }
    }
    const runMs = runs.length ? median(runs.map((r) => r.ms)) : Number.NaN;
    const { runs: _r, ms: _m, appendMs: _a, setupMs: _s, peakRss: _p, floor: _f, ...sizes } = runs[0] ?? { year, runs: [], ms: 0, appendMs: 0, setupMs: 0, peakRss: 0, floor: undefined, invoices: 0, lines: 0, members: 0, services: 0, enrolments: 0, foldedEvents: 0 };
    const verifyMs = verifyRuns.length ? median(verifyRuns.map((v) => v.ms)) : Number.NaN;
    invoicing = {
      year, medianMs: runMs, appendMedianMs: runs.length ? median(runs.map((r) => r.appendMs)) : Number.NaN, sizes, runs,
      floor: runs.length ? {
        events: runs[0].floor.events, bytes: runs[0].floor.bytes,
        insertMs: median(runs.map((r) => r.floor.insertMs)), stringifyHashInsertMs: median(runs.map((r) => r.floor.stringifyHashInsertMs)),
      } : undefined,
      periods: (runs[0]?.runs ?? []).map((p, i) => ({ period: p.period, invoices: p.invoices, lines: p.lines, medianMs: median(runs.map((r) => r.runs[i].ms)) })),
      verify: verifyRuns.length ? {
        medianMs: verifyMs, ratio: verifyMs / runMs, documents: verifyRuns[0].documents, events: verifyRuns[0].events,
        peakRssBytes: median(verifyRuns.map((v) => v.peakRss)), runs: verifyRuns,
      } : undefined,
    };
  }

  let commands: BenchReport['commands'];
  if (year !== undefined && !o.skip.includes('cli')) {
    const eventsBefore = storeInfo(file).events;
    commands = cliCommands(file, year, o.tmpDir).map((c) => {
      const runs: { ms: number; code: number; peakRss: number }[] = [];
      for (let i = 0; i < o.runs; i++) {
        const t0 = nowMs();
        const r = child<CommandRun>(['--phase', 'command', '--cli', JSON.stringify(c.args)]);
        runs.push({ ms: nowMs() - t0, ...r });
        if (r.code !== c.code) throw new Error(`samkost ${c.args.join(' ')} exited with ${r.code}, not ${c.code}`);
      }
      log(`bench: samkost ${c.name}: ${median(runs.map((r) => r.ms)).toFixed(0)} ms, peak RSS ${mib(median(runs.map((r) => r.peakRss)))}`);
      return { name: c.name, folds: c.folds, medianMs: median(runs.map((r) => r.ms)), peakRssBytes: median(runs.map((r) => r.peakRss)), runs };
    });
    if (storeInfo(file).events !== eventsBefore) throw new Error(`${file}: a refused command stored something`);
    rmSync(auditDir(o.tmpDir, year), { recursive: true, force: true });
  }

  const targets: BenchReport['targets'] = !replayed ? [] : [
    {
      name: 'replay vs raw scan+parse', target: '≥ 50 %',
      measured: projected ? `${(ratio * 100).toFixed(0)} % (fold + projections); fold alone ${(foldRatio * 100).toFixed(0)} %` : `${(ratio * 100).toFixed(0)} % (fold only; projections not run)`,
      met: ratio >= 0.5,
    },
    {
      name: 'peak RSS of the replay', target: '≤ 500 MB at 1 M events',
      measured: `${(peakRssFold / 1e6).toFixed(0)} MB after the fold${projected ? `, ${(peakRss / 1e6).toFixed(0)} MB with the projections` : ''}, at ${grouped(events)} events`,
      met: events >= 1_000_000 ? Math.max(peakRssFold, projected ? peakRss : 0) <= 500e6 : null,
    },
  ];
  if (whatIf) {
    targets.push({ name: `what-if p95 (${whatIf.service.participants} participants)`, target: '≤ 5 ms', measured: `${whatIf.simulate.p95.toFixed(2)} ms`, met: whatIf.simulate.p95 <= 5 });
    targets.push({ name: 'sweep 0..50 (median)', target: '≤ 50 ms', measured: `${whatIf.sweep.p50.toFixed(1)} ms`, met: whatIf.sweep.p50 <= 50 });
  }

  if (invoicing && invoicing.runs.length) {
    const z = invoicing.sizes;
    targets.push({
      name: `invoice runs ${invoicing.year} (${z.members} members × ${z.services} services)`, target: '≤ 2 s',
      measured: `${(invoicing.medianMs / 1000).toFixed(2)} s for ${invoicing.periods.length} runs, ${grouped(z.invoices)} invoices${invoicing.floor ? `; writing their documents alone ${(invoicing.floor.stringifyHashInsertMs / 1000).toFixed(2)} s` : ''}`, met: invoicing.medianMs <= 2000,
    });
  }
  if (invoicing?.verify) {
    const v = invoicing.verify;
    targets.push({
      name: `replay --verify ${invoicing.year}`, target: '≤ 2 × the runs',
      measured: `${(v.medianMs / 1000).toFixed(2)} s${Number.isNaN(v.ratio) ? '' : ` = ${v.ratio.toFixed(2)} ×`}`, met: Number.isNaN(v.ratio) ? null : v.ratio <= 2,
    });
  }

  const report: BenchReport = {
    machine: { node: process.versions.node, v8: process.versions.v8, platform: `${platform()} ${release()}`, cpus: cpus().length, memory: totalmem() },
    store: info, runs: o.runs,
    replay: !replayed ? undefined : {
      mode: 'engine', rawEventsPerSecond: rawRate, foldEventsPerSecond: foldRate, replayEventsPerSecond: replayRate, ratio, foldRatio,
      medianMs: { raw: med((r) => r.raw.ms), fold: med((r) => r.fold.ms), projections: med((r) => r.projections.ms) },
      projections: replayRuns[0].projections, peakRssBytes: peakRss, peakRssSource: replayRuns[0].peakRssSource,
      peakRssAfterRawBytes: med((r) => r.peakRssAfterRaw), peakRssAfterFoldBytes: med((r) => r.peakRssAfterFold), liveHeapBytes: med((r) => r.heapUsedAfter),
      stateOnly: {
        foldEventsPerSecond: stateRuns.length ? med((r) => events / (r.fold.ms / 1000), stateRuns) : Number.NaN,
        peakRssAfterFoldBytes: stateRuns.length ? med((r) => r.peakRssAfterFold, stateRuns) : Number.NaN,
        liveHeapBytes: stateRuns.length ? med((r) => r.heapUsedAfter, stateRuns) : Number.NaN,
      },
      runs: replayRuns,
    },
    whatIf, append, invoicing, commands, targets,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${render(report)}\n`);
}

function render(r: BenchReport): string {
  const out: string[] = [];
  out.push(`Node ${r.machine.node} (V8 ${r.machine.v8}), ${r.machine.platform}, ${r.machine.cpus} CPUs, ${mib(r.machine.memory)}`);
  out.push(`Store ${r.store.file}: ${grouped(r.store.events)} events, ${grouped(r.store.streams)} streams, ${mib(r.store.bytes)}; medians of ${r.runs} runs`);
  if (r.replay) renderReplay(r.replay, out);
  renderRest(r, out);
  return out.join('\n');
}

function renderReplay(replay: NonNullable<BenchReport['replay']>, out: string[]): void {
  const p = replay.projections;
  out.push('');
  out.push(table([
    ['replay (fresh process per run)', 'median', 'events/s'],
    ['raw scan: SELECT data, metadata + JSON.parse', `${replay.medianMs.raw.toFixed(0)} ms`, grouped(replay.rawEventsPerSecond)],
    ['fold: Engine.catchUp (read, evolve, refs)', `${replay.medianMs.fold.toFixed(0)} ms`, grouped(replay.foldEventsPerSecond)],
    [`projections: fees ${p.feeYears} years (${grouped(p.feeRows)} rows), ${grouped(p.splits)} splits`, `${replay.medianMs.projections.toFixed(0)} ms`, ''],
    ['full replay: fold + projections', `${(replay.medianMs.fold + replay.medianMs.projections).toFixed(0)} ms`, grouped(replay.replayEventsPerSecond)],
    ['ratio full replay / raw', `${(replay.ratio * 100).toFixed(0)} %`, ''],
    ['ratio fold only / raw', `${(replay.foldRatio * 100).toFixed(0)} %`, ''],
  ]));
  const so = replay.stateOnly;
  const opt = (x: number, f: (x: number) => string) => (Number.isNaN(x) ? '–' : f(x));
  const projected = replay.medianMs.projections > 0;
  out.push('');
  out.push(table([
    [`memory of a replay process (${replay.peakRssSource})`, 'Engine.catchUp', 'evolve only'],
    ['peak RSS after the raw scan', mib(replay.peakRssAfterRawBytes), ''],
    ['peak RSS after the fold', mib(replay.peakRssAfterFoldBytes), opt(so.peakRssAfterFoldBytes, mib)],
    ['peak RSS after the projections too', projected ? mib(replay.peakRssBytes) : 'not run', ''],
    ['live heap after a full GC, state still held', mib(replay.liveHeapBytes), opt(so.liveHeapBytes, mib)],
    ['fold rate', `${grouped(replay.foldEventsPerSecond)} events/s`, opt(so.foldEventsPerSecond, (x) => `${grouped(x)} events/s`)],
  ]));
}

function renderRest(r: BenchReport, out: string[]): void {
  if (r.whatIf) {
    const w = r.whatIf;
    const f = (x: number) => `${x.toFixed(2)} ms`;
    out.push('');
    out.push(`what-if ${w.year}: ${w.service.id} (${w.service.rule}, ${w.service.participants} participants), adding ${'kommunkod' in w.added ? `kommun ${w.added.kommunkod} (${grouped(w.added.population)} inv.)` : `a hypothetical municipality of ${w.added.hypotheticalPopulation}`}`);
    out.push(table([
      ['', 'samples', 'p50', 'p95', 'p99'],
      ['simulate (one municipality added)', String(w.simulate.samples), f(w.simulate.p50), f(w.simulate.p95), f(w.simulate.p99)],
      [`sweep 0..${w.sweep.max} (${w.sweep.points} splits + 1)`, String(w.sweep.samples), f(w.sweep.p50), f(w.sweep.p95), f(w.sweep.p99)],
      ...w.byRule.map((b) => [`simulate, ${b.rule} ${b.id} (${b.participants})`, String(b.simulate.samples), f(b.simulate.p50), f(b.simulate.p95), f(b.simulate.p99)]),
    ]));
  }
  if (r.append) {
    const a = r.append;
    const first = a.runs[0];
    out.push('');
    out.push(table([
      [`append into fresh stores in ${first.dir}`, 'median', 'rate'],
      [`engine.execute, ${first.single.commands} member.join commands`, `${a.single.msPerCommand.toFixed(2)} ms/command`, `${grouped(a.single.commandsPerSecond)} commands/s`],
      [`store.append, ${first.batched.calls} calls × ${first.batched.perCall} events`, `${a.batched.msPerCall.toFixed(2)} ms/call`, `${grouped(a.batched.eventsPerSecond)} events/s`],
    ]));
  }
  if (r.invoicing) {
    const v = r.invoicing;
    const z = v.sizes;
    const secs = (ms: number) => (Number.isNaN(ms) ? '–' : `${ms.toFixed(0)} ms`);
    out.push('');
    out.push(`invoicing ${v.year}: ${z.members} members billed, ${z.services} services, ${grouped(z.enrolments)} enrolments; the runs on a copy of the store up to each run (${grouped(z.foldedEvents)} events folded, untimed)`);
    out.push(table([
      ['', 'invoices', 'lines', 'median'],
      ...v.periods.map((p) => [`invoice.run ${p.period}`, grouped(p.invoices), grouped(p.lines), secs(p.medianMs)]),
      [`the year's ${v.periods.length} runs`, grouped(z.invoices), grouped(z.lines), secs(v.medianMs)],
      ['of which store.append (check, serialise, hash, insert)', '', '', secs(v.appendMedianMs)],
      ...(v.floor ? [
        [`floor: the runs' ${grouped(v.floor.events)} events (${mib(v.floor.bytes)} of event data) inserted as stored`, '', '', secs(v.floor.insertMs)],
        ['floor: the same, each document JSON.stringify-ed and SHA-256-hashed first', '', '', secs(v.floor.stringifyHashInsertMs)],
      ] : []),
      ...(v.verify ? [[`replay --year ${v.year} --verify (${grouped(v.verify.events)} events read, ${grouped(v.verify.documents)} documents)`, '', '', secs(v.verify.medianMs)]] : []),
      ...(v.verify && !Number.isNaN(v.verify.ratio) ? [['ratio verify / runs', '', '', `${v.verify.ratio.toFixed(2)} ×`]] : []),
    ]));
    const rss = [
      v.runs.length ? `the runs' process ${mib(median(v.runs.map((x) => x.peakRss)))}` : '',
      v.verify ? `the verify process ${mib(v.verify.peakRssBytes)}` : '',
    ].filter(Boolean);
    out.push(`peak RSS (VmHWM): ${rss.join(', ')}`);
  }
  if (r.commands?.length) {
    out.push('');
    out.push(table([
      ['samkost command, a fresh process', 'folds', 'median', 'peak RSS'],
      ...r.commands.map((c) => [c.name, c.folds, `${c.medianMs.toFixed(0)} ms`, mib(c.peakRssBytes)]),
    ]));
  }
  out.push('');
  out.push(table([['target', 'wanted', 'measured', ''], ...r.targets.map((t) => [t.name, t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED'])]));
}

const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number ≥ 1`);
  return n;
};

export async function cli(argv: string[]): Promise<void> {
  const program = new Program('bench')
    .description('replay, what-if and append benchmarks against a generated store')
    .option('--store <file>', 'store to measure (default: data/bench/scale-<k>-seed-<n>.db, generated when missing)')
    .option('--events <n>', 'without --store: generate a history of about this many events', positive('--events'))
    .option('--seed <n>', 'seed when generating', positive('--seed'), 1)
    .option('--runs <n>', 'runs per measurement (medians)', positive('--runs'), 5)
    .option('--iterations <n>', 'what-if samples', positive('--iterations'), 300)
    .option('--sweep-runs <n>', 'sweep samples (phase whatif)', positive('--sweep-runs'), 20)
    .option('--tmp-dir <dir>', 'where append benchmarks create their stores', tmpdir())
    .option('--skip <parts>', 'comma-separated: replay, projections (replay = the fold only), state, whatif, append, invoice, verify, cli', '')
    .option('--year <year>', 'invoice and verify: the year (default: the last year with an invoice run)', positive('--year'))
    .addOption(new Option('--no-projections', 'phase replay: the fold only').hideHelp())
    .option('--json', 'the full report as JSON')
    .addOption(new Option('--phase <phase>', 'run one measurement in this process: replay, whatif, append, invoice, decide, verify or command').hideHelp())
    .addOption(new Option('--cli <json>', 'phase command: the samkost arguments, as a JSON array').hideHelp())
    .addOption(new Option('--run <index>', 'phase decide: which of the year\'s invoice runs, 0 = its first (decided --runs times)').argParser(Number).default(0).hideHelp())
    .addOption(new Option('--fold <mode>', 'phase replay: engine (Engine.catchUp) or state (evolve only)').default('engine').hideHelp());
  program.parse(argv);
  const o = program.opts<{ store?: string; events?: number; seed: number; runs: number; run: number; iterations: number; sweepRuns: number; tmpDir: string; skip: string; json?: boolean; phase?: string; fold: string; projections: boolean; year?: number; cli?: string }>();
  const print = (x: unknown): void => {
    process.stdout.write(`${JSON.stringify(x)}\n`);
  };
  switch (o.phase) {
    case undefined:
      return driver({ store: o.store, events: o.events, seed: o.seed, runs: o.runs, json: o.json, tmpDir: o.tmpDir, iterations: o.iterations, skip: o.skip.split(',').filter(Boolean), year: o.year });
    case 'replay':
      if (o.fold !== 'engine' && o.fold !== 'state') throw new Error('--fold is engine or state');
      return print(await replayPhase(resolve(o.store as string), o.fold, o.projections));
    case 'whatif':
      return print(await whatIfPhase(resolve(o.store as string), o.iterations, o.sweepRuns));
    case 'append':
      return print(await appendPhase(o.tmpDir, 1000, 100));
    case 'invoice': {
      const file = resolve(o.store as string);
      return print(await invoicePhase(file, billedYear(file, o.year), o.tmpDir));
    }
    case 'verify': {
      const file = resolve(o.store as string);
      return print(await verifyPhase(file, billedYear(file, o.year)));
    }
    case 'decide': {
      const file = resolve(o.store as string);
      return print(await decidePhase(file, billedYear(file, o.year), o.run, o.runs, o.tmpDir));
    }
    case 'command':
      return print(await commandPhase(JSON.parse(o.cli as string) as string[]));
    default:
      throw new Error(`unknown phase ${o.phase}`);
  }
}

if (require.main === module) {
  cli(process.argv).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  });
}
