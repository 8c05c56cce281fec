/**
 * The main job (`npm start`): Sambruk's year 2023 from the annual report, on a fresh embedded store,
 * through the same commands a user would type — apply the data set, four quarterly invoice runs,
 * actual costs, settlement of every service, closing the year, verification — then a short summary
 * in Swedish and the commands to try next.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { projectRoot } from './paths';
import { join, relative } from 'node:path';
import Decimal from 'decimal.js';
import { formatNumber, formatPercent, formatSek } from '../domain/money';
import { periodOn } from '../domain/state';
import { feesForYear } from '../projections/fees';
import { ledger } from '../projections/ledger';
import { selfCostOf } from '../projections/selfcost';
import { splitForYear } from '../projections/splits';
import { Engine } from '../src/app/engine';
import { domainCodec } from '../src/app/codec';
import { main } from '../src/cli/main';
import { toJson } from '../src/cli/io';
import { SqliteEventStore } from '../src/store/sqlite';
import { renderNdjson, sambrukActualCosts } from './sambruk-commands';
import { RULES_VERSION } from '../domain/rules';

const ROOT = projectRoot();
const STORE = join(ROOT, 'data', 'sambruk-2023.db');
const DATA = join(ROOT, 'scripts', 'data', 'sambruk-2023');
const rel = (p: string) => relative(process.cwd(), p) || '.';

interface Step { title: string; args: string[] }

const quarterRuns: Step[] = [1, 2, 3, 4].map((q) => ({
  title: `fakturakörning kvartal ${q}`,
  args: ['invoice', 'run', '--period', `2023-Q${q}`, '--date', `2023-${String(3 * q - 2).padStart(2, '0')}-15`],
}));

async function runStep(step: Step, n: number, total: number): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(['node', 'samkost', '--store', STORE, '--actor', 'huvudjobb', ...step.args], {
    out: (t) => { out += t; }, err: (t) => { err += t; }, env: process.env, isTty: false,
  });
  // Progress goes to stderr, so that the summary on stdout is the summary whether it is read on a terminal or
  // piped to a file: on a terminal one line rewritten in place, elsewhere a line per step.
  const tty = process.stderr.isTTY;
  const line = `[${String(n).padStart(2)}/${total}] ${step.title}`;
  process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  if (code !== 0) {
    if (tty) process.stderr.write('\n');
    process.stderr.write(`${err || out}steg "${step.title}" misslyckades (exit ${code}): samkost ${step.args.join(' ')}\n`);
    process.exit(code);
  }
  return out;
}

async function run(): Promise<void> {
  const started = Date.now();
  // A fresh clone has no data/ folder yet.
  mkdirSync(join(ROOT, 'data'), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${STORE}${suffix}`, { force: true });
  const costsFile = join(ROOT, 'data', 'sambruk-2023-costs.ndjson');
  const settleSteps: Step[] = ['bibblix', 'egil', 'provisum', 'multifraga', 'fixamingata', 'uka', 'tillarbetslivet', 'tjanstekollen']
    .map((s) => ({ title: `slutreglering ${s}`, args: ['settle', '--service', s, '--year', '2023', '--date', '2024-01-20'] }));
  const steps: Step[] = [
    { title: 'medlemmar, befolkning, avgifter, tjänster, budgetar och anslutningar', args: ['apply', join(DATA, 'commands.ndjson')] },
    ...quarterRuns,
    { title: 'faktiska kostnader (illustrativa)', args: ['apply', costsFile] },
    ...settleSteps,
    { title: 'bokslut 2023', args: ['year', 'close', '2023', '--date', '2024-02-15', '--decision', 'Styrelsen 2024-02-15 (illustrativt)'] },
    { title: 'kontroll av hashkedjor', args: ['--json', 'verify'] },
    { title: 'uppspelning av 2023 års fakturor', args: ['--json', 'replay', '--year', '2023', '--verify'] },
  ];
  writeFileSync(costsFile, renderNdjson(sambrukActualCosts()));
  const outputs: string[] = [];
  for (const [i, step] of steps.entries()) outputs.push(await runStep(step, i + 1, steps.length));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const verify = JSON.parse(outputs[outputs.length - 2]) as { streams: number; events: number };
  const replay = JSON.parse(outputs[outputs.length - 1]) as { documents: number; reproduced: number };

  const store = new SqliteEventStore(STORE, domainCodec);
  const engine = new Engine(store, 'huvudjobb');
  await engine.catchUp();
  const state = engine.state;
  const count = (date: string) => [...state.members.values()].filter((m) => periodOn(m, date)).length;
  const fees = feesForYear(state, 2023);
  const lines: string[] = [];
  lines.push('', 'Sambruk 2023 — sammanfattning (medlemmar och deltagare ur årsredovisningen 2023; budgetar, kostnader och datum illustrativa)', '');
  lines.push(`Medlemmar 1 januari 2023: ${count('2023-01-01')}, 31 december 2023: ${count('2023-12-31')} (årsredovisningen: 140 och 145; 13 medlemmar namnges inte där)`);
  lines.push('', 'Medlemsavgifter 2023 per befolkningsnivå (2020 års avgiftsmodell, SCB 31 december 2022):');
  for (const t of fees.byTier.filter((x) => x.members > 0)) lines.push(`  ${t.tier.label.padEnd(28)} ${String(t.members).padStart(4)} medlemmar  årsavgifter ${formatSek(t.annualFees).padStart(16)}`);
  const annual = fees.byTier.reduce((a, t) => a.plus(t.annualFees), new Decimal(0));
  const joining = fees.members.flatMap((m) => m.lines.filter((l) => l.kind === 'joining-contribution')).reduce((a, l) => a.plus(l.amount), new Decimal(0));
  lines.push(`  Summa årsavgifter ${formatSek(annual)} (årsredovisningen: Medlemsavgifter 3 569 277 kr); medlemsinsatser ${formatSek(joining)}`);
  // What a service's split shares out is its actual cost with overhead, but a price list's is the sum of its
  // participants' prices, whatever the cost was (Bibblix: 1 339 166,66 kr against 1 522 500,00 kr): the
  // heading says both, and a price list's line what its cost was.
  const rates = new Set([...state.services.values()].map((svc) => formatPercent(svc.service.overheadRate)));
  const overhead = rates.size === 1 ? `${[...rates][0]} förvaltningspåslag` : 'tjänstens förvaltningspåslag';
  lines.push('', `Tjänsternas kostnad 2023 per befolkningsnivå (utfall + ${overhead}; för en prislistetjänst summan av deltagarnas priser):`);
  for (const svc of state.services.values()) {
    const s = splitForYear(state, svc.service.serviceId, 2023, 'actual', RULES_VERSION);
    const tiers = s.byTier.filter((t) => t.participants > 0).map((t) => `${t.tier.label.replace(' invånare', '')}: ${t.participants} st, snitt ${formatSek(t.average)}`);
    lines.push(`  ${s.name.padEnd(16)} ${formatSek(s.cost).padStart(16)}  ${tiers.join('; ')}`);
    if (svc.service.pricing.kind === 'price-list') {
      lines.push(`  ${''.padEnd(16)} prislista: summan av priserna; utfall + påslag ${formatSek(selfCostOf(state, svc, 2023).fullCost)}`);
    }
    if (s.unallocated.gt(0)) lines.push(`  ${''.padEnd(16)} varav ej fördelat (månader utan deltagare): ${formatSek(s.unallocated)}`);
  }
  const books = ledger(state, 2023);
  lines.push('', 'Resultaträkning 2023 (ur bokföringen som härleds ur händelserna, som samkost ledger --year 2023 visar den):');
  const row = (label: string, amount: Decimal, note = '') => lines.push(`  ${label.padEnd(32)} ${formatSek(amount).padStart(18)}${note}`);
  for (const l of books.income.revenue) row(l.label, l.amount, l.label === 'Nettoomsättning' ? '   (årsredovisningen: 18 526 102 kr)' : l.label === 'Medlemsavgifter' ? '   (årsredovisningen: 3 569 277 kr)' : '');
  for (const l of books.income.expenses) row(l.label, l.amount);
  row('Rörelseresultat', books.income.operatingResult);
  row('Årets resultat', books.income.result);
  lines.push('', `${replay.reproduced} av ${replay.documents} fakturor och kreditfakturor återskapade byte för byte; ${verify.events} händelser i ${verify.streams} strömmar, alla hashkedjor intakta`);
  lines.push(`Klart på ${formatNumber(((Date.now() - started) / 1000).toFixed(1))} s. Lagret: ${rel(STORE)}`, '');
  lines.push('Prova sedan:');
  lines.push(`  node bin/samkost.js --store ${rel(STORE)} simulate --service egil --year 2023 --population 15000 --sweep 0..20`);
  const first = [...(state.billing.get(2023)?.invoices.values() ?? [])].find((i) => i.invoice.series === 'T');
  lines.push(`  node bin/samkost.js --store ${rel(STORE)} invoice show ${first?.invoice.number ?? 'T2023-0001'}`);
  lines.push(`  node bin/samkost.js --store ${rel(STORE)} replay --year 2023 --verify`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env.SAMKOST_SUMMARY_JSON) writeFileSync(process.env.SAMKOST_SUMMARY_JSON, toJson({ members: { start: count('2023-01-01'), end: count('2023-12-31') }, annualFees: annual.toFixed(2), replay }));
  await store.close();
  if (replay.reproduced !== replay.documents) process.exit(1);
}

void run();
