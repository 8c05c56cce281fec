import fc from 'fast-check';
import Decimal from 'decimal.js';
import { countsInMonth, cumulativeMonthlyAmounts, isValidIsoDate, MONTHS, monthlyAmounts, monthsInForce } from '../../domain/proration';
import { sum } from '../../domain/money';

const range = (a: number, b: number): number[] => MONTHS.filter((m) => m >= a && m <= b);

describe('monthsInForce — the one rule: a month counts when in force on at least one day of it', () => {
  test('given an open-ended start on 2023-04-15, when asked for 2023, then April through December count (9 months)', () => {
    expect(monthsInForce('2023-04-15', undefined, 2023)).toEqual(range(4, 12));
  });

  test('given a start on the first of April 2024, when asked for 2024, then April through December count', () => {
    expect(monthsInForce('2024-04-01', undefined, 2024)).toEqual(range(4, 12));
  });

  test('given an end on 2024-06-10, when asked for 2024, then it counts through June', () => {
    expect(monthsInForce('2020-01-01', '2024-06-10', 2024)).toEqual(range(1, 6));
  });

  test('given a period within one month, when asked, then exactly that month counts', () => {
    expect(monthsInForce('2024-03-10', '2024-03-12', 2024)).toEqual([3]);
  });

  test('given a period outside the year, when asked, then no month counts', () => {
    expect(monthsInForce('2025-01-01', undefined, 2024)).toEqual([]);
    expect(monthsInForce('2020-01-01', '2023-12-31', 2024)).toEqual([]);
  });

  test('given a period spanning years, when asked for the middle year, then all twelve months count', () => {
    expect(monthsInForce('2023-12-31', '2025-01-01', 2024)).toEqual([...MONTHS]);
  });

  test('given an end before the start, when asked, then it was never in force', () => {
    expect(monthsInForce('2024-04-20', '2024-04-10', 2024)).toEqual([]);
  });
});

describe('countsInMonth — month boundaries', () => {
  test.each([
    ['starts on the last day of the month', '2024-01-31', undefined, 1, true],
    ['starts the day after the month', '2024-02-01', undefined, 1, false],
    ['ends on the first day of the month', '2024-01-01', '2024-03-01', 3, true],
    ['ends the day before the month', '2024-01-01', '2024-02-29', 3, false],
    ['starts on 29 February in a leap year', '2024-02-29', undefined, 2, true],
    ['is in force on one single day', '2024-07-31', '2024-07-31', 7, true],
    ['ends on the last day of the month', '2024-01-01', '2024-04-30', 4, true],
  ] as const)('given a period that %s, when asked for that month of 2024, then it counts: %s', (_name, from, to, month, expected) => {
    expect(countsInMonth(from, to, 2024, month)).toBe(expected);
  });

  test('given February of a non-leap year, when a period ends on its last day, then February counts and March does not', () => {
    expect(countsInMonth('2023-01-01', '2023-02-28', 2023, 2)).toBe(true);
    expect(countsInMonth('2023-01-01', '2023-02-28', 2023, 3)).toBe(false);
  });

  test('given invalid input, when asked, then it refuses rather than guesses', () => {
    expect(() => countsInMonth('2023-02-29', undefined, 2023, 2)).toThrow(/not a calendar date/);
    expect(() => countsInMonth('2023-01-01', '2023-13-01', 2023, 2)).toThrow(/not a calendar date/);
    expect(() => countsInMonth('2023-01-01', undefined, 2023, 13)).toThrow(/month 13/);
    expect(() => countsInMonth('2023-01-01', undefined, 2023.5, 1)).toThrow(/year/);
  });
});

