import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chainMetadata } from './hash-chain';
import {
  type AppendResult,
  type ChainedMetadata,
  checkExpected,
  EventDecodeError,
  type EventCodec,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from './port';

interface Row {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  schema_version: bigint;
  data: string;
  metadata: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id      TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  event_id       TEXT    NOT NULL UNIQUE,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  data           TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  command_id     TEXT    NOT NULL,
  recorded_at    TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_command_id ON events (command_id);
`;

/** Rows fetched per page when streaming: bounded memory, few round trips. */
const PAGE = 1000;

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly lastOfStream: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly byEventId: Database.Statement;
  private readonly pageAll: Database.Statement;
  private readonly pageStream: Database.Statement;

  constructor(
    readonly location: string,
    private readonly codec: EventCodec,
  ) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    this.db = new Database(location);
    this.db.pragma('journal_mode = WAL');
    // Billing data: a committed append must survive a power cut, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 15000');
    this.db.exec(SCHEMA);
    this.db.defaultSafeIntegers(true);
    this.lastOfStream = this.db.prepare(
      'SELECT revision, metadata FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.insert = this.db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata, command_id, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byEventId = this.db.prepare('SELECT * FROM events WHERE event_id = ?');
    this.pageAll = this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
    this.pageStream = this.db.prepare(
      'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
    );
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    const checked = events.map((e) => {
      try {
        return { ...e, data: this.codec.check(e.type, e.schemaVersion, e.data) };
      } catch (err) {
        throw new EventDecodeError(streamId, null, `${e.type}: ${(err as Error).message}`);
      }
    });
    // BEGIN IMMEDIATE takes the write lock before reading the stream head, so two processes can never
    // both see the same head and both append after it.
    const run = this.db.transaction((): AppendResult => {
      const duplicate = this.findDuplicate(streamId, checked);
      if (duplicate) return duplicate;
      const head = this.lastOfStream.get(streamId) as { revision: bigint; metadata: string } | undefined;
      const actual = head === undefined ? 'no_stream' : Number(head.revision);
      checkExpected(streamId, expected, actual);
      let prevHash = head === undefined ? null : (JSON.parse(head.metadata) as ChainedMetadata).hash;
      let revision = actual === 'no_stream' ? 0 : actual + 1;
      const recorded: RecordedEvent[] = [];
      for (const e of checked) {
        const metadata = chainMetadata({ streamId, revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata }, prevHash);
        const info = this.insert.run(
          streamId, revision, e.id, e.type, e.schemaVersion, JSON.stringify(e.data), JSON.stringify(metadata),
          metadata.commandId, metadata.recordedAt,
        );
        recorded.push({ position: BigInt(info.lastInsertRowid), streamId, revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata });
        prevHash = metadata.hash;
        revision += 1;
      }
      return { nextRevision: revision - 1, events: recorded, duplicate: false };
    });
    return run.immediate();
  }

  /** A retried append (same event ids, same stream, in order) returns what was stored the first time. */
  private findDuplicate(streamId: string, events: NewEvent[]): AppendResult | undefined {
    const first = this.byEventId.get(events[0].id) as Row | undefined;
    if (first === undefined) return undefined;
    const rows = events.map((e) => this.byEventId.get(e.id) as Row | undefined);
    const start = Number(first.revision);
    const same = rows.every((r, i) => r !== undefined && r.stream_id === streamId && Number(r.revision) === start + i);
    if (!same) throw new EventDecodeError(streamId, null, `event id ${events[0].id} is already stored elsewhere`);
    const recorded = rows.map((r) => this.decode(r as Row));
    return { nextRevision: recorded[recorded.length - 1].revision, events: recorded, duplicate: true };
  }

  async *readStream(streamId: string, fromRevision = 0): AsyncIterable<RecordedEvent> {
    let next = fromRevision;
    for (;;) {
      const rows = this.pageStream.all(streamId, next, PAGE) as Row[];
      for (const r of rows) yield this.decode(r);
      if (rows.length < PAGE) return;
      next = Number(rows[rows.length - 1].revision) + 1;
    }
  }

  async *readAll(after: bigint = 0n): AsyncIterable<RecordedEvent> {
    let from = after;
    for (;;) {
      const rows = this.pageAll.all(from, PAGE) as Row[];
      for (const r of rows) yield this.decode(r);
      if (rows.length < PAGE) return;
      from = rows[rows.length - 1].position;
    }
  }

  async streamRevision(streamId: string): Promise<number | 'no_stream'> {
    const head = this.lastOfStream.get(streamId) as { revision: bigint } | undefined;
    return head === undefined ? 'no_stream' : Number(head.revision);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private decode(r: Row): RecordedEvent {
    const revision = Number(r.revision);
    let data: unknown;
    let metadata: ChainedMetadata;
    try {
      data = JSON.parse(r.data);
      metadata = JSON.parse(r.metadata) as ChainedMetadata;
    } catch (err) {
      throw new EventDecodeError(r.stream_id, revision, `stored JSON is unreadable (${(err as Error).message})`);
    }
    const schemaVersion = Number(r.schema_version);
    try {
      data = this.codec.check(r.type, schemaVersion, data);
    } catch (err) {
      throw new EventDecodeError(r.stream_id, revision, `${r.type}: ${(err as Error).message}`);
    }
    return { position: r.position, streamId: r.stream_id, revision, id: r.event_id, type: r.type, schemaVersion, data, metadata };
  }
}
