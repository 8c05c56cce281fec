/**
 * The one event store port. Both adapters (SQLite embedded, EventStoreDB) implement it and pass the same
 * contract suite (test/store/contract.ts).
 *
 * Conventions, fixed here and translated inside each adapter:
 * - a stream's revisions count from 0; an empty or missing stream has no revision ('no_stream');
 * - `position` is the global order, a bigint that only grows; `readAll(after)` is exclusive of `after`;
 * - the adapter computes the hash chain inside the append, so every stored event is chained.
 */
import { withoutProvenance } from '../../domain/documents-read';
import type { EventRef } from '../../domain/event-ref';

export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

export interface EventMetadata {
  actor: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** ISO 8601 timestamp taken from the clock at the edge. */
  recordedAt: string;
  /** The command's fingerprint (src/app/command-identity.ts#commandFingerprint), on events other than documents. */
  command?: string;
}

export interface ChainedMetadata extends EventMetadata {
  /** Hash of the previous event in the same stream, null for revision 0. */
  prevHash: string | null;
  hash: string;
}

export interface NewEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  position: bigint;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: ChainedMetadata;
  /**
   * The metadata's hash, time and actor, when the adapter has them without decoding the whole metadata
   * (what a ref keeps: see src/store/stored-event.ts). Equal to those members of `metadata` when given.
   */
  readonly refHead?: RefHead;
}

/** What an event's ref takes from its metadata. */
export type RefHead = Pick<ChainedMetadata, 'hash' | 'recordedAt' | 'actor'>;

/** An event's `refHead`, or the same three members of its metadata where the adapter gives none. */
export const refHeadOf = (e: RecordedEvent): RefHead => e.refHead ?? checkedRefHead(e.metadata, e.streamId, e.revision);

/**
 * `metadata`'s hash, time and actor, each a text, or an EventDecodeError naming the event: a ref without
 * them (metadata altered to `{}`, a hash made a number) failed later, far from the event, as an internal error.
 */
export function checkedRefHead(metadata: unknown, streamId: string, revision: number): RefHead {
  const m = (metadata ?? {}) as Partial<Record<keyof RefHead, unknown>>;
  const missing = (['hash', 'recordedAt', 'actor'] as const).filter((k) => typeof m[k] !== 'string');
  if (missing.length > 0) throw new EventDecodeError(streamId, revision, `lagrad metadata saknar ${missing.join(', ')} som text`);
  return { hash: m.hash as string, recordedAt: m.recordedAt as string, actor: m.actor as string };
}

/**
 * Events a read leaves out: those of `types` in any stream but `exceptStreams`. A replay of one year's
 * documents, or a decision about one year's billing, reads the whole log for what it is decided from,
 * but no other year's invoices, which are most of a long history's bytes.
 */
export interface ReadFilter {
  types: readonly string[];
  exceptStreams: readonly string[];
  /**
   * Give the events the filter concerns cut instead of leaving them out: `lines`, with their data's
   * `lines` emptied (`[]`), for a read that needs a document's header, parties and totals but no line
   * (open balances); `provenance`, with each line's `provenance` removed, for a read that needs every
   * line's amount, service and VAT but not how it was derived (the books). Lines, and in them their
   * provenance, are nearly all of a document's bytes. An adapter cuts them where the events are stored
   * (SQLite, in SQL) or after reading them.
   */
  cut?: DocumentCut;
  /**
   * With `cut`: only the events of these streams are given cut, and those the filter concerns in any other
   * stream (but `exceptStreams`) are left out. A payment reads its invoice's year's documents, and of them
   * no line (a balance is the total less credits and payments), so it folds that year's documents cut and
   * no other year's. Absent: every event the filter concerns is given cut.
   */
  cutStreams?: readonly string[];
}

export type DocumentCut = 'lines' | 'provenance';

export interface ReadOptions {
  /**
   * Read each event's metadata from the store when it is first asked for, not with its page: for a fold
   * whose refs come from `refAt`, which reads no event's metadata as it goes. The metadata is about 400
   * bytes of every row, most of what a page copies out of SQLite. Adapters that cannot may ignore it.
   */
  metadataOnDemand?: boolean;
}

/** Whether `filter` lets an event through whole (for adapters that cannot filter where the events are stored). */
export const passes = (filter: ReadFilter | undefined, type: string, streamId: string): boolean =>
  filter === undefined || !filter.types.includes(type) || filter.exceptStreams.includes(streamId);

