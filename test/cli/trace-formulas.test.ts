import type { LineTrace } from '../../projections/trace';
import { billingFixture, establishService } from '../support/billing-fixture';

/** Each month's share in a trace is worked out by a formula whose result is the share, in its rule's words. */
describe('a trace\'s month formulas, as an auditor checks them by hand', () => {
  test('given a fixed base plus the rest per capita, when traced, then a month is the base plus the rest after every base × population / Σ population', async () => {
    const { line } = await tracedLine({
      serviceId: 'provisum', name: 'Provisum', area: 'Arkiv', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01',
      pricing: { kind: 'base-plus-per-capita', base: '12000.00' },
    }, [
      ['budget', 'decide', '--service', 'provisum', '--year', '2024', '--line', 'Drift=120000.00', '--decided-on', '2023-11-15', '--minutes', 'FR §1'],
      ['enrolment', 'start', '--service', 'provisum', '--member', '0180', '--from', '2024-01-01'],
      ['enrolment', 'start', '--service', 'provisum', '--member', '1480', '--from', '2024-01-01'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-01-20'],
    ], '212000-0142');
    // 120 000 a year = 10 000 a month; two bases of 1 000; the rest 8 000 × 900 000 / 960 000 = 7 500.
    expect(line.line.amount).toBe('102000.00');
    const january = line.derivation.children?.find((c) => c.label === 'andel månad 1');
    expect(january?.formula).toBe('grundbelopp 1 000,00 kr + (10 000,00 kr − 2 × 1 000,00 kr) × 900 000/960 000 = 1 000,00 kr + 7 500, till öre enligt största-restmetoden');
    expect(january?.value).toMatch(/^8\s500,00 kr$/);
  });
});

/**
 * `service` established on the billing fixture, `commands` run after it (budget, enrolments, the invoice
 * run), and `buyer`'s line of the service on its T invoice, traced as --json gives it.
 */
async function tracedLine(service: { serviceId: string } & Record<string, unknown>, commands: string[][], buyer: string) {
  const f = await billingFixture();
  await establishService(f, service);
  for (const args of commands) expect((await f.run(...args)).code).toBe(0);
  const invoices = await f.json<{ invoices: { number: string; buyer: string }[] }>('invoices', '--year', '2024');
  const invoice = invoices.invoices.find((i) => i.number.startsWith('T') && i.buyer === buyer)!;
  const line = (await f.json<{ lines: LineTrace[] }>('trace', invoice.number)).lines.find((l) => l.line.serviceId === service.serviceId)!;
  return { f, invoice, line };
}

/**
 * Multifråga, tier-weighted 1/2/4, with `service` (overhead rate and cadence), `budget` for 2024, Stockholm
 * enrolled from 1 January and Göteborg from `goteborgFrom`, invoiced for `period`: Stockholm's line, traced.
 */
async function tracedMultiLine(service: { overheadRate: string; cadence: string }, budget: string, goteborgFrom: string, period: string) {
  const { f, invoice: stockholm, line } = await tracedLine({
    serviceId: 'multi', name: 'Multifråga', area: 'Kundtjänst', ...service, decisionRef: 'S', date: '2024-01-01',
    pricing: { kind: 'tier-weighted', bands: [{ id: 's', label: '< 10 000', max: 9999, weight: '1' }, { id: 'm', label: '10 000 – 100 000', min: 10000, max: 100000, weight: '2' }, { id: 'l', label: '> 100 000', min: 100001, weight: '4' }] },
  }, [
    ['budget', 'decide', '--service', 'multi', '--year', '2024', '--line', `Drift=${budget}`, '--decided-on', '2023-11-15', '--minutes', 'FR §1'],
    ['enrolment', 'start', '--service', 'multi', '--member', '0180', '--from', '2024-01-01'],
    ['enrolment', 'start', '--service', 'multi', '--member', '1480', '--from', goteborgFrom],
    ['invoice', 'run', '--period', period, '--date', '2024-01-20'],
  ], '212000-0142');
  return { f, stockholm, line };
}

/** What a line stores (its provenance, in English) is quoted as it is; what the trace works out itself is Swedish, with sv-SE numbers. */
describe('a trace\'s own words and numbers, beside the provenance it quotes', () => {
  /** Every text the trace worked out for people: its derivation tree and its figures. */
  const ownTexts = (l: LineTrace): string[] => {
    const steps = (s: LineTrace['derivation']): string[] => [s.label, s.value, s.formula ?? '', ...(s.children ?? []).flatMap(steps)];
    return [l.rule, ...steps(l.derivation), ...l.figures.flatMap((x) => [x.name, x.value, x.note ?? ''])];
  };
  const ENGLISH = /\b(weight|of|months?|price|a year|cumulative|rounding|base|population|equal)\b/;

  test('given a tier-weighted split with 5 % overhead, when traced, then the quotient, the overhead and the weight read in Swedish, and the stored rule is quoted verbatim', async () => {
    const { f, stockholm, line } = await tracedMultiLine({ overheadRate: '0.05', cadence: 'yearly' }, '100000.00', '2024-01-01', '2024');
    // 100 000 × 1,05 = 105 000 a year, 8 750 a month; Stockholm weighs 4 of 4 + 2.
    const january = line.derivation.children?.find((c) => c.label === 'andel månad 1');
    expect(january?.formula).toBe('8 750,00 kr × 4/6 = 5 833,3333, till öre enligt största-restmetoden');
    const weight = line.derivation.children?.find((c) => c.label === 'vikt');
    expect([weight?.value, weight?.formula]).toEqual(['4', 'fördelning viktad efter storleksklass: vikt 4 av 6, månad 1–12']);
    expect(line.figures.find((x) => x.name === 'vikt')).toMatchObject({ value: '4', note: 'vikt 4 av 6, månad 1–12' });
    expect(line.figures.find((x) => x.name === 'påslag')?.value).toBe('0,05');
    expect(line.figures.find((x) => x.name === 'kostnad')?.note).toBe('budget × (1 + 0,05), avrundat till öre');
    for (const text of ownTexts(line)) {
      expect(text).not.toMatch(/\d\.\d/);
      expect(text).not.toMatch(ENGLISH);
    }
    // What the line stores stays as stored, and so do the trace's machine-readable figures.
    expect(line.stored.rule).toContain('× (1 + 0.05)');
    expect(line.stored.basis).toContain('weight 4 of 6');
    expect(line.months?.[0]).toMatchObject({ month: 1, weight: '4', denominator: '6', share: '5833.33', monthAmount: '8750.00' });
    const text = (await f.run('trace', stockholm.number)).out;
    expect(text).toContain(`Lagrat:      ${line.stored.rule}\n             ${line.stored.basis}\n`);
    expect(text).toContain('= 8 750,00 kr × 4/6 = 5 833,3333, till öre');
    expect(text).toContain('kostnad = budget 100 000,00 kr × (1 + 0,05), avrundat till öre');
    expect(text).toContain('0,05  påslag (förvaltningsledning)');
  });

  test('given a quarter\'s line of a service someone joins in April, when traced, then its weight is worded over the quarter\'s months, as its rule is, not the year\'s', async () => {
    const { line } = await tracedMultiLine({ overheadRate: '0', cadence: 'quarterly' }, '120000.00', '2024-04-01', '2024-Q1');
    // Stockholm alone weighs 4 of 4 in the first quarter; from April Göteborg's 2 joins the denominator.
    expect(line.rule).toContain('vikt 4 av 4, månad 1–3,');
    const weight = line.derivation.children?.find((c) => c.label === 'vikt');
    expect(weight?.formula).toBe('fördelning viktad efter storleksklass: vikt 4 av 4, månad 1–3');
    expect(line.figures.find((x) => x.name === 'vikt')?.note).toBe('vikt 4 av 4, månad 1–3');
  });

  test('given a price list, when traced, then the weight is the yearly price in Swedish, not the stored "price … a year … by cumulative rounding"', async () => {
    const { f, invoice: goteborg, line } = await tracedLine({
      serviceId: 'bibblix', name: 'Bibblix', area: 'Bibliotek', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01',
      pricing: { kind: 'price-list', bands: [{ id: 'small', label: '< 100 000', max: 99999, price: '22000.00' }, { id: 'large', label: '≥ 100 000', min: 100000, price: '42000.00' }] },
    }, [
      ['enrolment', 'start', '--service', 'bibblix', '--member', '1480', '--from', '2024-01-01'],
      ['invoice', 'run', '--period', '2024', '--date', '2024-01-20'],
    ], '212000-1355');
    const weight = line.derivation.children?.find((c) => c.label === 'vikt');
    expect([weight?.value, weight?.formula]).toEqual(['22 000', 'prislista efter storleksklass: årspris 22 000,00 kr, månad 1–12']);
    for (const text of ownTexts(line)) {
      expect(text).not.toMatch(/\d\.\d/);
      expect(text).not.toMatch(ENGLISH);
    }
    expect(line.stored.basis).toContain('price 22000.00 a year');
    const text = (await f.run('trace', goteborg.number)).out;
    expect(text).toContain('22 000  vikt = prislista efter storleksklass: årspris 22 000,00 kr, månad 1–12');
    expect(text).toMatch(/▶ Göteborgs Stad +small +60 000 {2}vikt 22 000 /);
  });
});
