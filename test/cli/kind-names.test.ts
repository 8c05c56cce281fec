import { billingFixture } from '../support/billing-fixture';

describe('member and invoice kinds read in Swedish in tables, as codes in --json', () => {
  test('members: kommun and region; invoices: medlemsavgift and a conto', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const members = (await f.run('members', '--at', '2024-06-30')).out;
    expect(members).toMatch(/Stockholms stad\s+│ kommun\s+│/);
    expect(members).toMatch(/Region Stockholm\s+│ region\s+│/);
    expect(members).not.toContain('municipality');
    const invoices = (await f.run('invoices', '--year', '2024')).out;
    expect(invoices).toMatch(/│ M2024-0001 │ medlemsavgift │/);
    expect(invoices).toMatch(/│ T2024-0001 │ a conto\s+│/);
    expect(invoices).not.toMatch(/membership|a-conto/);
    const json = await f.json<{ invoices: { number: string; kind: string }[] }>('invoices', '--year', '2024');
    expect(new Set(json.invoices.map((i) => i.kind))).toEqual(new Set(['membership', 'a-conto']));
    const register = await f.json<{ members: { kind: string }[] }>('members', '--at', '2024-06-30');
    expect(new Set(register.members.map((m) => m.kind))).toEqual(new Set(['municipality', 'region']));
  });
});
