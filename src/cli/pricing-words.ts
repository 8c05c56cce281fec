import Decimal from 'decimal.js';
import type { Cadence } from '../../domain/events/services';
import { formatNumber, formatSek } from '../../domain/money';
import type { PricingRule } from '../../domain/pricing';

/*
 * Pricing rules and billing cadences in the Swedish a council or finance reads. Documents keep the rule in
 * the English words they were decided with (provenance); these are for the tables and headings around them.
 */

export const PRICING_NAMES: Record<PricingRule['kind'], string> = {
  equal: 'lika delar',
  'tier-weighted': 'vikt per nivå',
  'per-capita': 'per invånare',
  'base-plus-per-capita': 'grundavgift + per invånare',
  'price-list': 'prislista per nivå',
};

export const CADENCE_NAMES: Record<Cadence, string> = { yearly: 'helår', quarterly: 'kvartal', monthly: 'månad' };

/** The rule in full, for the heading of a split. */
/** A band as a council reads it, its label, with the id `simulate --tier` takes: "färre än 10 000 invånare [lt10000]". */
const bandWords = (b: { id: string; label: string }): string => (b.label === b.id ? b.id : `${b.label} [${b.id}]`);

export function pricingWords(rule: PricingRule): string {
  switch (rule.kind) {
    case 'equal':
      return 'lika delar mellan deltagarna';
    case 'tier-weighted':
      return `vikt per befolkningsnivå (${rule.bands.map((b) => `${bandWords(b)}: ${formatNumber(b.weight)}`).join(', ')})`;
    case 'per-capita':
      return 'efter folkmängd (per invånare)';
    case 'base-plus-per-capita':
      return `grundavgift ${formatSek(new Decimal(rule.base))} per deltagare och år, resten efter folkmängd`;
    case 'price-list':
      return `årspris per befolkningsnivå (${rule.bands.map((b) => `${bandWords(b)}: ${formatSek(new Decimal(b.price))}`).join(', ')})`;
  }
}
