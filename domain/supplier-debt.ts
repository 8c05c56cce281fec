import Decimal from 'decimal.js';
import type { z } from 'zod';
import type { ActualCostRecorded, SupplierPaymentRecorded } from './events/services';
import { sum } from './money';
import type { Adopted, ServiceState } from './state';

/**
 * What is owed to suppliers, per supplier invoice: the recorded costs of a service's year that carry one
 * reference (usually one; a reference recorded more than once is one invoice whose amounts add up), what
 * they come to with their input VAT, and what has been paid of it.
 */
export interface SupplierInvoice {
  serviceId: string;
  year: number;
  reference: string;
  /** The supplier, or the suppliers in the order recorded where the records name more than one. */
  supplier: string;
  /** The earliest date of its records: no payment can come before it. */
  date: string;
  /** The amount excluding VAT: the service's cost. */
  net: Decimal;
  vat: Decimal;
  /** net + vat: what the supplier is owed in all. */
  gross: Decimal;
  paid: Decimal;
  /** gross − paid. */
  owed: Decimal;
  costs: Adopted<z.infer<typeof ActualCostRecorded>>[];
  payments: Adopted<z.infer<typeof SupplierPaymentRecorded>>[];
}

/**
 * The supplier invoices of a service's cost year, in the order their first records were registered; `at`: as
 * they stood at the end of that day, only records and payments dated by then (the ledger books both on their
 * dates, so what is owed then is 2440 then).
 */
export function supplierInvoices(svc: ServiceState, year: number, at?: string): SupplierInvoice[] {
  const byReference = new Map<string, Adopted<z.infer<typeof ActualCostRecorded>>[]>();
  for (const cost of svc.actualCosts.get(year) ?? []) {
    if (at !== undefined && cost.value.date > at) continue;
    const list = byReference.get(cost.value.reference);
    if (list) list.push(cost);
    else byReference.set(cost.value.reference, [cost]);
  }
  const payments = (svc.supplierPayments.get(year) ?? []).filter((p) => at === undefined || p.value.date <= at);
  return [...byReference].map(([reference, costs]) => {
    const net = sum(costs.map((c) => new Decimal(c.value.amount)));
    const vat = sum(costs.map((c) => new Decimal(c.value.vat ?? 0)));
    const paidTo = payments.filter((p) => p.value.reference === reference);
    const paid = sum(paidTo.map((p) => new Decimal(p.value.amount)));
    const gross = net.plus(vat);
    return {
      serviceId: svc.service.serviceId, year, reference,
      supplier: [...new Set(costs.map((c) => c.value.supplier))].join(', '),
      date: costs.reduce((d, c) => (c.value.date < d ? c.value.date : d), costs[0].value.date),
      net, vat, gross, paid, owed: gross.minus(paid), costs, payments: paidTo,
    };
  });
}

/** The supplier invoice of a service's cost year with this reference, if any was recorded. */
export function supplierInvoice(svc: ServiceState, year: number, reference: string): SupplierInvoice | undefined {
  return supplierInvoices(svc, year).find((i) => i.reference === reference);
}
