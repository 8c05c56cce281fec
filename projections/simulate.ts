import Decimal from 'decimal.js';
import { inhabitantsOf, requireService } from '../domain/deciders/services';
import { DomainError } from '../domain/errors';
import { grouped, roundOre, sum, ZERO } from '../domain/money';
import { populationYearFor } from '../domain/population-rule';
import { type State, takesPartInYear } from '../domain/state';
import { type PricingRule, sharesByInhabitants } from '../domain/pricing';
import { oreDecimal, OreDecimals } from '../domain/ore';
import { inKeyOrder } from '../domain/ore-pricing';
import { SplitContext } from './split-context';
import { costBase, type CostBasis, reportingTiersFor, type ServiceSplit, type SplitInput, splitInputs, splitTotalsOre, splitWithTotals, type SplitWithTotals, tieKey } from './splits';
import { RULES_VERSION } from '../domain/rules';
import { aContoPeriod } from '../domain/state';
import { billingPeriods } from '../domain/billing/periods';
import { dayBefore } from '../domain/proration';

/** A change to a service's participants that a council wants to see the effect of. */
export interface Scenario {
  /** N hypothetical municipalities of one population (or organisations when population is null). */
  hypothetical?: { count: number; population: number | null; label?: string };
  /** Real municipalities by kommunkod, with their population from the SCB table on record. */
  kommuner?: string[];
  /** Participants removed, by member orgnr, kommunkod or enrolment id. */
  remove?: string[];
  /**
   * From when the added participants count (default: 1 January of the year), and, when given, from when the
   * removed leave the service: their enrolments end the day before (without it they take no part in the year).
   */
  from?: string;
}

export interface ScenarioRow {
  key: string;
  name: string;
  /** The module enrolled in, where the enrolment is one module's: a member may hold one per module. */
  module?: string;
  hypothetical: boolean;
  now: Decimal | null;
  scenario: Decimal | null;
  difference: Decimal;
}

export interface Simulation {
  serviceId: string;
  year: number;
  basis: CostBasis;
  now: ServiceSplit;
  scenario: ServiceSplit;
  rows: ScenarioRow[];
  averageNow: Decimal;
  averageScenario: Decimal;
  /** The participants each average is over: every one of the year, whatever its share. */
  participantsNow: number;
  participantsScenario: number;
}

/**
 * The average of the participants' totals, to the öre (zero when there is none). Every participant of the
 * year counts, whatever its share: one with a share of nothing (no inhabitants under a per-capita rule, a
 * budget of nothing) is still one the cost is shared among, and leaving it out raised the average.
 */
const average = (totals: readonly Decimal[]): Decimal => (totals.length ? roundOre(sum(totals).div(totals.length)) : ZERO);

