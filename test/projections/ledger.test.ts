import { initialState, type State } from '../../domain/state';
import { firstYear } from '../../projections/ledger';

describe('the books at national scale', () => {
  test('given hundreds of thousands of dated payments, then the first year of the books is found (Math.min over a spread overflowed the stack)', () => {
    const state: State = initialState();
    const payments = Array.from({ length: 300_000 }, (_, i) => ({ date: `${2015 + (i % 9)}-03-01` }));
    state.billing.set(2016, {
      year: 2016, sequences: new Map(), billedKeys: new Map(), settled: new Map(), creditNotes: new Map(),
      invoices: new Map([['T2016-0001', { invoice: { year: 2016, issueDate: '2016-01-15' }, payments } as never]]),
    });
    expect(firstYear(state)).toBe(2015);
    expect(firstYear(initialState())).toBeUndefined();
  });
});
