/**
 * The one event store port. Both adapters (SQLite embedded, EventStoreDB) implement it and pass the same
 * contract suite (test/store/contract.ts).
 *
 * Conventions, fixed here and translated inside each adapter:
 * - a stream's revisions count from 0; an empty or missing stream has no revision ('no_stream');
 * - `position` is the global order, a bigint that only grows; `readAll(after)` is exclusive of `after`;
 * - the adapter computes the hash chain inside the append, so every stored event is chained.
 */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

export interface EventMetadata {
  actor: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** ISO 8601 timestamp taken from the clock at the edge. */
  recordedAt: string;
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
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: number;
  events: RecordedEvent[];
  /** True when every event id was already stored at these revisions: a retried append, nothing written. */
  duplicate: boolean;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'esdb';
  readonly location: string;
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order, from `fromRevision` (inclusive). */
  readStream(streamId: string, fromRevision?: number): AsyncIterable<RecordedEvent>;
  /** Every event in global order after `after` (exclusive); streamed, never loaded whole. */
  readAll(after?: bigint): AsyncIterable<RecordedEvent>;
  /** Revision of the last event of a stream. */
  streamRevision(streamId: string): Promise<number | 'no_stream'>;
  close(): Promise<void>;
}

/** Decodes (and validates) event data on write and on read; throws with a message naming the problem. */
export interface EventCodec {
  check(type: string, schemaVersion: number, data: unknown): unknown;
}

/** A codec that accepts anything: used by `verify`, which must see even events the schemas reject. */
export const rawCodec: EventCodec = { check: (_t, _v, data) => data };

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, but it is at ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

export class EventDecodeError extends Error {
  constructor(
    readonly streamId: string,
    readonly revision: number | null,
    reason: string,
  ) {
    super(`event ${revision === null ? 'to append to' : `at revision ${revision} of`} stream ${streamId}: ${reason}`);
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
