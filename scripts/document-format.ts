/**
 * What a smaller document format would buy a year's invoice runs, measured before deciding on it
 * (docs/benchmarks.md, "Tenth pass"). Nothing here is used by the engine.
 *
 * It reads the documents a year's invoice runs issued, as stored, and makes of them the format proposed in
 * the sixth pass: every ref cut to what identifies and seals its event (`{streamId, revision, hash}`), and
 * an a-conto line referring to its split's statement (the rule in words, the cost's refs, each month's
 * amount, denominator and participant count: written once per service and split, not once per
 * participant). Then it times, on both, what every append and read does with every byte: zod's check,
 * `JSON.stringify`, canonical JSON with SHA-256 (the hash chain), `JSON.parse`, and an SQLite insert; and
 * what an append does since the thirteenth pass instead of the second and third: the data written once,
 * canonically, for both the hash and the row (src/store/as-read.ts#storedData), and its SHA-256.
 *
 *   node dist/scripts/document-format.js --store data/bench/scale-1-seed-1-invoiced-1.db --year 2023
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { canonicalJsonUtf8 } from '../domain/canonical-json';
import { EventRefSchema, InvoiceIssued, InvoiceLine } from '../domain/events/billing';
import { storedData } from '../src/store/as-read';
import { writeSettings } from '../src/store/sqlite';
import { grouped, median, mib, nowMs, table } from './bench-lib';

type Document = z.infer<typeof InvoiceIssued>;
type Line = Document['lines'][number];
type Ref = z.infer<typeof EventRefSchema>;

const CompactRef = z.object({ streamId: z.string(), revision: z.number().int().nonnegative(), hash: z.string() });
type CompactRef = z.infer<typeof CompactRef>;

/** The split facts every participant's line repeats today, once per service and split. */
const SplitStatement = z.object({
  statementId: z.string(),
  serviceId: z.string(),
  year: z.number().int(),
  basis: z.enum(['budget', 'actual']),
  rule: z.string(),
  costRefs: z.array(CompactRef),
  months: z.array(z.object({ month: z.number().int(), amount: z.string(), denominator: z.string(), participants: z.number().int() })),
});
type SplitStatement = z.infer<typeof SplitStatement>;

const CompactLine = InvoiceLine.extend({
  provenance: z.object({
    rule: z.string().optional(),
    statement: z.string().optional(),
    basis: z.string(),
    refs: z.array(CompactRef),
    months: z.array(z.object({ month: z.number().int(), share: z.string(), weight: z.string() })).optional(),
  }),
});
const CompactDocument = InvoiceIssued.extend({ lines: z.array(CompactLine).min(1) });

/** Events a split's cost comes from; the rest of an a-conto line's refs are its participant's own. */
const COST_EVENTS = new Set(['ServiceEstablished', 'CouncilBudgetDecided', 'ActualCostRecorded']);

const compact = (r: Ref): CompactRef => ({ streamId: r.streamId, revision: r.revision, hash: r.hash });

/** The documents in the proposed format, and the statements their a-conto lines refer to. */
function compactFormat(docs: readonly Document[]): { documents: unknown[]; statements: SplitStatement[] } {
  const statements = new Map<string, SplitStatement>();
  const line = (doc: Document, l: Line): unknown => {
    const p = l.provenance;
    if (l.kind !== 'a-conto' || !p.months || !l.serviceId) return { ...l, provenance: { ...p, refs: p.refs.map(compact) } };
    const facts = {
      serviceId: l.serviceId, year: doc.year, basis: 'budget' as const, rule: p.rule,
      costRefs: p.refs.filter((r) => COST_EVENTS.has(r.type)).map(compact),
      months: p.months.map((m) => ({ month: m.month, amount: m.amount, denominator: m.denominator, participants: m.participants })),
    };
    const key = JSON.stringify(facts);
    let statement = statements.get(key);
    if (!statement) {
      statement = { statementId: `${l.serviceId}/${doc.year}/budget/${statements.size + 1}`, ...facts };
      statements.set(key, statement);
    }
    return {
      ...l,
      provenance: {
        statement: statement.statementId, basis: p.basis,
        refs: p.refs.filter((r) => !COST_EVENTS.has(r.type)).map(compact),
        months: p.months.map((m) => ({ month: m.month, share: m.share, weight: m.weight })),
      },
    };
  };
  const documents = docs.map((d) => ({ ...d, lines: d.lines.map((l) => line(d, l)) }));
  return { documents, statements: [...statements.values()] };
}

