import { grouped } from '../../domain/money';
import type { Command } from '../../domain/commands';
import { decide, type DecideContext } from '../../domain/decide';
import { billingStream } from '../../domain/deciders/billing';
import { deepest, documentDepth, type DocumentDepth, documentsRead } from '../../domain/documents-read';
import type { EventRef } from '../../domain/event-ref';
import type { DomainEvent } from '../../domain/events';
import { evolve, initialState, type State } from '../../domain/state';
import { stockholmDate, type Clock, systemClock } from '../clock';
import { type AppendResult, ConcurrencyError, type DocumentCut, type EventStore, filtered, type ReadFilter, type RecordedEvent, refHeadOf } from '../store/port';
import { documentFilter } from './document-filter';
import { DomainError } from '../../domain/errors';
import { commandFingerprint, commandIdProblem, CONTROL, storedBy } from './command-identity';
import { contentCommandId, decidedCommandId, eventId, RERUN_BY_OUTCOME } from './ids';
import { RefTable } from './ref-table';
import { SharedValues } from './shared-values';

/**
 * An engine that folds only some years' invoices and credit notes (with everything else in the log): what
 * an edge deciding one command needs (domain/documents-read.ts). It refuses a command that reads others.
 */
export interface EngineScope {
  documentYears: readonly number[];
  /**
   * Other years' documents folded cut (ReadFilter.cut) instead of left out: without their lines (header,
   * parties, totals; credits and payments apply as ever) for open balances, without their lines'
   * provenance for the books. Nothing is decided on such a state: a decision that reads a document reads
   * its own year's, which `documentYears` or `cutYears` (cut to no less than it reads) must then hold.
   */
  otherDocuments?: DocumentCut;
  /**
   * Years whose documents are folded cut (`lines`: without their lines; `provenance`: their lines without
   * provenance), no other year's being folded: enough to decide a command that reads no more of them
   * (domain/documents-read.ts#documentDepth: a payment without lines, every other billing decision
   * without their provenance), on a fraction of the bytes. Not with `otherDocuments`.
   */
  cutYears?: { years: readonly number[]; cut: DocumentCut };
}

/**
 * The scope that decides `commands`: the documents of the years they read, cut to the deepest of what
 * they read of them (documentDepth); undefined (the whole log) where one cannot tell which years one reads.
 */
export function scopeOfCommands(commands: readonly Command[]): EngineScope | undefined {
  const years = new Set<number>();
  const depths: DocumentDepth[] = [];
  for (const c of commands) {
    const reads = documentsRead(c);
    if (reads === 'all') return undefined;
    for (const y of reads.years) years.add(y);
    depths.push(documentDepth(c));
  }
  const sorted = [...years].sort((a, b) => a - b);
  const depth = deepest(depths);
  return sorted.length === 0 ? { documentYears: [] } : { documentYears: [], cutYears: { years: sorted, cut: cutFor(depth) } };
}

/** The cut that keeps what a decision of this depth reads. */
const cutFor = (depth: DocumentDepth): DocumentCut => (depth === 'headers' ? 'lines' : 'provenance');

/** Whether documents cut by `cut` keep what a decision of this depth reads. */
const keeps = (cut: DocumentCut, depth: DocumentDepth): boolean => depth === 'headers' || cut === 'provenance';

export interface ExecuteOptions {
  commandId?: string;
  correlationId?: string;
  causationId?: string;
}

export interface StoredRef {
  streamId: string;
  revision: number;
  position: string;
  type: string;
  id: string;
}

export interface ExecuteResult {
  commandId: string;
  /** True when the command id had been executed before: nothing was appended this time. */
  duplicate: boolean;
  events: StoredRef[];
}

/**
 * One copy of each stream id, type and actor for all the refs a fold keeps: every row read brings its own
 * copies, and at a million events the duplicates were tens of megabytes. Bounded by the streams in a store.
 */
const names = new Map<string, string>();
const intern = (s: string): string => {
  const known = names.get(s);
  if (known !== undefined) return known;
  names.set(s, s);
  return s;
};

export const refOf = (e: RecordedEvent): EventRef => {
  const { hash, recordedAt, actor } = refHeadOf(e);
  return {
    streamId: intern(e.streamId),
    revision: e.revision,
    position: e.position.toString(),
    eventId: e.id,
    type: intern(e.type),
    recordedAt,
    actor: intern(actor),
    hash,
  };
};

const storedRef = (e: RecordedEvent): StoredRef => ({ streamId: e.streamId, revision: e.revision, position: e.position.toString(), type: e.type, id: e.id });

