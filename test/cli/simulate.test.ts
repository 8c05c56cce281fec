import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { billingFixture } from '../support/billing-fixture';

type Fixture = Awaited<ReturnType<typeof billingFixture>>;

const ok = (f: Fixture) => async (...args: string[]) => {
  const r = await f.run(...args);
  if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
  return r;
};

/**
 * A price list's cost is what its participants' prices add up to, so a scenario that adds one changes
 * the cost itself; a council reading the text must see both, not today's cost alone.
 */
describe('simulate on a price-list service: the scenario\'s cost beside today\'s', () => {
  test('given Stockholm (42 000) and Göteborg (22 000), when Malmö (22 000) is added, then the text and --json give 64 000,00 now and 86 000,00 in the scenario', async () => {
    const f = await billingFixture();
    const file = join(f.dir, 'bibblix.json');
    writeFileSync(file, JSON.stringify({
      serviceId: 'bibblix', name: 'Bibblix', area: 'Bibliotek', overheadRate: '0.05', cadence: 'yearly', decisionRef: 'Styrelsen 2023 §6', date: '2023-01-01',
      pricing: { kind: 'price-list', bands: [{ id: 'small', label: '< 100 000', max: 99999, price: '22000.00' }, { id: 'large', label: '≥ 100 000', min: 100000, price: '42000.00' }] },
    }));
    const run = ok(f);
    await run('service', 'establish', file);
    await run('enrolment', 'start', '--service', 'bibblix', '--member', '0180', '--from', '2024-01-01');
    await run('enrolment', 'start', '--service', 'bibblix', '--member', '1480', '--from', '2024-01-01');
    const text = await run('simulate', '--service', 'bibblix', '--year', '2024', '--kommun', '1280');
    expect(text.out.split('\n')[0]).toBe('Bibblix 2024: kostnad nu 64 000,00 kr, i scenariot 86 000,00 kr (simulering, inget sparas)');
    const sim = await f.json<{ cost: string; costScenario: string; totalNow: string; totalScenario: string }>('simulate', '--service', 'bibblix', '--year', '2024', '--kommun', '1280');
    expect(sim).toMatchObject({ cost: '64000.00', costScenario: '86000.00', totalNow: '64000.00', totalScenario: '86000.00' });
  });
});
