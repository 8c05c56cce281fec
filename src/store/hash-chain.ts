import { createHash, type Hash } from 'node:crypto';
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

/**
 * An event's data made ready to store before the write lock is taken: its stored text (`storedData`, the
 * canonical JSON, written once for the row and the hash), what a read of it gives back, and SHA-256 begun
 * over `{"data":` and that text. "data" is the first key of the hashed object, so what the hash still needs
 * (the place in the stream and the previous hash) comes after it, under the lock (`chainedMetadata`). A
 * year's invoice runs are 170 MB of text: written and hashed under the lock, they kept every other
 * writer waiting.
 */
export interface PreparedData {
  text: string;
  value: unknown;
  prefix: Hash;
}

export function prepareData(data: unknown): PreparedData {
  const { text, value } = storedData(data);
  return { text, value, prefix: createHash('sha256').update('{"data":').update(text).update(',') };
}

/**
 * Chains an event to the one before it: the hash `eventHash` computes, finished from its prepared data (a
 * copy of it, so that an append tried again can chain it again).
 */
export function chainedMetadata(
  e: Omit<HashableEvent, 'metadata' | 'data'> & { metadata: EventMetadata },
  data: PreparedData,
  prevHash: string | null,
): ChainedMetadata {
  const { streamId, revision, id, type, schemaVersion } = e;
  const metadata = { ...e.metadata, prevHash };
  const rest = canonicalJson({ id, metadata, revision, schemaVersion, streamId, type });
  return { ...metadata, hash: data.prefix.copy().update(rest.slice(1)).digest('hex') };
}

/** Why a chain check fails, in Swedish (auditors read it): `samkost verify` and the audit package's checker. */
export const chainBreak = {
  order: (revision: number, previous: number | undefined): string =>
    `revision ${revision} ${previous === undefined ? 'är strömmens första' : `följer på revision ${previous}`}: en händelse saknas eller ligger i fel ordning`,
  prevHash: 'prevHash stämmer inte med föregående händelses hash: kedjan är bruten',
  altered: 'den lagrade hashen stämmer inte med händelsens innehåll: händelsen har ändrats',
} as const;
