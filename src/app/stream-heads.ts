import { z } from 'zod';
import { firstIssue, swedishIssue } from '../../domain/issue-words';

/*
 * A hash chain shows that no event was edited, removed or reordered, except at its end: a stream with its
 * last events deleted is a shorter chain that is just as valid. An auditor closes that gap by noting each
 * stream's head (its last revision and that event's hash) at one audit and checking at the next that the
 * event at that revision still has that hash. Since the chain up to it is intact, every event before it is
 * then as it was, and anything after it was appended since.
 */

export const HEADS_FORMAT = 'samkost-heads/1';

const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'ska vara en SHA-256 i hex (64 tecken)');
const StreamHead = z.object({ last: z.number().int().min(0), head: Hash });
export type StreamHead = z.infer<typeof StreamHead>;
/** Heads by stream id; none at all would check nothing and pass, so it is refused. */
const Streams = z.record(z.string(), StreamHead).refine((r) => Object.keys(r).length > 0, 'anger inga strömmar, så det finns inget att jämföra med');

/** What `samkost heads --out` writes. */
export const HeadsFile = z.object({
  format: z.literal(HEADS_FORMAT),
  generatedAt: z.string(),
  events: z.number().int().min(0),
  streams: Streams,
});
export type HeadsFile = z.infer<typeof HeadsFile>;

/** An audit package's manifest (src/export/audit-package.ts) lists the heads of the streams it holds. */
const ManifestHeads = z.object({
  format: z.string().startsWith('samkost-audit/'),
  events: z.object({ streams: Streams }),
});

/** Thrown when a file does not hold stream heads; the message names the file and what is wrong. */
export class HeadsFileError extends Error {}

/** The streams' heads in a heads file or an audit manifest, by stream id. */
export function headsOf(value: unknown, file: string): Map<string, StreamHead> {
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && format.startsWith('samkost-audit/')) {
    const manifest = ManifestHeads.safeParse(value, { error: swedishIssue });
    if (!manifest.success) throw new HeadsFileError(`${file}: ${firstIssue(manifest.error)}`);
    return new Map(Object.entries(manifest.data.events.streams).map(([id, s]) => [id, { last: s.last, head: s.head }]));
  }
  const heads = HeadsFile.safeParse(value, { error: swedishIssue });
  if (!heads.success) {
    if (format === HEADS_FORMAT) throw new HeadsFileError(`${file}: ${firstIssue(heads.error)}`);
    throw new HeadsFileError(`${file} är varken en fil från samkost heads (${HEADS_FORMAT}) eller en revisionsexports manifest.json: ${firstIssue(heads.error)}`);
  }
  return new Map(Object.entries(heads.data.streams));
}

/** Heads as a file: streams in id order, so that the same log always gives the same bytes. */
export function headsFile(heads: ReadonlyMap<string, StreamHead>, events: number, generatedAt: string): HeadsFile {
  const streams: Record<string, StreamHead> = {};
  for (const id of [...heads.keys()].sort()) {
    const h = heads.get(id) as StreamHead;
    streams[id] = { last: h.last, head: h.head };
  }
  return { format: HEADS_FORMAT, generatedAt, events, streams };
}

/** One stream whose noted head is gone or changed. */
export interface HeadMismatch {
  streamId: string;
  /** The revision noted. */
  revision: number;
  reason: string;
}

/**
 * Checks noted heads against the events of a log as a chain walk reads them. `see` each event; `finish`
 * with the heads the walk found. A head whose stream now ends before it means events were removed; an
 * event at the noted revision with another hash means the history was written anew at that revision or
 * somewhere before it: a head is one hash, which shows that the chain up to it changed, not where.
 */
export class HeadsCheck {
  private readonly reached = new Set<string>();
  readonly mismatches: HeadMismatch[] = [];

  constructor(readonly noted: ReadonlyMap<string, StreamHead>) {}

  see(streamId: string, revision: number, hash: string): void {
    const n = this.noted.get(streamId);
    if (n === undefined || n.last !== revision) return;
    this.reached.add(streamId);
    if (hash !== n.head) {
      this.mismatches.push({ streamId, revision, reason: `händelsen har hashen ${hash.slice(0, 12)}…, men den noterade är ${n.head.slice(0, 12)}…: historiken till och med den noterade revisionen har skrivits om (ett noterat huvud visar inte var ändringen börjar)` });
    }
  }

  /** The noted heads not reached: each stream now ends before its noted revision, or is gone. */
  finish(found: ReadonlyMap<string, { revision: number }>): void {
    for (const [streamId, n] of this.noted) {
      if (this.reached.has(streamId)) continue;
      const now = found.get(streamId);
      this.mismatches.push({
        streamId, revision: n.last,
        reason: now === undefined
          ? `strömmen finns inte längre (den noterade slutade vid revision ${n.last}): händelser har tagits bort`
          : `strömmen slutar vid revision ${now.revision}, men den noterade slutade vid revision ${n.last}: händelser har tagits bort`,
      });
    }
    this.mismatches.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  }
}
