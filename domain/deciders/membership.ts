import type { AdoptSchedule, ChangeMemberDetails, DecideLevy, ImportPopulation, JoinMember, LeaveMember } from '../commands/membership';
import { DomainError, NotFoundError } from '../errors';
import type { DomainEvent } from '../events';
import { isCurrentMember, type MemberState, type State } from '../state';
import { bandCoverageProblems } from '../tiers';
import { normaliseOrgnr } from '../orgnr';
import { assertDecidedYearNotTooFarAhead, assertNotAfterToday, assertNotOlderThanInForce, assertNotTooFarAhead, assertYearOpen } from './year-guard';
import { dayBefore } from '../proration';
import { addDays } from '../billing/periods';
import { municipalityCount } from '../population-rule';
import { grouped } from '../money';
import { namedFirst } from '../swedish-list';
import Decimal from 'decimal.js';

export interface Decision {
  streamId: string;
  events: DomainEvent[];
}

export const memberStream = (orgnr: string) => `member-${orgnr}`;
export const POPULATION_STREAM = 'population';
export const scheduleStream = (year: number) => `schedule-${year}`;
export const levyStream = (year: number) => `levy-${year}`;

/**
 * The member `name` names, a kommunkod or an orgnr in any spelling, or why none is (in Swedish): `absent`
 * when the name is well formed but no member has it, as opposed to a name that is no orgnr or kommunkod.
 */
export function lookupMember(state: State, name: string): { member: MemberState } | { problem: string; absent: boolean } {
  const trimmed = name.trim();
  if (/^\d{4}$/.test(trimmed)) {
    const orgnr = state.byKommunkod.get(trimmed);
    const m = orgnr ? state.members.get(orgnr) : undefined;
    return m ? { member: m } : { problem: `okänd medlem: ingen kommun med kommunkod ${trimmed} har gått med`, absent: true };
  }
  let orgnr: string;
  try {
    orgnr = normaliseOrgnr(trimmed);
  } catch (err) {
    return { problem: `okänd medlem "${trimmed}": ${(err as Error).message}`, absent: false };
  }
  const m = state.members.get(orgnr);
  return m ? { member: m } : { problem: `okänd medlem: ${orgnr} har aldrig gått med`, absent: true };
}

/** Finds a member by organisationsnummer (any spelling) or, for a municipality, by kommunkod; refuses any other name. */
export function resolveMember(state: State, name: string): MemberState {
  const found = lookupMember(state, name);
  if ('problem' in found) throw found.absent ? new NotFoundError(found.problem) : new DomainError(found.problem);
  return found.member;
}

/** The first code `codes` holds twice, if any: a municipality listed twice would have its population counted twice. */
export const repeatedCode = (codes: readonly string[]): string | undefined => codes.find((code, i) => codes.indexOf(code) !== i);

/**
 * Why kommunkoder are not ones SCB knows (in Swedish, after `what: `), or undefined when each is in at least one
 * recorded population table. With no table recorded there is nothing to check against and every code passes:
 * fees and splits then refuse a member without a figure when they are asked for. A code in an older table only
 * (a municipality since merged) passes; the fee year's table decides whether it has a figure.
 */
export function unknownKommunkodProblem(state: State, codes: readonly string[], what: string): string | undefined {
  if (state.populations.size === 0) return undefined;
  const tables = [...state.populations.values()];
  const unknown = codes.filter((code) => !tables.some((t) => t.byCode.has(code)));
  if (unknown.length === 0) return undefined;
  const latest = tables.reduce((a, b) => (b.table.year > a.table.year ? b : a)).table.referenceDate;
  const named = unknown.length === 1 ? `kommunkod ${unknown[0]}` : `kommunkoderna ${unknown.join(', ')}`;
  return `${what}: ${named} finns inte i någon registrerad SCB-tabell (senast ${latest}); kontrollera ${unknown.length === 1 ? 'koden' : 'koderna'} eller importera en nyare tabell`;
}

