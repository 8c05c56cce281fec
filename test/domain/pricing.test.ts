import fc from 'fast-check';
import Decimal from 'decimal.js';
import { bandOf, MonthSplit, PricingError, PricingRule, SplitParticipant, splitMonth, TierBand, validateRule } from '../../domain/pricing';
import { sum } from '../../domain/money';
import { MONTHS } from '../../domain/proration';

const d = (s: string): Decimal => new Decimal(s);

const municipality = (key: string, name: string, population: number | null): SplitParticipant => ({
  key,
  member: `21200${key.padStart(5, '0').slice(-5)}`,
  name,
  organisation: false,
  population,
});
const organisation = (key: string, name: string): SplitParticipant => ({ key, member: `80200${key.padStart(5, '0').slice(-5)}`, name, organisation: true, population: null });

const small = municipality('e1', 'Ydre', 3_700);
const mid = municipality('e2', 'Boxholm', 18_000);
const large = municipality('e3', 'Linköping', 120_000);
const org = organisation('e4', 'Kommunförbundet');

const bands = [
  { id: 'small', label: 'under 10 000', max: 9_999, weight: '1' },
  { id: 'mid', label: '10 000–49 999', min: 10_000, max: 49_999, weight: '2' },
  { id: 'large', label: '50 000 and more', min: 50_000, weight: '4' },
];
const tierWeighted: PricingRule = { kind: 'tier-weighted', bands };

const lines = (s: MonthSplit): [string, string][] => s.shares.map((l) => [l.key, l.amount.toFixed(2)]);
const balances = (s: MonthSplit): boolean => sum(s.shares.map((l) => l.amount)).plus(s.unallocated).equals(s.amount);

describe('bandOf', () => {
  test('given inclusive bounds, when a population sits on a boundary, then it belongs to the band that names it', () => {
    expect(bandOf(bands, municipality('x', 'A', 9_999))?.id).toBe('small');
    expect(bandOf(bands, municipality('x', 'A', 10_000))?.id).toBe('mid');
    expect(bandOf(bands, municipality('x', 'A', 49_999))?.id).toBe('mid');
    expect(bandOf(bands, municipality('x', 'A', 50_000))?.id).toBe('large');
    expect(bandOf(bands, municipality('x', 'A', 0))?.id).toBe('small');
  });

  test('given an organisation band, then it holds organisations only, and population bands never hold organisations', () => {
    const withOrg: TierBand[] = [...bands, { id: 'org', label: 'organisations', organisation: true }];
    expect(bandOf(withOrg, org)?.id).toBe('org');
    expect(bandOf(bands, org)).toBeUndefined();
    expect(bandOf([{ id: 'org', label: 'organisations', organisation: true }], small)).toBeUndefined();
  });

  test('given a municipality with unknown population, then no population band holds it', () => {
    expect(bandOf(bands, municipality('x', 'A', null))).toBeUndefined();
  });
});

describe('splitMonth — equal', () => {
  test('given 100.00 and three participants, when split equally, then the odd öre goes to the smallest key', () => {
    const split = splitMonth({ kind: 'equal' }, 1, d('100.00'), [large, small, mid], 'largest-remainder');
    expect(lines(split)).toEqual([
      ['e3', '33.33'],
      ['e1', '33.34'],
      ['e2', '33.33'],
    ]);
    expect(split.denominator.toString()).toBe('3');
    expect(split.shares[0].basis).toBe('equal weight 1 of 3');
    expect(split.unallocated.isZero()).toBe(true);
  });
});

describe('splitMonth — tier-weighted', () => {
  test('given 1 260 000.00 a year (105 000.00 a month) and weights 1/2/4, when split, then each pays its weight of 7', () => {
    const split = splitMonth(tierWeighted, 3, d('105000.00'), [small, mid, large], 'largest-remainder');
    expect(lines(split)).toEqual([
      ['e1', '15000.00'],
      ['e2', '30000.00'],
      ['e3', '60000.00'],
    ]);
    expect(split.shares.map((l) => l.band)).toEqual(['small', 'mid', 'large']);
    expect(split.shares[1].basis).toBe('weight 2 of 7');
    expect(split.denominator.toString()).toBe('7');
  });

  test('given a participant no band holds, when split, then PricingError names it and its population', () => {
    const gap: PricingRule = { kind: 'tier-weighted', bands: [bands[0], bands[2]] };
    expect(() => splitMonth(gap, 1, d('100.00'), [small, mid], 'largest-remainder')).toThrow(PricingError);
    expect(() => splitMonth(gap, 1, d('100.00'), [small, mid], 'largest-remainder')).toThrow('vikttabellen har ingen nivå för Boxholm (folkmängd 18 000)');
    expect(() => splitMonth(tierWeighted, 1, d('100.00'), [small, org], 'largest-remainder')).toThrow('vikttabellen har ingen nivå för Kommunförbundet (organisation)');
  });

  test('given an organisation band, when an organisation takes part, then it pays by that band', () => {
    const rule: PricingRule = { kind: 'tier-weighted', bands: [...bands, { id: 'org', label: 'organisations', organisation: true, weight: '0.5' }] };
    expect(lines(splitMonth(rule, 1, d('55.00'), [small, org], 'largest-remainder'))).toEqual([
      ['e1', '36.67'],
      ['e4', '18.33'],
    ]);
  });

  test('given every participant in a zero-weight band, when there is money to split, then PricingError rather than a silent loss', () => {
    const rule: PricingRule = { kind: 'tier-weighted', bands: [{ id: 'all', label: 'all', weight: '0' }] };
    expect(() => splitMonth(rule, 1, d('10.00'), [small, mid], 'largest-remainder')).toThrow(/vikten 0/);
    expect(splitMonth(rule, 1, d('0.00'), [small, mid], 'largest-remainder').shares.map((l) => l.amount.toFixed(2))).toEqual(['0.00', '0.00']);
  });
});

