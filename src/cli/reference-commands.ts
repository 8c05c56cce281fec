import { type Command, InvalidArgumentError } from 'commander';
import Decimal from 'decimal.js';
import { NotFoundError } from '../../domain/errors';
import { eventLink } from '../../domain/event-ref';
import type { ExtraLevyDecided, FeeScheduleAdopted } from '../../domain/events/membership';
import { formatSek, grouped } from '../../domain/money';
import { municipalityCount, populationYearFor } from '../../domain/population-rule';
import type { Adopted, PopulationTable, State } from '../../domain/state';
import type { TierBand } from '../../domain/tiers';
import { type GlobalOptions, NO_DOCUMENTS, withEngine } from './context';
import { type CliIo, toJson } from './io';
import { parseYear } from './options';
import { newTable } from './table';

/*
 * The reads of what the fees are worked out from: the fee schedule adopted for a year (`schedule show`),
 * the extra levies decided (`levies`) and the SCB population tables recorded (`population show`). Each
 * shows what is in force as the events left it, and names the event it rests on (eventLink), so that
 * finance sees what it bills by and an auditor can find and check it. None reads an invoice.
 */

/** A kommunkod as --kommun takes it: four digits, as SCB writes it ("0180"). */
export function parseKommunkod(v: string): string {
  if (!/^\d{4}$/.test(v)) throw new InvalidArgumentError(`ska vara en kommunkod med fyra siffror, t.ex. 0180, inte "${v}"`);
  return v;
}

/** "2022, 2023", or "inga" for none. */
const yearsListed = (years: readonly number[]): string => (years.length ? [...years].sort((a, b) => a - b).join(', ') : 'inga');

/** The population a band takes, in words: "15 000 – 24 999", "150 001 –", "organisationer". */
export function bandBounds(b: TierBand): string {
  if (b.organisation) return 'organisationer';
  return `${grouped(b.min ?? 0)} –${b.max === undefined ? '' : ` ${grouped(b.max)}`}`;
}

const FIRST_YEAR_WORDS: Record<FeeScheduleAdopted['firstYear'], string> = {
  'from-entry-month': 'årsavgiften räknas från inträdesmånaden (årsavgift × månader/12)',
  'full-year': 'hel årsavgift oavsett inträdesmånad',
};

/** `stream@revision, hash …`: where the event is and what it hashes to. */
const eventWords = (link: ReturnType<typeof eventLink>): string => `${link.streamId}@${link.revision}, hash ${link.hash}`;

// ---- fee schedule ----------------------------------------------------------------------------------------

/**
 * The schedule adopted for `year` as stored, with the event it rests on: the last adoption for the year
 * (the schedule stream of a year holds nothing else, so its revision counts the earlier ones). A year
 * without one is not there (NotFoundError, as `fees` refuses it), named with the years that have one.
 */
export function scheduleShown(state: State, year: number): FeeScheduleAdopted & { event: ReturnType<typeof eventLink> } {
  const adopted = state.schedules.get(year);
  if (!adopted) {
    const years = [...state.schedules.keys()];
    throw new NotFoundError(`ingen avgiftsplan är antagen för ${year} (${years.length ? `antagna: ${yearsListed(years)}` : 'ingen är antagen för något år'}); anta en med \`samkost schedule adopt\``);
  }
  return { ...adopted.value, event: eventLink(adopted.ref) };
}

function renderSchedule(s: ReturnType<typeof scheduleShown>): string {
  const earlier = s.event.revision;
  const out = [
    `Avgiftsplan ${s.year}`,
    `Beslut: ${s.decisionRef}, ${s.decidedOn}${earlier > 0 ? ` (ersätter ${earlier} tidigare beslut för ${s.year})` : ''}`,
    `Första året: ${FIRST_YEAR_WORDS[s.firstYear]}`,
    `Återinträde: ${s.reentryPercent} % av den ordinarie medlemsinsatsen`,
    `Befolkning: SCB:s folkmängd 31 december ${populationYearFor(s.year)}`,
  ];
  if (s.source) out.push(`Källa: ${s.source}`);
  const t = newTable(['Nivå', 'Benämning', 'Invånare', 'Medlemsinsats', 'Årsavgift']);
  for (const tier of s.tiers) t.push([tier.id, tier.label, bandBounds(tier), formatSek(new Decimal(tier.joiningContribution)), formatSek(new Decimal(tier.annualFee))]);
  out.push(t.toString(), `Händelse: ${eventWords(s.event)}`);
  return `${out.join('\n')}\n`;
}

