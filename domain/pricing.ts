import Decimal from 'decimal.js';
import { allocate, type Turn } from './allocation';
import { formatSek, grouped, MoneyFormatError, parseAmount, sum, ZERO } from './money';
import { spreadOverMonths, type YearlySpread } from './proration';
import { bandOf, type TierBand } from './tiers';

export { bandOf, type TierBand };

/** One participant of a service split for one month. */
export interface SplitParticipant {
  key: string; // enrolment id, stable, used for tie-breaking by rules before version 5
  /**
   * What ties among equal remainders are broken by from rules 5 (`TieBreak` 'member'): the municipality's
   * code (other members after the municipalities, by organisationsnummer), then the key. A what-if knows a
   * municipality's code before it has an enrolment id, so its odd öre fall as the bill's will.
   */
  tie?: string;
  member: string; // member's organisationsnummer
  name: string;
  organisation: boolean; // true for non-municipal members (organisation tier)
  population: number | null; // population used (null for organisations / unknown)
}

export type PricingRule =
  | { kind: 'equal' }
  | { kind: 'tier-weighted'; bands: (TierBand & { weight: string })[] }
  | { kind: 'per-capita' }
  | { kind: 'base-plus-per-capita'; base: string } // base = yearly fixed amount per participant, "12000.00"
  | { kind: 'price-list'; bands: (TierBand & { price: string })[] }; // a fixed yearly price by tier, not a split (Bibblix)

/** The bands a rule prices by (weights, a price list), or undefined for one without bands of its own. */
export const ownBands = (rule: PricingRule): readonly TierBand[] | undefined => (rule.kind === 'tier-weighted' || rule.kind === 'price-list' ? rule.bands : undefined);

/** Whether a rule shares by the participants' inhabitants (per capita, or a base and the rest per capita), not by participant. */
export const sharesByInhabitants = (kind: string): boolean => kind === 'per-capita' || kind === 'base-plus-per-capita';

export class PricingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PricingError';
  }
}

export interface ShareLine {
  key: string;
  weight: Decimal;
  amount: Decimal;
  band?: string; // band id, for the tiered rules
  basis: string; // short English explanation, e.g. "weight 2 of 7"
}

/**
 * One month of one service. For a split, Σ shares + unallocated = amount exactly and `denominator` is Σ
 * weights. For 'price-list' `amount` is echoed but ignored, `denominator` and `unallocated` are 0.
 */
export interface MonthSplit {
  month: number;
  amount: Decimal;
  denominator: Decimal;
  shares: ShareLine[];
  unallocated: Decimal;
}


/** A price-list share's basis: its yearly price and the month's place, and, from rules 4, how the year is spread. */
export const priceListBasis = (price: Decimal, month: number, spread: YearlySpread): string =>
  `price ${price.toFixed(2)} a year, month ${month} of 12${spread === 'cumulative' ? ' by cumulative rounding' : ''}`;

const describe = (p: SplitParticipant): string =>
  `${p.name} (${p.organisation ? 'organisation' : p.population === null ? 'folkmängd okänd' : `folkmängd ${grouped(p.population)}`})`;

function nonNegativeAmount(what: string, s: string): Decimal {
  let d: Decimal;
  try {
    d = parseAmount(s);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new PricingError(`${what}: ${err.message}`);
    throw err;
  }
  if (d.isNeg()) throw new PricingError(`${what} får inte vara mindre än noll (${s})`);
  return d;
}