describe('splitMonth — per-capita', () => {
  test('given populations 3 700 / 18 000 / 120 000, when 1 000.00 is split, then each pays its population share to the öre', () => {
    const split = splitMonth({ kind: 'per-capita' }, 6, d('1000.00'), [small, mid, large], 'largest-remainder');
    // Exact öre: 2611.15, 12702.89, 84685.96 → floors sum 99998; the 2 öre go to the .96 and .89 remainders.
    expect(lines(split)).toEqual([
      ['e1', '26.11'],
      ['e2', '127.03'],
      ['e3', '846.86'],
    ]);
    expect(split.shares[1].basis).toBe('population 18 000 of 141 700');
    expect(balances(split)).toBe(true);
  });

  test('given a participant without population, when split per capita, then PricingError names it', () => {
    expect(() => splitMonth({ kind: 'per-capita' }, 1, d('10.00'), [small, municipality('e9', 'Okänd', null)], 'largest-remainder')).toThrow(
      /kräver en folkmängd för Okänd/,
    );
    expect(() => splitMonth({ kind: 'per-capita' }, 1, d('10.00'), [small, org], 'largest-remainder')).toThrow(PricingError);
  });
});

describe('splitMonth — base-plus-per-capita', () => {
  const rule: PricingRule = { kind: 'base-plus-per-capita', base: '12000.00' };
  const a = municipality('a', 'A', 10_000);
  const b = municipality('b', 'B', 30_000);
  const c = municipality('c', 'C', 30_000);

  test('given a base of 12 000.00 a year, when 10 000.00 is split, then each pays 1 000.00 and the 7 000.00 rest goes per capita', () => {
    const split = splitMonth(rule, 5, d('10000.00'), [a, b, c], 'largest-remainder');
    expect(lines(split)).toEqual([
      ['a', '2000.00'],
      ['b', '4000.00'],
      ['c', '4000.00'],
    ]);
    expect(split.shares[0].basis).toBe('base 1000.00 + population 10 000 of 70 000');
    expect(balances(split)).toBe(true);
  });

  test('given a base that does not divide by twelve, when split, then the base for the month follows monthlyAmounts', () => {
    const odd: PricingRule = { kind: 'base-plus-per-capita', base: '1000.00' }; // 83.34 in months 1–4, 83.33 after
    expect(lines(splitMonth(odd, 1, d('166.68'), [a, b], 'largest-remainder'))).toEqual([
      ['a', '83.34'],
      ['b', '83.34'],
    ]);
    expect(lines(splitMonth(odd, 12, d('166.68'), [a, b], 'largest-remainder'))).toEqual([
      ['a', '83.34'], // 83.33 base + 0.01 of the 0.02 rest (remainders tie at .5, key order)
      ['b', '83.34'],
    ]);
  });

  test('given a month amount below the bases, when split, then PricingError', () => {
    expect(() => splitMonth(rule, 1, d('2999.99'), [a, b, c], 'largest-remainder')).toThrow(/beloppet 2.999,99 kr är mindre än grundavgifterna 3.000,00 kr/);
  });
});

