import { RULES_VERSION } from '../../domain/rules';
import Decimal from 'decimal.js';
import { type Command, CommandValidationError, parseCommand } from '../../domain/commands';
import { formatPercent, formatSek, grouped, sum } from '../../domain/money';
import { invoiceOf, type InvoiceState, type MemberState, openBalance, openBalanceAt, type State } from '../../domain/state';
import { MEMBER_KIND_NAMES } from '../../domain/kind-words';
import { counted } from '../../domain/swedish-list';
import { lookupMember } from '../../domain/deciders/membership';
import type { RecordPayment } from '../../domain/commands/billing';
import { findInvoice, findPayment, samePayment } from '../../domain/deciders/billing';
import { paymentIdOf } from '../../domain/billing/payment-id';
import type { ExecuteResult } from '../app/engine';
import { withConfiguredDefaults } from '../config';
import { type GlobalOptions, withEngineFor } from './context';
import { supersededSince } from './superseded';
import { type CliIo, toJson, UsageError } from './io';
import { CADENCE_NAMES, PRICING_NAMES } from './pricing-words';

/**
 * Why a command given by a user or a tool carries a field only samkost sets, or undefined. `rules` is for a
 * replay deciding a stored document again: given with a new command, an older version skipped today's
 * checks (a credit note dated before its invoice, a run dated back in its series) and split by older
 * rounding. `fromBank` marks a bank file's row (`payment import`), which is money received: set on a typed
 * payment, it passed the check that refuses a mistyped overpayment.
 */
export function internalFieldProblem(body: Record<string, unknown>): string | undefined {
  const type = String(body.type);
  if ('rules' in body && body.rules !== RULES_VERSION) {
    return `${type}: rules anges inte med ett nytt kommando; det beslutas efter gällande regler (version ${RULES_VERSION}), och äldre versioner finns bara för att lagrade dokument ska återskapas`;
  }
  if (type === 'payment.record' && 'fromBank' in body) {
    return 'payment.record: fromBank sätts bara av payment import för en rad ur bankens fil; skicka bankens rader som payment.import, eller inbetalningen utan fromBank';
  }
  return undefined;
}

/**
 * Validates one command object, executes it on an engine that folded what deciding it reads, and reports
 * what was stored (or that it was a retry). A command that does not parse opens no store.
 */
/**
 * A reversal dated before a refund takes away the credit the refund paid out, which money already left the
 * bank for: taken, as it is what happened (a payment the bank never received), but named, so that finance
 * claims the money back rather than finding the invoice open by more than its total.
 */
function refundsBeyondCredit(inv: InvoiceState): string {
  const beyond = inv.refunds.filter((r) => openBalanceAt(inv, r.date).gt(0));
  if (beyond.length === 0) return '';
  const named = beyond.map((r) => `${formatSek(r.amount)} den ${r.date} (referens ${r.reference})`);
  return `. Obs: efter återföringen hade fakturan inget tillgodo när återbetalningen ${named.join(' och ')} betalades ut; medlemmen är skyldig också det beloppet`;
}

export async function executeAndReport(input: Record<string, unknown>, g: GlobalOptions, io: CliIo, flags?: FieldFlags): Promise<ExecuteResult> {
  const { commandId, ...body } = input;
  const internal = internalFieldProblem(body);
  if (internal !== undefined) throw new UsageError(internal);
  const command = parseAsTyped(withConfiguredDefaults(body, io), flags);
  return withEngineFor(g, io, [command], async (engine) => {
    const result = await engine.execute(command, { commandId: commandIdOf(commandId) });
    // Nothing stored is said in words too, as the text answer says it: a tool reading `duplicate: false` and
    // no events (the same payment under another id or key) would not know it had been recorded before.
    if (g.json) io.out(`${toJson(result.events.length === 0 || result.duplicate ? { ...result, note: describeResult(command, result, engine.state).trim() } : result)}\n`);
    else io.out(describeResult(command, result, engine.state));
    return result;
  });
}

