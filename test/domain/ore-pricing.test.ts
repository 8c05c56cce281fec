import fc from 'fast-check';
import Decimal from 'decimal.js';
import { toOre } from '../../domain/ore';
import { OrePricing } from '../../domain/ore-pricing';
import { type PricingRule, splitMonth, type SplitParticipant } from '../../domain/pricing';
import { outcome, shape } from '../support/shape';

const amountArb = (maxIntDigits: number) =>
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** BigInt(maxIntDigits) }), fc.constantFrom('', '.5', '.25', '.07', '.00')).map(([n, dec]) => `${n}${dec}`);

const bandsArb = (field: 'weight' | 'price') =>
  fc
    .record({
      cuts: fc.uniqueArray(fc.constantFrom(1_000, 10_000, 15_000, 50_000, 100_000), { maxLength: 3 }),
      values: fc.array(
        fc.oneof({ weight: 8, arbitrary: amountArb(field === 'price' ? 6 : 2) }, { weight: 1, arbitrary: fc.constant('0') }, { weight: 1, arbitrary: fc.constantFrom('-1', '1.234', '999999999999999.99') }),
        { minLength: 5, maxLength: 5 },
      ),
      top: fc.boolean(),
      org: fc.boolean(),
    })
    .map(({ cuts, values, top, org }) => {
      const sorted = [...cuts].sort((a, b) => a - b);
      const bands: Record<string, unknown>[] = [];
      let min = 0;
      sorted.forEach((c, i) => {
        bands.push({ id: `b${i}`, label: `B${i}`, min, max: c - 1, [field]: values[i] });
        min = c;
      });
      if (top) bands.push({ id: 'top', label: 'Top', min, [field]: values[3] });
      if (org) bands.push({ id: 'org', label: 'Org', organisation: true, [field]: values[4] });
      return bands;
    });

const ruleArb: fc.Arbitrary<PricingRule> = fc.oneof(
  fc.constant({ kind: 'equal' as const }),
  fc.constant({ kind: 'per-capita' as const }),
  fc.oneof(amountArb(5), fc.constantFrom('0', '12000.00', '-1', '1.001')).map((base) => ({ kind: 'base-plus-per-capita' as const, base })),
  bandsArb('weight').map((bands) => ({ kind: 'tier-weighted', bands }) as PricingRule),
  bandsArb('price').map((bands) => ({ kind: 'price-list', bands }) as PricingRule),
);

const participantArb = fc.record({
  // Now and then a key twice, which splitMonth refuses when both count in the month.
  key: fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[a-zA-Z0-9~-]{1,6}$/) }, { weight: 1, arbitrary: fc.constantFrom('a', '~hyp-0001') }),
  organisation: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  population: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, -5, 1.5, -0, 2 ** 60) },
  ),
});

const caseArb = fc.record({
  rule: ruleArb,
  participants: fc.array(participantArb, { maxLength: 14 }).map((ps) =>
    ps.map((p, i): SplitParticipant => ({ key: p.key, member: `m${i}`, name: `Member ${i}`, organisation: p.organisation, population: p.organisation ? null : p.population })),
  ),
  presentMask: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
  month: fc.integer({ min: 1, max: 12 }),
  amount: fc.tuple(fc.oneof({ weight: 4, arbitrary: amountArb(7) }, { weight: 1, arbitrary: amountArb(17) }), fc.boolean()).map(([a, neg]) => new Decimal(a).times(neg ? -1 : 1)),
});

describe('OrePricing — splitMonth in whole öre', () => {
  test('given any rule, participants, month and amount, when split, then the month is splitMonth\'s to the last digit, or its error', () => {
    let inOre = 0;
    fc.assert(
      fc.property(caseArb, ({ rule, participants, presentMask, month, amount }) => {
        const present = participants.map((_, i) => i).filter((i) => presentMask[i]);
        const pricing = new OrePricing(rule, participants);
        const expected = outcome(() => splitMonth(rule, month, amount, present.map((i) => participants[i])));
        const got = outcome(() => {
          const r = pricing.split(month, amount, toOre(amount), present);
          if (r.ore) {
            inOre += 1;
            expect(Array.from(r.ore, (o) => new Decimal(o).div(100).toFixed(2))).toEqual(r.split.shares.map((s) => s.amount.toFixed(2)));
          }
          return r.split;
        });
        expect(got).toEqual(expected);
      }),
      { numRuns: 4000 },
    );
    // Most cases are valid and small enough: the öre path must be the one that ran, not the fallback.
    expect(inOre).toBeGreaterThan(1500);
  });

  test('given one pricing over all twelve months, when split, then every month matches (weights and texts are kept between months)', () => {
    const participants: SplitParticipant[] = ['Ydre', 'Boxholm', 'Linköping'].map((name, i) => ({
      key: `e${i}`, member: `m${i}`, name, organisation: false, population: [3_700, 18_000, 120_000][i],
    }));
    const rules: PricingRule[] = [
      { kind: 'equal' },
      { kind: 'per-capita' },
      { kind: 'base-plus-per-capita', base: '1000.00' },
      { kind: 'tier-weighted', bands: [{ id: 's', label: 'S', max: 9_999, weight: '1' }, { id: 'l', label: 'L', min: 10_000, weight: '2.5' }] },
      { kind: 'price-list', bands: [{ id: 's', label: 'S', max: 9_999, price: '1000.00' }, { id: 'l', label: 'L', min: 10_000, price: '2000.00' }] },
    ];
    for (const rule of rules) {
      const pricing = new OrePricing(rule, participants);
      for (let month = 1; month <= 12; month++) {
        const present = month < 6 ? [0, 1, 2] : [0, 2];
        const amount = new Decimal(`${1000 + month}.0${month % 10}`);
        const r = pricing.split(month, amount, toOre(amount), present);
        expect(r.ore).toBeDefined();
        expect(shape(r.split)).toEqual(shape(splitMonth(rule, month, amount, present.map((i) => participants[i]))));
      }
    }
  });
});
