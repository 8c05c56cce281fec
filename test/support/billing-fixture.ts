import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFixture, cliOn } from './cli';

const SCHEDULE_2020 = join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'sambruk-2020.json');

/**
 * Three municipalities (900 000, 60 000 and 5 000 inhabitants at the end of 2023) and a region, the 2020
 * fee schedule adopted for 2024, and EGIL: tier-weighted 1/2/4, 5 % overhead, quarterly, budget
 * 1 200 000,00 for 2024, the three municipalities enrolled for the whole year.
 */
export async function billingFixture() {
  const f = cliFixture('2025-03-01T09:00:00Z');
  const pop = join(f.dir, 'pop.csv');
  writeFileSync(pop, 'code,name,county,population,year\n0180,Stockholm,Stockholms län,900000,2023\n1480,Göteborg,Västra Götalands län,60000,2023\n1280,Malmö,Skåne län,5000,2023\n');
  const egil = {
    serviceId: 'egil', name: 'EGIL', area: 'Skoladministration', overheadRate: '0.05', cadence: 'quarterly', decisionRef: 'Styrelsen 2023 §5', date: '2023-01-01',
    pricing: { kind: 'tier-weighted', bands: [
      { id: 's', label: '< 10 000', max: 9999, weight: '1' }, { id: 'm', label: '10 000 – 100 000', min: 10000, max: 100000, weight: '2' },
      { id: 'l', label: '> 100 000', min: 100001, weight: '4' }, { id: 'o', label: 'Organisationer', organisation: true, weight: '1' },
    ] },
  };
  const lines = [
    { type: 'population.import', file: pop },
    { type: 'schedule.adopt', file: SCHEDULE_2020, year: 2024, decisionRef: 'Årsmöte 2024 §7', decidedOn: '2023-11-20' },
    { type: 'member.join', orgnr: '212000-0142', kind: 'municipality', name: 'Stockholms stad', kommunkod: '0180', date: '2015-01-01', decisionRef: 'S', address: { street: 'Stadshuset', postalCode: '105 35', city: 'Stockholm' } },
    { type: 'member.join', orgnr: '212000-1355', kind: 'municipality', name: 'Göteborgs Stad', kommunkod: '1480', date: '2015-01-01', decisionRef: 'S' },
    { type: 'member.join', orgnr: '212000-1124', kind: 'municipality', name: 'Malmö stad', kommunkod: '1280', date: '2024-04-15', decisionRef: 'S' },
    { type: 'member.join', orgnr: '232100-0016', kind: 'region', name: 'Region Stockholm', date: '2015-01-01', decisionRef: 'S' },
    { type: 'service.establish', ...egil },
    { type: 'budget.decide', serviceId: 'egil', year: 2024, lines: [{ text: 'Drift', amount: '1000000.00' }, { text: 'Utveckling', amount: '200000.00' }], decidedOn: '2023-11-15', minutesRef: 'FR EGIL 2023-11-15 §4' },
    { type: 'enrolment.start', serviceId: 'egil', member: '0180', from: '2024-01-01' },
    { type: 'enrolment.start', serviceId: 'egil', member: '1480', from: '2024-01-01' },
    { type: 'enrolment.start', serviceId: 'egil', member: '1280', from: '2024-04-15' },
  ];
  const file = join(f.dir, 'setup.ndjson');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  const r = await f.run('apply', file);
  if (r.code !== 0) throw new Error(`fixture: ${r.err}`);
  return f;
}

/** Establishes a service on a fixture from its JSON (the file `service establish` reads, written to the fixture's directory). */
export async function establishService(f: { dir: string; run: (...args: string[]) => Promise<{ code: number; err: string }> }, service: { serviceId: string } & Record<string, unknown>): Promise<void> {
  const file = join(f.dir, `${service.serviceId}.json`);
  writeFileSync(file, JSON.stringify(service));
  const r = await f.run('service', 'establish', file);
  if (r.code !== 0) throw new Error(`service establish ${service.serviceId}: ${r.err}`);
}

/**
 * The billing fixture's year billed and settled: a Q1 run and a yearly run, a credit note for one a-conto
 * line, then EGIL's actual cost (by default 10 % over the budget) and its settlement.
 */
export async function settledYear(actualCost = '1320000.00') {
  const f = await billingFixture();
  const ok = async (...args: string[]) => {
    const r = await f.run(...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
  };
  await ok('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
  await ok('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
  await ok('invoice', 'credit', 'T2024-0001', '--lines', '1', '--reason', 'Fel vikt', '--date', '2024-05-02');
  await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', actualCost, '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
  await ok('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
  return f;
}

/**
 * The billing fixture's first quarter invoiced on 2024-01-15, and finance at work on 1 June 2024: `run` and
 * `json` (which throws on a refusal) give the CLI on that day.
 */
export async function firstQuarterInvoiced() {
  const f = await billingFixture();
  const r = await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
  if (r.code !== 0) throw new Error(`fixture: ${r.err}`);
  const run = cliOn(f.store, '2024-06-01T10:00:00Z');
  const json = async <T>(...args: string[]): Promise<T> => {
    const answer = await run('--json', ...args);
    if (answer.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${answer.err}`);
    return JSON.parse(answer.out) as T;
  };
  return { f, run, json };
}
