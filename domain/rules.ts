import { z } from 'zod';
import type { ServiceSplit } from '../projections/splits';
import { amountString } from './money';
import type { PricingRule, TieBreak } from './pricing';
import type { YearlySpread } from './proration';

/*
 * The version of the billing rules a document is decided by. A replay decides every document again and
 * must get its bytes back, so a rule is never changed in place: a change is a new version, each run and
 * settlement records the version it was decided by (`rules` in its origin's params), and a replay decides
 * it again by that version. Documents that record none were decided by version 1, which predates the field.
 *
 * 1. The first rules.
 * 2. A price-list service's a-conto and settlement lines state what its cost is, the sum of the yearly
 *    prices of its participants' months, where version 1 wrote a budget × overhead that a price list does
 *    not have ("cost = budget 0.00 × (1 + 0.05) = 1339166.61").
 * 3. A credit note that leaves nothing of its invoice's lines (the last of a line-by-line crediting) takes
 *    the VAT that remains of the invoice at each rate, where earlier versions rounded its own: the sum of
 *    the notes' VAT could then pass the invoice's by an öre (and the last credit was refused), or fall
 *    short of it (and an öre stayed open). Credit notes record their rules from this version on. And
 *    dates are checked: a run, settlement or credit note dated in a closed year is refused (it would
 *    change that year's books), a credit note dated before its invoice, and a run or settlement that would
 *    issue invoices dated before an invoice its series already has. Documents decided by earlier versions
 *    were decided without these checks and replay so.
 * 4. A participant's fixed yearly amount (a price-list price, the base of base-plus-per-capita) is spread
 *    over the months by cumulative rounding (domain/proration.ts#cumulativeMonthlyAmounts), where earlier
 *    versions handed the odd öre to the first months: a member in force April–December of a 16 000 kr
 *    price was billed 11 999,98 kr, not 12 000,00. A year billed partly by version 3 and partly by 4 can
 *    differ from either by an öre a month; its year-end settlement, by the rules it is run by, evens it out.
 *    And a run bills every item of its year due by the end of its period and not billed yet, where earlier
 *    versions billed only those due within it: an enrolment or a join recorded after its month's run was
 *    never billed a conto (domain/billing/due.ts#dueBy).
 * 5. A member that leaves and rejoins within a year pays the year's annual fee once, counted from its first
 *    period in the year, and a joining contribution for each entry in the year (projections/fees.ts#
 *    periodsOfYear). Earlier versions counted the fee from the latest period, so the fee report disagreed
 *    with the invoices, and a member that joined and rejoined in one year was never billed the re-entry.
 *    And a share's basis names each month's denominator where they differ (projections/splits.ts#
 *    basisByMonth), where earlier versions gave the last month's alone. And the odd öre of a month among
 *    equal remainders go by municipality code, then enrolment id (domain/pricing.ts#SplitParticipant.tie),
 *    where they went by enrolment id: a what-if adding a municipality knows its code, not the id its
 *    enrolment will get, and its figures now fall to the öre as the bill's.
 * 6. A federation's enrolment covering one municipality is named "(1 kommun)" on its lines, where earlier
 *    versions wrote "(1 kommuner)" (projections/splits.ts#participantName).
 * 7. The odd öre of a month among equal remainders start where the month's place turns them to (k odd öre
 *    in month m from place (m − 1) × k in the order of version 5, wrapping: domain/allocation.ts#
 *    turnOffset), where earlier versions gave them to the same first members every month: two members
 *    sharing 100,10 kr a year equally were billed 50,06 and 50,04 kr, and are now billed 50,05 each.
 * 8. A settlement line says "fakturerat netto hittills" for what it counts as billed, where earlier versions
 *    said "fakturerat a conto" of an amount that also takes off credit notes and earlier settlements.
 * 9. A credit note is dated no earlier than the latest note of its series (MK, TK), as an invoice is in its
 *    series since version 3: a settlement dated 2025-01-22 run after one dated 2025-01-24 gave TK2024-0048 an
 *    earlier date than TK2024-0047. And a run is dated no earlier than the decisions it bills by (the budget
 *    in force of each service it bills a conto, the year's fee schedule, a levy): a run recorded late and
 *    dated back across a budget revision billed by the revision under a date before it was decided.
 *    Documents decided by earlier versions replay without these checks.
 * 10. A run bills nothing of a membership that begins after its issue date (domain/billing/join-hold.ts): a
 *    Q1 run dated 2024-01-15 billed a member joining on 2024-03-01 its fee and March's a conto, on invoices
 *    dated before it was a member. Those items stay due and the first run dated on or after the join bills
 *    them; `year close` refuses while they are unbilled. And documents are issued only in the name of a
 *    seller with an address and its own VAT number, at a Swedish VAT rate, and a settlement at the rate of
 *    the invoices it adjusts (domain/billing/seller.ts). And an extra levy is not billed to a member whose
 *    membership of the year ended before the levy was decided (projections/fees.ts).
 * 11. A fee already billed is billed again by what it is short of: the fee the stored facts now give less
 *    what its lines bill net of credit notes, on an adjustment line with a due key of its own
 *    (domain/billing/due.ts#membershipDue). Earlier versions billed a fee's due key once: after an SCB table
 *    was corrected or a schedule adopted again for an invoiced year, or a fee line credited, the fee report
 *    and the invoices disagreed for good. A fee billed beyond what the fees give is credited by hand (a
 *    whole line, after which the run bills the fee as it is), and `year close` refuses until it is.
 *    And a month's odd öre among equal remainders turn within the participants that tie for them
 *    (domain/allocation.ts#Turn), where version 7 turned them over every participant: four members of
 *    equal weight among eight sharing 10,07 kr a month were billed 8 öre apart over a year, and are now
 *    billed alike. An equal split, where every remainder ties, is split as by version 7.
 *    And a run holds a membership that begins after its issue date for all of the run's year, not only
 *    within the run's period (domain/billing/join-hold.ts#joinsAfterRun): a service billed yearly in
 *    advance is due by January, and version 10 billed its year to a member joining in May on a Q1 run
 *    dated 10 January; and it holds a re-entry later in the year of a member on the run's date, which
 *    version 10 billed (a re-entry contribution of 20 June on a run dated 10 April).
 */
