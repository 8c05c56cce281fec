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
import { eventHash, type HashableEvent } from '../src/store/hash-chain';

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
    problems.push(`manifest.json: cannot be read (${(err as Error).message})`);
    return result(0, 0, 0, 0);
  }
  if (manifest.format !== 'samkost-audit/1') problems.push(`manifest.json: unknown format ${JSON.stringify(manifest.format)}`);
  const files = Object.entries(manifest.files ?? {});
  for (const name of ['events.ndjson', 'invoices.json', 'traces.json']) if (!manifest.files?.[name]) problems.push(`manifest.json does not list ${name}`);
  for (const [name, f] of files) {
    const path = join(dir, name);
    if (name.includes('/') || name.includes('\\') || !existsSync(path)) {
      problems.push(`${name}: missing`);
      continue;
    }
    const bytes = readFileSync(path);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== f.sha256) problems.push(`${name}: SHA-256 ${hash} differs from the manifest's ${f.sha256}`);
    if (bytes.length !== f.bytes) problems.push(`${name}: ${bytes.length} bytes, the manifest says ${f.bytes}`);
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
      problems.push(`events.ndjson line ${i + 1}: not JSON (${(err as Error).message})`);
      return;
    }
    events += 1;
    const head = heads.get(e.streamId);
    const expected = head ? head.revision + 1 : 0;
    const at = `events.ndjson line ${i + 1}: stream ${e.streamId} revision ${e.revision}`;
    if (e.revision !== expected) problems.push(`${at}: follows ${head ? `revision ${head.revision}` : 'nothing'}; an event is missing or out of order`);
    else if (e.metadata?.prevHash !== (head ? head.hash : null)) problems.push(`${at}: prevHash does not match the previous event; the chain is broken`);
    else if (eventHash(e) !== e.metadata.hash) problems.push(`${at}: the stored hash does not match the event content; the event was altered`);
    heads.set(e.streamId, { revision: e.revision, hash: e.metadata?.hash });
    byId.set(e.id, e.metadata?.hash);
  });
  if (manifest.events) {
    if (manifest.events.count !== events) problems.push(`events.ndjson: ${events} events, the manifest says ${manifest.events.count}`);
    for (const [stream, s] of Object.entries(manifest.events.streams ?? {})) {
      const h = heads.get(stream);
      if (!h) problems.push(`events.ndjson: stream ${stream} is missing`);
      else if (h.revision !== s.last || h.hash !== s.head) problems.push(`events.ndjson: stream ${stream} ends at revision ${h.revision}, the manifest says ${s.last} with head ${s.head.slice(0, 12)}…`);
    }
  }

  // Every reference resolves to an event in the package, with the same hash.
  let references = 0;
  for (const name of ['invoices.json', 'traces.json']) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (err) {
      problems.push(`${name}: cannot be read (${(err as Error).message})`);
      continue;
    }
    const seen = new Set<string>();
    refsIn(value, (r) => {
      references += 1;
      const key = `${r.eventId}/${r.hash}`;
      if (seen.has(key)) return;
      seen.add(key);
      const hash = byId.get(r.eventId);
      if (hash === undefined) problems.push(`${name}: refers to ${r.streamId}@${r.revision}, which is not in events.ndjson`);
      else if (hash !== r.hash) problems.push(`${name}: refers to ${r.streamId}@${r.revision} with hash ${r.hash.slice(0, 12)}…, the event's is ${hash.slice(0, 12)}…`);
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
  for (const p of r.problems) process.stdout.write(`FAILED: ${p}\n`);
  process.stdout.write(r.ok
    ? `OK: ${r.files} files match the manifest; ${r.events} events in ${r.streams} streams, every hash chain intact; ${r.references} references resolve\n`
    : `${r.problems.length} problems in ${dir}\n`);
  process.exit(r.ok ? 0 : 1);
}