function validateBands(bands: readonly TierBand[]): void {
  const ids = new Set<string>();
  for (const b of bands) {
    if (ids.has(b.id)) throw new PricingError(`nivån "${b.id}" förekommer två gånger`);
    ids.add(b.id);
    if (b.organisation === true) {
      if (b.min !== undefined || b.max !== undefined) throw new PricingError(`organisationsnivån "${b.id}" kan inte ha gränser för folkmängd`);
      continue;
    }
    for (const bound of [b.min, b.max])
      if (bound !== undefined && !(Number.isInteger(bound) && bound >= 0))
        throw new PricingError(`gränserna för nivån "${b.id}" måste vara heltal på noll eller mer`);
    if ((b.max ?? Number.POSITIVE_INFINITY) < (b.min ?? 0)) throw new PricingError(`nivån "${b.id}" slutar (${b.max}) innan den börjar (${b.min ?? 0})`);
  }
  // Overlapping bands would make bandOf depend on list order, so a participant's price on how it was typed.
  if (bands.filter((b) => b.organisation === true).length > 1) throw new PricingError('mer än en organisationsnivå');
  const ranged = bands.filter((b) => b.organisation !== true).sort((a, b) => (a.min ?? 0) - (b.min ?? 0));
  for (let i = 1; i < ranged.length; i++) {
    const prev = ranged[i - 1];
    if ((ranged[i].min ?? 0) <= (prev.max ?? Number.POSITIVE_INFINITY))
      throw new PricingError(`nivåerna "${prev.id}" och "${ranged[i].id}" överlappar`);
  }
}

/** Throws PricingError unless weights/prices are non-negative amounts and the bands are unique and disjoint. */
export function validateRule(rule: PricingRule): void {
  switch (rule.kind) {
    case 'equal':
    case 'per-capita':
      return;
    case 'base-plus-per-capita':
      nonNegativeAmount('grundavgiften', rule.base);
      return;
    case 'tier-weighted':
      for (const b of rule.bands) nonNegativeAmount(`vikten för nivån "${b.id}"`, b.weight);
      validateBands(rule.bands);
      return;
    case 'price-list':
      for (const b of rule.bands) nonNegativeAmount(`priset för nivån "${b.id}"`, b.price);
      validateBands(rule.bands);
      return;
  }
}

function populationOf(p: SplitParticipant): number {
  if (p.population === null) throw new PricingError(`prissättning per invånare kräver en folkmängd för ${p.name} (${p.member})`);
  if (!Number.isInteger(p.population) || p.population < 0)
    throw new PricingError(`folkmängden för ${p.name} (${p.member}) är inte ett heltal på noll eller mer: ${p.population}`);
  return p.population;
}

interface Weighted {
  p: SplitParticipant;
  weight: Decimal;
  band?: string;
  label: string; // how the weight reads in `basis`, e.g. "population 18 000"
}

/**
 * What ties among equal remainders are broken by: the participant's key, (rules 5) its `tie`, or (rules 7)
 * its `tie` turned month by month to where the month's odd öre start (allocation.ts#turnOffset), so that
 * an equal split's odd öre go round the participants over a year rather than to the same ones each month;
 * from rules 11 turned within the participants that tie for them (allocation.ts#Turn).
 */
export type TieBreak = 'key' | 'member' | 'member-turning' | 'member-group-turning';

/** How a month's odd öre are turned under `ties` (allocation.ts#Turn), or undefined where they are not. */
export const turnOf = (ties: TieBreak, month: number): Turn | undefined =>
  (ties === 'member-group-turning' ? { month, group: true } : ties === 'member-turning' ? { month } : undefined);

/** The text a participant's ties are broken by under `ties` (before any turning). */
export const tieOf = (p: SplitParticipant, ties: TieBreak): string => (ties !== 'key' && p.tie !== undefined ? p.tie : p.key);

/** Splits `amount` by the weights; a zero total weight with money to place is an error, never a silent drop. */
function splitByWeight(month: number, amount: Decimal, ws: readonly Weighted[], ties: TieBreak): { denominator: Decimal; amounts: Map<string, Decimal> } {
  const denominator = sum(ws.map((w) => w.weight));
  if (denominator.isZero() && !amount.isZero())
    throw new PricingError(`månad ${month}: alla deltagare har vikten 0, så ${amount.toFixed(2)} kan inte fördelas`);
  const claims = ws.map((w) => ({ key: w.p.key, weight: w.weight, tie: tieOf(w.p, ties) }));
  return { denominator, amounts: allocate(amount, claims, turnOf(ties, month)) };
}

