import {
  AccessDeniedError,
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { chainedMetadata, prepareData } from './hash-chain';
import {
  type AppendResult,
  type ChainedMetadata,
  checkExpected,
  ConcurrencyError,
  EventDecodeError,
  type EventCodec,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  filtered,
  type ReadFilter,
  type RecordedEvent,
  readerOf,
  staleRead,
  StoreError,
} from './port';

const PAGE = 500n;
const MASK64 = (1n << 64n) - 1n;

/**
 * $all positions are a (commit, prepare) pair; events of one multi-event append share the commit position.
 * The port's single bigint keeps both, ordered as the server orders $all.
 */
const packPosition = (commit: bigint, prepare: bigint): bigint => (commit << 64n) | prepare;
const unpackPosition = (p: bigint) => ({ commit: p >> 64n, prepare: p & MASK64 });

/** STACK-NOTES: actualVersion may be the string "no_stream"; never BigInt() it blindly. */
function actualOf(err: WrongExpectedVersionError): number | 'no_stream' {
  const v = err.actualVersion as unknown;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 'no_stream';
}

/** The server of an esdb:// address, for messages: never its user name or password. */
function serverOf(location: string): string {
  try {
    return new URL(location).host || 'servern';
  } catch {
    return 'servern';
  }
}

/** What the client reports of the server, as a one-line refusal naming it; others unchanged. */
export function esdbFailure(location: string, err: unknown): unknown {
  const server = `EventStoreDB på ${serverOf(location)}`;
  // Whether an append the server was handling when the connection went got stored cannot be known here;
  // trying again is safe either way, since a command's events have ids of their own (src/app/ids.ts).
  const again = 'försök igen (det som redan hunnit lagras lagras inte två gånger)';
  if (err instanceof UnavailableError) return new StoreError(`${server} går inte att nå; ${again} när servern är uppe`, true);
  if (err instanceof DeadlineExceededError || err instanceof TimeoutError) return new StoreError(`${server} svarade inte i tid; ${again}`, true);
  if (err instanceof NotLeaderError) return new StoreError(`${server} är inte klustrets ledare; ange klustret som esdb+discover://…`, true);
  if (err instanceof AccessDeniedError) return new StoreError(`${server} nekar åtkomst: ange användare och lösenord i adressen (esdb://användare:lösenord@värd:2113)`);
  return err;
}

/** A read's events, with what the client reports while iterating worded as `esdbFailure` words it. */
async function* guarded<T>(location: string, events: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* events;
  } catch (err) {
    throw esdbFailure(location, err);
  }
}

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb' as const;
  private readonly client: EventStoreDBClient;
  private readonly readData: EventCodec['check'];
  /**
   * Where each command's events went, from every event this client has read from $all or appended.
   * EventStoreDB has no lookup by metadata, and the engine reads $all up to the head before it asks, so
   * what it asks about has passed through here.
   */
  private readonly commands = new Map<string, { streamId: string; from: number; count: number }>();

  constructor(
    readonly location: string,
    private readonly codec: EventCodec,
  ) {
    const shown = location.replace(/\/\/[^@/]*@/, '//…@');
    // The client's parser writes what it ignores to the console, the whole address (password and all) with
    // it; kept here instead, and an unknown setting (a mistyped "tls") refused rather than ignored.
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    try {
      this.client = EventStoreDBClient.connectionString(location);
    } catch (err) {
      // The client's parser says where the address goes wrong (in English).
      throw new StoreError(`EventStoreDB-adressen ${shown} går inte att tolka (så här: esdb://värd:2113?tls=false): ${(err as Error).message.split('\n')[0]}`);
    } finally {
      console.warn = warn;
    }
    const unknown = warnings.map((w) => /^Unknown option key "([^"]+)"/.exec(w)?.[1]).find((k) => k !== undefined);
    const refused = unknown !== undefined
      ? `har en okänd inställning "${unknown}" (kända är t.ex. tls, tlsCAFile, nodePreference, defaultDeadline)`
      // The client would connect as if the setting were not there: refused, so that no one believes it.
      : warnings.some((w) => w.includes('"tlsVerifyCert" is not currently supported'))
        ? 'anger tlsVerifyCert=false, som klienten inte stöder; ange serverns certifikat med tlsCAFile=… (eller NODE_EXTRA_CA_CERTS)'
        : undefined;
    if (refused !== undefined) {
      void this.client.dispose();
      throw new StoreError(`EventStoreDB-adressen ${shown} ${refused}`);
    }
    this.readData = readerOf(codec);
  }

  private noteCommand(e: RecordedEvent): void {
    const seen = this.commands.get(e.metadata.commandId);
    if (seen === undefined) this.commands.set(e.metadata.commandId, { streamId: e.streamId, from: e.revision, count: 1 });
    else if (seen.streamId === e.streamId && e.revision === seen.from + seen.count) seen.count += 1;
  }

  async eventsOfCommand(commandId: string): Promise<RecordedEvent[]> {
    const seen = this.commands.get(commandId);
    if (seen === undefined) return [];
    const events: RecordedEvent[] = [];
    for await (const e of this.readStream(seen.streamId, seen.from)) {
      if (events.length === seen.count) break;
      events.push(e);
    }
    return events;
  }

  private async head(streamId: string): Promise<RecordedEvent | undefined> {
    try {
      for await (const r of this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        return this.decode(r, false);
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return undefined;
      throw esdbFailure(this.location, err);
    }
    return undefined;
  }

  async headPosition(): Promise<bigint> {
    try {
      // The last event of ours: the server's own ($stats, $settings …) are written on its schedule and
      // would make every append look stale. A page, not one event, to step past a few of them.
      for await (const r of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 100 })) {
        const ev = r.event;
        if (!ev?.position || ev.streamId.startsWith('$') || ev.type.startsWith('$')) continue;
        return packPosition(ev.position.commit, ev.position.prepare);
      }
      return -1n;
    } catch (err) {
      throw esdbFailure(this.location, err);
    }
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision, readUpTo?: bigint): Promise<AppendResult> {
    try {
      return await this.appendAtHead(streamId, events, expected, readUpTo);
    } catch (err) {
      throw esdbFailure(this.location, err);
    }
  }

  private async appendAtHead(streamId: string, events: NewEvent[], expected: ExpectedRevision, readUpTo?: bigint): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    const checked = events.map((e) => {
      try {
        return { ...e, data: this.codec.check(e.type, e.schemaVersion, e.data) };
      } catch (err) {
        throw new EventDecodeError(streamId, null, `${e.type}: ${(err as Error).message}`);
      }
    });
    // The data in canonical key order (the client writes it with JSON.stringify): the text hashed. Once, not
    // again on each attempt below.
    const prepared = checked.map((e) => prepareData(e.data));
    // The hash chain needs the head, so every append is made at the exact head revision it read; a
    // caller that asked for 'any' gets a few transparent retries when another writer moved the head.
    for (let attempt = 0; ; attempt++) {
      const head = await this.head(streamId);
      const actual = head === undefined ? 'no_stream' : head.revision;
      if (head !== undefined && head.id === checked[checked.length - 1].id) {
        const stored: RecordedEvent[] = [];
        for await (const e of this.readStream(streamId, head.revision - checked.length + 1)) stored.push(e);
        return { nextRevision: head.revision, events: stored, duplicate: true };
      }
      checkExpected(streamId, expected, actual);
      // EventStoreDB has no precondition on $all: this narrows the window in which another stream's event
      // goes unseen by the decision, but cannot close it as SQLite's write lock does (README).
      if (readUpTo !== undefined) {
        const last = await this.headPosition();
        if (last > readUpTo) throw staleRead(streamId, expected, actual, readUpTo, last);
      }
      let prevHash = head === undefined ? null : head.metadata.hash;
      let revision = actual === 'no_stream' ? 0 : actual + 1;
      const recorded: Omit<RecordedEvent, 'position'>[] = [];
      for (const [i, e] of checked.entries()) {
        const metadata = chainedMetadata({ streamId, revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, metadata: e.metadata }, prepared[i], prevHash);
        recorded.push({ streamId, revision, id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: prepared[i].value, metadata });
        prevHash = metadata.hash;
        revision += 1;
      }
      try {
        const res = await this.client.appendToStream(
          streamId,
          recorded.map((e) =>
            jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: { ...e.metadata, schemaVersion: e.schemaVersion } }),
          ),
          { expectedRevision: actual === 'no_stream' ? NO_STREAM : BigInt(actual) },
        );
        const pos = res.position ? packPosition(res.position.commit, res.position.prepare) : 0n;
        const stored = recorded.map((e) => ({ ...e, position: pos }));
        stored.forEach((e) => this.noteCommand(e));
        return { nextRevision: Number(res.nextExpectedRevision), events: stored, duplicate: false };
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        if (expected !== 'any' || attempt >= 5) throw new ConcurrencyError(streamId, expected, actualOf(err));
      }
    }
  }

  async readEvent(streamId: string, revision: number): Promise<RecordedEvent | undefined> {
    try {
      for await (const r of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: BigInt(revision), maxCount: 1 })) {
        const e = this.decode(r, true);
        return e.revision === revision ? e : undefined;
      }
      return undefined;
    } catch (err) {
      // Thrown while iterating, not at the call (STACK-NOTES).
      if (err instanceof StreamNotFoundError) return undefined;
      throw esdbFailure(this.location, err);
    }
  }

  async *readStream(streamId: string, fromRevision = 0): AsyncIterable<RecordedEvent> {
    let next = BigInt(fromRevision);
    for (;;) {
      let n = 0n;
      try {
        for await (const r of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: next, maxCount: PAGE })) {
          n += 1n;
          const e = this.decode(r, true);
          next = BigInt(e.revision) + 1n;
          yield e;
        }
      } catch (err) {
        // Thrown while iterating, not at the call (STACK-NOTES).
        if (err instanceof StreamNotFoundError) return;
        throw esdbFailure(this.location, err);
      }
      if (n < PAGE) return;
    }
  }

  async *readAllPages(after?: bigint, filter?: ReadFilter): AsyncIterable<readonly RecordedEvent[]> {
    let page: RecordedEvent[] = [];
    for await (const e of this.readAll(after, filter)) {
      page.push(e);
      if (page.length === Number(PAGE)) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async *readAll(after: bigint = -1n, filter?: ReadFilter): AsyncIterable<RecordedEvent> {
    // Paged: readAll without maxCount can exhaust memory (client issue #169).
    let from = after < 0n ? undefined : unpackPosition(after);
    let last = after;
    for (;;) {
      let n = 0n;
      const page = this.client.readAll({ direction: FORWARDS, fromPosition: from ?? START, maxCount: PAGE });
      for await (const r of guarded(this.location, page)) {
        n += 1n;
        const ev = r.event;
        if (!ev || !r.event?.position) continue;
        const p = packPosition(ev.position!.commit, ev.position!.prepare);
        if (p <= last) continue; // the read is inclusive of its start
        last = p;
        from = ev.position!;
        if (ev.streamId.startsWith('$') || ev.type.startsWith('$')) continue;
        const e = this.decode(r, true);
        this.noteCommand(e);
        const kept = filtered(filter, e);
        if (kept) yield kept;
      }
      if (n < PAGE) return;
    }
  }

  async streamRevision(streamId: string): Promise<number | 'no_stream'> {
    const head = await this.head(streamId);
    return head === undefined ? 'no_stream' : head.revision;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private decode(r: ResolvedEvent, validate: boolean): RecordedEvent {
    const ev = r.event;
    if (!ev) throw new Error('unresolved link event');
    const revision = Number(ev.revision);
    const position = ev.position ? packPosition(ev.position.commit, ev.position.prepare) : undefined;
    if (!ev.isJson) throw new EventDecodeError(ev.streamId, revision, 'den lagrade händelsen är inte JSON', position);
    const { schemaVersion, ...metadata } = ev.metadata as unknown as ChainedMetadata & { schemaVersion: number };
    let data: unknown = ev.data;
    if (validate) {
      try {
        data = this.readData(ev.type, schemaVersion, data);
      } catch (err) {
        throw new EventDecodeError(ev.streamId, revision, `${ev.type}: ${(err as Error).message}`, position);
      }
    }
    return { position: position ?? 0n, streamId: ev.streamId, revision, id: ev.id, type: ev.type, schemaVersion, data, metadata };
  }
}
