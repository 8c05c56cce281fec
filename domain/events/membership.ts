import { z } from 'zod';
import { Amount, IsoDate, Kommunkod, NonNegativeAmount, Orgnr, Text, Year } from '../primitives';
import { TierBand } from '../tiers';

export const MemberKind = z.enum(['municipality', 'region', 'federation', 'organisation']);
export type MemberKind = z.infer<typeof MemberKind>;

export const PostalAddress = z.object({
  street: z.string().optional(),
  postalCode: z.string().optional(),
  city: z.string().optional(),
});

export const MemberJoined = z.object({
  member: Orgnr,
  kind: MemberKind,
  name: Text,
  /** Municipalities only. */
  kommunkod: Kommunkod.optional(),
  /** Federations: the municipalities the group covers (each has member status; the group pays). */
  covers: z.array(Kommunkod).optional(),
  date: IsoDate,
  decisionRef: Text,
  address: PostalAddress.optional(),
  /** True when the member had left before: the joining contribution is then the re-entry percentage. */
  rejoin: z.boolean(),
});

/**
 * The details a member's invoices are addressed with from now on: its postal address and the reference
 * it asks every invoice to carry ("Er referens"; Peppol's buyer reference, BT-10, which many municipal
 * inboxes route by). The event holds the whole result, not the change, so a fold just takes it.
 */
export const MemberDetailsChanged = z.object({
  member: Orgnr,
  /** When the member gave the details; invoices decided after this event carry them. */
  date: IsoDate,
  address: PostalAddress.optional(),
  invoiceReference: Text.optional(),
});

export const MemberLeft = z.object({
  member: Orgnr,
  /** Effective date: the last day of membership. */
  date: IsoDate,
  reason: Text,
  decisionRef: z.string().optional(),
});

export const PopulationRow = z.object({ code: Kommunkod, name: Text, population: z.number().int().nonnegative() });

/** One official table: SCB folkmängd at `referenceDate` (31 December of `year`). */
export const PopulationRecorded = z.object({
  year: Year,
  referenceDate: IsoDate,
  source: Text,
  rows: z.array(PopulationRow).min(1),
});

export const FeeTier = TierBand.extend({ joiningContribution: NonNegativeAmount, annualFee: NonNegativeAmount });
export type FeeTier = z.infer<typeof FeeTier>;

export const FeeScheduleAdopted = z.object({
  year: Year,
  decisionRef: Text,
  decidedOn: IsoDate,
  tiers: z.array(FeeTier).min(1),
  /** 'from-entry-month': a new member's first-year fee counts the months from the month of entry. */
  firstYear: z.enum(['from-entry-month', 'full-year']),
  /** Percentage of the ordinary joining contribution paid by a member that left and rejoins. */
  reentryPercent: z.number().int().min(0).max(100),
  source: z.string().optional(),
});

export const LevyTier = TierBand.extend({ amount: NonNegativeAmount });
export const ExtraLevyDecided = z.object({
  year: Year,
  levyId: z.string().regex(/^[a-z0-9-]+$/),
  purpose: Text,
  decisionRef: Text,
  decidedOn: IsoDate,
  tiers: z.array(LevyTier).min(1),
});

export const membershipEvents = {
  MemberJoined,
  MemberLeft,
  MemberDetailsChanged,
  PopulationRecorded,
  FeeScheduleAdopted,
  ExtraLevyDecided,
} as const;

export type MemberJoined = z.infer<typeof MemberJoined>;
export type MemberLeft = z.infer<typeof MemberLeft>;
export type MemberDetailsChanged = z.infer<typeof MemberDetailsChanged>;
export type PopulationRecorded = z.infer<typeof PopulationRecorded>;
export type FeeScheduleAdopted = z.infer<typeof FeeScheduleAdopted>;
export type ExtraLevyDecided = z.infer<typeof ExtraLevyDecided>;
export { Amount };
