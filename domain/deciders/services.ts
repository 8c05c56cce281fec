import type { DecideBudget, EndEnrolment, EstablishService, PaySupplier, RecordActualCost, StartEnrolment } from '../commands/services';
import Decimal from 'decimal.js';
import { DomainError, NotFoundError, PopulationPendingError } from '../errors';
import type { EventRef } from '../event-ref';
import { computeSplit, costBase, reportingTiersFor, splitInputs } from '../../projections/splits';
import { RULES_VERSION } from '../rules';
import { ServiceId } from '../events/services';
import { formatPercent, formatSek } from '../money';
import { ownBands, PricingError, sharesByInhabitants, validateRule } from '../pricing';
import { type MemberState, periodOn, type ServiceState, startedEnrolment, type State } from '../state';
import { populationFor, populationOfCodes, populationYearFor } from '../population-rule';
import { bandCoverageProblems, bandOf, type TierBand } from '../tiers';
import { type Decision, repeatedCode, resolveMember, unknownKommunkodProblem } from './membership';
import type { DomainEvent } from '../events';
import { assertBookedInOpenYear, assertDecidedYearNotTooFarAhead, assertNotAfterToday, assertNotOlderThanInForce, assertNotTooFarAhead, assertYearOpen, bookedInClosedYear } from './year-guard';
import { type SupplierInvoice, supplierInvoices } from '../supplier-debt';
import { dayBefore, monthBounds } from '../proration';
import { addDays } from '../billing/periods';
import { listed } from '../swedish-list';

export const serviceStream = (serviceId: string) => `service-${serviceId}`;

/** The service established as `serviceId`; a refusal that says whether no service has the id or it is no id. */
export function requireService(state: State, serviceId: string): ServiceState {
  const svc = state.services.get(serviceId);
  if (!svc) {
    const known = [...state.services.keys()].sort();
    const wellFormed = ServiceId.safeParse(serviceId).success;
    throw new (wellFormed ? NotFoundError : DomainError)(`okänd tjänst "${serviceId}"${known.length ? ` (kända: ${known.join(', ')})` : ' (ingen tjänst är inrättad ännu)'}`);
  }
  return svc;
}

export function decideEstablish(c: EstablishService, state: State, today: string): Decision {
  assertNotTooFarAhead(c.date, today, `service.establish ${c.serviceId}`, 'datumet');
  if (state.services.has(c.serviceId)) throw new DomainError(`service.establish: tjänsten "${c.serviceId}" är redan inrättad`);
  // The overhead is a share of the cost ("0.05" for 5 %): "5" is 500 %, a percentage given as a share.
  if (new Decimal(c.overheadRate).gt(1)) throw new DomainError(`service.establish ${c.serviceId}: påslaget ${c.overheadRate} är ${formatPercent(new Decimal(c.overheadRate))}; ange det som andel av kostnaden, t.ex. 0.05 för 5 % (högst 1)`);
  try {
    validateRule(c.pricing);
  } catch (err) {
    if (err instanceof PricingError) throw new DomainError(`service.establish ${c.serviceId}: ${err.message}`);
    throw err;
  }
  // Bands cover every population once, as a fee schedule's tiers do: a gap between them accepted here
  // stopped the service's every run once an SCB table moved a participant into it, and a service's
  // pricing cannot be changed once established.
  const bands = ownBands(c.pricing);
  const gaps = bands === undefined ? [] : bandCoverageProblems(bands, true);
  if (gaps.length > 0) throw new DomainError(`service.establish ${c.serviceId}: ${gaps.join('; ')}`);
  const { type: _t, ...data } = c;
  return { streamId: serviceStream(c.serviceId), events: [{ type: 'ServiceEstablished', data }] };
}

