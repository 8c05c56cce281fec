/** Where a fact came from: enough for an auditor to find the event and check its hash. */
export interface EventRef {
  streamId: string;
  revision: number;
  /** Global position as a decimal string (bigint at the edge). */
  position: string;
  eventId: string;
  type: string;
  recordedAt: string;
  actor: string;
  hash: string;
}

/** A ref as a new plain object of its eight fields, in this order. */
export const copyRef = (r: EventRef): EventRef => ({
  streamId: r.streamId, revision: r.revision, position: r.position, eventId: r.eventId,
  type: r.type, recordedAt: r.recordedAt, actor: r.actor, hash: r.hash,
});

/** A ref that keeps a frozen plain copy of itself (src/app/ref-table.ts#PackedRef). */
interface KeepsPlainCopy {
  plainCopy(): EventRef;
}

/**
 * A ref as a plain object of its eight fields, in this order: what a document stores. A ref held in the
 * state may be a view that works its fields out on each read (src/app/ref-table.ts), five microseconds
 * for the hex and the ISO time; such a view gives the frozen copy it keeps, as each of a year's runs puts
 * the same enrolments' refs on its lines again.
 */
export const plainRef = (r: EventRef): EventRef =>
  (typeof (r as Partial<KeepsPlainCopy>).plainCopy === 'function' ? (r as unknown as KeepsPlainCopy).plainCopy() : copyRef(r));

/** An event as a read names it for a tool or an auditor to find and check: where it is, what it is, its hash. */
/** Each event once, in the order first named. */
export const uniqueRefs = (refs: readonly EventRef[]): EventRef[] => refs.filter((r, i) => refs.findIndex((x) => x.eventId === r.eventId) === i);

export const eventLink = (r: EventRef) => ({ streamId: r.streamId, revision: r.revision, position: r.position, eventId: r.eventId, type: r.type, hash: r.hash });

/** Every EventRef anywhere in a value (documents, traces, split tables). */
export function collectRefs(value: unknown, into: (r: EventRef) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if (typeof o.streamId === 'string' && typeof o.revision === 'number' && typeof o.eventId === 'string' && typeof o.hash === 'string') into(o as unknown as EventRef);
  for (const v of Object.values(o)) collectRefs(v, into);
}
