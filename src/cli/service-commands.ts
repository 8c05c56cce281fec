import type { Command } from 'commander';
import Decimal from 'decimal.js';
import { newTable } from './table';
import { eventLink } from '../../domain/event-ref';
import { supplierInvoices } from '../../domain/supplier-debt';
import { formatNumber, formatPercent, formatSek, grouped, sum } from '../../domain/money';
import { requireService } from '../../domain/deciders/services';
import type { ServiceState, State } from '../../domain/state';
import { type AContoInvoiced, aContoInvoiced, simulate, sweep } from '../../projections/simulate';
import { periodText } from '../../domain/billing/due';
import { parsePeriod } from '../../domain/billing/periods';
import { type CostBasis, reportingTiersFor, splitForYear } from '../../projections/splits';
import { type GlobalOptions, NO_DOCUMENTS, withEngine } from './context';
import { executeAndReport } from './execute';
import { readJsonFile } from './input-files';
import { type CliIo, toJson, UsageError } from './io';
import { moneyToJson } from './money-json';
import { COMMAND_ID } from './help-words';
import { amountInput, collect, kommunCodes, list, parseDate, parseYear } from './options';
import { CADENCE_NAMES, PRICING_NAMES, pricingWords } from './pricing-words';
import { RULES_VERSION } from '../../domain/rules';
import { monthRanges } from '../../domain/proration';
import { ownBands, type PricingRule, sharesByInhabitants } from '../../domain/pricing';
import { bandOf, type TierBand } from '../../domain/tiers';
import { municipalityCount } from '../../domain/population-rule';
import { listed } from '../../domain/swedish-list';


function parseBasis(v: string): CostBasis {
  if (v !== 'budget' && v !== 'actual') throw new UsageError(`--basis ska vara budget eller actual, inte "${v}"`);
  return v;
}

function parseBudgetLine(v: string): { text: string; amount: string } {
  const i = v.lastIndexOf('=');
  if (i <= 0) throw new UsageError(`--line "${v}": ska ha formen "Text=Belopp", t.ex. "Drift och förvaltning=950000.00"`);
  try {
    return { text: v.slice(0, i).trim(), amount: amountInput(v.slice(i + 1)) };
  } catch (err) {
    throw new UsageError(`--line "${v}": ${(err as Error).message}`);
  }
}

/**
 * The most hypothetical members a what-if adds, or a sweep goes up to (four digits, as these options always
 * took): 34 times Sweden's 290 municipalities, and a sweep splits the year once per point.
 */
const MAX_ADDED = 9999;
/** The largest population a hypothetical municipality is given (eight digits, as always): more than Sweden's. */
const MAX_POPULATION = 99_999_999;

function parseRange(v: string): number {
  const m = /^0\.\.(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--sweep ska vara 0..N, t.ex. 0..20, inte "${v}"`);
  // A number past the limit is a number: say what the limit is, not that it is not one.
  if (Number(m[1]) > MAX_ADDED) throw new UsageError(`--sweep går till högst ${grouped(MAX_ADDED)} tänkta medlemmar (0..${MAX_ADDED}), inte "${v}"`);
  return Number(m[1]);
}

function parseAdded(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--add ska vara ett antal, inte "${v}"`);
  if (Number(v) > MAX_ADDED) throw new UsageError(`--add lägger till högst ${grouped(MAX_ADDED)} tänkta medlemmar, inte "${v}"`);
  // A scenario of no one added is today's split, answered as if something had been tried.
  if (Number(v) === 0) throw new UsageError('--add ska vara minst 1; fördelningen som den är visar samkost split');
  return Number(v);
}

/**
 * The population of a hypothetical municipality described by `--tier`: the lower bound of the service's own
 * band (what its weight or price goes by), at least 1, since a municipality has inhabitants. A service priced
 * by bands takes only its own: a fee schedule's tier may straddle two of them (7 000–15 000 holds weights 1
 * and 2 in EGIL), so its lower bound would stand for the wrong members. Under a per-capita rule a tier says
 * too little (its lower bound would be billed as if it were the municipality's size, 0 for the smallest):
 * refused, with --population as the way. An equal split reads no population, so any tier of the year serves.
 */
