import { formatPercent } from '../../domain/money';
import { CADENCE_NAMES, PRICING_NAMES, pricingWords } from '../../src/cli/pricing-words';
import { billingFixture } from '../support/billing-fixture';

describe('pricing rules and cadences in Swedish, for the tables around the documents', () => {
  test('every rule is worded in full, amounts as kronor', () => {
    expect(pricingWords({ kind: 'equal' })).toBe('lika delar mellan deltagarna');
    expect(pricingWords({ kind: 'per-capita' })).toBe('efter folkmängd (per invånare)');
    expect(pricingWords({ kind: 'base-plus-per-capita', base: '60000.00' })).toBe('grundavgift 60 000,00 kr per deltagare och år, resten efter folkmängd');
    expect(pricingWords({ kind: 'tier-weighted', bands: [{ id: 's', label: 'S', max: 9999, weight: '1' }, { id: 'l', label: 'L', min: 10000, weight: '2.5' }] }))
      .toBe('vikt per befolkningsnivå (S [s]: 1, L [l]: 2,5)');
    // A band labelled with its id alone is named once.
    expect(pricingWords({ kind: 'tier-weighted', bands: [{ id: 'small', label: 'small', max: 9999, weight: '1' }] })).toBe('vikt per befolkningsnivå (small: 1)');
    expect(pricingWords({ kind: 'price-list', bands: [{ id: 's', label: 'S', max: 9999, price: '12000.00' }] })).toBe('årspris per befolkningsnivå (S [s]: 12 000,00 kr)');
  });

  test('overhead rates read as percentages with a decimal comma', () => {
    expect(formatPercent('0.05')).toBe('5 %');
    expect(formatPercent('0.125')).toBe('12,5 %');
    expect(formatPercent('0')).toBe('0 %');
  });

  test('`samkost services` shows the names, not the codes (which --json keeps)', async () => {
    const f = await billingFixture();
    const table = await f.run('services');
    expect(table.out).toContain(PRICING_NAMES['tier-weighted']);
    expect(table.out).toContain(CADENCE_NAMES.quarterly);
    expect(table.out).toMatch(/│ 5 %\s+│/);
    expect(table.out).not.toMatch(/tier-weighted|quarterly|0\.05/);
    const json = await f.json<{ services: { pricing: string; cadence: string; overheadRate: string }[] }>('services');
    expect(json.services[0]).toMatchObject({ pricing: 'tier-weighted', cadence: 'quarterly', overheadRate: '0.05' });
  });
});