export function decideBudget(c: DecideBudget, state: State, today: string): Decision {
  const svc = requireService(state, c.serviceId);
  const what = `budget.decide ${c.serviceId} ${c.year}`;
  assertYearOpen(state, c.year, `budget.decide ${c.serviceId}`);
  assertNotAfterToday(c.decidedOn, today, what, 'beslutsdatumet', 'ange dagen rådet beslutade');
  assertDecidedYearNotTooFarAhead(c.year, today, what, 'budgetåret');
  // A price list bills each participant its tier's price: a budget would be stored, shown in `services` and
  // the self-cost report, and split into nobody's fee, as if the council had decided something it bills by.
  if (svc.service.pricing.kind === 'price-list') {
    throw new DomainError(`${what}: ${svc.service.name} prissätts med en prislista (ett årspris per storleksklass), inte genom att en budget fördelas; en budget skulle inte ändra någon avgift`);
  }
  // Two lines of one text are one item counted twice or two items the minutes tell apart: either way the
  // trace and the self-cost report could not say which is which.
  const seen = new Set<string>();
  for (const line of c.lines) {
    const key = line.text.trim().toLocaleLowerCase('sv');
    if (seen.has(key)) throw new DomainError(`${what}: budgetraden "${line.text.trim()}" står två gånger; slå ihop beloppen på en rad eller ge raderna olika text`);
    seen.add(key);
  }
  // A budget of a year before the service existed bills no one, yet `services` listed the year as budgeted.
  const established = Number(svc.service.date.slice(0, 4));
  if (c.year < established) throw new DomainError(`${what}: budgetåret ${c.year} ligger före ${established}, då tjänsten inrättades (${svc.service.date})`);
  // A council decides a year's budget in the autumn before it, or a year or two ahead in a plan; a decision
  // dated further back is a mistyped year (1995 for 2023), and would stand in every trace of the year's bills.
  const earliest = `${c.year - 2}-01-01`;
  if (c.decidedOn < earliest) throw new DomainError(`${what}: beslutsdatumet ${c.decidedOn} ligger för långt före budgetåret; tidigast ${earliest} (två år före) kan anges`);
  const inForce = svc.budgets.get(c.year)?.at(-1)?.value;
  assertNotOlderThanInForce(inForce && { decidedOn: inForce.decidedOn, reference: inForce.minutesRef }, c.decidedOn, what, 'den budget');
  const { type: _t, ...data } = c;
  const budgets = new Map(svc.budgets).set(c.year, [...(svc.budgets.get(c.year) ?? []), { value: data, ref: PENDING }]);
  assertSplittable(state, { ...svc, budgets }, c.year, what);
  return { streamId: serviceStream(c.serviceId), events: [{ type: 'CouncilBudgetDecided', data }] };
}

/** Whether two recorded costs are the same supplier invoice line: every field alike, amounts by value. */
const sameCost = (a: RecordedCost, b: RecordedCost): boolean =>
  a.serviceId === b.serviceId && a.year === b.year && a.supplier === b.supplier && a.reference === b.reference && a.date === b.date
  && new Decimal(a.amount).eq(b.amount) && new Decimal(a.vat ?? 0).eq(b.vat ?? 0);

type RecordedCost = { serviceId: string; year: number; amount: string; vat?: string; supplier: string; reference: string; date: string };

/**
 * A supplier invoice: its amount excluding VAT is the service's cost; its input VAT, if any, is at most that
 * amount × the highest VAT rate in force (`vatRates`, configuration), rounded up to the öre, or it is a typo
 * (the gross amount given as the VAT, say).
 */
