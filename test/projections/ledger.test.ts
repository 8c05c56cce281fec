import { initialState, type State } from '../../domain/state';
import { firstYear, ledger, yearResult } from '../../projections/ledger';
import { domainCodec } from '../../src/app/codec';
import { Engine } from '../../src/app/engine';
import { SqliteEventStore } from '../../src/store/sqlite';
import { settledYear } from '../support/billing-fixture';

describe('the books at national scale', () => {
  test('given hundreds of thousands of dated payments, then the first year of the books is found (Math.min over a spread overflowed the stack)', () => {
    const state: State = initialState();
    const payments = Array.from({ length: 300_000 }, (_, i) => ({ date: `${2015 + (i % 9)}-03-01` }));
    state.billing.set(2016, {
      year: 2016, sequences: new Map(), billedKeys: new Map(), billedEnrolments: new Map(), settled: new Map(), settledBy: new Map(), creditNotes: new Map(),
      invoices: new Map([['T2016-0001', { invoice: { year: 2016, issueDate: '2016-01-15' }, payments, refunds: [] } as never]]),
    });
    expect(firstYear(state)).toBe(2015);
    expect(firstYear(initialState())).toBeUndefined();
  });
});

describe('yearResult: a year\'s vouchers and income statement without the earlier years', () => {
  test('given a billed and settled year and the year after it (which opens with balances), then both equal the whole ledger\'s', async () => {
    const f = await settledYear();
    await f.run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '1000.00', '--date', '2025-02-01', '--reference', 'BG 1');
    const engine = new Engine(new SqliteEventStore(f.store, domainCodec), 'test');
    await engine.catchUp();
    try {
      expect(ledger(engine.state, 2025).opening.size).toBeGreaterThan(0);
      for (const year of [2024, 2025]) {
        const whole = ledger(engine.state, year);
        const result = yearResult(engine.state, year);
        expect(JSON.stringify(result.income)).toBe(JSON.stringify(whole.income));
        expect(JSON.stringify(result.vouchers)).toBe(JSON.stringify(whole.vouchers));
        expect(result.vouchers.length).toBeGreaterThan(0);
      }
    } finally {
      await engine.store.close();
    }
  });
});
