/**
 * A deterministic synthetic history for benchmarks and load tests: every Swedish municipality, the 21
 * regions and a hundred other organisations as members, a hundred services under the five pricing rules,
 * a fee schedule every year, enrolments joining and leaving, council budgets and revisions, actual costs,
 * and the invoicing of every year: monthly a-conto runs, payments, settlements, closing the year.
 *
 * Everything goes through the real command path (`Engine.execute`, deciders, zod, the hash-chained SQLite
 * append) with a simulated clock and deterministic command ids, so two runs with the same seed produce the
 * same store, event for event, hash for hash.
 *
 *   node dist/scripts/generate.js --store data/bench.db [--seed 1] [--scale 1] [--years 10] [--from-year 2014]
 *                                 [--invoiced-years N]
 *
 * Each calendar year is planned from a model of members, services and enrolments (`planYear`), and its
 * invoicing (`billingForYear`) is scheduled beside it; both run on one timeline in date order, so a run
 * sees what was decided before its date and a year's settlements and close fall early in the next year.
 */
import { Command as Program, InvalidArgumentError } from 'commander';
import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addDays } from '../domain/billing/periods';
import { type Command, parseCommand } from '../domain/commands';
import { findInvoice } from '../domain/deciders/billing';
import { openBalance } from '../domain/state';
import { amountString } from '../domain/money';
import { luhnDigit } from '../domain/luhn';
import { domainCodec } from '../src/app/codec';
import { Engine, type ExecuteResult } from '../src/app/engine';
import { DEFAULT_CONFIG } from '../src/config';
import type { Clock } from '../src/clock';
import { SqliteEventStore } from '../src/store/sqlite';

// ---------------------------------------------------------------------------------------------------------
// Options and report

export interface GenerateOptions {
  /** SQLite file to create. */
  store: string;
  seed?: number;
  /** Multiplies members, services and participants per service (default 1: 290 + 21 + 100 members, 100 services). */
  scale?: number;
  /** Number of calendar years in the history (default 10). */
  years?: number;
  /** First calendar year (default 2014). */
  fromYear?: number;
  /**
   * How many of the last years are invoiced (monthly runs, payments, settlement, close); default: every
   * year. 0 gives the history without invoicing, event for event as before invoicing was added.
   */
  invoicedYears?: number;
  /** Replace an existing store file instead of refusing. */
  force?: boolean;
  /** Progress line to `log` every N commands (0: none). */
  progressEvery?: number;
  log?: (line: string) => void;
  /** Directory holding scb/ and schedules/ (default: scripts/data of this checkout). */
  dataDir?: string;
}

export interface GenerateReport {
  store: string;
  seed: number;
  scale: number;
  fromYear: number;
  toYear: number;
  /** The first invoiced year (undefined: none). */
  invoicedFrom?: number;
  members: { municipalities: number; regions: number; organisations: number };
  services: number;
  commands: number;
  /** Commands whose id was already in the store (a re-run into the same file): nothing appended. */
  duplicates: number;
  events: number;
  eventsByType: Record<string, number>;
  storeBytes: number;
  seconds: number;
  commandsPerSecond: number;
}

// ---------------------------------------------------------------------------------------------------------
// Deterministic randomness: mulberry32, one independent stream per purpose, so adding a step (e.g.
// invoicing) with its own stream never changes what the other steps draw.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the text: turns (seed, purpose) into a 32-bit stream seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number, purpose: string) {
    this.next = mulberry32(hash32(`${seed}:${purpose}`));
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Calendar and money helpers (ISO date strings, whole kronor and öre as integers)

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
const yearOf = (date: string) => Number(date.slice(0, 4));
const monthOf = (date: string) => Number(date.slice(5, 7));
const monthStart = (y: number, m: number) => `${y}-${pad(m)}-01`;
const monthEnd = (y: number, m: number) => `${y}-${pad(m)}-${pad(daysIn(y, m))}`;
const maxDate = (a: string, b: string) => (a > b ? a : b);
/** Öre (integer) as an amount string: 123456 → "1234.56". */
const ore = (n: number) => `${Math.floor(n / 100)}.${pad(n % 100)}`;
const kronor = (n: number) => `${n}.00`;

/**
 * A synthetic but valid organisationsnummer: `prefix` (4 digits) + a 5-digit serial, the last digit the
 * Luhn check digit over the first nine. Serials start at 500 so that the numbers sit above the low serials
 * real bodies use (e.g. Stockholm 212000-0142); they are synthetic all the same and may coincide with a real
 * body's number.
 */