/** The scenario's participants: the real ones, less the removed, plus the added. Reads the state, never changes it. */
export function scenarioInputs(state: State, base: readonly SplitInput[], year: number, scenario: Scenario, rule?: PricingRule): SplitInput[] {
  const perCapita = rule !== undefined && sharesByInhabitants(rule.kind);
  const from = scenario.from ?? `${year}-01-01`;
  const removed = new Set(scenario.remove ?? []);
  // Added from a day outside the year, a participant counts in none of its months, and one leaving from such
  // a day leaves all or none of them: a scenario of nothing, or of something else than was asked.
  if (from < `${year}-01-01` || from > `${year}-12-31`) {
    const adding = (scenario.hypothetical?.count ?? 0) > 0 || (scenario.kommuner?.length ?? 0) > 0 || removed.size === 0;
    const whom = [adding ? 'de tillagda räknas' : '', removed.size > 0 ? 'de borttagna lämnar tjänsten' : ''].filter(Boolean).join(' och ');
    throw new DomainError(`simulate: ${whom} från ${from}, som inte ligger i ${year}`);
  }
  const matches = (p: SplitInput, r: string) => p.key === r || p.member === r || state.byKommunkod.get(r) === p.member;
  const leaving = scenario.from;
  for (const r of removed) {
    const theirs = base.filter((p) => matches(p, r));
    if (theirs.length === 0) throw new DomainError(`simulate: "${r}" deltar inte i tjänsten ${year}`);
    // Leaving from a day after every one of its enrolments has ended changes nothing: said, not shown as an answer.
    if (leaving !== undefined && theirs.every((p) => leftBy(p, leaving) === p)) {
      const last = theirs.reduce((a, p) => ((p.to as string) > a ? (p.to as string) : a), '');
      throw new DomainError(`simulate: "${r}" deltar inte i tjänsten från ${leaving}: ${theirs.length === 1 ? 'dess anslutning' : 'dess anslutningar'} upphör redan ${last}`);
    }
  }
  // Without --from a removed participant takes no part in the year; with it, it leaves from that day (leftBy).
  const inputs: SplitInput[] = [];
  for (const p of base) {
    if (removed.size === 0 || ![...removed].some((r) => matches(p, r))) inputs.push(p);
    else if (leaving !== undefined) {
      const left = leftBy(p, leaving);
      if (takesPartInYear(left, year)) inputs.push(left);
    }
  }
  const h = scenario.hypothetical;
  for (let i = 1; i <= (h?.count ?? 0); i++) {
    const label = `${h?.label ?? (h?.population === null ? 'Ny organisation' : `Ny kommun (${grouped(h?.population ?? 0)} inv.)`)} #${i}`;
    inputs.push({
      key: `~hyp-${String(i).padStart(4, '0')}`, member: `hypothetical-${i}`, name: label, organisation: h?.population === null,
      population: h?.population ?? null, populationUsed: null, from, refs: [], hypothetical: true,
    });
  }
  const popYear = populationYearFor(year);
  const seen = new Set<string>();
  for (const code of scenario.kommuner ?? []) {
    if (seen.has(code)) throw new DomainError(`simulate: kommunkod ${code} anges två gånger`);
    seen.add(code);
    const member = state.byKommunkod.get(code);
    // Taken out and put back in one scenario, it is the year as it is, shown as a change of nothing.
    if ([...removed].some((r) => r === code || (member !== undefined && (r === member || state.byKommunkod.get(r) === member)))) {
      throw new DomainError(`simulate: kommunkod ${code} anges både med --kommun och --remove; ange den med det ena`);
    }
    // What enrolment.start would refuse beside the scenario's participants (deciders/services.ts
    // #decideStartEnrolment), so that a what-if shows only what could really be enrolled: the municipality's
    // own enrolment of the whole service ("är redan ansluten"), and, under a rule that shares by inhabitants,
    // any enrolment already counting its inhabitants (a federation's, a joint committee's), whose
    // inhabitants would be billed twice (#checkInhabitantsCountedOnce, through the same inhabitantsOf).
    // Weighted and equal splits count participants, so there a federation and its municipalities may each
    // take part. The added municipality enrols for the whole service (no module) from `from`, open-ended, so
    // only an enrolment of no module still in force on or after `from` stands in its way: not one ended in
    // June beside one added from July.
    const takes = (p: SplitInput): boolean => {
      if (p.module !== undefined || (p.to !== undefined && p.to < from)) return false;
      if (member !== undefined && p.member === member) return true;
      const m = state.members.get(p.member);
      return perCapita && m !== undefined && inhabitantsOf(m, p.covers).includes(code);
    };
    const taking = inputs.find(takes);
    if (taking) throw new DomainError(`simulate: kommunkod ${code} deltar redan i tjänsten ${year} (${taking.name}); ta bort den med --remove för att se skillnaden`);
    const table = state.populations.get(popYear);
    const population = table?.byCode.get(code);
    if (population === undefined) throw new DomainError(`simulate: ingen folkmängd från SCB för kommunkod ${code} den 31 december ${popYear}`);
    const row = table?.table.rows.find((r) => r.code === code);
    inputs.push({
      key: `~kommun-${code}`, tie: tieKey(code, '', `~kommun-${code}`), member: `kommun-${code}`, name: `${(member !== undefined ? state.members.get(member)?.name : undefined) ?? row?.name ?? code} (ny)`, organisation: false,
      population, populationUsed: null, from, refs: table ? [table.ref] : [], hypothetical: true,
    });
  }
  return inputs;
}

/**
 * A participant leaving the service from `leaving`: its enrolment ends the day before, as `enrolment end --to`
 * would record it (EnrolmentEnded sets the enrolment's last day, nothing else), so the split counts its months
 * as it would count the ended enrolment's (proration.ts#countsInMonth, from the same from and to). One that
 * would begin on or after that day is withdrawn instead: ended the day before it begins, the only end
 * enrolment.end takes for it, in force on no day. One ending by then already is returned as it is.
 */
function leftBy(p: SplitInput, leaving: string): SplitInput {
  const to = dayBefore(p.from > leaving ? p.from : leaving);
  return p.to !== undefined && p.to <= to ? p : { ...p, to };
}

