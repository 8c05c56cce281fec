import Decimal from 'decimal.js';
import { allocateOre, keyRanks, type Turn } from './allocation';
import { grouped, parseAmount, ZERO } from './money';
import { OreDecimals, toOre } from './ore';
import { type MonthSplit, priceListBasis, type PricingRule, type ShareLine, type SplitParticipant, splitMonth, type TieBreak, tieOf, turnOf, validateRule } from './pricing';
import { spreadOverMonths, type YearlySpread } from './proration';
import { bandOf } from './tiers';

/** A participant's weight when the rule gives it none (splitMonth's error) or one beyond 2^53. */
const NO_WEIGHT = -1;

/** Whole-öre monthly amounts of a yearly amount, or undefined when one is not exact in a number. */
function monthlyOre(yearly: Decimal, spread: YearlySpread): { decimals: Decimal[]; ore: number[] | undefined } {
  const decimals = [...spreadOverMonths(yearly, spread).values()];
  const ore = decimals.map(toOre);
  return { decimals, ore: ore.every((o) => o !== undefined) ? (ore as number[]) : undefined };
}

/** `n / 10^places` for a whole number n: a tier-weighted denominator back from its scaled form. */
function unscaled(n: number, places: number): Decimal {
  if (places === 0) return new Decimal(n);
  const s = String(n).padStart(places + 1, '0');
  return new Decimal(`${s.slice(0, -places)}.${s.slice(-places)}`);
}

/** What a month's split gives in öre: each present participant's amount, and Σ weights (scaled). */
export interface OreMonth {
  ore: Float64Array;
  weightSum: number;
}

/** The Decimals and texts of a MonthSplit, made only when a MonthSplit is asked for. */
interface Detail {
  weight: Decimal[];
  label: string[];
  bandPrice: Decimal[];
  bandMonthly: Decimal[][];
  baseMonthly: Decimal[];
}

/**
 * `splitMonth` for one rule and one participant list over many months, in whole öre: weights, key order
 * and monthly prices are worked out once, each month is integer arithmetic (`allocateOre`), and Decimals
 * and texts are made only for the lines. Two kinds of month are left to `splitMonth` itself: those it
 * refuses (an invalid rule, a key twice, a missing band or population, nothing to weigh by, an amount
 * below the bases), so that its errors stay its own; and those with amounts or weights past 2^53, which a
 * number cannot hold exactly.
 */
export class OrePricing {
  private readonly valid: boolean;
  private readonly duplicateKeys: boolean;
  private readonly rank: Int32Array;
  /** Whole-number weight per participant (tier weights × 10^places), or NO_WEIGHT. */
  private readonly weights: Float64Array;
  private readonly places: number = 0;
  /** Index into the rule's bands per participant, −1 when none holds it (tiered rules). */
  private readonly band: number[] = [];
  /** Price-list: each band's price by month in öre (undefined past 2^53). Base-plus: [the base by month]. */
  private readonly monthOre: (number[] | undefined)[] = [];
  private detail: Detail | undefined;

  constructor(
    private readonly rule: PricingRule,
    private readonly participants: readonly SplitParticipant[],
    private readonly spread: YearlySpread,
    private readonly decimals: OreDecimals = new OreDecimals(),
    private readonly ties: TieBreak = 'key',
  ) {
    const n = participants.length;
    this.rank = keyRanks(participants.map((p) => tieOf(p, ties)));
    this.duplicateKeys = !inKeyOrder(participants) && new Set(participants.map((p) => p.key)).size !== n;
    this.weights = new Float64Array(n).fill(NO_WEIGHT);
    try {
      validateRule(rule);
      this.valid = true;
    } catch {
      this.valid = false; // splitMonth reports it
      return;
    }
    switch (rule.kind) {
      case 'equal':
        this.weights.fill(1);
        break;
      case 'per-capita':
      case 'base-plus-per-capita':
        participants.forEach((p, i) => {
          if (p.population !== null && Number.isSafeInteger(p.population) && p.population >= 0) this.weights[i] = p.population;
        });
        if (rule.kind === 'base-plus-per-capita') this.monthOre = [monthlyOre(parseAmount(rule.base), spread).ore];
        break;
      case 'tier-weighted': {
        const bandWeights = rule.bands.map((b) => parseAmount(b.weight));
        this.places = Math.max(0, ...bandWeights.map((w) => w.decimalPlaces()));
        const scaled = bandWeights.map((w) => w.times(10 ** this.places).toNumber());
        this.band = participants.map((p) => indexOfBand(rule.bands, p));
        this.band.forEach((b, i) => {
          if (b >= 0 && Number.isSafeInteger(scaled[b])) this.weights[i] = scaled[b];
        });
        break;
      }
      case 'price-list':
        this.band = participants.map((p) => indexOfBand(rule.bands, p));
        this.monthOre = rule.bands.map((b) => monthlyOre(parseAmount(b.price), spread).ore);
        break;
    }
  }

