import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { chainedMetadata, prepareData } from './hash-chain';
import { openForReading } from './sqlite-reading';
import { type MetadataSource, refHeadOfText, StoredEvent } from './stored-event';
import type { EventRef } from '../../domain/event-ref';
import {
  type AppendResult,
  type ChainedMetadata,
  checkExpected,
  type DocumentCut,
  EventDecodeError,
  type EventCodec,
  eventsOfPages,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadFilter,
  type ReadOptions,
  refHeadOf,
  type RecordedEvent,
  readerOf,
  staleRead,
  StoreError,
  type StoreAccess,
} from './port';

/**
 * What a read fetches, as an array (raw mode) with plain numbers: building a keyed object and a BigInt
 * per column for every row cost as much as reading the rows. Positions stay below 2^53 (an
 * AUTOINCREMENT rowid per event), so a number holds them exactly until they become a bigint.
 */
type ReadRow = [position: number, streamId: string, revision: number, eventId: string, type: string, schemaVersion: number, data: string, metadata: string | null];
const READ_COLUMNS = 'position, stream_id, revision, event_id, type, schema_version, data, metadata';

/** The statements that read the log a page at a time, with or without each row's metadata. */
interface PageReads {
  all: Database.Statement;
  filtered: Database.Statement;
  cut: Record<DocumentCut, Database.Statement>;
}

interface PointReads {
  db: Database.Database;
  refRow: Database.Statement;
  metadataOf: Database.Statement;
}

/** Reads of one event by position. The connection of a closed store's is closed when it is collected. */
const pointReads = (db: Database.Database): PointReads => ({
  db,
  refRow: db.prepare('SELECT stream_id, revision, event_id, type, metadata FROM events WHERE position = ?').raw(true).safeIntegers(false),
  metadataOf: db.prepare('SELECT metadata FROM events WHERE position = ?').pluck(true).safeIntegers(false),
});

/** What an event's ref takes from its row (SqliteEventStore.refAt). */
type RefRow = [streamId: string, revision: number, eventId: string, type: string, metadata: string];

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

/** The tables of another program's database: what is not SQLite's own. */
const tablesOf = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];

/**
 * How a store writes, set on every connection that appends; the benchmarks that time writing as the store
 * writes (scripts/bench-invoicing.ts, scripts/document-format.ts) set it too.
 */
export function writeSettings(db: Database.Database): void {
  // A new store's pages: documents are tens of kilobytes (a year's invoice runs write 170 MB of them),
  // each a chain of overflow pages, and writing them in 16 KiB pages instead of 4 KiB ones cut the
  // insert by a quarter (docs/benchmarks.md, thirteenth pass). Set before WAL, which fixes the size; a
  // store made earlier keeps its size (SQLite changes it only on VACUUM outside WAL).
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  // Billing data: a committed append must survive a power cut, not only a process crash.
  db.pragma('synchronous = FULL');
}

