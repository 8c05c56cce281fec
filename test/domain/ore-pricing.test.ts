import fc from 'fast-check';
import Decimal from 'decimal.js';
import { OreDecimals, oreDecimal, oreText, toOre } from '../../domain/ore';
import { OrePricing } from '../../domain/ore-pricing';
import { type PricingRule, splitMonth, type SplitParticipant } from '../../domain/pricing';
import type { YearlySpread } from '../../domain/proration';
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
  spread: fc.constantFrom<YearlySpread>('largest-remainder', 'cumulative'),
  amount: fc.tuple(fc.oneof({ weight: 4, arbitrary: amountArb(7) }, { weight: 1, arbitrary: amountArb(17) }), fc.boolean()).map(([a, neg]) => new Decimal(a).times(neg ? -1 : 1)),
});

describe('OrePricing — splitMonth in whole öre', () => {
  test('given any rule, participants, month and amount, when split, then the month is splitMonth\'s to the last digit, or its error', () => {
    let inOre = 0;
    fc.assert(
      fc.property(caseArb, ({ rule, participants, presentMask, month, amount, spread }) => {
        const present = participants.map((_, i) => i).filter((i) => presentMask[i]);
        const pricing = new OrePricing(rule, participants, spread);
        const expected = outcome(() => splitMonth(rule, month, amount, present.map((i) => participants[i]), spread));
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
    for (const [rule, spread] of rules.flatMap((r) => (['largest-remainder', 'cumulative'] as const).map((sp) => [r, sp] as const))) {
      const pricing = new OrePricing(rule, participants, spread);
      for (let month = 1; month <= 12; month++) {
        const present = month < 6 ? [0, 1, 2] : [0, 2];
        const amount = new Decimal(`${1000 + month}.0${month % 10}`);
        const r = pricing.split(month, amount, toOre(amount), present);
        expect(r.ore).toBeDefined();
        expect(shape(r.split)).toEqual(shape(splitMonth(rule, month, amount, present.map((i) => participants[i]), spread)));
      }
    }
  });

  test('given every month split in öre first, when the lines are asked for afterwards, then each month is what split gives at once', () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }), { minLength: 12, maxLength: 12 }), ({ rule, participants, amount, spread }, masks) => {
        const amountOre = toOre(amount);
        if (amountOre === undefined) return;
        const presentIn = (m: number) => participants.map((_, i) => i).filter((i) => masks[m - 1][i]);
        const early = new OrePricing(rule, participants, spread);
        const months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => ({ m, ore: early.ore(m, amountOre, presentIn(m)) }));
        const late = months.map(({ m, ore }) => (ore ? shape(early.monthSplit(m, amount, presentIn(m), ore)) : undefined));
        const atOnce = new OrePricing(rule, participants, spread);
        months.forEach(({ m, ore }, i) => {
          if (ore) expect(late[i]).toEqual(shape(atOnce.split(m, amount, amountOre, presentIn(m)).split));
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('oreDecimal — a Decimal of kronor from whole öre, as the text would give it', () => {
  const asText = (ore: number) => new Decimal(oreText(ore));

  test('given any safe integer of öre, then the Decimal has the sign, exponent, digits and text of the parsed kronor text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.constantFrom(0, 1, -1, 99, 100, 101, 1e9, 1e9 + 1, 9e15, 2 ** 53 - 1, -(2 ** 53 - 1))),
        (ore) => {
          const d = oreDecimal(ore);
          expect(shape(d)).toEqual(shape(asText(ore)));
          expect(d.toString()).toBe(asText(ore).toString());
          expect(d.toFixed(2)).toBe(oreText(ore));
          expect(d.constructor).toBe(Decimal);
        },
      ),
      { numRuns: 5000 },
    );
  });

  test('given amounts around every word boundary of decimal.js (10^7 kronor), then they still match the text', () => {
    for (const kronor of [0, 1, 9_999_999, 10_000_000, 10_000_001, 99_999_999_999, 10_000_000_000_000, 90_071_992_547_409]) {
      for (const ore of [0, 1, 10, 50, 99]) {
        const n = kronor * 100 + ore;
        if (!Number.isSafeInteger(n)) continue;
        expect(shape(oreDecimal(n))).toEqual(shape(asText(n)));
        expect(shape(oreDecimal(-n))).toEqual(shape(asText(-n)));
      }
    }
  });

  test('given zero, either sign, then it is +0 as allocate makes it, never -0', () => {
    expect(shape(oreDecimal(0))).toEqual(shape(new Decimal(0)));
    expect(shape(oreDecimal(-0))).toEqual(shape(new Decimal(0)));
  });

  test('given arithmetic on the Decimal, then it computes as the parsed one does', () => {
    const d = oreDecimal(1_234_567_890_123);
    const t = asText(1_234_567_890_123);
    expect(d.plus('0.01').toString()).toBe(t.plus('0.01').toString());
    expect(d.times(3).div(7).toString()).toBe(t.times(3).div(7).toString());
    expect(d.eq(t)).toBe(true);
  });

  test('given OreDecimals, when asked twice for an amount, then both answers are one Decimal (they are immutable)', () => {
    const decimals = new OreDecimals();
    expect(decimals.of(12_345)).toBe(decimals.of(12_345));
    expect(decimals.of(12_345).toFixed(2)).toBe('123.45');
  });
});
