import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json';
import type { ChainedMetadata, EventMetadata } from './port';

export interface HashableEvent {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata & { prevHash: string | null };
}

/**
 * SHA-256 over the canonical JSON of the event, its place (stream, revision) and the previous event's hash.
 * Including the place means a moved, reordered or deleted event breaks the chain, not only an edited one.
 */
export function eventHash(e: HashableEvent): string {
  const { streamId, revision, id, type, schemaVersion, data } = e;
  const metadata = { ...e.metadata } as Partial<ChainedMetadata>;
  delete metadata.hash;
  return createHash('sha256')
    .update(canonicalJson({ streamId, revision, id, type, schemaVersion, data, metadata }))
    .digest('hex');
}

export function chainMetadata(
  e: Omit<HashableEvent, 'metadata'> & { metadata: EventMetadata },
  prevHash: string | null,
): ChainedMetadata {
  const metadata = { ...e.metadata, prevHash };
  return { ...metadata, hash: eventHash({ ...e, metadata }) };
}
