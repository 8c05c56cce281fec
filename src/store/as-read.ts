/*
 * Both adapters store event data as JSON text and read it back parsed, so what a read gives is the JSON
 * round trip of what was appended, not the appended value itself: the zod-checked data keeps an optional
 * member the decider set to undefined, the stored text does not. An append returns its events as a read
 * would (the port's contract), so a caller that folds them instead of reading them back (the engine after
 * an invoice run) holds exactly what a later fold of the store holds.
 */

const NOT_PLAIN = Symbol('not plain JSON');

/**
 * `value` after the round trip, made without one where it can be: the same value where the round trip
 * changes nothing, a copy without the `undefined` members where only those differ, NOT_PLAIN for anything
 * else (`asRead` then takes the round trip itself).
 */
function plain(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // -0 reads back as 0.
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object':
      if (value === null) return value;
      return Array.isArray(value) ? plainArray(value) : plainObject(value);
    default:
      return NOT_PLAIN;
  }
}

function plainArray(value: readonly unknown[]): unknown {
  if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    // An undefined element or a hole reads back as null.
    if (v === undefined) return NOT_PLAIN;
    const p = plain(v);
    if (p === NOT_PLAIN) return NOT_PLAIN;
    if (copy === undefined && p !== v) copy = value.slice(0, i);
    copy?.push(p);
  }
  return copy ?? value;
}

function plainObject(value: object): unknown {
  if (Object.getPrototypeOf(value) !== Object.prototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  // for-in, not Object.keys: an invoice run's documents are a million small objects, and a keys array
  // for each was a quarter of this walk. It yields the own keys first, in Object.keys order; an inherited
  // enumerable key comes after them and is never copied (the copy stops at the own keys).
  let own: string[] | undefined;
  let copy: Record<string, unknown> | undefined;
  let i = 0;
  for (const k in record) {
    if (own !== undefined && i >= own.length) break;
    // A parsed "__proto__" member is an own property; assigning one to a copy would set the prototype.
    if (k === '__proto__') return NOT_PLAIN;
    const v = record[k];
    const p = v === undefined ? v : plain(v);
    if (p === NOT_PLAIN) return NOT_PLAIN;
    if (copy === undefined && (p !== v || v === undefined)) {
      own = Object.keys(record);
      if (own[i] !== k) return NOT_PLAIN;
      copy = {};
      for (let j = 0; j < i; j++) copy[own[j]] = record[own[j]];
    }
    if (copy !== undefined && p !== undefined) copy[k] = p;
    i += 1;
  }
  return copy ?? value;
}

/** Event data as a read of the store gives it back: what `JSON.parse(JSON.stringify(data))` gives. */
export function asRead(data: unknown): unknown {
  const p = plain(data);
  return p === NOT_PLAIN ? JSON.parse(JSON.stringify(data)) : p;
}
