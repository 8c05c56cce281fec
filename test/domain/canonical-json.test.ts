import fc from 'fast-check';
import Decimal from 'decimal.js';
import { canonicalJson, canonicalJsonUtf8 } from '../../domain/canonical-json';

/**
 * The definition, written plainly: what `canonicalJson` computed before it was made fast. Every hash in
 * every store was computed with it, so the fast version must give exactly its text, or throw its error.
 */
function reference(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(',')}]`;
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return reference(withJson.toJSON());
      const entries = Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
      return `{${entries.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

type Outcome = { text: string } | { error: string };
const outcome = (encode: (v: unknown) => string, value: unknown): Outcome => {
  try {
    return { text: encode(value) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};
/** The UTF-8 writer's bytes, decoded strictly: a wrong byte sequence fails rather than turning into U+FFFD. */
const viaUtf8 = (value: unknown): string => {
  let text: string | undefined;
  canonicalJsonUtf8(value, (bytes) => {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  });
  return text as string;
};
const sameAsReference = (value: unknown): void => {
  const expected = outcome(reference, value);
  expect(outcome(canonicalJson, value)).toEqual(expected);
  expect(outcome(viaUtf8, value)).toEqual(expected);
};

/** Keys that sort differently by code unit than by code point or locale, escapes, lone surrogates, `__proto__`. */
const key = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('a', 'b', 'B', '_', '10', '9', '', 'é', 'Z', '\u{1F600}', '\uFF61', '\uD800', '"', '\\', '\n', 'toJSON', '__proto__', 'constructor'),
);
const leaf = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii', minLength: 20, maxLength: 80 }),
  // Each UTF-8 length (1–4 bytes) at its edges, lone surrogates, escapes.
  fc.string({ unit: fc.constantFrom('a', '~', '\u007f', '\u0080', 'å', '\u07ff', '\u0800', '€', '\uffff', '\u{10000}', '\u{10ffff}', '\uD800', '\uDFFF', '"', '\\', '\u0000'), maxLength: 40 }),
  fc.constantFrom('', 'x'.repeat(23), 'x'.repeat(24), `${'x'.repeat(30)}"`, `${'x'.repeat(30)}\u007f`, `${'x'.repeat(30)}\u00e5`, 'a\u2028b', '\uDC00'.repeat(30)),
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 5e-324, Number.MAX_VALUE),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.bigInt(),
  fc.constantFrom<unknown>(() => 1, Symbol('s'), new Date(0), new Date(Number.NaN), new Decimal('-12.50')),
  fc.constantFrom<unknown>({ toJSON: () => ({ b: 1, a: [undefined] }) }, { toJSON: () => undefined }, { toJSON: 'not a function', a: 1 }),
);

describe('canonicalJson', () => {
  test('given arbitrary JSON-like values, then it gives exactly the text (or the error) of the plain definition', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object'), tie('sparse')),
      array: fc.array(tie('node'), { maxLength: 6 }),
      sparse: fc.sparseArray(tie('node'), { maxLength: 6 }),
      object: fc.dictionary(key, tie('node'), { maxKeys: 8 }),
    })).node;
    fc.assert(fc.property(value, sameAsReference), { numRuns: 3000 });
  });

  test("given fast-check's anything (boxed values, maps, sets, typed arrays, null prototypes, …), then it agrees with the definition", () => {
    const value = fc.anything({
      key,
      withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true,
      withObjectString: true, withSparseArray: true, withTypedArray: true, stringUnit: 'binary',
    });
    fc.assert(fc.property(value, sameAsReference), { numRuns: 3000 });
  });

  test('given objects of the same keys in another order, or some undefined, then each is written sorted as the definition does', () => {
    const keys = ['number', 'b', 'a', 'A', '10', '9', 'zz', 'é'];
    const shapes = fc.array(fc.tuple(fc.shuffledSubarray(keys), fc.array(fc.oneof(fc.integer(), fc.constant(undefined)), { minLength: keys.length, maxLength: keys.length })), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(shapes, (objects) => {
      const values = objects.map(([ks, vs]) => Object.fromEntries(ks.map((k, i) => [k, vs[i]])));
      sameAsReference(values);
    }));
  });

  test('given more object shapes than it keeps sorted, then later objects of an earlier shape are still written right', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ [`k${i}`]: i, b: 1, a: { z: 1, y: [i] } }));
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`w${(i * 37) % 100}`, i]));
    sameAsReference([...many, ...many.slice(0, 10).reverse(), wide, wide]);
  });

  test('given values it must refuse, then it throws the same errors as the definition', () => {
    for (const bad of [undefined, () => 1, Symbol('s'), 1n, Number.NaN, [1, { b: 2n }], { b: Number.POSITIVE_INFINITY, a: () => 1 }, { toJSON: () => 1n }]) {
      const expected = outcome(reference, bad);
      expect(expected).toHaveProperty('error');
      expect(outcome(canonicalJson, bad)).toEqual(expected);
    }
  });

  test('given a toJSON that encodes again while the bytes are being written, then neither encoding disturbs the other', () => {
    const inner = { toJSON: () => viaUtf8({ b: 'x'.repeat(100), a: 1 }) };
    const value = { z: inner, y: ['å', inner] };
    sameAsReference(value);
    let outer = '';
    canonicalJsonUtf8(value, (bytes) => {
      viaUtf8({ other: 'y'.repeat(70000) });
      outer = Buffer.from(bytes).toString('utf8');
    });
    expect(outer).toBe(reference(value));
  });

  test('given a document, then keys are sorted by code unit, undefined members dropped and toJSON honoured', () => {
    expect(canonicalJson({ b: 1, a: undefined, A: [undefined, 'x'], é: new Decimal('1.50'), '\u{1F600}': true, '\uFF61': null })).toBe(
      '{"A":[null,"x"],"b":1,"é":"1.5","\u{1F600}":true,"\uFF61":null}',
    );
  });
});
