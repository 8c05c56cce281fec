import { createHash } from 'node:crypto';
import { canonicalJson, canonicalJsonUtf8 } from '../../domain/canonical-json';
import { storedData } from './as-read';
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
  // Everything but the hash itself (a stored event's metadata carries it); a rest copy, not a spread and
  // `delete`, which turns the copy into a slow dictionary-mode object.
  const { hash: _hash, ...metadata } = e.metadata as Partial<ChainedMetadata>;
  const hash = createHash('sha256');
  canonicalJsonUtf8({ streamId, revision, id, type, schemaVersion, data, metadata }, (bytes) => hash.update(bytes));
  return hash.digest('hex');
}

/** An event made ready to store: its data's stored text, what a read of it gives back, its chained metadata. */
export interface SealedEvent {
  dataText: string;
  data: unknown;
  metadata: ChainedMetadata;
}

/**
 * Chains an event to the one before it: the hash `eventHash` computes, with the data written once
 * (`storedData`) for both the hash and the row. Its text is canonical, and "data" is the first key of the
 * hashed object, so the canonical text of the whole is that text between the rest's braces.
 */
export function sealEvent(
  e: Omit<HashableEvent, 'metadata'> & { metadata: EventMetadata },
  prevHash: string | null,
): SealedEvent {
  const { streamId, revision, id, type, schemaVersion } = e;
  const metadata = { ...e.metadata, prevHash };
  const { text, value } = storedData(e.data);
  const rest = canonicalJson({ id, metadata, revision, schemaVersion, streamId, type });
  const hash = createHash('sha256').update('{"data":').update(text).update(',').update(rest.slice(1)).digest('hex');
  return { dataText: text, data: value, metadata: { ...metadata, hash } };
}

/** Why a chain check fails, in Swedish (auditors read it): `samkost verify` and the audit package's checker. */
export const chainBreak = {
  order: (revision: number, previous: number | undefined): string =>
    `revision ${revision} ${previous === undefined ? 'är strömmens första' : `följer på revision ${previous}`}: en händelse saknas eller ligger i fel ordning`,
  prevHash: 'prevHash stämmer inte med föregående händelses hash: kedjan är bruten',
  altered: 'den lagrade hashen stämmer inte med händelsens innehåll: händelsen har ändrats',
} as const;
