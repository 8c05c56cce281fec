import Decimal from 'decimal.js';
import { requireService } from '../domain/deciders/services';
import { DomainError, NotFoundError } from '../domain/errors';
import type { EventRef } from '../domain/event-ref';
import { roundOre, sum, ZERO } from '../domain/money';
import { OreDecimals } from '../domain/ore';
import { inKeyOrder, type OreMonth, OrePricing } from '../domain/ore-pricing';
import { municipalityCount, populationFor, populationOfCodes, type PopulationUsed } from '../domain/population-rule';
import { type MonthSplit, PricingError, type PricingRule, type SplitParticipant, splitMonth } from '../domain/pricing';
import { MONTHS, monthRanges } from '../domain/proration';
import { type ServiceState, type State, takesPartInYear } from '../domain/state';
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

/**
 * What a participant's ties are broken by from rules 5: a municipality by its code, any other member after
 * them by its organisationsnummer, then the enrolment (two of one member). A what-if adding municipality
 * 1480 ties as its enrolment will.
 */
export const tieKey = (kommunkod: string | undefined, orgnr: string, key: string): string => `${kommunkod === undefined ? `~${orgnr}` : `k${kommunkod}`}\u0000${key}`;

/**
 * A participant's name on lines and in splits: an enrolment covering some of a federation's municipalities
 * names how many, in Swedish from rules 6 ("1 kommun"); earlier rules wrote "1 kommuner", and replay must
 * write what they wrote.
 */
export function participantName(memberName: string, covers: readonly string[] | undefined, rules: number): string {
  if (!covers?.length) return memberName;
  return `${memberName} (${rules >= 6 ? municipalityCount(covers.length) : `${covers.length} kommuner`})`;
}

/**
 * The enrolments of a service that are in force on some day of the year, with the population each counts,
 * named as the rules version names them (participantName).
 */
