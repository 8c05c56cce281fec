import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineTrace } from '../../projections/trace';
import { billingFixture } from '../support/billing-fixture';

type Fixture = Awaited<ReturnType<typeof billingFixture>>;

/** The billing fixture with a price-list service established (bands: small < 100 000, large ≥ 100 000) and the given commands run. */
async function withPriceList(service: { serviceId: string; name: string; overheadRate: string; decisionRef: string; date: string; small: string; large: string }, commands: string[][]): Promise<Fixture> {
  const f = await billingFixture();
  const file = join(f.dir, `${service.serviceId}.json`);
  writeFileSync(file, JSON.stringify({
    serviceId: service.serviceId, name: service.name, area: 'Bibliotek', overheadRate: service.overheadRate, cadence: 'yearly', decisionRef: service.decisionRef, date: service.date,
    pricing: { kind: 'price-list', bands: [{ id: 'small', label: '< 100 000', max: 99999, price: service.small }, { id: 'large', label: '≥ 100 000', min: 100000, price: service.large }] },
  }));
  for (const args of [['service', 'establish', file], ...commands]) {
    const r = await f.run(...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
  }
  return f;
}

/**
 * A price list (Bibblix) has no budget to add overhead to: each participant pays its tier's yearly price.
 * What finance, a council and an auditor read of it says so, and never "budget 0,00 + påslag 5 %".
 */
describe('a price-list service, as its readers see it', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await withPriceList({ serviceId: 'bibblix', name: 'Bibblix', overheadRate: '0.05', decisionRef: 'Styrelsen 2023 §6', date: '2023-01-01', small: '22000.00', large: '42000.00' }, [
      ['enrolment', 'start', '--service', 'bibblix', '--member', '0180', '--from', '2024-01-01'],
      ['enrolment', 'start', '--service', 'bibblix', '--member', '1480', '--from', '2024-01-01'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-01-20'],
    ]);
  });

  test('split: the cost is the yearly prices added up, not a budget plus overhead', async () => {
    const r = await f.run('split', '--service', 'bibblix', '--year', '2024');
    expect(r.out.split('\n')[0]).toBe('Bibblix 2024 (budget): prislista, årspriserna för deltagarnas månader sammanlagt 64 000,00 kr');
    expect(r.out).not.toContain('påslag');
  });

  test('the invoice line stores that rule in its provenance, the trace words it without a budget, and a replay reproduces it', async () => {
    const invoices = await f.json<{ invoices: { number: string; buyer: string }[] }>('invoices', '--year', '2024');
    const lines: LineTrace[] = [];
    for (const inv of invoices.invoices.filter((i) => i.number.startsWith('T'))) {
      lines.push(...(await f.json<{ lines: LineTrace[] }>('trace', inv.number)).lines.filter((l) => l.line.serviceId === 'bibblix'));
    }
    expect(lines.map((l) => l.line.amount).sort()).toEqual(['22000.00', '42000.00']);
    for (const l of lines) {
      expect(l.stored.rule).toBe("price list by tier (small: 22000.00, large: 42000.00); cost = each participant's yearly price for its months in force, together 64000.00");
      expect(l.rule).toMatch(/^prislista efter storleksklass, årspris [\d\u00a0 ]+,00 kr, månad 1–12$/);
      expect(l.figures.find((x) => x.name === 'kostnad')?.note).toBe('deltagarnas årspriser för deras anslutna månader, summerade');
      expect(l.months?.every((m) => m.priceList)).toBe(true);
    }
    const number = invoices.invoices.find((i) => i.number.startsWith('T'))!.number;
    const text = (await f.run('trace', number)).out;
    expect(text).toContain('månad 1: prislista, inget delas; var och en betalar månadens del av sitt årspris (årspriserna sammanlagt 64 000,00 kr) ✓');
    // A split's months keep their amount and denominator.
    expect(text).toMatch(/månad 1: [\d ]+,\d\d kr, nämnare \d+ \(lagrad \d+\), Σ vikter \d+ ✓/);
    const replay = await f.run('replay', '--year', '2024', '--verify');
    expect(replay.code).toBe(0);
  });
});

/**
 * A member in force part of the year pays its yearly price for those months to the öre (rules 4): Malmö,
 * from 15 April at 16 000 kr a year, 9 months = 12 000,00 kr (by version 3, 11 999,98 kr).
 */
