import Decimal from 'decimal.js';
import fc from 'fast-check';
import { amountString, formatNumber } from '../../domain/money';

describe('an amount at rest (amountString): two decimals, only for whole öre', () => {
  test.each([
    ['1234.5', '1234.50'],
    ['-12', '-12.00'],
    ['0', '0.00'],
    ['-0', '0.00'],
    ['0.01', '0.01'],
    ['123456789012345678.99', '123456789012345678.99'],
    ['1e3', '1000.00'],
  ])('given %s, then %s', (input, text) => {
    expect(amountString(new Decimal(input))).toBe(text);
  });

  test.each(['0.001', '1234.505', '-0.125', '1e-3', 'NaN', 'Infinity', '-Infinity'])('given %s, then it is refused as not whole öre', (input) => {
    expect(() => amountString(new Decimal(input))).toThrow('is not a whole number of öre');
  });

  test('given any decimal, it is written exactly when a hundred times it is a whole number', () => {
    const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 6 }))
      .map(([digits, places]) => new Decimal(digits.toString()).div(new Decimal(10).pow(places)));
    fc.assert(fc.property(decimal, (d) => {
      const whole = d.mul(100).isInteger();
      if (whole) expect(amountString(d)).toBe(d.toFixed(2));
      else expect(() => amountString(d)).toThrow();
    }), { numRuns: 3000 });
  });
});

describe('a number for people (formatNumber): sv-SE, a plain space between thousands, a decimal comma', () => {
  test.each([
    ['22000', '22 000'],
    ['9578.9474', '9 578,9474'],
    ['0.05', '0,05'],
    ['1.05', '1,05'],
    ['362133', '362 133'],
    ['-1234.5', '−1 234,5'],
    ['1e6', '1 000 000'],
    ['7', '7'],
  ])('given %s, then "%s", never U+00A0', (input, text) => {
    expect(formatNumber(new Decimal(input))).toBe(text);
    expect(formatNumber(input)).not.toContain('\u00a0');
  });
});
