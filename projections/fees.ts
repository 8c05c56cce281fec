import Decimal from 'decimal.js';
import { DomainError, NotFoundError } from '../domain/errors';
import type { EventRef } from '../domain/event-ref';
import { roundOre, sum, ZERO } from '../domain/money';
import { populationFor, type PopulationUsed } from '../domain/population-rule';
import { RULES_VERSION } from '../domain/rules';
import { feeDueKey, inForceDuringYear, type MembershipPeriod, type MemberState, type State } from '../domain/state';
import { bandOf } from '../domain/tiers';

export type FeeLineKind = 'annual-fee' | 'joining-contribution' | 'levy';

export interface FeeLine {
  kind: FeeLineKind;
  /** Swedish text for the invoice line. */
  description: string;
  amount: Decimal;
  /** How the amount was computed, in words an auditor can check. */
  basis: string;
  refs: EventRef[];
  /** The month of the year the line falls due (a run bills it from then on). */
  dueMonth: number;
  /** What tells the line apart from the member's other lines of the year: the last part of its due key. */
  key: string;
}

export interface MemberFees {
  member: string;
  name: string;
  kind: MemberState['kind'];
  tier: { id: string; label: string };
  population: PopulationUsed | null;
  lines: FeeLine[];
  total: Decimal;
  /** The month the year's fee falls due: January, or the month of entry in the first year. */
  dueMonth: number;
}

export interface FeesForYear {
  year: number;
  scheduleRef: EventRef;
  members: MemberFees[];
  byTier: { tier: { id: string; label: string }; members: number; annualFees: Decimal; total: Decimal }[];
  total: Decimal;
}

/**
 * The membership periods a year's fees are billed for: `year`, the one its annual fee and levies are
 * counted from, and `entries`, each one begun in the year (a joining contribution each).
 *
 * From rules 5 a member that leaves and rejoins within a year pays the year's fee once, counted from the
 * first period in it (already billed when it rejoins), and a joining contribution for each entry, the
 * re-entry's at the re-entry share. Earlier versions took the latest period alone: the fee report showed
 * the fee of the re-entry months where the invoices had billed the year's, and a member that both joined
 * and rejoined in one year was never billed its re-entry contribution (the first entry's due key had it).
 */
function periodsOfYear(m: MemberState, year: number, rules: number): { year: MembershipPeriod; entries: MembershipPeriod[] } | undefined {
  const inYear = m.periods.filter((p) => inForceDuringYear(p, year));
  if (inYear.length === 0) return undefined;
  const began = (p: MembershipPeriod) => p.from.slice(0, 4) === String(year);
  if (rules < 5) {
    const latest = inYear[inYear.length - 1];
    return { year: latest, entries: began(latest) ? [latest] : [] };
  }
  return { year: inYear[0], entries: inYear.filter(began) };
}

const monthOf = (date: string) => Number(date.slice(5, 7));

/**
 * Fees for a year, per member billed in it: annual fee, joining contribution in the year of entry, levies,
 * as the given rules version bills them (the current one for a report).
 */
