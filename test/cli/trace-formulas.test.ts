import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineTrace } from '../../projections/trace';
import { billingFixture } from '../support/billing-fixture';

/** Each month's share in a trace is worked out by a formula whose result is the share, in its rule's words. */
describe('a trace\'s month formulas, as an auditor checks them by hand', () => {
  test('given a fixed base plus the rest per capita, when traced, then a month is the base plus the rest after every base × population / Σ population', async () => {
    const f = await billingFixture();
    const file = join(f.dir, 'provisum.json');
    writeFileSync(file, JSON.stringify({
      serviceId: 'provisum', name: 'Provisum', area: 'Arkiv', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01',
      pricing: { kind: 'base-plus-per-capita', base: '12000.00' },
    }));
    for (const args of [
      ['service', 'establish', file],
      ['budget', 'decide', '--service', 'provisum', '--year', '2024', '--line', 'Drift=120000.00', '--decided-on', '2023-11-15', '--minutes', 'FR §1'],
      ['enrolment', 'start', '--service', 'provisum', '--member', '0180', '--from', '2024-01-01'],
      ['enrolment', 'start', '--service', 'provisum', '--member', '1480', '--from', '2024-01-01'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-01-20'],
    ]) expect((await f.run(...args)).code).toBe(0);
    const invoices = await f.json<{ invoices: { number: string; buyer: string }[] }>('invoices', '--year', '2024');
    const stockholm = invoices.invoices.find((i) => i.number.startsWith('T') && i.buyer === '212000-0142')!;
    const line = (await f.json<{ lines: LineTrace[] }>('trace', stockholm.number)).lines.find((l) => l.line.serviceId === 'provisum')!;
    // 120 000 a year = 10 000 a month; two bases of 1 000; the rest 8 000 × 900 000 / 960 000 = 7 500.
    expect(line.line.amount).toBe('102000.00');
    const january = line.derivation.children?.find((c) => c.label === 'andel månad 1');
    expect(january?.formula).toMatch(/^grundbelopp 1\s000,00 kr \+ \(10\s000,00 kr − 2 × 1\s000,00 kr\) × 900000\/960000 = 1\s000,00 kr \+ 7500, till öre enligt största-restmetoden$/);
    expect(january?.value).toMatch(/^8\s500,00 kr$/);
  });
});