  /** How the month's odd öre turn (pricing.ts#turnOf), or undefined. */
  private turn(month: number): Turn | undefined {
    return turnOf(this.ties, month);
  }

  /**
   * Each present participant's amount for the month in öre (`present`: indices into the participants, in
   * their order), as splitMonth would split `amountOre`; undefined for a month left to splitMonth.
   */
  ore(month: number, amountOre: number, present: readonly number[]): OreMonth | undefined {
    if (!this.valid || !(Number.isInteger(month) && month >= 1 && month <= 12)) return undefined;
    if (this.duplicateKeys && new Set(present.map((i) => this.participants[i].key)).size !== present.length) return undefined;
    const m = month - 1;
    if (this.rule.kind === 'price-list') {
      const ore = new Float64Array(present.length);
      for (let j = 0; j < present.length; j++) {
        const b = this.band[present[j]];
        const price = b < 0 ? undefined : this.monthOre[b]?.[m];
        if (price === undefined) return undefined;
        ore[j] = price;
      }
      return { ore, weightSum: 0 };
    }
    if (present.length === 0) return { ore: new Float64Array(0), weightSum: 0 };

    let weightSum = 0;
    for (const i of present) {
      if (this.weights[i] === NO_WEIGHT) return undefined;
      weightSum += this.weights[i];
    }
    if (!Number.isSafeInteger(weightSum)) return undefined;
    if (this.rule.kind !== 'base-plus-per-capita') {
      const ore = allocateOre(amountOre, this.weights, this.rank, present, this.turn(month));
      return ore && { ore, weightSum };
    }
    const base = this.monthOre[0]?.[m];
    if (base === undefined) return undefined;
    const bases = base * present.length;
    if (!Number.isSafeInteger(bases) || amountOre < bases) return undefined;
    const ore = allocateOre(amountOre - bases, this.weights, this.rank, present, this.turn(month));
    if (!ore) return undefined;
    for (let j = 0; j < ore.length; j++) ore[j] += base;
    return { ore, weightSum };
  }

  /**
   * What `splitMonth(rule, month, amount, the present participants)` returns, and each line's amount in öre
   * (undefined when splitMonth made this month). `amountOre` is `toOre(amount)`. Throws what splitMonth throws.
   */
  split(month: number, amount: Decimal, amountOre: number | undefined, present: readonly number[]): { split: MonthSplit; ore: Float64Array | undefined } {
    const r = amountOre === undefined ? undefined : this.ore(month, amountOre, present);
    if (!r) return { split: splitMonth(this.rule, month, amount, present.map((i) => this.participants[i]), this.spread, this.ties), ore: undefined };
    return { split: this.monthSplit(month, amount, present, r), ore: r.ore };
  }

