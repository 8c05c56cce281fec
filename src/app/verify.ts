import { eventHash } from '../store/hash-chain';
import type { EventStore } from '../store/port';

export interface ChainBreak {
  streamId: string;
  revision: number;
  reason: string;
}

export interface ChainReport {
  streams: number;
  events: number;
  firstBreak?: ChainBreak;
}

/**
 * Walks every event in global order and checks, per stream: revisions run 0, 1, 2 … without a gap, each
 * event's prevHash is the hash of the one before it, and its stored hash is the hash of its content.
 * An edited byte, a deleted event or two swapped events all break one of these. Stops at the first break.
 */
export async function verifyChains(store: EventStore, onProgress?: (events: number) => void): Promise<ChainReport> {
  const heads = new Map<string, { revision: number; hash: string }>();
  let events = 0;
  try {
    for await (const e of store.readAll()) {
      events += 1;
      if (events % 10000 === 0) onProgress?.(events);
      const head = heads.get(e.streamId);
      const expectedRevision = head ? head.revision + 1 : 0;
      const fail = (reason: string): ChainReport => ({ streams: heads.size, events, firstBreak: { streamId: e.streamId, revision: e.revision, reason } });
      if (e.revision !== expectedRevision)
        return fail(`revision ${e.revision} follows ${head ? head.revision : 'nothing'}: an event is missing or out of order`);
      if (e.metadata.prevHash !== (head ? head.hash : null)) return fail('prevHash does not match the previous event: the chain is broken');
      if (eventHash(e) !== e.metadata.hash) return fail('the stored hash does not match the event content: the event was altered');
      heads.set(e.streamId, { revision: e.revision, hash: e.metadata.hash });
    }
  } catch (err) {
    const named = err as Error & { streamId?: string; revision?: number | null };
    return {
      streams: heads.size,
      events,
      firstBreak: { streamId: named.streamId ?? '?', revision: named.revision ?? -1, reason: named.message },
    };
  }
  return { streams: heads.size, events };
}
