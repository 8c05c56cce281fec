import { canonicalJson } from '../domain/canonical-json';
import { parseCommand } from '../domain/commands';
import { decide } from '../domain/decide';
import type { EventRef } from '../domain/event-ref';
import { checkEventData, type DomainEvent } from '../domain/events';
import { evolve, initialState, type State } from '../domain/state';

export interface ReplayedDocument {
  number: string;
  type: 'InvoiceIssued' | 'CreditNoteIssued';
  year: number;
  /** The stored document's event (stream, revision, position, hash). */
  ref: EventRef;
  reproduced: boolean;
  /** The first differing field, when not reproduced. */
  difference?: string;
}

interface Pending {
  event: DomainEvent;
  ref: EventRef;
}

const isDocument = (e: DomainEvent): e is Extract<DomainEvent, { type: 'InvoiceIssued' | 'CreditNoteIssued' }> =>
  e.type === 'InvoiceIssued' || e.type === 'CreditNoteIssued';

/** The first path where two JSON values differ, for a message a person can act on. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  // A member absent on one side (or undefined, which canonical JSON drops) has no canonical form of its own.
  if (a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return `${path || '(document)'}: stored ${JSON.stringify(a)?.slice(0, 80)}, recomputed ${JSON.stringify(b)?.slice(0, 80)}`;
}

/**
 * Replays the log: every invoice and credit note of the year is decided again, from the command recorded
 * on it and the state folded from the events that preceded it, and compared in canonical form with the
 * stored one. Feed it every event in global order; it keeps only the state, never the log.
 */
export class InvoiceReplay {
  readonly state: State = initialState();
  readonly documents: ReplayedDocument[] = [];
  private group: Pending[] = [];
  private groupKey = '';

  /** `year` undefined: every document of every year. */
  constructor(private readonly year?: number) {}

  private inScope(year: number): boolean {
    return this.year === undefined || year === this.year;
  }

  feed(event: DomainEvent, ref: EventRef, commandId: string): void {
    const key = `${commandId}\u0000${ref.streamId}`;
    if (key !== this.groupKey) this.flush();
    this.groupKey = key;
    this.group.push({ event, ref });
  }

  finish(): ReplayedDocument[] {
    this.flush();
    return this.documents;
  }

  private flush(): void {
    const group = this.group;
    this.group = [];
    if (group.length === 0) return;
    const docs = group.filter((p) => isDocument(p.event) && this.inScope(p.event.data.year));
    if (docs.length) this.check(group);
    for (const p of group) evolve(this.state, p.event, p.ref);
  }

  private check(group: Pending[]): void {
    const first = group.find((p) => isDocument(p.event))!.event as Extract<DomainEvent, { type: 'InvoiceIssued' }>;
    let recomputed: DomainEvent[] = [];
    let failure: string | undefined;
    try {
      const command = parseCommand({ type: first.data.origin.command, ...first.data.origin.params });
      recomputed = decide(command, this.state, { today: first.data.issueDate }).events
        .map((e) => ({ type: e.type, data: checkEventData(e.type, 1, e.data) }) as DomainEvent);
    } catch (err) {
      failure = `could not decide it again: ${(err as Error).message}`;
    }
    const again = new Map(recomputed.filter(isDocument).map((e) => [e.data.number, e.data]));
    for (const p of group) {
      if (!isDocument(p.event) || !this.inScope(p.event.data.year)) continue;
      const stored = p.event.data;
      const other = again.get(stored.number);
      const difference = failure ?? (other ? firstDifference(stored, other) : 'not produced when decided again');
      this.documents.push({ number: stored.number, type: p.event.type, year: stored.year, ref: p.ref, reproduced: difference === undefined, difference });
    }
  }
}
