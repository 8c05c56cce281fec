import type { Command } from '../../domain/commands';
import { canonicalJson } from '../../domain/canonical-json';
import { isPaymentOf } from '../../domain/deciders/billing';
import { isSupplierPaymentOf } from '../../domain/deciders/services';
import { decidedBy } from '../../domain/rules';
import type { RecordedEvent } from '../store/port';
import { sha256 } from './ids';

/**
 * Commands storedBy tells apart by their events' content: a document's origin holds its command and params;
 * a payment is the same payment whatever form brought it (an OCR number or the invoice's, "10000" or
 * "10000.00"), as is a supplier payment.
 */
const TOLD_BY_CONTENT: ReadonlySet<Command['type']> = new Set(['invoice.run', 'invoice.credit', 'settlement.run', 'payment.record', 'cost.pay']);

/**
 * What the events of any other command carry in their metadata (`command`), so that a command id given
 * again to another command of the same kind (a second `member join`, a budget revision) is told apart from
 * a retry: the SHA-256 of the command's canonical JSON without its rules version. Events stored before
 * it carry none and are told apart by kind (and content, where storedBy compares it) only.
 */
export function commandFingerprint(command: Command): string | undefined {
  return TOLD_BY_CONTENT.has(command.type) ? undefined : sha256(paramsOf(command));
}

/** The events each command can append: a command id whose events are of another kind was another command's. */
const EVENTS_OF: Record<Command['type'], readonly string[]> = {
  'member.join': ['MemberJoined'], 'member.leave': ['MemberLeft'], 'member.details': ['MemberDetailsChanged'],
  'population.import': ['PopulationRecorded'], 'schedule.adopt': ['FeeScheduleAdopted'], 'levy.decide': ['ExtraLevyDecided'],
  'service.establish': ['ServiceEstablished'], 'budget.decide': ['CouncilBudgetDecided'], 'cost.record': ['ActualCostRecorded'], 'cost.pay': ['SupplierPaymentRecorded'],
  'enrolment.start': ['EnrolmentStarted', 'EnrolmentEnded'], 'enrolment.end': ['EnrolmentEnded'],
  'invoice.run': ['InvoiceIssued'], 'invoice.credit': ['CreditNoteIssued'], 'payment.record': ['PaymentRecorded'],
  'payment.import': ['PaymentRecorded'], 'payment.reverse': ['PaymentReversed'], 'payment.refund': ['RefundPaid'],
  'settlement.run': ['InvoiceIssued', 'CreditNoteIssued', 'ServiceSettled'], 'year.close': ['YearClosed'],
  'ledger.opening': ['OpeningBalancesRecorded'], 'ledger.opening.correct': ['OpeningBalancesCorrected'],
};

/** A command, or a document's recorded params, in canonical JSON without the rules version (a retry under a later version is the same command). */
const paramsOf = (params: Record<string, unknown>): string => {
  const { rules: _r, ...rest } = params;
  return canonicalJson(rest);
};

/**
 * Whether events stored under a command id can be this command's: the same kind of events, a document
 * recording this command with these params, a payment of this amount, date and reference to this invoice, a
 * supplier payment of this amount and date to this cost.
 * A retry is the same command; a command id (or an HTTP idempotency key) given again to another command is
 * not, and must be refused rather than answered "already recorded" while the new command is lost.
 */
export function storedBy(command: Command, events: readonly RecordedEvent[]): boolean {
  const fingerprint = commandFingerprint(command);
  for (const e of events) {
    if (!EVENTS_OF[command.type].includes(e.type)) return false;
    const recorded = (e.metadata as { command?: string }).command;
    if (recorded !== undefined && recorded !== fingerprint) return false;
    const data = e.data as Record<string, unknown>;
    if (e.type === 'InvoiceIssued' || e.type === 'CreditNoteIssued') {
      const origin = data.origin as { command: string; params: Record<string, unknown> };
      if (origin.command !== command.type || paramsOf(origin.params) !== paramsOf(decidedBy(command as Command & { rules?: number }).params as Record<string, unknown>)) return false;
    }
    if (e.type === 'ServiceSettled' && command.type === 'settlement.run' && (data.serviceId !== command.serviceId || data.year !== command.year)) return false;
    if (e.type === 'PaymentRecorded' && command.type === 'payment.record') {
      const paid = e.data as { invoice: string; amount: string; date: string; reference: string };
      if (paid.invoice !== command.invoice || !isPaymentOf(paid, command)) return false;
    }
    if (e.type === 'SupplierPaymentRecorded' && command.type === 'cost.pay') {
      const paid = e.data as { serviceId: string; year: number; reference: string; amount: string; date: string };
      if (paid.serviceId !== command.serviceId || paid.year !== command.year || paid.reference !== command.reference || !isSupplierPaymentOf(paid, command)) return false;
    }
  }
  return true;
}

/**
 * Exactly the characters refused in a command's text and id: C0 and C1 controls (NEL among them), DEL, the
 * line and paragraph separators, and what XML 1.0 forbids besides (U+FFFE, U+FFFF and a surrogate without
 * its pair; with the `u` flag a class of surrogates matches only a lone one), since a stored text ends up in
 * a Peppol document, where one of them would make it XML no receiver can read, for good.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it is for
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff\ufffe\uffff]/u;

/** Why a command id given to a command of `type` cannot be one, or undefined. */
export function commandIdProblem(type: string, id: string): string | undefined {
  // An empty id would be one id for every command given it: the second would be refused as another's.
  if (id.trim() === '') return `${type}: kommando-id:t är tomt; ange ett id med tecken i, eller inget alls`;
  // The id is printed in one-line answers ("redan registrerat av kommando …") as the texts are.
  if (CONTROL.test(id)) return `${type}: kommando-id:t innehåller en radbrytning eller ett annat styrtecken; skriv det på en rad`;
  return undefined;
}