export function decideJoin(c: JoinMember, state: State, today: string): Decision {
  if (c.kind === 'municipality' && !c.kommunkod) throw new DomainError(`member.join: en kommun måste anges med sin kommunkod (${c.name})`);
  if (c.kind !== 'municipality' && c.kommunkod) throw new DomainError(`member.join: bara en kommun har kommunkod (${c.name} är av typen ${c.kind})`);
  if (c.kind === 'federation' && !c.covers?.length) throw new DomainError(`member.join: ett kommunalförbund måste ange vilka kommuner det omfattar (${c.name})`);
  if (c.kind !== 'federation' && c.covers) throw new DomainError(`member.join: bara ett kommunalförbund omfattar kommuner (${c.name} är av typen ${c.kind})`);
  assertYearOpen(state, Number(c.date.slice(0, 4)), 'member.join');
  assertNotTooFarAhead(c.date, today, 'member.join', 'inträdesdatumet');
  const twice = repeatedCode(c.covers ?? []);
  if (twice) throw new DomainError(`member.join: kommunkod ${twice} står två gånger bland de kommuner ${c.name} omfattar`);
  const unknown = unknownKommunkodProblem(state, c.kommunkod ? [c.kommunkod] : (c.covers ?? []), 'member.join');
  if (unknown) throw new DomainError(unknown);
  const existing = state.members.get(c.orgnr);
  if (existing && isCurrentMember(existing)) throw new DomainError(`member.join: ${existing.name} (${c.orgnr}) är redan medlem sedan ${existing.periods[existing.periods.length - 1].from}${existing.name !== c.name ? ` (angivet namn: ${c.name})` : ''}`);
  const last = existing?.periods[existing.periods.length - 1];
  if (last?.to !== undefined && c.date <= last.to) throw new DomainError(`member.join: ${c.name} gick ur ${last.to}; ett återinträde måste dateras efter det, inte ${c.date}`);
  if (c.kommunkod) {
    const holder = state.byKommunkod.get(c.kommunkod);
    const holderState = holder ? state.members.get(holder) : undefined;
    if (holder && holder !== c.orgnr && holderState && isCurrentMember(holderState))
      throw new DomainError(`member.join: kommunkod ${c.kommunkod} tillhör redan medlemmen ${holderState.name} (${holder})`);
  }
  return {
    streamId: memberStream(c.orgnr),
    events: [{
      type: 'MemberJoined',
      data: {
        member: c.orgnr, kind: c.kind, name: c.name, kommunkod: c.kommunkod, covers: c.covers, date: c.date,
        // A member rejoining without an address keeps the one on record: its invoices must name it (17 kap.
        // 24 § ML), and a rejoin recorded without one issued them without it.
        decisionRef: c.decisionRef, address: c.address ?? existing?.address, rejoin: existing !== undefined,
      },
    }],
  };
}

export function decideLeave(c: LeaveMember, state: State, today: string): Decision {
  const m = resolveMember(state, c.member);
  // What a leave changes begins the day after it: one on 31 December of a closed year changes none of its
  // figures (the leaving year's fee is not reduced).
  assertYearOpen(state, Number(addDays(c.date, 1).slice(0, 4)), 'member.leave');
  assertNotTooFarAhead(c.date, today, 'member.leave', 'utträdesdatumet');
  const current = m.periods[m.periods.length - 1];
  if (current.to !== undefined) throw new DomainError(`member.leave: ${m.name} (${m.orgnr}) är inte medlem; den gick ur ${current.to}`);
  if (c.date < current.from) throw new DomainError(`member.leave: ${m.name} gick med ${current.from}; utträdet kan inte ske före det (${c.date})`);
  // A service is billed by its enrolments, not by membership: one left running past the exit would bill a
  // member that is no longer one (and, were it to rejoin, the months it was out).
  const running = [...state.services.values()].flatMap((svc) =>
    [...svc.enrolments.values()].filter((e) => e.member === m.orgnr && (e.to === undefined || (e.to > c.date && e.to >= e.from))));
  if (running.length > 0) {
    const first = running[0];
    // One that has not begun by the exit is withdrawn: ended the day before it begins.
    const endOf = (e: { from: string }) => (e.from > c.date ? dayBefore(e.from) : c.date);
    throw new DomainError(
      `member.leave: ${m.name} (${m.orgnr}) har anslutningar som gäller efter ${c.date}: ${running.map((e) => `${e.serviceId} (${e.enrolmentId})`).join(', ')}; `
      + `avsluta dem först, t.ex. \`samkost enrolment end --service ${first.serviceId} --enrolment ${first.enrolmentId} --to ${endOf(first)}\``,
    );
  }
  // Invoiced for a year after the exit (next year's fee and a conto, billed in December): they would stand,
  // and be reminded of, for a year it is no member; a fee has no settlement to true it up. Credited first.
  // The engine folds the documents of the three years after the exit's (documents-read.ts).
  const exitYear = Number(c.date.slice(0, 4));
  const later = [...state.billing.entries()].filter(([year]) => year > exitYear && year <= exitYear + LEAVE_READS_YEARS)
    .flatMap(([, b]) => [...b.invoices.values()])
    .filter((inv) => inv.invoice.buyer.orgnr === m.orgnr && new Decimal(inv.invoice.total).gt(inv.creditedGross))
    .map((inv) => inv.invoice);
  if (later.length > 0) {
    const years = [...new Set(later.map((i) => i.year))].join(', ');
    throw new DomainError(
      `member.leave: ${m.name} (${m.orgnr}) är redan fakturerad för ${years}, efter utträdet ${c.date}: ${namedFirst(later.map((i) => i.number), 5)}; `
      + `kreditera ${later.length === 1 ? 'den' : 'dem'} först, t.ex. \`samkost invoice credit ${later[0].number} --reason "Utträde ${c.date}"\``,
    );
  }
  return {
    streamId: memberStream(m.orgnr),
    events: [{ type: 'MemberLeft', data: { member: m.orgnr, date: c.date, reason: c.reason, decisionRef: c.decisionRef } }],
  };
}