interface Costs {
  events: number;
  bytes: number;
  zodMs: number;
  stringifyMs: number;
  canonicalSha256Ms: number;
  /** What an append now does instead of both: the canonical copy written once (storedData), and its SHA-256. */
  sealMs: number;
  parseMs: number;
  insertMs: number;
}

function measure(values: readonly unknown[], schema: z.ZodType, runs: number, dir: string): Costs {
  const texts = values.map((v) => JSON.stringify(v));
  const timed = (f: () => void): number => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = nowMs();
      f();
      samples.push(nowMs() - t0);
    }
    return median(samples);
  };
  const path = join(dir, 'format.db');
  const insertMs = timed(() => {
    rmSync(path, { force: true });
    const db = new Database(path);
    try {
      // As the store writes (its pages, WAL, synchronous FULL), in one transaction.
      writeSettings(db);
      db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, data TEXT NOT NULL)');
      const insert = db.prepare('INSERT INTO events (data) VALUES (?)');
      db.transaction(() => {
        for (const t of texts) insert.run(t);
      }).immediate();
    } finally {
      db.close();
      rmSync(path, { force: true });
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
    }
  });
  return {
    events: values.length,
    bytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
    zodMs: timed(() => {
      for (const v of values) schema.parse(v);
    }),
    stringifyMs: timed(() => {
      for (const v of values) JSON.stringify(v);
    }),
    canonicalSha256Ms: timed(() => {
      for (const v of values) {
        const h = createHash('sha256');
        canonicalJsonUtf8(v, (b) => h.update(b));
        h.digest('hex');
      }
    }),
    sealMs: timed(() => {
      for (const v of values) createHash('sha256').update(storedData(v).text).digest('hex');
    }),
    parseMs: timed(() => {
      for (const t of texts) JSON.parse(t);
    }),
    insertMs,
  };
}

const positive = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};

function main(): void {
  const program = new Command('document-format')
    .description('the documents of a year\'s invoice runs, as stored and in the proposed compact format: what each costs to check, write and read')
    .requiredOption('--store <file>', 'an SQLite store with the year invoiced (e.g. data/bench/scale-1-seed-1-invoiced-1.db)')
    .requiredOption('--year <year>', 'the year', positive('--year'))
    .option('--runs <n>', 'runs per measurement (medians)', positive('--runs'), 5)
    .option('--json', 'the figures as JSON')
    .parse();
  const o = program.opts<{ store: string; year: number; runs: number; json?: boolean }>();
  const db = new Database(o.store, { readonly: true, fileMustExist: true });
  const rows = db.prepare("SELECT data FROM events WHERE stream_id = ? AND type = 'InvoiceIssued' ORDER BY position").pluck().all(`billing-${o.year}`) as string[];
  db.close();
  const docs = rows.map((t) => InvoiceIssued.parse(JSON.parse(t))).filter((d) => d.origin.command === 'invoice.run');
  if (docs.length === 0) throw new Error(`${o.store} holds no invoice run documents of ${o.year}`);
  const { documents, statements } = compactFormat(docs);
  const dir = tmpdir();
  const stored = measure(docs, InvoiceIssued, o.runs, dir);
  const proposed = measure(documents, CompactDocument, o.runs, dir);
  const withStatements = measure(statements, SplitStatement, o.runs, dir);
  const lines = docs.reduce((n, d) => n + d.lines.length, 0);
  const report = { store: o.store, year: o.year, runs: o.runs, lines, stored, proposed, statements: withStatements };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const row = (name: string, c: Costs): string[] => [
    name, grouped(c.events), mib(c.bytes), ...[c.zodMs, c.stringifyMs, c.canonicalSha256Ms, c.sealMs, c.parseMs, c.insertMs].map((ms) => `${grouped(ms)} ms`),
  ];
  process.stdout.write(`${o.year}: ${grouped(docs.length)} invoice run documents, ${grouped(lines)} lines (medians of ${o.runs})\n`);
  process.stdout.write(`${table([
    ['format', 'events', 'size', 'zod', 'JSON.stringify', 'canonical + SHA-256', 'one pass + SHA-256', 'JSON.parse', 'SQLite insert'],
    row('as stored', stored),
    row('compact documents', proposed),
    row('+ split statements', withStatements),
  ])}\n`);
}

main();
