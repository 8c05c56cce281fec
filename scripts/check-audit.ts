/**
 * Re-checks an audit package written by `samkost export audit`, offline, with nothing but its files:
 *
 *   node dist/scripts/check-audit.js DIR
 *
 * - every file listed in manifest.json has the SHA-256 and size written there;
 * - events.ndjson: per stream, revisions run 0, 1, 2 … without a gap, each event's prevHash is the hash of
 *   the one before it, and its hash is SHA-256 over its canonical JSON (src/store/hash-chain.ts);
 *   the last event of each stream is the head the manifest names;
 * - every event reference in invoices.json and traces.json names an event in events.ndjson, with its hash.
 *
 * Exit code 0 when everything holds, 1 when something does not (each problem printed), 2 on bad usage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainBreak, eventHash, type HashableEvent } from '../src/store/hash-chain';

export interface AuditCheckResult {
  ok: boolean;
  problems: string[];
  files: number;
  events: number;
  streams: number;
  references: number;
}

interface Manifest {
  format?: string;
  files?: Record<string, { sha256: string; bytes: number }>;
  events?: { count: number; streams: Record<string, { first: number; last: number; head: string }> };
}

type Line = HashableEvent & { position: string; metadata: HashableEvent['metadata'] & { hash: string } };

function refsIn(value: unknown, into: (r: { streamId: string; revision: number; eventId: string; hash: string }) => void): void {
  if (Array.isArray(value)) return value.forEach((v) => refsIn(v, into));
  if (!value || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if (typeof o.streamId === 'string' && typeof o.revision === 'number' && typeof o.eventId === 'string' && typeof o.hash === 'string')
    into(o as { streamId: string; revision: number; eventId: string; hash: string });
  for (const v of Object.values(o)) refsIn(v, into);
}

export function checkAudit(dir: string): AuditCheckResult {
  const problems: string[] = [];
  const result = (files: number, events: number, streams: number, references: number): AuditCheckResult =>
    ({ ok: problems.length === 0, problems, files, events, streams, references });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    problems.push(`manifest.json: kan inte läsas (${(err as Error).message})`);
    return result(0, 0, 0, 0);
  }
  if (manifest.format !== 'samkost-audit/1') problems.push(`manifest.json: okänt format ${JSON.stringify(manifest.format)}`);
  const files = Object.entries(manifest.files ?? {});
  for (const name of ['events.ndjson', 'invoices.json', 'traces.json']) if (!manifest.files?.[name]) problems.push(`manifest.json saknar ${name}`);
  for (const [name, f] of files) {
    const path = join(dir, name);
    if (name.includes('/') || name.includes('\\') || !existsSync(path)) {
      problems.push(`${name}: saknas`);
      continue;
    }
    const bytes = readFileSync(path);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== f.sha256) problems.push(`${name}: SHA-256 ${hash} skiljer sig från manifestets ${f.sha256}`);
    if (bytes.length !== f.bytes) problems.push(`${name}: ${bytes.length} byte, manifestet anger ${f.bytes}`);
  }

  // The hash chains, stream by stream, in the order the events were written.
  const heads = new Map<string, { revision: number; hash: string }>();
  const byId = new Map<string, string>();
  let events = 0;
  const text = existsSync(join(dir, 'events.ndjson')) ? readFileSync(join(dir, 'events.ndjson'), 'utf8') : '';
  const lines = text.split('\n').filter((l) => l.length > 0);
  lines.forEach((raw, i) => {
    let e: Line;
    try {
      e = JSON.parse(raw) as Line;
    } catch (err) {
      problems.push(`events.ndjson rad ${i + 1}: inte JSON (${(err as Error).message})`);
      return;
    }
    events += 1;
    const head = heads.get(e.streamId);
    const expected = head ? head.revision + 1 : 0;
    const at = `events.ndjson rad ${i + 1}: ström ${e.streamId}`;
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
  let references = 0;
  for (const name of ['invoices.json', 'traces.json']) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      problems.push(`${name}: kan inte läsas (${(err as Error).message})`);
      continue;
    }
    const seen = new Set<string>();
    refsIn(value, (r) => {
      references += 1;
      const key = `${r.eventId}/${r.hash}`;
      if (seen.has(key)) return;
      seen.add(key);
      const hash = byId.get(r.eventId);
      if (hash === undefined) problems.push(`${name}: hänvisar till ${r.streamId}@${r.revision}, som inte finns i events.ndjson`);
      else if (hash !== r.hash) problems.push(`${name}: hänvisar till ${r.streamId}@${r.revision} med hash ${r.hash.slice(0, 12)}…, händelsens är ${hash.slice(0, 12)}…`);
    });
  }
  return result(files.length, events, heads.size, references);
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
    ? `OK: ${r.files} filer stämmer med manifestet; ${r.events} händelser i ${r.streams} strömmar, varje hashkedja obruten; ${r.references} hänvisningar hittade\n`
    : `${r.problems.length} fel i ${dir}\n`);
  process.exit(r.ok ? 0 : 1);
}
