import type { DomainEvent } from './events';
import type {
  ExtraLevyDecided,
  FeeScheduleAdopted,
  MemberJoined,
  MemberKind,
  PopulationRecorded,
} from './events/membership';
import type { EventRef } from './event-ref';
import type { z } from 'zod';
import type { ActualCostRecorded, CouncilBudgetDecided, EnrolmentStarted, ServiceEstablished, SupplierPaymentRecorded } from './events/services';
import type { CreditNoteIssued, InvoiceIssued } from './events/billing';
import type { OpeningBalancesRecorded } from './events/books';
import Decimal from 'decimal.js';
import { assertNever } from './errors';
import { sum } from './money';
import { recordedRules } from './rules';

export interface MembershipPeriod {
  from: string;
  /** Last day of membership, absent while current. */
  to?: string;
  rejoin: boolean;
  decisionRef: string;
  joinedRef: EventRef;
  leftRef?: EventRef;
  leaveReason?: string;
}

export interface MemberState {
  orgnr: string;
  kind: MemberKind;
  name: string;
  kommunkod?: string;
  covers?: string[];
  address?: MemberJoined['address'];
  /** The reference the member asks its invoices to carry (MemberDetailsChanged). */
  invoiceReference?: string;
  periods: MembershipPeriod[];
}

export interface PopulationTable {
  table: PopulationRecorded;
  byCode: Map<string, number>;
  ref: EventRef;
}

export interface Adopted<T> {
  value: T;
  ref: EventRef;
}

export interface EnrolmentState {
  enrolmentId: string;
  serviceId: string;
  member: string;
  from: string;
  /** Last day in force, absent while open. */
  to?: string;
  module?: string;
  covers?: string[];
  startedRef: EventRef;
  endedRef?: EventRef;
}

/**
 * An enrolment as its EnrolmentStarted leaves it: open until an EnrolmentEnded. Enrolments are most of a
 * large history: they share the service's and the member's id strings instead of keeping each event's
 * own copies.
 */
export const startedEnrolment = (state: State, svc: ServiceState, d: z.infer<typeof EnrolmentStarted>, ref: EventRef): EnrolmentState => ({
  enrolmentId: d.enrolmentId, serviceId: svc.service.serviceId, member: state.members.get(d.member)?.orgnr ?? d.member,
  from: d.from, to: undefined, module: d.module, covers: d.covers, startedRef: ref, endedRef: undefined,
});

export interface ServiceState {
  service: z.infer<typeof ServiceEstablished>;
  ref: EventRef;
  /** Every council decision per year in order; the last is in force, the earlier stay as history. */
  budgets: Map<number, Adopted<z.infer<typeof CouncilBudgetDecided>>[]>;
  actualCosts: Map<number, Adopted<z.infer<typeof ActualCostRecorded>>[]>;
  /** Payments to the suppliers of the year's costs (each naming its cost's reference), in the order recorded. */
  supplierPayments: Map<number, Adopted<z.infer<typeof SupplierPaymentRecorded>>[]>;
  enrolments: Map<string, EnrolmentState>;
}

export interface PaymentState {
  amount: Decimal;
  date: string;
  reference: string;
  ref: EventRef;
  /** Recorded from a bank file's row (PaymentRecorded.fromBank): the bank's payment, not one typed by hand. */
  fromBank?: true;
  /** Set by a PaymentReversed: from its date on, the payment counts for nothing (paymentStands below). */
  reversed?: { date: string; reason: string; ref: EventRef; amount: Decimal };
}

