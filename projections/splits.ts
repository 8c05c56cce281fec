import Decimal from 'decimal.js';
import { requireService } from '../domain/deciders/services';
import { DomainError } from '../domain/errors';
import type { EventRef } from '../domain/event-ref';
import { roundOre, sum, ZERO } from '../domain/money';
import { OreDecimals } from '../domain/ore';
import { inKeyOrder, OrePricing } from '../domain/ore-pricing';
import { populationFor, populationOfCodes, type PopulationUsed } from '../domain/population-rule';
import { type MonthSplit, PricingError, type SplitParticipant } from '../domain/pricing';
import { MONTHS } from '../domain/proration';
import { inForceDuringYear, type ServiceState, type State } from '../domain/state';
import { bandOf, type TierBand } from '../domain/tiers';
import { SplitContext } from './split-context';

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

/** The enrolments of a service that are in force on some day of the year, with the population each counts. */
export function splitInputs(state: State, svc: ServiceState, year: number): SplitInput[] {
  const inputs: SplitInput[] = [];
  for (const e of svc.enrolments.values()) {
    if (!inForceDuringYear(e, year)) continue;
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

/** The indices of the inputs counting in the month, in input order. */
function presentIn(inForce: readonly (readonly boolean[])[], month: number): number[] {
  // Counted first so the array is made once at its size, not grown by push: a split makes twelve of them.
  let count = 0;
  for (let i = 0; i < inForce.length; i++) if (inForce[i][month - 1]) count += 1;
  const present = new Array<number>(count);
  for (let i = 0, j = 0; i < inForce.length; i++) if (inForce[i][month - 1]) present[j++] = i;
  return present;
}

/** Σ of whole-öre amounts, or NaN once a partial sum is past 2^53 (and so maybe no longer exact). */
function addOre(a: number, b: number): number {
  const s = a + b;
  return Number.isSafeInteger(s) ? s : Number.NaN;
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
  return splitWithTotals(new SplitContext(svc, year, base), basis, inputs, reportingTiers).split;
}

/**
 * `computeSplit` in a context kept between splits, and each participant's total in öre besides (NaN where
 * not exact in a number). Each month is split in whole öre by `OrePricing`, which gives what `splitMonth`
 * gives, and totals are summed in öre and become Decimals once.
 */
export function splitWithTotals(
  ctx: SplitContext,
  basis: CostBasis,
  inputs: readonly SplitInput[],
  reportingTiers: readonly TierBand[],
): { split: ServiceSplit; totalOre: Float64Array } {
  const { svc, year, base } = ctx;
  const rule = svc.service.pricing;
  const { overheadRate, cost, perMonth, perMonthOre } = ctx.cost();
  const inForce = ctx.inForce(inputs);
  // One participant per key, where the key first appears and with the last input's data (a key twice is an
  // error only in a month both count in).
  const slotOf = new Array<number>(inputs.length);
  const slots: { input: SplitInput; weight: Decimal; months: number[]; monthly: Decimal[]; basis: string }[] = [];
  const slotByKey = inKeyOrder(inputs) ? undefined : new Map<string, number>();
  for (let i = 0; i < inputs.length; i++) {
    const p = inputs[i];
    let slot = slotByKey?.get(p.key);
    if (slot === undefined) {
      slot = slots.length;
      slotByKey?.set(p.key, slot);
      slots.push({ input: p, weight: ZERO, months: [], monthly: new Array<Decimal>(12).fill(ZERO), basis: '' });
    } else {
      slots[slot].input = p;
    }
    slotOf[i] = slot;
  }
  const decimals = new OreDecimals();
  const pricing = new OrePricing(rule, inputs, decimals);
  // Each participant's total in öre, while every month is split in öre (NaN once one is not). A typed array,
  // not a field of the slot: a double stored into a field V8 began as a small integer changes the object's
  // shape, and the split would run on deoptimised code for its first hundred calls.
  const totalOre = new Float64Array(slots.length);
  let unallocatedOre = 0; // likewise
  const months: MonthSplit[] = [];
  for (const month of MONTHS) {
    const present = presentIn(inForce, month);
    let result: ReturnType<OrePricing['split']>;
    try {
      result = pricing.split(month, perMonth.get(month) as Decimal, perMonthOre[month - 1], present);
    } catch (err) {
      if (err instanceof PricingError) throw new DomainError(`${svc.service.serviceId} ${year}: ${err.message}`);
      throw err;
    }
    const { split, ore } = result;
    months.push(split);
    if (!ore) totalOre.fill(Number.NaN);
    if (!split.unallocated.isZero()) unallocatedOre = addOre(unallocatedOre, ore ? (perMonthOre[month - 1] as number) : Number.NaN);
    const shares = split.shares;
    for (let j = 0; j < shares.length; j++) {
      const k = slotOf[present[j]];
      const slot = slots[k];
      slot.monthly[month - 1] = shares[j].amount;
      slot.months.push(month);
      slot.weight = shares[j].weight;
      slot.basis = shares[j].basis;
      if (ore) totalOre[k] = addOre(totalOre[k], ore[j]);
    }
  }
  const participants = slots.map((s, i): ParticipantSplit => {
    const p = s.input;
    const tier = bandOf(reportingTiers, p);
    return {
      key: p.key, member: p.member, name: p.name, module: p.module, hypothetical: Boolean(p.hypothetical), population: p.population,
      tier: tier ? { id: tier.id, label: tier.label } : null, weight: s.weight, months: s.months, monthly: s.monthly,
      total: Number.isNaN(totalOre[i]) ? sum(s.monthly) : decimals.of(totalOre[i]), basis: s.basis, refs: p.refs,
    };
  });
  /** Σ of the participants' totals: in öre when all are known there, else as Decimals. */
  const sumOfTotals = (indices: readonly number[]): Decimal => {
    const ore = indices.reduce((a, i) => addOre(a, totalOre[i]), 0);
    return Number.isNaN(ore) ? sum(indices.map((i) => participants[i].total)) : decimals.of(ore);
  };
  const unallocated = Number.isNaN(unallocatedOre) ? sum(months.map((m) => m.unallocated)) : decimals.of(unallocatedOre);
  const byTier = reportingTiers.map((t) => {
    const inTier: number[] = [];
    participants.forEach((p, i) => {
      if (p.tier?.id === t.id) inTier.push(i);
    });
    const total = sumOfTotals(inTier);
    return { tier: { id: t.id, label: t.label }, participants: inTier.length, total, average: inTier.length ? roundOre(total.div(inTier.length)) : ZERO };
  });
  const split: ServiceSplit = {
    serviceId: svc.service.serviceId, name: svc.service.name, year, basis, rule: describeRule(svc),
    base: base.base, overheadRate, cost: rule.kind === 'price-list' ? sumOfTotals(participants.map((_, i) => i)) : cost,
    costRefs: [svc.ref, ...base.refs], months, participants, unallocated: rule.kind === 'price-list' ? ZERO : unallocated, byTier,
  };
  return { split, totalOre };
}

/**
 * What a sweep reads of a split — the cost and each participant's total, in öre — without the months,
 * texts and Decimals. Undefined where only `splitWithTotals` can answer: duplicate keys, a month
 * `splitMonth` has to decide (its errors included), or a number past 2^53. Before its months it throws
 * what computeSplit throws, in the same order.
 */
export function splitTotalsOre(ctx: SplitContext, inputs: readonly SplitInput[]): { cost: Decimal; totals: Float64Array } | undefined {
  const rule = ctx.svc.service.pricing;
  const { cost, perMonthOre } = ctx.cost();
  const inForce = ctx.inForce(inputs);
  if (!inKeyOrder(inputs) && new Set(inputs.map((p) => p.key)).size !== inputs.length) return undefined;
  const pricing = new OrePricing(rule, inputs);
  const totals = new Float64Array(inputs.length);
  for (const month of MONTHS) {
    const present = presentIn(inForce, month);
    const amountOre = perMonthOre[month - 1];
    const r = amountOre === undefined ? undefined : pricing.ore(month, amountOre, present);
    if (!r) return undefined;
    for (let j = 0; j < present.length; j++) totals[present[j]] = addOre(totals[present[j]], r.ore[j]);
  }
  if (totals.some(Number.isNaN)) return undefined;
  if (rule.kind !== 'price-list') return { cost, totals };
  const all = totals.reduce(addOre, 0);
  return Number.isNaN(all) ? undefined : { cost: new OreDecimals().of(all), totals };
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