/**
 * How the user gave each field of a command typed as flags, where it is not the flag named as the field
 * (`reference`: `--reference`): `{ minutesRef: '--minutes' }`; '' for an argument, whose issue names it.
 */
export type FieldFlags = Readonly<Record<string, string>>;

/**
 * A command's fields are named as stored (`minutesRef`, `lines.0.amount`), which is what a file's or an HTTP
 * body's refusal names. A command typed as flags (`flags` given) is refused naming what was typed instead:
 * `--minutes`, `--line nr 1`.
 */
function parseAsTyped(input: Record<string, unknown>, flags: FieldFlags | undefined): Command {
  try {
    return parseCommand(input);
  } catch (err) {
    if (flags === undefined || !(err instanceof CommandValidationError) || typeof err.path[0] !== 'string') throw err;
    const [field, ...rest] = err.path;
    const flag = flags[field] ?? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const which = typeof rest[0] === 'number' ? ` nr ${rest[0] + 1}` : '';
    // A command's argument ('') is named by its issue itself ("M2024-0001" är inget id för en inbetalning).
    throw new CommandValidationError(`${String(input.type)}: ${flag === '' ? '' : `${flag}${which}: `}${err.issue}`, err.path, err.issue);
  }
}

/**
 * What a command stored, one line per event, in the words finance and a board read: what was recorded,
 * issued or decided, and where (stream@revision and log position, which auditors look events up by).
 * `state` (after the command) gives what the command does not: a credit note's number, a member's name.
 */
export function describeResult(command: Command, r: ExecuteResult, state?: State): string {
  // A run that finds nothing due stored nothing because there was nothing to bill, not because it ran before.
  if (!r.duplicate && r.events.length === 0 && command.type === 'invoice.run') return `invoice.run ${command.period}: inget nytt att fakturera; inget sparat\n`;
  if (r.duplicate || r.events.length === 0) {
    const already = `${command.type}: redan registrerat${r.duplicate ? ` av kommando ${r.commandId}` : ''}; inget nytt sparat`;
    return `${already}${command.type === 'payment.record' && state ? reversedAlready(command, state) : ''}${supersededSince(command, r, state)}\n`;
  }
  let index: PaymentsByEvent | undefined;
  const payments = (st: State) => (index ??= paymentsByEvent(st));
  return r.events.map((e, i) => {
    const where = `${e.streamId}@${e.revision}, position ${e.position}`;
    // An event this command is not known to store (none today) keeps its type, rather than go unsaid.
    const [said, ...more] = (eventWords(command, e, i, state, payments) ?? `${command.type}: sparade ${e.type}`).split('\n');
    // Where ends the line that says what was recorded; what it lists (opening balances' accounts) follows.
    return `${said} (${where})\n${more.map((l) => `${l}\n`).join('')}`;
  }).join('');
}

type PaymentsByEvent = Map<string, { inv: InvoiceState; p: InvoiceState['payments'][number] }>;

/**
 * Each recorded payment by its event id: a bank file's thousands of payments are each said, and a search of
 * every invoice for each would be quadratic at national scale. Made once per answer (the state moves on
 * between an apply file's lines).
 */
function paymentsByEvent(state: State): PaymentsByEvent {
  const index: PaymentsByEvent = new Map();
  for (const b of state.billing.values()) for (const inv of b.invoices.values()) for (const p of inv.payments) index.set(p.ref.eventId, { inv, p });
  return index;
}

/** The member `name` (an orgnr or a kommunkod) names, as state holds it, if it does. */
function memberOf(state: State | undefined, name: string): MemberState | undefined {
  if (state === undefined) return undefined;
  const m = lookupMember(state, name);
  return 'member' in m ? m.member : undefined;
}

