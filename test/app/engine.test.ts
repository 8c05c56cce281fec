import { parseCommand } from '../../domain/commands';
import { domainCodec } from '../../src/app/codec';
import { Engine } from '../../src/app/engine';
import { verifyAll } from '../../src/app/verify';
import { DEFAULT_CONFIG } from '../../src/config';
import { SqliteEventStore } from '../../src/store/sqlite';
import { billingFixture } from '../support/billing-fixture';

const clock = { now: () => new Date('2024-04-20T08:00:00Z') };

async function folded(file: string): Promise<Engine> {
  const engine = new Engine(new SqliteEventStore(file, domainCodec), 'test', clock);
  await engine.catchUp();
  return engine;
}

describe('Engine: the state after an append', () => {
  test('given a store, when an invoice run is executed, then its events are folded without reading them back, into the state a fresh fold gives', async () => {
    const f = await billingFixture();
    const engine = await folded(f.store);
    const reads = jest.spyOn(engine.store, 'readAllPages');
    // The membership invoices have no VAT number on the buyer and a legal basis; the a-conto ones the
    // reverse: optional members the decider leaves undefined, which the stored JSON does not keep.
    for (const period of ['2024-01', '2024-Q2']) {
      const result = await engine.execute(parseCommand({
        type: 'invoice.run', period, issueDate: '2024-04-20', paymentTermsDays: 30, vatRate: '0.25', seller: DEFAULT_CONFIG.seller,
      }));
      expect(result.events.length).toBeGreaterThan(0);
    }
    // One read per command, the one before deciding: none after the append.
    expect(reads).toHaveBeenCalledTimes(2);

    const fresh = await folded(f.store);
    expect(engine.state).toStrictEqual(fresh.state);
    await engine.store.close();
    await fresh.store.close();
  });

  test('given a budget decided in another stream between the run\'s read and its append, then the run is decided again on the new budget, and the year replays', async () => {
    const f = await billingFixture();
    const engine = await folded(f.store);
    const other = await folded(f.store);
    const append = engine.store.append.bind(engine.store);
    let raced = false;
    jest.spyOn(engine.store, 'append').mockImplementation(async (...args) => {
      if (!raced) {
        raced = true;
        await other.execute(parseCommand({ type: 'budget.decide', serviceId: 'egil', year: 2024, lines: [{ text: 'Drift', amount: '2000000.00' }], decidedOn: '2024-04-19', minutesRef: 'FR extra' }));
      }
      return append(...args);
    });
    await engine.execute(parseCommand({
      type: 'invoice.run', period: '2024', issueDate: '2024-04-20', paymentTermsDays: 30, vatRate: '0.25', seller: DEFAULT_CONFIG.seller,
    }));
    expect(raced).toBe(true);
    // The documents stored after the new budget were decided from it: a replay of the log reproduces each.
    const report = await verifyAll(engine.store);
    expect(report.checks.invoices.failures).toEqual([]);
    expect(report.checks.invoices.passed).toBeGreaterThan(0);
    for (const e of [engine, other]) await e.store.close();
  });

  test('given another writer appended in between, when a command is executed, then that event is folded too', async () => {
    const f = await billingFixture();
    const engine = await folded(f.store);
    const other = await folded(f.store);
    await other.execute(parseCommand({ type: 'enrolment.start', serviceId: 'egil', member: '232100-0016', from: '2024-05-01' }));
    await engine.execute(parseCommand({
      type: 'invoice.run', period: '2024-Q2', issueDate: '2024-04-20', paymentTermsDays: 30, vatRate: '0.25', seller: DEFAULT_CONFIG.seller,
    }));
    const fresh = await folded(f.store);
    expect(engine.state).toStrictEqual(fresh.state);
    expect(fresh.state.services.get('egil')?.enrolments.size).toBe(4);
    for (const e of [engine, other, fresh]) await e.store.close();
  });
});
