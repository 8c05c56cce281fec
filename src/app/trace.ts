import type { DomainEvent } from '../../domain/events';
import { checkEventData } from '../../domain/events';
import type { CreditNoteIssued, InvoiceIssued } from '../../domain/events/billing';
import { collectRefs, type EventRef } from '../../domain/event-ref';
import type { State } from '../../domain/state';
import { DocumentFold, type DocumentAt, type DocumentEvent, type LineTrace, type SplitTableSink, TraceCache, traceDocument } from '../../projections/trace';
import { eventHash } from '../store/hash-chain';
import { EventDecodeError, type EventStore, type RecordedEvent } from '../store/port';
import { refOf } from './engine';

/*
 * The reading half of the trace: iterate the store's events in global order and feed the pure fold
 * (projections/trace.ts#DocumentFold), which hands over each wanted document with the state before it.
 */

export type EventSource = AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>;
type Doc = InvoiceIssued | CreditNoteIssued;
type Wanted = (doc: Doc, type: DocumentEvent['type'], stateBefore: State) => boolean;

export interface DocumentTrace {
  number: string;
  type: DocumentEvent['type'];
  document: Doc;
  event: EventRef;
  lines: LineTrace[];
}

/** A stored event as a domain event; with `decode`, its data is validated first (for a store opened raw). */
export function domainEventOf(e: RecordedEvent, decode = false): DomainEvent {
  if (!decode) return { type: e.type, data: e.data } as DomainEvent;
  try {
    return { type: e.type, data: checkEventData(e.type, e.schemaVersion, e.data) } as DomainEvent;
  } catch (err) {
    throw new EventDecodeError(e.streamId, e.revision, `${e.type}: ${(err as Error).message}`);
  }
}

/**
 * Folds `events` in order and calls `visit` for every wanted document with the state before it; `visit`
 * returns true to stop there (the state then stays the state before that document). Returns the state.
 */
export async function foldDocuments(
  events: EventSource,
  wanted: Wanted,
  visit: (d: DocumentAt) => boolean | void,
  opts: { decode?: boolean; onEvent?: (e: RecordedEvent) => void } = {},
): Promise<State> {
  const fold = new DocumentFold(wanted, visit);
  for await (const e of events) {
    fold.feed(domainEventOf(e, opts.decode), refOf(e), e.metadata.commandId);
    if (fold.stopped) return fold.state;
    opts.onEvent?.(e);
  }
  return fold.finish();
}

/** The state just before a document (before the command that issued it), and the document; undefined if there is none. */
export async function stateBeforeDocument(events: EventSource, number: string, opts: { decode?: boolean } = {}): Promise<DocumentAt | undefined> {
  let found: DocumentAt | undefined;
  await foldDocuments(events, (doc) => doc.number === number, (d) => {
    found = d;
    return true;
  }, opts);
  return found;
}

/**
 * Every wanted document with the trace of each of its lines, each from the state before it. With `keep:
 * false` the traces are only handed to `onDocument` (an audit package writes them as they come); with
 * `tables`, each split month names its participant table instead of listing it (projections/trace.ts).
 */
export async function traceDocuments(
  events: EventSource,
  wanted: Wanted,
  opts: { decode?: boolean; onEvent?: (e: RecordedEvent) => void; onDocument?: (d: DocumentTrace) => void; keep?: boolean; tables?: SplitTableSink } = {},
): Promise<{ documents: DocumentTrace[]; state: State }> {
  const documents: DocumentTrace[] = [];
  const cache = new TraceCache();
  const state = await foldDocuments(events, wanted, (d) => {
    const lines = traceDocument(d.state, d.doc, d.ref, { cache, epoch: d.epoch, tables: opts.tables });
    const trace: DocumentTrace = { number: d.doc.number, type: d.type, document: d.doc, event: d.ref, lines };
    opts.onDocument?.(trace);
    if (opts.keep !== false) documents.push(trace);
  }, opts);
  return { documents, state };
}

/**
 * A trace reads each event's hash as stored, so an event edited behind the store's back (its chain not
 * written anew) would be shown with a hash that no longer seals it. Each event the traces refer to is read
 * again and its content hashed: a line that refers to one that does not match gets a problem naming it
 * (`samkost verify` checks every event so). Returns the lines that got one.
 */
export async function checkSeals(store: Pick<EventStore, 'readEvent'>, documents: readonly DocumentTrace[]): Promise<Set<LineTrace>> {
  const flagged = new Set<LineTrace>();
  const verdicts = new Map<string, Promise<string | undefined>>();
  const verdict = (r: EventRef): Promise<string | undefined> => {
    const key = `${r.streamId}@${r.revision}`;
    let v = verdicts.get(key);
    if (v === undefined) {
      v = store.readEvent(r.streamId, r.revision).then((e) => {
        if (!e) return `den refererade händelsen ${r.type} ${key} finns inte i lagret`;
        if (eventHash(e) !== e.metadata.hash) return `den refererade händelsen ${r.type} ${key} har ändrats efter att den skrevs: dess innehåll stämmer inte med dess hash (kör samkost verify)`;
        return undefined;
      });
      verdicts.set(key, v);
    }
    return v;
  };
  for (const d of documents) {
    const ofDocument = await verdict(d.event);
    for (const line of d.lines) {
      const refs: EventRef[] = [];
      collectRefs(line, (r) => refs.push(r));
      const problems = new Set([ofDocument, ...(await Promise.all(refs.map(verdict)))].filter((p): p is string => p !== undefined));
      line.problems.push(...problems);
      if (problems.size > 0) flagged.add(line);
    }
  }
  return flagged;
}