describe('splitMonth — price-list', () => {
  const rule: PricingRule = {
    kind: 'price-list',
    bands: [
      { id: 'small', label: 'under 10 000', max: 9_999, price: '6000.00' },
      { id: 'large', label: '10 000 and more', min: 10_000, price: '1000.00' },
      { id: 'org', label: 'organisations', organisation: true, price: '3000.00' },
    ],
  };

  test('given band prices, when a month is priced, then each owes a twelfth of its price whatever the amount', () => {
    const split = splitMonth(rule, 2, d('99999.00'), [small, large, org], 'largest-remainder');
    expect(lines(split)).toEqual([
      ['e1', '500.00'],
      ['e3', '83.34'],
      ['e4', '250.00'],
    ]);
    expect(split.shares.map((l) => l.band)).toEqual(['small', 'large', 'org']);
    expect(split.unallocated.isZero()).toBe(true);
  });

  test('given a price, when all twelve months are priced, then they add up to the yearly price exactly', () => {
    const months = MONTHS.map((m) => splitMonth(rule, m, d('0.00'), [large], 'largest-remainder').shares[0].amount);
    expect(sum(months).toFixed(2)).toBe('1000.00');
  });

  test('given a participant no band holds, when priced, then PricingError names it', () => {
    expect(() => splitMonth({ kind: 'price-list', bands: [rule.bands[0]] }, 1, d('0.00'), [mid], 'largest-remainder')).toThrow(
      'prislistan har ingen nivå för Boxholm (folkmängd 18 000)',
    );
  });

  test('given no participants, when priced, then nothing is owed and nothing is unallocated', () => {
    const split = splitMonth(rule, 1, d('500.00'), [], 'largest-remainder');
    expect(split.shares).toEqual([]);
    expect(split.unallocated.isZero()).toBe(true);
  });
});

describe('splitMonth — no participants and bad input', () => {
  test.each<[string, PricingRule]>([
    ['equal', { kind: 'equal' }],
    ['tier-weighted', tierWeighted],
    ['per-capita', { kind: 'per-capita' }],
    ['base-plus-per-capita', { kind: 'base-plus-per-capita', base: '12000.00' }],
  ])('given the %s rule and a month with no participants, when split, then the whole amount stays unallocated', (_name, rule) => {
    const split = splitMonth(rule, 7, d('4321.09'), [], 'largest-remainder');
    expect(split.shares).toEqual([]);
    expect(split.unallocated.toFixed(2)).toBe('4321.09');
    expect(balances(split)).toBe(true);
  });

  test('given a bad month, a fraction of an öre or a repeated key, when split, then PricingError', () => {
    expect(() => splitMonth({ kind: 'equal' }, 0, d('1.00'), [small], 'largest-remainder')).toThrow(/månad 0/);
    expect(() => splitMonth({ kind: 'equal' }, 1, d('1.001'), [small], 'largest-remainder')).toThrow(/helt antal öre/);
    expect(() => splitMonth({ kind: 'equal' }, 1, d('1.00'), [small, small], 'largest-remainder')).toThrow(/förekommer två gånger/);
  });
});