export function syntheticOrgnr(prefix: string, serial: number): string {
  const n = 500 + serial;
  const body = `${prefix}${pad(Math.floor(n / 1000), 2)}${pad(n % 1000, 3)}`; // 4 + 2 + 3 = 9 digits
  if (body.length !== 9) throw new Error(`organisationsnummer serial ${serial} out of range for prefix ${prefix}`);
  return `${body.slice(0, 6)}-${body.slice(6)}${luhnDigit(body)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Source data

interface ScbRow {
  code: string;
  name: string;
  population: number;
  year: number;
}

function dataRoot(dataDir?: string): string {
  if (dataDir) return dataDir;
  // scripts/generate.ts under ts-jest, dist/scripts/generate.js when built.
  const candidates = [join(__dirname, 'data'), join(__dirname, '..', '..', 'scripts', 'data')];
  const found = candidates.find((d) => existsSync(join(d, 'scb')));
  if (!found) throw new Error(`cannot find scripts/data (looked in ${candidates.join(', ')})`);
  return found;
}

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
}

interface FeeTierData {
  id: string;
  label: string;
  min?: number;
  max?: number;
  organisation?: true;
  joiningContribution: string;
  annualFee: string;
}

interface SourceData {
  /** kommunkod → name, in code order. */
  municipalities: { code: string; name: string }[];
  /** kommunkod → year → population at 31 December. */
  population: Map<string, Map<number, number>>;
  firstScbYear: number;
  lastScbYear: number;
  regions: { code: string; name: string }[];
  scheduleTiers: FeeTierData[];
  levyTiers: { id: string; label: string; min?: number; max?: number; organisation?: true; amount: string }[];
}

function loadSource(dir: string): SourceData {
  const rows: ScbRow[] = readCsv(join(dir, 'scb', 'scb-folkmangd-kommuner-2013-2023.csv')).map((r) => ({
    code: r.code.padStart(4, '0'), name: r.name, population: Number(r.population), year: Number(r.year),
  }));
  const population = new Map<string, Map<number, number>>();
  const names = new Map<string, string>();
  for (const r of rows) {
    if (!population.has(r.code)) population.set(r.code, new Map());
    population.get(r.code)?.set(r.year, r.population);
    names.set(r.code, r.name);
  }
  const years = rows.map((r) => r.year);
  const regions = readCsv(join(dir, 'scb', 'regions-2023.csv')).map((r) => ({ code: r.code, name: r.name }));
  const schedule = JSON.parse(readFileSync(join(dir, 'schedules', 'sambruk-2020.json'), 'utf8')) as { tiers: FeeTierData[] };
  const levy = JSON.parse(readFileSync(join(dir, 'schedules', 'levy-2007.json'), 'utf8')) as { tiers: SourceData['levyTiers'] };
  return {
    municipalities: [...names.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, name]) => ({ code, name })),
    population,
    firstScbYear: Math.min(...years),
    lastScbYear: Math.max(...years),
    regions,
    scheduleTiers: schedule.tiers,
    levyTiers: levy.tiers,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The model: who is a member when, which services exist, who is enrolled

type Kind = 'municipality' | 'region' | 'organisation';
type PricingKind = 'equal' | 'tier-weighted' | 'per-capita' | 'base-plus-per-capita' | 'price-list';

interface Period {
  from: string;
  /** Last day of membership. */
  to?: string;
}

interface MemberModel {
  orgnr: string;
  kind: Kind;
  name: string;
  kommunkod?: string;
  periods: Period[];
}

interface OpenEnrolment {
  id: string;
  from: string;
}

interface ServiceModel {
  id: string;
  name: string;
  area: string;
  kind: PricingKind;
  pricing: Extract<Command, { type: 'service.establish' }>['pricing'];
  overheadRate: string;
  cadence: 'yearly' | 'quarterly' | 'monthly';
  startYear: number;
  /** Participants the service grows to and keeps (new enrolments replace those that end). */
  target: number;
  /** Yearly budget in whole kronor in the start year. */
  budgetBase: number;
  open: Map<string, OpenEnrolment>;
  /** Last day of the member's latest ended enrolment: a new one must start after it. */
  lastTo: Map<string, string>;
  /** Budget in force per year, whole kronor. */
  budgets: Map<number, number>;
}

interface Model {
  seed: number;
  scale: number;
  fromYear: number;
  toYear: number;
  source: SourceData;
  members: MemberModel[];
  /** Kommunkoder in the population tables: the 290 real ones and, for scale > 1, synthetic ones. */
  codes: { code: string; name: string; basedOn: string; factor: number }[];
  codeByKommunkod: Map<string, Model['codes'][number]>;
  memberByOrgnr: Map<string, MemberModel>;
  /** Per-code yearly drift for years outside the SCB table. */
  drift: Map<string, number>;
  services: ServiceModel[];
}

const AREAS = ['E-tjänster', 'Skola och förskola', 'Vård och omsorg', 'Bibliotek', 'Samhällsbyggnad', 'IT-infrastruktur', 'Ekonomi', 'HR och lön', 'E-arkiv', 'Geodata'];
const SERVICE_WORDS = ['Portal', 'Plattform', 'Nätverk', 'Samverkan', 'Register', 'Tjänst', 'Stöd', 'Katalog'];
const ORG_PREFIXES = ['Kommunalförbundet', 'Samordningsförbundet', 'Räddningstjänsten', 'Miljöförbundet', 'Stiftelsen', 'Bostadsbolaget'];
const SUPPLIERS = ['Tietoevry', 'CGI Sverige', 'Sogeti', 'Visma', 'Atea', 'Knowit', 'Egen personal'];
const SYNTHETIC_CODE_BASE = 3000; // real kommunkoder end at 2584

const scaled = (n: number, scale: number) => Math.round(n * scale);

function buildModel(source: SourceData, seed: number, scale: number, fromYear: number, toYear: number): Model {
  const years = toYear - fromYear + 1;
  // Population codes: the 290 real ones, plus synthetic municipalities shaped like real ones for scale > 1.
  const codes: Model['codes'] = source.municipalities.map((m) => ({ code: m.code, name: m.name, basedOn: m.code, factor: 1 }));
  const nMunicipalities = scaled(290, scale);
  const synth = new Rng(seed, 'synthetic-municipalities');
  for (let j = 0; j < nMunicipalities - source.municipalities.length; j++) {
    const real = source.municipalities[j % source.municipalities.length];
    const code = String(SYNTHETIC_CODE_BASE + j);
    if (code.length !== 4) throw new Error(`--scale ${scale} needs more synthetic kommunkoder than there are`);
    codes.push({ code, name: `${real.name} ${Math.floor(j / source.municipalities.length) + 2}`, basedOn: real.code, factor: 0.6 + synth.float() * 0.8 });
  }
  const driftRng = new Rng(seed, 'population-drift');
  const drift = new Map(codes.map((c) => [c.code, -0.008 + driftRng.float() * 0.02] as const));

  // Members: which municipalities (a seeded sample below scale 1), regions and organisations.
  const pickRng = new Rng(seed, 'member-sample');
  const municipalityCodes = nMunicipalities >= codes.length
    ? codes
    : pickRng.shuffle(codes).slice(0, nMunicipalities).sort((a, b) => (a.code < b.code ? -1 : 1));
  const members: MemberModel[] = [];
  municipalityCodes.forEach((c, i) => members.push({ orgnr: syntheticOrgnr('2120', i), kind: 'municipality', name: `${c.name} kommun`, kommunkod: c.code, periods: [] }));
  for (let i = 0; i < scaled(21, scale); i++) {
    const r = source.regions[i % source.regions.length];
    const base = `Region ${r.name.replace(/s? län$/, '')}`;
    members.push({ orgnr: syntheticOrgnr('2321', i), kind: 'region', name: i < source.regions.length ? base : `${base} ${Math.floor(i / source.regions.length) + 1}`, periods: [] });
  }
  for (let i = 0; i < scaled(100, scale); i++) {
    const town = source.municipalities[(i * 7) % source.municipalities.length].name;
    const round = Math.floor(i / (ORG_PREFIXES.length * source.municipalities.length));
    members.push({ orgnr: syntheticOrgnr('8020', i), kind: 'organisation', name: `${ORG_PREFIXES[i % ORG_PREFIXES.length]} ${town}${round ? ` ${round + 1}` : ''}`, periods: [] });
  }

  // Membership timeline: most join in the first year (many on 1 January), the rest later; about 1.2 %
  // a year leave (30 June or 31 December), half of those rejoin one to three years later.
  const timeline = new Rng(seed, 'membership');
  const randomDate = (y: number) => `${y}-${pad(timeline.int(1, 12))}-${pad(timeline.int(1, 28))}`;
  for (const m of members) {
    const firstYear = years === 1 || timeline.chance(0.85) ? fromYear : timeline.int(fromYear + 1, toYear);
    let from = firstYear === fromYear && timeline.chance(0.6) ? `${fromYear}-01-01` : randomDate(firstYear);
    for (;;) {
      const period: Period = { from };
      m.periods.push(period);
      for (let y = yearOf(from) + 1; y <= toYear; y++) {
        if (timeline.chance(0.012)) {
          period.to = timeline.chance(0.5) ? `${y}-06-30` : `${y}-12-31`;
          break;
        }
      }
      if (period.to === undefined || !timeline.chance(0.5)) break;
      const rejoinYear = yearOf(period.to) + timeline.int(1, 3);
      if (rejoinYear > toYear) break;
      from = randomDate(rejoinYear);
    }
  }

  // Services: a mix of the five pricing rules; the first one is national (every municipality).
  const svcRng = new Rng(seed, 'services');
  const nServices = Math.max(1, scaled(100, scale));
  const allTiers = source.scheduleTiers;
  const services: ServiceModel[] = [];
  for (let i = 0; i < nServices; i++) {
    const roll = svcRng.float();
    const kind: PricingKind = i === 0 ? 'tier-weighted'
      : roll < 0.25 ? 'equal' : roll < 0.55 ? 'tier-weighted' : roll < 0.75 ? 'per-capita' : roll < 0.9 ? 'base-plus-per-capita' : 'price-list';
    const band = (t: FeeTierData) => ({ id: t.id, label: t.label, ...(t.min !== undefined ? { min: t.min } : {}), ...(t.max !== undefined ? { max: t.max } : {}), ...(t.organisation ? { organisation: true as const } : {}) });
    const weights = svcRng.pick([['1', '1', '2', '2', '3', '4', '5', '2'], ['1', '2', '3', '4', '5', '6', '8', '1'], ['1', '1.5', '2', '3', '4', '5', '6', '1.5']]);
    const prices = svcRng.pick([[3000, 5000, 8000, 12000, 18000, 24000, 30000, 6000], [1500, 2500, 4000, 6000, 9000, 12000, 15000, 3000]]);
    const baseKr = kind === 'base-plus-per-capita' ? svcRng.pick([2000, 5000, 10000]) : 0;
    const pricing: ServiceModel['pricing'] =
      kind === 'tier-weighted' ? { kind, bands: allTiers.map((t, k) => ({ ...band(t), weight: weights[k % weights.length] })) }
      : kind === 'price-list' ? { kind, bands: allTiers.map((t, k) => ({ ...band(t), price: kronor(prices[k % prices.length]) })) }
      : kind === 'base-plus-per-capita' ? { kind, base: kronor(baseKr) }
      : { kind };
    const eligible = kind === 'per-capita' || kind === 'base-plus-per-capita' ? members.filter((m) => m.kind === 'municipality').length : members.length;
    const target = Math.max(1, Math.min(eligible, i === 0 ? nMunicipalities : scaled(svcRng.int(20, 290), scale)));
    const perParticipant = svcRng.int(8, 40) * 1000;
    // base-plus-per-capita: the budget must cover every participant's base in every month, with room for
    // a month where an ending enrolment and its replacement both count (up to twice the target).
    const budgetBase = Math.max(target * perParticipant, 3 * target * baseKr);
    const area = AREAS[i % AREAS.length];
    services.push({
      id: `svc-${pad(i + 1, 3)}`, name: `${area.split(' ')[0]}${svcRng.pick(SERVICE_WORDS).toLowerCase()} ${i + 1}`, area, kind, pricing,
      overheadRate: svcRng.pick(['0.03', '0.05', '0.08', '0.1']), cadence: svcRng.pick(['yearly', 'quarterly', 'monthly'] as const),
      startYear: i === 0 || years === 1 || svcRng.chance(0.6) ? fromYear : svcRng.int(fromYear + 1, toYear),
      target, budgetBase, open: new Map(), lastTo: new Map(), budgets: new Map(),
    });
  }
  return {
    seed, scale, fromYear, toYear, source, members, codes, drift, services,
    codeByKommunkod: new Map(codes.map((c) => [c.code, c])), memberByOrgnr: new Map(members.map((m) => [m.orgnr, m])),
  };
}

/** SCB folkmängd for a code and year; outside the table's years, the nearest year's figure with a yearly drift. */
function populationOf(model: Model, code: string, year: number): number {
  const c = model.codeByKommunkod.get(code);
  if (!c) throw new Error(`no population model for kommunkod ${code}`);
  const byYear = model.source.population.get(c.basedOn) as Map<number, number>;
  const { firstScbYear, lastScbYear } = model.source;
  const anchor = year > lastScbYear ? lastScbYear : year < firstScbYear ? firstScbYear : year;
  const drift = (1 + (model.drift.get(code) ?? 0)) ** (year - anchor);
  return Math.round((byYear.get(anchor) as number) * c.factor * drift);
}

// ---------------------------------------------------------------------------------------------------------
// The plan of one year: commands with the date they happen on, executed in date order

/** The commands this generator gives: the year's plan, then invoicing (`billingForYear`) on the same timeline. */
type GeneratedType =
  | 'population.import' | 'schedule.adopt' | 'levy.decide' | 'member.join' | 'service.establish' | 'budget.decide'
  | 'enrolment.start' | 'enrolment.end' | 'cost.record' | 'member.leave'
  | 'invoice.run' | 'payment.record' | 'settlement.run' | 'year.close';

interface PlanItem {
  date: string;
  /** Same-day order: joins before enrolments, enrolment ends before the member leaves. */
  order: number;
  command: Record<string, unknown> & { type: GeneratedType };
}

// Invoicing comes last on its day, so a run bills what was decided that day and no other command's
// recorded time moves because of it.
const ORDER: Record<GeneratedType, number> = {
  'population.import': 0, 'schedule.adopt': 1, 'levy.decide': 2, 'member.join': 3, 'service.establish': 4, 'budget.decide': 5,
  'enrolment.start': 6, 'enrolment.end': 7, 'cost.record': 8, 'member.leave': 9,
  'invoice.run': 10, 'settlement.run': 11, 'payment.record': 12, 'year.close': 13,
};

class Plan {
  readonly items: PlanItem[] = [];
  add(date: string, command: PlanItem['command']): void {
    this.items.push({ date, order: ORDER[command.type], command });
  }
  sorted(): PlanItem[] {
    // Array.prototype.sort is stable: same date and order keep the order they were planned in.
    return [...this.items].sort(byDateAndOrder);
  }
}

const byDateAndOrder = (a: { date: string; order: number }, b: { date: string; order: number }) =>
  (a.date < b.date ? -1 : a.date > b.date ? 1 : a.order - b.order);

const periodCovering = (m: MemberModel, date: string): Period | undefined =>
  m.periods.find((p) => p.from <= date && (p.to === undefined || date <= p.to));

/** Decisions taken in the autumn before `year`: the fee schedule, new services and the councils' budgets. */
function planDecisionsFor(model: Model, year: number, plan: Plan): void {
  const autumn = year - 1;
  const tiers = model.source.scheduleTiers;
  plan.add(`${autumn}-11-20`, {
    type: 'schedule.adopt', year, decisionRef: `Föreningsstämma ${autumn}-11-20 §7 (avgifter ${year})`, decidedOn: `${autumn}-11-20`,
    tiers, firstYear: 'from-entry-month', reentryPercent: 50, source: 'sambruk-2020.json',
  });
  if ((year - model.fromYear) % 4 === 2) {
    plan.add(`${autumn}-11-20`, {
      type: 'levy.decide', year, levyId: `extra-${year}`, purpose: 'Extra utdebitering för gemensam utveckling',
      decisionRef: `Föreningsstämma ${autumn}-11-20 §9`, decidedOn: `${autumn}-11-20`, tiers: model.source.levyTiers,
    });
  }
  const rng = new Rng(model.seed, `decisions:${year}`);
  for (const s of model.services) {
    if (s.startYear === year) {
      plan.add(`${autumn}-10-01`, {
        type: 'service.establish', serviceId: s.id, name: s.name, area: s.area, pricing: s.pricing, overheadRate: s.overheadRate,
        cadence: s.cadence, decisionRef: `Styrelsen ${autumn}-10-01 §${pad(model.services.indexOf(s) + 1, 3)}`, date: `${year}-01-01`,
      });
    }
    if (s.startYear > year || s.kind === 'price-list') continue; // a price list is not a split of a budget
    const kr = Math.round((s.budgetBase * 1.03 ** (year - s.startYear) * (0.95 + rng.float() * 0.15)) / 1000) * 1000;
    s.budgets.set(year, kr);
    const decidedOn = `${autumn}-11-${pad(rng.int(2, 28))}`;
    plan.add(decidedOn, { type: 'budget.decide', serviceId: s.id, year, lines: budgetLines(kr), decidedOn, minutesRef: `Förvaltningsråd ${s.id} ${decidedOn} §4` });
  }
}

function budgetLines(kr: number): { text: string; amount: string }[] {
  const drift = Math.round(kr * 0.7);
  const development = Math.round(kr * 0.2);
  return [
    { text: 'Drift', amount: kronor(drift) },
    { text: 'Utveckling', amount: kronor(development) },
    { text: 'Förvaltning', amount: kronor(kr - drift - development) },
  ];
}

function populationTable(model: Model, year: number) {
  return {
    year, referenceDate: `${year}-12-31`,
    rows: model.codes.map((c) => ({ code: c.code, name: c.name, population: populationOf(model, c.code, year) })),
  };
}

/** Everything that happens in calendar year `year`, and the decisions for the next year taken in its autumn. */
function planYear(model: Model, year: number): Plan {
  const plan = new Plan();
  // SCB publishes folkmängd 31 december in February; the table is what fees for `year` use.
  const previous = year - 1;
  const source = previous > model.source.lastScbYear || previous < model.source.firstScbYear
    ? `SCB BE0101 Folkmängd 31 december ${previous} (synthetic: ${previous > model.source.lastScbYear ? model.source.lastScbYear : model.source.firstScbYear} with a drift)`
    : `SCB BE0101 Folkmängd 31 december ${previous} (scb-folkmangd-kommuner-2013-2023.csv)`;
  plan.add(`${year}-02-20`, { type: 'population.import', source, tables: [populationTable(model, previous)] });

  for (const m of model.members) {
    for (const p of m.periods) {
      if (yearOf(p.from) === year) {
        plan.add(p.from, {
          type: 'member.join', orgnr: m.orgnr, kind: m.kind, name: m.name, ...(m.kommunkod ? { kommunkod: m.kommunkod } : {}), date: p.from,
          decisionRef: `Styrelsen ${p.from} §${pad(yearOf(p.from) % 100)}`,
        });
      }
      if (p.to !== undefined && yearOf(p.to) === year) {
        plan.add(p.to, { type: 'member.leave', member: m.orgnr, date: p.to, reason: 'Utträde enligt eget beslut', decisionRef: `Styrelsen ${year}-${p.to.slice(5, 7)} §12` });
      }
    }
  }

  const rng = new Rng(model.seed, `enrolments:${year}`);
  const yearEnd = `${year}-12-31`;
  for (const s of model.services) {
    if (s.startYear > year) continue;
    // Enrolments end when the member leaves, and about 4 % a year end anyway (at a month's end).
    for (const [orgnr, e] of [...s.open.entries()]) {
      const m = model.memberByOrgnr.get(orgnr) as MemberModel;
      const leaving = m.periods.find((p) => p.to !== undefined && yearOf(p.to) === year && p.from <= e.from && e.from <= p.to);
      let to: string | undefined;
      if (leaving) to = leaving.to;
      else if (rng.chance(0.04)) {
        const m0 = yearOf(e.from) === year ? monthOf(e.from) : 1;
        to = monthEnd(year, rng.int(m0, 12));
      }
      if (to === undefined) continue;
      plan.add(to, { type: 'enrolment.end', serviceId: s.id, enrolmentId: e.id, to });
      s.open.delete(orgnr);
      s.lastTo.set(orgnr, to);
    }
    // New enrolments bring the service back up to its target, from members in force for the rest of the year.
    let need = s.target - s.open.size;
    if (need <= 0) continue;
    const perCapita = s.kind === 'per-capita' || s.kind === 'base-plus-per-capita';
    const candidates = rng.shuffle(model.members.filter((m) => (!perCapita || m.kind === 'municipality') && !s.open.has(m.orgnr)));
    for (const m of candidates) {
      if (need === 0) break;
      const wanted = year === s.startYear && rng.chance(0.75) ? `${year}-01-01` : monthStart(year, rng.int(1, 12));
      const period = periodCovering(m, yearEnd);
      if (!period || (period.to !== undefined && period.to <= yearEnd)) continue; // not a member all year out
      const from = maxDate(wanted, period.from);
      const last = s.lastTo.get(m.orgnr);
      if (last !== undefined && last >= from) continue;
      const id = `${m.orgnr}-${from}`;
      plan.add(from, { type: 'enrolment.start', serviceId: s.id, member: m.orgnr, from, enrolmentId: id });
      s.open.set(m.orgnr, { id, from });
      need -= 1;
    }
  }

  // Some councils revise the year's budget in June; actual costs are booked every quarter.
  const money = new Rng(model.seed, `costs:${year}`);
  for (const s of model.services) {
    if (s.startYear > year) continue;
    let inForce = s.budgets.get(year) ?? s.budgetBase;
    if (s.kind !== 'price-list' && money.chance(0.15)) {
      inForce = Math.round((inForce * (0.9 + money.float() * 0.25)) / 1000) * 1000;
      s.budgets.set(year, inForce);
      const decidedOn = `${year}-06-${pad(money.int(2, 28))}`;
      plan.add(decidedOn, { type: 'budget.decide', serviceId: s.id, year, lines: budgetLines(inForce), decidedOn, minutesRef: `Förvaltningsråd ${s.id} ${decidedOn} §2 (revidering)` });
    }
    for (let q = 1; q <= 4; q++) {
      const date = monthEnd(year, q * 3);
      const amountOre = Math.round(inForce * 25 * (0.85 + money.float() * 0.3)); // a quarter of the budget in öre, ±15 %
      plan.add(date, { type: 'cost.record', serviceId: s.id, year, amount: ore(amountOre), supplier: money.pick(SUPPLIERS), reference: `F${year}-${s.id}-Q${q}`, date });
    }
  }

  if (year < model.toYear) planDecisionsFor(model, year + 1, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Execution

/** A clock that reads the simulated date: 07:00 UTC on the plan item's day, one millisecond later per call. */
class SimulatedClock implements Clock {
  private last = 0;
  private day = 0;
  at(date: string): void {
    this.day = Date.parse(`${date}T07:00:00.000Z`);
  }
  now(): Date {
    this.last = Math.max(this.day, this.last + 1);
    return new Date(this.last);
  }
}

/** A dated command on the timeline, with the command-id namespace it is numbered in. */
interface Scheduled extends PlanItem {
  label: string;
  /** The year's plan numbers its commands in its own sorted order; billing commands as they execute. */
  seq?: number;
  /** Insertion order, the last tie-breaker: equal date and order keep the order they were scheduled in. */
  tie: number;
  /** Runs after the command, e.g. an invoice run schedules the payments of what it issued. */
  then?: (result: ExecuteResult) => void;
  /** Settles the command on its day from the state then (a payment pays what is open); undefined: skip it. */
  onTheDay?: (command: PlanItem['command']) => PlanItem['command'] | undefined;
}

/**
 * Every planned command in date order, across years: a year's invoicing runs on the same calendar as its
 * enrolments and costs (a run sees what was decided before its date), and its settlements, payments and
 * close fall in the next year among that year's commands. A binary heap, since payments are added as the
 * runs that issue their invoices execute.
 */
class Timeline {
  private readonly heap: Scheduled[] = [];
  private ties = 0;

  push(item: Omit<Scheduled, 'tie'>): void {
    const h = this.heap;
    h.push({ ...item, tie: this.ties++ });
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!Timeline.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  peek(): Scheduled | undefined {
    return this.heap[0];
  }

  pop(): Scheduled | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && Timeline.before(h[l], h[m])) m = l;
        if (r < h.length && Timeline.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private static before(a: Scheduled, b: Scheduled): boolean {
    return (byDateAndOrder(a, b) || a.tie - b.tie) < 0;
  }
}

interface Runner {
  engine: Engine;
  clock: SimulatedClock;
  seed: number;
  timeline: Timeline;
  /** Commands executed so far per unnumbered namespace (billing). */
  counters: Map<string, number>;
  commands: number;
  duplicates: number;
  events: number;
  eventsByType: Record<string, number>;
  started: number;
  progressEvery: number;
  log: (line: string) => void;
}

/** Schedules a plan under its own command-id namespace, numbered in its sorted order. */
function schedulePlan(run: Runner, label: string, plan: Plan): void {
  plan.sorted().forEach((item, i) => run.timeline.push({ ...item, label, seq: i + 1 }));
}

async function execute(run: Runner, item: Scheduled): Promise<void> {
  const command = item.onTheDay ? item.onTheDay(item.command) : item.command;
  if (command === undefined) return;
  const seq = item.seq ?? (run.counters.get(item.label) ?? 0) + 1;
  if (item.seq === undefined) run.counters.set(item.label, seq);
  run.clock.at(item.date);
  const commandId = `gen-${run.seed}-${item.label}-${pad(seq, 6)}`;
  let result: ExecuteResult;
  try {
    result = await run.engine.execute(parseCommand(command), { commandId });
  } catch (err) {
    throw new Error(`generate: ${command.type} on ${item.date} (${commandId}) was refused: ${(err as Error).message}`);
  }
  run.commands += 1;
  if (result.duplicate) run.duplicates += 1;
  else {
    run.events += result.events.length;
    for (const e of result.events) run.eventsByType[e.type] = (run.eventsByType[e.type] ?? 0) + 1;
  }
  if (run.progressEvery > 0 && run.commands % run.progressEvery === 0) {
    const s = (performance.now() - run.started) / 1000;
    run.log(`generate: ${run.commands} commands, ${run.events} events, ${item.date}, ${s.toFixed(1)} s (${Math.round(run.commands / s)} commands/s)`);
  }
  item.then?.(result);
}

/** Executes every scheduled command dated on or before `lastDate`, in date order. */
async function runUntil(run: Runner, lastDate: string): Promise<void> {
  for (let next = run.timeline.peek(); next !== undefined && next.date <= lastDate; next = run.timeline.peek()) {
    await execute(run, run.timeline.pop() as Scheduled);
  }
}

/** Schedules one calendar year of the history (and its autumn's decisions for the next year). */
function scheduleYear(run: Runner, model: Model, year: number): void {
  schedulePlan(run, String(year), planYear(model, year));
}

// ---------------------------------------------------------------------------------------------------------
// Invoicing: monthly a-conto runs, payments, settlement after the year's actual costs, closing the year

const SELLER = DEFAULT_CONFIG.seller;
const TERMS = DEFAULT_CONFIG.paymentTermsDays;
const VAT = DEFAULT_CONFIG.serviceVatRate;

/**
 * Schedules the invoicing of `year` as a finance office would do it:
 * - one invoice run a month, period YYYY-MM, on the 28th (after every join and enrolment start of the
 *   month up to then, so a member joining mid-month gets its membership invoice that month). January's
 *   run waits for SCB's folkmängd (imported 20 February): fees and per-capita splits need it, so January
 *   and February are both billed on 28 February;
 * - payments of most invoices as each run issues them (see `schedulePayments`);
 * - the settlement of every service in January of the next year, after the fourth quarter's costs
 *   (booked 31 December);
 * - closing the year on 15 February of the next year, after its settlements: every command dated in the
 *   year comes before it (the year guard would refuse it after), and what follows in February is the
 *   next year's (SCB's table imported on 20 February sets the next year's fees; late payments are not
 *   refused by a close).
 */
function billingForYear(run: Runner, model: Model, year: number): void {
  const rng = new Rng(model.seed, `billing:${year}`);
  const label = `${year}-billing`;
  const add = (date: string, command: PlanItem['command'], then?: Scheduled['then']) =>
    run.timeline.push({ date, order: ORDER[command.type], command, label, then });
  const payments = (result: ExecuteResult) => schedulePayments(run, rng, year, label, result);
  for (let m = 1; m <= 12; m++) {
    const date = `${year}-${pad(Math.max(m, 2))}-28`;
    add(date, { type: 'invoice.run', period: `${year}-${pad(m)}`, issueDate: date, paymentTermsDays: TERMS, vatRate: VAT, seller: SELLER }, payments);
  }
  for (const s of model.services) {
    if (s.startYear > year) continue;
    const date = `${year + 1}-01-${pad(rng.int(10, 31))}`;
    add(date, { type: 'settlement.run', serviceId: s.id, year, issueDate: date, paymentTermsDays: TERMS, vatRate: VAT, seller: SELLER }, payments);
  }
  const closing = `${year + 1}-02-15`;
  add(closing, { type: 'year.close', year, date: closing, decisionRef: `Styrelsen ${closing} §3 (bokslut ${year})` });
}

/**
 * Payments of the invoices a run just issued: most within the terms, about 12 % late (up to 60 days
 * after the due date), 2 % never (they stay open receivables). Drawn from the year's billing stream in
 * the order the invoices were issued, so they are as deterministic as the runs. A member pays what is
 * open on the day: a settlement credit note issued in between has already reduced it.
 */
function schedulePayments(run: Runner, rng: Rng, year: number, label: string, result: ExecuteResult): void {
  const issued = new Set(result.events.filter((e) => e.type === 'InvoiceIssued').map((e) => e.id));
  if (issued.size === 0) return;
  for (const inv of run.engine.state.billing.get(year)?.invoices.values() ?? []) {
    if (!issued.has(inv.ref.eventId)) continue;
    const { number, total, issueDate, dueDate } = inv.invoice;
    const r = rng.float();
    if (r < 0.02 || !(Number(total) > 0)) continue;
    const date = r < 0.14 ? addDays(dueDate, rng.int(1, 60)) : maxDate(issueDate, addDays(dueDate, -rng.int(0, TERMS - 5)));
    run.timeline.push({
      date, order: ORDER['payment.record'], label,
      command: { type: 'payment.record', invoice: number, amount: total, date, reference: `Bankgiro OCR ${number}` },
      onTheDay: (command) => {
        const open = openBalance(findInvoice(run.engine.state, number));
        return open.gt(0) ? { ...command, amount: amountString(open) } : undefined;
      },
    });
  }
}

export async function generate(opts: GenerateOptions): Promise<GenerateReport> {
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  const years = opts.years ?? 10;
  const fromYear = opts.fromYear ?? 2014;
  const toYear = fromYear + years - 1;
  const invoicedYears = opts.invoicedYears ?? years;
  const invoicedFrom = toYear - Math.min(invoicedYears, years) + 1;
  if (!(scale > 0)) throw new Error('--scale must be positive');
  if (!Number.isInteger(invoicedYears) || invoicedYears < 0) throw new Error('--invoiced-years must be a whole number ≥ 0');
  if (!Number.isInteger(years) || years < 1) throw new Error('--years must be a whole number ≥ 1');
  if (fromYear < 1991 || toYear > 2100) throw new Error('years must lie within 1991–2100');
  const store = resolve(opts.store);
  if (existsSync(store)) {
    if (!opts.force) throw new Error(`${store} exists; give --force to replace it`);
    for (const f of [store, `${store}-wal`, `${store}-shm`]) rmSync(f, { force: true });
  }
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const model = buildModel(loadSource(dataRoot(opts.dataDir)), seed, scale, fromYear, toYear);
  const es = new SqliteEventStore(store, domainCodec);
  const clock = new SimulatedClock();
  const run: Runner = {
    engine: new Engine(es, 'generator', clock), clock, seed, timeline: new Timeline(), counters: new Map(),
    commands: 0, duplicates: 0, events: 0, eventsByType: {}, started: performance.now(), progressEvery: opts.progressEvery ?? 5000, log,
  };
  try {
    // The autumn before the first year: the first fee schedule, the first services and their budgets.
    const prelude = new Plan();
    planDecisionsFor(model, fromYear, prelude);
    schedulePlan(run, String(fromYear - 1), prelude);
    for (let year = fromYear; year <= toYear; year++) {
      // Planned before anything dated in the year runs: the previous year's settlements, payments and
      // close fall among this year's first commands.
      scheduleYear(run, model, year);
      if (year >= invoicedFrom) billingForYear(run, model, year);
      await runUntil(run, `${year}-12-31`);
    }
    // The last year's settlements, its close and the payments still due, early in the year after.
    await runUntil(run, '9999-12-31');
  } finally {
    await es.close();
  }
  const seconds = (performance.now() - run.started) / 1000;
  const storeBytes = [store, `${store}-wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
  return {
    store, seed, scale, fromYear, toYear, invoicedFrom: invoicedFrom <= toYear ? invoicedFrom : undefined,
    members: {
      municipalities: model.members.filter((m) => m.kind === 'municipality').length,
      regions: model.members.filter((m) => m.kind === 'region').length,
      organisations: model.members.filter((m) => m.kind === 'organisation').length,
    },
    services: model.services.length,
    commands: run.commands, duplicates: run.duplicates, events: run.events, eventsByType: run.eventsByType,
    storeBytes, seconds, commandsPerSecond: run.commands / seconds,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CLI

const number = (what: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${what} must be ${integer ? 'a whole number' : 'a number'}`);
  return n;
};

export async function cli(argv: string[]): Promise<void> {
  const program = new Program('generate')
    .description('write a deterministic synthetic history to a fresh SQLite store, through the engine')
    .requiredOption('--store <file>', 'SQLite file to create')
    .option('--seed <n>', 'random seed', number('--seed', true), 1)
    .option('--scale <k>', 'multiplies members, services and participants', number('--scale', false), 1)
    .option('--years <y>', 'calendar years of history', number('--years', true), 10)
    .option('--from-year <year>', 'first calendar year', number('--from-year', true), 2014)
    .option('--invoiced-years <n>', 'invoice only the last n years (default: every year; 0: no invoicing)', number('--invoiced-years', true))
    .option('--progress <n>', 'progress line on stderr every N commands (0: none)', number('--progress', true), 5000)
    .option('--force', 'replace the store file if it exists')
    .option('--json', 'print the report as JSON');
  program.parse(argv);
  const o = program.opts<{ store: string; seed: number; scale: number; years: number; fromYear: number; invoicedYears?: number; progress: number; force?: boolean; json?: boolean }>();
  const r = await generate({
    store: o.store, seed: o.seed, scale: o.scale, years: o.years, fromYear: o.fromYear, invoicedYears: o.invoicedYears, progressEvery: o.progress, force: o.force,
  });
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const lines = [
    `store       ${r.store}`,
    `history     ${r.fromYear}–${r.toYear}, seed ${r.seed}, scale ${r.scale}, ${r.invoicedFrom === undefined ? 'not invoiced' : `invoiced ${r.invoicedFrom}–${r.toYear}`}`,
    `members     ${r.members.municipalities} municipalities, ${r.members.regions} regions, ${r.members.organisations} organisations`,
    `services    ${r.services}`,
    `commands    ${r.commands}${r.duplicates ? ` (${r.duplicates} already recorded)` : ''}`,
    `events      ${r.events}  (${Object.entries(r.eventsByType).sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, n]) => `${t} ${n}`).join(', ')})`,
    `store size  ${(r.storeBytes / 1024 / 1024).toFixed(1)} MiB`,
    `time        ${r.seconds.toFixed(1)} s (${Math.round(r.commandsPerSecond)} commands/s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
  cli(process.argv).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
