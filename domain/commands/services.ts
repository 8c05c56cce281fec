import { z } from 'zod';
import { IsoDate, Kommunkod, NonNegativeAmount, Text, Year } from '../primitives';
import { BudgetLine, Cadence, PricingRuleSchema, Rate, ServiceId } from '../events/services';

export const EstablishService = z.object({
  type: z.literal('service.establish'),
  serviceId: ServiceId,
  name: Text,
  area: Text,
  pricing: PricingRuleSchema,
  overheadRate: Rate,
  cadence: Cadence,
  modules: z.array(Text).optional(),
  decisionRef: Text,
  date: IsoDate,
});

export const DecideBudget = z.object({
  type: z.literal('budget.decide'),
  serviceId: ServiceId,
  year: Year,
  lines: z.array(BudgetLine).min(1),
  decidedOn: IsoDate,
  minutesRef: Text,
});

export const RecordActualCost = z.object({
  type: z.literal('cost.record'),
  serviceId: ServiceId,
  year: Year,
  amount: NonNegativeAmount,
  supplier: Text,
  reference: Text,
  date: IsoDate,
});

export const StartEnrolment = z.object({
  type: z.literal('enrolment.start'),
  serviceId: ServiceId,
  member: z.string().trim().min(1),
  from: IsoDate,
  to: IsoDate.optional(),
  module: z.string().optional(),
  covers: z.array(Kommunkod).min(1).optional(),
  enrolmentId: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
});

export const EndEnrolment = z.object({
  type: z.literal('enrolment.end'),
  serviceId: ServiceId,
  enrolmentId: z.string().min(1),
  to: IsoDate,
});

export const serviceCommands = [EstablishService, DecideBudget, RecordActualCost, StartEnrolment, EndEnrolment] as const;
export type EstablishService = z.infer<typeof EstablishService>;
export type DecideBudget = z.infer<typeof DecideBudget>;
export type RecordActualCost = z.infer<typeof RecordActualCost>;
export type StartEnrolment = z.infer<typeof StartEnrolment>;
export type EndEnrolment = z.infer<typeof EndEnrolment>;
