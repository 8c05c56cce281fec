import Decimal from 'decimal.js';
import { type BilledFee, billedFees, billedFeeWords, feeAdjustmentKey, feesForYear, type FeeLine } from '../../projections/fees';
import { basesOverMonths, basisByMonth, splitForYear } from '../../projections/splits';
import type { MonthSplit } from '../pricing';
import { amountString, formatSek } from '../money';
import { costWords } from '../rules';
import { aContoDueKey, aContoPeriod, feeDueKey, inForceBetween, type State } from '../state';
import { type EventRef, plainRef, uniqueRefs } from '../event-ref';
import { monthRanges } from '../proration';
import type { InvoiceLine, Provenance } from '../events/billing';
import { billingPeriods, dueMonthOfPeriod, type Period } from './periods';

export type Series = 'M' | 'T';

type MonthShare = MonthSplit['shares'][number];

/** One thing to bill, once: identified by its due key. */
export interface DueItem {
  buyer: string;
  series: Series;
  dueKey: string;
  kind: InvoiceLine['kind'];
  description: string;
  amount: Decimal;
  vatCategory: 'O' | 'S';
  vatRate: string;
  serviceId?: string;
  enrolmentId?: string;
  provenance: Provenance;
  /** The first month of the run's year it bills (a fee's due month, an a-conto line's first month in force). */
  firstMonth: number;
}

const MONTH_NAMES = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];

export function periodText(p: Pick<Period, 'year' | 'months'>): string {
  const first = p.months[0];
  const last = p.months[p.months.length - 1];
  if (p.months.length === 12) return String(p.year);
  if (p.months.length === 3 && first % 3 === 1 && last === first + 2) return `kvartal ${last / 3} ${p.year}`;
  if (p.months.length === 1) return `${MONTH_NAMES[first - 1]} ${p.year}`;
  return `${monthsText(p.months)} ${p.year}`;
}

/** Months of a year in words, runs of consecutive months as spans: [2, 3, 10, 11, 12] → "februari–mars, oktober–december". */
export const monthsText = (months: readonly number[]): string => monthRanges(months, (m) => MONTH_NAMES[m - 1]);

/**
 * One plain copy of each ref a run puts on its lines. A ref in the state may be a view that works its
 * fields out on every read (src/app/ref-table.ts: hex, ISO time), and a run puts the same few thousand
 * refs on a hundred thousand lines, each read field by field when the document is checked and hashed.
 */
function refCopies(): (...lists: (readonly EventRef[])[]) => EventRef[] {
  const copies = new Map<EventRef, EventRef>();
  return (...lists) => {
    const out: EventRef[] = [];
    for (const refs of lists) {
      for (const r of refs) {
        let c = copies.get(r);
        if (c === undefined) {
          c = plainRef(r);
          copies.set(r, c);
        }
        out.push(c);
      }
    }
    return out;
  };
}

type RefCopies = ReturnType<typeof refCopies>;

/**
 * Whether an item of the run's year due in `dueMonth` is the run's to bill: by rules 4, any due in or
 * before the period's last month (an enrolment or a join recorded after its month's run is billed by the
 * next run); by earlier rules only one due within the period, so a late one waited for its period to be
 * run again, or for the settlement.
 */
const dueBy = (run: Period, dueMonth: number, rules: number): boolean =>
  rules >= 4 ? dueMonth <= run.months[run.months.length - 1] : run.months.includes(dueMonth);

const FEE_RULES: Record<FeeLine['kind'], string> = {
  'annual-fee': 'annual fee by population tier', levy: 'extra levy by population tier', 'joining-contribution': 'joining contribution by population tier',
};

/**
 * Membership items (series M, outside the scope of VAT) that fall due by the run's period (dueBy). From
 * rules 11 a fee already billed is billed again by what it is short of: the fee the stored facts now give
 * less what its lines bill net of credit notes (an SCB table corrected, a schedule adopted again, a fee
 * line credited), as an adjustment line of its own due key (projections/fees.ts#feeAdjustmentKey).
 */
