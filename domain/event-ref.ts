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