export function splitInputs(state: State, svc: ServiceState, year: number, rules: number): SplitInput[] {
  const inputs: SplitInput[] = [];
  for (const e of svc.enrolments.values()) {
    // A withdrawn enrolment takes no share in any month, so leaving it out moves no document's amount.
    if (!takesPartInYear(e, year)) continue;
    const m = state.members.get(e.member);
    if (!m) throw new DomainError(`anslutningen ${e.enrolmentId} anger en okänd medlem ${e.member}`);
    const organisation = m.kind === 'region' || m.kind === 'organisation';
    const populationUsed = e.covers?.length
      ? populationOfCodes(state, e.covers, year, `anslutning ${e.enrolmentId} för ${m.name}`)
      : populationFor(state, m, year);
    inputs.push({
      key: e.enrolmentId, tie: tieKey(m.kommunkod, m.orgnr, e.enrolmentId), member: m.orgnr, name: participantName(m.name, e.covers, rules),
      organisation: organisation && !e.covers?.length, population: populationUsed?.value ?? null, populationUsed,
      from: e.from, to: e.to, module: e.module, covers: e.covers,
      refs: refsOf(e.startedRef, e.endedRef, populationUsed?.ref),
    });
  }
  return inputs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The refs that present, in this order; built without spreading, as a what-if does this for every enrolment. */
function refsOf(started: EventRef, ended: EventRef | undefined, population: EventRef | undefined): EventRef[] {
  const refs = [started];
  if (ended) refs.push(ended);
  if (population) refs.push(population);
  return refs;
}

/** The council's budget in force for the year (the latest decision) or the recorded actual costs. */
export function costBase(svc: ServiceState, year: number, basis: CostBasis): { base: Decimal; refs: EventRef[] } {
  if (basis === 'budget') {
    const decisions = svc.budgets.get(year);
    if (!decisions?.length) {
      if (svc.service.pricing.kind === 'price-list') return { base: ZERO, refs: [] };
      throw new NotFoundError(`tjänsten ${svc.service.serviceId} har ingen beslutad budget för ${year}; besluta en med \`samkost budget decide\``);
    }
    const inForce = decisions[decisions.length - 1];
    return { base: sum(inForce.value.lines.map((l) => new Decimal(l.amount))), refs: [inForce.ref] };
  }
  // No recorded cost is no actual cost to split, not a cost of zero: a split of it would show every
  // participant owing nothing (a settlement refuses it likewise). A price list splits no cost: its actual
  // shares are its prices for the months each participant was in force, whatever the supplier charged.
  const costs = svc.actualCosts.get(year);
  if (!costs?.length && svc.service.pricing.kind === 'price-list') return { base: ZERO, refs: [] };
  if (!costs?.length) throw new NotFoundError(`tjänsten ${svc.service.serviceId} har inget registrerat utfall för ${year}; registrera det med \`samkost cost record\``);
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
  rules: number,
): ServiceSplit {
  return splitWithTotals(new SplitContext(svc, year, base, rules), basis, inputs, reportingTiers).split;
}

/** What a split makes only when it is read: its months, and its participants with their months. */
interface SplitDetail {
  months: MonthSplit[];
  participants: ParticipantSplit[];
}

/** Where a split keeps how to make its detail: a non-enumerable property, out of sight of keys and JSON. */
const DETAIL = Symbol('split detail');

interface LazyDetail {
  /** Dropped once called: what it holds (the months in öre, the pricing) is not needed again. */
  make?: () => SplitDetail;
  made?: SplitDetail;
}

function detailOf(split: object): SplitDetail {
  const lazy = (split as { [DETAIL]: LazyDetail })[DETAIL];
  if (!lazy.made) {
    lazy.made = (lazy.make as () => SplitDetail)();
    lazy.make = undefined;
  }
  return lazy.made;
}

/** A write to a lazy property makes it a plain one holding the value, as on any object. */
function overwrite(split: object, key: keyof SplitDetail, value: unknown): void {
  Object.defineProperty(split, key, { value, writable: true, enumerable: true, configurable: true });
}

/*
 * `months` and `participants` as own enumerable accessors, so that keys, their order, JSON and equality read
 * as with plain values. The accessor functions are these shared ones, found by the split through DETAIL:
 * getters written in the object literal would be new closures per split, which made V8 keep every split's
 * detail (and the arrays it is made from) alive through one scavenge after another.
 */
const LAZY_DETAIL: PropertyDescriptorMap = {
  months: {
    get(this: object) { return detailOf(this).months; },
    set(this: object, value: MonthSplit[]) { overwrite(this, 'months', value); },
    enumerable: true, configurable: true,
  },
  participants: {
    get(this: object) { return detailOf(this).participants; },
    set(this: object, value: ParticipantSplit[]) { overwrite(this, 'participants', value); },
    enumerable: true, configurable: true,
  },
};

/** `head` with `months` and `participants` added after its keys: `detail`, or what it makes on first read. */
function withLazyDetail<T extends object>(head: T, detail: SplitDetail | (() => SplitDetail)): T & SplitDetail {
  const lazy: LazyDetail = typeof detail === 'function' ? { make: detail, made: undefined } : { make: undefined, made: detail };
  Object.defineProperty(head, DETAIL, { value: lazy });
  return Object.defineProperties(head, LAZY_DETAIL) as T & SplitDetail;
}

/** One month of a split: the present inputs, and either what `OrePricing.ore` made of it or splitMonth's split. */
type SplitMonthOutcome = { present: number[]; ore: OreMonth; split?: undefined } | { present: number[]; ore?: undefined; split: MonthSplit };

/** `splitWithTotals`' result: the split, and what a caller comparing splits reads, without the detail. */
export interface SplitWithTotals {
  split: ServiceSplit;
  /** Each participant's total in öre (NaN where not exact in a number). */
  totalOre: Float64Array;
  /** Per participant, in the order of `split.participants`: the input it shows (the last of its key)… */
  inputs: readonly SplitInput[];
  /** …and its total, the very Decimal `split.participants[i].total` is. */
  totals: readonly Decimal[];
}

/**
 * `computeSplit` in a context kept between splits, and each participant's total besides, in öre (NaN where
 * not exact in a number) and as Decimals. Each month is split in whole öre by `OrePricing`, which gives what
 * `splitMonth` gives, and totals are summed in öre and become Decimals once.
 *
 * The split's `months` and `participants` (the lines, texts and per-month amounts: ≈ 3 500 lines and 2 MB
 * for 290 participants) are made on first read, from the months' öre kept here. A what-if reads only the
 * totals, and made that garbage twice a call. Everything that can fail is done before this returns, so
 * the split throws what, and when, it always did; when a month falls back to splitMonth, or a total is not
 * exact in öre, the detail is made at once as before (the totals then need it).
 */
/**
 * Whether a participant's basis names each of its months' denominators (rules 5, the rules whose shares
 * are a weight of the month's total weight). Earlier versions gave the basis of its last month in force
 * alone, "weight 2 of 116", where its months were divided by 114, 114 and 116: an auditor working the
 * line out from it got another amount. A base-plus-per-capita month names its base too, so its texts
 * differ where the base's öre do. A price list's month texts differ month by month by construction (the
 * month's place in the year) and name no denominator: it keeps the last month's as before.
 */
export const basisByMonth = (rules: number, kind: PricingRule['kind']): boolean => rules >= 5 && kind !== 'price-list';

/** One basis text where the months share it; otherwise each with its months: "weight 2 of 114 (months 1–2), weight 2 of 116 (month 3)". */
export function basesOverMonths(months: readonly number[], bases: readonly string[]): string {
  // Nearly always one text (the same string, made once per label and month): no grouping then.
  let same = true;
  for (let i = 1; i < bases.length && same; i++) same = bases[i] === bases[0];
  if (same) return bases[0] ?? '';
  const monthsOf = new Map<string, number[]>();
  bases.forEach((b, i) => {
    const ms = monthsOf.get(b);
    if (ms) ms.push(months[i]);
    else monthsOf.set(b, [months[i]]);
  });
  return [...monthsOf].map(([b, ms]) => `${b} (${ms.length === 1 ? 'month' : 'months'} ${monthRanges(ms)})`).join(', ');
}

/**
 * basesOverMonths within one split, worked out once per sequence of texts. Where the month texts are one
 * per label and month (equal and tier-weighted shares: "weight 2 of 114"), the participants of one label
 * in force in the same months have the very same strings, so a participant costs a map lookup and a few
 * compares of identical strings. In most years someone joins or leaves, so most participants' months
 * differ in their denominators (111 296 of the 127 547 participants of a full replay's 790 splits) and
 * each made its own text. The months are compared too: two months may have the texts of two others.
 */
class BasesOverMonths {
  private readonly byLast = new Map<string, { months: readonly number[]; bases: readonly string[]; text: string }[]>();

  of(months: readonly number[], bases: readonly string[]): string {
    const last = bases[bases.length - 1];
    let seen = this.byLast.get(last);
    for (const c of seen ?? []) if (sameItems(c.months, months) && sameItems(c.bases, bases)) return c.text;
    const text = basesOverMonths(months, bases);
    if (!seen) this.byLast.set(last, (seen = []));
    seen.push({ months, bases, text });
    return text;
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function splitWithTotals(
  ctx: SplitContext,
  basis: CostBasis,
  inputs: readonly SplitInput[],
  reportingTiers: readonly TierBand[],
): SplitWithTotals {
  const { svc, year, base } = ctx;
  const rule = svc.service.pricing;
  const { overheadRate, cost, perMonth, perMonthOre } = ctx.cost();
  const inForce = ctx.inForce(inputs);
  // One participant per key, where the key first appears and with the last input's data (a key twice is an
  // error only in a month both count in).
  const slotOf = new Int32Array(inputs.length);
  const slotInputs: SplitInput[] = [];
  const slotByKey = inKeyOrder(inputs) ? undefined : new Map<string, number>();
  for (let i = 0; i < inputs.length; i++) {
    const p = inputs[i];
    let slot = slotByKey?.get(p.key);
    if (slot === undefined) {
      slot = slotInputs.length;
      slotByKey?.set(p.key, slot);
      slotInputs.push(p);
    } else {
      slotInputs[slot] = p;
    }
    slotOf[i] = slot;
  }
  const decimals = new OreDecimals();
  const pricing = new OrePricing(rule, inputs, ctx.spread, decimals, ctx.ties);
  // A month's unallocated amount, as its MonthSplit will say: all of it when nobody counts in it (but for a
  // price list, which does not split the amount).
  const unallocatedIn = (o: SplitMonthOutcome, month: number): Decimal =>
    o.split ? o.split.unallocated : rule.kind !== 'price-list' && o.present.length === 0 ? (perMonth.get(month) as Decimal) : ZERO;
  const outcomes: SplitMonthOutcome[] = [];
  // Each participant's total in öre, while every month is split in öre (NaN once one is not), and likewise
  // the amount of the months nobody counts in.
  const totalOre = new Float64Array(slotInputs.length);
  let unallocatedOre = 0;
  for (const month of MONTHS) {
    const present = presentIn(inForce, month);
    const amountOre = perMonthOre[month - 1];
    const ore = amountOre === undefined ? undefined : pricing.ore(month, amountOre, present);
    let outcome: SplitMonthOutcome;
    if (ore) {
      outcome = { present, ore };
      const o = ore.ore;
      for (let j = 0; j < present.length; j++) {
        const k = slotOf[present[j]];
        totalOre[k] = addOre(totalOre[k], o[j]);
      }
    } else {
      try {
        outcome = { present, split: splitMonth(rule, month, perMonth.get(month) as Decimal, present.map((i) => inputs[i]), ctx.spread, ctx.ties) };
      } catch (err) {
        if (err instanceof PricingError) throw new DomainError(`${svc.service.serviceId} ${year}: ${err.message}`);
        throw err;
      }
      totalOre.fill(Number.NaN);
    }
    outcomes.push(outcome);
    if (!unallocatedIn(outcome, month).isZero()) unallocatedOre = addOre(unallocatedOre, ore ? (amountOre as number) : Number.NaN);
  }
  const bands = slotInputs.map((p) => bandOf(reportingTiers, p));

  /** The months and the participants, as splitMonth's lines give them. */
  const detail = (): SplitDetail => {
    const months = outcomes.map((o, m) => o.split ?? pricing.monthSplit(m + 1, perMonth.get(m + 1) as Decimal, o.present, o.ore));
    // `bases` only where a participant's months have different texts (rules 5 names each month's
    // denominator); where they share one, its basis is that text.
    const slots = slotInputs.map(() => ({ weight: ZERO, months: [] as number[], monthly: new Array<Decimal>(12).fill(ZERO), basis: '', bases: undefined as string[] | undefined }));
    const byMonth = basisByMonth(ctx.rules, rule.kind);
    const texts = new BasesOverMonths();
    months.forEach((ms, m) => {
      const present = outcomes[m].present;
      const shares = ms.shares;
      for (let j = 0; j < shares.length; j++) {
        const slot = slots[slotOf[present[j]]];
        const basis = shares[j].basis;
        if (byMonth) {
          if (slot.bases) slot.bases.push(basis);
          else if (slot.months.length > 0 && basis !== slot.basis) slot.bases = [...new Array<string>(slot.months.length).fill(slot.basis), basis];
        }
        slot.monthly[m] = shares[j].amount;
        slot.months.push(m + 1);
        slot.weight = shares[j].weight;
        slot.basis = basis;
      }
    });
    const participants = slots.map((s, i): ParticipantSplit => {
      const p = slotInputs[i];
      const tier = bands[i];
      return {
        key: p.key, member: p.member, name: p.name, module: p.module, hypothetical: Boolean(p.hypothetical), population: p.population,
        tier: tier ? { id: tier.id, label: tier.label } : null, weight: s.weight, months: s.months, monthly: s.monthly,
        total: Number.isNaN(totalOre[i]) ? sum(s.monthly) : decimals.of(totalOre[i]),
        // A plain value, not a getter worked out when read: a getter in the literal is a closure per
        // participant, and made a full replay's split details 0.4 s slower (docs/benchmarks.md, sixteenth pass).
        basis: s.bases ? texts.of(s.months, s.bases) : s.basis,
        refs: p.refs,
      };
    });
    return { months, participants };
  };
  // A total not exact in öre is the sum of the participant's months, so then the detail is needed now.
  let exact = true;
  for (let i = 0; i < totalOre.length && exact; i++) exact = !Number.isNaN(totalOre[i]);
  const made = exact ? undefined : detail();
  let totals: Decimal[];
  if (made) totals = made.participants.map((p) => p.total);
  else {
    totals = [];
    for (let i = 0; i < totalOre.length; i++) totals.push(decimals.of(totalOre[i]));
  }
  /** Σ of the participants' totals: in öre when all are known there, else as Decimals. */
  const sumOfTotals = (indices: readonly number[]): Decimal => {
    const ore = indices.reduce((a, i) => addOre(a, totalOre[i]), 0);
    return Number.isNaN(ore) ? sum(indices.map((i) => totals[i])) : decimals.of(ore);
  };
  const unallocated = Number.isNaN(unallocatedOre) ? sum(outcomes.map((o, m) => unallocatedIn(o, m + 1))) : decimals.of(unallocatedOre);
  const byTier = reportingTiers.map((t) => {
    const inTier: number[] = [];
    bands.forEach((b, i) => {
      if (b?.id === t.id) inTier.push(i);
    });
    const total = sumOfTotals(inTier);
    return { tier: { id: t.id, label: t.label }, participants: inTier.length, total, average: inTier.length ? roundOre(total.div(inTier.length)) : ZERO };
  });
  const head = {
    serviceId: svc.service.serviceId, name: svc.service.name, year, basis, rule: describeRule(svc),
    base: base.base, overheadRate, cost: rule.kind === 'price-list' ? sumOfTotals(totals.map((_, i) => i)) : cost,
    costRefs: [svc.ref, ...base.refs],
  };
  const split = withLazyDetail(head, made ?? detail) as ServiceSplit;
  split.unallocated = rule.kind === 'price-list' ? ZERO : unallocated;
  split.byTier = byTier;
  return { split, totalOre, inputs: slotInputs, totals };
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
  const pricing = new OrePricing(rule, inputs, ctx.spread, undefined, ctx.ties);
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

/** The split of a service's year by the given rules version (domain/rules.ts): a document's, or the current one for a read. */
export function splitForYear(state: State, serviceId: string, year: number, basis: CostBasis, rules: number): ServiceSplit {
  const svc = requireService(state, serviceId);
  return computeSplit(svc, year, basis, costBase(svc, year, basis), splitInputs(state, svc, year, rules), reportingTiersFor(state, year), rules);
}