function membershipDue(state: State, run: Period, rules: number, plainRefs: RefCopies): DueItem[] {
  const items: DueItem[] = [];
  const fees = feesForYear(state, run.year, rules);
  const billedKeys = state.billing.get(run.year)?.billedKeys;
  let billed: Map<string, BilledFee> | undefined;
  for (const m of fees.members) {
    for (const line of m.lines) {
      if (!dueBy(run, line.dueMonth, rules)) continue;
      const dueKey = feeDueKey(run.year, m.member, line.key);
      const refs = [...line.refs, fees.scheduleRef];
      const item = { buyer: m.member, series: 'M', kind: line.kind, vatCategory: 'O', vatRate: '0', firstMonth: line.dueMonth } as const;
      if (rules >= 11 && billedKeys?.has(dueKey)) {
        const b = (billed ??= billedFees(state, run.year)).get(dueKey);
        const short = b && line.amount.minus(b.net);
        if (!b || !short?.gt(0)) continue;
        items.push({
          ...item, dueKey: feeAdjustmentKey(dueKey, b.adjustments + 1), amount: short,
          description: `${line.description}: tillägg, ${formatSek(line.amount)} enligt avgifterna, tidigare fakturerat netto ${formatSek(b.net)} (${billedFeeWords(b, formatSek)})`,
          provenance: {
            rule: `${FEE_RULES[line.kind]}, less what its lines bill net of credit notes`,
            basis: `${line.basis}; billed net ${amountString(b.net)} (${b.lines.map((l) => `${l.invoice} line ${l.lineNo}: ${amountString(l.amount)} − credited ${amountString(l.credited)}`).join(', ')}); short ${amountString(short)}`,
            refs: plainRefs(uniqueRefs([...refs, ...b.lines.flatMap((l) => [l.ref, ...l.creditRefs])])),
          },
        });
        continue;
      }
      items.push({
        ...item, dueKey, description: line.description, amount: line.amount,
        provenance: { rule: FEE_RULES[line.kind], basis: line.basis, refs: plainRefs(uniqueRefs(refs)) },
      });
    }
  }
  return items;
}

/** A formatter that formats each Decimal instance once: shares are often one instance (equal shares, one öre amount). */
function formatOnce(format: (d: Decimal) => string): (d: Decimal) => string {
  const texts = new Map<Decimal, string>();
  return (d) => {
    let t = texts.get(d);
    if (t === undefined) {
      t = format(d);
      texts.set(d, t);
    }
    return t;
  };
}

export interface EnrolmentMonths {
  enrolmentId: string;
  /** The first and last month of the year it is in force in, 1–12. */
  first: number;
  last: number;
}

/**
 * The enrolments in force in some month of `year`, with the first and last of those months. Within a year
 * an enrolment is in force in months a–b (inForceBetween the first day of a and the last of b) exactly
 * when its first month ≤ b and its last ≥ a: a run looks for an unbilled enrolment in each period of a
 * service due by it, up to twelve, and compares two numbers where it compared dates of every enrolment
 * the service ever had, a tenth of a late run's deciding.
 */
