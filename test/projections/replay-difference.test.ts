import { differingExcerpts } from '../../projections/replay';

describe('a replay difference, as verify prints it', () => {
  test('given two short values, then both are shown whole', () => {
    expect(differingExcerpts('"1.00"', '"2.00"')).toBe('lagrat "1.00", omräknat "2.00"');
  });

  test('given two long texts that differ after a long common beginning, then each is shown from shortly before the first difference, which is named', () => {
    const common = '"year-end settlement: tier-weighted split (small: 1, mid: 2, large: 4); cost = actual ';
    const got = differingExcerpts(`${common}6240000.00 × (1 + 0.05) = 6552000.00"`, `${common}6240001.00 × (1 + 0.05) = 6552001.05"`);
    expect(got).toContain('6240000.00');
    expect(got).toContain('6240001.00');
    expect(got).toMatch(/^lagrat …/);
    expect(got).toContain(`(skiljer från tecken ${common.length + 7})`);
  });

  test('given a long text and a short one that differ at once, then both are cut from the beginning', () => {
    const got = differingExcerpts(`"${'a'.repeat(200)}"`, '"b"');
    expect(got).toBe(`lagrat "${'a'.repeat(79)}…, omräknat "b"`);
  });
});
