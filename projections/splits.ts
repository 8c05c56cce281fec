import Decimal from 'decimal.js';
import { requireService } from '../domain/deciders/services';
import { DomainError } from '../domain/errors';
import type { EventRef } from '../domain/event-ref';
import { parseAmount, roundOre, sum, ZERO } from '../domain/money';
import { populationFor, populationOfCodes, type PopulationUsed } from '../domain/population-rule';
import { type MonthSplit, PricingError, splitMonth, type SplitParticipant } from '../domain/pricing';
import { countsInMonth, MONTHS, monthlyAmounts } from '../domain/proration';
import type { ServiceState, State } from '../domain/state';
import { bandOf, type TierBand } from '../domain/tiers';

export type CostBasis = 'budget' | 'actual';

/** One enrolment as a split sees it; a what-if adds hypothetical ones of the same shape. */
export interface SplitInput extends SplitParticipant {
  from: string;
  to?: string;
  module?: string;
  covers?: string[];
  population: number | null;
  populationUsed: PopulationUsed | null;
  refs: EventRef[];
  hypothetical?: boolean;
}

export interface ParticipantSplit {
  key: string;
  member: string;
  name: string;
  module?: string;
  hypothetical: boolean;
  population: number | null;
  tier: { id: string; label: string } | null;
  /** The rule's weight for this participant (its band weight, population, or 1). */
  weight: Decimal;
  months: number[];
  monthly: Decimal[];
  total: Decimal;
  basis: string;
  refs: EventRef[];
}

export interface ServiceSplit {
  serviceId: string;
  name: string;
  year: number;
  basis: CostBasis;
  rule: string;
  /** Budget or actual cost before the overhead charge. */
  base: Decimal;
  overheadRate: Decimal;
  /** base × (1 + overhead rate), to the öre: what the split distributes. */
  cost: Decimal;
  costRefs: EventRef[];
  months: MonthSplit[];
  participants: ParticipantSplit[];
  /** Months with no participant: their amount is not billed to anyone and is shown, never dropped. */
  unallocated: Decimal;
  byTier: { tier: { id: string; label: string }; participants: number; total: Decimal; average: Decimal }[];
}

/** The reporting tiers when no fee schedule is adopted for the year: the 2007 report's three tiers. */
export const DEFAULT_REPORTING_TIERS: TierBand[] = [
  { id: 'lt10000', label: 'Invånare mindre än 10 000', max: 9999 },
  { id: '10000-100000', label: 'Invånare 10 000 – 100 000', min: 10000, max: 100000 },
  { id: 'gt100000', label: 'Invånare fler än 100 000', min: 100001 },
  { id: 'org', label: 'Organisationer', organisation: true },
];

const yearStart = (y: number) => `${y}-01-01`;
const yearEnd = (y: number) => `${y}-12-31`;

