import Decimal from 'decimal.js';
import type { State } from '../../domain/state';
import { selfCost, yearBilling } from '../../projections/selfcost';
import { domainCodec } from '../../src/app/codec';
import { Engine } from '../../src/app/engine';
import { SqliteEventStore } from '../../src/store/sqlite';
import { settledYear } from '../support/billing-fixture';

/*
 * The definition, written plainly, one service at a time: what yearBilling computed for each service
 * before it read the year's documents once for all of them.
 */
function billedOne(state: State, serviceId: string, year: number) {
  const billing = state.billing.get(year);
  let aconto = new Decimal(0);
  let settled = new Decimal(0);
  for (const inv of billing?.invoices.values() ?? []) {
    for (const line of inv.invoice.lines) {
      if (line.serviceId !== serviceId) continue;
      const net = new Decimal(line.amount).minus(inv.creditedNet.get(line.lineNo) ?? 0);
      if (line.kind === 'settlement') settled = settled.plus(net);
      else aconto = aconto.plus(net);
    }
  }
  for (const cn of billing?.creditNotes.values() ?? []) {
    if (cn.value.kind !== 'settlement') continue;
    for (const line of cn.value.lines) if (line.serviceId === serviceId && !line.credits) settled = settled.minus(line.amount);
  }
  const settlementDocuments = [
    ...[...(billing?.invoices.values() ?? [])].filter((i) => i.invoice.kind === 'settlement' && i.invoice.lines.some((l) => l.serviceId === serviceId)).map((i) => i.invoice.number),
    ...[...(billing?.creditNotes.values() ?? [])].filter((c) => c.value.kind === 'settlement' && c.value.lines.some((l) => l.serviceId === serviceId)).map((c) => c.value.number),
  ];
  const invoiced = [...(billing?.invoices.values() ?? [])].some((i) => i.invoice.lines.some((l) => l.serviceId === serviceId));
  return { aconto: aconto.toFixed(2), settled: settled.toFixed(2), settlementDocuments, invoiced };
}

describe('yearBilling: every service of a year from one pass over its documents', () => {
  test.each([
    ['over', '1320000.00', 'T2024-'],
    ['under', '900000.00', 'TK2024-'],
  ])('given a year with a-conto runs, a correction credit and a settlement %s the budget, then each service reads as it did one at a time', async (_, cost, settlementSeries) => {
    const f = await settledYear(cost);

    const engine = new Engine(new SqliteEventStore(f.store, domainCodec), 'test');
    await engine.catchUp();
    const state = engine.state;
    const billing = yearBilling(state, 2024);
    const ids = [...state.services.keys(), 'no-such-service'];
    for (const id of ids) {
      const one = billedOne(state, id, 2024);
      const b = billing.billed.get(id);
      expect({
        aconto: (b?.aconto ?? new Decimal(0)).toFixed(2), settled: (b?.settled ?? new Decimal(0)).toFixed(2),
        settlementDocuments: billing.settlementDocuments.get(id) ?? [], invoiced: billing.invoiced.has(id),
      }).toEqual(one);
    }
    // Over the budget the settlement bills more (invoices); under it, it credits (settlement credit notes).
    expect((billing.settlementDocuments.get('egil') ?? []).some((n) => n.startsWith(settlementSeries))).toBe(true);
    const report = selfCost(state, 2024);
    for (const row of report.services) expect(row.billedTotal.toFixed(2)).toBe(new Decimal(billedOne(state, row.serviceId, 2024).aconto).plus(billedOne(state, row.serviceId, 2024).settled).toFixed(2));
  });
});