function tierPopulation(rule: PricingRule, tier: string, reportingTiers: readonly TierBand[], year: number): { population: number; label: string } {
  if (sharesByInhabitants(rule.kind)) {
    throw new UsageError(`--tier ${tier}: tjänsten fördelar per invånare, så en storleksklass säger inte vad en tänkt kommun betalar; ange dess folkmängd med --population N`);
  }
  const own = ownBands(rule);
  const bands: readonly TierBand[] = (own ?? reportingTiers).filter((b) => !b.organisation);
  const band = bands.find((b) => b.id === tier);
  if (!band) {
    const whose = own ? 'tjänstens nivåer' : `befolkningsnivåerna för ${year}`;
    throw new UsageError(`--tier "${tier}" är ingen av ${whose} (${bands.map((b) => b.id).join(', ')})${own ? `; tjänstens egna nivåer gäller, eftersom dess ${rule.kind === 'price-list' ? 'priser' : 'vikter'} går efter dem` : ''}`);
  }
  // The band's least population stands for it (it weighs or prices as any in the band), but the rows name the
  // band: "Ny kommun (1 inv.)" read as a municipality of one inhabitant.
  return { population: Math.max(band.min ?? 1, 1), label: `Ny kommun (nivå ${band.label})` };
}

/** For a rule priced by bands of its own (weights, a price list), the band a participant falls in; otherwise none. */
function priceBandOf(rule: PricingRule): ((p: { population: number | null }) => { id: string; label: string } | undefined) | undefined {
  const bands = ownBands(rule);
  if (bands === undefined) return undefined;
  return (p) => {
    const b = bandOf(bands, { organisation: p.population === null, population: p.population });
    return b && { id: b.id, label: b.label };
  };
}

/**
 * A population as a Swedish user writes it: "15000", or "15 000" with a space, a non-breaking or a narrow
 * no-break space between groups of three digits, as an amount is taken (options.ts#amountText) and as the
 * program prints a population (`grouped`). Anything else that is not a whole number is refused.
 */
function parsePopulation(v: string): number {
  const text = v.trim();
  if (!/^(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)$/.test(text)) throw new UsageError(`--population ska vara ett heltal, som 15000 eller "15 000", inte "${v}"`);
  const n = Number(text.replace(/[ \u00a0\u202f]/g, ''));
  if (n > MAX_POPULATION) throw new UsageError(`--population är högst ${grouped(MAX_POPULATION)} invånare, inte "${v}"`);
  // A municipality has inhabitants; one of none would take no share under a per-capita rule and read as a
  // member that costs the others nothing. An organisation has no population: --organisation says so.
  if (n === 0) throw new UsageError(`--population ${v}: en kommun har invånare; ange en folkmängd på minst 1 (tänkta organisationer, som saknar folkmängd, anges med --organisation utan --population)`);
  return n;
}

/**
 * The note a what-if prints when the year is invoiced a conto already: a run never bills a period twice
 * (domain/billing/due.ts), so a participant billed for a period keeps that amount, whatever the split
 * says now, until the year-end settlement re-splits the year and bills or credits the difference. Without
 * it the figures read as what the participants will be invoiced.
 */
function aContoNote(a: AContoInvoiced, basis: CostBasis): string | undefined {
  if (a.periods.length === 0) return undefined;
  // A settlement splits the actual cost, not the budget: against a budget's figures the difference it bills
  // is not the one shown here, and a council reading them after the settlement took them for what was settled.
  const against = basis === 'actual' ? 'mot fördelningen här' : 'mot utfallets fördelning (visas med --basis actual), inte mot budgetens här';
  const periods = listed(a.periods.map((l) => periodText(parsePeriod(l))));
  const counts = `${a.periods.length} av ${a.periodsInYear} ${a.periodsInYear === 1 ? 'period' : 'perioder'}, ${a.invoices} ${a.invoices === 1 ? 'faktura' : 'fakturor'}`;
  // A closed year is billed, credited and settled no more: what was invoiced stands for good.
  if (a.closedOn !== null) return `Obs: redan fakturerat a conto: ${periods} (${counts}), och året stängdes ${a.closedOn}; det fakturerade${a.settled ? ' och slutreglerade' : ''} står fast, och scenariot visar bara hur fördelningen hade blivit.`;
  return a.settled
    ? `Obs: redan fakturerat a conto: ${periods} (${counts}), och året är redan slutreglerat för tjänsten; det fakturerade står kvar tills en ny slutreglering fakturerar eller krediterar skillnaden ${against}.`
    : `Obs: redan fakturerat a conto: ${periods} (${counts}); de deltagare som fakturerats för en period behåller det beloppet till årets slutreglering, som fakturerar eller krediterar skillnaden ${against}.`;
}