describe('validateRule', () => {
  test('given valid rules, then it accepts them', () => {
    expect(() => validateRule(tierWeighted)).not.toThrow();
    expect(() => validateRule({ kind: 'equal' })).not.toThrow();
    expect(() => validateRule({ kind: 'base-plus-per-capita', base: '0' })).not.toThrow();
  });

  test.each<[string, PricingRule, RegExp]>([
    ['a negative weight', { kind: 'tier-weighted', bands: [{ ...bands[0], weight: '-1' }] }, /får inte vara mindre än noll/],
    ['a weight with a decimal comma', { kind: 'tier-weighted', bands: [{ ...bands[0], weight: '1,5' }] }, /vikten för nivån "small"/],
    ['a negative base', { kind: 'base-plus-per-capita', base: '-12000.00' }, /grundavgiften får inte vara mindre än noll/],
    ['a price with three decimals', { kind: 'price-list', bands: [{ id: 'a', label: 'A', price: '1.005' }] }, /priset för nivån "a"/],
    ['a repeated tier id', { kind: 'tier-weighted', bands: [bands[0], { ...bands[1], id: 'small' }] }, /nivån "small" förekommer två gånger/],
    ['overlapping tiers', { kind: 'tier-weighted', bands: [bands[0], { ...bands[1], min: 9_999 }] }, /"small" och "mid" överlappar/],
    ['two open-ended tiers', { kind: 'tier-weighted', bands: [{ ...bands[2], id: 'x', min: 100 }, bands[2]] }, /överlappar/],
    ['a tier ending before it starts', { kind: 'tier-weighted', bands: [{ id: 'a', label: 'A', min: 10, max: 5, weight: '1' }] }, /slutar \(5\) innan den börjar \(10\)/],
    ['a fractional bound', { kind: 'tier-weighted', bands: [{ id: 'a', label: 'A', max: 9.5, weight: '1' }] }, /heltal på noll eller mer/],
    [
      'two organisation tiers',
      { kind: 'price-list', bands: [{ id: 'o1', label: 'O', organisation: true, price: '1' }, { id: 'o2', label: 'O', organisation: true, price: '1' }] },
      /mer än en organisationsnivå/,
    ],
    ['an organisation tier with bounds', { kind: 'price-list', bands: [{ id: 'o', label: 'O', organisation: true, min: 1, price: '1' }] }, /kan inte ha gränser för folkmängd/],
  ])('given %s, then PricingError', (_name, rule, message) => {
    expect(() => validateRule(rule)).toThrow(PricingError);
    expect(() => validateRule(rule)).toThrow(message);
  });

  test('given an invalid rule, when a month is split with it, then the rule is refused before any money moves', () => {
    expect(() => splitMonth({ kind: 'base-plus-per-capita', base: 'abc' }, 1, d('1.00'), [small], 'largest-remainder')).toThrow(PricingError);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property: every split places every öre.

const oreArb = (min: bigint, max: bigint): fc.Arbitrary<Decimal> => fc.bigInt({ min, max }).map((n) => new Decimal(n.toString()).dividedBy(100));
const positiveWeightArb = oreArb(1n, 100_000n).map((w) => w.toFixed(2));

// Contiguous bands from 0 with an open-ended last one plus an organisation band, so every participant has a tier.
const tierRuleArb: fc.Arbitrary<PricingRule> = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 5 }), fc.array(positiveWeightArb, { minLength: 7, maxLength: 7 }))
  .map(([cuts, weights]) => {
    const starts = [0, ...cuts.sort((a, b) => a - b)];
    const ranged = starts.map((min, i) => ({
      id: `t${i}`,
      label: `tier ${i}`,
      min,
      ...(i < starts.length - 1 ? { max: starts[i + 1] - 1 } : {}),
      weight: weights[i],
    }));
    return { kind: 'tier-weighted', bands: [...ranged, { id: 'org', label: 'organisations', organisation: true, weight: weights[6] }] };
  });

const participantsArb = (withOrganisations: boolean): fc.Arbitrary<SplitParticipant[]> =>
  fc
    .uniqueArray(
      fc.record({ key: fc.string({ maxLength: 5 }), population: fc.integer({ min: 1, max: 1_000_000 }), organisation: withOrganisations ? fc.boolean() : fc.constant(false) }),
      { maxLength: 20, selector: (p) => p.key },
    )
    .map((ps) =>
      ps.map((p, i) => ({ key: p.key, member: `m${i}`, name: `P${i}`, organisation: p.organisation, population: p.organisation ? null : p.population })),
    );

const caseArb = fc.oneof(
  fc.record({ rule: fc.constant<PricingRule>({ kind: 'equal' }), participants: participantsArb(true), amount: oreArb(-(10n ** 11n), 10n ** 11n) }),
  fc.record({ rule: tierRuleArb, participants: participantsArb(true), amount: oreArb(-(10n ** 11n), 10n ** 11n) }),
  fc.record({ rule: fc.constant<PricingRule>({ kind: 'per-capita' }), participants: participantsArb(false), amount: oreArb(-(10n ** 11n), 10n ** 11n) }),
  fc
    .record({ base: oreArb(0n, 10n ** 8n), participants: participantsArb(false), extra: oreArb(0n, 10n ** 11n) })
    // The amount covers the bases so the split is possible: 12 × the largest monthly base per participant is plenty.
    .map(({ base, participants, extra }) => ({
      rule: { kind: 'base-plus-per-capita', base: base.toFixed(2) } as PricingRule,
      participants,
      amount: base.dividedBy(12).toDecimalPlaces(2, Decimal.ROUND_UP).times(participants.length).plus(extra),
    })),
);

describe('splitMonth — property', () => {
  test('given any split rule, participants and amount, when a month is split, then shares plus unallocated equal the amount exactly', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 12 }), ({ rule, participants, amount }, month) => {
        const split = splitMonth(rule, month, amount, participants, 'largest-remainder');
        expect(balances(split)).toBe(true);
        expect(split.shares.map((l) => l.key)).toEqual(participants.map((p) => p.key));
        expect(split.shares.every((l) => l.amount.decimalPlaces() <= 2)).toBe(true);
        expect(split.unallocated.isZero()).toBe(participants.length > 0 || amount.isZero());
      }),
      { numRuns: 2000 },
    );
  });

  test('given any price and month, when priced by a price list, then the twelve months sum to the yearly price', () => {
    fc.assert(
      fc.property(oreArb(0n, 10n ** 12n), (price) => {
        const rule: PricingRule = { kind: 'price-list', bands: [{ id: 'all', label: 'all', price: price.toFixed(2) }] };
        const months = MONTHS.map((m) => splitMonth(rule, m, d('0'), [small], 'largest-remainder').shares[0].amount);
        expect(sum(months).equals(price)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
