import fc from 'fast-check';
import { enrolmentMonths, monthsText, periodText } from '../../domain/billing/due';
import { inForceBetween } from '../../domain/state';
import { parsePeriod, periodDates, suppliedPeriod } from '../../domain/billing/periods';

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

describe('what a document supplies, as its header and Peppol InvoicePeriod state it', () => {
  const withMonths = (...lines: number[][]) => lines.map((months) => ({ provenance: { months: months.map((month) => ({ month })) } }));

  test('given a May run whose lines bill October–December (an enrolment billed late, rules 4), then it supplies the fourth quarter, not May', () => {
    const p = suppliedPeriod({ kind: 'a-conto', year: 2024, period: '2024-05', lines: withMonths([10, 11, 12]) });
    expect(periodDates(p)).toEqual({ start: '2024-10-01', end: '2024-12-31' });
    expect(periodText(p)).toBe('kvartal 4 2024');
  });

  test('given a January run billing a yearly service and a monthly one, then it supplies the year', () => {
    expect(periodText(suppliedPeriod({ kind: 'a-conto', year: 2024, period: '2024-01', lines: withMonths([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1]) }))).toBe('2024');
  });

  test('given lines for February–April, then the span is named by its months, not as a quarter', () => {
    expect(periodText(suppliedPeriod({ kind: 'a-conto', year: 2024, period: '2024-Q1', lines: withMonths([2, 3], [4]) }))).toBe('februari–april 2024');
  });

  test('given a membership invoice of a whole year\'s fee, or a document whose lines name no months, then the fee year or its own period', () => {
    expect(periodText(suppliedPeriod({ kind: 'membership', year: 2024, period: '2024-05', lines: withMonths([5]) }))).toBe('2024');
    expect(periodText(suppliedPeriod({ kind: 'settlement', year: 2024, period: '2024', lines: [{}] }))).toBe('2024');
    expect(periodText(suppliedPeriod({ kind: 'a-conto', year: 2024, period: '2024-Q2', lines: [] }))).toBe('kvartal 2 2024');
  });

  describe('a membership invoice: the fee year, from the month of entry where its annual fee is counted from it', () => {
    /** A membership invoice's lines as a run writes them (projections/fees.ts): the fee's basis, and the joining contribution's. */
    const membership = (year: number, feeBasis: string | undefined, ...others: { kind: string; basis: string }[]) => ({
      kind: 'membership', year, period: `${year}-Q4`,
      lines: [
        ...(feeBasis === undefined ? [] : [{ kind: 'annual-fee', provenance: { basis: feeBasis } }]),
        ...others.map((o) => ({ kind: o.kind, provenance: { basis: o.basis } })),
      ],
    });
    const joining = { kind: 'joining-contribution', basis: 'tier 50000-100000: joining contribution 10000.00 × 100 %' };

    test('given Växjö joining 1 October 2023, its fee 3/12 from the month of entry, then it supplies October–December 2023, not the year', () => {
      const p = suppliedPeriod(membership(2023, 'tier 50000-100000 (97137 invånare (SCB 2022-12-31)): annual fee 50000.00 × 3/12 (joined 2023-10-01, first year counted from the month of entry)', joining));
      expect(periodDates(p)).toEqual({ start: '2023-10-01', end: '2023-12-31' });
      expect(periodText(p)).toBe('kvartal 4 2023');
    });

    test('given a member joining 15 April 2024, its fee 9/12, then it supplies April–December 2024', () => {
      const p = suppliedPeriod(membership(2024, 'tier lt7000 (5000 invånare (SCB 2023-12-31)): annual fee 5000.00 × 9/12 (joined 2024-04-15, first year counted from the month of entry)', joining));
      expect(periodDates(p)).toEqual({ start: '2024-04-01', end: '2024-12-31' });
      expect(periodText(p)).toBe('april–december 2024');
    });

    test('given a whole year\'s fee (a member since earlier years, one joining in January, or a schedule charging the whole first year), then the year', () => {
      for (const basis of ['tier l (900000 invånare (SCB 2023-12-31)): annual fee 80000.00 × 12/12', 'organisation: annual fee 10000.00 × 12/12']) {
        expect(periodDates(suppliedPeriod(membership(2024, basis, joining)))).toEqual({ start: '2024-01-01', end: '2024-12-31' });
      }
    });

    test('given an invoice without an annual fee (a levy or a re-entry\'s contribution billed alone), then the year', () => {
      const levy = { kind: 'levy', basis: 'levy l-1 tier s (5000 invånare (SCB 2023-12-31)): 2000.00' };
      expect(periodText(suppliedPeriod(membership(2024, undefined, levy)))).toBe('2024');
      expect(periodText(suppliedPeriod(membership(2024, undefined, { kind: 'joining-contribution', basis: 'tier s: joining contribution 5000.00 × 50 % (re-entry after leaving)' })))).toBe('2024');
    });

    test('given a basis whose months and join date disagree, or a join in another year, then the year, never a period the fee does not state', () => {
      expect(periodText(suppliedPeriod(membership(2024, 'tier s (5000 invånare): annual fee 5000.00 × 4/12 (joined 2024-04-15, first year counted from the month of entry)')))).toBe('2024');
      expect(periodText(suppliedPeriod(membership(2024, 'tier s (5000 invånare): annual fee 5000.00 × 9/12 (joined 2023-04-15, first year counted from the month of entry)')))).toBe('2024');
    });
  });

  test('months in words: runs as spans, single months alone', () => {
    expect(monthsText([2, 3, 5, 10, 11, 12])).toBe('februari–mars, maj, oktober–december');
  });
});


describe('the months of a year an enrolment is in force in (a run\'s look for periods with an unbilled enrolment)', () => {
  const date = fc.date({ min: new Date('2021-06-01T00:00:00Z'), max: new Date('2025-06-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const enrolment = fc.record({ from: date, to: fc.option(date, { nil: undefined }) });

  test('given any enrolment, its months a–b of 2023 are exactly those where inForceBetween the first day of a and the last of b holds', () => {
    fc.assert(fc.property(enrolment, (e) => {
      const [span] = enrolmentMonths([{ enrolmentId: 'e', ...e }], 2023);
      for (let a = 1; a <= 12; a++) {
        for (let b = a; b <= 12; b++) {
          const { start, end } = periodDates({ label: 'span', year: 2023, months: [a, b] });
          expect(span !== undefined && span.first <= b && span.last >= a).toBe(inForceBetween(e, start, end));
        }
      }
    }), { numRuns: 2000 });
  });

  test('given an enrolment from 15 March to 31 October 2023, then months 3–10; one ended in 2022 or starting in 2024, none', () => {
    expect(enrolmentMonths([
      { enrolmentId: 'a', from: '2023-03-15', to: '2023-10-31' },
      { enrolmentId: 'b', from: '2020-01-01', to: '2022-12-31' },
      { enrolmentId: 'c', from: '2024-01-01' },
      { enrolmentId: 'd', from: '2019-05-01' },
    ], 2023)).toEqual([{ enrolmentId: 'a', first: 3, last: 10 }, { enrolmentId: 'd', first: 1, last: 12 }]);
  });
});