/**
 * The scope of a what-if: its year's invoices and credit notes, their lines without provenance, for what
 * is invoiced a conto already (aContoInvoiced reads each line's service, kind and due key).
 */
const whatIfScope = (year: number) => ({ documentYears: [], cutYears: { years: [year], cut: 'provenance' as const } });

/**
 * The service, refusing a year before it was established: its split there is 0,00 kr among no one, which
 * read as an answer (`split --service pl --year 1995`).
 */
function serviceInYear(state: State, serviceId: string, year: number): ServiceState {
  const svc = requireService(state, serviceId);
  const established = Number(svc.service.date.slice(0, 4));
  if (year < established) throw new UsageError(`tjänsten ${serviceId} inrättades ${svc.service.date}; den har ingen fördelning för ${year}`);
  return svc;
}

/**
 * Where a split's cost comes from, for a council checking it: the budget decision in force (its date,
 * minutes and lines, and the decisions it replaced), or the supplier invoices recorded as its outcome.
 */
function costSource(svc: ServiceState, year: number, basis: CostBasis): string {
  if (basis === 'actual') {
    const costs = svc.actualCosts.get(year) ?? [];
    if (costs.length === 0) return 'Utfall: ingen leverantörsfaktura registrerad för året';
    return `Utfall: ${costs.length === 1 ? '1 leverantörsfaktura' : `${costs.length} leverantörsfakturor`} (${listed(costs.slice(0, 3).map((c) => `${c.value.reference} ${formatSek(new Decimal(c.value.amount))}`))}${costs.length > 3 ? ` och ${costs.length - 3} till` : ''}; samkost costs --service ${svc.service.serviceId} --year ${year})`;
  }
  const decisions = svc.budgets.get(year) ?? [];
  const inForce = decisions.at(-1)?.value;
  if (inForce === undefined) return 'Budget: inget beslut för året';
  const lines = inForce.lines.map((l) => `${l.text} ${formatSek(new Decimal(l.amount))}`).join(', ');
  const replaced = decisions.length > 1 ? `; ersätter ${decisions.length === 2 ? 'beslutet' : `${decisions.length - 1} beslut, senast det`} ${decisions.at(-2)?.value.decidedOn}` : '';
  return `Budget beslutad ${inForce.decidedOn} (${inForce.minutesRef}): ${lines}${replaced}`;
}

