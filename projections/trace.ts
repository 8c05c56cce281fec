import { LINE_KIND_NAMES, MEMBER_KIND_NAMES } from '../domain/kind-words';
import Decimal from 'decimal.js';
import { billingPeriods } from '../domain/billing/periods';
import { DomainError } from '../domain/errors';
import { type EventRef, uniqueRefs } from '../domain/event-ref';
import type { DomainEvent } from '../domain/events';
import type { CreditNoteIssued, CreditNoteLine, InvoiceIssued, InvoiceLine } from '../domain/events/billing';
import { amountString, formatNumber, formatSek, grouped, isAmountString, parseAmount, roundOre, sum, ZERO } from '../domain/money';
import { populationFor, type PopulationUsed } from '../domain/population-rule';
import { monthlyAmounts, monthRanges, spreadOverMonths } from '../domain/proration';
import { type Adopted, creditNoteOf, evolve, inForceDuringYear, initialState, invoiceOf, type InvoiceState, type MembershipPeriod, type MemberState, type ServiceState, type State } from '../domain/state';
import { bandOf } from '../domain/tiers';
import { sharesByInhabitants } from '../domain/pricing';
import { adjustedFeeKey, billedFees, billedFeeWords } from './fees';
import { computeSplit, costBase, type CostBasis, reportingTiersFor, type ServiceSplit, type SplitInput, splitInputs } from './splits';
import { rulesOfOrigin, yearlySpreadOf } from '../domain/rules';

/*
 * The auditor's trace: any line of any invoice or credit note, back to the events its amount came from.
 * Each line's amount is derived a second time from the state just before its document (the figures,
 * the rule, the participants of each month's split) and compared with the stored amount. Everything
 * here is a string or an EventRef, so a trace is JSON as it stands.
 */

/** A decision or record a line rests on, found through the line's references. */
export interface DecisionRef {
  /** fee schedule, extra levy, council budget, service, membership, actual cost, population table, enrolment, invoice */
  kind: string;
  /** The decision's own reference: the minutes, the annual meeting §, the supplier's invoice, the SCB source. */
  reference: string;
  date?: string;
  event: EventRef;
}

/** One input figure and the event it came from. */
export interface TraceFigure {
  name: string;
  value: string;
  note?: string;
  event?: EventRef;
}

/** A node of the derivation tree: a value, how it is computed from its children, where it came from. */
export interface DerivationStep {
  label: string;
  value: string;
  formula?: string;
  event?: EventRef;
  children?: DerivationStep[];
}

export interface SplitParticipantTrace {
  key: string;
  member: string;
  name: string;
  band?: string;
  population: number | null;
  weight: string;
  share: string;
  /** True for the participant(s) the traced line bills. */
  thisLine: boolean;
  /** The enrolment that made it a participant. */
  event: EventRef;
}

/** One month of a split, recomputed, with every participant whose weight entered it. */
export interface SplitMonthTrace {
  month: number;
  /** A price list's month: nothing is divided, each participant pays a twelfth of its yearly price (its weight). */
  priceList: boolean;
  monthAmount: string;
  /** Σ weights as the split computes it now. */
  denominator: string;
  /** The denominator stored on the line (a-conto lines), null where the line stores none. */
  storedDenominator: string | null;
  /** Σ of the weights of the participants listed below. */
  weightSum: string;
  /** Σ weights = the split's denominator = the stored one (price lists have no denominator: 0 = 0). */
  weightsMatch: boolean;
  weight: string;
  share: string;
  storedWeight: string | null;
  storedShare: string | null;
  unallocated: string;
  /** Every participant of the month; absent where a trace names the month's table instead (`table`). */
  participants?: SplitParticipantTrace[];
  /**
   * The id of the month's participant table, where the trace was made with a SplitTableSink (an audit
   * package's splits.ndjson): the rows are stored once, not on every line whose split month they are.
   */
  table?: string;
}

/** A row of a split month's participant table: a participant as a line's trace lists it, less `thisLine`. */
export type SplitTableRow = Omit<SplitParticipantTrace, 'thisLine'>;

/**
 * Takes a split month's participant table and returns its id. An audit package of a national year would
 * otherwise list some 80 million participant rows (291 for every month of every a-conto line); with a sink
 * each line names the table, and the sink stores each distinct table once.
 */
export type SplitTableSink = (rows: readonly SplitTableRow[]) => string;

export interface CreditedLineTrace {
  invoice: string;
  lineNo: number;
  kind: string;
  description: string;
  amount: string;
  /** Already credited by earlier credit notes, before this one. */
  creditedBefore: string;
  provenance: { rule: string; basis: string; refs: EventRef[] };
  event: EventRef;
}

export interface BilledLineTrace {
  document: string;
  lineNo: number;
  kind: string;
  amount: string;
  credited: string;
  /** The credit notes that credited `credited` of the line, where any did. */
  creditedBy?: string[];
  /** What it counts as billed: amount − credited (negative for a settlement credit note). */
  net: string;
  event: EventRef;
}

/** The correction notes, of those `inv` carries, that credit its line `lineNo`. */
function notesCrediting(state: State, inv: InvoiceState, lineNo: number): string[] {
  return inv.creditNotes.filter((n) => creditNoteOf(state, n)?.lines.some((l) => l.credits?.invoice === inv.invoice.number && l.credits.lineNo === lineNo));
}

export interface SettlementTrace {
  actualShare: string;
  billed: string;
  difference: string;
  billedLines: BilledLineTrace[];
}

export interface LineTrace {
  document: {
    number: string;
    type: 'InvoiceIssued' | 'CreditNoteIssued';
    kind: string;
    year: number;
    issueDate: string;
    buyer: { orgnr: string; name: string };
    /** A credit note's reason, as it was issued with it. */
    reason?: string;
    event?: EventRef;
  };
  line: {
    lineNo: number;
    kind: string;
    description: string;
    amount: string;
    vatCategory: string;
    vatRate: string;
    serviceId?: string;
    enrolmentId?: string;
    dueKey?: string;
  };
  /** The rule applied, in words, from the recomputation. */
  rule: string;
  /** The provenance as stored on the line. */
  stored: { rule: string; basis: string; refs: EventRef[] };
  figures: TraceFigure[];
  decisions: DecisionRef[];
  derivation: DerivationStep;
  months?: SplitMonthTrace[];
  credited?: CreditedLineTrace;
  settlement?: SettlementTrace;
  amount: string;
  /** The amount derived again from the inputs above; null when it could not be. */
  recomputed: string | null;
  /** recomputed − amount. */
  difference: string | null;
  matches: boolean;
  /** Anything an auditor should look at: a reference the line lacks, a weight sum that differs, … */
  problems: string[];
}

type Doc = InvoiceIssued | CreditNoteIssued;
type AnyLine = InvoiceLine | CreditNoteLine;

const sek = (d: Decimal): string => formatSek(d);
/**
 * A weight, rate or quotient as the trace's own words print it: sv-SE, "9 578,9474", "0,05". A stored text
 * that is no number (an altered document, which the trace exists to show) is printed as it is.
 */
function svNumber(d: Decimal | string): string {
  try {
    return formatNumber(d);
  } catch {
    return String(d);
  }
}
const isInvoice = (doc: Doc): doc is InvoiceIssued => 'dueDate' in doc;

/** The kinds of event a reference can name a decision by, grouped as the lookup finds them (a membership by its join or leave). */
type DecisionGroup = 'schedule' | 'levy' | 'population' | 'membership' | 'service' | 'budget' | 'cost' | 'enrolment' | 'invoice';