/** The enrolments of a service that are in force on some day of the year, with the population each counts. */
export function splitInputs(state: State, svc: ServiceState, year: number): SplitInput[] {
  const inputs: SplitInput[] = [];
  for (const e of svc.enrolments.values()) {
    if (e.from > yearEnd(year) || (e.to !== undefined && e.to < yearStart(year))) continue;
    const m = state.members.get(e.member);
    if (!m) throw new DomainError(`enrolment ${e.enrolmentId} names unknown member ${e.member}`);
    const organisation = m.kind === 'region' || m.kind === 'organisation';
    const populationUsed = e.covers?.length
      ? populationOfCodes(state, e.covers, year, `${m.name}'s enrolment ${e.enrolmentId}`)
      : populationFor(state, m, year);
    inputs.push({
      key: e.enrolmentId, member: m.orgnr, name: e.covers?.length ? `${m.name} (${e.covers.length} kommuner)` : m.name,
      organisation: organisation && !e.covers?.length, population: populationUsed?.value ?? null, populationUsed,
      from: e.from, to: e.to, module: e.module, covers: e.covers,
      refs: [e.startedRef, ...(e.endedRef ? [e.endedRef] : []), ...(populationUsed ? [populationUsed.ref] : [])],
    });
  }
  return inputs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The council's budget in force for the year (the latest decision) or the recorded actual costs. */
export function costBase(svc: ServiceState, year: number, basis: CostBasis): { base: Decimal; refs: EventRef[] } {
  if (basis === 'budget') {
    const decisions = svc.budgets.get(year);
    if (!decisions?.length) {
      if (svc.service.pricing.kind === 'price-list') return { base: ZERO, refs: [] };
      throw new DomainError(`service ${svc.service.serviceId} has no council budget for ${year}; decide one with \`samkost budget decide\``);
    }
    const inForce = decisions[decisions.length - 1];
    return { base: sum(inForce.value.lines.map((l) => new Decimal(l.amount))), refs: [inForce.ref] };
  }
  const costs = svc.actualCosts.get(year) ?? [];
  return { base: sum(costs.map((c) => new Decimal(c.value.amount))), refs: costs.map((c) => c.ref) };
}

/** The one pure split computation: live reads, replays and what-if scenarios all come through here. */
export function computeSplit(
  svc: ServiceState,
  year: number,
  basis: CostBasis,
  base: { base: Decimal; refs: EventRef[] },
  inputs: readonly SplitInput[],
  reportingTiers: readonly TierBand[],
): ServiceSplit {
  const rule = svc.service.pricing;
  const overheadRate = new Decimal(svc.service.overheadRate);
  const cost = roundOre(base.base.mul(overheadRate.plus(1)));
  const perMonth = monthlyAmounts(cost);
  const byKey = new Map<string, ParticipantSplit>();
  for (const p of inputs) {
    const tier = bandOf(reportingTiers, p);
    byKey.set(p.key, {
      key: p.key, member: p.member, name: p.name, module: p.module, hypothetical: Boolean(p.hypothetical), population: p.population,
      tier: tier ? { id: tier.id, label: tier.label } : null, weight: ZERO, months: [], monthly: MONTHS.map(() => ZERO), total: ZERO, basis: '', refs: p.refs,
    });
  }
  // The months each participant counts in; enrolments share their dates, so each (from, to) is worked out once.
  const inForceByDates = new Map<string, Map<string | undefined, boolean[]>>();
  const inForce = inputs.map((p) => {
    const byTo = inForceByDates.get(p.from) ?? new Map<string | undefined, boolean[]>();
    inForceByDates.set(p.from, byTo);
    let flags = byTo.get(p.to);
    if (!flags) {
      flags = MONTHS.map((month) => countsInMonth(p.from, p.to, year, month));
      byTo.set(p.to, flags);
    }
    return flags;
  });
  // Months with the same amount and the same participants split alike, so each distinct month is split once.
  // Not for the price list, whose lines name the month; base-plus-per-capita's monthly base is part of the key.
  let reuse = rule.kind !== 'price-list';
  let monthlyBase: Map<number, Decimal> | undefined;
  if (rule.kind === 'base-plus-per-capita') {
    try {
      monthlyBase = monthlyAmounts(parseAmount(rule.base));
    } catch {
      reuse = false; // splitMonth reports the bad base
    }
  }
  const splitOnce = new Map<string, MonthSplit>();
  const months: MonthSplit[] = [];
  for (const month of MONTHS) {
    const present: SplitInput[] = [];
    const presentIndex: number[] = [];
    inputs.forEach((p, i) => {
      if (inForce[i][month - 1]) {
        present.push(p);
        presentIndex.push(i);
      }
    });
    const amount = perMonth.get(month) as Decimal;
    const key = reuse ? `${amount.toString()} ${monthlyBase?.get(month)?.toString() ?? ''} ${presentIndex.join(',')}` : undefined;
    const same = key === undefined ? undefined : splitOnce.get(key);
    let split: MonthSplit;
    if (same) {
      split = { ...same, month, shares: same.shares.map((share) => ({ ...share })) };
    } else {
      try {
        split = splitMonth(rule, month, amount, present);
      } catch (err) {
        if (err instanceof PricingError) throw new DomainError(`${svc.service.serviceId} ${year}: ${err.message}`);
        throw err;
      }
      if (key !== undefined) splitOnce.set(key, split);
    }
    months.push(split);
    for (const share of split.shares) {
      const p = byKey.get(share.key) as ParticipantSplit;
      p.monthly[month - 1] = share.amount;
      p.months.push(month);
      p.weight = share.weight;
      p.basis = share.basis;
    }
  }
  const participants = [...byKey.values()].map((p) => ({ ...p, total: sum(p.monthly) }));
  const unallocated = sum(months.map((m) => m.unallocated));
  const byTier = reportingTiers.map((t) => {
    const inTier = participants.filter((p) => p.tier?.id === t.id);
    const total = sum(inTier.map((p) => p.total));
    return { tier: { id: t.id, label: t.label }, participants: inTier.length, total, average: inTier.length ? roundOre(total.div(inTier.length)) : ZERO };
  });
  return {
    serviceId: svc.service.serviceId, name: svc.service.name, year, basis, rule: describeRule(svc),
    base: base.base, overheadRate, cost: rule.kind === 'price-list' ? sum(participants.map((p) => p.total)) : cost,
    costRefs: [svc.ref, ...base.refs], months, participants, unallocated: rule.kind === 'price-list' ? ZERO : unallocated, byTier,
  };
}

export function describeRule(svc: ServiceState): string {
  const r = svc.service.pricing;
  switch (r.kind) {
    case 'equal': return 'equal split';
    case 'tier-weighted': return `tier-weighted split (${r.bands.map((b) => `${b.id}: ${b.weight}`).join(', ')})`;
    case 'per-capita': return 'per-capita split';
    case 'base-plus-per-capita': return `fixed base ${r.base} per participant a year, the rest per capita`;
    case 'price-list': return `price list by tier (${r.bands.map((b) => `${b.id}: ${b.price}`).join(', ')})`;
  }
}

export function reportingTiersFor(state: State, year: number): TierBand[] {
  return state.schedules.get(year)?.value.tiers ?? DEFAULT_REPORTING_TIERS;
}

export function splitForYear(state: State, serviceId: string, year: number, basis: CostBasis): ServiceSplit {
  const svc = requireService(state, serviceId);
  return computeSplit(svc, year, basis, costBase(svc, year, basis), splitInputs(state, svc, year), reportingTiersFor(state, year));
}
