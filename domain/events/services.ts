import { z } from 'zod';
import { IsoDate, Kommunkod, NonNegativeAmount, Orgnr, Text, Year } from '../primitives';
import { TierBand } from '../tiers';

export const ServiceId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'tjänstens id: gemener, siffror och bindestreck, t.ex. "egil"');
/** A decimal string such as "0.05" (5 %). */
export const Rate = z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, 'en sats är ett decimaltal, t.ex. "0.05" för 5 %');
const Weight = z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'en vikt är ett decimaltal på noll eller mer, t.ex. "2"');

/** A pricing rule whose amounts (a base, a price list's prices) are `amount`: as stored, or as a command gives them (commands/services.ts). */
export const pricingRuleOf = <A extends z.ZodType<string, string>>(amount: A) => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('equal') }),
  z.object({ kind: z.literal('tier-weighted'), bands: z.array(TierBand.extend({ weight: Weight })).min(1) }),
  z.object({ kind: z.literal('per-capita') }),
  z.object({ kind: z.literal('base-plus-per-capita'), base: amount }),
  z.object({ kind: z.literal('price-list'), bands: z.array(TierBand.extend({ price: amount })).min(1) }),
]);
export const PricingRuleSchema = pricingRuleOf(NonNegativeAmount);
export type PricingRuleData = z.infer<typeof PricingRuleSchema>;

export const Cadence = z.enum(['yearly', 'quarterly', 'monthly']);
export type Cadence = z.infer<typeof Cadence>;

export const ServiceEstablished = z.object({
  serviceId: ServiceId,
  name: Text,
  area: Text,
  pricing: PricingRuleSchema,
  /** The association's management charge on top of the council's budget ("förvaltningsledning"). */
  overheadRate: Rate,
  cadence: Cadence,
  modules: z.array(Text).optional(),
  decisionRef: Text,
  date: IsoDate,
});

export const BudgetLine = z.object({ text: Text, amount: NonNegativeAmount });

/** A council decision on a year's budget; a later decision for the same year supersedes (a revision). */
export const CouncilBudgetDecided = z.object({
  serviceId: ServiceId,
  year: Year,
  lines: z.array(BudgetLine).min(1),
  decidedOn: IsoDate,
  minutesRef: Text,
});

/**
 * A supplier invoice for a service's year. `amount` is the cost excluding VAT: what the self-cost basis
 * (splits, settlements, the self-cost report) counts. `vat` is the deductible input VAT on the invoice
 * (ingående moms, booked to 2641): the association recovers it, so it is no cost. Events recorded before it
 * existed have none, which is read as zero.
 */
export const ActualCostRecorded = z.object({
  serviceId: ServiceId,
  year: Year,
  amount: NonNegativeAmount,
  /** Input VAT on the invoice, two decimals; absent is zero. */
  vat: NonNegativeAmount.optional(),
  supplier: Text,
  reference: Text,
  date: IsoDate,
});

/**
 * A payment to the supplier of a recorded cost: the cost is the one (or, where a reference was recorded more
 * than once, the ones) of the service and year with this reference. Booked 2440 against 1930 on its date.
 */
export const SupplierPaymentRecorded = z.object({
  serviceId: ServiceId,
  /** The cost year of the paid cost. */
  year: Year,
  /** The paid cost's reference (the supplier invoice's). */
  reference: Text,
  amount: NonNegativeAmount,
  date: IsoDate,
});

export const EnrolmentStarted = z.object({
  serviceId: ServiceId,
  enrolmentId: z.string().min(1),
  member: Orgnr,
  from: IsoDate,
  module: z.string().optional(),
  /** Municipalities enrolled through this enrolment (a federation or a joint committee); their populations add up. */
  covers: z.array(Kommunkod).optional(),
});

export const EnrolmentEnded = z.object({
  serviceId: ServiceId,
  enrolmentId: z.string().min(1),
  /** Last day in force. */
  to: IsoDate,
});

export const serviceEvents = {
  ServiceEstablished,
  CouncilBudgetDecided,
  ActualCostRecorded,
  SupplierPaymentRecorded,
  EnrolmentStarted,
  EnrolmentEnded,
} as const;