export function decideActualCost(c: RecordActualCost, state: State, vatRates: readonly string[], today: string): Decision {
  const svc = requireService(state, c.serviceId);
  // A cost given without VAT is stored as every cost was before VAT was recorded: without the field.
  const { type: _t, vat, ...rest } = c;
  const data = vat === undefined ? rest : { ...rest, vat };
  // The same supplier invoice again, every field alike, is the one recorded (a client's retry under a new
  // key, a file imported twice), as a payment is: recording it again would book the supplier twice. Asked
  // first, so that a retry after the year's close is answered as a retry, not refused.
  if (svc.actualCosts.get(c.year)?.some((r) => sameCost(r.value, data))) return { streamId: serviceStream(c.serviceId), events: [] };
  assertNotAfterToday(c.date, today, `cost.record ${c.serviceId}`, 'kostnadens datum');
  assertYearOpen(state, c.year, `cost.record ${c.serviceId}`);
  const established = Number(svc.service.date.slice(0, 4));
  if (c.year < established) throw new DomainError(`cost.record ${c.serviceId}: kostnadsåret ${c.year} ligger före ${established}, då tjänsten inrättades (${svc.service.date})`);
  // The ledger books a cost on its date (prepaid or accrued when that is another year than the cost's):
  // dated in a closed year it would change that year's 6540, 2440 and 2641.
  assertBookedInOpenYear(state, c.date, `cost.record ${c.serviceId} ${c.year} ${c.reference}`);
  if (new Decimal(c.amount).isZero()) throw new DomainError(`cost.record ${c.serviceId} ${c.year} ${c.reference}: beloppet måste vara större än noll`);
  const problem = inputVatProblem(c, vatRates);
  if (problem) throw new DomainError(problem);
  return { streamId: serviceStream(c.serviceId), events: [{ type: 'ActualCostRecorded', data }] };
}

/** Why a cost's input VAT cannot be right, or undefined when it can. */
export function inputVatProblem(c: RecordActualCost, vatRates: readonly string[]): string | undefined {
  if (c.vat === undefined) return undefined;
  const vat = new Decimal(c.vat);
  if (vat.isZero()) return undefined;
  const what = `cost.record ${c.serviceId} ${c.year} ${c.reference}`;
  if (vatRates.length === 0) return `${what}: ingen momssats är konfigurerad (vatRates), så momsen ${formatSek(vat)} kan inte prövas`;
  const highest = Decimal.max(...vatRates);
  const net = new Decimal(c.amount);
  const most = net.mul(highest).toDecimalPlaces(2, Decimal.ROUND_UP);
  if (vat.gt(most)) {
    return `${what}: momsen ${formatSek(vat)} är mer än ${formatPercent(highest)} (den högsta momssatsen) av beloppet exklusive moms ${formatSek(net)}, högst ${formatSek(most)}; beloppet anges exklusive moms och momsen för sig`;
  }
  return undefined;
}

/** Whether a recorded supplier payment (or its event) is the one `c` records: the same amount and date. */
export const isSupplierPaymentOf = (p: { amount: Decimal.Value; date: string }, c: PaySupplier): boolean =>
  new Decimal(p.amount).eq(c.amount) && p.date === c.date;

/**
 * A payment to a supplier: of the recorded cost of the service and year with this reference. The same
 * payment again (the same cost, amount and date), under whatever command id or idempotency key, records
 * nothing, as a customer payment does (deciders/billing.ts#decidePayment).
 */
export function decideSupplierPayment(c: PaySupplier, state: State, today: string): Decision {
  const svc = requireService(state, c.serviceId);
  const invoices = supplierInvoices(svc, c.year);
  const invoice = invoices.find((i) => i.reference === c.reference);
  if (!invoice) {
    const known = invoices.map((i) => i.reference);
    const list = known.length > 10 ? `${known.slice(0, 10).join(', ')}, …` : known.join(', ');
    throw new DomainError(`cost.pay: ingen kostnad för ${c.serviceId} ${c.year} har referensen "${c.reference}"${known.length ? ` (registrerade: ${list})` : ` (ingen kostnad är registrerad för ${c.serviceId} ${c.year})`}`);
  }
  if (invoice.payments.some((p) => isSupplierPaymentOf(p.value, c))) return { streamId: serviceStream(c.serviceId), events: [] };
  assertNotAfterToday(c.date, today, `cost.pay ${c.serviceId} ${c.year} ${c.reference}`, 'betalningsdagen');
  const problem = supplierPaymentProblem(c, invoice, state);
  if (problem) throw new DomainError(problem);
  const { type: _t, ...data } = c;
  return { streamId: serviceStream(c.serviceId), events: [{ type: 'SupplierPaymentRecorded', data }] };
}

