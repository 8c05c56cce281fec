import { duplicateKey } from '../../src/json-keys';

describe('a key given twice in one JSON object', () => {
  test.each([
    ['{"amount":"1.00","amount":"9999.00"}', 'amount'],
    ['{"lines":[{"text":"a","text":"b"}]}', 'text'],
    ['{"\\u0061":1,"a":2}', 'a'],
    ['{"a\\"":1,"a\\"":2}', 'a"'],
  ])('given %s, then it names %s', (text, key) => {
    expect(duplicateKey(text)).toBe(key);
  });

  test.each([
    '{"a":{"b":1},"b":2}',
    '[{"a":1},{"a":2}]',
    '{"x":"a,\\"b","b":1}',
    '{"x":["a","a"],"a":{"x":1}}',
    '"a"',
    '{}',
  ])('given %s (each key once in its own object), then none is named', (text) => {
    expect(duplicateKey(text)).toBeUndefined();
  });
});
