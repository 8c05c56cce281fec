import { copyRef, type EventRef } from '../../domain/event-ref';
import { digits } from '../../domain/proration';
import { type RecordedEvent, refHeadOf } from '../store/port';

/*
 * The engine keeps a ref to the event behind every fact it folds (an auditor's way back to the source).
 * As plain objects they were 290 bytes each, most of a replay's memory at a million events: a 64-character
 * hash, a 36-character event id, a timestamp and a position string apiece. Here they live in typed
 * columns, about 60 bytes a ref, and a ref is a small handle that reads its fields back as the same strings.
 */

/** Refs per chunk: columns grow a chunk at a time, never copied. */
const CHUNK = 1 << 14;
/** Per ref in `bytes`: the SHA-256 hash (32), the event id as a UUID (16). */
const BYTES = 48;
/** Plain copies kept (RefTable.plainCopyOf): about 400 bytes each. */
const MAX_PLAIN_COPIES = 1 << 17;

/** Lower-case hex digit values by char code, -1 for anything else (Buffer's decoder takes upper case too). */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) HEX['0123456789abcdef'.charCodeAt(c)] = c;

/**
 * Writes the hex digits of `text` (a UUID's dashes skipped when `dashes`) as `bytes` bytes from `at`;
 * false when it is not exactly that shape in lower-case hex. One pass, no allocation: a regex test and
 * Buffer.write per ref cost more than the rest of the fold.
 */
