import fc from 'fast-check';
import { InForceMonths } from '../../domain/in-force-months';
import { countsInMonth, isValidIsoDate, MONTHS } from '../../domain/proration';

const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
};

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const dateArb = fc.oneof(
  { weight: 20, arbitrary: fc.record({ y: fc.integer({ min: 2021, max: 2025 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) }).map(({ y, m, d }) => `${y}-${pad(m, 2)}-${pad(d, 2)}`) },
  { weight: 1, arbitrary: fc.constantFrom('0001-01-01', '9999-12-31', '2024-02-29', '2023-02-29', '2023-13-01', 'x') },
);

describe('InForceMonths — countsInMonth for a whole year at once', () => {
  test('given any dates and year, when asked for the twelve months, then each is countsInMonth\'s answer, or its error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(dateArb, fc.option(dateArb, { nil: undefined })), { minLength: 1, maxLength: 8 }),
        fc.oneof(fc.integer({ min: 2021, max: 2025 }), fc.constantFrom(1, 9999, 0, 10000, 2023.5)),
        (periods, year) => {
          const months = new InForceMonths(year);
          // Twice over: the second answer comes from the kept one.
          for (const [from, to] of [...periods, ...periods])
            expect(outcome(() => [...months.flags(from, to)])).toEqual(outcome(() => MONTHS.map((m) => countsInMonth(from, to, year, m))));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** isValidIsoDate as first written, by its regular expression: the definition the fast one must keep. */
function byRegex(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return mo >= 1 && mo <= 12 && d >= 1 && d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
}

describe('isValidIsoDate — without the regular expression, the same answer as with it', () => {
  test('given every day of years around leap years and centuries, and days just past each month, then it agrees with the regular expression', () => {
    for (const y of [1900, 2000, 2023, 2024, 1, 9999]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          expect(isValidIsoDate(s)).toBe(byRegex(s));
        }
      }
    }
  });

  test('given any string near the date form (wrong length, signs, spaces, non-ASCII digits, newlines), then it agrees with the regular expression', () => {
    const chars = fc.constantFrom('0', '1', '2', '9', '-', '+', ' ', '/', 'a', '٣', '\n', '0', '1');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(chars, { minLength: 8, maxLength: 12 }).map((cs) => cs.join('')),
          dateArb.chain((s) => fc.tuple(fc.nat(s.length), chars).map(([i, c]) => s.slice(0, i) + c + s.slice(i + 1))),
          dateArb.map((s) => `${s}\n`),
          fc.string({ maxLength: 12 }),
        ),
        (s) => expect(isValidIsoDate(s)).toBe(byRegex(s)),
      ),
      { numRuns: 20000 },
    );
  });
});