/**
 * Splits one month's amount among the participants counting in that month. See PricingRule for the rules;
 * with no participants nothing is owed and the whole amount stays `unallocated` (except 'price-list', which
 * ignores the amount).
 */
export function splitMonth(rule: PricingRule, month: number, amount: Decimal, participants: readonly SplitParticipant[], spread: YearlySpread, ties: TieBreak = 'key'): MonthSplit {
  validateRule(rule);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new PricingError(`månad ${month} är inte 1..12`);
  if (!amount.times(100).isInteger()) throw new PricingError(`beloppet ${amount.toString()} är inte ett helt antal öre`);
  const keys = new Set<string>();
  for (const p of participants) {
    if (keys.has(p.key)) throw new PricingError(`deltagarnyckeln "${p.key}" förekommer två gånger`);
    keys.add(p.key);
  }

  if (rule.kind === 'price-list') {
    const shares = participants.map((p): ShareLine => {
      const band = bandOf(rule.bands, p);
      if (!band) throw new PricingError(`prislistan har ingen nivå för ${describe(p)}`);
      const price = parseAmount(band.price);
      return {
        key: p.key,
        weight: price,
        amount: spreadOverMonths(price, spread).get(month) as Decimal,
        band: band.id,
        basis: priceListBasis(price, month, spread),
      };
    });
    return { month, amount, denominator: ZERO, shares, unallocated: ZERO };
  }

  if (participants.length === 0) return { month, amount, denominator: ZERO, shares: [], unallocated: amount };

  if (rule.kind === 'base-plus-per-capita') {
    const base = spreadOverMonths(parseAmount(rule.base), spread).get(month) as Decimal;
    const bases = base.times(participants.length);
    if (amount.lessThan(bases))
      throw new PricingError(
        `månad ${month}: beloppet ${formatSek(amount)} är mindre än grundavgifterna ${formatSek(bases)} (${participants.length} × ${formatSek(base)})`,
      );
    const ws = participants.map((p): Weighted => {
      const n = populationOf(p);
      return { p, weight: new Decimal(n), label: `population ${grouped(n)}` };
    });
    const rest = amount.minus(bases);
    const { denominator, amounts } = splitByWeight(month, rest, ws, ties);
    const shares = ws.map((w): ShareLine => ({
      key: w.p.key,
      weight: w.weight,
      amount: base.plus(amounts.get(w.p.key) as Decimal),
      basis: `base ${base.toFixed(2)} + ${w.label} of ${grouped(denominator.toNumber())}`,
    }));
    return { month, amount, denominator, shares, unallocated: ZERO };
  }

  const ws = participants.map((p): Weighted => {
    switch (rule.kind) {
      case 'equal':
        return { p, weight: new Decimal(1), label: 'equal weight 1' };
      case 'per-capita': {
        const n = populationOf(p);
        return { p, weight: new Decimal(n), label: `population ${grouped(n)}` };
      }
      case 'tier-weighted': {
        const band = bandOf(rule.bands, p);
        if (!band) throw new PricingError(`vikttabellen har ingen nivå för ${describe(p)}`);
        const weight = parseAmount(band.weight);
        return { p, weight, band: band.id, label: `weight ${weight.toString()}` };
      }
    }
  });
  const { denominator, amounts } = splitByWeight(month, amount, ws, ties);
  // Populations are integers and count people, so they read better grouped than as a bare Decimal.
  const of = rule.kind === 'per-capita' ? grouped(denominator.toNumber()) : denominator.toString();
  const shares = ws.map((w): ShareLine => ({
    key: w.p.key,
    weight: w.weight,
    amount: amounts.get(w.p.key) as Decimal,
    ...(w.band !== undefined ? { band: w.band } : {}),
    basis: `${w.label} of ${of}`,
  }));
  return { month, amount, denominator, shares, unallocated: ZERO };
}
