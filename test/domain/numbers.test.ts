import { describeGap, seriesGaps } from '../../domain/billing/numbers';

describe('seriesGaps: a missing number must be detectable (mervärdesskattelagen 17 kap. 24 §)', () => {
  test('given whole series, then there is no gap, whatever order the numbers come in', () => {
    expect(seriesGaps(['T2024-0002', 'M2024-0001', 'T2024-0001', 'TK2024-0001', 'T2024-0003'])).toEqual([]);
  });

  test('given a hole in one series, then that series is named with its missing numbers; the same sequence in another series or year fills nothing', () => {
    const gaps = seriesGaps(['T2024-0001', 'T2024-0004', 'TK2024-0002', 'T2023-0002', 'T2023-0001']);
    expect(gaps).toEqual([
      { series: 'T', year: 2024, last: 4, missing: ['T2024-0002', 'T2024-0003'] },
      { series: 'TK', year: 2024, last: 2, missing: ['TK2024-0001'] },
    ]);
    expect(describeGap(gaps[0])).toBe('nummerserien T2024 (1–4) saknar T2024-0002, T2024-0003: ett dokument har tagits bort ur loggen');
  });

  test('given a series of five-digit sequences, then it is read as numbers, not text', () => {
    const numbers = Array.from({ length: 12000 }, (_, i) => `T2024-${String(i + 1).padStart(4, '0')}`).filter((n) => n !== 'T2024-10000');
    expect(seriesGaps(numbers)).toEqual([{ series: 'T', year: 2024, last: 12000, missing: ['T2024-10000'] }]);
  });
});