const GROUP_OF_TYPE: Readonly<Record<string, DecisionGroup>> = {
  FeeScheduleAdopted: 'schedule', ExtraLevyDecided: 'levy', PopulationRecorded: 'population', MemberJoined: 'membership', MemberLeft: 'membership',
  ServiceEstablished: 'service', CouncilBudgetDecided: 'budget', ActualCostRecorded: 'cost', EnrolmentStarted: 'enrolment', EnrolmentEnded: 'enrolment',
  InvoiceIssued: 'invoice', CreditNoteIssued: 'invoice',
};

/** A decision or record the state holds, with the event it came from. */
interface HeldDecision {
  group: DecisionGroup;
  kind: string;
  reference: string;
  date?: string;
  stateRef: EventRef;
}

/** Every decision or record of a group in the state (all groups when none is given), in the state's order. */
function* heldDecisions(state: State, only?: DecisionGroup): Generator<HeldDecision> {
  const wants = (g: DecisionGroup) => only === undefined || only === g;
  const held = (group: DecisionGroup, kind: string, reference: string, stateRef: EventRef, date?: string): HeldDecision => ({ group, kind, reference, date, stateRef });
  if (wants('schedule')) for (const s of state.schedules.values()) yield held('schedule', 'avgiftsplan', s.value.decisionRef, s.ref, s.value.decidedOn);
  if (wants('levy')) for (const ofYear of state.levies.values()) for (const l of ofYear.values()) yield held('levy', 'extra utdebitering', l.value.decisionRef, l.ref, l.value.decidedOn);
  if (wants('population')) for (const p of state.populations.values()) yield held('population', 'befolkningstabell', p.table.source, p.ref, p.table.referenceDate);
  if (wants('membership')) {
    for (const m of state.members.values()) {
      for (const p of m.periods) {
        yield held('membership', 'medlemskap', `${m.name}: ${p.decisionRef}`, p.joinedRef, p.from);
        if (p.leftRef) yield held('membership', 'utträde', `${m.name}: ${p.leaveReason ?? ''}`, p.leftRef, p.to);
      }
    }
  }
  for (const svc of state.services.values()) {
    if (wants('service')) yield held('service', 'tjänst', `${svc.service.name}: ${svc.service.decisionRef}`, svc.ref, svc.service.date);
    if (wants('budget')) for (const list of svc.budgets.values()) for (const b of list) yield held('budget', 'förvaltningsrådets budget', b.value.minutesRef, b.ref, b.value.decidedOn);
    if (wants('cost')) for (const list of svc.actualCosts.values()) for (const c of list) yield held('cost', 'utfall', `${c.value.supplier} ${c.value.reference}`, c.ref, c.value.date);
    if (wants('enrolment')) {
      for (const e of svc.enrolments.values()) {
        yield held('enrolment', 'anslutning', `${svc.service.name} ${e.enrolmentId} från ${e.from}`, e.startedRef, e.from);
        if (e.endedRef) yield held('enrolment', 'anslutningen avslutad', `${svc.service.name} ${e.enrolmentId} till ${e.to}`, e.endedRef, e.to);
      }
    }
  }
  if (wants('invoice')) {
    for (const b of state.billing.values()) {
      for (const i of b.invoices.values()) yield held('invoice', 'faktura', i.invoice.number, i.ref, i.invoice.issueDate);
      // A fee's adjustment line names the credit notes that took the fee off (fees.ts#billedFees).
      for (const c of b.creditNotes.values()) yield held('invoice', 'kreditfaktura', c.value.number, c.ref, c.value.issueDate);
    }
  }
}

const decisionFound = (d: HeldDecision, ref: EventRef) => ({ decision: { kind: d.kind, reference: d.reference, date: d.date, event: ref }, stateRef: d.stateRef });

/** The decision or record behind one referenced event, looked up in the state by event id. */
export function decisionOf(state: State, ref: EventRef): { decision: DecisionRef; stateRef: EventRef } | undefined {
  const group = GROUP_OF_TYPE[ref.type];
  if (group === undefined) return undefined;
  for (const d of heldDecisions(state, group)) if (d.stateRef.eventId === ref.eventId) return decisionFound(d, ref);
  return undefined;
}

/** Every ref the recomputation used must be named on the line, with the same hash. */
function checkRefs(used: readonly EventRef[], stored: readonly EventRef[], problems: string[]): void {
  const byId = new Map(stored.map((r) => [r.eventId, r]));
  for (const u of used) {
    const s = byId.get(u.eventId);
    if (!s) problems.push(`raden hänvisar inte till ${u.type} ${u.streamId}@${u.revision}, som dess belopp beror på`);
    else if (s.hash !== u.hash || s.streamId !== u.streamId || s.revision !== u.revision)
      problems.push(`raden hänvisar till ${s.type} ${s.streamId}@${s.revision} med hash ${s.hash.slice(0, 12)}…, men händelsen är ${u.streamId}@${u.revision} med hash ${u.hash.slice(0, 12)}…`);
  }
}

interface Derived {
  rule: string;
  figures: TraceFigure[];
  derivation: DerivationStep;
  recomputed: Decimal;
  used: EventRef[];
  months?: SplitMonthTrace[];
  credited?: CreditedLineTrace;
  settlement?: SettlementTrace;
}

// ------------------------------------------------------------------------------------------ membership

/** The membership period the line was billed for: the one whose join event the line references. */
function periodOf(m: MemberState, refs: readonly EventRef[], year: number): MembershipPeriod {
  const ids = new Set(refs.map((r) => r.eventId));
  const byRef = m.periods.find((p) => ids.has(p.joinedRef.eventId));
  if (byRef) return byRef;
  const inYear = [...m.periods].reverse().find((p) => inForceDuringYear(p, year));
  if (!inYear) throw new DomainError(`${m.name} (${m.orgnr}) var inte medlem ${year}`);
  return inYear;
}

function populationStep(pop: PopulationUsed | null): DerivationStep {
  if (!pop) return { label: 'folkmängd', value: 'organisation', formula: 'en region eller organisation: organisationernas storleksklass' };
  return {
    label: 'folkmängd', value: grouped(pop.value),
    formula: `SCB folkmängd ${pop.referenceDate}${pop.codes.length > 1 ? `, summan för kommunkoderna ${pop.codes.join(', ')}` : ` (kommunkod ${pop.codes.join(', ')})`}`,
    event: pop.ref,
  };
}

function populationFigure(pop: PopulationUsed | null): TraceFigure {
  return pop
    ? { name: 'folkmängd', value: grouped(pop.value), note: `SCB ${pop.referenceDate} (${pop.source})${pop.codes.length > 1 ? `; summan för ${pop.codes.join(', ')}` : ''}`, event: pop.ref }
    : { name: 'folkmängd', value: 'organisation', note: 'ingen folkmängd: organisationernas storleksklass' };
}

