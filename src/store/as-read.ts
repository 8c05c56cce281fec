/*
 * Both adapters store event data as JSON text and read it back parsed, so what a read gives is the JSON
 * round trip of what was appended, not the appended value itself: the zod-checked data keeps an optional
 * member the decider set to undefined, the stored text does not, and the text's keys are in canonical
 * order. An append returns its events as a read would (the port's contract), so a caller that folds them
 * instead of reading them back (the engine after an invoice run) holds exactly what a later fold of the
 * store holds, down to the order of the keys.
 */

import { canonicalJson, canonicalKeyOrder } from '../../domain/canonical-json';

const NOT_PLAIN = Symbol('not plain JSON');

/**
 * Event data as an adapter stores it: its canonical JSON text (domain/canonical-json.ts), which is also
 * what its hash is computed over, and what a read of that text gives back (keys in the text's order).
 *
 * Hashing and storing used to write each document twice, once canonically in JavaScript for the hash
 * and once by `JSON.stringify` for the row: for a year's invoice runs, 170 MB each. Instead the data is
 * copied with its keys in canonical order, which the native `JSON.stringify` then writes canonically,
 * once, for both; the copy is what the read gives back. (Keeping the copies of objects met before, as a
 * run's lines share a few thousand refs, cost more in map lookups than it saved in copies.) Data the copy
 * cannot stand for (an array index as a key, `toJSON`, `-0`, an undefined array element) is written by
 * the canonical writer and parsed back.
 */
export function storedData(data: unknown): { text: string; value: unknown } {
  const value = canonicalPlain(data);
  if (value !== NOT_PLAIN) return { text: JSON.stringify(value), value };
  const text = canonicalJson(data);
  return { text, value: JSON.parse(text) as unknown };
}

function canonicalPlain(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object': {
      if (value === null) return value;
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value);
    }
    default:
      return NOT_PLAIN;
  }
}

function canonicalArray(value: readonly unknown[]): unknown {
  if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v === undefined) return NOT_PLAIN;
    const p = canonicalPlain(v);
    if (p === NOT_PLAIN) return NOT_PLAIN;
    if (copy === undefined && p !== v) copy = value.slice(0, i);
    copy?.push(p);
  }
  return copy ?? value;
}

function canonicalObject(value: object): unknown {
  if (Object.getPrototypeOf(value) !== Object.prototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  // An own "__proto__" (from a parse) would set the copy's prototype.
  if (keys.includes('__proto__')) return NOT_PLAIN;
  const order = canonicalKeyOrder(keys);
  if (!order.enumerable) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  const sorted = order.sorted;
  let copy: Record<string, unknown> | undefined = order.inOrder ? undefined : {};
  for (let i = 0; i < sorted.length; i++) {
    const v = record[sorted[i]];
    const p = v === undefined ? v : canonicalPlain(v);
    if (p === NOT_PLAIN) return NOT_PLAIN;
    if (copy === undefined && (p !== v || v === undefined)) {
      // In order until here: the keys before are copied as they are.
      copy = {};
      for (let j = 0; j < i; j++) copy[sorted[j]] = canonicalPlain(record[sorted[j]]);
    }
    if (copy !== undefined && p !== undefined) copy[sorted[i]] = p;
  }
  return copy ?? value;
}