/** Runs the live split and the scenario's split through the same computation, side by side. */
export function simulate(state: State, serviceId: string, year: number, basis: CostBasis, scenario: Scenario): Simulation {
  const svc = requireService(state, serviceId);
  const base = costBase(svc, year, basis);
  const tiers = reportingTiersFor(state, year);
  const real = splitInputs(state, svc, year, RULES_VERSION);
  const ctx = new SplitContext(svc, year, base, RULES_VERSION);
  const now = splitWithTotals(ctx, basis, real, tiers);
  const scen = splitWithTotals(ctx, basis, scenarioInputs(state, real, year, scenario, svc.service.pricing), tiers);
  // From the splits' participants and totals as the split lists them, so that the months and lines, which
  // no row reads, are never made (see splitWithTotals). A row per participant now, in their order, then one
  // per participant only in the scenario, in its order.
  const { scenarioOf, added } = pairByKey(now.inputs, scen.inputs);
  // Differences in öre where both totals are known there: most rows of an equal split differ by the same
  // amount, one Decimal for all of them. A Decimal's form is one per value, so it is minus's to the digit.
  const differences = new OreDecimals();
  const row = (a: number | undefined, b: number | undefined): ScenarioRow => {
    const nowTotal = a === undefined ? null : now.totals[a];
    const scenarioTotal = b === undefined ? null : scen.totals[b];
    const differenceOre = (b === undefined ? 0 : scen.totalOre[b]) - (a === undefined ? 0 : now.totalOre[a]);
    const p = a === undefined ? scen.inputs[b as number] : now.inputs[a];
    return {
      key: p.key, name: p.name, ...(p.module === undefined ? {} : { module: p.module }), hypothetical: b !== undefined && Boolean(scen.inputs[b].hypothetical),
      now: nowTotal, scenario: scenarioTotal,
      difference: Number.isSafeInteger(differenceOre) ? differences.of(differenceOre) : (scenarioTotal ?? ZERO).minus(nowTotal ?? ZERO),
    };
  };
  const rows: ScenarioRow[] = [];
  for (let i = 0; i < now.inputs.length; i++) rows.push(row(i, scenarioOf[i] < 0 ? undefined : scenarioOf[i]));
  for (const j of added) rows.push(row(undefined, j));
  const averageOf = (s: SplitWithTotals) => participantsFromOre(s.totalOre)?.average ?? average(s.totals);
  return { serviceId, year, basis, now: now.split, scenario: scen.split, rows, averageNow: averageOf(now), averageScenario: averageOf(scen),
    participantsNow: now.totals.length, participantsScenario: scen.totals.length,
  };
}

/**
 * For participant lists a and b, each key once: the index in b of each of a's keys (−1 where b has none),
 * and the indices of b's keys that a has not, in b's order. Both lists in ascending key order (as splits
 * list them: a scenario's added keys sort last) pair up in one walk; otherwise through a map.
 */
export function pairByKey(a: readonly { key: string }[], b: readonly { key: string }[]): { scenarioOf: Int32Array; added: number[] } {
  const scenarioOf = new Int32Array(a.length).fill(-1);
  const added: number[] = [];
  if (inKeyOrder(a) && inKeyOrder(b)) {
    let i = 0;
    for (let j = 0; j < b.length; j++) {
      const key = b[j].key;
      while (i < a.length && a[i].key < key) i++;
      if (i < a.length && a[i].key === key) scenarioOf[i++] = j;
      else added.push(j);
    }
    return { scenarioOf, added };
  }
  const inA = new Map(a.map((p, i) => [p.key, i]));
  b.forEach((p, j) => {
    const i = inA.get(p.key);
    if (i === undefined) added.push(j);
    else scenarioOf[i] = j;
  });
  return { scenarioOf, added };
}

export interface SweepPoint {
  added: number;
  participants: number;
  averagePerMember: Decimal;
  cost: Decimal;
  /** The cost of months nobody takes part in: not in the average, and gone once a member joins from January. */
  unallocated: Decimal;
  /**
   * What the participants of today pay on average, and what one added member pays (zero when none is). Added
   * from a day in the year, an added member pays for its months only, so the average over everyone is one no
   * member pays: these two are what a council reads beside it.
   */
  averageExisting: Decimal;
  perAdded: Decimal;
}

/**
 * The average of the first `existing` totals and the first added one's, as SweepPoint has them: from öre
 * (a lean split's, whose sum participantsFromOre found safe) or from a full split's Decimals.
 */
function existingAndAdded(totals: Float64Array | readonly Decimal[], existing: number): { averageExisting: Decimal; perAdded: Decimal } {
  if (existing === 0) return { averageExisting: ZERO, perAdded: totals.length > 0 ? asDecimal(totals[0]) : ZERO };
  let paid: Decimal;
  if (totals instanceof Float64Array) {
    let ore = 0;
    for (let i = 0; i < existing; i++) ore += totals[i];
    paid = oreDecimal(ore);
  } else {
    paid = sum(totals.slice(0, existing));
  }
  return { averageExisting: roundOre(paid.div(existing)), perAdded: totals.length > existing ? asDecimal(totals[existing]) : ZERO };
}