function membershipLine(state: State, doc: Doc, line: AnyLine, kind: string): Derived {
  const year = doc.year;
  const m = state.members.get(doc.buyer.orgnr);
  if (!m) throw new DomainError(`${doc.buyer.orgnr} är inte medlem i tillståndet före ${doc.number}`);
  const adopted = state.schedules.get(year);
  if (!adopted) throw new DomainError(`ingen avgiftsplan för ${year} gällde före ${doc.number}`);
  const schedule = adopted.value;
  const period = periodOf(m, line.provenance.refs, year);
  const pop = populationFor(state, m, year);
  const subject = { organisation: pop === null, population: pop?.value ?? null };
  const tier = bandOf(schedule.tiers, subject);
  if (!tier) throw new DomainError(`avgiftsplanen ${year} har ingen storleksklass för ${m.name}`);
  const bounds = tier.organisation ? 'organisationer' : `${grouped(tier.min ?? 0)}–${tier.max === undefined ? '' : grouped(tier.max)}`;
  const figures: TraceFigure[] = [
    { name: 'medlem', value: `${m.name} (${m.orgnr})`, note: `${MEMBER_KIND_NAMES[m.kind]}, medlem från ${period.from}${period.rejoin ? ' (återinträde)' : ''}; beslut ${period.decisionRef}`, event: period.joinedRef },
    populationFigure(pop),
    { name: 'avgiftsplan', value: `${year}`, note: `${schedule.decisionRef}, beslutad ${schedule.decidedOn}`, event: adopted.ref },
    { name: 'storleksklass', value: `${tier.id} ${tier.label}`, note: bounds, event: adopted.ref },
  ];
  const tierStep: DerivationStep = { label: 'storleksklass', value: `${tier.id} (${tier.label})`, formula: `folkmängd ${bounds} enligt avgiftsplanen ${year}`, event: adopted.ref, children: [populationStep(pop)] };
  const used = [adopted.ref, period.joinedRef, ...(pop ? [pop.ref] : [])];

  if (kind === 'annual-fee') {
    const entryMonth = Number(period.from.slice(5, 7));
    const firstYear = period.from.slice(0, 4) === String(year);
    const months = firstYear && schedule.firstYear === 'from-entry-month' ? 13 - entryMonth : 12;
    const fee = new Decimal(tier.annualFee);
    const recomputed = roundOre(fee.mul(months).div(12));
    figures.push({ name: 'årsavgift', value: sek(fee), note: `storleksklass ${tier.id}`, event: adopted.ref });
    // An exit in the fee year known when the fee was billed: the year's fee is not reduced for it, which the
    // trace says beside the exit's event, so an auditor need not wonder why a member that left pays 12/12.
    const leftInYear = period.to !== undefined && period.to.slice(0, 4) === String(year) && period.leftRef !== undefined;
    const exit = leftInYear ? `; utträde ${period.to}: årsavgiften för utträdesåret sätts inte ned` : '';
    figures.push({ name: 'månader', value: `${months}/12`, note: `${months < 12 ? `inträde ${period.from}; första året räknas från inträdesmånaden` : 'helt år'}${exit}`, event: period.joinedRef });
    if (leftInYear) figures.push({ name: 'utträde', value: period.to as string, note: 'årsavgiften för utträdesåret sätts inte ned', event: period.leftRef as EventRef });
    return {
      rule: `årsavgift efter storleksklass: klass ${tier.id} (${tier.label}), ${sek(fee)} × ${months}/12`,
      figures, used, recomputed,
      derivation: {
        label: 'årsavgift', value: sek(recomputed), formula: `${sek(fee)} × ${months}/12, avrundat till öre`,
        children: [
          { label: 'årsavgift enligt avgiftsplan', value: sek(fee), formula: `storleksklass ${tier.id}`, event: adopted.ref, children: [tierStep] },
          { label: 'månader', value: `${months}/12`, formula: months < 12 ? `från inträdesmånaden (${period.from}) till december` : 'hela året', event: period.joinedRef },
        ],
      },
    };
  }
  if (kind === 'joining-contribution') {
    const pct = period.rejoin ? schedule.reentryPercent : 100;
    const contribution = new Decimal(tier.joiningContribution);
    const recomputed = roundOre(contribution.mul(pct).div(100));
    figures.push({ name: 'medlemsinsats', value: sek(contribution), note: `storleksklass ${tier.id}`, event: adopted.ref });
    figures.push({ name: 'procent', value: `${pct} %`, note: period.rejoin ? 'återinträde efter utträde' : 'första inträde', event: period.joinedRef });
    return {
      rule: `medlemsinsats efter storleksklass: klass ${tier.id} (${tier.label}), ${sek(contribution)} × ${pct} %`,
      figures, used, recomputed,
      derivation: {
        label: 'medlemsinsats', value: sek(recomputed), formula: `${sek(contribution)} × ${pct} %, avrundat till öre`,
        children: [
          { label: 'medlemsinsats enligt avgiftsplan', value: sek(contribution), formula: `storleksklass ${tier.id}`, event: adopted.ref, children: [tierStep] },
          { label: 'procent', value: `${pct} %`, formula: period.rejoin ? `återinträde: ${schedule.reentryPercent} % av den ordinarie insatsen` : 'första inträde: 100 %', event: period.joinedRef },
        ],
      },
    };
  }
  // levy: the levy the line names (by reference, or by its due key).
  const ids = new Set(line.provenance.refs.map((r) => r.eventId));
  const keyId = 'dueKey' in line ? /\/levy\/(.+)$/.exec(line.dueKey)?.[1] : undefined;
  const levy = [...(state.levies.get(year)?.values() ?? [])].find((l) => ids.has(l.ref.eventId) || l.ref.eventId === keyId);
  if (!levy) throw new DomainError(`den extra utdebiteringen på ${doc.number} rad ${line.lineNo} finns inte bland utdebiteringarna ${year}`);
  const band = bandOf(levy.value.tiers, subject);
  if (!band) throw new DomainError(`utdebiteringen ${levy.value.levyId} har ingen storleksklass för ${m.name}`);
  const recomputed = new Decimal(band.amount);
  figures.push({ name: 'extra utdebitering', value: levy.value.levyId, note: `${levy.value.purpose}; ${levy.value.decisionRef}, beslutad ${levy.value.decidedOn}`, event: levy.ref });
  figures.push({ name: 'utdebiteringens belopp', value: sek(recomputed), note: `storleksklass ${band.id} (${band.label})`, event: levy.ref });
  return {
    rule: `extra utdebitering ${levy.value.levyId} efter storleksklass: klass ${band.id} (${band.label}), ${sek(recomputed)}`,
    figures, used: [levy.ref, period.joinedRef, ...(pop ? [pop.ref] : [])], recomputed,
    derivation: {
      label: 'extra utdebitering', value: sek(recomputed), formula: `beloppet för storleksklass ${band.id} i utdebiteringen ${levy.value.levyId}`, event: levy.ref,
      children: [{ label: 'storleksklass', value: `${band.id} (${band.label})`, event: levy.ref, children: [populationStep(pop)] }],
    },
  };
}

/**
 * An adjustment line of a fee (rules 11): the fee as membershipLine derives it, less what the fee's lines
 * billed net of credit notes before the document, each named with its invoice.
 */
function feeAdjustmentLine(state: State, doc: Doc, line: InvoiceLine, feeKey: string): Derived {
  const fee = membershipLine(state, doc, { ...line, dueKey: feeKey }, line.kind);
  const billed = billedFees(state, doc.year).get(feeKey);
  const net = billed?.net ?? ZERO;
  const where = billed ? billedFeeWords(billed, sek) : 'inget fakturerat';
  const first = billed?.lines[0]?.ref;
  const recomputed = fee.recomputed.minus(net);
  return {
    rule: `tillägg: ${fee.rule}, med avdrag för det som redan fakturerats netto`,
    figures: [...fee.figures, { name: 'fakturerat netto', value: sek(net), note: where, ...(first && { event: first }) }],
    used: [...fee.used, ...(billed?.lines.map((l) => l.ref) ?? [])],
    recomputed,
    derivation: {
      label: 'tillägg', value: sek(recomputed), formula: `${sek(fee.recomputed)} enligt avgifterna − ${sek(net)} redan fakturerat netto`,
      children: [fee.derivation, { label: 'fakturerat netto', value: sek(net), formula: where, ...(first && { event: first }) }],
    },
  };
}

// ------------------------------------------------------------------------------------------ splits

const RULE_WORDS: Record<ServiceState['service']['pricing']['kind'], string> = {
  'equal': 'lika fördelning',
  'tier-weighted': 'fördelning viktad efter storleksklass',
  'per-capita': 'fördelning efter folkmängd',
  'base-plus-per-capita': 'fast grundbelopp och resten efter folkmängd',
  'price-list': 'prislista efter storleksklass',
};