function packHex(text: string, bytes: number, out: Buffer, at: number, dashes = false): boolean {
  if (text.length !== (dashes ? 36 : bytes * 2)) return false;
  let i = 0;
  for (let b = 0; b < bytes; b++) {
    if (dashes && (i === 8 || i === 13 || i === 18 || i === 23)) {
      if (text.charCodeAt(i) !== 45) return false;
      i += 1;
    }
    const c1 = text.charCodeAt(i);
    const c2 = text.charCodeAt(i + 1);
    const hi = c1 < 256 ? HEX[c1] : -1;
    const lo = c2 < 256 ? HEX[c2] : -1;
    if (hi < 0 || lo < 0) return false;
    out[at + b] = (hi << 4) | lo;
    i += 2;
  }
  return true;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` (what `toISOString` writes) as epoch ms, or NaN for anything else. */
function isoMillis(s: string): number {
  if (s.length !== 24 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.' || s[23] !== 'Z') return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  const h = digits(s, 11, 13);
  const mi = digits(s, 14, 16);
  const sec = digits(s, 17, 19);
  const ms = digits(s, 20, 23);
  // Date.UTC reads years 0–99 as 1900–1999; no event of ours is that old, so such strings stay strings.
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59 && ms >= 0)) return NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  // Date.UTC rolls 31 April over into May: such a string is kept as it is, not normalised.
  return d <= 28 || new Date(t).getUTCDate() === d ? t : NaN;
}

/** What does not fit a column (another writer's format): kept as given, so every ref reads back exactly. */
interface Odd {
  eventId?: string;
  hash?: string;
  recordedAt?: string;
  position?: string;
}

export class RefTable {
  private readonly bytes: Buffer[] = [];
  /** recordedAt as epoch milliseconds; global position; revision. */
  private readonly numbers: Float64Array[] = [];
  /** Indexes into `names`: stream id, type, actor. */
  private readonly nameIds: Uint32Array[] = [];
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly odd = new Map<number, Odd>();
  /** Per name column (stream id, type, actor), the last name looked up and its index. */
  private readonly recent: (string | undefined)[] = [undefined, undefined, undefined];
  private readonly recentIds = [0, 0, 0];
  private count = 0;
  /**
   * Frozen plain copies of the refs documents were given (plainCopy), by index: refs on document lines
   * are a year's enrolments, budgets and populations, a few tens of thousands, given again by every run.
   * Emptied when full, so a replay of every year keeps no more than this many.
   */
  private readonly plainCopies = new Map<number, EventRef>();
  /** With a `source`: each ref's position, by index; the rest of it is read from the store when asked for. */
  private readonly positions: Float64Array[] = [];

  /**
   * With `source` (a store that reads an event by position synchronously: SQLite), the table keeps only
   * each ref's position and reads the ref from the store the first time it is asked for. A fold keeps a
   * ref for nearly every event and a command reads few of them: packing the hash, the id and the time of
   * every event was a sixth of a fold at a million events (docs/benchmarks.md, sixteenth pass).
   */
  constructor(private readonly source?: (position: number) => EventRef) {}

  /** Whether refs are read from the store when asked for (the table keeps only their positions). */
  get readsFromStore(): boolean {
    return this.source !== undefined;
  }

  get size(): number {
    return this.count;
  }

  add(e: RecordedEvent): PackedRef {
    const i = this.count++;
    const c = i >>> 14;
    const o = i & (CHUNK - 1);
    if (this.source !== undefined) {
      if (o === 0) this.positions.push(new Float64Array(CHUNK));
      this.positions[c][o] = Number(e.position);
      return new PackedRef(this, i);
    }
    if (o === 0) {
      this.bytes.push(Buffer.alloc(CHUNK * BYTES));
      this.numbers.push(new Float64Array(CHUNK * 3));
      this.nameIds.push(new Uint32Array(CHUNK * 3));
    }
    const buf = this.bytes[c];
    const nums = this.numbers[c];
    const { hash, recordedAt, actor } = refHeadOf(e);
    const ms = isoMillis(recordedAt);
    // Plain locals, not an object of flags: this runs for every event a fold reads.
    const hashFits = packHex(hash, 32, buf, o * BYTES);
    const eventIdFits = packHex(e.id, 16, buf, o * BYTES + 32, true);
    const recordedAtFits = !Number.isNaN(ms);
    // A bigint above 2^53 − 1 converts to a number above it too, so one conversion also answers the bound.
    const position = Number(e.position);
    const positionFits = position <= Number.MAX_SAFE_INTEGER;
    nums[o * 3] = ms;
    nums[o * 3 + 1] = position;
    nums[o * 3 + 2] = e.revision;
    const ids = this.nameIds[c];
    ids[o * 3] = this.nameOf(e.streamId);
    ids[o * 3 + 1] = this.recentNameOf(1, e.type);
    ids[o * 3 + 2] = this.recentNameOf(2, actor);
    if (!(hashFits && eventIdFits && recordedAtFits && positionFits)) {
      this.odd.set(i, {
        hash: hashFits ? undefined : hash,
        eventId: eventIdFits ? undefined : e.id,
        recordedAt: recordedAtFits ? undefined : recordedAt,
        position: positionFits ? undefined : e.position.toString(),
      });
    }
    return new PackedRef(this, i);
  }

  /**
   * The type and the actor are mostly the previous event's: a compare of the new row's string with the
   * last one instead of hashing it for the map.
   */
  private recentNameOf(column: number, s: string): number {
    if (s !== this.recent[column]) {
      this.recentIds[column] = this.nameOf(s);
      this.recent[column] = s;
    }
    return this.recentIds[column];
  }

  private nameOf(s: string): number {
    let n = this.nameIndex.get(s);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(s);
      this.nameIndex.set(s, n);
    }
    return n;
  }

  /** Ref `i` as a frozen plain object, the same one each time while it is kept. */
  plainCopyOf(i: number): EventRef {
    let copy = this.plainCopies.get(i);
    if (copy === undefined) {
      if (this.plainCopies.size >= MAX_PLAIN_COPIES) this.plainCopies.clear();
      copy = this.source !== undefined ? this.source(this.positions[i >>> 14][i & (CHUNK - 1)]) : Object.freeze(copyRef(new PackedRef(this, i)));
      this.plainCopies.set(i, copy);
    }
    return copy;
  }

  /** Field `f` of ref `i`, as the string or number it was added with. */
  read<K extends keyof EventRef>(i: number, f: K): EventRef[K] {
    if (this.source !== undefined) return this.plainCopyOf(i)[f];
    const c = i >>> 14;
    const o = i & (CHUNK - 1);
    const odd = this.odd.get(i)?.[f as keyof Odd];
    if (odd !== undefined) return odd as EventRef[K];
    switch (f) {
      case 'hash':
        return this.bytes[c].toString('hex', o * BYTES, o * BYTES + 32) as EventRef[K];
      case 'eventId': {
        const h = this.bytes[c].toString('hex', o * BYTES + 32, o * BYTES + 48);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as EventRef[K];
      }
      case 'recordedAt':
        return new Date(this.numbers[c][o * 3]).toISOString() as EventRef[K];
      case 'position':
        return String(this.numbers[c][o * 3 + 1]) as EventRef[K];
      case 'revision':
        return this.numbers[c][o * 3 + 2] as EventRef[K];
      case 'streamId':
        return this.names[this.nameIds[c][o * 3]] as EventRef[K];
      case 'type':
        return this.names[this.nameIds[c][o * 3 + 1]] as EventRef[K];
      case 'actor':
        return this.names[this.nameIds[c][o * 3 + 2]] as EventRef[K];
      default:
        throw new Error(`no ref field ${String(f)}`);
    }
  }
}

/**
 * A ref read from its table. Its fields are getters, so `Object.keys` and a spread see none of them:
 * copy one with `toJSON()` (which `JSON.stringify` and the CLI's JSON output call).
 */
export class PackedRef implements EventRef {
  readonly #table: RefTable;
  readonly #index: number;

  constructor(table: RefTable, index: number) {
    this.#table = table;
    this.#index = index;
  }

  get streamId(): string { return this.#table.read(this.#index, 'streamId'); }
  get revision(): number { return this.#table.read(this.#index, 'revision'); }
  get position(): string { return this.#table.read(this.#index, 'position'); }
  get eventId(): string { return this.#table.read(this.#index, 'eventId'); }
  get type(): string { return this.#table.read(this.#index, 'type'); }
  get recordedAt(): string { return this.#table.read(this.#index, 'recordedAt'); }
  get actor(): string { return this.#table.read(this.#index, 'actor'); }
  get hash(): string { return this.#table.read(this.#index, 'hash'); }

  toJSON(): EventRef {
    return copyRef(this);
  }

  /** The same frozen plain copy each time (domain/event-ref.ts#plainRef). */
  plainCopy(): EventRef {
    return this.#table.plainCopyOf(this.#index);
  }
}
