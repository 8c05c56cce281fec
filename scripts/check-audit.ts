/**
 * Re-checks an audit package written by `samkost export audit` (format samkost-audit/2), offline, with
 * nothing but its files:
 *
 *   node dist/scripts/check-audit.js DIR
 *
 * - every file listed in manifest.json has the SHA-256 and size written there;
 * - events.ndjson: per stream, revisions run 0, 1, 2 … without a gap, each event's prevHash is the hash of
 *   the one before it, and its hash is SHA-256 over its canonical JSON (src/store/hash-chain.ts);
 *   the last event of each stream is the head the manifest names;
 * - splits.ndjson: each table's id is the SHA-256 of its participants' canonical JSON;
 * - every event reference in documents.ndjson, traces.ndjson and splits.ndjson names an event in
 *   events.ndjson, with its hash;
 * - every split month a trace names by table: the table is in splits.ndjson, its weights sum to the
 *   month's Σ weights, its shares plus the unallocated amount to the month's amount, and the line's own
 *   participants in it carry the line's weight and share;
 * - the manifest's counts of documents, lines and tables are those of the files.
 *
 * Every file is read a line at a time: a national year's package is about a gigabyte.
 * Exit code 0 when everything holds, 1 when something does not (each problem printed), 2 on bad usage.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import Decimal from 'decimal.js';
import { AUDIT_FORMAT, collectRefs, splitTableId } from '../src/export/audit-package';
import { chainBreak, eventHash, type HashableEvent } from '../src/store/hash-chain';

export interface AuditCheckResult {
  ok: boolean;
  problems: string[];
  files: number;
  events: number;
  streams: number;
  references: number;
  splitTables: number;
}

const NDJSON = ['events.ndjson', 'splits.ndjson', 'documents.ndjson', 'traces.ndjson'] as const;

interface Manifest {
  format?: string;
  files?: Record<string, { sha256: string; bytes: number }>;
  events?: { count: number; streams: Record<string, { first: number; last: number; head: string }> };
  documents?: number;
  lines?: number;
  splitTables?: number;
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
interface MonthTrace { month: number; priceList: boolean; monthAmount: string; weightSum: string; weight: string; share: string; unallocated: string; table?: string }
interface TracedLine { document: { buyer: { orgnr: string } }; line: { lineNo: number; kind: string; enrolmentId?: string }; months?: MonthTrace[] }
interface TracedDocument { number: string; lines: TracedLine[] }

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

export function checkAudit(dir: string): AuditCheckResult {
  const problems: string[] = [];
  let events = 0;
  let references = 0;
  const heads = new Map<string, { revision: number; hash: string }>();
  const tables = new Map<string, TableSums>();
  const result = (files: number): AuditCheckResult =>
    ({ ok: problems.length === 0, problems, files, events, streams: heads.size, references, splitTables: tables.size });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    problems.push(`manifest.json: kan inte läsas (${(err as Error).message})`);
    return result(0);
  }
  if (manifest.format !== AUDIT_FORMAT) {
    problems.push(`manifest.json: okänt format ${JSON.stringify(manifest.format)}; det här skriptet kontrollerar ${AUDIT_FORMAT}`
      + (manifest.format === 'samkost-audit/1' ? ' (ett paket i samkost-audit/1 kontrolleras med check-audit från den version av samkost som skrev det)' : ''));
    return result(0);
  }
  const listed = manifest.files ?? {};
  for (const name of NDJSON) if (!listed[name]) problems.push(`manifest.json saknar ${name}`);

  // Each file once: its lines checked as they are read, its hash and size against the manifest.
  const checked = new Set<string>();
  const read = (name: string, onLine: (text: string, n: number) => void) => {
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
        problems.push(`${name} rad ${n}: ${err instanceof SyntaxError ? `inte JSON (${err.message})` : (err as Error).message}`);
      }
    });
    const f = listed[name];
    if (f && sha256 !== f.sha256) problems.push(`${name}: SHA-256 ${sha256} skiljer sig från manifestets ${f.sha256}`);
    if (f && bytes !== f.bytes) problems.push(`${name}: ${bytes} byte, manifestet anger ${f.bytes}`);
  };

  // The hash chains, stream by stream, in the order the events were written.
  const byId = new Map<string, string>();
  read('events.ndjson', (raw, n) => {
    const e = JSON.parse(raw) as EventLine;
    events += 1;
    const head = heads.get(e.streamId);
    const expected = head ? head.revision + 1 : 0;
    const at = `events.ndjson rad ${n}: ström ${e.streamId}`;
    if (e.revision !== expected) problems.push(`${at}: ${chainBreak.order(e.revision, head?.revision)}`);
    else if (e.metadata?.prevHash !== (head ? head.hash : null)) problems.push(`${at} revision ${e.revision}: ${chainBreak.prevHash}`);
    else if (eventHash(e) !== e.metadata.hash) problems.push(`${at} revision ${e.revision}: ${chainBreak.altered}`);
    heads.set(e.streamId, { revision: e.revision, hash: e.metadata?.hash });
    byId.set(e.id, e.metadata?.hash);
  });
  if (manifest.events) {
    if (manifest.events.count !== events) problems.push(`events.ndjson: ${events} händelser, manifestet anger ${manifest.events.count}`);
    for (const [stream, s] of Object.entries(manifest.events.streams ?? {})) {
      const h = heads.get(stream);
      if (!h) problems.push(`events.ndjson: strömmen ${stream} saknas`);
      else if (h.revision !== s.last || h.hash !== s.head) problems.push(`events.ndjson: strömmen ${stream} slutar vid revision ${h.revision}, manifestet anger ${s.last} med hash ${s.head.slice(0, 12)}…`);
    }
  }

  // Every reference resolves to an event in the package, with the same hash.
  const resolve = (name: string, value: unknown, seen: Set<string>) => collectRefs(value, (r) => {
    references += 1;
    const key = `${r.eventId}/${r.hash}`;
    if (seen.has(key)) return;
    seen.add(key);
    const hash = byId.get(r.eventId);
    if (hash === undefined) problems.push(`${name}: hänvisar till ${r.streamId}@${r.revision}, som inte finns i events.ndjson`);
    else if (hash !== r.hash) problems.push(`${name}: hänvisar till ${r.streamId}@${r.revision} med hash ${r.hash.slice(0, 12)}…, händelsens är ${hash.slice(0, 12)}…`);
  });

  const splitRefs = new Set<string>();
  read('splits.ndjson', (raw, n) => {
    const t = JSON.parse(raw) as { id: string; participants: TableRow[] };
    const id = splitTableId(t.participants);
    if (id !== t.id) problems.push(`splits.ndjson rad ${n}: tabellen ${t.id.slice(0, 12)}… har innehåll med SHA-256 ${id.slice(0, 12)}…: den har ändrats`);
    if (tables.has(t.id)) problems.push(`splits.ndjson rad ${n}: tabellen ${t.id.slice(0, 12)}… finns redan`);
    tables.set(t.id, tableSums(t.participants));
    resolve('splits.ndjson', t.participants, splitRefs);
  });
  if (manifest.splitTables !== undefined && manifest.splitTables !== tables.size) problems.push(`splits.ndjson: ${tables.size} tabeller, manifestet anger ${manifest.splitTables}`);

  let documents = 0;
  const documentRefs = new Set<string>();
  read('documents.ndjson', (raw) => {
    documents += 1;
    resolve('documents.ndjson', JSON.parse(raw), documentRefs);
  });

  let traced = 0;
  let lines = 0;
  const traceRefs = new Set<string>();
  read('traces.ndjson', (raw, n) => {
    const d = JSON.parse(raw) as TracedDocument;
    traced += 1;
    resolve('traces.ndjson', d, traceRefs);
    for (const l of d.lines) {
      lines += 1;
      for (const m of l.months ?? []) {
        if (m.table === undefined) continue;
        const at = `traces.ndjson rad ${n}: ${d.number} rad ${l.line.lineNo} månad ${m.month}`;
        const t = tables.get(m.table);
        if (!t) {
          problems.push(`${at}: tabellen ${m.table.slice(0, 12)}… finns inte i splits.ndjson`);
          continue;
        }
        if (!t.weight.eq(m.weightSum)) problems.push(`${at}: tabellens vikter summerar till ${t.weight.toString()}, spårningen anger ${m.weightSum}`);
        // A price list divides nothing: each participant pays a twelfth of its yearly price (its weight).
        const shares = t.share.plus(m.unallocated);
        if (!m.priceList && !shares.eq(m.monthAmount)) problems.push(`${at}: tabellens andelar plus ofördelat är ${shares.toFixed(2)}, månadens belopp ${m.monthAmount}`);
        // The line's own participants: its enrolment (an a-conto line), or the buyer's enrolments (a settlement).
        const own = (l.line.kind === 'a-conto' ? t.byKey.get(l.line.enrolmentId ?? '') : t.byMember.get(l.document.buyer.orgnr)) ?? { weight: new Decimal(0), share: new Decimal(0) };
        if (!own.weight.eq(m.weight)) problems.push(`${at}: radens vikt ${m.weight} finns inte i tabellen (${own.weight.toString()})`);
        if (!own.share.eq(m.share)) problems.push(`${at}: radens andel ${m.share} finns inte i tabellen (${own.share.toFixed(2)})`);
      }
    }
  });
  if (traced !== documents) problems.push(`traces.ndjson: ${traced} dokument, documents.ndjson har ${documents}`);
  if (manifest.documents !== undefined && manifest.documents !== documents) problems.push(`documents.ndjson: ${documents} dokument, manifestet anger ${manifest.documents}`);
  if (manifest.lines !== undefined && manifest.lines !== lines) problems.push(`traces.ndjson: ${lines} rader, manifestet anger ${manifest.lines}`);

  // Any other file the manifest lists.
  for (const name of Object.keys(listed)) if (!checked.has(name)) read(name, () => undefined);
  return result(Object.keys(listed).length);
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node dist/scripts/check-audit.js DIR\n');
    process.exit(2);
  }
  const r = checkAudit(dir);
  for (const p of r.problems) process.stdout.write(`FEL: ${p}\n`);
  process.stdout.write(r.ok
    ? `OK: ${r.files} filer stämmer med manifestet; ${r.events} händelser i ${r.streams} strömmar, varje hashkedja obruten; ${r.references} hänvisningar hittade; ${r.splitTables} fördelningstabeller stämmer med spårningarna\n`
    : `${r.problems.length} fel i ${dir}\n`);
  process.exit(r.ok ? 0 : 1);
}