/** A store opened to append to, made (with its schema) where there is none. */
function openForWriting(location: string): Database.Database {
  const db = new Database(location);
  try {
    // First, so that switching to WAL waits for another process's lock instead of failing at once.
    db.pragma('busy_timeout = 15000');
    writeSettings(db);
    // Another program's database is refused, never given an events table of ours.
    const tables = tablesOf(db);
    if (tables.length > 0 && !tables.includes('events')) {
      throw new StoreError(`${location} är inget samkost-lager: databasen har tabeller men ingen events-tabell`);
    }
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A store read without being written to has its events table already: a read never makes one. */
function assertSamkostTables(db: Database.Database, location: string): void {
  if (!tablesOf(db).includes('events')) throw new StoreError(`${location} är inget samkost-lager: databasen har ingen events-tabell`);
}

/**
 * Why a store at `path` cannot be created in its directory (missing, or a file), or undefined: a --store
 * mistyped is not made a new store.
 */
export function missingDirectory(path: string): string | undefined {
  const dir = statSync(dirname(path), { throwIfNoEntry: false });
  if (dir?.isDirectory()) return undefined;
  return `${dirname(path)} ${dir ? 'är ingen katalog' : 'finns inte'}, så lagret ${path} kan inte skapas där; stämmer sökvägen i --store eller SAMKOST_STORE?`;
}

const directoryStore = (location: string): StoreError =>
  new StoreError(`lagret ${location} är en katalog, ingen lagerfil; ange en fil, t.ex. ${location.replace(/\/+$/, '')}/samkost.db`);

/** What SQLite or the file system reported, as a one-line refusal naming the store; others unchanged. */
export function storeFailure(location: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err;
  if (code.startsWith('SQLITE_BUSY')) return new StoreError(`lagret ${location} är låst av en annan körning; ingenting lagrades, försök igen`, true);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new StoreError(`disken för lagret ${location} är full; ingenting lagrades`, true);
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return new StoreError(`lagret ${location} går bara att läsa; ingenting lagrades`);
  if (code === 'SQLITE_NOTADB') return new StoreError(`${location} är inget samkost-lager: filen är inte en SQLite-databas`);
  if (code.startsWith('SQLITE_CORRUPT')) return new StoreError(`lagret ${location} är skadat (${(err as Error).message})`);
  if (code.startsWith('SQLITE_CANTOPEN')) {
    if (statSync(location, { throwIfNoEntry: false })?.isDirectory()) return directoryStore(location);
    return new StoreError(`lagret ${location} går inte att öppna: behörighet saknas till filen eller dess katalog`);
  }
  if (code.startsWith('SQLITE_IOERR')) return new StoreError(`läs- eller skrivfel i lagret ${location} (${code}); ingenting lagrades`, true);
  if (code === 'EEXIST' || code === 'ENOTDIR') return new StoreError(`lagrets katalog ${dirname(location)} går inte att skapa: en fil har samma namn`);
  if (code === 'EACCES' || code === 'EPERM') return new StoreError(`lagret ${location} går inte att öppna eller skapa: behörighet saknas`);
  return err;
}

/**
 * Rows fetched per page when streaming: bounded memory, few round trips. A page's rows, their parsed data
 * and their events live until the fold has gone through the page, so with a thousand rows a page outlived
 * a collection of the young generation now and then and was moved to the old one with the state: a fold of
 * a million events then peaked at 610–660 MB in three runs of five, where 250 rows a page stayed at
 * 442–454 MB in five of five (docs/benchmarks.md, fifteenth pass). A year's documents are 30–70 kB each,
 * so the smaller page also holds a quarter of the documents at once.
 */
const PAGE = 250;

export class SqliteEventStore implements EventStore, MetadataSource {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly lastOfStream: Database.Statement;
  private readonly maxPosition: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly byEventId: Database.Statement;
  private readonly pages: PageReads;
  private readonly leanPages: PageReads;
  /** The reads of one event by position (refAt, metadataTextAt); replaced by another connection's at close. */
  private pointReads: PointReads;
  private readonly pageStream: Database.Statement;
  private readonly atRevision: Database.Statement;
  private readonly ofCommand: Database.Statement;
  private readonly readData: EventCodec['check'];
  /** The file's bytes where it is read from memory (src/store/sqlite-reading.ts), for the point reads after close. */
  private readonly image?: Buffer;

  constructor(
    readonly location: string,
    private readonly codec: EventCodec,
    access: StoreAccess = 'write',
    /**
     * Whether a write may create the store's directory too. The CLI allows it for the default store only
     * (src/store/open.ts): a directory mistyped in --store would otherwise become a new, empty store, and
     * what the command stored would be in it.
     */
    createDirectory = true,
  ) {
    const file = location !== ':memory:';
    if (file && access === 'read') {
      const found = statSync(location, { throwIfNoEntry: false });
      if (!found) throw new StoreError(`lagret ${location} finns inte; ange det med --store eller SAMKOST_STORE (det skapas av det första kommando som lagrar något)`);
      // An empty file (touched, or cut off) is no store either; a read must not make one of it.
      // Opened read-only, SQLite reports a directory as a read error, not as a file it cannot open.
      if (found.isDirectory()) throw directoryStore(location);
      if (found.isFile() && found.size === 0) throw new StoreError(`${location} är en tom fil, inget samkost-lager; ange lagret med --store eller SAMKOST_STORE`);
    }
    let db: Database.Database | undefined;
    try {
      if (file && createDirectory) mkdirSync(dirname(location), { recursive: true });
      else if (file) {
        const problem = missingDirectory(location);
        if (problem) throw new StoreError(problem);
      }
      if (file && access === 'read') {
        ({ db, image: this.image } = openForReading(location));
        assertSamkostTables(db, location);
      } else db = openForWriting(location);
    } catch (err) {
      db?.close();
      throw storeFailure(location, err);
    }
    this.db = db;
    this.db.defaultSafeIntegers(true);
    this.readData = readerOf(codec);
    this.maxPosition = this.db.prepare('SELECT coalesce(max(position), -1) AS head FROM events').safeIntegers(true);
    this.lastOfStream = this.db.prepare(
      'SELECT revision, metadata FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.insert = this.db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata, command_id, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const reader = (sql: string) => this.db.prepare(sql).raw(true).safeIntegers(false);
    this.byEventId = reader(`SELECT ${READ_COLUMNS} FROM events WHERE event_id = ?`);
    // The filter in SQL: a row left out is never decoded, and its data (in overflow pages, for a large
    // document) is never read from disk.
    // Documents cut (ReadFilter.cut): SQLite's JSON functions cut them before the row leaves the database,
    // so the bytes cut are neither copied out nor parsed.
    // With ReadFilter.cutStreams (@cutStreams not null), what is neither let through whole nor in those
    // streams is left out, as by `filtered`.
    // With `NULL` for the metadata, a page read with ReadOptions.metadataOnDemand: it is read by position when asked for.
    const pageReads = (metadata: 'metadata' | 'NULL'): PageReads => {
      const columns = `position, stream_id, revision, event_id, type, schema_version, data, ${metadata}`;
      const cut = (cutData: string) => reader(
        `SELECT position, stream_id, revision, event_id, type, schema_version,
           CASE WHEN type IN (SELECT value FROM json_each(@types)) AND stream_id NOT IN (SELECT value FROM json_each(@streams))
             THEN ${cutData} ELSE data END,
           ${metadata}
         FROM events WHERE position > @from
           AND (@cutStreams IS NULL OR type NOT IN (SELECT value FROM json_each(@types))
             OR stream_id IN (SELECT value FROM json_each(@streams)) OR stream_id IN (SELECT value FROM json_each(@cutStreams)))
         ORDER BY position LIMIT @limit`,
      );
      return {
        all: reader(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
        filtered: reader(
          `SELECT ${columns} FROM events WHERE position > ? AND (type NOT IN (SELECT value FROM json_each(?)) OR stream_id IN (SELECT value FROM json_each(?))) ORDER BY position LIMIT ?`,
        ),
        cut: {
          lines: cut("json_set(data, '$.lines', json('[]'))"),
          provenance: cut("json_set(data, '$.lines', (SELECT json_group_array(json_remove(value, '$.provenance') ORDER BY key) FROM json_each(data, '$.lines')))"),
        },
      };
    };
    this.pages = pageReads('metadata');
    this.leanPages = pageReads('NULL');
    this.pointReads = pointReads(this.db);
    this.atRevision = reader(`SELECT ${READ_COLUMNS} FROM events WHERE stream_id = ? AND revision = ?`);
    this.pageStream = reader(`SELECT ${READ_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`);
    this.ofCommand = reader(`SELECT ${READ_COLUMNS} FROM events WHERE command_id = ? ORDER BY position`);
  }

  async headPosition(): Promise<bigint> {
    return (this.maxPosition.get() as { head: bigint }).head;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision, readUpTo?: bigint): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    const checked = events.map((e) => {
      try {
        return { ...e, data: this.codec.check(e.type, e.schemaVersion, e.data) };
      } catch (err) {
        throw new EventDecodeError(streamId, null, `${e.type}: ${(err as Error).message}`);
      }
    });
    // Written and half hashed before the write lock, which other writers wait on.
    const prepared = checked.map((e) => prepareData(e.data));
    // BEGIN IMMEDIATE takes the write lock before reading the stream head, so two processes can never
    // both see the same head and both append after it.
    const run = this.db.transaction((): AppendResult => {
      const duplicate = this.findDuplicate(streamId, checked);
      if (duplicate) return duplicate;
      const head = this.lastOfStream.get(streamId) as { revision: bigint; metadata: string } | undefined;
      const actual = head === undefined ? 'no_stream' : Number(head.revision);
      checkExpected(streamId, expected, actual);
      // Under the write lock: no other writer can store an event between this check and the insert.
      if (readUpTo !== undefined) {
        const last = (this.maxPosition.get() as { head: bigint }).head;
        if (last > readUpTo) throw staleRead(streamId, expected, actual, readUpTo, last);
      }
      let prevHash = head === undefined ? null : (JSON.parse(head.metadata) as ChainedMetadata).hash;
      let revision = actual === 'no_stream' ? 0 : actual + 1;
      const recorded: RecordedEvent[] = [];
      for (const [i, e] of checked.entries()) {
        const data = prepared[i];
        const metadata = chainedMetadata({ streamId, revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, metadata: e.metadata }, data, prevHash);
        const info = this.insert.run(
          streamId, revision, e.id, e.type, e.schemaVersion, data.text, JSON.stringify(metadata),
          metadata.commandId, metadata.recordedAt,
        );
        recorded.push({ position: BigInt(info.lastInsertRowid), streamId, revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: data.value, metadata });
        prevHash = metadata.hash;
        revision += 1;
      }
      return { nextRevision: revision - 1, events: recorded, duplicate: false };
    });
    let result: AppendResult;
    try {
      result = run.immediate();
    } catch (err) {
      throw storeFailure(this.location, err);
    }
    return result;
  }

  /** A retried append (same event ids, same stream, in order) returns what was stored the first time. */
  private findDuplicate(streamId: string, events: NewEvent[]): AppendResult | undefined {
    const first = this.byEventId.get(events[0].id) as ReadRow | undefined;
    if (first === undefined) return undefined;
    const rows = events.map((e) => this.byEventId.get(e.id) as ReadRow | undefined);
    const start = first[2];
    const same = rows.every((r, i) => r !== undefined && r[1] === streamId && r[2] === start + i);
    if (!same) throw new EventDecodeError(streamId, null, `händelse-id ${events[0].id} finns redan lagrat på annat ställe`);
    const recorded = rows.map((r) => this.decode(r as ReadRow));
    return { nextRevision: recorded[recorded.length - 1].revision, events: recorded, duplicate: true };
  }

  async readEvent(streamId: string, revision: number): Promise<RecordedEvent | undefined> {
    const row = this.atRevision.get(streamId, revision) as ReadRow | undefined;
    return row === undefined ? undefined : this.decode(row);
  }

  async *readStream(streamId: string, fromRevision = 0): AsyncIterable<RecordedEvent> {
    let next = fromRevision;
    for (;;) {
      const rows = this.pageStream.all(streamId, next, PAGE) as ReadRow[];
      for (const r of rows) yield this.decode(r);
      if (rows.length < PAGE) return;
      next = rows[rows.length - 1][2] + 1;
    }
  }

  readAll(after?: bigint, filter?: ReadFilter): AsyncIterable<RecordedEvent> {
    return eventsOfPages(this.readAllPages(after, filter));
  }

  async *readAllPages(after: bigint = 0n, filter?: ReadFilter, options: ReadOptions = {}): AsyncIterable<readonly RecordedEvent[]> {
    const pages = options.metadataOnDemand ? this.leanPages : this.pages;
    let from = Number(after);
    const types = filter && JSON.stringify(filter.types);
    const streams = filter && JSON.stringify(filter.exceptStreams);
    const cutStreams = filter?.cutStreams === undefined ? null : JSON.stringify(filter.cutStreams);
    for (;;) {
      const rows = (
        filter?.cut ? pages.cut[filter.cut].all({ types, streams, cutStreams, from, limit: PAGE })
          : filter ? pages.filtered.all(from, types, streams, PAGE)
            : pages.all.all(from, PAGE)
      ) as ReadRow[];
      if (rows.length > 0) yield* this.decodePage(rows);
      if (rows.length < PAGE) return;
      from = rows[rows.length - 1][0];
    }
  }

  async eventsOfCommand(commandId: string): Promise<RecordedEvent[]> {
    return (this.ofCommand.all(commandId) as ReadRow[]).map((r) => this.decode(r));
  }

  async streamRevision(streamId: string): Promise<number | 'no_stream'> {
    const head = this.lastOfStream.get(streamId) as { revision: bigint } | undefined;
    return head === undefined ? 'no_stream' : Number(head.revision);
  }

  refAt(position: number): EventRef {
    const row = this.pointReadsNow().refRow.get(position) as RefRow | undefined;
    if (row === undefined) throw new StoreError(`lagret har ingen händelse på position ${position} längre, fast den lästes in tidigare; kör samkost verify`);
    const [streamId, revision, eventId, type, text] = row;
    // As a whole read of the event gives it (StoredEvent, refHeadOf), with the same refusals.
    const head = refHeadOfText(text) ?? refHeadOf(new StoredEvent(BigInt(position), streamId, revision, eventId, type, 0, null, text));
    return Object.freeze({ streamId, revision, position: String(position), eventId, type, recordedAt: head.recordedAt, actor: head.actor, hash: head.hash });
  }

  metadataTextAt(streamId: string, revision: number, position: bigint): string {
    const text = this.pointReadsNow().metadataOf.get(Number(position)) as string | undefined;
    if (text === undefined) throw new EventDecodeError(streamId, revision, 'den finns inte längre i lagret, fast den lästes in tidigare; kör samkost verify');
    return text;
  }

  /**
   * The statements refAt and metadataTextAt read with: this store's own while it is open, and after its
   * close a connection of their own that only reads. A command closes its store when it is done, and what
   * it returns may still hold refs it has not read (an HTTP reply is serialised after that).
   */
  private pointReadsNow(): PointReads {
    if (this.db.open || this.pointReads.db !== this.db) return this.pointReads;
    if (this.location === ':memory:') throw new StoreError('lagret i minnet är stängt: en referens till en händelse i det kan inte läsas längre');
    this.pointReads = pointReads(this.image ? new Database(this.image, { readonly: true }) : new Database(this.location, { readonly: true, fileMustExist: true }));
    return this.pointReads;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /**
   * A page's events; where one cannot be read, an EventDecodeError naming its position, once the events
   * before it are read: a reader that goes on after it (verify) then misses none of them.
   */
  private *decodePage(rows: readonly ReadRow[]): Iterable<readonly RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (const r of rows) {
      try {
        events.push(this.decode(r));
      } catch (err) {
        if (events.length > 0) yield events;
        throw err;
      }
    }
    yield events;
  }

  private decode([position, streamId, revision, id, type, schemaVersion, rawData, rawMetadata]: ReadRow): RecordedEvent {
    let data: unknown;
    try {
      data = JSON.parse(rawData);
    } catch (err) {
      throw new EventDecodeError(streamId, revision, `lagrad JSON går inte att läsa (${(err as Error).message})`, BigInt(position));
    }
    try {
      data = this.readData(type, schemaVersion, data);
    } catch (err) {
      throw new EventDecodeError(streamId, revision, `${type}: ${(err as Error).message}`, BigInt(position));
    }
    return new StoredEvent(BigInt(position), streamId, revision, id, type, schemaVersion, data, rawMetadata ?? this);
  }
}