/** How often a command is re-decided after another writer got to its stream first. */
const MAX_ATTEMPTS = 10;

/**
 * The application service: keeps the state folded from the store, decides commands against it and appends
 * the result to the command's stream at the revision the decision was based on.
 */
export class Engine {
  readonly state: State = initialState();
  private position = -1n;
  private readonly revisions = new Map<string, number>();
  private readonly refs: RefTable;
  private readonly shared = new SharedValues();

  private readonly filter?: ReadFilter;

  constructor(
    readonly store: EventStore,
    private readonly actor: string,
    private readonly clock: Clock = systemClock,
    readonly scope?: EngineScope,
    /** What deciding takes from the configuration: the VAT rates a supplier invoice's input VAT is checked against. */
    private readonly settings: Pick<DecideContext, 'vatRates'> = {},
  ) {
    // Where the store reads an event by position (SQLite), a ref is read when asked for, not kept whole.
    const { refAt } = store;
    this.refs = new RefTable(refAt === undefined ? undefined : refAt.bind(store));
    if (scope?.cutYears !== undefined) {
      if (scope.otherDocuments !== undefined) throw new Error('an engine scope has either cutYears or otherDocuments, not both');
      this.filter = { ...documentFilter(scope.documentYears), cut: scope.cutYears.cut, cutStreams: scope.cutYears.years.map(billingStream) };
    } else if (scope) this.filter = { ...documentFilter(scope.documentYears), cut: scope.otherDocuments };
  }

  /** Folds every event not yet seen; cheap when nothing is new. */
  async catchUp(onEvent?: (e: RecordedEvent) => void): Promise<void> {
    const options = { metadataOnDemand: this.refs.readsFromStore };
    for await (const page of this.store.readAllPages(this.position < 0n ? undefined : this.position, this.filter, options)) {
      for (const e of page) {
        this.apply(e);
        onEvent?.(e);
      }
    }
  }

  private apply(e: RecordedEvent): void {
    const event = { type: e.type, data: e.data } as DomainEvent;
    if (event.type === 'InvoiceIssued' || event.type === 'CreditNoteIssued') this.shared.document(event.data);
    evolve(this.state, event, this.refs.add(e));
    this.position = e.position;
    this.revisions.set(e.streamId, e.revision);
  }

  /**
   * Folds the events an append returned instead of reading them back: an invoice run reads back as much
   * JSON as it wrote, and parsing it was a tenth of the run. Only where the store proves that nothing else
   * came in between: SQLite numbers events consecutively, so a first position right after the last one
   * folded means no other writer's event can be missing or come later with a lower position. Anything
   * else (a retried append, EventStoreDB's sparse commit positions, a gap) reads back as before.
   */
  private foldAppended(result: AppendResult): boolean {
    if (result.duplicate || this.store.kind !== 'sqlite' || result.events.length === 0) return false;
    let position = this.position;
    for (const e of result.events) {
      if (e.position !== position + 1n) return false;
      position = e.position;
    }
    const first = result.events[0];
    if (first.revision !== (this.revisions.get(first.streamId) ?? -1) + 1) return false;
    // As a read through this engine's filter would give them: a year folded cut gets its new documents cut
    // too, so that the state holds every document of the year alike (and a run's provenance is not kept).
    for (const e of result.events) {
      const kept = filtered(this.filter, e);
      if (kept) this.apply(kept);
      else {
        this.position = e.position;
        this.revisions.set(e.streamId, e.revision);
      }
    }
    return true;
  }

  /** A scoped engine's state lacks other years' documents: deciding on it what reads them would be wrong. */
  private checkScope(command: Command): void {
    if (!this.scope) return;
    const reads = documentsRead(command);
    const held = this.scope.documentYears;
    const cutYears = this.scope.cutYears;
    const cutHeld = cutYears !== undefined && keeps(cutYears.cut, documentDepth(command)) ? cutYears.years : [];
    if (reads === 'all' || reads.years.some((y) => !held.includes(y) && !cutHeld.includes(y))) {
      const cut = cutYears?.years.length ? ` (cut to no ${cutYears.cut}: ${cutYears.years.join(', ')})` : '';
      throw new Error(`${command.type}: this engine holds the documents of ${held.length ? held.join(', ') : 'no year'} whole${cut} only, and the command reads ${reads === 'all' ? 'every year\'s' : `${reads.years.join(', ')} ${documentDepth(command)}`}`);
    }
  }

