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

/** Longer strings are checked and encoded natively; below this a loop in JavaScript is faster. */
const LONG_STRING = 24;
/** What `JSON.stringify` writes other than as itself: controls, quote, backslash; surrogates, lone or paired, to be safe. */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

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
        // Revisions, line numbers, months: most numbers in a document are small whole ones.
        if (value >= 0 && value <= 0x7fffffff && (value | 0) === value) return this.digits(value);
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

  /**
   * A string value. A short one is copied between quotes while it is plain printable ASCII; a long one
   * (rules in words, hashes) is checked by one native scan and encoded natively. Anything JSON escapes
   * goes through `JSON.stringify`.
   */
  private string(s: string): void {
    const n = s.length;
    if (n > LONG_STRING) return this.text(s);
    this.room(n + 2);
    const buf = this.buf;
    const start = this.pos;
    let at = start;
    buf[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.pos = start;
        return this.text(s);
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.pos = at;
  }

  /** A string as JSON writes it, in UTF-8: verbatim between quotes unless something in it is escaped. */
  private text(s: string): void {
    if (NEEDS_ESCAPE.test(s)) return this.utf8(JSON.stringify(s));
    this.byte(0x22);
    this.utf8(s);
    this.byte(0x22);
  }

  /** Well-formed text (no lone surrogate: JSON escapes them) as UTF-8. */
  private utf8(s: string): void {
    this.room(s.length * 3);
    this.pos += utf8.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  /** A whole number in 0..2^31 − 1, as JSON writes it. */
  private digits(v: number): void {
    let n = 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) n += 1;
    this.room(n);
    let at = this.pos + n;
    this.pos = at;
    let x = v;
    do {
      this.buf[--at] = 0x30 + (x % 10);
      x = (x / 10) | 0;
    } while (x > 0);
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
  /**
   * Whether an object built with these keys in sorted order enumerates them in that order, so that
   * `JSON.stringify` writes it canonically: not if a key is an array index, which an object enumerates
   * first, in numeric order ("9" before "10", where the code units put "10" first).
   */
  enumerable: boolean;
  /** Whether the keys came in sorted order. */
  inOrder: boolean;
}
const MAX_SHAPES = 512;
const MAX_KEYS = 64;
/** Shapes by their first key; few shapes share one. */
const orders = new Map<string, Order[]>();
let shapes = 0;

/** A key an object enumerates before its other keys: "0", "42", not "01" or "-1" (up to 2^32 − 2). */
const isArrayIndex = (k: string): boolean => /^(0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;

/**
 * An object's keys as canonical JSON orders them, learnt per shape as the writer learns them, and whether
 * an object built in that order keeps it (`inOrder`): src/store/as-read.ts builds objects so, to have
 * the native `JSON.stringify` write their canonical text.
 */
export function canonicalKeyOrder(keys: string[]): Readonly<Pick<Order, 'sorted' | 'inOrder' | 'enumerable'>> {
  return orderOf(keys);
}

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
  const order: Order = { keys, sorted, prefixes, enumerable: !keys.some(isArrayIndex), inOrder: sorted.every((k, i) => k === keys[i]) };
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
