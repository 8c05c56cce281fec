import { parsePeriod, periodDates } from '../../domain/billing/periods';

describe('a billing period as the dates it covers (a Peppol invoice\'s InvoicePeriod)', () => {
  test.each([
    ['2024', '2024-01-01', '2024-12-31'],
    ['2024-Q1', '2024-01-01', '2024-03-31'],
    ['2024-Q2', '2024-04-01', '2024-06-30'],
    ['2024-11', '2024-11-01', '2024-11-30'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2023-02', '2023-02-01', '2023-02-28'],
    ['2100-02', '2100-02-01', '2100-02-28'],
    ['2000-02', '2000-02-01', '2000-02-29'],
  ])('given the period %s, then it runs from %s to %s', (label, start, end) => {
    expect(periodDates(parsePeriod(label))).toEqual({ start, end });
  });
});
