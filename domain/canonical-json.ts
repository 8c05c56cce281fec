/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, `undefined` members dropped.
 * Used wherever bytes are hashed or compared (event hashes, invoice replay), so two equal values always
 * give the same bytes. Only JSON-safe values are accepted: a bigint, a function or a non-finite number
 * is a programming error, because it would not survive a round trip through the store.
 *
 * Every appended event is hashed over this text (hundreds of megabytes for a year's invoice runs), so it
 * is written for speed, once, as UTF-8 bytes (`canonicalJsonUtf8`); the string is those bytes decoded.
 * test/domain/canonical-json.test.ts holds the plain definition and checks that both give the same text
 * (or the same error) for arbitrary values. Quirks of that definition are kept on
 * purpose, e.g. an array's holes are written as nothing (`[,1]`) and `toJSON` is called without a key
 * and again on what it returns.
 */
export function canonicalJson(value: unknown): string {
  let text = '';
  canonicalJsonUtf8(value, (bytes) => {
    text = utf8Text.decode(bytes);
  });
  return text;
}

/**
 * The same text as `canonicalJson`, as UTF-8 bytes handed to `sink`, which must not keep them (they are
 * a view of a buffer reused by the next call). What a hash wants: the text of an invoice run is hundreds
 * of megabytes, and as a string it was thousands of small pieces to collect, join and encode again.
 */
export function canonicalJsonUtf8(value: unknown, sink: (bytes: Uint8Array) => void): void {
  // A toJSON or a sink that encodes again gets a writer of its own.
  const w = spare ?? new Utf8Writer();
  spare = undefined;
  try {
    w.pos = 0;
    w.value(value);
    sink(w.buf.subarray(0, w.pos));
  } finally {
    if (w.buf.length <= KEEP_BYTES) spare = w;
  }
}

/** A writer's buffer is kept for the next call up to this size; one grown by a rare large value is not. */
const KEEP_BYTES = 1 << 24;
let spare: Utf8Writer | undefined;
const utf8 = new TextEncoder();
/** The writer's bytes are well-formed UTF-8 (JSON escapes lone surrogates), so decoding gives back its text. */
const utf8Text = new TextDecoder();

class Utf8Writer {
  buf = new Uint8Array(1 << 16);
  pos = 0;

  value(value: unknown): void {
    if (value === null) return this.ascii('null');
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'boolean':
        return this.ascii(value ? 'true' : 'false');
      case 'number':
        if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
        return this.ascii(JSON.stringify(value));
      case 'object':
        return Array.isArray(value) ? this.array(value) : this.object(value);
      default:
        throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
    }
  }

  private array(value: readonly unknown[]): void {
    const n = value.length;
    this.byte(0x5b);
    for (let i = 0; i < n; i++) {
      if (i > 0) this.byte(0x2c);
      const v = value[i];
      if (v !== undefined) this.value(v);
      else if (i in value) this.ascii('null');
    }
    this.byte(0x5d);
  }

  private object(value: object): void {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return this.value(withJson.toJSON());
    const keys = Object.keys(value);
    if (keys.length === 0) return this.ascii('{}');
    const { sorted, prefixes } = orderOf(keys);
    const record = value as Record<string, unknown>;
    let first = true;
    for (let i = 0; i < sorted.length; i++) {
      const v = record[sorted[i]];
      if (v === undefined) continue;
      this.byte(first ? 0x7b : 0x2c);
      first = false;
      this.bytes(prefixes[i]);
      this.value(v);
    }
    if (first) this.ascii('{}');
    else this.byte(0x7d);
  }

  /** A string value: copied between quotes while it is plain printable ASCII, else as JSON escapes it. */
  private string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const buf = this.buf;
    const start = this.pos;
    let at = start;
    buf[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.pos = start;
        return this.text(JSON.stringify(s));
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.pos = at;
  }

  /** Any well-formed text (JSON's output has no lone surrogate) as UTF-8. */
  private text(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[at++] = c;
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        buf[at++] = 0xf0 | (cp >> 18);
        buf[at++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[at++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[at++] = 0x80 | (cp & 0x3f);
      } else {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = at;
  }

  /** Text known to be ASCII: literals and JSON's numbers. */
  private ascii(s: string): void {
    const n = s.length;
    this.room(n);
    for (let i = 0; i < n; i++) this.buf[this.pos + i] = s.charCodeAt(i);
    this.pos += n;
  }

  /** A few bytes (an encoded key): a loop beats a native `set` call at this size. */
  private bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < n; i++) buf[at++] = b[i];
    this.pos = at;
  }

  private byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

/*
 * The sorted order of an object's keys, and each key written as `"key":`, kept per key list: documents
 * are millions of objects of a few dozen shapes, and sorting and quoting the same keys again for each
 * was a third of the work. Bounded, because records keyed by data (an orgnr, a service id) would
 * otherwise add a shape per key; a large object is sorted each time, it is rare.
 */
interface Order {
  keys: readonly string[];
  sorted: readonly string[];
  /** Each sorted key as `"key":` in UTF-8. */
  prefixes: readonly Uint8Array[];
}
const MAX_SHAPES = 512;
const MAX_KEYS = 64;
/** Shapes by their first key; few shapes share one. */
const orders = new Map<string, Order[]>();
let shapes = 0;

function orderOf(keys: string[]): Order {
  const n = keys.length;
  const known = orders.get(keys[0]);
  if (known !== undefined) {
    search: for (const o of known) {
      if (o.keys.length !== n) continue;
      for (let i = 1; i < n; i++) if (o.keys[i] !== keys[i]) continue search;
      return o;
    }
  }
  const sorted = [...keys].sort();
  const prefixes = sorted.map((k) => utf8.encode(`${JSON.stringify(k)}:`));
  const order: Order = { keys, sorted, prefixes };
  if (n > MAX_KEYS) return order;
  if (shapes >= MAX_SHAPES) {
    // Start over rather than stop learning: the shapes in use now are soon back in.
    orders.clear();
    shapes = 0;
  }
  shapes += 1;
  const same = orders.get(keys[0]);
  if (same === undefined) orders.set(keys[0], [order]);
  else same.push(order);
  return order;
}