/** An event as `filter` gives it, for adapters that filter after reading: whole, cut, or not at all. */
export function filtered(filter: ReadFilter | undefined, e: RecordedEvent): RecordedEvent | undefined {
  if (passes(filter, e.type, e.streamId)) return e;
  if (filter?.cut === undefined) return undefined;
  if (filter.cutStreams !== undefined && !filter.cutStreams.includes(e.streamId)) return undefined;
  const data = e.data as { lines: Record<string, unknown>[] };
  return { ...e, data: filter.cut === 'lines' ? { ...data, lines: [] } : withoutProvenance(data) };
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: number;
  /** The events as a read gives them back: their data after its JSON round trip, keys in canonical order (src/store/as-read.ts). */
  events: RecordedEvent[];
  /** True when every event id was already stored at these revisions: a retried append, nothing written. */
  duplicate: boolean;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'esdb';
  readonly location: string;
  /**
   * Appends to one stream at `expected`. With `readUpTo`, the position of the last event the decision
   * could have read, the append is refused (a ConcurrencyError, so the caller decides again) when any
   * event was stored after it, in whatever stream: a decision reads more than the stream it writes to (an
   * invoice run reads budgets, enrolments and members), and a replay decides it again from exactly the
   * events stored before it.
   */
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision, readUpTo?: bigint): Promise<AppendResult>;
  /** The position of the last event stored, -1 when there is none: what a decision about to read may read up to. */
  headPosition(): Promise<bigint>;
  /** Events of one stream in revision order, from `fromRevision` (inclusive). */
  readStream(streamId: string, fromRevision?: number): AsyncIterable<RecordedEvent>;
  /** The event at `revision` of a stream, or undefined where there is none: one event, without reading on. */
  readEvent(streamId: string, revision: number): Promise<RecordedEvent | undefined>;
  /** Every event in global order after `after` (exclusive), but those `filter` leaves out; streamed, never loaded whole. */
  readAll(after?: bigint, filter?: ReadFilter): AsyncIterable<RecordedEvent>;
  /**
   * The same events as `readAll`, a page at a time: a fold of a million events then awaits a thousand
   * times instead of a million (one promise per event was a fifth of a replay).
   */
  readAllPages(after?: bigint, filter?: ReadFilter, options?: ReadOptions): AsyncIterable<readonly RecordedEvent[]>;
  /**
   * The ref of the stored event at `position`, read now; absent where the adapter cannot read synchronously
   * (EventStoreDB). With it a fold keeps only each event's position and reads a ref when it is asked for:
   * a fold of a million events keeps about a million refs and a command reads a few thousand of them.
   * Throws an EventDecodeError where no event is stored at `position` or its metadata cannot be read.
   */
  refAt?(position: number): EventRef;
  /** Revision of the last event of a stream. */
  streamRevision(streamId: string): Promise<number | 'no_stream'>;
  /**
   * The events appended under a command id (metadata.commandId), in order; empty when it never ran.
   * The engine asks this instead of keeping every command id in memory: at a million events that index
   * alone was a quarter of a gigabyte.
   */
  eventsOfCommand(commandId: string): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

/** Decodes (and validates) event data; throws with a message naming the problem. */
export interface EventCodec {
  /** On append: the full check, so nothing invalid is ever stored. */
  check(type: string, schemaVersion: number, data: unknown): unknown;
  /**
   * On read, when given; otherwise `check` runs on read too. A codec may make this cheaper than `check`
   * for data that `check` let in on append (and whose hash chain `verify` checks).
   */
  read?(type: string, schemaVersion: number, data: unknown): unknown;
}

/** A codec that accepts anything: used by `verify`, which must see even events the schemas reject. */
export const rawCodec: EventCodec = { check: (_t, _v, data) => data };

/** The codec's reading half: `read` where it has one, else the full `check`. */
export const readerOf = (codec: EventCodec): EventCodec['check'] => (codec.read ?? codec.check).bind(codec);

/** `readAll` from `readAllPages`, for adapters whose reads come in pages anyway. */
export async function* eventsOfPages(pages: AsyncIterable<readonly RecordedEvent[]>): AsyncIterable<RecordedEvent> {
  for await (const page of pages) yield* page;
}

/** What an append expected of a stream, in the words of a refusal (the store's own terms stay in the API). */
function expectedWords(expected: ExpectedRevision): string {
  switch (expected) {
    case 'no_stream':
      return 'att den inte fanns';
    case 'stream_exists':
      return 'att den fanns';
    case 'any':
      return 'vilken revision som helst';
    default:
      return `revision ${expected}`;
  }
}

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
    message = `strömmen ${streamId} har ändrats under tiden: väntade ${expectedWords(expected)}, men den ${actual === 'no_stream' ? 'finns inte' : `är på revision ${actual}`}; försök igen`,
  ) {
    super(message);
    this.name = 'ConcurrencyError';
  }
}

/**
 * Whether opening may create the store. Only what stores something creates one: a read of a path that
 * does not exist (a typo, the wrong directory) is refused, not answered from a new empty store.
 */
export type StoreAccess = 'read' | 'write';

/**
 * The store itself cannot do what was asked: it does not exist, is not a samkost store, is locked by
 * another run, or its disk is full. Nothing was stored. `retryable` when trying again later may succeed.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export class EventDecodeError extends Error {
  constructor(
    readonly streamId: string,
    readonly revision: number | null,
    reason: string,
    /**
     * Where a stored event that cannot be read lies in the global order, where the adapter knows it: a
     * walk of the whole log (verify) then reads on after it instead of stopping there.
     */
    readonly position?: bigint,
  ) {
    super(`händelsen ${revision === null ? 'som skulle läggas till i' : `på revision ${revision} i`} strömmen ${streamId}: ${reason}`);
    this.name = 'EventDecodeError';
  }
}

export function checkExpected(streamId: string, expected: ExpectedRevision, actual: number | 'no_stream'): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    expected === actual;
  if (!ok) throw new ConcurrencyError(streamId, expected, actual);
}

/** Events were stored after what a decision read (`append`'s `readUpTo`): it must be decided again. */
export function staleRead(streamId: string, expected: ExpectedRevision, actual: number | 'no_stream', readUpTo: bigint, head: bigint): ConcurrencyError {
  return new ConcurrencyError(streamId, expected, actual, `loggen har ändrats under tiden: beslutet läste till position ${readUpTo}, men den är nu på ${head}; försök igen`);
}

