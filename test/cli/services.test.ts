import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFixture, eventCount } from '../support/cli';


const MEMBERS = [
  ['212000-0142', 'Stockholms stad', '0180', '900000'],
  ['212000-1355', 'Göteborgs Stad', '1480', '60000'],
  ['212000-1124', 'Malmö stad', '1280', '5000'],
  ['212000-2627', 'Uppsala kommun', '0380', '20000'],
] as const;

/** Four municipalities (populations 900 000, 60 000, 5 000, 20 000 at end of 2023) and a tier-weighted service. */
async function fixture(rule: Record<string, unknown> = {
  kind: 'tier-weighted',
  bands: [
    { id: 'small', label: '< 10 000', max: 9999, weight: '1' },
    { id: 'mid', label: '10 000 – 100 000', min: 10000, max: 100000, weight: '2' },
    { id: 'large', label: '> 100 000', min: 100001, weight: '4' },
  ],
}) {
  const f = cliFixture();
  const csv = join(f.dir, 'pop.csv');
  writeFileSync(csv, ['code,name,county,population,year', ...MEMBERS.map(([, name, code, pop]) => `${code},${name.split(' ')[0]},Län,${pop},2023`)].join('\n'));
  expect((await f.run('population', 'import', csv)).code).toBe(0);
  for (const [orgnr, name, code] of MEMBERS) {
    expect((await f.run('member', 'join', '--orgnr', orgnr, '--kind', 'municipality', '--name', name, '--kommunkod', code, '--date', '2020-01-01', '--decision', 'S')).code).toBe(0);
  }
  const svc = join(f.dir, 'egil.json');
  writeFileSync(svc, JSON.stringify({ serviceId: 'egil', name: 'EGIL', area: 'Skoladministration', pricing: rule, overheadRate: '0.05', cadence: 'quarterly', decisionRef: 'Styrelsen 2023 §5', date: '2023-01-01' }));
  const r = await f.run('service', 'establish', svc);
  expect(r).toMatchObject({ code: 0, err: '' });
  expect((await f.run('budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=1000000.00', '--line', 'Utveckling=200000.00', '--decided-on', '2023-11-15', '--minutes', 'FR EGIL 2023-11-15 §4')).code).toBe(0);
  return f;
}

interface SplitJson {
  cost: string;
  pricing: string;
  unallocated: string;
  participants: { key: string; name: string; total: string; weight: string; monthly: string[]; tier: { id: string } | null }[];
  byTier: { tier: { id: string }; participants: number; total: string; average: string }[];
}

const sumOf = (xs: string[]) => xs.reduce((a, x) => a + Math.round(Number(x) * 100), 0);