export const RULES_VERSION = 11;

export const RulesVersion = z.number().int().min(1).max(RULES_VERSION);

/** What a version breaks ties among equal remainders by (domain/pricing.ts#TieBreak). */
export const tieBreakOf = (rules: number): TieBreak => (rules >= 11 ? 'member-group-turning' : rules >= 7 ? 'member-turning' : rules >= 5 ? 'member' : 'key');

/** How a version spreads a participant's fixed yearly amount over the months. */
export const yearlySpreadOf = (rules: number): YearlySpread => (rules >= 4 ? 'cumulative' : 'largest-remainder');

/** The rules version a document was decided by: the one its origin records, or 1 (before the field). */
export const rulesOfOrigin = (origin: { params: Record<string, unknown> }): number => (typeof origin.params.rules === 'number' ? origin.params.rules : 1);

/**
 * The rules version a settlement (ServiceSettled) was decided by, or a year closed under (YearClosed): the
 * one it records (both do from version 4 on), or, for one that records none, 3, which splits as every
 * version before 4 does (splits differ from version 4 on only).
 */
export const recordedRules = (event: { rules?: number }): number => event.rules ?? 3;

/** Commands whose documents depend on the rules version. */
const RULED = new Set(['invoice.run', 'settlement.run', 'invoice.credit']);

/**
 * The version a run or settlement is decided by (the current one unless it names one), and the params its
 * documents' origin records: the command's, with that version, but none for version 1 (as before the field).
 */
export function decidedBy<C extends { type: string; rules?: number }>(c: C): { rules: number; params: Omit<C, 'type' | 'rules'> & { rules?: number } } {
  const rules = c.rules ?? RULES_VERSION;
  const { type: _t, rules: _r, ...rest } = c;
  return { rules, params: { ...rest, ...(rules === 1 ? {} : { rules }) } };
}

/** The command a document's origin records, as a replay decides it again: by the rules it was decided by. */
export function commandInputOf(origin: { command: string; params: Record<string, unknown> }): Record<string, unknown> {
  const input: Record<string, unknown> = { type: origin.command, ...origin.params };
  if (RULED.has(origin.command) && input.rules === undefined) input.rules = 1;
  return input;
}

/**
 * The words stored on a split line for how its service's cost came about; `spread` adds how an a-conto
 * line's cost is spread over the year (a settlement's is not).
 */
export function costWords(
  kind: PricingRule['kind'],
  split: Pick<ServiceSplit, 'base' | 'overheadRate' | 'cost'>,
  basis: 'budget' | 'actual',
  rules: number,
  spread: boolean,
): string {
  if (kind === 'price-list' && rules >= 2) return `cost = each participant's yearly price for its months in force, together ${amountString(split.cost)}`;
  return `cost = ${basis} ${amountString(split.base)} × (1 + ${split.overheadRate.toString()}) = ${amountString(split.cost)}${spread ? ', spread evenly over 12 months' : ''}`;
}