/**
 * How many years after its exit's year a leave reads the invoices of: a year is invoiced at the latest in
 * the December before it (decisions reach the year after today), and an exit is dated in an open year.
 */
export const LEAVE_READS_YEARS = 3;

/**
 * A member's new address or invoice reference. A member that has left can still be invoiced (a settlement
 * of the year it left), so any member that ever joined may change them. An address given in part
 * changes only those parts. Refused when nothing would change, so a retried or repeated command is not
 * recorded twice.
 */
export function decideMemberDetails(c: ChangeMemberDetails, state: State): Decision {
  const m = resolveMember(state, c.member);
  if (c.address === undefined && c.invoiceReference === undefined) throw new DomainError(`member.details: ange en ny adress eller fakturareferens för ${m.name} (${m.orgnr})`);
  const address = c.address === undefined ? m.address : { ...m.address, ...definedParts(c.address) };
  const invoiceReference = c.invoiceReference ?? m.invoiceReference;
  if (JSON.stringify(address ?? {}) === JSON.stringify(m.address ?? {}) && invoiceReference === m.invoiceReference)
    throw new DomainError(`member.details: ${m.name} (${m.orgnr}) har redan denna adress och fakturareferens; inget att ändra`);
  return {
    streamId: memberStream(m.orgnr),
    events: [{ type: 'MemberDetailsChanged', data: { member: m.orgnr, date: c.date, address, invoiceReference } }],
  };
}

const definedParts = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function decideImportPopulation(c: ImportPopulation, state: State, today: string): Decision {
  const years = new Set<number>();
  for (const t of c.tables) {
    // A table at 31 December of year Y sets the fees and splits of Y + 1.
    assertYearOpen(state, t.year + 1, `population.import ${t.year}`);
    // The fee rule reads a year's table as the count at 31 December of that year (population-rule.ts): a
    // table of 2026 dated 2025-12-31 would set 2027's fees from 2025's count under 2026's name.
    if (t.referenceDate !== `${t.year}-12-31`) throw new DomainError(`population.import ${t.year}: tabellens mätdag ${t.referenceDate} är inte 31 december ${t.year}; en tabell för ett år är folkmängden den 31 december det året`);
    // A count of inhabitants is taken on its day and published after it: a table dated ahead is a year
    // mistyped (2027 for 2023), and would set the fees of a year from figures no one has.
    assertNotAfterToday(t.referenceDate, today, `population.import ${t.year}`, 'tabellens mätdag', 'SCB:s folkmängd den 31 december ett år publiceras året därpå; kontrollera årtalet');
    if (years.has(t.year)) throw new DomainError(`population.import: året ${t.year} förekommer två gånger`);
    years.add(t.year);
    const codes = new Set<string>();
    for (const r of t.rows) {
      if (codes.has(r.code)) throw new DomainError(`population.import: kommunkod ${r.code} förekommer två gånger för ${t.year}`);
      // A municipality has inhabitants: 0 is a missing figure, which would bill it nothing per capita and put
      // it in the lowest tier, where the population rule refuses to guess.
      if (r.population < 1) throw new DomainError(`population.import ${t.year}: kommunkod ${r.code} (${r.name}) har folkmängd ${r.population}; en kommun har invånare, så raden saknar sin siffra`);
      codes.add(r.code);
    }
    const lacking = lackingProblem(state, t.year, codes);
    if (lacking) throw new DomainError(lacking);
  }
  return {
    streamId: POPULATION_STREAM,
    events: c.tables.map((t) => ({ type: 'PopulationRecorded' as const, data: { year: t.year, referenceDate: t.referenceDate, source: c.source, rows: t.rows } })),
  };
}

