import Decimal from 'decimal.js';
import { DomainError, NotFoundError } from '../domain/errors';
import type { EventRef } from '../domain/event-ref';
import { roundOre, sum, ZERO } from '../domain/money';
import { populationFor, type PopulationUsed } from '../domain/population-rule';
import type { MembershipPeriod, MemberState, State } from '../domain/state';
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
}

export interface MemberFees {
  member: string;
  name: string;
  kind: MemberState['kind'];
  tier: { id: string; label: string };
  population: PopulationUsed | null;
  lines: FeeLine[];
  total: Decimal;
  /** The month the year's membership items fall due: January, or the month of entry in the first year. */
  dueMonth: number;
}

export interface FeesForYear {
  year: number;
  scheduleRef: EventRef;
  members: MemberFees[];
  byTier: { tier: { id: string; label: string }; members: number; annualFees: Decimal; total: Decimal }[];
  total: Decimal;
}

const firstDay = (y: number) => `${y}-01-01`;
const lastDay = (y: number) => `${y}-12-31`;

/** The membership period that overlaps the year (the latest, if a member left and rejoined in it). */
function periodInYear(m: MemberState, year: number): MembershipPeriod | undefined {
  return [...m.periods].reverse().find((p) => p.from <= lastDay(year) && (p.to === undefined || p.to >= firstDay(year)));
}

/** Fees for a year, per member billed in it: annual fee, joining contribution in the year of entry, levies. */
export function feesForYear(state: State, year: number): FeesForYear {
  const adopted = state.schedules.get(year);
  if (!adopted) throw new NotFoundError(`ingen avgiftsplan är antagen för ${year}; anta en med \`samkost schedule adopt\``);
  const schedule = adopted.value;
  const levies = [...(state.levies.get(year)?.values() ?? [])];
  const rows: MemberFees[] = [];
  for (const m of [...state.members.values()].sort((a, b) => a.name.localeCompare(b.name, 'sv') || a.orgnr.localeCompare(b.orgnr))) {
    const period = periodInYear(m, year);
    if (!period) continue;
    const population = populationFor(state, m, year);
    const subject = { organisation: population === null, population: population?.value ?? null };
    const tier = bandOf(schedule.tiers, subject);
    if (!tier) throw new DomainError(`avgiftsplanen för ${year} har ingen nivå för ${m.name} (${m.orgnr}, folkmängd ${population?.value ?? 'saknas'})`);
    const popText = population ? `${population.value} invånare (SCB ${population.referenceDate})` : 'organisation';
    const baseRefs = [adopted.ref, period.joinedRef, ...(population ? [population.ref] : [])];
    const lines: FeeLine[] = [];

    const entryMonth = Number(period.from.slice(5, 7));
    const firstYear = period.from.slice(0, 4) === String(year);
    const months = firstYear && schedule.firstYear === 'from-entry-month' ? 13 - entryMonth : 12;
    const fullFee = new Decimal(tier.annualFee);
    lines.push({
      kind: 'annual-fee',
      description: `Årsavgift ${year}, ${tier.label}${months < 12 ? ` (${months}/12 från inträdesmånaden)` : ''}`,
      amount: roundOre(fullFee.mul(months).div(12)),
      basis: `tier ${tier.id} (${popText}): annual fee ${tier.annualFee} × ${months}/12${months < 12 ? ` (joined ${period.from}, first year counted from the month of entry)` : ''}`,
      refs: baseRefs,
    });

    if (firstYear) {
      const pct = period.rejoin ? schedule.reentryPercent : 100;
      lines.push({
        kind: 'joining-contribution',
        description: `Medlemsinsats, ${tier.label}${period.rejoin ? ` (återinträde ${pct} %)` : ''}`,
        amount: roundOre(new Decimal(tier.joiningContribution).mul(pct).div(100)),
        basis: `tier ${tier.id}: joining contribution ${tier.joiningContribution} × ${pct} %${period.rejoin ? ' (re-entry after leaving)' : ''}`,
        refs: baseRefs,
      });
    }

    for (const levy of levies) {
      const band = bandOf(levy.value.tiers, subject);
      if (!band) throw new DomainError(`den extra utdebiteringen ${levy.value.levyId} ${year} har ingen nivå för ${m.name} (${m.orgnr})`);
      lines.push({
        kind: 'levy',
        description: `Extra utdebitering ${year}: ${levy.value.purpose}, ${band.label}`,
        amount: new Decimal(band.amount),
        basis: `levy ${levy.value.levyId} tier ${band.id} (${popText}): ${band.amount}`,
        refs: [levy.ref, period.joinedRef, ...(population ? [population.ref] : [])],
      });
    }
    rows.push({
      member: m.orgnr, name: m.name, kind: m.kind, tier: { id: tier.id, label: tier.label }, population, lines,
      total: sum(lines.map((l) => l.amount)),
      dueMonth: firstYear ? entryMonth : 1,
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