const BASIS_WORDS: Record<CostBasis, string> = { budget: 'budget', actual: 'utfall' };

interface SplitContext {
  svc: ServiceState;
  basis: CostBasis;
  base: { base: Decimal; refs: EventRef[] };
  inputs: SplitInput[];
  split: ServiceSplit;
  /** The rules version the split was made by: the document's. */
  rules: number;
  /** Worked out on first use and kept with the context: the same for every line of the split. */
  byKey?: Map<string, ServiceSplit['participants'][number]>;
  inputByKey?: Map<string, SplitInput>;
  weightSums: Map<number, Decimal>;
  tables: Map<number, string>;
  /** Per month, each participant key's shares: a line's own shares without a pass over the month's. */
  sharesByKey: Map<number, Map<string, ServiceSplit['months'][number]['shares']>>;
  /** costSteps by the months it was asked for. */
  costs: Map<string, ReturnType<typeof costSteps>>;
}

function splitContext(state: State, serviceId: string, year: number, basis: CostBasis, rules: number): SplitContext {
  const svc = state.services.get(serviceId);
  if (!svc) throw new DomainError(`tjänsten ${serviceId} är inte inrättad i tillståndet före dokumentet`);
  const base = costBase(svc, year, basis);
  const inputs = splitInputs(state, svc, year, rules);
  return { svc, basis, base, inputs, split: computeSplit(svc, year, basis, base, inputs, reportingTiersFor(state, year), rules), rules, weightSums: new Map(), tables: new Map(), sharesByKey: new Map(), costs: new Map() };
}

/**
 * What a trace over many documents works out once instead of once per line. A split reads no document, and
 * neither do the decisions a line's references name: between two documents with only documents, payments,
 * settlements and year closes folded in between (the same DocumentAt.epoch), a service's split and the
 * state's decisions are the same. For a national year that is some 100 000 lines, each of which worked out
 * a split of 291 participants and searched every service's enrolments for each of its references.
 */
export class TraceCache {
  private epoch = -1;
  private readonly contexts = new Map<string, SplitContext>();
  private decisions: Map<string, HeldDecision> | undefined;
  /** Per year: each buyer's invoices and settlement credit notes, and the counts they were gathered at. */
  private readonly billed = new Map<number, { invoices: number; creditNotes: number; byBuyer: Map<string, BuyerDocuments> }>();

  private at(epoch: number): void {
    if (epoch === this.epoch) return;
    this.contexts.clear();
    this.decisions = undefined;
    this.epoch = epoch;
  }

