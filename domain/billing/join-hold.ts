import { RULES_VERSION } from '../rules';
import type { State } from '../state';
import { periodOn } from '../state';
import { dueInPeriod } from './due';
import type { Period } from './periods';

/** A member a run dated before its membership begins leaves unbilled: its items wait for a run dated `from` or later. */
export interface JoinAfterRun {
  member: string;
  name: string;
  /** The first day of the membership the run would have billed. */
  from: string;
}

/**
 * The members that are not members on a run's issue date and whose membership begins after it, in time for
 * the run to bill something of it. From rules 10 such a member's items of that membership are not billed by
 * the run: an invoice dated before a membership would bill someone who is not yet a member (a Q1 run dated
 * 15 January billing a member that joins on 1 March). They stay due, and the first run dated on or after the
 * join bills them (due by its period, rules 4); `year close` refuses while they are unbilled. Rules 10 looked
 * for joins by the end of the run's period; from rules 11 by the end of its year, since a service billed
 * yearly in advance is due by January's run and bills a member joining in May; and a member on the run's
 * date that leaves and rejoins later in the year has that later membership held as well.
 */
export function joinsAfterRun(state: State, run: Period, issueDate: string, rules: number): JoinAfterRun[] {
  const lastMonth = rules >= 11 ? 12 : run.months[run.months.length - 1];
  const horizon = `${run.year}-${String(lastMonth).padStart(2, '0')}-31`;
  const out: JoinAfterRun[] = [];
  for (const m of state.members.values()) {
    // Rules 10 held only members that were none on the run's date; from 11 a member's re-entry later in the
    // year is held too (a run dated 10 April billed a re-entry contribution of a rejoin on 20 June).
    if (rules < 11 && periodOn(m, issueDate) !== undefined) continue;
    const next = m.periods.find((p) => p.from > issueDate);
    if (next !== undefined && next.from <= horizon) out.push({ member: m.orgnr, name: m.name, from: next.from });
  }
  return out;
}

/**
 * Whether an item of the run's year whose first month is `firstMonth` belongs to a membership that begins
 * after the run's issue date (joinsAfterRun): it is that membership's when its month is the join's month or
 * later. An item of an earlier membership of the same member (a member that left and rejoins) is not held:
 * it is owed by what the member was.
 */
export function heldUntilJoin(join: JoinAfterRun | undefined, year: number, firstMonth: number): boolean {
  return join !== undefined && `${year}-${String(firstMonth).padStart(2, '0')}` >= join.from.slice(0, 7);
}

/**
 * The members whose items a run dated `issueDate` leaves for a later run because their membership begins
 * after it (rules 10), among what is still due by the run's period: what a run's report names, so that a
 * member missing from it is not taken for an oversight.
 */
export function joinsLeftUnbilled(state: State, run: Period, issueDate: string, vatRate: string): JoinAfterRun[] {
  const joins = joinsAfterRun(state, run, issueDate, RULES_VERSION);
  if (joins.length === 0) return [];
  const byMember = new Map(joins.map((j) => [j.member, j]));
  const held = new Set(dueInPeriod(state, run, vatRate, RULES_VERSION).filter((i) => heldUntilJoin(byMember.get(i.buyer), run.year, i.firstMonth)).map((i) => i.buyer));
  return joins.filter((j) => held.has(j.member));
}