  async execute(command: Command, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    const idProblem = opts.commandId === undefined ? undefined : commandIdProblem(command.type, opts.commandId);
    if (idProblem !== undefined) throw new DomainError(idProblem);
    const control = textAt(command, (t) => CONTROL.test(t));
    if (control !== undefined) throw new DomainError(`${command.type}: ${control.path} innehåller en radbrytning eller ett annat styrtecken; skriv texten på en rad`);
    const long = textAt(command, (t) => t.length > MAX_TEXT);
    if (long !== undefined) throw new DomainError(`${command.type}: ${long.path} är ${grouped(long.text.length)} tecken lång; högst ${grouped(MAX_TEXT)} tecken`);
    // A bank file's import without an id is known by what it decides to record (ids.ts#decidedImportId);
    // an invoice run or a settlement by its words until they were recorded, then by what it decides
    // (ids.ts#RERUN_BY_OUTCOME).
    const byDecision = opts.commandId === undefined && command.type === 'payment.import';
    const rerunByOutcome = opts.commandId === undefined && RERUN_BY_OUTCOME.has(command.type);
    const givenId = opts.commandId ?? contentCommandId(command);
    const fingerprint = commandFingerprint(command);
    this.checkScope(command);
    /** The events stored before under `id`, as this command's answer, or a refusal if another command's. */
    const storedBefore = async (id: string): Promise<ExecuteResult | undefined> => {
      const earlier = await this.store.eventsOfCommand(id);
      if (earlier.length === 0) return undefined;
      if (!storedBy(command, earlier)) {
        throw new DomainError(`kommando-id ${id} användes redan för ett annat kommando (${earlier[0].type} i ${earlier[0].streamId}@${earlier[0].revision}); ge detta kommando ett eget id`);
      }
      return { commandId: id, duplicate: true, events: earlier.map(storedRef) };
    };
    for (let attempt = 1; ; attempt++) {
      let commandId = givenId;
      // Read before the fold: the append is refused if anything was stored after it, in any stream, so the
      // decision is made again from what a replay will decide it from (the events stored before it).
      const readUpTo = await this.store.headPosition();
      await this.catchUp();
      const before = byDecision ? undefined : await storedBefore(commandId);
      if (before && !rerunByOutcome) return before;
      const now = this.clock.now();
      let decision: ReturnType<typeof decide>;
      try {
        decision = decide(command, this.state, { ...this.settings, today: stockholmDate(now) });
      } catch (err) {
        // Given again once recorded, and refused now (its year closed since): the answer it always had.
        if (before && err instanceof DomainError) return before;
        throw err;
      }
      // Nothing to do (e.g. an invoice run with nothing left to bill) is an answer, not an append; given
      // again once recorded, that answer is the recorded run's.
      if (decision.events.length === 0) return before ?? { commandId, duplicate: false, events: [] };
      if (byDecision || before) {
        commandId = decidedCommandId(command, decision.events);
        const same = await storedBefore(commandId);
        if (same) return same;
      }
      const expected = this.revisions.get(decision.streamId) ?? 'no_stream';
      const metadata = {
        actor: this.actor,
        commandId,
        correlationId: opts.correlationId ?? commandId,
        causationId: opts.causationId ?? commandId,
        recordedAt: now.toISOString(),
        ...(fingerprint === undefined ? {} : { command: fingerprint }),
      };
      try {
        const result = await this.store.append(
          decision.streamId,
          decision.events.map((ev, i) => ({ id: eventId(commandId, i), type: ev.type, schemaVersion: 1, data: ev.data, metadata })),
          expected,
          readUpTo,
        );
        if (!this.foldAppended(result)) await this.catchUp();
        return { commandId, duplicate: result.duplicate, events: result.events.map(storedRef) };
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}

/**
 * The longest text a command may hold. A name, reference or reason is printed in a table, on an invoice line
 * and in a journal; one of megabytes, stored, broke every read that printed it (`Invalid string length`),
 * and events cannot be edited. No field of a command needs more.
 */
const MAX_TEXT = 1000;

/**
 * The first text of a command that `refused` refuses, with its path ("reason", "tables[0].rows[3].name"), or
 * undefined: a line break or another control character (a reason or reference is printed on one line of an
 * invoice, a journal and a refusal, and one broken over two lines reads as two), or a text over MAX_TEXT.
 * Refused where commands come in, not by the schemas: a document decided earlier from such a text must
 * replay as it was decided.
 */
function textAt(value: unknown, refused: (text: string) => boolean, path = ''): { path: string; text: string } | undefined {
  if (typeof value === 'string') return refused(value) ? { path: path || 'texten', text: value } : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = textAt(v, refused, Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    if (found !== undefined) return found;
  }
  return undefined;
}