describe('a price-list member from April, as finance and an auditor see it', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await withPriceList({ serviceId: 'lasfront', name: 'Läsfrämjande', overheadRate: '0', decisionRef: 'Styrelsen 2024 §2', date: '2024-01-01', small: '16000.00', large: '30000.00' }, [
      ['enrolment', 'start', '--service', 'lasfront', '--member', '1280', '--from', '2024-04-15'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-04-20'],
    ]);
  });

  test('given 16 000 kr a year from April, when invoiced, then the line is 12 000,00 kr, and its trace recomputes it month by month with nothing to remark', async () => {
    const invoices = await f.json<{ invoices: { number: string; buyer: string }[] }>('invoices', '--year', '2024');
    const traces: LineTrace[] = [];
    for (const inv of invoices.invoices.filter((i) => i.number.startsWith('T'))) {
      traces.push(...(await f.json<{ lines: LineTrace[] }>('trace', inv.number)).lines.filter((l) => l.line.serviceId === 'lasfront'));
    }
    expect(traces.map((l) => l.line.amount)).toEqual(['12000.00']);
    // The line names the months it bills, not only its period (rules 4).
    expect(traces[0].line.description).toBe('Läsfrämjande a conto 2024, april–december');
    const [t] = traces;
    expect(t.matches).toBe(true);
    expect(t.problems).toEqual([]);
    expect(t.months?.map((m) => m.share)).toEqual(['1333.33', '1333.34', '1333.33', '1333.33', '1333.34', '1333.33', '1333.33', '1333.34', '1333.33']);
    const april = t.derivation.children?.find((c) => c.label === 'andel månad 4');
    expect(april?.formula).toMatch(/^årspris 16\s000,00 kr × 4\/12 − årspris × 3\/12, vardera avrundat till öre$/);
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(0);
  });
});

describe('a price-list member leaving after a year billed in advance, as an auditor traces its settlement', () => {
  test('given Malmö billed April–December and ending in September, when settled, then the credit note traces each month by the price, not by a cost and a denominator of zero', async () => {
    const f = await withPriceList({ serviceId: 'lasfront', name: 'Läsfrämjande', overheadRate: '0', decisionRef: 'Styrelsen 2024 §2', date: '2024-01-01', small: '16000.00', large: '30000.00' }, [
      ['enrolment', 'start', '--service', 'lasfront', '--member', '1280', '--from', '2024-04-15'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-04-20'],
      ['enrolment', 'end', '--service', 'lasfront', '--enrolment', '212000-1124-2024-04-15', '--to', '2024-09-30'],
      ['cost', 'record', '--service', 'lasfront', '--year', '2024', '--amount', '1000.00', '--supplier', 'L', '--reference', 'B24', '--date', '2024-12-20'],
      ['settle', '--service', 'lasfront', '--year', '2024', '--date', '2024-12-31'],
    ]);
    const [t] = (await f.json<{ lines: LineTrace[] }>('trace', 'TK2024-0001')).lines;
    // Billed 12 000,00 (April–December); owed 16 000 × 9/12 − 16 000 × 3/12 = 8 000,00 (April–September).
    expect(t.line.amount).toBe('4000.00');
    expect(t.matches).toBe(true);
    expect(t.rule).not.toMatch(/utfall [\d\s]+,\d\d × /);
    const share = t.derivation.children?.find((c) => c.label === 'andel av utfallet');
    expect(share?.children?.filter((c) => c.label.startsWith('andel månad')).map((c) => c.formula)).toEqual(
      [4, 5, 6, 7, 8, 9].map((m) => expect.stringMatching(new RegExp(`^årspris 16\\s000,00 kr × ${m}/12 − årspris × ${m - 1}/12, vardera avrundat till öre$`))),
    );
  });

  test('given no supplier cost recorded, when the price list is settled, then it credits the same 4 000,00 kr: its prices, not a cost, are what each member owes', async () => {
    const f = await withPriceList({ serviceId: 'lasfront', name: 'Läsfrämjande', overheadRate: '0', decisionRef: 'Styrelsen 2024 §2', date: '2024-01-01', small: '16000.00', large: '30000.00' }, [
      ['enrolment', 'start', '--service', 'lasfront', '--member', '1280', '--from', '2024-04-15'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-04-20'],
      ['enrolment', 'end', '--service', 'lasfront', '--enrolment', '212000-1124-2024-04-15', '--to', '2024-09-30'],
    ]);
    const settled = await f.run('settle', '--service', 'lasfront', '--year', '2024', '--date', '2024-12-31');
    expect(settled.err).not.toContain('utfall');
    expect(settled.code).toBe(0);
    const [t] = (await f.json<{ lines: LineTrace[] }>('trace', 'TK2024-0001')).lines;
    expect([t.line.amount, t.matches]).toEqual(['4000.00', true]);
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(0);
  });
});