  /**
   * The MonthSplit of a month `ore` has split, from what `ore` returned for the same month, amount and
   * present participants: its Decimals and texts, made only here, so a caller that reads only totals can
   * split every month first and ask for the lines later, or never. Cannot throw.
   */
  monthSplit(month: number, amount: Decimal, present: readonly number[], { ore, weightSum }: OreMonth): MonthSplit {
    const rule = this.rule;
    const d = this.details();
    const m = month - 1;
    if (rule.kind === 'price-list') {
      const basis = d.bandPrice.map((price) => priceListBasis(price, month, this.spread));
      const shares = present.map((i): ShareLine => {
        const b = this.band[i];
        return { key: this.participants[i].key, weight: d.bandPrice[b], amount: d.bandMonthly[b][m], band: rule.bands[b].id, basis: basis[b] };
      });
      return { month, amount, denominator: ZERO, shares, unallocated: ZERO };
    }
    if (present.length === 0) return { month, amount, denominator: ZERO, shares: [], unallocated: amount };

    if (rule.kind === 'base-plus-per-capita') {
      const prefix = `base ${d.baseMonthly[m].toFixed(2)} + `;
      const of = grouped(weightSum);
      const shares = present.map((i, j): ShareLine => ({
        key: this.participants[i].key, weight: d.weight[i], amount: this.decimals.of(ore[j]), basis: `${prefix}${d.label[i]} of ${of}`,
      }));
      return { month, amount, denominator: new Decimal(weightSum), shares, unallocated: ZERO };
    }

    const denominator = rule.kind === 'tier-weighted' ? unscaled(weightSum, this.places) : new Decimal(weightSum);
    const of = rule.kind === 'per-capita' ? grouped(weightSum) : denominator.toString();
    // Equal and tier weights read alike for many participants: one text per label and month, not per line.
    const texts = new Map<string, string>();
    const basisOf = (i: number): string => {
      if (rule.kind === 'per-capita') return `${d.label[i]} of ${of}`;
      let text = texts.get(d.label[i]);
      if (text === undefined) {
        text = `${d.label[i]} of ${of}`;
        texts.set(d.label[i], text);
      }
      return text;
    };
    // The same keys in the same order as splitMonth's lines: `band` only for the tier-weighted rule.
    const shares =
      rule.kind === 'tier-weighted'
        ? present.map((i, j): ShareLine => ({
          key: this.participants[i].key, weight: d.weight[i], amount: this.decimals.of(ore[j]), band: rule.bands[this.band[i]].id, basis: basisOf(i),
        }))
        : present.map((i, j): ShareLine => ({ key: this.participants[i].key, weight: d.weight[i], amount: this.decimals.of(ore[j]), basis: basisOf(i) }));
    return { month, amount, denominator, shares, unallocated: ZERO };
  }

  /** Only a valid rule reaches here (`ore` declines the rest), so the band texts parse. */
  private details(): Detail {
    if (this.detail) return this.detail;
    const rule = this.rule;
    const n = this.participants.length;
    const d: Detail = {
      weight: new Array<Decimal>(n).fill(ZERO), label: new Array<string>(n).fill(''),
      bandPrice: [], bandMonthly: [], baseMonthly: [],
    };
    switch (rule.kind) {
      case 'equal': {
        const one = new Decimal(1);
        d.weight.fill(one);
        d.label.fill('equal weight 1');
        break;
      }
      case 'per-capita':
      case 'base-plus-per-capita':
        this.weights.forEach((w, i) => {
          if (w === NO_WEIGHT) return;
          d.weight[i] = new Decimal(w);
          d.label[i] = `population ${grouped(w)}`;
        });
        if (rule.kind === 'base-plus-per-capita') d.baseMonthly = monthlyOre(parseAmount(rule.base), this.spread).decimals;
        break;
      case 'tier-weighted': {
        const bandWeights = rule.bands.map((b) => parseAmount(b.weight));
        this.band.forEach((b, i) => {
          if (b < 0) return;
          d.weight[i] = bandWeights[b];
          d.label[i] = `weight ${bandWeights[b].toString()}`;
        });
        break;
      }
      case 'price-list':
        d.bandPrice = rule.bands.map((b) => parseAmount(b.price));
        d.bandMonthly = d.bandPrice.map((p) => monthlyOre(p, this.spread).decimals);
        break;
    }
    this.detail = d;
    return d;
  }
}

/**
 * Whether the keys strictly ascend: split inputs come sorted by key (a scenario's added ones sort last), and
 * then no key can appear twice, which a caller can know without building a set.
 */
export function inKeyOrder(items: readonly { key: string }[]): boolean {
  for (let i = 1; i < items.length; i++) if (!(items[i - 1].key < items[i].key)) return false;
  return true;
}

function indexOfBand<B extends Parameters<typeof bandOf>[0][number]>(bands: readonly B[], p: SplitParticipant): number {
  const band = bandOf(bands, p);
  return band === undefined ? -1 : bands.indexOf(band);
}
