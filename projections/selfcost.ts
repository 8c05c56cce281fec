import Decimal from 'decimal.js';
import type { EventRef } from '../domain/event-ref';
import { roundOre, sum, ZERO } from '../domain/money';
import type { ServiceState, State } from '../domain/state';
import { describeRule, splitForYear } from './splits';

/**
 * Self-cost (självkostnad, kommunallagen 2 kap. 6 §) per service and year: what the council budgeted,
 * what the service actually cost with the association's overhead, what the participants were billed,
 * and the difference that is settled with them or carried forward and evened out within a horizon.
 */
export interface SelfCostRow {
  serviceId: string;
  name: string;
  year: number;
  rule: string;
  pricing: ServiceState['service']['pricing']['kind'];
  overheadRate: Decimal;
  /** The council budget in force for the year (the latest decision), before overhead; null when none. */
  budget: Decimal | null;
  budgetRef: EventRef | null;
  /** budget × (1 + overhead rate), to the öre: what the a-conto invoices were based on. */
  budgetWithOverhead: Decimal | null;
  /** The sum of the recorded actual costs for the year (supplier invoices). */
  actualCost: Decimal;
  actualRecorded: boolean;
  /** actual × overhead rate, to the öre. */
  overhead: Decimal;
  /** actualCost + overhead: the full cost the fees may cover. */
  fullCost: Decimal;
  /** Net a-conto billed for the year, less correction credit notes on those lines. */
  billedAconto: Decimal;
  /** Net of the settlement documents: supplementary invoices less settlement credit notes (and credits of them). */
  settled: Decimal;
  /** billedAconto + settled. */
  billedTotal: Decimal;
  /**
   * billedTotal − fullCost: positive is an over-collection (owed back), negative an under-collection.
   * Null until an actual cost is recorded (there is no outcome to compare with).
   */
  overUnder: Decimal | null;
  /** Months with no participant, at the actual cost: never billed to anyone, so part of any under-collection. */
  unallocated: Decimal;
  /** What a settlement run would still bill (+) or credit (−) the participants; null without an actual cost. */
  settlementRemaining: Decimal | null;
  /** The settlement runs for the year (ServiceSettled events). */
  settlements: EventRef[];
  /** The settlement documents issued for the service and year: supplementary invoices and settlement credit notes. */
  settlementDocuments: string[];
  /** The over/under-collection that is not settled: carried forward, to be evened out by `evenOutBy`. */
  carriedForward: Decimal;
  /** The last year by which the carried-forward amount must be evened out (year + horizon); null when nothing is carried. */
  evenOutBy: number | null;
}

export interface SelfCostReport {
  year: number;
  horizonYears: number;
  services: SelfCostRow[];
  totals: { budgetWithOverhead: Decimal; actualCost: Decimal; overhead: Decimal; fullCost: Decimal; billedAconto: Decimal; settled: Decimal; billedTotal: Decimal; carriedForward: Decimal };
}

/** What was billed for a service in a year: a-conto and settlement, net, after credit notes. */
export function billedForService(state: State, serviceId: string, year: number): { aconto: Decimal; settled: Decimal } {
  const billing = state.billing.get(year);
  let aconto = ZERO;
  let settled = ZERO;
  for (const inv of billing?.invoices.values() ?? []) {
    for (const line of inv.invoice.lines) {
      if (line.serviceId !== serviceId) continue;
      const net = new Decimal(line.amount).minus(inv.creditedNet.get(line.lineNo) ?? ZERO);
      if (line.kind === 'settlement') settled = settled.plus(net);
      else aconto = aconto.plus(net);
    }
  }
  // Settlement credit notes credit the year as a whole (no line reference); corrections are in creditedNet above.
  for (const cn of billing?.creditNotes.values() ?? []) {
    if (cn.value.kind !== 'settlement') continue;
    for (const line of cn.value.lines) if (line.serviceId === serviceId && !line.credits) settled = settled.minus(line.amount);
  }
  return { aconto, settled };
}

