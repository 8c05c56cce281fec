import { z } from 'zod';
import { CommandAmount, CommandDate, Kommunkod, Text, Year } from '../primitives';
import { ActualCostRecorded, BudgetLine, CouncilBudgetDecided, pricingRuleOf, ServiceEstablished, ServiceId } from '../events/services';

// Where a command records exactly what its event will hold, its schema is the event's plus the type, and
// its dates are held to a command's years (CommandDate), which the event's are not, and its amounts are
// written with two decimals (CommandAmount), which the event's are checked to have at most.
export const EstablishService = ServiceEstablished.extend({ type: z.literal('service.establish'), date: CommandDate, pricing: pricingRuleOf(CommandAmount) });
export const DecideBudget = CouncilBudgetDecided.extend({ type: z.literal('budget.decide'), decidedOn: CommandDate, lines: z.array(BudgetLine.extend({ amount: CommandAmount })).min(1) });
export const RecordActualCost = ActualCostRecorded.extend({ type: z.literal('cost.record'), date: CommandDate, amount: CommandAmount, vat: CommandAmount.optional() });

/** A payment to the supplier of the recorded cost of `serviceId` and `year` with `reference`. */
export const PaySupplier = z.object({
  type: z.literal('cost.pay'),
  serviceId: ServiceId,
  year: Year,
  reference: Text,
  amount: CommandAmount,
  date: CommandDate,
});

export const StartEnrolment = z.object({
  type: z.literal('enrolment.start'),
  serviceId: ServiceId,
  member: z.string().trim().min(1),
  from: CommandDate,
  to: CommandDate.optional(),
  module: z.string().optional(),
  covers: z.array(Kommunkod).min(1).optional(),
  enrolmentId: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
});

export const EndEnrolment = z.object({
  type: z.literal('enrolment.end'),
  serviceId: ServiceId,
  enrolmentId: z.string().min(1),
  to: CommandDate,
});

export const serviceCommands = [EstablishService, DecideBudget, RecordActualCost, PaySupplier, StartEnrolment, EndEnrolment] as const;
export type EstablishService = z.infer<typeof EstablishService>;
export type DecideBudget = z.infer<typeof DecideBudget>;
export type RecordActualCost = z.infer<typeof RecordActualCost>;
export type PaySupplier = z.infer<typeof PaySupplier>;
export type StartEnrolment = z.infer<typeof StartEnrolment>;
export type EndEnrolment = z.infer<typeof EndEnrolment>;