const asDecimal = (t: number | Decimal): Decimal => (typeof t === 'number' ? oreDecimal(t) : t);

/** `average` and the number of participants from totals in öre, when all are exact there. */
function participantsFromOre(totals: ArrayLike<number>): { participants: number; average: Decimal } | undefined {
  let paid = 0;
  for (let i = 0; i < totals.length; i++) {
    const t = totals[i];
    if (Number.isNaN(t)) return undefined;
    paid += t;
  }
  if (!Number.isSafeInteger(paid)) return undefined;
  const participants = totals.length;
  return { participants, average: participants ? roundOre(new OreDecimals().of(paid).div(participants)) : ZERO };
}

/**
 * The curve of the average cost per member as 0..max hypothetical members of one population join (from
 * `from`, by default 1 January). A point
 * needs only the participants' totals, so it skips the months, texts and Decimals of a full split unless
 * only the full split can tell (an error, or amounts past 2^53).
 */
export function sweep(state: State, serviceId: string, year: number, basis: CostBasis, population: number | null, max: number, from?: string): SweepPoint[] {
  const svc = requireService(state, serviceId);
  const base = costBase(svc, year, basis);
  const tiers = reportingTiersFor(state, year);
  const real = splitInputs(state, svc, year, RULES_VERSION);
  const ctx = new SplitContext(svc, year, base, RULES_VERSION);
  const points: SweepPoint[] = [];
  for (let n = 0; n <= max; n++) {
    // From `from` as a what-if's added members count (--from was read for --add and not here, in silence).
    const inputs = scenarioInputs(state, real, year, { hypothetical: { count: n, population }, from });
    const lean = splitTotalsOre(ctx, inputs);
    const counted = lean && participantsFromOre(lean.totals);
    const allocatedOre = lean ? lean.totals.reduce((a, t) => a + t, 0) : Number.NaN;
    if (lean && counted && Number.isSafeInteger(allocatedOre)) {
      // What is not allocated is the cost less what the participants pay (a price list allocates its whole cost).
      const unallocated = svc.service.pricing.kind === 'price-list' ? ZERO : lean.cost.minus(new OreDecimals().of(allocatedOre));
      points.push({ added: n, participants: counted.participants, averagePerMember: counted.average, cost: lean.cost, unallocated, ...existingAndAdded(lean.totals, real.length) });
      continue;
    }
    const s = splitWithTotals(ctx, basis, inputs, tiers);
    points.push({ added: n, participants: s.totals.length, averagePerMember: average(s.totals), cost: s.split.cost, unallocated: s.split.unallocated, ...existingAndAdded(s.totals, real.length) });
  }
  return points;
}

/** What of a service's year is already invoiced a conto: a what-if's figures do not move those invoices. */
export interface AContoInvoiced {
  /** The billing periods with an a-conto line of the service, by label (2024-Q1), in the year's order. */
  periods: string[];
  /** How many billing periods the service's cadence gives the year. */
  periodsInYear: number;
  /** The invoices that hold those lines (credited or not: a credit note is a correction, not a re-billing). */
  invoices: number;
  /** Whether the year is settled for the service already (a settlement then bills only what still differs). */
  settled: boolean;
  /** The date the year was closed, if it is: then nothing of it is billed, credited or settled again. */
  closedOn: string | null;
}

/**
 * The a-conto invoices of the year for the service, from the year's documents in the state (the caller
 * folds them). A run never bills a due key twice (domain/billing/due.ts): a participant invoiced for a
 * period keeps what it was billed for it, whatever the split is later, until the settlement re-splits the
 * year and bills or credits the difference. A what-if shows what the split gives, so it must say so.
 */
export function aContoInvoiced(state: State, serviceId: string, year: number): AContoInvoiced {
  const svc = requireService(state, serviceId);
  const billing = state.billing.get(year);
  let invoices = 0;
  for (const inv of billing?.invoices.values() ?? []) {
    if (inv.invoice.lines.some((l) => l.serviceId === serviceId && l.kind === 'a-conto')) invoices += 1;
  }
  // The periods billed are those the state keeps billed enrolments for (state.ts#billedEnrolments, keyed
  // by the lines' due keys); a service's cadence is set when it is established, so they are its periods.
  const inYear = billingPeriods(svc.service.cadence, year).map((p) => p.label);
  const periods = inYear.filter((l) => billing?.billedEnrolments.has(aContoPeriod(serviceId, l)) ?? false);
  return { periods, periodsInYear: inYear.length, invoices, settled: billing?.settled.has(serviceId) ?? false, closedOn: billing?.closed?.value.date ?? null };
}