export function feesForYear(state: State, year: number, rules: number = RULES_VERSION): FeesForYear {
  const adopted = state.schedules.get(year);
  if (!adopted) throw new NotFoundError(`ingen avgiftsplan är antagen för ${year}; anta en med \`samkost schedule adopt\``);
  const schedule = adopted.value;
  const levies = [...(state.levies.get(year)?.values() ?? [])];
  const rows: MemberFees[] = [];
  for (const m of [...state.members.values()].sort((a, b) => a.name.localeCompare(b.name, 'sv') || a.orgnr.localeCompare(b.orgnr))) {
    const periods = periodsOfYear(m, year, rules);
    if (!periods) continue;
    const period = periods.year;
    const population = populationFor(state, m, year);
    const subject = { organisation: population === null, population: population?.value ?? null };
    const tier = bandOf(schedule.tiers, subject);
    if (!tier) throw new DomainError(`avgiftsplanen för ${year} har ingen nivå för ${m.name} (${m.orgnr}, folkmängd ${population?.value ?? 'saknas'})`);
    const popText = population ? `${population.value} invånare (SCB ${population.referenceDate})` : 'organisation';
    const refsOf = (p: MembershipPeriod) => [adopted.ref, p.joinedRef, ...(population ? [population.ref] : [])];
    const lines: FeeLine[] = [];

    const entryMonth = monthOf(period.from);
    const firstYear = period.from.slice(0, 4) === String(year);
    const dueMonth = firstYear ? entryMonth : 1;
    const months = firstYear && schedule.firstYear === 'from-entry-month' ? 13 - entryMonth : 12;
    const fullFee = new Decimal(tier.annualFee);
    lines.push({
      kind: 'annual-fee',
      description: `Årsavgift ${year}, ${tier.label}${months < 12 ? ` (${months}/12 från inträdesmånaden)` : ''}`,
      amount: roundOre(fullFee.mul(months).div(12)),
      basis: `tier ${tier.id} (${popText}): annual fee ${tier.annualFee} × ${months}/12${months < 12 ? ` (joined ${period.from}, first year counted from the month of entry)` : ''}`,
      refs: refsOf(period),
      dueMonth,
      key: 'annual-fee',
    });

    periods.entries.forEach((entry, i) => {
      const pct = entry.rejoin ? schedule.reentryPercent : 100;
      lines.push({
        kind: 'joining-contribution',
        description: `Medlemsinsats, ${tier.label}${entry.rejoin ? ` (återinträde ${pct} %${i > 0 ? ` den ${entry.from}` : ''})` : ''}`,
        amount: roundOre(new Decimal(tier.joiningContribution).mul(pct).div(100)),
        basis: `tier ${tier.id}: joining contribution ${tier.joiningContribution} × ${pct} %${entry.rejoin ? ' (re-entry after leaving)' : ''}`,
        refs: refsOf(entry),
        dueMonth: monthOf(entry.from),
        // The year's first entry keeps the key every version gave it; a second entry in the year has its own.
        key: i === 0 ? 'joining-contribution' : `joining-contribution/${entry.from}`,
      });
    });

    for (const levy of levies) {
      // A levy binds the members of the meeting that decides it and those that join after: from rules 10 not
      // a member whose membership of the year ended before it was decided (it was billed to one that left).
      if (rules >= 10 && !m.periods.some((p) => inForceDuringYear(p, year) && (p.to === undefined || p.to >= levy.value.decidedOn))) continue;
      const band = bandOf(levy.value.tiers, subject);
      if (!band) throw new DomainError(`den extra utdebiteringen ${levy.value.levyId} ${year} har ingen nivå för ${m.name} (${m.orgnr})`);
      lines.push({
        kind: 'levy',
        description: `Extra utdebitering ${year}: ${levy.value.purpose}, ${band.label}`,
        amount: new Decimal(band.amount),
        basis: `levy ${levy.value.levyId} tier ${band.id} (${popText}): ${band.amount}`,
        refs: [levy.ref, period.joinedRef, ...(population ? [population.ref] : [])],
        dueMonth,
        key: `levy/${levy.ref.eventId}`,
      });
    }
    rows.push({
      member: m.orgnr, name: m.name, kind: m.kind, tier: { id: tier.id, label: tier.label }, population, lines,
      total: sum(lines.map((l) => l.amount)),
      dueMonth,
    });
  }
  const byTier = schedule.tiers.map((t) => {
    const inTier = rows.filter((r) => r.tier.id === t.id);
    return {
      tier: { id: t.id, label: t.label },
      members: inTier.length,
      annualFees: sum(inTier.flatMap((r) => r.lines.filter((l) => l.kind === 'annual-fee').map((l) => l.amount))),
      total: sum(inTier.map((r) => r.total)),
    };
  });
  return { year, scheduleRef: adopted.ref, members: rows, byTier, total: rows.reduce((a, r) => a.plus(r.total), ZERO) };
}

/**
 * What an adjustment line's due key adds to the fee's it adjusts (rules 11): the n-th adjustment of
 * `fee/2024/212000-1355/annual-fee` is `fee/2024/212000-1355/annual-fee/justering-n`.
 */
const ADJUSTMENT = '/justering-';

export const feeAdjustmentKey = (feeKey: string, n: number): string => `${feeKey}${ADJUSTMENT}${n}`;

