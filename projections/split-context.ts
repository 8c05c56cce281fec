import Decimal from 'decimal.js';
import type { EventRef } from '../domain/event-ref';
import { InForceMonths } from '../domain/in-force-months';
import { roundOre } from '../domain/money';
import { toOre } from '../domain/ore';
import { MONTHS, monthlyAmounts, type YearlySpread } from '../domain/proration';
import type { TieBreak } from '../domain/pricing';
import { tieBreakOf, yearlySpreadOf } from '../domain/rules';
import type { ServiceState } from '../domain/state';

export interface SplitCost {
  overheadRate: Decimal;
  /** base × (1 + overhead rate), to the öre. */
  cost: Decimal;
  perMonth: Map<number, Decimal>;
  /** perMonth in öre (index 0 = January), undefined where not exact in a number. */
  perMonthOre: (number | undefined)[];
}

/**
 * What the splits of one service, year and cost base have in common: the cost and its months, and the
 * months each enrolment counts in. A simulation splits twice and a sweep fifty times over the same
 * enrolments, so they keep one context; everything here is a pure function of its inputs, worked out on
 * first use (and so throwing where and what a fresh computation would).
 */
export class SplitContext {
  private costParts: SplitCost | undefined;
  private readonly months: InForceMonths;
  /** How a participant's fixed yearly amount is spread over the months, by the rules the split is made by. */
  readonly spread: YearlySpread;
  /** What ties among equal remainders are broken by, by the same rules. */
  readonly ties: TieBreak;

  constructor(
    readonly svc: ServiceState,
    readonly year: number,
    readonly base: { base: Decimal; refs: EventRef[] },
    readonly rules: number,
  ) {
    this.months = new InForceMonths(year);
    this.spread = yearlySpreadOf(rules);
    this.ties = tieBreakOf(rules);
  }

  cost(): SplitCost {
    if (!this.costParts) {
      const overheadRate = new Decimal(this.svc.service.overheadRate);
      const cost = roundOre(this.base.base.mul(overheadRate.plus(1)));
      const perMonth = monthlyAmounts(cost);
      this.costParts = { overheadRate, cost, perMonth, perMonthOre: MONTHS.map((m) => toOre(perMonth.get(m) as Decimal)) };
    }
    return this.costParts;
  }

  /** For each input, whether it counts in each month (index 0 = January); the arrays are shared. */
  inForce(inputs: readonly { from: string; to?: string }[]): (readonly boolean[])[] {
    return inputs.map((p) => this.months.flags(p.from, p.to));
  }
}