// ---- levies ------------------------------------------------------------------------------------------------

type LevyShown = ExtraLevyDecided & { event: ReturnType<typeof eventLink> };

/** The levies decided for `year` (every year's without one), as stored with their events, by year and then in the order decided. */
export function leviesShown(state: State, year?: number): LevyShown[] {
  const years = year === undefined ? [...state.levies.keys()].sort((a, b) => a - b) : [year];
  return years.flatMap((y) => [...(state.levies.get(y)?.values() ?? [])]
    .sort((a, b) => a.ref.revision - b.ref.revision)
    .map((l: Adopted<ExtraLevyDecided>) => ({ ...l.value, event: eventLink(l.ref) })));
}

function renderLevies(levies: LevyShown[], year?: number): string {
  if (levies.length === 0) return `Inga extra utdebiteringar är beslutade${year === undefined ? '' : ` för ${year}`}.\n`;
  const out = [`Extra utdebiteringar${year === undefined ? '' : ` ${year}`}: ${levies.length}`];
  for (const l of levies) {
    const t = newTable(['Nivå', 'Benämning', 'Invånare', 'Belopp']);
    for (const tier of l.tiers) t.push([tier.id, tier.label, bandBounds(tier), formatSek(new Decimal(tier.amount))]);
    out.push('', `${l.levyId}${year === undefined ? ` (${l.year})` : ''}: ${l.purpose}`, `Beslut: ${l.decisionRef}, ${l.decidedOn}; händelse ${eventWords(l.event)}`, t.toString());
  }
  return `${out.join('\n')}\n`;
}

// ---- population tables -------------------------------------------------------------------------------------

interface TableShown {
  /** The year the figures refer to (31 December of it). */
  year: number;
  referenceDate: string;
  source: string;
  /** How many municipalities the table has a figure for. */
  count: number;
  /** The fee year whose fees, tiers and per-capita splits count this table (domain/population-rule.ts). */
  usedForFeeYear: number;
  event: ReturnType<typeof eventLink>;
}

const tableShown = (t: PopulationTable): TableShown => ({
  year: t.table.year, referenceDate: t.table.referenceDate, source: t.table.source, count: t.table.rows.length,
  usedForFeeYear: t.table.year + 1, event: eventLink(t.ref),
});

/** The tables in force (a later table for a year replaces it), by year. */
const tablesOf = (state: State): PopulationTable[] => [...state.populations.values()].sort((a, b) => a.table.year - b.table.year);

type PopulationShown =
  | { kind: 'tables'; tables: TableShown[] }
  | { kind: 'fee-year'; feeYear: number; table: TableShown; rows: { code: string; name: string; population: number }[] }
  | { kind: 'kommun'; kommunkod: string; name: string; figures: (Omit<TableShown, 'count'> & { population: number | null })[] };

/**
 * What `population show` shows: every table; with a fee year, the table that year uses by the population
 * rule and its rows (one municipality's with a kommunkod); with a kommunkod alone, its figure in every table.
 * A fee year without its table, or a kommunkod no table (or not the fee year's) has, is not there.
 */
export function populationShown(state: State, o: { year?: number; kommun?: string }): PopulationShown {
  const tables = tablesOf(state);
  const recorded = yearsListed(tables.map((t) => t.table.year));
  if (o.kommun !== undefined && !tables.some((t) => t.byCode.has(o.kommun!))) {
    throw new NotFoundError(`kommunkod ${o.kommun} finns inte i någon registrerad SCB-tabell (registrerade: ${recorded})`);
  }
  if (o.year !== undefined) {
    const year = populationYearFor(o.year);
    const table = state.populations.get(year);
    if (!table) throw new NotFoundError(`ingen befolkningstabell för ${year} finns registrerad (avgifterna för ${o.year} bygger på SCB:s folkmängd 31 december ${year}; registrerade: ${recorded}); importera en med \`samkost population import\``);
    const rows = table.table.rows
      .filter((r) => o.kommun === undefined || r.code === o.kommun)
      .map((r) => ({ code: r.code, name: r.name, population: r.population }))
      .sort((a, b) => a.code.localeCompare(b.code));
    if (rows.length === 0) throw new NotFoundError(`kommunkod ${o.kommun} finns inte i SCB-tabellen ${table.table.referenceDate}, som avgiftsåret ${o.year} använder`);
    return { kind: 'fee-year', feeYear: o.year, table: tableShown(table), rows };
  }
  if (o.kommun !== undefined) {
    const code = o.kommun;
    const latest = [...tables].reverse().find((t) => t.byCode.has(code))!;
    return {
      kind: 'kommun', kommunkod: code, name: latest.table.rows.find((r) => r.code === code)!.name,
      figures: tables.map((t) => {
        const { count: _count, ...shown } = tableShown(t);
        return { ...shown, population: t.byCode.get(code) ?? null };
      }),
    };
  }
  return { kind: 'tables', tables: tables.map(tableShown) };
}