/** Why a payment cannot be recorded against the supplier invoice, or undefined when it can. */
export function supplierPaymentProblem(c: PaySupplier, invoice: SupplierInvoice, state: State): string | undefined {
  const what = `cost.pay ${c.serviceId} ${c.year} ${c.reference}`;
  const closed = bookedInClosedYear(state, c.date, what);
  if (closed) return closed;
  const amount = new Decimal(c.amount);
  if (amount.lte(0)) return `${what}: beloppet måste vara större än noll (${c.amount})`;
  if (amount.gt(invoice.owed)) {
    return `${what}: ${formatSek(amount)} är mer än det som återstår att betala (${formatSek(invoice.owed)} av ${formatSek(invoice.gross)} inklusive moms${invoice.paid.isZero() ? '' : `, ${formatSek(invoice.paid)} betalt tidigare`})`;
  }
  if (c.date < invoice.date) return `${what}: betald ${c.date}, innan leverantörsfakturan är daterad (${invoice.date})`;
  return undefined;
}

/**
 * Whether two periods are counted in a common month. A split counts an enrolment in every month it is in
 * force on any day (proration.ts#countsInMonth), so one ended on 20 August and the next begun on 21 August
 * would both be counted in August: the member twice in its split, billed twice for it. A withdrawn period
 * (ended the day before it began) counts in no month.
 */
function shareAMonth(aFrom: string, aTo: string | undefined, bFrom: string, bTo: string | undefined): boolean {
  if ((aTo !== undefined && aTo < aFrom) || (bTo !== undefined && bTo < bFrom)) return false;
  return aFrom.slice(0, 7) <= (bTo ?? '9999-12').slice(0, 7) && bFrom.slice(0, 7) <= (aTo ?? '9999-12').slice(0, 7);
}

/** The change that parts a new period from one it shares a month with: begin the month after it, or end the month before. */
function partingAdvice(c: { from: string; to?: string }, e: { from: string; to?: string }): string {
  if (e.to !== undefined && c.from > e.to) return `låt den nya börja ${addDays(monthBounds(Number(e.to.slice(0, 4)), Number(e.to.slice(5, 7))).last, 1)}`;
  if (c.to !== undefined && c.to < e.from) return `låt den nya sluta ${dayBefore(`${e.from.slice(0, 7)}-01`)}`;
  return 'avsluta den ena först';
}

const overlapsOnADay = (a: { from: string; to?: string }, b: { from: string; to?: string }) =>
  a.from <= (b.to ?? '9999-12-31') && b.from <= (a.to ?? '9999-12-31');

const inForceText = (e: { from: string; to?: string }) => (e.to === undefined ? `från ${e.from}` : `${e.from}–${e.to}`);