/** "Malmö stad (kommun, kommunkod 1280)", "Region Skåne (region, 232100-0255)": a member as a confirmation names it. */
const memberWords = (m: { name: string; kind: MemberState['kind']; orgnr: string; kommunkod?: string }): string =>
  `${m.name} (${MEMBER_KIND_NAMES[m.kind]}, ${m.kommunkod ? `kommunkod ${m.kommunkod}` : m.orgnr})`;

/** "EGIL (egil)", or the id alone where the service is not in state. */
const serviceWords = (state: State | undefined, serviceId: string): string => {
  const name = state?.services.get(serviceId)?.service.name;
  return name === undefined || name === serviceId ? serviceId : `${name} (${serviceId})`;
};

/** The address a member's invoices now carry, on one line. */
const addressWords = (a: MemberState['address']): string =>
  [a?.street, [a?.postalCode, a?.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');

/**
 * What event `e` (the `index`th the command stored) recorded, in Swedish, without where; undefined for an
 * event this command is not known to store. Said from the command, and from `state` what it does not give.
 */
function eventWords(command: Command, e: ExecuteResult['events'][number], index: number, state: State | undefined, payments: (state: State) => PaymentsByEvent): string | undefined {
  switch (e.type) {
    case 'PaymentRecorded': {
      if (command.type === 'payment.record') return `Inbetalning registrerad: ${formatSek(new Decimal(command.amount))} på ${command.invoice}, betald ${command.date}, referens ${command.reference}`;
      // A bank file's rows (payment.import in an apply file or an HTTP body): the payment as its invoice holds it.
      const found = state && payments(state).get(e.id);
      return found && `Inbetalning registrerad: ${formatSek(found.p.amount)} på ${found.inv.invoice.number}, betald ${found.p.date}, referens ${found.p.reference}`;
    }
    case 'PaymentReversed': {
      if (command.type !== 'payment.reverse' || !state) return undefined;
      const { inv, payment: p } = findPayment(state, command.payment);
      return `Inbetalning ${paymentIdOf(p.ref)} återförd ${command.date}: ${formatSek(p.amount)} på ${inv.invoice.number}, betald ${p.date}, referens ${p.reference}; `
        + `kvar att betala på ${inv.invoice.number}: ${formatSek(openBalance(inv))}${refundsBeyondCredit(inv)}`;
    }
    case 'RefundPaid': {
      if (command.type !== 'payment.refund' || !state) return undefined;
      const inv = invoiceOf(state, command.invoice);
      const open = inv && openBalance(inv);
      return `Återbetalning registrerad: ${formatSek(new Decimal(command.amount))} av tillgodohavandet på ${command.invoice}, utbetald ${command.date}, referens ${command.reference}`
        + (open === undefined ? '' : open.isNeg() ? `; kvar tillgodo på ${command.invoice}: ${formatSek(open.neg())}` : `; inget kvar tillgodo på ${command.invoice}`);
    }
    case 'SupplierPaymentRecorded':
      if (command.type !== 'cost.pay') return undefined;
      return `Betalning till leverantör registrerad: ${formatSek(new Decimal(command.amount))} för ${command.reference} (${command.serviceId} ${command.year}), betald ${command.date}`;
    case 'InvoiceIssued': {
      const inv = [...(state?.billing.values() ?? [])].map((b) => [...b.invoices.values()].find((i) => i.ref.eventId === e.id)).find((i) => i !== undefined)?.invoice;
      return inv && `Faktura ${inv.number} utfärdad ${inv.issueDate} till ${inv.buyer.name}: ${formatSek(new Decimal(inv.total))}`;
    }
    case 'CreditNoteIssued': {
      const note = [...(state?.billing.values() ?? [])].flatMap((b) => [...b.creditNotes.values()]).find((n) => n.ref.eventId === e.id)?.value;
      return note && `Kreditfaktura ${note.number} utfärdad ${note.issueDate}: ${formatSek(new Decimal(note.total))} som krediterar ${note.credits.join(', ')}`;
    }
    case 'ServiceSettled':
      return command.type === 'settlement.run' ? `Slutreglering av ${command.serviceId} ${command.year} registrerad` : undefined;
    case 'ActualCostRecorded':
      if (command.type !== 'cost.record') return undefined;
      return `Leverantörsfaktura registrerad: ${formatSek(new Decimal(command.amount))}${command.vat ? ` + moms ${formatSek(new Decimal(command.vat))}` : ''} från ${command.supplier}, ${command.reference} (${command.serviceId} ${command.year})`;
    case 'OpeningBalancesRecorded':
    case 'OpeningBalancesCorrected': {
      const recorded = state?.openingBalances?.value;
      if (!recorded || (command.type !== 'ledger.opening' && command.type !== 'ledger.opening.correct')) return undefined;
      const debit = sum(recorded.balances.map((b) => new Decimal(b.amount)).filter((a) => a.gt(0)));
      const done = command.type === 'ledger.opening' ? 'registrerade' : `rättade (${command.reason}); de ersätter de tidigare från årets första dag`;
      const rows = recorded.balances.map((b) => `\n  ${b.account}  ${formatSek(new Decimal(b.amount)).padStart(20)}`).join('');
      return `Ingående balanser ${recorded.year} ${done}: ${recorded.balances.length} konton, debet och kredit ${formatSek(debit)} vardera, ${recorded.reference}${rows}`;
    }
    case 'MemberJoined': {
      if (command.type !== 'member.join') return undefined;
      const m = state?.members.get(command.orgnr);
      const again = (m?.periods.length ?? 1) > 1;
      return `${again ? 'Återinträde' : 'Inträde'} registrerat: ${memberWords(command)}, medlem från ${command.date}, beslut ${command.decisionRef}`
        + `${command.covers ? `; förbundet omfattar kommunkod ${command.covers.join(', ')}` : ''}`;
    }
    case 'MemberLeft': {
      if (command.type !== 'member.leave') return undefined;
      const m = memberOf(state, command.member);
      return `Utträde registrerat: ${m ? memberWords(m) : command.member}, medlem till och med ${command.date}, skäl: ${command.reason}${command.decisionRef ? `, beslut ${command.decisionRef}` : ''}`;
    }
    case 'MemberDetailsChanged': {
      if (command.type !== 'member.details') return undefined;
      const m = memberOf(state, command.member);
      const changed = [
        ...(command.address ? [`adress ${addressWords(m?.address ?? command.address)}`] : []),
        ...(command.invoiceReference !== undefined ? [`fakturareferens ${command.invoiceReference}`] : []),
      ];
      return `Fakturauppgifter ändrade för ${m?.name ?? command.member} från ${command.date}: ${changed.join('; ')}`;
    }
    case 'PopulationRecorded': {
      // One event per table, in the command's order (decideImportPopulation).
      const table = command.type === 'population.import' ? command.tables[index] : undefined;
      if (command.type !== 'population.import' || table === undefined) return undefined;
      const people = table.rows.reduce((n, row) => n + row.population, 0);
      return `Befolkningstabell ${table.year} registrerad: ${counted(table.rows.length, 'kommun', 'kommuner')}, ${grouped(people)} invånare den ${table.referenceDate}, källa ${command.source}`;
    }
    case 'FeeScheduleAdopted':
      if (command.type !== 'schedule.adopt') return undefined;
      return `Avgiftsplan ${command.year} antagen ${command.decidedOn}, beslut ${command.decisionRef}: ${counted(command.tiers.length, 'nivå', 'nivåer')}`;
    case 'ExtraLevyDecided':
      if (command.type !== 'levy.decide') return undefined;
      return `Extra utdebitering ${command.year} beslutad ${command.decidedOn}, beslut ${command.decisionRef}: ${command.purpose} (${command.levyId}), ${counted(command.tiers.length, 'nivå', 'nivåer')}`;
    case 'ServiceEstablished':
      if (command.type !== 'service.establish') return undefined;
      return `Tjänsten ${command.name} (${command.serviceId}) inrättad från ${command.date}, beslut ${command.decisionRef}: ${PRICING_NAMES[command.pricing.kind]}, `
        + `påslag ${formatPercent(command.overheadRate)}, fakturering per ${CADENCE_NAMES[command.cadence]}`;
    case 'CouncilBudgetDecided': {
      if (command.type !== 'budget.decide') return undefined;
      // A later decision for the same year supersedes the earlier: said, so that it is not taken for a second budget.
      const revised = (state?.services.get(command.serviceId)?.budgets.get(command.year)?.length ?? 1) > 1;
      return `${revised ? 'Reviderad budget' : 'Budget'} ${command.year} för ${serviceWords(state, command.serviceId)} beslutad ${command.decidedOn}, ${command.minutesRef}: `
        + `${formatSek(sum(command.lines.map((l) => new Decimal(l.amount))))} (${counted(command.lines.length, 'rad', 'rader')})${revised ? '; ersätter det tidigare beslutet för året' : ''}`;
    }
    case 'EnrolmentStarted': {
      if (command.type !== 'enrolment.start') return undefined;
      const enrolment = [...(state?.services.get(command.serviceId)?.enrolments.values() ?? [])].find((x) => x.startedRef.eventId === e.id);
      const m = memberOf(state, enrolment?.member ?? command.member);
      return `Anslutning registrerad: ${m ? memberWords(m) : command.member} till ${serviceWords(state, command.serviceId)}${command.module ? `, modul ${command.module}` : ''} från ${command.from}`
        + `${command.covers ? `, omfattar kommunkod ${command.covers.join(', ')}` : ''}${enrolment ? ` (anslutning ${enrolment.enrolmentId})` : ''}`;
    }
    case 'EnrolmentEnded': {
      if (command.type !== 'enrolment.start' && command.type !== 'enrolment.end') return undefined;
      const enrolment = command.type === 'enrolment.end'
        ? state?.services.get(command.serviceId)?.enrolments.get(command.enrolmentId)
        : [...(state?.services.get(command.serviceId)?.enrolments.values() ?? [])].find((x) => x.endedRef?.eventId === e.id);
      const to = command.type === 'enrolment.end' ? command.to : (enrolment?.to ?? command.to);
      const m = enrolment && memberOf(state, enrolment.member);
      return `Anslutning${enrolment ? ` ${enrolment.enrolmentId}` : ''}${m ? ` (${m.name})` : ''} till ${serviceWords(state, command.serviceId)} upphör: sista dag ${to}`;
    }
    case 'YearClosed':
      if (command.type !== 'year.close') return undefined;
      return `År ${command.year} stängt per ${command.date}${command.decisionRef ? `, beslut ${command.decisionRef}` : ''}`;
    default:
      return undefined;
  }
}

/**
 * Why a payment given again records nothing when it was reversed since: the same payment (invoice, amount,
 * value date, reference) stays the one recorded and reversed, so that a bank file imported again does not
 * bring it back. Said, so that a payment meant anew is given its own reference rather than taken as lost.
 */
function reversedAlready(c: RecordPayment, state: State): string {
  let inv: InvoiceState;
  try {
    inv = findInvoice(state, c.invoice);
  } catch {
    return '';
  }
  const p = samePayment(c, inv);
  if (p === undefined) return '';
  // Named by its id, which a tool needs to reverse it, whatever key or id it was given again under.
  return p.reversed
    ? ` (inbetalningen ${paymentIdOf(p.ref)} återfördes ${p.reversed.date}: ${p.reversed.reason}; ska den registreras på nytt, ge den en egen referens)`
    : ` (inbetalningen ${paymentIdOf(p.ref)})`;
}

/** A command id given in a command's JSON (an `apply` line, an HTTP body): text, or refused by name rather than dropped. */
export function commandIdOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`commandId ska vara en text, inte ${value === null ? 'null' : typeof value === 'number' ? `talet ${value}` : JSON.stringify(value)}`);
  return value;
}