export function enrolmentMonths(enrolments: Iterable<{ enrolmentId: string; from: string; to?: string }>, year: number): EnrolmentMonths[] {
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year}-12-31`;
  const out: EnrolmentMonths[] = [];
  for (const e of enrolments) {
    if (!inForceBetween(e, yearStart, yearEnd)) continue;
    out.push({
      enrolmentId: e.enrolmentId,
      first: e.from < yearStart ? 1 : Number(e.from.slice(5, 7)),
      last: e.to === undefined || e.to > yearEnd ? 12 : Number(e.to.slice(5, 7)),
    });
  }
  return out;
}

/** A-conto items (series T, VAT) of every service period that falls due (its first month) by the run's period (dueBy). */
function serviceDue(state: State, run: Period, vatRate: string, rules: number, plainRefs: RefCopies): DueItem[] {
  const items: DueItem[] = [];
  const billing = state.billing.get(run.year);
  const billedEnrolments = billing?.billedEnrolments;
  for (const svc of state.services.values()) {
    // A settled year is billed at its actual cost, by settlement lines (settle/… keys): an a-conto item of
    // it still unbilled (a participant the settlement billed) would bill it a second time (rules 4).
    if (rules >= 4 && billing?.settled.has(svc.service.serviceId)) continue;
    // Only the periods in which an enrolment in force has not been billed: a run late in the year (rules 4)
    // meets every earlier period again, nearly always billed, and neither splitting the service nor going
    // through its participants for those periods finds anything. Nothing is lost by leaving them out: a
    // participant out of force in a period has nothing due in it.
    let spans: EnrolmentMonths[] | undefined;
    const periods = billingPeriods(svc.service.cadence, run.year).flatMap((bp) => {
      if (!dueBy(run, dueMonthOfPeriod(bp), rules)) return [];
      const billed = billedEnrolments?.get(aContoPeriod(svc.service.serviceId, bp.label));
      const first = bp.months[0];
      const last = bp.months[bp.months.length - 1];
      for (const s of (spans ??= enrolmentMonths(svc.enrolments.values(), run.year))) {
        if (s.first <= last && s.last >= first && !billed?.has(s.enrolmentId)) return [{ bp, billed }];
      }
      return [];
    });
    if (periods.length === 0) continue;
    const split = splitForYear(state, svc.service.serviceId, run.year, 'budget', rules);
    const byMonth = basisByMonth(rules, svc.service.pricing.kind);
    // The same for every participant of the split: worked out once, not once per participant and month
    // (a share lookup by key per participant and month was quadratic in the participants).
    let rule: string | undefined;
    const amountText = formatOnce(amountString);
    const weightText = formatOnce((d) => d.toString());
    const monthFacts = new Map<number, { amount: string; denominator: string; participants: number; shares: Map<string, MonthShare> }>();
    const factsOf = (m: number) => {
      let f = monthFacts.get(m);
      if (!f) {
        const ms = split.months[m - 1];
        const shares = new Map<string, MonthShare>();
        // The first share of a key, as a search from the start would find it.
        for (const sh of ms.shares) if (!shares.has(sh.key)) shares.set(sh.key, sh);
        f = { amount: amountString(ms.amount), denominator: ms.denominator.toString(), participants: ms.shares.length, shares };
        monthFacts.set(m, f);
      }
      return f;
    };
    for (const { bp, billed } of periods) {
      for (const p of split.participants) {
        if (billed?.has(p.key)) continue;
        const dueKey = aContoDueKey(svc.service.serviceId, bp.label, p.key);
        // A month's period is most of a run's lines: its amount is the month's, not 0 + it in a new Decimal.
        const amount = bp.months.length === 1 ? p.monthly[bp.months[0] - 1] : bp.months.reduce((a, m) => a.plus(p.monthly[m - 1]), new Decimal(0));
        if (amount.isZero()) continue;
        const months = bp.months.filter((m) => p.months.includes(m)).map((m) => {
          const ms = factsOf(m);
          const share = ms.shares.get(p.key);
          return {
            month: m, amount: ms.amount, share: share ? amountText(share.amount) : '0.00', weight: share ? weightText(share.weight) : '0',
            denominator: ms.denominator, participants: ms.participants,
          };
        });
        items.push({
          buyer: p.member, series: 'T', dueKey, kind: 'a-conto',
          description: `${svc.service.name} a conto ${periodText(bp)}${partOf(bp, months, rules)}${p.module ? `, modul ${p.module}` : ''}${p.name !== state.members.get(p.member)?.name ? ` (${p.name})` : ''}`,
          amount, vatCategory: 'S', vatRate, serviceId: svc.service.serviceId, enrolmentId: p.key, firstMonth: months[0]?.month ?? bp.months[0],
          provenance: {
            rule: (rule ??= `${split.rule}; ${costWords(svc.service.pricing.kind, split, 'budget', rules, true)}`),
            basis: `${lineBasis(p, months, factsOf, byMonth)}${p.population !== null ? `; population ${p.population}` : ''}; months ${months.map((x) => x.month).join(', ')}`,
            refs: plainRefs(split.costRefs, p.refs),
            months,
          },
        });
      }
    }
  }
  return items;
}

/**
 * A line's basis: where its rules word a share by month (projections/splits.ts#basisByMonth, rules 5), its
 * own months' share bases, so a quarter's line names the quarter's denominators, not the year's; otherwise
 * its participant's, as earlier rules wrote it.
 */
function lineBasis(
  p: { key: string; basis: string },
  months: readonly { month: number }[],
  factsOf: (m: number) => { shares: Map<string, MonthShare> },
  byMonth: boolean,
): string {
  if (!byMonth || months.length === 0) return p.basis;
  const bases = months.map((m) => factsOf(m.month).shares.get(p.key)?.basis);
  if (bases.some((b) => b === undefined)) return p.basis;
  return basesOverMonths(months.map((m) => m.month), bases as string[]);
}

/**
 * The months a line bills when they are not all of its period's (a member in force part of it), as the
 * member reads them (rules 4): "Bibblix a conto 2024, april–december". Earlier rules named the period only.
 */
function partOf(period: Period, months: readonly { month: number }[], rules: number): string {
  if (rules < 4 || months.length === period.months.length) return '';
  return `, ${monthsText(months.map((m) => m.month))}`;
}

/** Everything that falls due in the period and is not billed yet, in the words of the given rules version. */
export function dueInPeriod(state: State, run: Period, vatRate: string, rules: number): DueItem[] {
  const billed = state.billing.get(run.year)?.billedKeys;
  const plainRefs = refCopies();
  return [...membershipDue(state, run, rules, plainRefs), ...serviceDue(state, run, vatRate, rules, plainRefs)].filter((i) => !billed?.has(i.dueKey));
}