  /** The split context for the state before a document of the given epoch. */
  split(state: State, serviceId: string, year: number, basis: CostBasis, rules: number, epoch: number): SplitContext {
    this.at(epoch);
    const key = `${serviceId}\u0000${year}\u0000${basis}\u0000${rules}`;
    let ctx = this.contexts.get(key);
    if (!ctx) {
      ctx = splitContext(state, serviceId, year, basis, rules);
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  /** decisionOf, from an index of the state's decisions; an invoice (which documents add) is looked up afresh. */
  decision(state: State, ref: EventRef, epoch: number): ReturnType<typeof decisionOf> {
    const group = GROUP_OF_TYPE[ref.type];
    if (group === undefined || group === 'invoice') return decisionOf(state, ref);
    this.at(epoch);
    if (!this.decisions) {
      this.decisions = new Map();
      for (const d of heldDecisions(state)) if (d.group !== 'invoice') this.decisions.set(d.stateRef.eventId, d);
    }
    const d = this.decisions.get(ref.eventId);
    return d !== undefined && d.group === group ? decisionFound(d, ref) : undefined;
  }

  /** A buyer's invoices and settlement credit notes of a year, in the state's order; the states themselves, so credits show as they are now. */
  billedTo(state: State, year: number, buyer: string): BuyerDocuments {
    const b = state.billing.get(year);
    if (!b) return { invoices: [], creditNotes: [] };
    let index = this.billed.get(year);
    if (!index || index.invoices !== b.invoices.size || index.creditNotes !== b.creditNotes.size) {
      index = { invoices: b.invoices.size, creditNotes: b.creditNotes.size, byBuyer: new Map() };
      for (const inv of b.invoices.values()) documentsOf(index.byBuyer, inv.invoice.buyer.orgnr).invoices.push(inv);
      for (const cn of b.creditNotes.values()) if (cn.value.kind === 'settlement') documentsOf(index.byBuyer, cn.value.buyer.orgnr).creditNotes.push(cn);
      this.billed.set(year, index);
    }
    return index.byBuyer.get(buyer) ?? { invoices: [], creditNotes: [] };
  }
}

interface BuyerDocuments {
  invoices: InvoiceState[];
  /** Settlement credit notes only: what a settlement counts as billed. */
  creditNotes: Adopted<CreditNoteIssued>[];
}

function documentsOf(byBuyer: Map<string, BuyerDocuments>, buyer: string): BuyerDocuments {
  let d = byBuyer.get(buyer);
  if (!d) {
    d = { invoices: [], creditNotes: [] };
    byBuyer.set(buyer, d);
  }
  return d;
}

/** A buyer's invoices and settlement credit notes of a year, found without a cache. */
function billedToAfresh(state: State, year: number, buyer: string): BuyerDocuments {
  const b = state.billing.get(year);
  return {
    invoices: [...(b?.invoices.values() ?? [])].filter((inv) => inv.invoice.buyer.orgnr === buyer),
    creditNotes: [...(b?.creditNotes.values() ?? [])].filter((cn) => cn.value.kind === 'settlement' && cn.value.buyer.orgnr === buyer),
  };
}

/** How a trace over many documents shares its work and where its split tables go; a single trace needs none. */
export interface TraceOptions {
  cache?: TraceCache;
  /** The epoch of the state the document is traced from (DocumentAt.epoch); the cache needs it. */
  epoch?: number;
  tables?: SplitTableSink;
}

/** The split a document's line was decided from: the state before it, by the rules the document records. */
const contextFor = (state: State, doc: Doc, serviceId: string, basis: CostBasis, opts: TraceOptions): SplitContext => {
  const rules = rulesOfOrigin(doc.origin);
  return opts.cache && opts.epoch !== undefined ? opts.cache.split(state, serviceId, doc.year, basis, rules, opts.epoch) : splitContext(state, serviceId, doc.year, basis, rules);
};

/** The split's participants and inputs by key, indexed on first use: a line looks up its own. */
function keyed(ctx: SplitContext): { byKey: Map<string, ServiceSplit['participants'][number]>; inputByKey: Map<string, SplitInput> } {
  ctx.byKey ??= new Map(ctx.split.participants.map((p) => [p.key, p]));
  ctx.inputByKey ??= new Map(ctx.inputs.map((p) => [p.key, p]));
  return { byKey: ctx.byKey, inputByKey: ctx.inputByKey };
}

function participantRows(ctx: SplitContext, month: number): SplitTableRow[] {
  const { byKey, inputByKey } = keyed(ctx);
  return ctx.split.months[month - 1].shares.map((s) => {
    const p = byKey.get(s.key);
    const input = inputByKey.get(s.key);
    return {
      key: s.key, member: p?.member ?? '', name: p?.name ?? s.key, band: s.band, population: p?.population ?? null,
      weight: s.weight.toString(), share: amountString(s.amount),
      event: (input?.refs[0] ?? p?.refs[0]) as EventRef,
    };
  });
}

/** The months of a split with every participant whose weight entered them (or their table's id), for the given participant keys. */
/** A line's shares of a split month (those of its participant keys), from the month's shares indexed by key once per context. */
function lineShares(ctx: SplitContext, keys: ReadonlySet<string>, month: number): ServiceSplit['months'][number]['shares'] {
  let byKey = ctx.sharesByKey.get(month);
  if (!byKey) {
    byKey = new Map();
    for (const sh of ctx.split.months[month - 1].shares) {
      const list = byKey.get(sh.key);
      if (list) list.push(sh);
      else byKey.set(sh.key, [sh]);
    }
    ctx.sharesByKey.set(month, byKey);
  }
  const mine: ServiceSplit['months'][number]['shares'] = [];
  for (const k of keys) mine.push(...(byKey.get(k) ?? []));
  return mine;
}

function monthTraces(ctx: SplitContext, keys: ReadonlySet<string>, months: readonly number[], stored: Provenance['months'] | undefined, tables: SplitTableSink | undefined): SplitMonthTrace[] {
  const priceList = ctx.svc.service.pricing.kind === 'price-list';
  return months.map((month) => {
    const ms = ctx.split.months[month - 1];
    const mine = lineShares(ctx, keys, month);
    const st = stored?.find((x) => x.month === month);
    let weightSum = ctx.weightSums.get(month);
    if (weightSum === undefined) {
      weightSum = sum(ms.shares.map((s) => s.weight));
      ctx.weightSums.set(month, weightSum);
    }
    const weightsMatch = priceList
      ? ms.denominator.isZero() && (st === undefined || new Decimal(st.denominator).isZero())
      : weightSum.eq(ms.denominator) && (stored === undefined || (st !== undefined && new Decimal(st.denominator).eq(weightSum)));
    const trace: SplitMonthTrace = {
      month, priceList, monthAmount: amountString(ms.amount), denominator: ms.denominator.toString(), storedDenominator: st ? st.denominator : null,
      weightSum: weightSum.toString(), weightsMatch,
      weight: mine.length === 1 ? mine[0].weight.toString() : sum(mine.map((s) => s.weight)).toString(),
      share: amountString(sum(mine.map((s) => s.amount))),
      storedWeight: st ? st.weight : null, storedShare: st ? st.share : null, unallocated: amountString(ms.unallocated),
    };
    if (tables) {
      let id = ctx.tables.get(month);
      if (id === undefined) {
        id = tables(participantRows(ctx, month));
        ctx.tables.set(month, id);
      }
      trace.table = id;
    } else {
      // In the order of the rows' fields before tables existed, so that a trace's JSON keeps its bytes.
      trace.participants = participantRows(ctx, month).map((r) => ({
        key: r.key, member: r.member, name: r.name, band: r.band, population: r.population, weight: r.weight, share: r.share, thisLine: keys.has(r.key), event: r.event,
      }));
    }
    return trace;
  });
}

/**
 * How a line's share of a split month is worked out, in the words of its rule and of the rules version its
 * document was decided by: a price list's twelfth of the yearly price (by cumulative rounding from rules
 * 4), a base plus the rest of the month by population, or the month's amount × weight / Σ weights.
 * `keys`: the line's participants, whose shares of the month make up its share.
 */
function monthShareFormula(ctx: SplitContext, keys: ReadonlySet<string>, m: SplitMonthTrace): string {
  const rule = ctx.svc.service.pricing;
  if (rule.kind === 'price-list') {
    // Each of the line's shares of the month is its own price's twelfth, rounded on its own: a line with
    // two (two modules) is worded as the two, not as one twelfth of their sum.
    const prices = lineShares(ctx, keys, m.month).map((sh) => sh.weight);
    const one = (price: Decimal) => (ctx.rules >= 4
      ? `årspris ${sek(price)} × ${m.month}/12 − årspris × ${m.month - 1}/12, vardera avrundat till öre`
      : `årspris ${sek(price)} fördelat på 12 månader, de överskjutande örena på årets första månader`);
    return prices.length > 1 ? prices.map((p) => `(${one(p)})`).join(' + ') : one(prices[0] ?? new Decimal(m.weight));
  }
  if (new Decimal(m.denominator).isZero()) return 'ingen vikt i månaden';
  const amount = new Decimal(m.monthAmount);
  const ofRest = (rest: Decimal) => `${svNumber(rest.mul(m.weight).div(m.denominator).toDecimalPlaces(4))}, till öre enligt största-restmetoden`;
  if (rule.kind === 'base-plus-per-capita') {
    // Each participant of the month first takes the month's base; the rest is split by population.
    const participants = ctx.split.months[m.month - 1].shares.length;
    const base = spreadOverMonths(parseAmount(rule.base), yearlySpreadOf(ctx.rules)).get(m.month) as Decimal;
    const own = lineShares(ctx, keys, m.month).length;
    const rest = amount.minus(base.mul(participants));
    return `${own > 1 ? `${own} × ` : ''}grundbelopp ${sek(base)} + (${sek(amount)} − ${participants} × ${sek(base)}) × ${svNumber(m.weight)}/${svNumber(m.denominator)} = ${own > 1 ? `${own} × ` : ''}${sek(base)} + ${ofRest(rest)}`;
  }
  return `${sek(amount)} × ${svNumber(m.weight)}/${svNumber(m.denominator)} = ${ofRest(amount)}`;
}

type Provenance = InvoiceLine['provenance'];

/** costStepsOf, worked out once per split context and months: every line of the split shows the same. */
function costSteps(ctx: SplitContext, months: readonly number[]): { monthStep: DerivationStep; figures: TraceFigure[] } {
  const key = months.join(',');
  let steps = ctx.costs.get(key);
  if (!steps) {
    steps = costStepsOf(ctx, months);
    ctx.costs.set(key, steps);
  }
  return steps;
}

/** The cost part of a split's derivation: budget (or actual costs) × (1 + overhead), spread over 12 months. */
function costStepsOf(ctx: SplitContext, months: readonly number[]): { monthStep: DerivationStep; figures: TraceFigure[] } {
  const { svc, base, split } = ctx;
  const figures: TraceFigure[] = [];
  const baseChildren: DerivationStep[] = [];
  let baseLabel: string;
  if (ctx.basis === 'budget') {
    const inForce = svc.budgets.get(split.year)?.[svc.budgets.get(split.year)!.length - 1];
    baseLabel = 'budget i kraft';
    if (inForce) {
      figures.push({ name: 'förvaltningsrådets budget', value: sek(base.base), note: `${inForce.value.minutesRef}, beslutad ${inForce.value.decidedOn}`, event: inForce.ref });
      for (const l of inForce.value.lines) baseChildren.push({ label: l.text, value: sek(new Decimal(l.amount)), event: inForce.ref });
    }
  } else {
    baseLabel = 'utfall';
    for (const c of svc.actualCosts.get(split.year) ?? []) {
      figures.push({ name: 'utfall', value: sek(new Decimal(c.value.amount)), note: `${c.value.supplier} ${c.value.reference}, ${c.value.date}`, event: c.ref });
      baseChildren.push({ label: `${c.value.supplier} ${c.value.reference}`, value: sek(new Decimal(c.value.amount)), event: c.ref });
    }
  }
  figures.push({ name: 'påslag', value: svNumber(split.overheadRate), note: `${svc.service.name}: ${svc.service.decisionRef}`, event: svc.ref });
  const priceList = svc.service.pricing.kind === 'price-list';
  figures.push({ name: 'kostnad', value: sek(split.cost), note: priceList ? 'deltagarnas årspriser för deras anslutna månader, summerade' : `${BASIS_WORDS[ctx.basis]} × (1 + ${svNumber(split.overheadRate)}), avrundat till öre` });
  const perMonth = monthlyAmounts(split.cost);
  const amounts = [...new Set(months.map((m) => amountString(perMonth.get(m) as Decimal)))];
  const costStep: DerivationStep = {
    label: 'kostnad', value: sek(split.cost), formula: `${BASIS_WORDS[ctx.basis]} ${sek(base.base)} × (1 + ${svNumber(split.overheadRate)}), avrundat till öre`,
    children: [
      { label: baseLabel, value: sek(base.base), formula: baseChildren.length > 1 ? 'Σ av raderna nedan' : undefined, event: base.refs[base.refs.length - 1], children: baseChildren.length > 1 ? baseChildren : undefined },
      { label: 'påslag (förvaltningsledning)', value: svNumber(split.overheadRate), event: svc.ref },
    ],
  };
  const monthStep: DerivationStep = {
    label: 'månadsbelopp', value: amounts.map((a) => sek(new Decimal(a))).join(' / '), formula: `kostnaden ${sek(split.cost)} fördelad exakt på 12 månader (udda ören till de första månaderna)`,
    children: [costStep],
  };
  return { monthStep, figures };
}

/** "vikt 4 av 6 (månad 1–3), vikt 4 av 7 (månad 4–12)" */
function weightWords(kind: string, months: readonly Pick<SplitMonthTrace, 'month' | 'weight' | 'denominator'>[]): string {
  const groups: { weight: string; denominator: string; months: number[] }[] = [];
  for (const m of months) {
    const last = groups[groups.length - 1];
    if (last && last.weight === m.weight && last.denominator === m.denominator) last.months.push(m.month);
    else groups.push({ weight: m.weight, denominator: m.denominator, months: [m.month] });
  }
  const what = sharesByInhabitants(kind) ? 'folkmängd' : kind === 'price-list' ? 'årspris' : 'vikt';
  const fmt = (v: string) => (what === 'folkmängd' ? grouped(Number(v)) : what === 'årspris' ? sek(new Decimal(v)) : svNumber(v));
  if (kind === 'price-list') return groups.map((g) => `${what} ${fmt(g.weight)}, månad ${monthRanges(g.months)}`).join('; ');
  if (groups.length === 1) return `${what} ${fmt(groups[0].weight)} av ${fmt(groups[0].denominator)}, månad ${monthRanges(groups[0].months)}`;
  return groups.map((g) => `${what} ${fmt(g.weight)} av ${fmt(g.denominator)} (månad ${monthRanges(g.months)})`).join(', ');
}

/** One participant's weight of each of its months against the month's Σ weights, in Swedish ("vikt 2 av 114 (månad 1–2), …"). */
function participantWeightWords(ctx: SplitContext, key: string, months: readonly number[]): string {
  const own = new Set([key]);
  const kind = ctx.svc.service.pricing.kind;
  return weightWords(kind, months.map((month) => {
    const mine = lineShares(ctx, own, month);
    return { month, weight: sum(mine.map((sh) => sh.weight)).toString(), denominator: ctx.split.months[month - 1].denominator.toString() };
  }));
}

/** The participants' figures and weight steps, their weight worded over `months`: the line's (a quarter's line, its quarter), not the year's. */
function participantFigures(ctx: SplitContext, keys: ReadonlySet<string>, months: readonly number[]): { figures: TraceFigure[]; steps: DerivationStep[]; used: EventRef[] } {
  const figures: TraceFigure[] = [];
  const steps: DerivationStep[] = [];
  const used: EventRef[] = [];
  const { byKey, inputByKey } = keyed(ctx);
  // In the split's input order, as the figures have always been listed.
  const inputs = keys.size === 1 ? [...keys].flatMap((k) => inputByKey.get(k) ?? []) : ctx.inputs.filter((p) => keys.has(p.key));
  for (const input of inputs) {
    const p = byKey.get(input.key);
    used.push(...input.refs);
    const enrolment = ctx.svc.enrolments.get(input.key);
    figures.push({ name: 'anslutning', value: input.key, note: `${input.name}, från ${input.from}${input.to ? ` till ${input.to}` : ''}${input.module ? `, modul ${input.module}` : ''}`, event: enrolment?.startedRef ?? input.refs[0] });
    if (enrolment?.endedRef) figures.push({ name: 'anslutningen avslutad', value: input.to ?? '', event: enrolment.endedRef });
    figures.push(input.organisation ? { name: 'folkmängd', value: 'organisation', note: 'organisationernas klass' } : populationFigure(input.populationUsed));
    // The weight in the trace's own words, month by month from the split: the participant's stored basis
    // (p.basis) is the English the line was written with, which the trace quotes under "Lagrat" only.
    const words = p ? participantWeightWords(ctx, input.key, p.months.filter((m) => months.includes(m))) : '';
    if (p) figures.push({ name: 'vikt', value: svNumber(p.weight), note: words, event: ctx.svc.ref });
    steps.push({
      label: 'vikt', value: p ? svNumber(p.weight) : '—', formula: `${RULE_WORDS[ctx.svc.service.pricing.kind]}: ${words}`, event: ctx.svc.ref,
      children: [input.organisation ? { label: 'folkmängd', value: 'organisation', formula: 'organisationernas klass' } : populationStep(input.populationUsed)],
    });
  }
  return { figures, steps, used };
}

function aContoLine(state: State, doc: InvoiceIssued, line: InvoiceLine, problems: string[], opts: TraceOptions): Derived {
  if (!line.serviceId || !line.enrolmentId) throw new DomainError(`rad ${line.lineNo} anger ingen tjänst eller anslutning`);
  const ctx = contextFor(state, doc, line.serviceId, 'budget', opts);
  const key = line.enrolmentId;
  const me = keyed(ctx).byKey.get(key);
  if (!me) throw new DomainError(`anslutningen ${key} ingår inte i fördelningen av ${line.serviceId} ${doc.year} före ${doc.number}`);
  // The billing period comes from the due key (svc/<service>/<period>/<enrolment>), not from the stored months.
  const prefix = `svc/${line.serviceId}/`;
  const label = line.dueKey.startsWith(prefix) && line.dueKey.endsWith(`/${key}`) ? line.dueKey.slice(prefix.length, line.dueKey.length - key.length - 1) : undefined;
  const period = billingPeriods(ctx.svc.service.cadence, doc.year).find((p) => p.label === label);
  if (!period) problems.push(`förfallonyckeln ${line.dueKey} anger ingen faktureringsperiod för ${line.serviceId} ${doc.year}; de lagrade månaderna används`);
  const periodMonths = period?.months ?? (line.provenance.months ?? []).map((m) => m.month);
  const recomputed = sum(periodMonths.map((m) => me.monthly[m - 1]));
  const months = periodMonths.filter((m) => me.months.includes(m));
  const keys = new Set([key]);
  const monthsTrace = monthTraces(ctx, keys, months, line.provenance.months ?? [], opts.tables);
  const storedMonths = (line.provenance.months ?? []).map((m) => m.month);
  if (monthRanges(storedMonths) !== monthRanges(months)) problems.push(`raden lagrar månad ${monthRanges(storedMonths) || 'ingen'}, omräkningen finner månad ${monthRanges(months) || 'ingen'}`);
  for (const m of monthsTrace) {
    if (!m.weightsMatch) problems.push(`månad ${m.month}: deltagarnas Σ vikter ${svNumber(m.weightSum)} ≠ lagrad nämnare ${m.storedDenominator === null ? '—' : svNumber(m.storedDenominator)} (fördelningen: ${svNumber(m.denominator)})`);
    if (m.storedShare !== null && m.storedShare !== m.share) problems.push(`månad ${m.month}: lagrad andel ${isAmountString(m.storedShare) ? sek(new Decimal(m.storedShare)) : m.storedShare}, omräknad ${sek(new Decimal(m.share))}`);
    if (m.storedWeight !== null && !new Decimal(m.storedWeight).eq(m.weight)) problems.push(`månad ${m.month}: lagrad vikt ${svNumber(m.storedWeight)}, omräknad ${svNumber(m.weight)}`);
  }
  const cost = costSteps(ctx, months);
  const part = participantFigures(ctx, keys, months);
  const kind = ctx.svc.service.pricing.kind;
  const factor = svNumber(ctx.split.overheadRate.plus(1));
  return {
    rule: `${RULE_WORDS[kind]}, ${weightWords(kind, monthsTrace)}${kind === 'price-list' ? '' : `, budget ${formatSek(ctx.base.base, false)} × ${factor}`}`,
    figures: [...cost.figures, ...part.figures],
    used: [...ctx.split.costRefs, ...part.used],
    recomputed,
    months: monthsTrace,
    derivation: {
      label: 'a conto', value: sek(recomputed), formula: `Σ av deltagarens andel, månad ${monthRanges(months) || '(ingen)'}`,
      children: [
        ...monthsTrace.map((m): DerivationStep => ({
          label: `andel månad ${m.month}`, value: sek(new Decimal(m.share)),
          formula: monthShareFormula(ctx, keys, m),
        })),
        ...(kind === 'price-list' ? [] : [cost.monthStep]),
        ...part.steps,
      ],
    },
  };
}

// ------------------------------------------------------------------------------------------ settlement

/** Year-end settlement: the member's share of the actual cost, less what it was billed for the service. */
function settlementLine(state: State, doc: Doc, line: AnyLine, sign: 1 | -1, opts: TraceOptions): Derived {
  if (!line.serviceId) throw new DomainError(`slutregleringsraden ${line.lineNo} anger ingen tjänst`);
  const ctx = contextFor(state, doc, line.serviceId, 'actual', opts);
  const member = doc.buyer.orgnr;
  const mine = ctx.split.participants.filter((p) => p.member === member);
  const actualShare = sum(mine.map((p) => p.total));
  const billedLines: BilledLineTrace[] = [];
  const own = opts.cache ? opts.cache.billedTo(state, doc.year, member) : billedToAfresh(state, doc.year, member);
  for (const inv of own.invoices) {
    for (const l of inv.invoice.lines) {
      if (l.serviceId !== line.serviceId) continue;
      const credited = inv.creditedNet.get(l.lineNo) ?? ZERO;
      const by = credited.isZero() ? [] : notesCrediting(state, inv, l.lineNo);
      billedLines.push({
        document: inv.invoice.number, lineNo: l.lineNo, kind: l.kind, amount: l.amount, credited: amountString(credited),
        ...(by.length ? { creditedBy: by } : {}), net: amountString(new Decimal(l.amount).minus(credited)), event: inv.ref,
      });
    }
  }
  for (const cn of own.creditNotes) {
    for (const l of cn.value.lines) {
      if (l.serviceId !== line.serviceId) continue;
      billedLines.push({ document: cn.value.number, lineNo: l.lineNo, kind: 'kredit vid slutreglering', amount: amountString(new Decimal(l.amount).neg()), credited: '0.00', net: amountString(new Decimal(l.amount).neg()), event: cn.ref });
    }
  }
  const billed = sum(billedLines.map((l) => new Decimal(l.net)));
  const difference = actualShare.minus(billed);
  const recomputed = sign === 1 ? difference : difference.neg();
  const keys = new Set(mine.map((p) => p.key));
  const months = [...new Set(mine.flatMap((p) => p.months))].sort((a, b2) => a - b2);
  const monthsTrace = monthTraces(ctx, keys, months, undefined, opts.tables);
  const cost = costSteps(ctx, months);
  const part = participantFigures(ctx, keys, months);
  const kind = ctx.svc.service.pricing.kind;
  return {
    rule: `slutreglering: andel av utfallet − fakturerat; ${RULE_WORDS[kind]}, ${weightWords(kind, monthsTrace)}${kind === 'price-list' ? '' : `, utfall ${formatSek(ctx.base.base, false)} × ${svNumber(ctx.split.overheadRate.plus(1))}`}`,
    figures: [...cost.figures, ...part.figures, { name: 'andel av utfallet', value: sek(actualShare) }, { name: 'fakturerat', value: sek(billed), note: billedLines.map((l) => `${l.document}:${l.lineNo}`).join(', ') || 'inget fakturerat' }],
    used: [...ctx.split.costRefs, ...part.used],
    recomputed,
    months: monthsTrace,
    settlement: { actualShare: amountString(actualShare), billed: amountString(billed), difference: amountString(difference), billedLines },
    derivation: {
      label: sign === 1 ? 'slutreglering' : 'slutreglering (kredit)', value: sek(recomputed),
      formula: sign === 1 ? `andel av utfallet ${sek(actualShare)} − fakturerat ${sek(billed)}` : `fakturerat ${sek(billed)} − andel av utfallet ${sek(actualShare)}`,
      children: [
        {
          label: 'andel av utfallet', value: sek(actualShare), formula: `Σ av medlemmens andel, månad ${monthRanges(months) || '(ingen)'}`,
          children: [
            ...monthsTrace.map((m): DerivationStep => ({ label: `andel månad ${m.month}`, value: sek(new Decimal(m.share)), formula: monthShareFormula(ctx, keys, m) })),
            ...(kind === 'price-list' ? [] : [cost.monthStep]),
            ...part.steps,
          ],
        },
        {
          label: 'fakturerat', value: sek(billed), formula: 'Σ av årets rader för tjänsten, minus krediteringar',
          children: billedLines.map((l) => ({ label: `${l.document} rad ${l.lineNo} (${LINE_KIND_NAMES[l.kind as InvoiceLine['kind']] ?? l.kind})`, value: sek(new Decimal(l.net)), formula: l.credited !== '0.00' ? `${sek(new Decimal(l.amount))} − krediterat ${sek(new Decimal(l.credited))}${l.creditedBy ? ` (${l.creditedBy.join(', ')})` : ''}` : undefined, event: l.event })),
        },
      ],
    },
  };
}

// ------------------------------------------------------------------------------------------ credit notes

function creditedLine(state: State, line: CreditNoteLine): Derived {
  const c = line.credits as { invoice: string; lineNo: number };
  const inv = invoiceOf(state, c.invoice);
  if (!inv) throw new DomainError(`den krediterade fakturan ${c.invoice} är inte utfärdad före kreditfakturan`);
  const orig = inv.invoice.lines.find((l) => l.lineNo === c.lineNo);
  if (!orig) throw new DomainError(`den krediterade fakturan ${c.invoice} har ingen rad ${c.lineNo}`);
  const before = inv.creditedNet.get(c.lineNo) ?? ZERO;
  const recomputed = new Decimal(orig.amount).minus(before);
  return {
    rule: `kreditering av det som återstår av ${c.invoice} rad ${c.lineNo}: ${sek(new Decimal(orig.amount))} − redan krediterat ${sek(before)}`,
    figures: [
      { name: 'krediterad fakturarad', value: `${c.invoice} rad ${c.lineNo}: ${orig.description}`, note: LINE_KIND_NAMES[orig.kind] ?? orig.kind, event: inv.ref },
      { name: 'radens belopp', value: sek(new Decimal(orig.amount)), event: inv.ref },
      { name: 'redan krediterat', value: sek(before), note: inv.creditNotes.join(', ') || 'inget' },
    ],
    used: [inv.ref],
    recomputed,
    credited: {
      invoice: c.invoice, lineNo: c.lineNo, kind: orig.kind, description: orig.description, amount: orig.amount, creditedBefore: amountString(before),
      provenance: { rule: orig.provenance.rule, basis: orig.provenance.basis, refs: orig.provenance.refs }, event: inv.ref,
    },
    derivation: {
      label: 'kreditering', value: sek(recomputed), formula: `radens belopp ${sek(new Decimal(orig.amount))} − redan krediterat ${sek(before)}`,
      children: [
        { label: `${c.invoice} rad ${c.lineNo}`, value: sek(new Decimal(orig.amount)), formula: `lagrad regel: ${orig.provenance.rule}`, event: inv.ref },
        { label: 'redan krediterat', value: sek(before) },
      ],
    },
  };
}

// ------------------------------------------------------------------------------------------ the trace

/**
 * The derivation of one line's amount, from the state just before its document (see DocumentFold).
 * Never throws for a line it cannot derive: it says so in `problems`, with `matches` false.
 */
export function traceLine(stateBeforeDocument: State, doc: Doc, lineNo: number, docRef?: EventRef, opts: TraceOptions = {}): LineTrace {
  const line = (doc.lines as AnyLine[]).find((l) => l.lineNo === lineNo);
  if (!line) throw new DomainError(`${doc.number} har ingen rad ${lineNo}`);
  const invoice = isInvoice(doc);
  const problems: string[] = [];
  const kind = 'kind' in line ? line.kind : line.credits ? 'credit' : 'settlement';
  let derived: Derived | undefined;
  try {
    if (invoice) {
      const l = line as InvoiceLine;
      if (l.kind === 'a-conto') derived = aContoLine(stateBeforeDocument, doc, l, problems, opts);
      else if (l.kind === 'settlement') derived = settlementLine(stateBeforeDocument, doc, l, 1, opts);
      else {
        const feeKey = adjustedFeeKey(l.dueKey);
        derived = feeKey === undefined ? membershipLine(stateBeforeDocument, doc, l, l.kind) : feeAdjustmentLine(stateBeforeDocument, doc, l, feeKey);
      }
    } else {
      const l = line as CreditNoteLine;
      if (l.credits) derived = creditedLine(stateBeforeDocument, l);
      else if (doc.kind === 'settlement') derived = settlementLine(stateBeforeDocument, doc, l, -1, opts);
      else throw new DomainError('en rättelserad som inte krediterar någon fakturarad');
    }
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    problems.push(`beloppet kunde inte härledas på nytt: ${err.message}`);
  }
  const amount = new Decimal(line.amount);
  const decisions: DecisionRef[] = [];
  for (const ref of line.provenance.refs) {
    const d = opts.cache && opts.epoch !== undefined ? opts.cache.decision(stateBeforeDocument, ref, opts.epoch) : decisionOf(stateBeforeDocument, ref);
    if (!d) {
      problems.push(`den refererade händelsen ${ref.type} ${ref.streamId}@${ref.revision} finns inte i tillståndet före ${doc.number}`);
      continue;
    }
    if (d.stateRef.hash !== ref.hash) problems.push(`den refererade händelsen ${ref.type} ${ref.streamId}@${ref.revision}: raden anger hash ${ref.hash.slice(0, 12)}…, händelsen har ${d.stateRef.hash.slice(0, 12)}…`);
    decisions.push(d.decision);
  }
  if (derived) checkRefs(uniqueRefs(derived.used), line.provenance.refs, problems);
  const recomputed = derived?.recomputed;
  return {
    document: {
      number: doc.number, type: invoice ? 'InvoiceIssued' : 'CreditNoteIssued', kind: doc.kind, year: doc.year, issueDate: doc.issueDate,
      buyer: { orgnr: doc.buyer.orgnr, name: doc.buyer.name }, ...('reason' in doc ? { reason: doc.reason } : {}), event: docRef,
    },
    line: {
      lineNo: line.lineNo, kind, description: line.description, amount: line.amount, vatCategory: line.vatCategory, vatRate: line.vatRate,
      serviceId: line.serviceId, enrolmentId: line.enrolmentId, dueKey: 'dueKey' in line ? line.dueKey : undefined,
    },
    rule: derived?.rule ?? line.provenance.rule,
    stored: { rule: line.provenance.rule, basis: line.provenance.basis, refs: line.provenance.refs },
    figures: derived?.figures ?? [],
    decisions,
    derivation: derived?.derivation ?? { label: 'belopp', value: sek(amount), formula: 'kunde inte härledas på nytt' },
    months: derived?.months,
    credited: derived?.credited,
    settlement: derived?.settlement,
    amount: line.amount,
    recomputed: recomputed ? amountString(recomputed) : null,
    difference: recomputed ? amountString(recomputed.minus(amount)) : null,
    matches: recomputed !== undefined && recomputed.eq(amount),
    problems,
  };
}

/** Every line of a document, traced from the state before it. */
export const traceDocument = (stateBeforeDocument: State, doc: Doc, docRef?: EventRef, opts: TraceOptions = {}): LineTrace[] =>
  doc.lines.map((l) => traceLine(stateBeforeDocument, doc, l.lineNo, docRef, opts));

// ------------------------------------------------------------------------------------------ the fold

export type DocumentEvent = Extract<DomainEvent, { type: 'InvoiceIssued' | 'CreditNoteIssued' }>;

export interface DocumentAt {
  type: DocumentEvent['type'];
  doc: Doc;
  ref: EventRef;
  /** The state before the command that issued the document. Live: it changes after `visit` returns, unless it stops the fold. */
  state: State;
  /**
   * Counts the events folded so far other than billing events (documents, payments and their reversals, settlements, year
   * closes): two documents with the same epoch see the same members, services, budgets, costs, populations
   * and fee schedules, so the same splits and decisions (TraceCache).
   */
  epoch: number;
}

/** Billing events: no split reads them (projections/splits.ts reads members, populations, services, schedules), nor any decision a reference names but an invoice. */
const BILLING_EVENTS: ReadonlySet<DomainEvent['type']> = new Set(['InvoiceIssued', 'CreditNoteIssued', 'PaymentRecorded', 'PaymentReversed', 'RefundPaid', 'ServiceSettled', 'YearClosed']);

const isDocument = (e: DomainEvent): e is DocumentEvent => e.type === 'InvoiceIssued' || e.type === 'CreditNoteIssued';

/**
 * Folds events in order and shows each wanted document with the state just before it, the way
 * InvoiceReplay decides a document again: the events one command appended to one stream are a group,
 * and its documents see the state before the group (the state their command was decided from). Feed it
 * every event in global order; the caller does the reading.
 */
export class DocumentFold {
  readonly state: State = initialState();
  private group: { event: DomainEvent; ref: EventRef }[] = [];
  private groupKey = '';
  private visited = 0;
  private stop = false;
  private epoch = 0;

  /** `visit` returns true to stop the fold there: the state then stays the state before that document. */
  constructor(
    private readonly wanted: (doc: Doc, type: DocumentEvent['type'], stateBefore: State) => boolean,
    private readonly visit: (d: DocumentAt) => boolean | void,
  ) {}

  /** How many wanted documents were shown so far. */
  get documents(): number {
    return this.visited;
  }

  get stopped(): boolean {
    return this.stop;
  }

  feed(event: DomainEvent, ref: EventRef, commandId: string): void {
    if (this.stop) return;
    const key = `${commandId}\u0000${ref.streamId}`;
    if (key !== this.groupKey) this.flush();
    this.groupKey = key;
    this.group.push({ event, ref });
  }

  finish(): State {
    if (!this.stop) this.flush();
    return this.state;
  }

  private flush(): void {
    const group = this.group;
    this.group = [];
    for (const p of group) {
      if (isDocument(p.event) && this.wanted(p.event.data, p.event.type, this.state)) {
        this.visited += 1;
        if (this.visit({ type: p.event.type, doc: p.event.data, ref: p.ref, state: this.state, epoch: this.epoch }) === true) {
          this.stop = true;
          return;
        }
      }
    }
    for (const p of group) {
      evolve(this.state, p.event, p.ref);
      if (!BILLING_EVENTS.has(p.event.type)) this.epoch += 1;
    }
  }
}