export interface InvoiceState {
  invoice: InvoiceIssued;
  ref: EventRef;
  /** Net amount credited per line number, by credit notes. */
  creditedNet: Map<number, Decimal>;
  /** Gross (incl. VAT) credited in total: the parts of `creditNotes` this invoice carries. */
  creditedGross: Decimal;
  /** The credit notes that credit this invoice, in order: their numbers. */
  creditNotes: string[];
  /** Per credit note, the part of its gross this invoice carries (all of it but for a settlement's, spread). */
  creditParts: Map<string, Decimal>;
  /**
   * Each change to those parts with the day it took effect: a note's issue date, and a correction's for a
   * part it moved on. What was open on a past day counts the changes up to it, not the parts as they are now.
   */
  creditChanges: { date: string; amount: Decimal }[];
  payments: PaymentState[];
  /** Money paid back to the member out of the invoice's credit, in the order recorded. */
  refunds: RefundState[];
}

export interface RefundState {
  amount: Decimal;
  date: string;
  reference: string;
  reason: string;
  ref: EventRef;
}

export interface BillingYear {
  year: number;
  invoices: Map<string, InvoiceState>;
  creditNotes: Map<string, Adopted<CreditNoteIssued>>;
  /** Last sequence number used per series: numbering continues from here, with no gap. */
  sequences: Map<string, number>;
  /** Every due key already billed, with where: a run never bills one twice. */
  billedKeys: Map<string, { invoice: string; lineNo: number }>;
  /**
   * The a-conto due keys among them by service and billing period (`serviceId/label`): the enrolments
   * billed. A run late in the year asks of every earlier period whether anything in it is unbilled, and a
   * due key spelt out per enrolment and period to look up was most of its time.
   */
  billedEnrolments: Map<string, Set<string>>;
  settled: Map<string, EventRef[]>;
  /** Per service, the rules version its latest settlement of the year was decided by (rules.ts#recordedRules). */
  settledBy: Map<string, number>;
  closed?: Adopted<{ year: number; date: string; rules?: number }>;
}

/**
 * Everything the deciders and projections need, folded from the events. `evolve` updates it in place
 * and returns it (a full replay of a national history would otherwise copy maps a million times); a
 * what-if simulation folds its own copy and never shares one with the live state.
 */
export interface State {
  members: Map<string, MemberState>;
  /** kommunkod → orgnr of the municipality member that carries it. */
  byKommunkod: Map<string, string>;
  /** SCB tables by the year their figures refer to (31 December); a later table for a year replaces it. */
  populations: Map<number, PopulationTable>;
  schedules: Map<number, Adopted<FeeScheduleAdopted>>;
  levies: Map<number, Map<string, Adopted<ExtraLevyDecided>>>;
  services: Map<string, ServiceState>;
  billing: Map<number, BillingYear>;
  /** Invoice or credit note number → the billing year that holds it. */
  documentYear: Map<string, number>;
  /** The balances the books open with in their first year, when recorded: the latest set, corrected or not. */
  openingBalances?: Adopted<OpeningBalancesRecorded>;
  /** Reversals that undo no payment of their invoice, or one already reversed: only a forged log holds them. */
  unmatchedReversals?: EventRef[];
  /** The sets corrected since, oldest first, each with why it was replaced and by which event. */
  replacedOpeningBalances?: { value: OpeningBalancesRecorded; ref: EventRef; reason: string; replacedBy: EventRef }[];
}

export const initialState = (): State => ({
  members: new Map(),
  byKommunkod: new Map(),
  populations: new Map(),
  schedules: new Map(),
  levies: new Map(),
  services: new Map(),
  billing: new Map(),
  documentYear: new Map(),
});

/** The services a year's invoices bill (a-conto or settlement lines): what its close requires settled. */
export function servicesBilledIn(b: BillingYear | undefined): Set<string> {
  const billed = new Set<string>();
  for (const inv of b?.invoices.values() ?? []) for (const l of inv.invoice.lines) if (l.serviceId) billed.add(l.serviceId);
  return billed;
}

export function billingYear(state: State, year: number): BillingYear {
  let b = state.billing.get(year);
  if (!b) {
    b = { year, invoices: new Map(), creditNotes: new Map(), sequences: new Map(), billedKeys: new Map(), billedEnrolments: new Map(), settled: new Map(), settledBy: new Map() };
    state.billing.set(year, b);
  }
  return b;
}

