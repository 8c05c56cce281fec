import { z } from 'zod';
import { CommandAmount, CommandDate, Kommunkod, Orgnr, Text, Year } from '../primitives';
import { ExtraLevyDecided, FeeScheduleAdopted, FeeTier, LevyTier, MemberKind, PopulationRow, PostalAddress } from '../events/membership';

/** A member is named by its organisationsnummer, or a municipality by its kommunkod. */
export const MemberName = z.string().trim().min(1);

export const JoinMember = z.object({
  type: z.literal('member.join'),
  orgnr: Orgnr,
  kind: MemberKind,
  name: Text,
  kommunkod: Kommunkod.optional(),
  covers: z.array(Kommunkod).min(1).optional(),
  date: CommandDate,
  decisionRef: Text,
  address: PostalAddress.optional(),
});

export const LeaveMember = z.object({
  type: z.literal('member.leave'),
  member: MemberName,
  date: CommandDate,
  reason: Text,
  decisionRef: z.string().optional(),
});

/** New invoicing details for a member; what is not given stays as it was. */
export const ChangeMemberDetails = z.object({
  type: z.literal('member.details'),
  member: MemberName,
  date: CommandDate,
  address: PostalAddress.optional(),
  invoiceReference: Text.optional(),
});

export const ImportPopulation = z.object({
  type: z.literal('population.import'),
  source: Text,
  tables: z.array(z.object({ year: Year, referenceDate: CommandDate, rows: z.array(PopulationRow).min(1) })).min(1),
});

// Where a command records exactly what its event will hold, its schema is the event's plus the type, and
// its dates are held to a command's years (CommandDate), which the event's are not, and its amounts are
// written with two decimals (CommandAmount), which the event's are checked to have at most.
export const AdoptSchedule = FeeScheduleAdopted.extend({
  type: z.literal('schedule.adopt'), decidedOn: CommandDate,
  tiers: z.array(FeeTier.extend({ joiningContribution: CommandAmount, annualFee: CommandAmount })).min(1),
});
export const DecideLevy = ExtraLevyDecided.extend({ type: z.literal('levy.decide'), decidedOn: CommandDate, tiers: z.array(LevyTier.extend({ amount: CommandAmount })).min(1) });

export const membershipCommands = [JoinMember, LeaveMember, ChangeMemberDetails, ImportPopulation, AdoptSchedule, DecideLevy] as const;

export type JoinMember = z.infer<typeof JoinMember>;
export type LeaveMember = z.infer<typeof LeaveMember>;
export type ChangeMemberDetails = z.infer<typeof ChangeMemberDetails>;
export type ImportPopulation = z.infer<typeof ImportPopulation>;
export type AdoptSchedule = z.infer<typeof AdoptSchedule>;
export type DecideLevy = z.infer<typeof DecideLevy>;