describe('cost splits', () => {
  test('given a budget revised, then split names the decision in force, its lines and the one it replaced; a module enrolment is named with its module; the outcome names its supplier invoices', async () => {
    const f = await fixture();
    const establish = join(f.dir, 'uka.json');
    writeFileSync(establish, JSON.stringify({ serviceId: 'uka', name: 'UKA', area: 'Utbildning', pricing: { kind: 'equal' }, overheadRate: '0', cadence: 'yearly', modules: ['Beda'], decisionRef: 'S', date: '2023-01-01' }));
    expect((await f.run('service', 'establish', establish)).code).toBe(0);
    expect((await f.run('enrolment', 'start', '--service', 'uka', '--member', '0180', '--from', '2024-01-01', '--module', 'Beda')).code).toBe(0);
    expect((await f.run('enrolment', 'start', '--service', 'uka', '--member', '1480', '--from', '2024-01-01')).code).toBe(0);
    expect((await f.run('budget', 'decide', '--service', 'uka', '--year', '2024', '--line', 'Drift=100000.00', '--decided-on', '2023-11-15', '--minutes', 'FR UKA §1')).code).toBe(0);
    expect((await f.run('budget', 'decide', '--service', 'uka', '--year', '2024', '--line', 'Drift=120000.00', '--line', 'Utveckling=30000.00', '--decided-on', '2024-03-01', '--minutes', 'FR UKA §9')).code).toBe(0);
    const text = (await f.run('split', '--service', 'uka', '--year', '2024')).out;
    expect(text).toContain('Budget beslutad 2024-03-01 (FR UKA §9): Drift 120 000,00 kr, Utveckling 30 000,00 kr; ersätter beslutet 2023-11-15\n');
    expect(text).toMatch(/│ Stockholms stad, modul Beda +│/);
    expect(text).toMatch(/│ Göteborgs Stad +│/);
    // A what-if names it so too, and gives its module in --json.
    expect((await f.run('simulate', '--service', 'uka', '--year', '2024', '--kommun', '0380')).out).toMatch(/│ Stockholms stad, modul Beda +│/);
    const sim = await f.json<{ rows: { name: string; module?: string }[] }>('simulate', '--service', 'uka', '--year', '2024', '--kommun', '0380');
    expect(sim.rows.find((r) => r.name === 'Stockholms stad')?.module).toBe('Beda');
    expect((await f.run('cost', 'record', '--service', 'uka', '--year', '2024', '--amount', '140000.00', '--supplier', 'L', '--reference', 'F-7', '--date', '2024-02-28')).code).toBe(0);
    expect((await f.run('split', '--service', 'uka', '--year', '2024', '--basis', 'actual')).out)
      .toContain('Utfall: 1 leverantörsfaktura (F-7 140 000,00 kr; samkost costs --service uka --year 2024)\n');
  });

  test('budget 1 200 000,00 + 5 % overhead, tier-weighted 1/2/4 over three participants for the whole year, splits 1 260 000,00 exactly', async () => {
    const f = await fixture();
    for (const m of ['0180', '1480', '1280']) expect((await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01')).code).toBe(0);
    const s = await f.json<SplitJson>('split', '--service', 'egil', '--year', '2024');
    expect(s.cost).toBe('1260000.00');
    expect(s.pricing).toBe('tier-weighted');
    expect(Object.fromEntries(s.participants.map((p) => [p.name, [p.weight, p.total]]))).toEqual({
      'Stockholms stad': ['4', '720000.00'], 'Göteborgs Stad': ['2', '360000.00'], 'Malmö stad': ['1', '180000.00'],
    });
    expect(s.byTier.find((t) => t.tier.id === 'gt100000')).toMatchObject({ participants: 1, total: '720000.00' });
    const text = await f.run('split', '--service', 'egil', '--year', '2024');
    expect(text.out).toContain('1 200 000,00 kr + påslag 5 % = 1 260 000,00 kr');
  });

  test('the split table groups populations with the plain space its amounts use, never U+00A0', async () => {
    const f = await fixture();
    for (const m of ['0180', '1480']) expect((await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01')).code).toBe(0);
    const text = await f.run('split', '--service', 'egil', '--year', '2024');
    expect(text.out).not.toContain('\u00a0');
    const stockholm = text.out.split('\n').find((l) => l.includes('Stockholms stad')) ?? '';
    expect(stockholm).toContain('900 000');
    expect(stockholm).toContain('840 000,00 kr');
  });

  test('a per-capita split shows each weight (a population) grouped too', async () => {
    const f = await fixture({ kind: 'per-capita' });
    for (const m of ['0180', '1480']) expect((await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01')).code).toBe(0);
    const text = await f.run('split', '--service', 'egil', '--year', '2024');
    const stockholm = text.out.split('\n').find((l) => l.includes('Stockholms stad')) ?? '';
    expect(stockholm.match(/900 000/g)).toHaveLength(2);
  });

  test('a participant enrolled from 2024-04-01 pays nothing for January–March; the others carry those months', async () => {
    const f = await fixture();
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-01-01');
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '1480', '--from', '2024-01-01');
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '1280', '--from', '2024-04-01');
    const s = await f.json<SplitJson>('split', '--service', 'egil', '--year', '2024');
    const malmo = s.participants.find((p) => p.name === 'Malmö stad')!;
    expect(malmo.monthly.slice(0, 3)).toEqual(['0.00', '0.00', '0.00']);
    expect(Number(malmo.monthly[3])).toBeGreaterThan(0);
    const sthlm = s.participants.find((p) => p.name === 'Stockholms stad')!;
    // January: 105 000,00 split 4:2 → 70 000,00; from April 4:2:1 → 60 000,00.
    expect(sthlm.monthly[0]).toBe('70000.00');
    expect(sthlm.monthly[3]).toBe('60000.00');
    expect(sumOf(s.participants.map((p) => p.total))).toBe(126000000);
  });

  test('given a service weighted by bands of its own, then each participant\'s band is shown beside the year\'s reporting tier, and given in --json', async () => {
    const f = await fixture();
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-01-01');
    const rows = (await f.run('split', '--service', 'egil', '--year', '2024')).out.split('\n');
    expect(rows.find((r) => r.includes('Deltagare'))?.split('│').map((c) => c.trim()).filter(Boolean)).toEqual(['Deltagare', 'Nivå', 'Tjänstens nivå', 'Invånare', 'Vikt', 'Månader', 'Summa']);
    expect(rows.find((r) => r.includes('Stockholms stad'))?.split('│')[3].trim()).toBe('> 100 000');
    const json = await f.json<{ participants: { name: string; priceBand: { id: string; label: string } | null }[] }>('split', '--service', 'egil', '--year', '2024');
    expect(json.participants.find((p) => p.name === 'Stockholms stad')?.priceBand).toEqual({ id: 'large', label: '> 100 000' });
  });

  test('given Malmö enrolled for February–March and again from December, then its rows say 2–3 and 12 (not 12–12)', async () => {
    const f = await fixture();
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-01-01');
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '1280', '--from', '2024-02-01', '--to', '2024-03-31');
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '1280', '--from', '2024-12-01');
    const rows = (await f.run('split', '--service', 'egil', '--year', '2024')).out.split('\n');
    const months = rows.find((r) => r.includes('Deltagare'))!.split('│').findIndex((c) => c.trim() === 'Månader');
    expect(rows.filter((r) => r.includes('Malmö stad')).map((r) => r.split('│')[months].trim())).toEqual(['2–3', '12']);
    expect(rows.find((r) => r.includes('Stockholms stad'))).toMatch(/│ 1–12 +│/);
  });

  test('a year with no participant in some months shows the amount as unallocated, never drops it', async () => {
    const f = await fixture();
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-07-01');
    const s = await f.json<SplitJson>('split', '--service', 'egil', '--year', '2024');
    expect(s.unallocated).toBe('630000.00');
    expect(sumOf([...s.participants.map((p) => p.total), s.unallocated])).toBe(126000000);
  });
});

describe('amounts at rest', () => {
  test('given budget lines typed with no, one or a comma decimal, when decided, then every line is stored with two decimals', async () => {
    const f = await fixture();
    const decide = (...lines: string[]) => f.run('budget', 'decide', '--service', 'egil', '--year', '2025', ...lines.flatMap((l) => ['--line', l]), '--decided-on', '2024-02-15', '--minutes', 'FR §1');
    expect(await decide('Drift=600000.5', 'Utv=100', 'Övrigt=1,5')).toMatchObject({ code: 0, err: '' });
    const events = JSON.parse((await f.run('--json', 'events', '--stream', 'service-egil')).out) as { type: string; data: { year: number; lines: { amount: string }[] } }[];
    const budget = events.filter((e) => e.type === 'CouncilBudgetDecided' && e.data.year === 2025);
    expect(budget.map((e) => e.data.lines.map((l) => l.amount))).toEqual([['600000.50', '100.00', '1.50']]);
    // The same decision typed again with its amounts written out is the same command: nothing new is stored.
    const before = eventCount(f.store);
    expect((await decide('Drift=600000.50', 'Utv=100.00', 'Övrigt=1.50')).out).toContain('redan registrerat');
    expect(eventCount(f.store)).toBe(before);
  });
});

describe('what-if simulation', () => {
  test('adding a fourth participant lowers every existing participant\'s cost and the sum still equals 1 260 000,00; nothing is written', async () => {
    const f = await fixture();
    for (const m of ['0180', '1480', '1280']) await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01');
    const before = createHash('sha256').update(readFileSync(f.store)).digest('hex');
    const countBefore = eventCount(f.store);
    const sim = await f.json<{ rows: { name: string; now: string | null; scenario: string; difference: string; hypothetical: boolean }[]; averageNow: string; averageScenario: string }>(
      'simulate', '--service', 'egil', '--year', '2024', '--kommun', '0380');
    const existing = sim.rows.filter((r) => !r.hypothetical);
    expect(existing).toHaveLength(3);
    for (const r of existing) expect(Number(r.difference)).toBeLessThan(0);
    expect(sumOf(sim.rows.map((r) => r.scenario))).toBe(126000000);
    expect(Number(sim.averageScenario)).toBeLessThan(Number(sim.averageNow));
    const hyp = await f.json<{ rows: { scenario: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--add', '3', '--population', '12000');
    expect(sumOf(hyp.rows.map((r) => r.scenario))).toBe(126000000);
    expect(createHash('sha256').update(readFileSync(f.store)).digest('hex')).toBe(before);
    expect(eventCount(f.store)).toBe(countBefore);
  });

  test('--sweep 0..N: the average cost per member falls as members join', async () => {
    const f = await fixture({ kind: 'equal' });
    for (const m of ['0180', '1480']) await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01');
    const s = await f.json<{ points: { added: number; averagePerMember: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..5');
    expect(s.points.map((p) => p.averagePerMember)).toEqual(['630000.00', '420000.00', '315000.00', '252000.00', '210000.00', '180000.00']);
    const text = await f.run('simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..5');
    expect(text.out).toContain('180 000,00 kr');
  });

  test('given months nobody takes part in, then simulate and its sweep show what is not allocated beside the averages', async () => {
    const f = await fixture({ kind: 'equal' });
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-07-01');
    const sim = await f.json<{ unallocatedNow: string; unallocatedScenario: string; averageScenario: string }>('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '15000');
    expect([sim.unallocatedNow, sim.unallocatedScenario]).toEqual(['630000.00', '0.00']);
    const text = await f.run('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '15000');
    expect(text.out).toContain('Ej fördelat (månader utan deltagare, ingår inte i snittet): nu 630 000,00 kr, i scenariot 0,00 kr');
    expect(text.out).toContain('Ny kommun (15 000 inv.) #1');
    const s = await f.json<{ points: { added: number; unallocated: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..2');
    expect(s.points.map((p) => p.unallocated)).toEqual(['630000.00', '0.00', '0.00']);
    const curve = await f.run('simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..2');
    expect(curve.out).toMatch(/ 0 nya .* ej fördelat +630.000,00 kr/);
  });

  test('given a participant whose share is nothing, then it is still a participant: it counts in the averages and their count', async () => {
    // Malmö (5 000 inhabitants) falls in a band of weight 0: it takes part and pays nothing.
    const f = await fixture({ kind: 'tier-weighted', bands: [
      { id: 'small', label: '< 10 000', max: 9999, weight: '0' },
      { id: 'mid', label: '10 000 – 100 000', min: 10000, max: 100000, weight: '2' },
      { id: 'large', label: '> 100 000', min: 100001, weight: '4' },
    ] });
    for (const m of ['0180', '1480', '1280']) await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01');
    const sim = await f.json<{ averageNow: string; averageScenario: string; participantsNow: number; participantsScenario: number; cost: string; costScenario: string }>(
      'simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '5000');
    // 1 260 000,00 among 3 participants now and 4 in the scenario, not among the 2 that pay.
    expect(sim).toMatchObject({ averageNow: '420000.00', averageScenario: '315000.00', participantsNow: 3, participantsScenario: 4, cost: '1260000.00', costScenario: '1260000.00' });
    const text = await f.run('simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '5000');
    expect(text.out).toContain('Snitt per deltagare: nu 420 000,00 kr (3 deltagare), i scenariot 315 000,00 kr (4 deltagare)');
    // A split's cost is the budget's, whoever takes part: one figure.
    expect(text.out.split('\n')[0]).toBe('EGIL 2024: kostnad 1 260 000,00 kr (simulering, inget sparas)');
  });

  test('given a budget of nothing, then the sweep still counts every participant, each paying nothing', async () => {
    const f = await fixture({ kind: 'equal' });
    for (const m of ['0180', '1480']) await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01');
    expect((await f.run('budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=0.00', '--decided-on', '2023-12-01', '--minutes', 'FR EGIL 2023-12-01 §2')).code).toBe(0);
    const s = await f.json<{ points: { added: number; participants: number; averagePerMember: string }[] }>('simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..2');
    expect(s.points.map((p) => [p.added, p.participants, p.averagePerMember])).toEqual([[0, 2, '0.00'], [1, 3, '0.00'], [2, 4, '0.00']]);
    const curve = await f.run('simulate', '--service', 'egil', '--year', '2024', '--population', '15000', '--sweep', '0..2');
    expect(curve.out).toMatch(/^ {3}0 nya {5}2 deltagare +0,00 kr/m);
    expect(curve.out).toMatch(/^ {3}2 nya {5}4 deltagare +0,00 kr/m);
  });

  test('removing a participant moves its share to the others', async () => {
    const f = await fixture({ kind: 'equal' });
    for (const m of ['0180', '1480', '1280']) await f.run('enrolment', 'start', '--service', 'egil', '--member', m, '--from', '2024-01-01');
    const sim = await f.json<{ rows: { name: string; scenario: string | null }[] }>('simulate', '--service', 'egil', '--year', '2024', '--remove', '1280');
    expect(sim.rows.find((r) => r.name === 'Malmö stad')!.scenario).toBeNull();
    expect(sim.rows.filter((r) => r.scenario).map((r) => r.scenario)).toEqual(['630000.00', '630000.00']);
  });
});

describe('bad input is refused with one line and nothing stored', () => {
  test.each([
    [['budget', 'decide', '--service', 'bibblix', '--year', '2024', '--line', 'Drift=1.00', '--decided-on', '2024-01-01', '--minutes', 'x'], 'okänd tjänst "bibblix" (kända: egil)'],
    [['budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=-1.00', '--decided-on', '2024-01-01', '--minutes', 'x'], 'budget.decide: --line nr 1: beloppet får inte vara negativt'],
    // Typed as flags, a field is named by its flag (a file's or an HTTP body's refusal names the stored field).
    [['budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'Drift=1.00', '--decided-on', '2024-01-01', '--minutes', ''], 'budget.decide: --minutes: får inte vara tom'],
    [['budget', 'decide', '--service', 'EGIL', '--year', '2024', '--line', 'Drift=1.00', '--decided-on', '2024-01-01', '--minutes', 'x'], 'budget.decide: --service: tjänstens id'],
    [['enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-05-01', '--to', '2024-04-30'], 'anslutningen slutar (2024-04-30) innan den börjar (2024-05-01)'],
    [['enrolment', 'start', '--service', 'egil', '--member', '212000-0143', '--from', '2024-05-01'], 'ogiltigt organisationsnummer'],
    [['enrolment', 'start', '--service', 'egil', '--member', '0180', '--from', '2024-01-01', '--module', 'Beda'], 'tjänsten egil har ingen modul "Beda"'],
    // The fixture's weight table has no band for organisations: refused before the split stops at one.
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--organisation'], '--organisation: vikttabellen för egil har ingen nivå för organisationer, så en organisation kan inte delta i tjänsten'],
    // A year before the service was established has no split: 0,00 kr among no one read as an answer.
    [['split', '--service', 'egil', '--year', '2022'], 'tjänsten egil inrättades 2023-01-01; den har ingen fördelning för 2022'],
    [['simulate', '--service', 'egil', '--year', '2022', '--add', '1', '--population', '15000'], 'tjänsten egil inrättades 2023-01-01; den har ingen fördelning för 2022'],
    // A what-if that changes nothing would print every cost unchanged, which reads like an answer.
    [['simulate', '--service', 'egil', '--year', '2024', '--population', '15000'], '--population, --tier och --organisation beskriver de tänkta medlemmarna: ange med --add N (eller --sweep 0..N) hur många som tillkommer'],
    [['simulate', '--service', 'egil', '--year', '2024'], 'ange vad som ändras: --add N tänkta medlemmar, --kommun KODER, --remove MEDLEMMAR eller --sweep 0..N'],
    // Two descriptions of the new members, or a change a sweep leaves out: one would be ignored in silence.
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '15000', '--organisation'], '--population och --organisation beskriver båda de tänkta medlemmarna: ange en av dem'],
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--tier', 'small', '--population', '30000'], '--population och --tier beskriver båda de tänkta medlemmarna: ange en av dem'],
    [['simulate', '--service', 'egil', '--year', '2024', '--sweep', '0..3', '--population', '15000', '--add', '2'], '--sweep räknar kurvan för 0..N tänkta medlemmar och tar inte --add: kör dem utan --sweep'],
    // A number past the limit is a number: the message says what the limit is.
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '10000', '--population', '15000'], '--add lägger till högst 9 999 tänkta medlemmar, inte "10000"'],
    [['simulate', '--service', 'egil', '--year', '2024', '--add', 'två', '--population', '15000'], '--add ska vara ett antal, inte "två"'],
    [['simulate', '--service', 'egil', '--year', '2024', '--sweep', '0..100000', '--population', '15000'], '--sweep går till högst 9 999 tänkta medlemmar (0..9999), inte "0..100000"'],
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--population', '100000000'], '--population är högst 99 999 999 invånare, inte "100000000"'],
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '0', '--population', '15000'], '--add ska vara minst 1; fördelningen som den är visar samkost split'],
    // --tier names one of the service's own bands (egil's are small, mid and large), whose weight it goes by.
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '1', '--tier', 'lt7000'], '--tier "lt7000" är ingen av tjänstens nivåer (small, mid, large); tjänstens egna nivåer gäller, eftersom dess vikter går efter dem'],
    // A municipality has inhabitants; one of none would pay nothing under a per-capita rule.
    [['simulate', '--service', 'egil', '--year', '2024', '--add', '2', '--population', '0'], '--population 0: en kommun har invånare; ange en folkmängd på minst 1 (tänkta organisationer, som saknar folkmängd, anges med --organisation utan --population)'],
    [['simulate', '--service', 'egil', '--year', '2024', '--sweep', '0..3', '--population', '0'], '--population 0: en kommun har invånare'],
    // A municipality already in the split would be counted twice.
    [['simulate', '--service', 'egil', '--year', '2024', '--kommun', '1280'], 'simulate: kommunkod 1280 deltar redan i tjänsten 2024 (Malmö stad)'],
    [['simulate', '--service', 'egil', '--year', '2024', '--kommun', '0380,0380'], 'simulate: kommunkod 0380 anges två gånger'],
    [['simulate', '--service', 'egil', '--year', '2024', '--kommun', '0380,180'], '--kommun ska vara kommunkoder med fyra siffror, som 0180,1480, inte "180"'],
    [['simulate', '--service', 'egil', '--year', '2024', '--kommun', '0380', '--from', '2025-07-01'], 'simulate: de tillagda räknas från 2025-07-01, som inte ligger i 2024'],
    // No recorded actual cost is nothing to split, not a split of zero.
    [['split', '--service', 'egil', '--year', '2024', '--basis', 'actual'], 'tjänsten egil har inget registrerat utfall för 2024; registrera det med `samkost cost record`'],
  ])('samkost %j', async (args, message) => {
    const f = await fixture();
    await f.run('enrolment', 'start', '--service', 'egil', '--member', '1280', '--from', '2024-01-01');
    const before = eventCount(f.store);
    const r = await f.run(...args);
    expect(r.err).toContain(message);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given the README\'s example docs/examples/egil.json, when it is established on a fresh store, then it is stored as written', async () => {
    const f = cliFixture('2025-03-01T09:00:00Z');
    const example = join(__dirname, '..', '..', 'docs', 'examples', 'egil.json');
    expect((await f.run('service', 'establish', example)).code).toBe(0);
    const services = await f.json<{ services: { serviceId: string; cadence: string }[] }>('services');
    expect(services.services.map((s) => [s.serviceId, s.cadence])).toEqual([['egil', 'quarterly']]);
  });

  test('a weight table missing a tier that a participant could fall in is refused when the service is established, not at a later run', async () => {
    const f = await fixture();
    const before = eventCount(f.store);
    const file = join(f.dir, 'gap.json');
    writeFileSync(file, JSON.stringify({ serviceId: 'gap', name: 'Gap', area: 'IT', pricing: { kind: 'tier-weighted', bands: [{ id: 'mid', label: '10 000 – 100 000', min: 10000, max: 100000, weight: '2' }] }, overheadRate: '0.05', cadence: 'yearly', decisionRef: 'S', date: '2023-01-01' }));
    const r = await f.run('service', 'establish', file);
    expect(r).toMatchObject({ code: 2, err: 'samkost: service.establish gap: lucka mellan nivåerna: ingen nivå täcker 0–9999; lucka mellan nivåerna: ingen nivå täcker folkmängder över 100000\n' });
    expect(eventCount(f.store)).toBe(before);
  });

  test.each([
    // Given a federation covering Göteborg and Uppsala: Malmö is not among them.
    [['--member', '222000-1230', '--covers', '1480,1280'], 'enrolment.start: Förbundet (222000-1230) omfattar inte kommunkod 1280; förbundets kommuner är 1480, 0380'],
    [['--member', '1280', '--covers', '0380'], 'enrolment.start: Malmö stad (kommunkod 1280) kan bara ansluta andra kommuner genom en gemensam nämnd som den själv ingår i'],
    [['--member', '1280', '--covers', '1280,9999'], 'enrolment.start: kommunkod 9999 finns inte i någon registrerad SCB-tabell (senast 2023-12-31)'],
  ])('given a federation covering 1480 and 0380, when enrolment start %j, then one line, exit code 2 and nothing stored', async (args, message) => {
    const f = await fixture();
    expect((await f.run('member', 'join', '--orgnr', '222000-1230', '--kind', 'federation', '--name', 'Förbundet', '--covers', '1480,0380', '--date', '2020-01-01', '--decision', 'S')).code).toBe(0);
    const before = eventCount(f.store);
    const r = await f.run('enrolment', 'start', '--service', 'egil', '--from', '2024-01-01', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a federation covering 1480 and 0380, when it enrols for Uppsala alone, then it is weighted by Uppsala\'s population (20 000: weight 2)', async () => {
    const f = await fixture();
    expect((await f.run('member', 'join', '--orgnr', '222000-1230', '--kind', 'federation', '--name', 'Förbundet', '--covers', '1480,0380', '--date', '2020-01-01', '--decision', 'S')).code).toBe(0);
    expect((await f.run('enrolment', 'start', '--service', 'egil', '--member', '222000-1230', '--from', '2024-01-01', '--covers', '0380')).code).toBe(0);
    const s = await f.json<SplitJson>('split', '--service', 'egil', '--year', '2024');
    expect(s.participants.map((p) => [p.name, p.weight])).toEqual([['Förbundet (1 kommun)', '2']]);
  });

  test('enrolling a member after it left is refused', async () => {
    const f = await fixture();
    await f.run('member', 'leave', '1280', '--date', '2023-12-31', '--reason', 'ingen tjänst');
    const r = await f.run('enrolment', 'start', '--service', 'egil', '--member', '1280', '--from', '2024-01-01');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Malmö stad (212000-1124) gick ur föreningen 2023-12-31 och kan inte anslutas från 2024-01-01');
  });
});