export function decideStartEnrolment(c: StartEnrolment, state: State, today: string): Decision {
  const svc = requireService(state, c.serviceId);
  const m = resolveMember(state, c.member);
  assertYearOpen(state, Number(c.from.slice(0, 4)), 'enrolment.start');
  assertNotTooFarAhead(c.from, today, 'enrolment.start', 'startdatumet');
  if (c.to !== undefined) assertNotTooFarAhead(c.to, today, 'enrolment.start', 'slutdatumet');
  if (c.to !== undefined && c.to < c.from) throw new DomainError(`enrolment.start: anslutningen slutar (${c.to}) innan den börjar (${c.from})`);
  const period = periodOn(m, c.from);
  if (!period) {
    const last = m.periods[m.periods.length - 1];
    throw new DomainError(last.to !== undefined && last.to < c.from
      ? `enrolment.start: ${m.name} (${m.orgnr}) gick ur föreningen ${last.to} och kan inte anslutas från ${c.from}`
      : `enrolment.start: ${m.name} (${m.orgnr}) är inte medlem den ${c.from}`);
  }
  if (c.module !== undefined && !(svc.service.modules ?? []).includes(c.module))
    throw new DomainError(`enrolment.start: tjänsten ${c.serviceId} har ingen modul "${c.module}"${svc.service.modules?.length ? ` (moduler: ${svc.service.modules.join(', ')})` : ''}`);
  for (const e of svc.enrolments.values()) {
    if (e.member !== m.orgnr || e.module !== c.module || !shareAMonth(e.from, e.to, c.from, c.to)) continue;
    const what = `${c.serviceId}${c.module ? ` (${c.module})` : ''}`;
    if (overlapsOnADay(e, c)) throw new DomainError(`enrolment.start: ${m.name} är redan ansluten till ${what} ${inForceText(e)} (anslutning ${e.enrolmentId})`);
    throw new DomainError(
      `enrolment.start: ${m.name} är ansluten till ${what} ${inForceText(e)} (anslutning ${e.enrolmentId}), och tjänsten fördelas per hel månad: `
      + `två anslutningar i samma månad räknas båda i den; ${partingAdvice(c, e)}`,
    );
  }
  checkCovers(state, m, c);
  checkTierCovered(state, svc, m, c);
  checkHasInhabitants(svc, m, c);
  checkInhabitantsCountedOnce(state, svc, m, c);
  const enrolmentId = c.enrolmentId ?? [m.orgnr, c.module?.toLowerCase().replace(/[^a-z0-9]+/g, '-'), c.from].filter(Boolean).join('-');
  if (svc.enrolments.has(enrolmentId)) throw new DomainError(`enrolment.start: anslutnings-id ${enrolmentId} används redan i ${c.serviceId}`);
  const started = { serviceId: c.serviceId, enrolmentId, member: m.orgnr, from: c.from, module: c.module, covers: c.covers };
  // Every budgeted year it is in force in must still split with it (a base fee per participant above the budget).
  const enrolments = new Map(svc.enrolments).set(enrolmentId, { ...startedEnrolment(state, svc, started, PENDING), to: c.to });
  for (const year of svc.budgets.keys()) {
    if (year >= Number(c.from.slice(0, 4)) && (c.to === undefined || year <= Number(c.to.slice(0, 4)))) assertSplittable(state, { ...svc, enrolments }, year, `enrolment.start ${c.serviceId}`);
  }
  const events: DomainEvent[] = [{ type: 'EnrolmentStarted', data: started }];
  if (c.to !== undefined) events.push({ type: 'EnrolmentEnded', data: { serviceId: c.serviceId, enrolmentId, to: c.to } });
  return { streamId: serviceStream(c.serviceId), events };
}

/**
 * An enrolment's `covers` are the municipalities that take part through the member, and the enrolment is
 * billed on their populations (population-rule.ts#populationOfCodes): a federation enrols for some or all of
 * the municipalities it covers, and a municipality for a joint committee (gemensam nämnd) it hosts, which it
 * is part of itself (Provisum). A region or another organisation covers no municipalities: with covers it
 * would be billed on the populations of municipalities that have nothing to do with it. The federation's
 * municipalities are those it covers now (state keeps a member's latest covers, which population-rule.ts
 * also bills a federation on); they change only when it rejoins.
 */
function checkCovers(state: State, m: MemberState, c: StartEnrolment): void {
  if (c.covers === undefined) return;
  const twice = repeatedCode(c.covers);
  if (twice) throw new DomainError(`enrolment.start: kommunkod ${twice} står två gånger i --covers`);
  if (m.kind === 'federation') {
    const outside = c.covers.filter((code) => !(m.covers ?? []).includes(code));
    if (outside.length) {
      throw new DomainError(`enrolment.start: ${m.name} (${m.orgnr}) omfattar inte ${outside.length === 1 ? 'kommunkod' : 'kommunkoderna'} ${outside.join(', ')}; förbundets kommuner är ${(m.covers ?? []).join(', ')}`);
    }
    return;
  }
  if (m.kind !== 'municipality') {
    throw new DomainError(`enrolment.start: ${m.name} (${m.orgnr}) är av typen ${m.kind} och ansluter inga kommuner; --covers gäller ett kommunalförbund eller en kommun som är värd för en gemensam nämnd`);
  }
  if (!c.covers.includes(m.kommunkod as string)) {
    throw new DomainError(`enrolment.start: ${m.name} (kommunkod ${m.kommunkod}) kan bara ansluta andra kommuner genom en gemensam nämnd som den själv ingår i; ta med ${m.kommunkod} i --covers eller låt kommunerna ansluta sig själva`);
  }
  // Covering only itself is its own enrolment, which every reader then named as a joint committee ("(1 kommun)").
  if (c.covers.length === 1) {
    throw new DomainError(`enrolment.start: --covers ${m.kommunkod} är bara den egna kommunkoden för ${m.name}; en kommun som ansluter sig själv anges utan --covers`);
  }
  // A joint committee's other municipalities need not be members (none of Provisum's 22 are): SCB must know them.
  const unknown = unknownKommunkodProblem(state, c.covers, 'enrolment.start');
  if (unknown) throw new DomainError(unknown);
}