export const pushTo = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** The invoice numbered `n`, in whichever billing year holds it, or undefined. */
export const invoiceOf = (state: State, n: string): InvoiceState | undefined => state.billing.get(state.documentYear.get(n) ?? -1)?.invoices.get(n);

/** The credit note numbered `n`, in whichever billing year holds it, or undefined. */
export const creditNoteOf = (state: State, n: string): CreditNoteIssued | undefined => state.billing.get(state.documentYear.get(n) ?? -1)?.creditNotes.get(n)?.value;

/**
 * Whether a payment counts in what is paid of its invoice at the end of the day `at`: made by then and not
 * reversed by then. Without a date, as everything recorded stands (a reversal is never dated after today).
 */
export const paymentStands = (p: PaymentState, at?: string): boolean =>
  (at === undefined ? p.reversed === undefined : p.date <= at && (p.reversed === undefined || p.reversed.date > at));

export const paidOf = (inv: InvoiceState, at?: string): Decimal => sum(inv.payments.filter((p) => paymentStands(p, at)).map((p) => p.amount));

/** What was paid back to the member of an invoice's credit by the end of the day `at` (all of it without a date). */
export const refundedOf = (inv: InvoiceState, at?: string): Decimal => sum(inv.refunds.filter((r) => at === undefined || r.date <= at).map((r) => r.amount));

/**
 * What is still unpaid of an invoice: its total less its credit notes' parts and its payments that stand,
 * plus what was paid back of its credit. Negative: the member's credit.
 */
export const openBalance = (inv: InvoiceState): Decimal => new Decimal(inv.invoice.total).minus(inv.creditedGross).minus(paidOf(inv)).plus(refundedOf(inv));

/**
 * What a payment with the value date `date` could pay of an invoice without paying too much: what is open
 * now, plus what credit notes issued after that day have taken off since. A member that paid the whole
 * invoice before a credit note was issued paid what it owed on the day; the credit is the association's to
 * pay back, not the member's mistake. Never more than was open on that day by the payments that stand now:
 * a credit refunded since raises what is open now, and a second payment of an invoice paid in full before the
 * credit note was taken as due. (A payment reversed since, a wrong amount typed, never paid anything.)
 */
export function payableOn(inv: InvoiceState, date: string): Decimal {
  const open = openBalance(inv);
  const creditedSince = sum(inv.creditChanges.filter((c) => c.date > date).map((c) => c.amount));
  const paid = sum(inv.payments.filter((p) => paymentStands(p) && p.date <= date).map((p) => p.amount));
  const openThen = new Decimal(inv.invoice.total).minus(creditedBy(inv, date)).minus(paid).plus(refundedOf(inv, date));
  return Decimal.min(openThen, Decimal.max(open, open.plus(creditedSince)));
}

/** What was unpaid of an invoice at the end of the day `at`: the credit notes, payments and refunds dated by then. */
export function openBalanceAt(inv: InvoiceState, at: string): Decimal {
  return new Decimal(inv.invoice.total).minus(creditedBy(inv, at)).minus(paidOf(inv, at)).plus(refundedOf(inv, at));
}

/** What credit notes had taken off an invoice by the end of the day `at`. */
const creditedBy = (inv: InvoiceState, at: string): Decimal => sum(inv.creditChanges.filter((c) => c.date <= at).map((c) => c.amount));

/** Adds `amount` (negative: takes it back) to the part of credit note `note` that `inv` carries, from `date`. */
function movePart(inv: InvoiceState, note: string, amount: Decimal, date: string): void {
  const part = (inv.creditParts.get(note) ?? new Decimal(0)).plus(amount);
  inv.creditedGross = inv.creditedGross.plus(amount);
  inv.creditChanges.push({ date, amount });
  if (part.isZero()) {
    inv.creditParts.delete(note);
    const at = inv.creditNotes.indexOf(note);
    if (at >= 0) inv.creditNotes.splice(at, 1);
  } else {
    if (!inv.creditParts.has(note)) inv.creditNotes.push(note);
    inv.creditParts.set(note, part);
  }
}