export function registerServiceCommands(program: Command, io: CliIo): void {
  const g = () => program.opts<GlobalOptions>();
  const service = program.command('service').description('gemensamma tjänster som drivs till självkostnad');
  service
    .command('establish <file>')
    .description('inrätta en tjänst från en JSON-fil: serviceId, name, area, pricing, overheadRate, cadence, modules, decisionRef, date')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (file: string, o: { commandId?: string }) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      await executeAndReport({ ...content, type: 'service.establish', commandId: o.commandId }, g(), io);
    });

  program
    .command('budget')
    // A service's budget is its council's decision (förvaltningsrådet, one per service), not the
    // municipal council's (fullmäktige), which decides nothing in the association.
    .description('tjänsternas budgetar, som varje tjänsts förvaltningsråd beslutar')
    .command('decide')
    .description('tjänstens förvaltningsråd beslutar (eller ändrar) tjänstens budget för ett år')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--year <year>', 'budgetår', parseYear)
    .requiredOption('--line <text=amount>', 'en budgetrad; kan anges flera gånger', collect)
    .requiredOption('--decided-on <date>', 'beslutsdatum', parseDate)
    .requiredOption('--minutes <ref>', 'förvaltningsrådets protokoll, t.ex. "Förvaltningsråd EGIL 2023-11-15 §4"')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { service: string; year: number; line: string[]; decidedOn: string; minutes: string; commandId?: string }) => {
      await executeAndReport({
        type: 'budget.decide', commandId: o.commandId, serviceId: o.service, year: o.year, lines: o.line.map(parseBudgetLine), decidedOn: o.decidedOn, minutesRef: o.minutes,
      }, g(), io, { serviceId: '--service', lines: '--line', minutesRef: '--minutes' });
    });

  const cost = program.command('cost').description('tjänsternas faktiska kostnader och betalningarna till leverantörerna');
  cost
    .command('record')
    .description('registrera en faktisk kostnad (en leverantörsfaktura) för en tjänst och ett år')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--year <year>', 'kostnadsår', parseYear)
    .requiredOption('--amount <amount>', 'belopp exklusive moms, t.ex. 125000.00 eller 125 000,00', amountInput)
    .option('--vat <amount>', 'ingående moms på fakturan (avdragsgill, bokförs på 2641), t.ex. 31250.00; utan den 0', amountInput)
    .requiredOption('--supplier <name>', 'leverantör')
    .requiredOption('--reference <ref>', 'leverantörsfakturans referens')
    .requiredOption('--date <date>', 'datum', parseDate)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { service: string; year: number; amount: string; vat?: string; supplier: string; reference: string; date: string; commandId?: string }) => {
      await executeAndReport({
        type: 'cost.record', commandId: o.commandId, serviceId: o.service, year: o.year, amount: o.amount, vat: o.vat, supplier: o.supplier, reference: o.reference, date: o.date,
      }, g(), io, { serviceId: '--service' });
    });

  cost
    .command('pay')
    .description('registrera en betalning till leverantören av en registrerad kostnad (tjänst, kostnadsår och fakturans referens)')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--year <year>', 'kostnadsåret', parseYear)
    .requiredOption('--reference <ref>', 'leverantörsfakturans referens, som den registrerades')
    .requiredOption('--amount <amount>', 'betalt belopp inklusive moms, t.ex. 125000.00 eller 125 000,00', amountInput)
    .requiredOption('--date <date>', 'betalningsdag', parseDate)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { service: string; year: number; reference: string; amount: string; date: string; commandId?: string }) => {
      await executeAndReport({
        type: 'cost.pay', commandId: o.commandId, serviceId: o.service, year: o.year, reference: o.reference, amount: o.amount, date: o.date,
      }, g(), io, { serviceId: '--service' });
    });

  program
    .command('costs')
    .description('leverantörsfakturorna per tjänst och kostnadsår: belopp exklusive moms, ingående moms, betalt och kvar att betala')
    .option('--year <year>', 'bara detta kostnadsår', parseYear)
    .option('--service <id>', 'bara denna tjänst')
    .option('--open', 'bara de som inte är helt betalda')
    .option('--at <date>', 'som de stod vid dagens slut: fakturor och betalningar daterade senast då (lika med bokföringens 2440 då)', parseDate)
    .action(async (o: { year?: number; service?: string; open?: boolean; at?: string }) => {
      await withEngine(g(), io, async (engine) => {
        const services = o.service ? [requireService(engine.state, o.service)] : [...engine.state.services.values()];
        const invoices = services
          .flatMap((svc) => [...svc.actualCosts.keys()].filter((y) => o.year === undefined || y === o.year).sort((a, b) => a - b).flatMap((y) => supplierInvoices(svc, y, o.at)))
          .filter((i) => !o.open || !i.owed.isZero());
        const totals = {
          amount: sum(invoices.map((i) => i.net)), vat: sum(invoices.map((i) => i.vat)), total: sum(invoices.map((i) => i.gross)),
          paid: sum(invoices.map((i) => i.paid)), owed: sum(invoices.map((i) => i.owed)),
        };
        if (g().json) {
          return io.out(`${toJson(moneyToJson({
            costs: invoices.map((i) => ({
              serviceId: i.serviceId, year: i.year, reference: i.reference, supplier: i.supplier, date: i.date,
              amount: i.net, vat: i.vat, total: i.gross, paid: i.paid, owed: i.owed,
              records: i.costs.map((c) => ({ amount: new Decimal(c.value.amount), vat: new Decimal(c.value.vat ?? 0), supplier: c.value.supplier, date: c.value.date, event: eventLink(c.ref) })),
              payments: i.payments.map((p) => ({ amount: new Decimal(p.value.amount), date: p.value.date, event: eventLink(p.ref) })),
            })),
            totals,
          }))}\n`);
        }
        if (invoices.length === 0) {
          return io.out(`Inga${o.open ? ' obetalda' : ''} leverantörsfakturor${o.service ? ` för ${o.service}` : ''}${o.year === undefined ? '' : ` ${o.year}`}.\n`);
        }
        const t = newTable(['Tjänst', 'År', 'Referens', 'Leverantör', 'Datum', 'Exkl. moms', 'Moms', 'Att betala', 'Betalt', 'Kvar']);
        for (const i of invoices) t.push([i.serviceId, i.year, i.reference, i.supplier, i.date, formatSek(i.net), formatSek(i.vat), formatSek(i.gross), formatSek(i.paid), formatSek(i.owed)]);
        t.push(['Summa', '', '', '', '', formatSek(totals.amount), formatSek(totals.vat), formatSek(totals.total), formatSek(totals.paid), formatSek(totals.owed)]);
        io.out(`${t.toString()}\nKvar att betala till leverantörer: ${formatSek(totals.owed)}\n`);
      }, NO_DOCUMENTS);
    });

  const enrolment = program.command('enrolment').description('anslutningar till tjänster');
  enrolment
    .command('start')
    .description('anslut en medlem (för egen del, för angivna kommuner eller till en modul)')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--member <member>', 'organisationsnummer eller kommunkod')
    .requiredOption('--from <date>', 'första dagen', parseDate)
    .option('--to <date>', 'sista dagen, om den är känd', parseDate)
    .option('--module <name>', 'bara en modul av tjänsten')
    .option('--covers <codes>', 'kommunkoder som ansluts genom denna medlem (kommunalförbund, gemensam nämnd)', list)
    .option('--id <enrolmentId>', 'anslutningens id (standard: orgnr[-modul]-startdatum)')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { service: string; member: string; from: string; to?: string; module?: string; covers?: string[]; id?: string; commandId?: string }) => {
      await executeAndReport({
        type: 'enrolment.start', commandId: o.commandId, serviceId: o.service, member: o.member, from: o.from, to: o.to, module: o.module, covers: o.covers, enrolmentId: o.id,
      }, g(), io, { serviceId: '--service', enrolmentId: '--id' });
    });
  enrolment
    .command('end')
    .description('avsluta en anslutning; datumet är dess sista dag')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--enrolment <id>', 'anslutningens id')
    .requiredOption('--to <date>', 'sista dagen', parseDate)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { service: string; enrolment: string; to: string; commandId?: string }) => {
      await executeAndReport({ type: 'enrolment.end', commandId: o.commandId, serviceId: o.service, enrolmentId: o.enrolment, to: o.to }, g(), io, { serviceId: '--service', enrolmentId: '--enrolment' });
    });

  program
    .command('services')
    .description('de inrättade tjänsterna')
    .action(async () => {
      await withEngine(g(), io, async (engine) => {
        const rows = [...engine.state.services.values()].map((s) => ({
          serviceId: s.service.serviceId, name: s.service.name, area: s.service.area, pricing: s.service.pricing.kind, overheadRate: s.service.overheadRate,
          cadence: s.service.cadence, modules: s.service.modules ?? [], enrolments: s.enrolments.size, budgetYears: [...s.budgets.keys()].sort(),
        }));
        if (g().json) return io.out(`${toJson({ services: rows })}\n`);
        const t = newTable(['Tjänst', 'Namn', 'Prismodell', 'Påslag', 'Fakturering', 'Anslutningar', 'Budgetår']);
        for (const r of rows) t.push([r.serviceId, r.name, PRICING_NAMES[r.pricing], formatPercent(r.overheadRate), CADENCE_NAMES[r.cadence], r.enrolments, r.budgetYears.join(', ')]);
        io.out(`${t.toString()}\n`);
      }, NO_DOCUMENTS);
    });

  program
    .command('enrolments')
    .description('anslutningar per tjänst')
    .option('--service <id>', 'bara denna tjänst')
    .option('--at <date>', 'bara de som gäller denna dag', parseDate)
    .action(async (o: { service?: string; at?: string }) => {
      await withEngine(g(), io, async (engine) => {
        const services = o.service ? [requireService(engine.state, o.service)] : [...engine.state.services.values()];
        const rows = services.flatMap((s) => [...s.enrolments.values()]
          .filter((e) => !o.at || (e.from <= o.at && (e.to === undefined || o.at <= e.to)))
          .map((e) => ({
            serviceId: s.service.serviceId, enrolmentId: e.enrolmentId, member: e.member, name: engine.state.members.get(e.member)?.name ?? e.member,
            from: e.from, to: e.to ?? null, module: e.module ?? null, covers: e.covers ?? null,
          })));
        if (g().json) return io.out(`${toJson({ enrolments: rows })}\n`);
        const t = newTable(['Tjänst', 'Anslutning', 'Medlem', 'Från', 'Till', 'Modul', 'Omfattar']);
        for (const r of rows) t.push([r.serviceId, r.enrolmentId, r.name, r.from, r.to ?? '', r.module ?? '', r.covers ? municipalityCount(r.covers.length) : '']);
        io.out(`${t.toString()}\n`);
      }, NO_DOCUMENTS);
    });

  program
    .command('split')
    .description('en tjänsts kostnad för ett år fördelad på deltagarna, månad för månad och per storleksklass')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--basis <basis>', 'budget (a conto) eller actual (faktisk kostnad, slutreglering)', parseBasis, 'budget' as CostBasis)
    .action(async (o: { service: string; year: number; basis: CostBasis }) => {
      await withEngine(g(), io, async (engine) => {
        const svc = serviceInYear(engine.state, o.service, o.year);
        const s = splitForYear(engine.state, o.service, o.year, o.basis, RULES_VERSION);
        const rule = svc.service.pricing;
        const band = priceBandOf(rule);
        if (g().json) {
          // Weights, rates and denominators are not money: plain decimal strings, not two-decimal amounts.
          return io.out(`${toJson(moneyToJson({
            ...s,
            // The rule as its code, as --json gives rules elsewhere (`rule` is the split's words, as documents store them).
            pricing: rule.kind,
            overheadRate: s.overheadRate.toString(),
            participants: s.participants.map((p) => ({ ...p, weight: p.weight.toString(), ...(band ? { priceBand: band(p) ?? null } : {}) })),
            months: s.months.map((m) => ({ month: m.month, amount: m.amount, denominator: m.denominator.toString(), participants: m.shares.length, unallocated: m.unallocated })),
          }))}\n`);
        }
        // A price list has no budget to add overhead to: its cost is what the prices add up to.
        const cost = rule.kind === 'price-list'
          ? `prislista, årspriserna för deltagarnas månader sammanlagt ${formatSek(s.cost)}`
          : `${formatSek(s.base)} + påslag ${formatPercent(s.overheadRate)} = ${formatSek(s.cost)}`;
        io.out(`${s.name} ${s.year} (${o.basis === 'budget' ? 'budget' : 'utfall'}): ${cost}\nRegel: ${pricingWords(rule)}\n`);
        if (rule.kind !== 'price-list') io.out(`${costSource(svc, o.year, o.basis)}\n`);
        // "Nivå" is the year's reporting tier (as the annual report groups); a service priced by bands of its
        // own shows the band each participant's weight or price goes by beside it.
        const t = newTable(['Deltagare', 'Nivå', ...(band ? ['Tjänstens nivå'] : []), 'Invånare', 'Vikt', 'Månader', 'Summa']);
        for (const p of s.participants) {
          t.push([p.module ? `${p.name}, modul ${p.module}` : p.name, p.tier?.label ?? '–', ...(band ? [band(p)?.label ?? '–'] : []), p.population === null ? '–' : grouped(p.population), formatNumber(p.weight), p.months.length ? monthRanges(p.months) : '–', formatSek(p.total)]);
        }
        io.out(`${t.toString()}\n`);
        const tt = newTable(['Befolkningsnivå', 'Deltagare', 'Summa', 'Snitt per deltagare']);
        for (const b of s.byTier.filter((x) => x.participants > 0)) tt.push([b.tier.label, b.participants, formatSek(b.total), formatSek(b.average)]);
        io.out(`${tt.toString()}\n`);
        if (s.unallocated.gt(0)) io.out(`Ej fördelat (månader utan deltagare): ${formatSek(s.unallocated)}\n`);
      }, NO_DOCUMENTS);
    });

  program
    .command('simulate')
    .description('tänk om medlemmar ansluts till eller lämnar en tjänst: kostnad per deltagare nu och i scenariot (sparar aldrig något)')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--basis <basis>', 'budget eller actual (faktisk kostnad)', parseBasis, 'budget' as CostBasis)
    .option('--add <n>', `lägg till N tänkta kommuner (högst ${grouped(MAX_ADDED)})`, parseAdded)
    .option('--population <n>', 'folkmängd i varje tänkt kommun (minst 1)', parsePopulation)
    .option('--tier <id>', 'eller: en nivå i tjänstens prismodell (dess nedre gräns, minst 1 invånare); vid lika delning en i årets avgiftsplan')
    .option('--organisation', 'de tänkta medlemmarna är organisationer (utan folkmängd)')
    .option('--kommun <codes>', 'lägg till verkliga kommuner med kommunkod (folkmängd från SCB)', kommunCodes)
    .option('--remove <members>', 'ta bort deltagare (organisationsnummer, kommunkod eller anslutningens id)', list)
    .option('--from <date>', 'tillagda deltagare räknas från detta datum (standard: 1 januari); borttagna lämnar tjänsten från det, med anslutningen avslutad dagen före (utan --from deltar de inte alls under året)', parseDate)
    .option('--sweep <range>', `kurvan för genomsnittlig kostnad per medlem när 0..N medlemmar ansluts (N högst ${grouped(MAX_ADDED)})`, parseRange)
    .action(async (o: { service: string; year: number; basis: CostBasis; add?: number; population?: number; tier?: string; organisation?: boolean; kommun?: string[]; remove?: string[]; from?: string; sweep?: number }) => {
      // Two descriptions of the same thing, or a change the sweep would leave out: one of them would be
      // ignored in silence, and the answer would look like the other's.
      const given = (names: [string, unknown][]) => names.filter(([, v]) => v !== undefined && v !== false).map(([n]) => n);
      const described = given([['--population', o.population], ['--tier', o.tier], ['--organisation', o.organisation]]);
      if (described.length > 1) throw new UsageError(`${described.join(' och ')} beskriver båda de tänkta medlemmarna: ange en av dem`);
      const besideSweep = given([['--add', o.add], ['--kommun', o.kommun], ['--remove', o.remove]]);
      if (o.sweep !== undefined && besideSweep.length > 0) throw new UsageError(`--sweep räknar kurvan för 0..N tänkta medlemmar och tar inte ${besideSweep.join(' eller ')}: kör dem utan --sweep`);
      // A scenario that changes nothing would print every participant unchanged, which reads as an answer.
      if (o.add === undefined && o.sweep === undefined && (o.population !== undefined || o.tier !== undefined || o.organisation)) {
        throw new UsageError('--population, --tier och --organisation beskriver de tänkta medlemmarna: ange med --add N (eller --sweep 0..N) hur många som tillkommer');
      }
      if (o.add === undefined && o.sweep === undefined && !o.kommun && !o.remove) {
        throw new UsageError('ange vad som ändras: --add N tänkta medlemmar, --kommun KODER, --remove MEDLEMMAR eller --sweep 0..N');
      }
      await withEngine(g(), io, async (engine) => {
        const state = engine.state;
        const svc = serviceInYear(state, o.service, o.year);
        const pricing = svc.service.pricing;
        // Under a rule that shares by inhabitants an organisation has nothing to be billed on (the split
        // would stop at its missing population, naming an internal id): refused here, in the words of
        // --tier's refusal, with --population as the way.
        if (o.organisation && sharesByInhabitants(pricing.kind)) {
          throw new UsageError('--organisation: tjänsten fördelar per invånare, och en organisation har ingen folkmängd att fördela efter; ange en tänkt kommuns folkmängd med --population N');
        }
        // Likewise a weight table or price list without a band for organisations: the split would stop at
        // the first hypothetical one ("ingen nivå för Ny organisation #1").
        const bands = ownBands(pricing);
        if (o.organisation && bands !== undefined && !bands.some((b) => b.organisation)) {
          throw new UsageError(`--organisation: ${pricing.kind === 'price-list' ? 'prislistan' : 'vikttabellen'} för ${o.service} har ingen nivå för organisationer, så en organisation kan inte delta i tjänsten`);
        }
        let population: number | null = o.organisation ? null : (o.population ?? null);
        let label: string | undefined;
        if (!o.organisation && o.population === undefined) {
          if (o.tier) {
            ({ population, label } = tierPopulation(pricing, o.tier, reportingTiersFor(state, o.year), o.year));
          } else if (o.add !== undefined || o.sweep !== undefined) {
            throw new UsageError('ange --population N, --tier ID eller --organisation för de tänkta medlemmarna');
          }
        }
        if (o.sweep !== undefined) {
          const points = sweep(state, o.service, o.year, o.basis, population, o.sweep, o.from);
          const invoiced = aContoInvoiced(state, o.service, o.year);
          if (g().json) return io.out(`${toJson(moneyToJson({ serviceId: o.service, year: o.year, population, points, aContoInvoiced: invoiced }))}\n`);
          const max = points.reduce((a, p) => (p.averagePerMember.gt(a) ? p.averagePerMember : a), points[0].averagePerMember);
          io.out(`Snittkostnad per deltagare i ${svc.service.name} ${o.year} när 0..${o.sweep} nya medlemmar (${population === null ? 'organisationer' : `${grouped(population)} invånare`}) ansluter${o.from ? ` från ${o.from}` : ''}:\n`);
          // Months nobody takes part in are not in the average; the first member added from January takes
          // part in all of them, which the curve would show as a jump with no reason given.
          const unallocated = points.some((p) => !p.unallocated.isZero());
          for (const p of points) {
            const bar = max.gt(0) ? '█'.repeat(Math.round(p.averagePerMember.div(max).mul(40).toNumber())) : '';
            const left = unallocated ? `  ej fördelat ${formatSek(p.unallocated).padStart(16)}` : '';
            const parts = o.from ? `  befintliga i snitt ${formatSek(p.averageExisting).padStart(16)}  ny betalar ${(p.added > 0 ? formatSek(p.perAdded) : '–').padStart(16)}` : '';
            io.out(`${String(p.added).padStart(4)} nya  ${String(p.participants).padStart(4)} deltagare  ${formatSek(p.averagePerMember).padStart(16)}${parts}${left}  ${bar}\n`);
          }
          if (unallocated) io.out('Ej fördelat: kostnaden för månader utan deltagare, som ingen betalar och som inte ingår i snittet.\n');
          // Members added from a day in the year pay for their months only, so the average over everyone is
          // one no member pays: the council reads what today's participants and a new one pay beside it.
          if (o.from) io.out(`Snittet är över alla deltagare; de nya betalar bara för månaderna från ${o.from}. Befintliga i snitt: vad dagens deltagare betalar i snitt; ny betalar: vad en ny medlem betalar för sina månader.\n`);
          const note = aContoNote(invoiced, o.basis);
          if (note) io.out(`${note}\n`);
          return;
        }
        const sim = simulate(state, o.service, o.year, o.basis, {
          hypothetical: o.add ? { count: o.add, population, label } : undefined, kommuner: o.kommun, remove: o.remove, from: o.from,
        });
        const invoiced = aContoInvoiced(state, o.service, o.year);
        // `cost` stays today's cost, as it always was; the scenario's is beside it.
        if (g().json) return io.out(`${toJson(moneyToJson({ serviceId: sim.serviceId, year: sim.year, basis: sim.basis, cost: sim.now.cost, costScenario: sim.scenario.cost, rows: sim.rows, averageNow: sim.averageNow, averageScenario: sim.averageScenario, participantsNow: sim.participantsNow, participantsScenario: sim.participantsScenario, unallocatedNow: sim.now.unallocated, unallocatedScenario: sim.scenario.unallocated, totalNow: sum(sim.now.participants.map((p) => p.total)), totalScenario: sum(sim.scenario.participants.map((p) => p.total)), aContoInvoiced: invoiced }))}\n`);
        const t = newTable(['Deltagare', 'Nu', 'Scenario', 'Skillnad']);
        for (const r of sim.rows) t.push([r.module ? `${r.name}, modul ${r.module}` : r.name, r.now ? formatSek(r.now) : '–', r.scenario ? formatSek(r.scenario) : '–', formatSek(r.difference)]);
        // A price list's cost is its participants' prices added up, so a scenario changes it; a split's cost
        // is the budget's whatever the participants. Today's cost alone read as the scenario's.
        const cost = sim.scenario.cost.eq(sim.now.cost)
          ? `kostnad ${formatSek(sim.now.cost)}`
          : `kostnad nu ${formatSek(sim.now.cost)}, i scenariot ${formatSek(sim.scenario.cost)}`;
        io.out(`${sim.now.name} ${o.year}: ${cost} (simulering, inget sparas)\n${t.toString()}\nSnitt per deltagare: nu ${formatSek(sim.averageNow)} (${sim.participantsNow} deltagare), i scenariot ${formatSek(sim.averageScenario)} (${sim.participantsScenario} deltagare)\n`);
        if (!sim.now.unallocated.isZero() || !sim.scenario.unallocated.isZero()) {
          io.out(`Ej fördelat (månader utan deltagare, ingår inte i snittet): nu ${formatSek(sim.now.unallocated)}, i scenariot ${formatSek(sim.scenario.unallocated)}\n`);
        }
        const note = aContoNote(invoiced, o.basis);
        if (note) io.out(`${note}\n`);
      }, whatIfScope(o.year));
    });
}