/** The municipalities whose inhabitants an enrolment is billed on: its covers, else a federation's, else the municipality's own. */
export function inhabitantsOf(m: MemberState, covers: readonly string[] | undefined): readonly string[] {
  if (covers?.length) return covers;
  if (m.kind === 'federation') return m.covers ?? [];
  return m.kind === 'municipality' && m.kommunkod !== undefined ? [m.kommunkod] : [];
}

/**
 * Under a per-capita rule each participant pays by the inhabitants it is billed on, so a municipality
 * counted by two enrolments at once (on its own and through a federation's) would be billed twice for
 * its inhabitants, and every other participant's share would fall. Refused for the same module at the same
 * time, naming the other enrolment and how to part them. Weights and equal shares count participants, not
 * inhabitants: there a federation and its municipalities may each take part (Sambruk's EGIL has GR and
 * its thirteen).
 */
function checkInhabitantsCountedOnce(state: State, svc: ServiceState, m: MemberState, c: StartEnrolment): void {
  if (!sharesByInhabitants(svc.service.pricing.kind)) return;
  const mine = new Set(inhabitantsOf(m, c.covers));
  if (mine.size === 0) return;
  for (const e of svc.enrolments.values()) {
    if (e.module !== c.module || !shareAMonth(e.from, e.to, c.from, c.to)) continue;
    const other = state.members.get(e.member);
    if (other === undefined) continue;
    const both = inhabitantsOf(other, e.covers).filter((code) => mine.has(code));
    if (both.length === 0) continue;
    const sameDay = overlapsOnADay(e, c);
    throw new DomainError(
      `enrolment.start ${c.serviceId}: ${both.length === 1 ? 'kommunkod' : 'kommunkoderna'} ${listed(both)} räknas redan i anslutningen ${e.enrolmentId} för ${other.name} (${inForceText(e)}); `
      + `tjänsten fördelar per invånare${sameDay ? '' : ' och hel månad'}, så invånarna skulle betalas två gånger: låt förbundets anslutning omfatta bara de andra kommunerna (--covers), eller ${sameDay ? 'avsluta den ena först' : partingAdvice(c, e)}`,
    );
  }
}

/** What a decision not yet stored refers to in the trial split assertSplittable makes of it (never stored). */
const PENDING: EventRef = Object.freeze({ streamId: '(ny)', revision: -1, position: '0', eventId: '(ny)', type: '(ny)', recordedAt: '', actor: '', hash: '' });

/**
 * Refuses a budget or enrolment after which the service's budget split of `year` cannot be made: a budget
 * below the base fees of base-plus-per-capita, or one more participant than the budget bears them for, was
 * stored and then stopped every split of the service and every invoice run (membership fees included),
 * with no command to take it back. `trial` is the service with the decision in it.
 */
function assertSplittable(state: State, trial: ServiceState, year: number, what: string): void {
  if (!trial.budgets.get(year)?.length) return;
  try {
    // A split works its months out when they are first read, and it is there that a base fee fails.
    void computeSplit(trial, year, 'budget', costBase(trial, year, 'budget'), splitInputs(state, trial, year, RULES_VERSION), reportingTiersFor(state, year), RULES_VERSION).months;
  } catch (err) {
    // SCB's table for the year is not recorded yet: the split waits for it, as a run does.
    if (err instanceof PopulationPendingError) return;
    if (err instanceof PricingError || err instanceof DomainError) {
      // The split's own words name the service and year, which the refusal's subject has named already.
      const why = err.message.startsWith(`${trial.service.serviceId} ${year}: `) ? err.message.slice(`${trial.service.serviceId} ${year}: `.length) : err.message;
      throw new DomainError(`${what}: ${why}; det skulle stoppa fördelningen av ${year} och varje fakturakörning, så det registreras inte`);
    }
    throw err;
  }
}