/**
 * After a correction note credits an invoice that carries part of a settlement's credit, the invoice can
 * be credited beyond its total while the settlement's other invoices are open (an a-conto invoice credited
 * whole after its year was settled): so much of the settlement's part moves to them, in the order the
 * settlement names them, as much as each has unpaid. The member's total is the same either way.
 */
function moveSettlementParts(state: State, inv: InvoiceState, date: string): void {
  let excess = openBalance(inv).neg();
  for (const number of [...inv.creditNotes].reverse()) {
    if (!excess.gt(0)) return;
    const note = creditNoteOf(state, number);
    if (note?.kind !== 'settlement') continue;
    for (const other of note.credits) {
      const target = other === inv.invoice.number ? undefined : invoiceOf(state, other);
      const part = inv.creditParts.get(number);
      if (!target || !part || !excess.gt(0)) continue;
      const move = Decimal.min(excess, part, Decimal.max(openBalance(target), 0));
      if (!move.gt(0)) continue;
      movePart(inv, number, move.neg(), date);
      movePart(target, number, move, date);
      excess = excess.minus(move);
    }
  }
}

export function evolve(state: State, event: DomainEvent, ref: EventRef): State {
  switch (event.type) {
    case 'MemberJoined': {
      const d = event.data;
      const existing = state.members.get(d.member);
      const period: MembershipPeriod = { from: d.date, rejoin: d.rejoin, decisionRef: d.decisionRef, joinedRef: ref };
      if (existing) {
        Object.assign(existing, { kind: d.kind, name: d.name, kommunkod: d.kommunkod, covers: d.covers, address: d.address });
        existing.periods.push(period);
      } else {
        state.members.set(d.member, {
          orgnr: d.member, kind: d.kind, name: d.name, kommunkod: d.kommunkod, covers: d.covers, address: d.address, periods: [period],
        });
      }
      if (d.kommunkod) state.byKommunkod.set(d.kommunkod, d.member);
      return state;
    }
    case 'MemberLeft': {
      const m = state.members.get(event.data.member);
      const current = m?.periods[m.periods.length - 1];
      if (current && current.to === undefined) {
        current.to = event.data.date;
        current.leftRef = ref;
        current.leaveReason = event.data.reason;
      }
      return state;
    }
    case 'MemberDetailsChanged': {
      const m = state.members.get(event.data.member);
      if (m) {
        m.address = event.data.address;
        m.invoiceReference = event.data.invoiceReference;
      }
      return state;
    }
    case 'PopulationRecorded': {
      const byCode = new Map(event.data.rows.map((r) => [r.code, r.population] as const));
      state.populations.set(event.data.year, { table: event.data, byCode, ref });
      return state;
    }
    case 'FeeScheduleAdopted':
      state.schedules.set(event.data.year, { value: event.data, ref });
      return state;
    case 'ExtraLevyDecided': {
      const ofYear = state.levies.get(event.data.year) ?? new Map<string, Adopted<ExtraLevyDecided>>();
      ofYear.set(event.data.levyId, { value: event.data, ref });
      state.levies.set(event.data.year, ofYear);
      return state;
    }
    case 'ServiceEstablished':
      state.services.set(event.data.serviceId, { service: event.data, ref, budgets: new Map(), actualCosts: new Map(), supplierPayments: new Map(), enrolments: new Map() });
      return state;
    case 'CouncilBudgetDecided': {
      const svc = state.services.get(event.data.serviceId);
      if (svc) pushTo(svc.budgets, event.data.year, { value: event.data, ref });
      return state;
    }
    case 'ActualCostRecorded': {
      const svc = state.services.get(event.data.serviceId);
      if (svc) pushTo(svc.actualCosts, event.data.year, { value: event.data, ref });
      return state;
    }
    case 'SupplierPaymentRecorded': {
      const svc = state.services.get(event.data.serviceId);
      if (svc) pushTo(svc.supplierPayments, event.data.year, { value: event.data, ref });
      return state;
    }
    case 'EnrolmentStarted': {
      const d = event.data;
      const svc = state.services.get(d.serviceId);
      if (svc) svc.enrolments.set(d.enrolmentId, startedEnrolment(state, svc, d, ref));
      return state;
    }
    case 'EnrolmentEnded': {
      const e = state.services.get(event.data.serviceId)?.enrolments.get(event.data.enrolmentId);
      if (e) {
        e.to = event.data.to;
        e.endedRef = ref;
      }
      return state;
    }
    case 'InvoiceIssued': {
      const inv = event.data;
      const b = billingYear(state, inv.year);
      b.invoices.set(inv.number, { invoice: inv, ref, creditedNet: new Map(), creditedGross: new Decimal(0), creditNotes: [], creditParts: new Map(), creditChanges: [], payments: [], refunds: [] });
      b.sequences.set(inv.series, inv.sequence);
      for (const l of inv.lines) {
        b.billedKeys.set(l.dueKey, { invoice: inv.number, lineNo: l.lineNo });
        const billed = aContoKey(l.dueKey);
        if (billed) {
          // The enrolment's own id where the state holds it, not the slice of the due key: every run looks its
          // enrolments up in these sets for each period due by it (billing/due.ts#serviceDue), and V8 compares
          // the same string by identity where it compares a slice character by character (five times slower).
          const id = (l.serviceId === undefined ? undefined : state.services.get(l.serviceId)?.enrolments.get(billed.enrolmentId)?.enrolmentId) ?? billed.enrolmentId;
          const set = b.billedEnrolments.get(billed.period);
          if (set) set.add(id);
          else b.billedEnrolments.set(billed.period, new Set([id]));
        }
      }
      state.documentYear.set(inv.number, inv.year);
      return state;
    }
    case 'CreditNoteIssued': {
      const cn = event.data;
      const b = billingYear(state, cn.year);
      b.creditNotes.set(cn.number, { value: cn, ref });
      b.sequences.set(cn.series, cn.sequence);
      state.documentYear.set(cn.number, cn.year);
      for (const l of cn.lines) {
        if (!l.credits) continue;
        const inv = invoiceOf(state, l.credits.invoice);
        if (inv) inv.creditedNet.set(l.credits.lineNo, (inv.creditedNet.get(l.credits.lineNo) ?? new Decimal(0)).plus(l.amount));
      }
      // The gross credit goes to the invoices it names, in the order named, each taking what is still unpaid
      // of it, and the last the rest: a settlement's credit of a member's year (its invoices, latest first)
      // used to be carried by the first alone, which was left below zero while the others stayed open, so a
      // reminder named an overdue invoice beside a credit on another. A correction names one invoice.
      const named = cn.credits.map((n) => invoiceOf(state, n)).filter((i): i is InvoiceState => i !== undefined);
      let rest = new Decimal(cn.total);
      named.forEach((inv, i) => {
        const part = i === named.length - 1 ? rest : Decimal.min(rest, Decimal.max(openBalance(inv), 0));
        if (part.isZero()) return;
        movePart(inv, cn.number, part, cn.issueDate);
        rest = rest.minus(part);
      });
      if (cn.kind === 'correction' && named.length === 1) moveSettlementParts(state, named[0], cn.issueDate);
      return state;
    }
    case 'PaymentRecorded': {
      const inv = invoiceOf(state, event.data.invoice);
      inv?.payments.push({ amount: new Decimal(event.data.amount), date: event.data.date, reference: event.data.reference, ref, ...(event.data.fromBank ? { fromBank: true } : {}) });
      return state;
    }
    case 'PaymentReversed': {
      const inv = invoiceOf(state, event.data.invoice);
      const payment = inv?.payments.find((p) => p.ref.eventId === event.data.payment);
      if (payment && !payment.reversed) payment.reversed = { date: event.data.date, reason: event.data.reason, ref, amount: new Decimal(event.data.amount) };
      // None the decider would have stored (a payment not on its invoice, reversed twice): verify names it.
      else state.unmatchedReversals = [...(state.unmatchedReversals ?? []), ref];
      return state;
    }
    case 'RefundPaid': {
      const d = event.data;
      invoiceOf(state, d.invoice)?.refunds.push({ amount: new Decimal(d.amount), date: d.date, reference: d.reference, reason: d.reason, ref });
      return state;
    }
    case 'ServiceSettled': {
      const b = billingYear(state, event.data.year);
      b.settled.set(event.data.serviceId, [...(b.settled.get(event.data.serviceId) ?? []), ref]);
      b.settledBy.set(event.data.serviceId, recordedRules(event.data));
      return state;
    }
    case 'YearClosed':
      billingYear(state, event.data.year).closed = { value: event.data, ref };
      return state;
    case 'OpeningBalancesRecorded':
      state.openingBalances = { value: event.data, ref };
      return state;
    case 'OpeningBalancesCorrected': {
      const { reason, ...value } = event.data;
      const replaced = state.openingBalances;
      if (replaced) state.replacedOpeningBalances = [...(state.replacedOpeningBalances ?? []), { ...replaced, reason, replacedBy: ref }];
      state.openingBalances = { value, ref };
      return state;
    }
    default:
      return assertNever(event);
  }
}