describe('countsInMonth — property', () => {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const dateArb = fc
    .record({ y: fc.integer({ min: 2022, max: 2026 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
    .map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`)
    .filter(isValidIsoDate);

  test('given any period, when asked for any month, then it counts exactly when some day of the month lies in the period', () => {
    fc.assert(
      fc.property(dateArb, fc.option(dateArb, { nil: undefined }), fc.integer({ min: 2023, max: 2025 }), fc.integer({ min: 1, max: 12 }), (from, to, year, month) => {
        // Brute force over the days of the month, as an independent statement of the rule.
        const days = Array.from({ length: 31 }, (_, i) => `${year}-${pad(month)}-${pad(i + 1)}`).filter(isValidIsoDate);
        const expected = days.some((day) => from <= day && (to === undefined || day <= to));
        expect(countsInMonth(from, to, year, month)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isValidIsoDate', () => {
  test.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2000-02-29', true], // divisible by 400
    ['1900-02-29', false], // divisible by 100
    ['2024-04-30', true],
    ['2024-04-31', false],
    ['2024-12-31', true],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['2024-1-01', false],
    ['24-01-01', false],
    ['2024-01-01T00:00', false],
    ['', false],
  ])('given "%s", then valid is %s', (s, expected) => {
    expect(isValidIsoDate(s)).toBe(expected);
  });
});

describe('monthlyAmounts', () => {
  test('given 1000.00 a year, when spread, then the first four months carry the four odd öre', () => {
    const months = monthlyAmounts(new Decimal('1000.00'));
    expect([...months.keys()]).toEqual([...MONTHS]);
    expect([...months.values()].map((m) => m.toFixed(2))).toEqual([...Array(4).fill('83.34'), ...Array(8).fill('83.33')]);
  });

  test('given 12 000.00 a year, when spread, then every month is 1 000.00', () => {
    expect([...monthlyAmounts(new Decimal('12000.00')).values()].every((m) => m.equals(1000))).toBe(true);
  });

  test('given a negative yearly amount, when spread, then it mirrors the positive case', () => {
    expect([...monthlyAmounts(new Decimal('-0.05')).values()].map((m) => m.toFixed(2))).toEqual([
      ...Array(5).fill('-0.01'),
      ...Array(7).fill('0.00'),
    ]);
  });

  test('given any whole-öre yearly amount, when spread, then the months sum exactly, differ by at most an öre and never increase in size', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }), (ore) => {
        const yearly = new Decimal(ore.toString()).dividedBy(100);
        const months = [...monthlyAmounts(yearly).values()];
        expect(months).toHaveLength(12);
        expect(sum(months).equals(yearly)).toBe(true);
        for (let i = 1; i < 12; i++) {
          expect(months[i - 1].abs().greaterThanOrEqualTo(months[i].abs())).toBe(true);
          expect(months[0].minus(months[i]).abs().lessThanOrEqualTo('0.01')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cumulativeMonthlyAmounts — a fixed yearly amount by month from rules version 4', () => {
  const spread = (yearly: string) => [...cumulativeMonthlyAmounts(new Decimal(yearly)).values()];
  const span = (months: Decimal[], from: number, to: number) => sum(months.slice(from - 1, to));

  test('given 16 000.00 a year, when April to December are summed, then they are 16 000 × 9/12 = 12 000.00 exactly (largest remainder gave 11 999.98)', () => {
    expect(span(spread('16000.00'), 4, 12).toFixed(2)).toBe('12000.00');
    expect(span([...monthlyAmounts(new Decimal('16000.00')).values()], 4, 12).toFixed(2)).toBe('11999.98');
  });

  test('given 1000.00 a year, when spread, then the odd öre fall one a quarter (where the running total rounds up), not on the first months', () => {
    expect(spread('1000.00').map((m) => m.toFixed(2))).toEqual(['83.33', '83.34', '83.33', '83.33', '83.34', '83.33', '83.33', '83.34', '83.33', '83.33', '83.34', '83.33']);
  });

  test('given any whole-öre yearly amount and any run of months, then the run sums to round(yearly × end/12) − round(yearly × (start − 1)/12), the year to the amount, and each month is within an öre of a twelfth', () => {
    const rounded = (y: Decimal, m: number) => y.times(m).div(12).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (ore, a, b) => {
        const yearly = new Decimal(ore.toString()).dividedBy(100);
        const months = [...cumulativeMonthlyAmounts(yearly).values()];
        const [from, to] = a <= b ? [a, b] : [b, a];
        expect(sum(months).equals(yearly)).toBe(true);
        expect(span(months, from, to).equals(rounded(yearly, to).minus(rounded(yearly, from - 1)))).toBe(true);
        // Within an öre of the exact share of the run, and equal to it when that share is whole öre.
        const exact = yearly.times(to - from + 1).div(12);
        expect(span(months, from, to).minus(exact).abs().lessThanOrEqualTo('0.01')).toBe(true);
        if (exact.times(100).isInteger()) expect(span(months, from, to).equals(exact)).toBe(true);
        for (const m of months) expect(m.minus(yearly.div(12)).abs().lessThan('0.01')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