/** A member with no inhabitants of its own, as a refusal names it. */
const INHABITANTLESS: Record<MemberState['kind'], string> = {
  region: 'en region, som deltar utan egna invånare', organisation: 'en organisation, som deltar utan egna invånare',
  federation: 'ett kommunalförbund utan kommuner', municipality: 'en kommun utan kommunkod',
};

/**
 * Under a rule that shares by inhabitants every participant is billed on some: a region or another
 * organisation has none of its own (it covers no municipalities), and once enrolled it stopped the whole
 * association's invoice run, every split of the service and even a scenario removing it, until the
 * enrolment was ended.
 */
function checkHasInhabitants(svc: ServiceState, m: MemberState, c: StartEnrolment): void {
  if (!sharesByInhabitants(svc.service.pricing.kind) || inhabitantsOf(m, c.covers).length > 0) return;
  throw new DomainError(
    `enrolment.start ${c.serviceId}: tjänsten fördelar sin kostnad per invånare, och ${m.name} (${m.orgnr}) är ${INHABITANTLESS[m.kind]}; `
    + 'bara kommuner och kommunalförbund (efter sina kommuners invånare) kan delta i den',
  );
}

/**
 * A tier-weighted or price-list service must have a band for every participant: checked at enrolment with
 * the population that counts for the start year, when that table is on record (the split checks again).
 */
function checkTierCovered(state: State, svc: ServiceState, m: MemberState, c: StartEnrolment): void {
  const rule = svc.service.pricing;
  const bands = ownBands(rule);
  if (bands === undefined) return;
  const feeYear = Number(c.from.slice(0, 4));
  if (!state.populations.has(populationYearFor(feeYear))) return;
  const population = c.covers?.length ? populationOfCodes(state, c.covers, feeYear, m.name) : populationFor(state, m, feeYear);
  const subject = { organisation: population === null, population: population?.value ?? null };
  if (!bandOf<TierBand>(bands, subject))
    throw new DomainError(`enrolment.start: ${rule.kind === 'price-list' ? 'prislistan' : 'vikttabellen'} för ${svc.service.serviceId} har ingen nivå för ${m.name} (${population ? `folkmängd ${population.value}` : 'organisation'})`);
}

export function decideEndEnrolment(c: EndEnrolment, state: State, today: string): Decision {
  const svc = requireService(state, c.serviceId);
  const e = svc.enrolments.get(c.enrolmentId);
  if (!e) throw new DomainError(`enrolment.end: tjänsten ${c.serviceId} har ingen anslutning ${c.enrolmentId}`);
  // An end already set may be brought forward (a member leaving earlier than planned), never put off: a
  // later end would bring back months that may have been settled as ended.
  if (e.to !== undefined && c.to >= e.to) throw new DomainError(`enrolment.end: anslutningen ${c.enrolmentId} upphörde redan ${e.to}`);
  // What an end changes begins the day after it: an end on 31 December of a closed year (or a withdrawal,
  // ended the day before a start on 1 January of the first open year) changes none of that year's figures.
  const withdrawn = c.to === dayBefore(e.from);
  assertYearOpen(state, Number(addDays(c.to, 1).slice(0, 4)), 'enrolment.end');
  assertNotTooFarAhead(c.to, today, 'enrolment.end', 'slutdatumet');
  if (e.to !== undefined) assertYearOpen(state, Number(e.to.slice(0, 4)), 'enrolment.end');
  // Ending it the day before it begins withdraws an enrolment that has not begun: it is in force on no day.
  if (c.to < e.from && !withdrawn) {
    throw new DomainError(`enrolment.end: anslutningen slutar (${c.to}) innan den börjar (${e.from}); för att dra tillbaka den, avsluta den dagen innan: --to ${dayBefore(e.from)}`);
  }
  return { streamId: serviceStream(c.serviceId), events: [{ type: 'EnrolmentEnded', data: { serviceId: c.serviceId, enrolmentId: c.enrolmentId, to: c.to } }] };
}