/** True when an enrolment or a membership period is in force on at least one day from `first` to `last` (ISO dates, inclusive). */
export const inForceBetween = (e: { from: string; to?: string }, first: string, last: string): boolean => e.from <= last && (e.to === undefined || e.to >= first);

/** True when an enrolment (taking part in that year's split) or a membership period is in force on at least one day of `year`. */
export const inForceDuringYear = (e: { from: string; to?: string }, year: number): boolean => inForceBetween(e, `${year}-01-01`, `${year}-12-31`);

/**
 * An enrolment that takes part in a year's split: in force on some day of the year, and not withdrawn (ended
 * the day before it began, in force on no day: no participant, nor counted in a tier's average).
 */
export const takesPartInYear = (e: { from: string; to?: string }, year: number): boolean =>
  inForceDuringYear(e, year) && (e.to === undefined || e.to >= e.from);

/** The membership period in force on `date`, if any. */
export function periodOn(m: MemberState, date: string): MembershipPeriod | undefined {
  return m.periods.find((p) => p.from <= date && (p.to === undefined || date <= p.to));
}

export const isCurrentMember = (m: MemberState): boolean => m.periods[m.periods.length - 1]?.to === undefined;

/** A service's billing period as BillingYear.billedEnrolments keys it. */
export const aContoPeriod = (serviceId: string, label: string): string => `${serviceId}/${label}`;

/** The due key of an enrolment's a-conto item for a billing period: what a run bills once (domain/billing/due.ts). */
export const aContoDueKey = (serviceId: string, label: string, enrolmentId: string): string => `svc/${aContoPeriod(serviceId, label)}/${enrolmentId}`;

/** A membership fee line's due key: its year, member and the fee's own key (projections/fees.ts#FeeLine.key). */
export const feeDueKey = (year: number, member: string, key: string): string => `fee/${year}/${member}/${key}`;

/**
 * An a-conto due key (aContoDueKey) as its service and period (aContoPeriod) and enrolment; undefined for
 * any other key. Service ids and labels hold no slash; whatever follows the third is the enrolment's id.
 */
export function aContoKey(dueKey: string): { period: string; enrolmentId: string } | undefined {
  if (!dueKey.startsWith('svc/')) return undefined;
  const a = dueKey.indexOf('/', 4);
  const b = a < 0 ? -1 : dueKey.indexOf('/', a + 1);
  return b < 0 ? undefined : { period: dueKey.slice(4, b), enrolmentId: dueKey.slice(b + 1) };
}