/** The fee due key an adjustment line's due key adjusts; undefined for any other key. */
export function adjustedFeeKey(dueKey: string): string | undefined {
  const at = dueKey.lastIndexOf(ADJUSTMENT);
  return at < 0 || !dueKey.startsWith('fee/') ? undefined : dueKey.slice(0, at);
}

/** What is billed of one fee: its line and its adjustment lines, each less what credit notes took of it. */
export interface BilledFee {
  net: Decimal;
  /** How many adjustment lines it has had: the next is numbered one more. */
  adjustments: number;
  /** `creditRefs`: the credit notes that took `credited` off the line, which an adjustment line names as its sources too. */
  lines: { invoice: string; lineNo: number; amount: Decimal; credited: Decimal; ref: EventRef; creditRefs: EventRef[] }[];
}

/** Each fee due key of the year that is billed, with what is billed of it (BilledFee). */
export function billedFees(state: State, year: number): Map<string, BilledFee> {
  const billed = new Map<string, BilledFee>();
  const prefix = `fee/${year}/`;
  const creditRefs = new Map<string, EventRef[]>();
  for (const cn of state.billing.get(year)?.creditNotes.values() ?? []) {
    if (cn.value.series !== 'MK') continue;
    for (const l of cn.value.lines) {
      if (!l.credits) continue;
      const key = `${l.credits.invoice}#${l.credits.lineNo}`;
      creditRefs.set(key, [...(creditRefs.get(key) ?? []), cn.ref]);
    }
  }
  for (const inv of state.billing.get(year)?.invoices.values() ?? []) {
    if (inv.invoice.series !== 'M') continue;
    for (const l of inv.invoice.lines) {
      if (!l.dueKey.startsWith(prefix)) continue;
      const adjusted = adjustedFeeKey(l.dueKey);
      const key = adjusted ?? l.dueKey;
      let b = billed.get(key);
      if (!b) billed.set(key, (b = { net: ZERO, adjustments: 0, lines: [] }));
      const amount = new Decimal(l.amount);
      const credited = inv.creditedNet.get(l.lineNo) ?? ZERO;
      b.net = b.net.plus(amount).minus(credited);
      if (adjusted !== undefined) b.adjustments += 1;
      b.lines.push({ invoice: inv.invoice.number, lineNo: l.lineNo, amount, credited, ref: inv.ref, creditRefs: creditRefs.get(`${inv.invoice.number}#${l.lineNo}`) ?? [] });
    }
  }
  return billed;
}

/** "M2024-0001 rad 1: 10 000,00 kr, krediterat 10 000,00 kr; M2024-0009 rad 1: …": where a fee is billed, as a member reads it. */
export const billedFeeWords = (b: BilledFee, format: (d: Decimal) => string): string =>
  b.lines.map((l) => `${l.invoice} rad ${l.lineNo}: ${format(l.amount)}${l.credited.isZero() ? '' : `, krediterat ${format(l.credited)}`}`).join('; ');

/** A fee line billed at another amount than the member's fees now give (feesDifferingFromBilled). */
export interface FeeDifference {
  member: string;
  name: string;
  kind: FeeLineKind;
  due: Decimal;
  billedNet: Decimal;
  billed: BilledFee;
}

/**
 * The fee lines of a year whose invoices, net of their credit notes and with their adjustment lines, bill
 * another amount than the fees the stored facts now give: an SCB table corrected or a schedule adopted again
 * after the fee was invoiced, or a fee invoice credited. From rules 11 a run bills what a fee is short of
 * (an adjustment line); what it is billed beyond the fee, no run credits, and this names it.
 */
export function feesDifferingFromBilled(state: State, year: number): FeeDifference[] {
  if (!state.billing.has(year) || !state.schedules.has(year)) return [];
  const billed = billedFees(state, year);
  const out: FeeDifference[] = [];
  for (const m of feesForYear(state, year).members) {
    for (const line of m.lines) {
      const b = billed.get(feeDueKey(year, m.member, line.key));
      if (b !== undefined && !b.net.eq(line.amount)) out.push({ member: m.member, name: m.name, kind: line.kind, due: line.amount, billedNet: b.net, billed: b });
    }
  }
  return out;
}
