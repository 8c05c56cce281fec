import { type ChainedMetadata, EventDecodeError, type RecordedEvent, type RefHead } from './port';

/*
 * An event as the SQLite adapter reads it. Its metadata (actor, command, correlation and causation ids,
 * time, both hashes: about 300 bytes of JSON) is parsed on first access, not per row: a fold of a million
 * events spent an eighth of its time parsing metadata it never reads, the ref it keeps needing only the
 * hash, the time and the actor (`refHead`), which are cut from the stored text directly.
 */

const ACTOR = '"actor":"';
const RECORDED_AT = '"recordedAt":"';

/**
 * The string value after `marker` (`"key":"`) in flat JSON text, when it has no escape: in JSON a key is the
 * only unescaped `"key":"` (inside a string every quote is escaped, and a value's closing quote is never
 * followed by a colon), so the first one after `{` or `,` is it. Undefined when absent or escaped.
 */
function plainMember(text: string, marker: string): string | undefined {
  const at = text.indexOf(marker);
  if (at < 1 || (text[at - 1] !== '{' && text[at - 1] !== ',')) return undefined;
  const from = at + marker.length;
  const to = text.indexOf('"', from);
  if (to < 0) return undefined;
  const value = text.slice(from, to);
  return value.includes('\\') ? undefined : value;
}

/**
 * `refHead` from metadata text as this adapter writes it (`JSON.stringify` of the chained metadata, the
 * hash last), or undefined for anything else, which the caller then reads through the parsed metadata.
 */
export function refHeadOfText(text: string): RefHead | undefined {
  // The hash is last: `…,"hash":"<64 characters, neither a quote nor an escape>"}`. A regex test of its
  // digits cost a tenth of the read; the ref table checks them as it packs them.
  const end = text.length - 2;
  if (text.charCodeAt(end + 1) !== 0x7d || !text.startsWith(',"hash":"', end - 73) || text.indexOf('"', end - 64) !== end || text.indexOf('\\', end - 64) >= 0) return undefined;
  const hash = text.slice(end - 64, end);
  const actor = plainMember(text, ACTOR);
  const recordedAt = plainMember(text, RECORDED_AT);
  return actor === undefined || recordedAt === undefined ? undefined : { hash, recordedAt, actor };
}

/** Where an event read without its metadata (ReadOptions.metadataOnDemand) reads it when asked. */
export interface MetadataSource {
  metadataTextAt(streamId: string, revision: number, position: bigint): string;
}

export class StoredEvent implements RecordedEvent {
  /** The metadata text as read, or where to read it when first asked for (ReadOptions.metadataOnDemand). */
  #metadataSource: string | MetadataSource;
  #metadata: ChainedMetadata | undefined;
  readonly refHead: RefHead | undefined;

  constructor(
    readonly position: bigint,
    readonly streamId: string,
    readonly revision: number,
    readonly id: string,
    readonly type: string,
    readonly schemaVersion: number,
    readonly data: unknown,
    metadata: string | MetadataSource,
  ) {
    this.#metadataSource = metadata;
    this.refHead = typeof metadata === 'string' ? refHeadOfText(metadata) : undefined;
  }

  /**
   * Parsed when first read; stored text that is not JSON fails here, as an EventDecodeError. A command
   * whose fold never reads it does not notice such a row; `samkost verify` reads every event's metadata
   * for its chain and names it, as it names every other altered byte.
   */
  get metadata(): ChainedMetadata {
    if (this.#metadata === undefined) {
      const source = this.#metadataSource;
      const text = typeof source === 'string' ? source : source.metadataTextAt(this.streamId, this.revision, this.position);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new EventDecodeError(this.streamId, this.revision, `lagrad metadata går inte att läsa (${(err as Error).message})`);
      }
      // `null`, a list or a text is JSON too, but no metadata: named here, not as "reading 'hash' of null".
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EventDecodeError(this.streamId, this.revision, 'lagrad metadata är inget JSON-objekt');
      this.#metadata = parsed as ChainedMetadata;
    }
    return this.#metadata;
  }

  /** A plain copy: `metadata` is a getter, which a spread or `Object.keys` does not see. */
  toJSON(): RecordedEvent {
    const { position, streamId, revision, id, type, schemaVersion, data, metadata } = this;
    return { position, streamId, revision, id, type, schemaVersion, data, metadata };
  }
}
