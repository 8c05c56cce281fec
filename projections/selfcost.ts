import Decimal from 'decimal.js';
import { PopulationPendingError } from '../domain/errors';
import type { EventRef } from '../domain/event-ref';
import { roundOre, sum, ZERO } from '../domain/money';
import type { ServiceState, State } from '../domain/state';
import { describeRule, splitForYear } from './splits';
import { settlementDifferences } from '../domain/deciders/billing';
import { recordedRules, RULES_VERSION } from '../domain/rules';

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
  /**
   * What a settlement would still bill, and credit, member by member (never negative); null without an
   * actual cost, or where not asked for (the books' accrual needs only the net). Their difference is settlementRemaining, which alone hides differences that cancel out.
   */
  settlementToBill: Decimal | null;
  settlementToCredit: Decimal | null;
  /** Why settlementRemaining cannot be worked out yet (SCB's table the actual split counts by is not recorded). */
  waitingFor?: string;
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

/**
 * Per service, what a year's documents say about it, from one pass over them: the billed amounts (a-conto
 * and settlement, net, after credit notes), the settlement documents, and whether any line bills it. A
 * report over every service (self-cost, the journal's settlement accruals) asked this of each service in
 * turn, reading every line of the year once per service: a hundred passes over a national year's lines.
 */
export interface YearBilling {
  billed: Map<string, { aconto: Decimal; settled: Decimal }>;
  /** The services some invoice line of the year bills. */
  invoiced: Set<string>;
  /** Supplementary invoices, then settlement credit notes, in the order they were issued. */
  settlementDocuments: Map<string, string[]>;
}

export function yearBilling(state: State, year: number): YearBilling {
  const billing = state.billing.get(year);
  const billed = new Map<string, { aconto: Decimal; settled: Decimal }>();
  const add = (serviceId: string, kind: 'aconto' | 'settled', amount: Decimal) => {
    const b = billed.get(serviceId) ?? { aconto: ZERO, settled: ZERO };
    b[kind] = b[kind].plus(amount);
    billed.set(serviceId, b);
  };
  const invoiced = new Set<string>();
  const invoices = new Map<string, string[]>();
  const creditNotes = new Map<string, string[]>();
  for (const inv of billing?.invoices.values() ?? []) {
    for (const line of inv.invoice.lines) {
      if (line.serviceId === undefined) continue;
      invoiced.add(line.serviceId);
      add(line.serviceId, line.kind === 'settlement' ? 'settled' : 'aconto', new Decimal(line.amount).minus(inv.creditedNet.get(line.lineNo) ?? ZERO));
      if (inv.invoice.kind === 'settlement') addOnce(invoices, line.serviceId, inv.invoice.number);
    }
  }
  // Settlement credit notes credit the year as a whole (no line reference); corrections are in creditedNet above.
  for (const cn of billing?.creditNotes.values() ?? []) {
    if (cn.value.kind !== 'settlement') continue;
    for (const line of cn.value.lines) {
      if (line.serviceId === undefined) continue;
      if (!line.credits) add(line.serviceId, 'settled', new Decimal(line.amount).neg());
      addOnce(creditNotes, line.serviceId, cn.value.number);
    }
  }
  const settlementDocuments = new Map<string, string[]>();
  for (const id of new Set([...invoices.keys(), ...creditNotes.keys()])) settlementDocuments.set(id, [...(invoices.get(id) ?? []), ...(creditNotes.get(id) ?? [])]);
  return { billed, invoiced, settlementDocuments };
}

/** Adds `number` to the list under `key` unless it ends it already (a document's lines come together). */
function addOnce(lists: Map<string, string[]>, key: string, number: string): void {
  const list = lists.get(key);
  if (list === undefined) lists.set(key, [number]);
  else if (list[list.length - 1] !== number) list.push(number);
}

/** Does the service have anything in the year: a budget, an actual cost or a billed line? */
function activeIn(svc: ServiceState, year: number, billing: YearBilling): boolean {
  return Boolean(svc.budgets.get(year)?.length || svc.actualCosts.get(year)?.length || billing.invoiced.has(svc.service.serviceId));
}

/** `billing`: the year's `yearBilling`, when the caller reports on several services of the year; `memberByMember`: settlementToBill and settlementToCredit too. */
export function selfCostOf(state: State, svc: ServiceState, year: number, horizonYears = 3, billing = yearBilling(state, year), memberByMember = false): SelfCostRow {
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
  const { aconto, settled } = billing.billed.get(id) ?? { aconto: ZERO, settled: ZERO };
  const billedTotal = aconto.plus(settled);
  let unallocated = ZERO;
  let settlementRemaining: Decimal | null = null;
  let differences: { bill: Decimal; credit: Decimal } | null = null;
  let waitingFor: string | undefined;
  if (actualRecorded) {
    // The same split a settlement run makes: what the participants owe at the actual cost, by the rules of
    // the service's latest settlement of the year, else of the year's close (a service with a cost and no
    // invoice line may be closed unsettled), else the current ones, as a settlement now would be decided:
    // a settled or closed year's figures and books do not move when later rules split otherwise.
    const b = state.billing.get(year);
    const rules = b?.settledBy.get(id) ?? (b?.closed ? recordedRules(b.closed.value) : RULES_VERSION);
    try {
      const split = splitForYear(state, id, year, 'actual', rules);
      unallocated = split.unallocated;
      settlementRemaining = sum(split.participants.map((p) => p.total)).minus(billedTotal);
      // A second split, member by member: for the report, not for the books' accrual, which needs the net.
      if (memberByMember) differences = settlementDifferences(state, svc, year, rules);
    } catch (err) {
      // A cost of next year recorded before SCB's year-end figures: what a settlement would bill waits for them.
      if (!(err instanceof PopulationPendingError)) throw err;
      waitingFor = err.message;
    }
  }
  const overUnder = actualRecorded ? billedTotal.minus(fullCost) : null;
  const carriedForward = overUnder ?? ZERO;
  return {
    serviceId: id, name: svc.service.name, year, rule: describeRule(svc), pricing: svc.service.pricing.kind, overheadRate,
    budget, budgetRef: inForce?.ref ?? null, budgetWithOverhead: budget === null ? null : roundOre(budget.mul(overheadRate.plus(1))),
    actualCost, actualRecorded, overhead, fullCost, billedAconto: aconto, settled, billedTotal, overUnder, unallocated, settlementRemaining,
    settlementToBill: differences?.bill ?? null, settlementToCredit: differences?.credit ?? null,
    settlements: state.billing.get(year)?.settled.get(id) ?? [], settlementDocuments: billing.settlementDocuments.get(id) ?? [],
    carriedForward, evenOutBy: carriedForward.isZero() ? null : year + horizonYears,
    ...(waitingFor === undefined ? {} : { waitingFor }),
  };
}

/** The self-cost report of a year: one row per service with a budget, an actual cost or a billed line in it. */
export function selfCost(state: State, year: number, horizonYears = 3): SelfCostReport {
  const billing = yearBilling(state, year);
  const services = [...state.services.values()]
    .filter((svc) => activeIn(svc, year, billing))
    .sort((a, b) => a.service.name.localeCompare(b.service.name, 'sv') || a.service.serviceId.localeCompare(b.service.serviceId))
    .map((svc) => selfCostOf(state, svc, year, horizonYears, billing, true));
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