const at = (e: ReturnType<typeof eventLink>): string => `${e.streamId}@${e.revision}`;

function renderPopulation(p: PopulationShown): string {
  switch (p.kind) {
    case 'tables': {
      if (p.tables.length === 0) return 'Inga befolkningstabeller är registrerade; importera en med `samkost population import`.\n';
      const t = newTable(['År', 'Referensdatum', 'Källa', 'Kommuner', 'Avgiftsår', 'Händelse']);
      for (const x of p.tables) t.push([x.year, x.referenceDate, x.source, grouped(x.count), x.usedForFeeYear, at(x.event)]);
      return `Befolkningstabeller: ${p.tables.length} (avgiftsåret använder SCB:s folkmängd 31 december året före)\n${t.toString()}\n`;
    }
    case 'fee-year': {
      const x = p.table;
      const t = newTable(['Kommunkod', 'Kommun', 'Folkmängd']);
      for (const r of p.rows) t.push([r.code, r.name, grouped(r.population)]);
      return `Avgiftsåret ${p.feeYear} använder SCB:s folkmängd 31 december ${x.year}: tabellen ${x.referenceDate} (${x.source}), ${municipalityCount(x.count)}, händelse ${at(x.event)}\n${t.toString()}\n`;
    }
    case 'kommun': {
      const t = newTable(['År', 'Referensdatum', 'Folkmängd', 'Avgiftsår', 'Händelse']);
      for (const x of p.figures) t.push([x.year, x.referenceDate, x.population === null ? '–' : grouped(x.population), x.usedForFeeYear, at(x.event)]);
      return `Kommunkod ${p.kommunkod} ${p.name}\n${t.toString()}\n`;
    }
  }
}

// ---- commands ----------------------------------------------------------------------------------------------

/** The command `name` registered by another module (membership-commands.ts), to add a read to. */
function existing(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`samkost has no command ${name} to add a read to`);
  return found;
}

/** Registers `schedule show`, `levies` and `population show`; after registerMembershipCommands, whose `schedule` and `population` they join. */
export function registerReferenceCommands(program: Command, io: CliIo): void {
  const g = () => program.opts<GlobalOptions>();

  existing(program, 'schedule')
    .command('show')
    .description('avgiftsplanen som gäller för ett år: nivåer med gränser, medlemsinsats, årsavgift, regeln för första året, återinträde, beslut och händelse')
    .requiredOption('--year <year>', 'avgiftsår', parseYear)
    .action(async (o: { year: number }) => {
      await withEngine(g(), io, async (engine) => {
        const shown = scheduleShown(engine.state, o.year);
        io.out(g().json ? `${toJson(shown)}\n` : renderSchedule(shown));
      }, NO_DOCUMENTS);
    });

  program
    .command('levies')
    .description('extra utdebiteringar som beslutats: syfte, beslut och belopp per storleksklass')
    .option('--year <year>', 'bara detta år', parseYear)
    .action(async (o: { year?: number }) => {
      await withEngine(g(), io, async (engine) => {
        const levies = leviesShown(engine.state, o.year);
        io.out(g().json ? `${toJson({ year: o.year ?? null, levies })}\n` : renderLevies(levies, o.year));
      }, NO_DOCUMENTS);
    });

  existing(program, 'population')
    .command('show')
    .description('de registrerade befolkningstabellerna; med --year tabellen som ett avgiftsår använder, med --kommun en kommuns folkmängd i tabellerna')
    .option('--year <year>', 'avgiftsår: visa tabellen det använder (SCB 31 december året före) med alla kommuner', parseYear)
    .option('--kommun <code>', 'en kommun (kommunkod med fyra siffror)', parseKommunkod)
    .action(async (o: { year?: number; kommun?: string }) => {
      await withEngine(g(), io, async (engine) => {
        const shown = populationShown(engine.state, o);
        if (!g().json) return io.out(renderPopulation(shown));
        const { kind: _kind, ...json } = shown;
        io.out(`${toJson(json)}\n`);
      }, NO_DOCUMENTS);
    });
}