/**
 * A table for a year replaces the one recorded for it whole (state.populations), so one that lacks some of
 * its municipalities would leave them with no figure for the fee year it serves: a file of one corrected
 * row would make every other member's fees fail. Corrected figures and added municipalities are taken; the
 * first table of a year may hold any.
 */
function lackingProblem(state: State, year: number, codes: ReadonlySet<string>): string | undefined {
  const recorded = state.populations.get(year);
  if (!recorded) return undefined;
  const missing = recorded.table.rows.filter((r) => !codes.has(r.code));
  if (missing.length === 0) return undefined;
  const shown = namedFirst(missing.map((r) => `${r.code} ${r.name}`), 3);
  return `population.import: tabellen för ${year} saknar ${municipalityCount(missing.length)} av de ${grouped(recorded.table.rows.length)} i den registrerade tabellen för ${year} (${shown}); `
    + `en ny tabell ersätter hela årets registrerade, så importera hela tabellen för ${year}, med de rättade uppgifterna i den`;
}

function checkBands(what: string, bands: Parameters<typeof bandCoverageProblems>[0]): void {
  const problems = bandCoverageProblems(bands, true);
  if (!bands.some((b) => b.organisation)) problems.push('ingen organisationsnivå (organisation: true) för medlemmar som inte är kommuner');
  if (problems.length) throw new DomainError(`${what}: ${problems.join('; ')}`);
}

export function decideAdoptSchedule(c: AdoptSchedule, state: State, today: string): Decision {
  assertYearOpen(state, c.year, 'schedule.adopt');
  assertNotAfterToday(c.decidedOn, today, `schedule.adopt ${c.year}`, 'beslutsdatumet', 'ange dagen stämman beslutade');
  assertDecidedYearNotTooFarAhead(c.year, today, `schedule.adopt ${c.year}`, 'avgiftsåret');
  const inForce = state.schedules.get(c.year)?.value;
  assertNotOlderThanInForce(inForce && { decidedOn: inForce.decidedOn, reference: inForce.decisionRef }, c.decidedOn, `schedule.adopt ${c.year}`, 'den avgiftstabell');
  checkBands(`schedule.adopt ${c.year}`, c.tiers);
  const { type: _type, ...data } = c;
  return { streamId: scheduleStream(c.year), events: [{ type: 'FeeScheduleAdopted', data }] };
}

export function decideLevy(c: DecideLevy, state: State, today: string): Decision {
  assertYearOpen(state, c.year, 'levy.decide');
  assertNotAfterToday(c.decidedOn, today, `levy.decide ${c.levyId}`, 'beslutsdatumet', 'ange dagen stämman beslutade');
  assertDecidedYearNotTooFarAhead(c.year, today, `levy.decide ${c.levyId}`, 'året');
  checkBands(`levy.decide ${c.levyId}`, c.tiers);
  if (state.levies.get(c.year)?.has(c.levyId)) throw new DomainError(`levy.decide: en extra utdebitering "${c.levyId}" är redan beslutad för ${c.year}`);
  const { type: _type, ...data } = c;
  return { streamId: levyStream(c.year), events: [{ type: 'ExtraLevyDecided', data }] };
}