function settlementDocuments(state: State, serviceId: string, year: number): string[] {
  const billing = state.billing.get(year);
  return [
    ...[...(billing?.invoices.values() ?? [])].filter((i) => i.invoice.kind === 'settlement' && i.invoice.lines.some((l) => l.serviceId === serviceId)).map((i) => i.invoice.number),
    ...[...(billing?.creditNotes.values() ?? [])].filter((c) => c.value.kind === 'settlement' && c.value.lines.some((l) => l.serviceId === serviceId)).map((c) => c.value.number),
  ];
}

/** Does the service have anything in the year: a budget, an actual cost or a billed line? */
function activeIn(state: State, svc: ServiceState, year: number): boolean {
  if (svc.budgets.get(year)?.length || svc.actualCosts.get(year)?.length) return true;
  return [...(state.billing.get(year)?.invoices.values() ?? [])].some((i) => i.invoice.lines.some((l) => l.serviceId === svc.service.serviceId));
}

export function selfCostOf(state: State, svc: ServiceState, year: number, horizonYears = 3): SelfCostRow {
  const id = svc.service.serviceId;
  const overheadRate = new Decimal(svc.service.overheadRate);
  const decisions = svc.budgets.get(year) ?? [];
  const inForce = decisions[decisions.length - 1];
  const budget = inForce ? sum(inForce.value.lines.map((l) => new Decimal(l.amount))) : null;
  const costs = svc.actualCosts.get(year) ?? [];
  const actualCost = sum(costs.map((c) => new Decimal(c.value.amount)));
  const actualRecorded = costs.length > 0;
  const overhead = roundOre(actualCost.mul(overheadRate));
  const fullCost = actualCost.plus(overhead);
  const { aconto, settled } = billedForService(state, id, year);
  const billedTotal = aconto.plus(settled);
  let unallocated = ZERO;
  let settlementRemaining: Decimal | null = null;
  if (actualRecorded) {
    // The same split a settlement run makes: what the participants owe at the actual cost.
    const split = splitForYear(state, id, year, 'actual');
    unallocated = split.unallocated;
    settlementRemaining = sum(split.participants.map((p) => p.total)).minus(billedTotal);
  }
  const overUnder = actualRecorded ? billedTotal.minus(fullCost) : null;
  const carriedForward = overUnder ?? ZERO;
  return {
    serviceId: id, name: svc.service.name, year, rule: describeRule(svc), pricing: svc.service.pricing.kind, overheadRate,
    budget, budgetRef: inForce?.ref ?? null, budgetWithOverhead: budget === null ? null : roundOre(budget.mul(overheadRate.plus(1))),
    actualCost, actualRecorded, overhead, fullCost, billedAconto: aconto, settled, billedTotal, overUnder, unallocated, settlementRemaining,
    settlements: state.billing.get(year)?.settled.get(id) ?? [], settlementDocuments: settlementDocuments(state, id, year),
    carriedForward, evenOutBy: carriedForward.isZero() ? null : year + horizonYears,
  };
}

/** The self-cost report of a year: one row per service with a budget, an actual cost or a billed line in it. */
export function selfCost(state: State, year: number, horizonYears = 3): SelfCostReport {
  const services = [...state.services.values()]
    .filter((svc) => activeIn(state, svc, year))
    .sort((a, b) => a.service.name.localeCompare(b.service.name, 'sv') || a.service.serviceId.localeCompare(b.service.serviceId))
    .map((svc) => selfCostOf(state, svc, year, horizonYears));
  const total = (f: (r: SelfCostRow) => Decimal | null) => sum(services.map((r) => f(r) ?? ZERO));
  return {
    year, horizonYears, services,
    totals: {
      budgetWithOverhead: total((r) => r.budgetWithOverhead), actualCost: total((r) => r.actualCost), overhead: total((r) => r.overhead),
      fullCost: total((r) => r.fullCost), billedAconto: total((r) => r.billedAconto), settled: total((r) => r.settled),
      billedTotal: total((r) => r.billedTotal), carriedForward: total((r) => r.carriedForward),
    },
  };
}
