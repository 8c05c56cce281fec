import type { Command } from './commands';
import {
  type Decision,
  decideAdoptSchedule,
  decideImportPopulation,
  decideJoin,
  decideLeave,
  decideLevy,
  decideMemberDetails,
} from './deciders/membership';
import {
  decideActualCost,
  decideBudget,
  decideEndEnrolment,
  decideEstablish,
  decideStartEnrolment,
  decideSupplierPayment,
} from './deciders/services';
import { decideCloseYear, decideCredit, decideInvoiceRun, decidePayment, decidePaymentReversal, decideSettlement } from './deciders/billing';
import { decideOpeningBalances, decideOpeningCorrection } from './deciders/books';
import { decideImportPayments } from './deciders/payment-import';
import { decideRefund } from './deciders/refund';
import { assertNever } from './errors';
import type { State } from './state';

export type { Decision };

/** Context from the edge: "today" in Europe/Stockholm, never read from a clock here. */
export interface DecideContext {
  today: string;
  /**
   * The VAT rates in force (configuration: `vatRates` and `serviceVatRate`). A supplier invoice's input VAT
   * may be at most its net amount × the highest of them; without any, a cost with VAT is refused.
   */
  vatRates?: readonly string[];
}

/** decide(command, state) → the events to append to one stream, or a DomainError. */
export function decide(command: Command, state: State, ctx: DecideContext): Decision {
  switch (command.type) {
    case 'member.join':
      return decideJoin(command, state, ctx.today);
    case 'member.leave':
      return decideLeave(command, state, ctx.today);
    case 'member.details':
      return decideMemberDetails(command, state);
    case 'population.import':
      return decideImportPopulation(command, state, ctx.today);
    case 'schedule.adopt':
      return decideAdoptSchedule(command, state, ctx.today);
    case 'levy.decide':
      return decideLevy(command, state, ctx.today);
    case 'service.establish':
      return decideEstablish(command, state, ctx.today);
    case 'budget.decide':
      return decideBudget(command, state, ctx.today);
    case 'cost.record':
      return decideActualCost(command, state, ctx.vatRates ?? [], ctx.today);
    case 'cost.pay':
      return decideSupplierPayment(command, state, ctx.today);
    case 'enrolment.start':
      return decideStartEnrolment(command, state, ctx.today);
    case 'enrolment.end':
      return decideEndEnrolment(command, state, ctx.today);
    case 'invoice.run':
      return decideInvoiceRun(command, state, ctx.today);
    case 'invoice.credit':
      return decideCredit(command, state, ctx.today);
    case 'payment.record':
      return decidePayment(command, state, ctx.today);
    case 'payment.import':
      return decideImportPayments(command, state, ctx.today);
    case 'payment.reverse':
      return decidePaymentReversal(command, state, ctx.today);
    case 'payment.refund':
      return decideRefund(command, state, ctx.today);
    case 'settlement.run':
      return decideSettlement(command, state, ctx.today);
    case 'year.close':
      return decideCloseYear(command, state, ctx.today);
    case 'ledger.opening':
      return decideOpeningBalances(command, state, ctx.today);
    case 'ledger.opening.correct':
      return decideOpeningCorrection(command, state, ctx.today);
    default:
      return assertNever(command);
  }
}
