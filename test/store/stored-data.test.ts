import fc from 'fast-check';
import Decimal from 'decimal.js';
import { canonicalJson } from '../../domain/canonical-json';
import { storedData } from '../../src/store/as-read';
import { chainedMetadata, eventHash, prepareData } from '../../src/store/hash-chain';

/**
 * An adapter stores an event's data as the text its hash is computed over (canonical JSON), written once,
 * and its append gives back what a read of that text gives: the same value, with its keys in that order.
 */
type Outcome = { text: string; read: string } | { error: string };
const stored = (value: unknown): Outcome => {
  try {
    const s = storedData(value);
    // What the append gives back, written out in its own key order, as a read's value would be.
    return { text: s.text, read: JSON.stringify(s.value) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};
const canonical = (value: unknown): Outcome => {
  try {
    const text = canonicalJson(value);
    // A read parses the text: an object enumerates array-index keys first, whatever the text's order.
    return { text, read: JSON.stringify(JSON.parse(text)) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};
const sameAsCanonical = (value: unknown): void => {
  const s = stored(value);
  expect(s).toEqual(canonical(value));
  if ('text' in s) expect(storedData(value).value).toStrictEqual(JSON.parse(s.text));
};

const key = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('a', 'b', 'B', '_', '10', '9', '0', '01', '-1', '4294967294', '4294967295', '', 'é', '\u{1F600}', '\uFF61', '\uD800', '"', 'toJSON', '__proto__'),
);
const leaf = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, Number.NaN, 1e21, 5e-324),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.constantFrom<unknown>(new Date(0), new Decimal('-12.50'), { toJSON: () => ({ b: 1, a: [undefined] }) }, 1n),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object'), tie('sparse')),
  array: fc.array(tie('node'), { maxLength: 6 }),
  sparse: fc.sparseArray(tie('node'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('node'), { maxKeys: 8 }),
})).node;

describe('storedData', () => {
  test('given arbitrary JSON-like values, then its text is their canonical JSON (or the same error), and its value reads back as that text', () => {
    fc.assert(fc.property(value, sameAsCanonical), { numRuns: 3000 });
  });

  test('given one object in several places (refs shared by a run\'s lines), then each place is written as if it stood alone', () => {
    fc.assert(fc.property(value, value, (shared, other) => {
      const first = { z: shared, a: [shared, other], m: { shared } };
      expect(stored(first)).toEqual(canonical(first));
    }), { numRuns: 1000 });
  });

  test('given keys that an object enumerates out of sorted order (array indexes), then the text is still canonical', () => {
    sameAsCanonical({ 10: 'a', 9: 'b', a: 1, '01': 2 });
    expect(storedData({ 2023: 1, 2024: 2, 999: 3 }).text).toBe('{"2023":1,"2024":2,"999":3}');
  });

  test('given data already in canonical order with nothing to drop, then the append keeps it rather than copying it', () => {
    const data = { amount: '1.00', lines: [{ a: 1, b: 'x' }] };
    expect(storedData(data).value).toBe(data);
    const withUndefined = { a: 1, b: undefined };
    expect(storedData(withUndefined).value).toStrictEqual({ a: 1 });
  });
});

describe('prepareData and chainedMetadata', () => {
  test('given any data, then its hash is the one eventHash computes over the event, and over the event as read back', () => {
    fc.assert(fc.property(value.filter((v) => v !== undefined && 'text' in canonical(v)), fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })), (data, prev) => {
      const e = { streamId: 'billing-2023', revision: 7, id: 'e1', type: 'InvoiceIssued', schemaVersion: 2, data, metadata: { actor: 'Anna "Ö"', recordedAt: '2023-01-31T10:00:00.000Z', commandId: 'c1', correlationId: 'c1', causationId: 'c1', command: undefined } };
      const prepared = prepareData(data);
      const metadata = chainedMetadata(e, prepared, prev);
      expect(metadata.prevHash).toBe(prev);
      expect(metadata.hash).toBe(eventHash({ ...e, metadata: { ...e.metadata, prevHash: prev } }));
      expect(metadata.hash).toBe(eventHash({ ...e, data: JSON.parse(prepared.text), metadata: JSON.parse(JSON.stringify(metadata)) }));
      // Chained again (an append tried again at another head), the prepared data gives the same hash it would anew.
      expect(chainedMetadata(e, prepared, null).hash).toBe(eventHash({ ...e, metadata: { ...e.metadata, prevHash: null } }));
    }), { numRuns: 1000 });
  });
});
