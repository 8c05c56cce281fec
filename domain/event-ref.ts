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

/**
 * A ref as a plain object of its eight fields, in this order: what a document stores. A ref held in the
 * state may be a view that works its fields out on each read (src/app/ref-table.ts).
 */
export const plainRef = (r: EventRef): EventRef => ({
  streamId: r.streamId, revision: r.revision, position: r.position, eventId: r.eventId,
  type: r.type, recordedAt: r.recordedAt, actor: r.actor, hash: r.hash,
});
