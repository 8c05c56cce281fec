import type { EventRef } from '../event-ref';
import Decimal from 'decimal.js';
import { billedFeeWords, feesDifferingFromBilled } from '../../projections/fees';
import { computeSplit, costBase, reportingTiersFor, splitInputs } from '../../projections/splits';
import { type DueItem, dueInPeriod, type Series } from '../billing/due';
import { documentNumber } from '../billing/numbers';
import { addDays, parsePeriod, type Period } from '../billing/periods';
import { heldUntilJoin, joinsAfterRun } from '../billing/join-hold';
import { isSwedishVatRate, sellerProblem, SWEDISH_VAT_RATES } from '../billing/seller';
import { OUT_OF_SCOPE_BASIS, vatBreakdown } from '../billing/vat';
import type { CloseYear, CreditInvoice, RecordPayment, ReversePayment, RunInvoices, SettleService } from '../commands/billing';
import { parsePaymentId, paymentIdYear } from '../billing/payment-id';
import { DomainError, NotFoundError } from '../errors';
import type { DomainEvent } from '../events';
import type { BuyerParty, CreditNoteIssued, CreditNoteLine, InvoiceIssued, PaymentRecorded, SellerParty } from '../events/billing';
import type { z } from 'zod';
import { amountString, formatPercent, formatSek, sum, ZERO } from '../money';
import { namedFirst } from '../swedish-list';
import { creditNoteOf, invoiceOf, type InvoiceState, openBalance, payableOn, type PaymentState, servicesBilledIn, type ServiceState, type State } from '../state';
import type { Decision } from './membership';
import { requireService } from './services';
import { costWords, decidedBy, RULES_VERSION } from '../rules';
import { afterToday, assertBookedInOpenYear, assertNotAfterToday, assertYearOpen, bookedInClosedYear, ISSUED_TODAY } from './year-guard';

export const billingStream = (year: number) => `billing-${year}`;

function buyerParty(state: State, orgnr: string): BuyerParty {
  const m = state.members.get(orgnr);
  if (!m) throw new DomainError(`okänd medlem ${orgnr}`);
  return { orgnr: m.orgnr, name: m.name, address: m.address, reference: m.invoiceReference };
}

/** Numbers continue each series from the last one used in the year: gapless by construction. */
class Numbering {
  private readonly next = new Map<string, number>();
  constructor(private readonly state: State, private readonly year: number) {}
  take(series: string): { number: string; sequence: number } {
    const sequence = (this.next.get(series) ?? this.state.billing.get(this.year)?.sequences.get(series) ?? 0) + 1;
    this.next.set(series, sequence);
    return { number: documentNumber(series, this.year, sequence), sequence };
  }
}

/** What an invoice line is made of: a due item, or a settlement's difference (which has no month of its own). */
type InvoiceItem = Omit<DueItem, 'firstMonth'>;

function invoiceFrom(
  items: readonly InvoiceItem[], series: Series, numbering: Numbering, state: State,
  head: { year: number; kind: InvoiceIssued['kind']; issueDate: string; dueDate: string; period: string; seller: SellerParty; references?: string[]; origin: InvoiceIssued['origin'] },
): InvoiceIssued {
  const lines = items.map((i, n) => ({
    lineNo: n + 1, dueKey: i.dueKey, kind: i.kind, description: i.description, amount: amountString(i.amount), vatCategory: i.vatCategory,
    vatRate: i.vatRate, serviceId: i.serviceId, enrolmentId: i.enrolmentId, provenance: i.provenance,
  }));
  const { number, sequence } = numbering.take(series);
  return {
    number, series, sequence, ...head, buyer: buyerParty(state, items[0].buyer), currency: 'SEK', lines, ...vatBreakdown(lines, items.map((i) => i.amount)),
    legalBasis: series === 'M' ? OUT_OF_SCOPE_BASIS : undefined,
  };
}

const byBuyerName = (state: State) => (a: string, b: string) =>
  (state.members.get(a)?.name ?? a).localeCompare(state.members.get(b)?.name ?? b, 'sv') || a.localeCompare(b);

/**
 * An invoice run bills everything that falls due in the period and is not billed yet: per member one
 * membership invoice (series M, no VAT) and one service invoice (series T, VAT), never mixed.
 */
export function decideInvoiceRun(c: RunInvoices, state: State, today: string): Decision {
  const period = parsePeriod(c.period);
  const { rules, params } = decidedBy(c);
  // Replay decides a run again on its issue date, so a run stored before this check replays.
  assertNotAfterToday(c.issueDate, today, `invoice.run ${c.period}`, 'fakturadatumet', ISSUED_TODAY);
  assertYearOpen(state, period.year, `invoice.run ${c.period}`, rules >= 4);
  if (rules >= 3) assertBookedInOpenYear(state, c.issueDate, `invoice.run ${c.period}`, rules >= 4);
  const items = billedOnIssueDate(state, period, c.issueDate, dueInPeriod(state, period, c.vatRate, rules), rules);
  if (rules >= 3 && items.length > 0) assertDatedInOrder(state, period.year, ['M', 'T'], c.issueDate, `invoice.run ${c.period}`);
  if (rules >= 9) assertDecidedBefore(state, period.year, items, c.issueDate, `invoice.run ${c.period}`);
  const numbering = new Numbering(state, period.year);
  const events: DomainEvent[] = [];
  for (const series of ['M', 'T'] as const) {
    // Each buyer's items in the order they came: one pass, not one filter per buyer over every item.
    const byBuyer = new Map<string, DueItem[]>();
    for (const i of items) {
      if (i.series !== series) continue;
      const own = byBuyer.get(i.buyer);
      if (own) own.push(i);
      else byBuyer.set(i.buyer, [i]);
    }
    const buyers = [...byBuyer.keys()].sort(byBuyerName(state));
    for (const buyer of buyers) {
      const invoice = invoiceFrom(byBuyer.get(buyer) as DueItem[], series, numbering, state, {
        year: period.year, kind: series === 'M' ? 'membership' : 'a-conto', issueDate: c.issueDate, dueDate: addDays(c.issueDate, c.paymentTermsDays),
        period: c.period, seller: c.seller, origin: { command: 'invoice.run', params },
      });
      events.push({ type: 'InvoiceIssued', data: invoice });
    }
  }
  if (rules >= 10) assertIssuable(c.seller, c.vatRate, events, `invoice.run ${c.period}`);
  return { streamId: billingStream(period.year), events };
}

/**
 * From rules 10 documents are issued only in the name of a seller an invoice may name (domain/billing/
 * seller.ts#sellerProblem), and VAT only at a Swedish rate: stored documents cannot be corrected, and the
 * first runs of a new configuration issued VAT invoices without the seller's VAT number, or at 20 %.
 */
function assertIssuable(seller: SellerParty, vatRate: string, events: readonly DomainEvent[], what: string): void {
  if (events.length === 0) return;
  const chargesVat = events.some((e) => (e.type === 'InvoiceIssued' || e.type === 'CreditNoteIssued') && e.data.lines.some((l) => l.vatCategory === 'S'));
  const problem = sellerProblem(seller, chargesVat);
  if (problem) throw new DomainError(`${what}: ${problem}; ange säljaren i samkost.config.json`);
  if (chargesVat && !isSwedishVatRate(vatRate)) {
    throw new DomainError(`${what}: momssatsen ${vatRate} är ingen svensk momssats (${SWEDISH_VAT_RATES.join(', ')}); ange serviceVatRate i samkost.config.json`);
  }
}

/**
 * The due items a run dated `issueDate` bills: from rules 10 none of a membership that begins after that date
 * (domain/billing/join-hold.ts); they wait for a run dated on or after the join.
 */
function billedOnIssueDate(state: State, period: Period, issueDate: string, items: DueItem[], rules: number): DueItem[] {
  if (rules < 10) return items;
  const joins = new Map(joinsAfterRun(state, period, issueDate, rules).map((j) => [j.member, j]));
  return joins.size === 0 ? items : items.filter((i) => !heldUntilJoin(joins.get(i.buyer), period.year, i.firstMonth));
}

/**
 * From rules 9 a run bills by decisions taken by its issue date: a budget, a fee schedule or a levy decided
 * after the date its invoices bear would be billed by invoices that predate it (a run recorded late and
 * dated back across a budget revision billed by the revision). Refused, naming the decision, rather than
 * billed by a decision the invoice's date does not know of.
 */
function assertDecidedBefore(state: State, year: number, items: readonly DueItem[], date: string, what: string): void {
  const later = (decidedOn: string, which: string, reference: string) => {
    if (decidedOn > date) throw new DomainError(`${what}: daterad ${date}, före ${which} som den fakturerar efter (beslutad ${decidedOn}, ${reference}); datera körningen den dagen eller senare`);
  };
  for (const serviceId of new Set(items.flatMap((i) => (i.kind === 'a-conto' && i.serviceId !== undefined ? [i.serviceId] : [])))) {
    const budget = state.services.get(serviceId)?.budgets.get(year)?.at(-1)?.value;
    if (budget) later(budget.decidedOn, `budgeten för ${serviceId} ${year}`, budget.minutesRef);
  }
  const schedule = state.schedules.get(year)?.value;
  if (schedule && items.some((i) => i.kind === 'annual-fee' || i.kind === 'joining-contribution')) later(schedule.decidedOn, `avgiftsplanen för ${year}`, schedule.decisionRef);
  if (items.some((i) => i.kind === 'levy')) for (const levy of state.levies.get(year)?.values() ?? []) later(levy.value.decidedOn, `utdebiteringen ${levy.value.levyId}`, levy.value.decisionRef);
}

/**
 * An invoice series' numbers follow its dates (rules 3): an invoice numbered after another but dated before
 * it reads as back-dated, and its voucher would fall among the earlier ones in the books. Refused when the
 * year already has an invoice of one of `series` dated after `date`. (Credit notes are numbered apart.)
 */
function assertDatedInOrder(state: State, year: number, series: readonly string[], date: string, what: string): void {
  const invoices = [...(state.billing.get(year)?.invoices.values() ?? [])].map((i) => i.invoice);
  const latest = latestAfter(invoices, series, date);
  if (latest) throw new DomainError(`${what}: daterad ${date}, före ${latest.number} (${latest.issueDate}); fakturorna numreras i datumordning, så den kan inte dateras före en redan utfärdad faktura i serien`);
}

/**
 * As assertDatedInOrder, for a credit-note series (MK, TK), from rules 9: a note is numbered after every note
 * of its series, so one dated before the latest of them would break the series' date order (a settlement
 * dated 2025-01-22 after one dated 2025-01-24 gave TK2024-0048 an earlier date than TK2024-0047).
 */
function assertCreditDatedInOrder(state: State, year: number, series: string, date: string, what: string): void {
  const notes = [...(state.billing.get(year)?.creditNotes.values() ?? [])].map((n) => n.value);
  const latest = latestAfter(notes, [series], date);
  if (latest) throw new DomainError(`${what}: daterad ${date}, före kreditfakturan ${latest.number} (${latest.issueDate}); kreditfakturorna numreras i datumordning, så den kan inte dateras före en redan utfärdad kreditfaktura i serien`);
}

/** The latest-dated document of the series dated after `date`, if any. */
function latestAfter<D extends { number: string; series: string; issueDate: string }>(documents: readonly D[], series: readonly string[], date: string): D | undefined {
  let latest: D | undefined;
  for (const d of documents) {
    if (series.includes(d.series) && d.issueDate > date && (!latest || d.issueDate >= latest.issueDate)) latest = d;
  }
  return latest;
}

export function findInvoice(state: State, number: string): InvoiceState {
  const inv = invoiceOf(state, number);
  if (!inv) {
    // A credit note is no invoice: paying or crediting it is a mistake to name as such, not an unknown number.
    const note = creditNoteOf(state, number);
    if (note) throw new DomainError(`${number} är en kreditfaktura (den krediterar ${note.credits.join(', ')}), inte en faktura`);
    throw new NotFoundError(`okänd faktura ${number}`);
  }
  return inv;
}

function creditNote(
  state: State, inv: InvoiceState, lines: CreditNoteLine[], head: { kind: CreditNoteIssued['kind']; issueDate: string; reason: string; credits: string[]; origin: CreditNoteIssued['origin'] },
  amounts: ReturnType<typeof vatBreakdown> = vatBreakdown(lines),
): CreditNoteIssued {
  const series = `${inv.invoice.series}K`;
  const { number, sequence } = new Numbering(state, inv.invoice.year).take(series);
  return {
    number, series, sequence, year: inv.invoice.year, ...head, seller: inv.invoice.seller, buyer: inv.invoice.buyer, currency: 'SEK', lines,
    ...amounts, legalBasis: inv.invoice.legalBasis,
  };
}

/**
 * A credit note's amounts by rules 3: at each rate whose lines it leaves nothing of, the VAT is what the
 * invoice charged at that rate less what the correction notes before it credited; at any other rate, its
 * own rounded VAT. Each note rounds its own VAT, so the notes' sum could otherwise differ from the
 * invoice's by an öre: the last credit refused by one, or one left open.
 */
function lastCreditAmounts(state: State, inv: InvoiceState, wanted: readonly number[], amounts: ReturnType<typeof vatBreakdown>): ReturnType<typeof vatBreakdown> {
  const rate = (category: string, vatRate: string) => `${category}/${vatRate}`;
  // The rates at which some line keeps something once this note is issued.
  const open = new Set(inv.invoice.lines
    .filter((l) => !wanted.includes(l.lineNo) && new Decimal(l.amount).gt(inv.creditedNet.get(l.lineNo) ?? ZERO))
    .map((l) => rate(l.vatCategory, l.vatRate)));
  const credited = new Map<string, Decimal>();
  for (const { value: note } of state.billing.get(inv.invoice.year)?.creditNotes.values() ?? []) {
    if (note.kind !== 'correction' || note.credits[0] !== inv.invoice.number) continue;
    for (const v of note.vat) credited.set(rate(v.category, v.rate), (credited.get(rate(v.category, v.rate)) ?? ZERO).plus(v.vat));
  }
  const charged = new Map(inv.invoice.vat.map((v) => [rate(v.category, v.rate), new Decimal(v.vat)]));
  const vat = amounts.vat.map((v) => {
    const key = rate(v.category, v.rate);
    return open.has(key) ? v : { ...v, vat: amountString((charged.get(key) ?? ZERO).minus(credited.get(key) ?? ZERO)) };
  });
  const totalVat = sum(vat.map((v) => new Decimal(v.vat)));
  return { vat, totalNet: amounts.totalNet, totalVat: amountString(totalVat), total: amountString(new Decimal(amounts.totalNet).plus(totalVat)) };
}

/**
 * What the correction notes of an invoice credited of it, with VAT: what a further correction is measured
 * against. A settlement's credit note may also carry a part on the invoice (spread over the invoices it
 * names, for the open amounts: `creditedGross`), but it credits the member's year of the service, not these
 * lines: counted here, it left an invoice that could not be credited whole after its year was settled. A
 * settled service whose a-conto lines are then credited is settled again, from what is left billed.
 */
function correctedGross(state: State, inv: InvoiceState): Decimal {
  let gross = ZERO;
  for (const [number, part] of inv.creditParts) if (creditNoteOf(state, number)?.kind === 'correction') gross = gross.plus(part);
  return gross;
}

/** A credit note (ändringsfaktura) for whole lines of one invoice, never more than is left of them. */
export function decideCredit(c: CreditInvoice, state: State, today: string): Decision {
  const inv = findInvoice(state, c.invoice);
  const { rules, params } = decidedBy(c);
  // Replay decides a credit note again on its issue date, so a note stored before this check replays.
  assertNotAfterToday(c.issueDate, today, `invoice.credit ${c.invoice}`, 'kreditfakturans datum');
  assertYearOpen(state, inv.invoice.year, `invoice.credit ${c.invoice}`, rules >= 4);
  if (rules >= 3) {
    assertBookedInOpenYear(state, c.issueDate, `invoice.credit ${c.invoice}`, rules >= 4);
    if (c.issueDate < inv.invoice.issueDate) throw new DomainError(`invoice.credit ${c.invoice}: daterad ${c.issueDate}, innan fakturan utfärdades (${inv.invoice.issueDate})`);
  }
  if (rules >= 9) assertCreditDatedInOrder(state, inv.invoice.year, `${inv.invoice.series}K`, c.issueDate, `invoice.credit ${c.invoice}`);
  // No lines named: every line with something left (lines credited in full before are done, not an error).
  const wanted = c.lines ?? inv.invoice.lines.filter((l) => new Decimal(l.amount).gt(inv.creditedNet.get(l.lineNo) ?? ZERO)).map((l) => l.lineNo);
  if (wanted.length === 0) throw new DomainError(`invoice.credit: allt på ${c.invoice} är redan krediterat; inget återstår att kreditera`);
  // A line is credited with what is left of it: named twice, each credit would take all of that again.
  const twice = wanted.find((lineNo, i) => wanted.indexOf(lineNo) !== i);
  if (twice !== undefined) throw new DomainError(`invoice.credit: rad ${twice} på ${c.invoice} anges mer än en gång; varje rad krediteras en gång, med det som återstår av den`);
  const lines: CreditNoteLine[] = wanted.map((lineNo, i) => {
    const line = inv.invoice.lines.find((l) => l.lineNo === lineNo);
    if (!line) throw new DomainError(`invoice.credit: faktura ${c.invoice} har ingen rad ${lineNo}`);
    const left = new Decimal(line.amount).minus(inv.creditedNet.get(lineNo) ?? ZERO);
    if (left.lte(0)) throw new DomainError(`invoice.credit: rad ${lineNo} på ${c.invoice} är redan helt krediterad; inget återstår att kreditera`);
    return {
      lineNo: i + 1, description: `Kreditering av rad ${lineNo}: ${line.description}`, amount: amountString(left), vatCategory: line.vatCategory, vatRate: line.vatRate,
      credits: { invoice: c.invoice, lineNo }, serviceId: line.serviceId, enrolmentId: line.enrolmentId,
      provenance: { rule: 'credit of what is left of the line', basis: `line amount ${line.amount} − already credited ${amountString(inv.creditedNet.get(lineNo) ?? ZERO)}`, refs: [inv.ref] },
    };
  });
  const amounts = vatBreakdown(lines);
  const note = creditNote(
    state, inv, lines, { kind: 'correction', issueDate: c.issueDate, reason: c.reason, credits: [c.invoice], origin: { command: 'invoice.credit', params } },
    rules >= 3 ? lastCreditAmounts(state, inv, wanted, amounts) : amounts,
  );
  const open = new Decimal(inv.invoice.total).minus(correctedGross(state, inv));
  if (new Decimal(note.total).gt(open)) throw new DomainError(`invoice.credit: kreditfakturan (${formatSek(new Decimal(note.total))}) överstiger det som återstår av ${c.invoice} (${formatSek(open)})`);
  return { streamId: billingStream(inv.invoice.year), events: [{ type: 'CreditNoteIssued', data: note }] };
}

/**
 * Why a payment cannot be recorded against its invoice, or undefined when it can. `pending` is what payments
 * to be recorded before it (earlier rows of the same bank file) take of the open balance, so a file can be
 * checked whole before any of it is recorded. More than is left is refused unless it is declared an
 * overpayment: then the excess is the member's credit (a negative open balance); typed, the credit the member
 * is left with over its invoices of the year is at most twice what it was billed that year, less credit notes.
 */
export function paymentProblem(c: RecordPayment, inv: InvoiceState, state: State, today: string, pending: Decimal = ZERO): string | undefined {
  const future = afterToday(c.date, today, `payment.record ${c.invoice}`, 'valutadagen');
  if (future) return future;
  const closed = bookedInClosedYear(state, c.date, `payment.record ${c.invoice}`);
  if (closed) return closed;
  const amount = new Decimal(c.amount);
  if (amount.lte(0)) return `payment.record: beloppet måste vara större än noll (${c.amount})`;
  const open = payableOn(inv, c.date).minus(pending);
  if (amount.gt(open) && !c.overpayment) {
    // Nothing unpaid (paid or credited in full, or already overpaid): said so, not as "the unpaid amount (−1,00 kr)".
    const why = open.gt(0)
      ? `${formatSek(amount)} överstiger det obetalda beloppet på ${c.invoice} (${formatSek(open)})`
      : `inget är obetalt på ${c.invoice}, som är betald eller krediterad i sin helhet${open.lt(0) ? ` med ${formatSek(open.negated())} tillgodo` : ''}, så ${formatSek(amount)} kan inte registreras som betalning av den`;
    return `payment.record: ${why}; är pengarna redan mottagna, registrera dem som överbetalning (--overpayment; i ett kommando "overpayment": true)`;
  }
  // A typed overpayment is a member paying more than one invoice under its reference, or paying twice, and
  // the credit it leaves on the invoice (with any before it) is never more than twice what the member was
  // billed that year, less credit notes; beyond that the amount is a typo, refused before it reaches the
  // books rather than reversed after. A bank file's row is money received: always recorded.
  if (amount.gt(open) && !c.fromBank) {
    // The member's credit over all its invoices of the year, not this one's alone: four overpaid invoices
    // are one member's money.
    const year = inv.invoice.year;
    const own = [...(state.billing.get(year)?.invoices.values() ?? [])].filter((i) => i.invoice.buyer.orgnr === inv.invoice.buyer.orgnr);
    const billed = sum(own.map((i) => new Decimal(i.invoice.total).minus(i.creditedGross)));
    const credit = amount.minus(sum(own.map((i) => openBalance(i))).minus(pending));
    if (credit.gt(billed.times(2))) {
      return `payment.record: betalningen lämnar ${inv.invoice.buyer.name} ${formatSek(credit)} i tillgodo för ${year}, mer än dubbla det som fakturerats (${formatSek(billed)} efter kreditfakturor); kontrollera beloppet (${formatSek(amount)})`;
    }
  }
  if (c.date < inv.invoice.issueDate) return `payment.record: betald ${c.date}, innan ${c.invoice} utfärdades (${inv.invoice.issueDate})`;
  return undefined;
}

/** Whether a payment (recorded, or as its event holds it) is the one `c` records: its amount, value date and reference. */
export const isPaymentOf = (p: { amount: Decimal.Value; date: string; reference: string }, c: RecordPayment): boolean =>
  new Decimal(p.amount).eq(c.amount) && p.date === c.date && p.reference === c.reference;

/**
 * The payment already recorded on the invoice with this amount, value date and reference: the same payment,
 * reversed or not. A reversed one stays reversed when the bank file that brought it is imported again.
 */
export function samePayment(c: RecordPayment, inv: InvoiceState): PaymentState | undefined {
  return inv.payments.find((p) => isPaymentOf(p, c));
}

/** What a payment records: a bank file's row says it is the bank's. */
export const paymentRecorded = (c: Omit<RecordPayment, 'type'>): z.infer<typeof PaymentRecorded> =>
  ({ invoice: c.invoice, amount: c.amount, date: c.date, reference: c.reference, ...(c.fromBank ? { fromBank: true } : {}) });

export function decidePayment(c: RecordPayment, state: State, today: string): Decision {
  const inv = findInvoice(state, c.invoice);
  // A payment is what the bank says it is, whatever command id or idempotency key brought it: the same
  // payment again records nothing (a bank file, a typed payment and an HTTP retry under a new key alike).
  if (samePayment(c, inv)) return { streamId: billingStream(inv.invoice.year), events: [] };
  const problem = paymentProblem(c, inv, state, today);
  if (problem) throw new DomainError(problem);
  return { streamId: billingStream(inv.invoice.year), events: [{ type: 'PaymentRecorded', data: paymentRecorded(c) }] };
}

/**
 * The recorded payment `id` names (domain/billing/payment-id.ts), with its invoice. Named by its stream and
 * revision, only that year's invoices are looked through: payments are appended to their invoice's year.
 */
export function findPayment(state: State, id: string): { inv: InvoiceState; payment: PaymentState } {
  const named = parsePaymentId(id);
  const year = paymentIdYear(id);
  const years = year !== undefined ? [year] : [...state.billing.keys()];
  const isIt = (p: { ref: EventRef }) => (named === undefined ? false : 'eventId' in named ? p.ref.eventId === named.eventId : p.ref.streamId === named.streamId && p.ref.revision === named.revision);
  for (const year of years) {
    for (const inv of state.billing.get(year)?.invoices.values() ?? []) {
      const payment = inv.payments.find(isIt);
      if (payment) return { inv, payment };
      // A refund is money paid out, not in: "no payment is recorded as" it read as a mistyped id.
      const refund = inv.refunds.find(isIt);
      if (refund) {
        throw new DomainError(`payment.reverse: ${id} är en återbetalning (${formatSek(refund.amount)} av tillgodohavandet på ${inv.invoice.number}, ${refund.date}), inte en inbetalning; en återbetalning kan inte återföras i samkost: pengar som betalats ut av misstag och kommer tillbaka registreras som en inbetalning på fakturan (samkost payment record)`);
      }
    }
  }
  throw new NotFoundError(`payment.reverse: ingen inbetalning är registrerad som ${id}; samkost invoice show FAKTURA visar fakturans inbetalningar med deras id`);
}

/**
 * Undoes a recorded payment from `date` on: the invoice is open again by its amount, and the books take the
 * money back on that date. A payment is reversed once, never before it was made, never after today, and
 * never in a year whose books are final: a payment of a closed year is reversed in the open year.
 */
export function decidePaymentReversal(c: ReversePayment, state: State, today: string): Decision {
  const what = `payment.reverse ${c.payment}`;
  const { inv, payment } = findPayment(state, c.payment);
  const shown = `${formatSek(payment.amount)} på ${inv.invoice.number}, betald ${payment.date}`;
  // The same reversal again (the payment named the other way, or under a new idempotency key) is a retry.
  if (payment.reversed && payment.reversed.date === c.date && payment.reversed.reason === c.reason) return { streamId: billingStream(inv.invoice.year), events: [] };
  if (payment.reversed) throw new DomainError(`${what}: inbetalningen (${shown}) är redan återförd ${payment.reversed.date}: ${payment.reversed.reason}`);
  if (c.date < payment.date) throw new DomainError(`${what}: daterad ${c.date}, före inbetalningens valutadag ${payment.date}; en återföring kan inte dateras före inbetalningen (${shown})`);
  if (c.date > today) throw new DomainError(`${what}: daterad ${c.date}, efter i dag (${today})`);
  assertBookedInOpenYear(state, c.date, what);
  return {
    streamId: billingStream(inv.invoice.year),
    events: [{ type: 'PaymentReversed', data: { invoice: inv.invoice.number, payment: payment.ref.eventId, amount: amountString(payment.amount), date: c.date, reason: c.reason } }],
  };
}

/**
 * Year-end settlement of a service: re-split the actual cost (plus overhead) with the same participation
 * and rule, compare per member with what was billed for the year (a-conto and earlier settlements, less
 * credits), and bill or credit each difference, referencing the a-conto invoices.
 */
/**
 * What a settlement of a service's year compares, member by member: each member's share of the actual
 * cost (split by `rules`) and what it was billed of the service that year, net of credit notes and of
 * earlier settlements' credit notes. A settlement bills or credits each difference; a year closes only
 * when none is left.
 */
export function settlementBasis(state: State, svc: ServiceState, year: number, rules: number) {
  const actual = computeSplit(svc, year, 'actual', costBase(svc, year, 'actual'), splitInputs(state, svc, year, rules), reportingTiersFor(state, year), rules);
  const billing = state.billing.get(year);
  const billedByMember = new Map<string, { net: Decimal; invoices: string[] }>();
  for (const inv of billing?.invoices.values() ?? []) {
    for (const line of inv.invoice.lines) {
      if (line.serviceId !== svc.service.serviceId) continue;
      const b = billedByMember.get(inv.invoice.buyer.orgnr) ?? { net: ZERO, invoices: [] };
      b.net = b.net.plus(line.amount).minus(inv.creditedNet.get(line.lineNo) ?? ZERO);
      if (!b.invoices.includes(inv.invoice.number)) b.invoices.push(inv.invoice.number);
      billedByMember.set(inv.invoice.buyer.orgnr, b);
    }
  }
  for (const cn of billing?.creditNotes.values() ?? []) {
    if (cn.value.kind !== 'settlement') continue;
    for (const line of cn.value.lines) {
      if (line.serviceId !== svc.service.serviceId) continue;
      const b = billedByMember.get(cn.value.buyer.orgnr) ?? { net: ZERO, invoices: [] };
      b.net = b.net.minus(line.amount);
      billedByMember.set(cn.value.buyer.orgnr, b);
    }
  }
  const actualByMember = new Map<string, { total: Decimal; keys: string[]; refs: InvoiceIssued['lines'][number]['provenance']['refs'] }>();
  for (const p of actual.participants) {
    const a = actualByMember.get(p.member) ?? { total: ZERO, keys: [], refs: [] };
    a.total = a.total.plus(p.total);
    a.keys.push(p.key);
    a.refs.push(...p.refs);
    actualByMember.set(p.member, a);
  }
  return { actual, billedByMember, actualByMember };
}

/**
 * What a settlement would still bill and credit, member by member (settlementBasis): a net figure hides
 * differences that cancel out (one member owed 23 625 kr, another owed as much back), and the year cannot
 * close while either is left.
 */
export function settlementDifferences(state: State, svc: ServiceState, year: number, rules: number): { bill: Decimal; credit: Decimal } {
  const { billedByMember, actualByMember } = settlementBasis(state, svc, year, rules);
  let bill = ZERO;
  let credit = ZERO;
  for (const member of new Set([...billedByMember.keys(), ...actualByMember.keys()])) {
    const diff = (actualByMember.get(member)?.total ?? ZERO).minus(billedByMember.get(member)?.net ?? ZERO);
    if (diff.gt(0)) bill = bill.plus(diff);
    else credit = credit.minus(diff);
  }
  return { bill, credit };
}

export function decideSettlement(c: SettleService, state: State, today: string): Decision {
  const svc = requireService(state, c.serviceId);
  const { rules, params } = decidedBy(c);
  assertNotAfterToday(c.issueDate, today, `settlement.run ${c.serviceId} ${c.year}`, 'fakturadatumet', ISSUED_TODAY);
  assertYearOpen(state, c.year, `settlement.run ${c.serviceId} ${c.year}`, rules >= 4);
  if (rules >= 3) assertBookedInOpenYear(state, c.issueDate, `settlement.run ${c.serviceId} ${c.year}`, rules >= 4);
  // A price list is settled by its prices (what each participant owes for the months it was in force), so
  // it needs no recorded cost: one that billed a year in advance and lost a participant in September was
  // otherwise held from settling, and its year from closing, until some cost was recorded.
  if (svc.service.pricing.kind !== 'price-list' && !svc.actualCosts.get(c.year)?.length) throw new DomainError(`settlement.run: inget utfall är registrerat för ${c.serviceId} ${c.year}; registrera det med \`samkost cost record\``);
  const { actual, billedByMember, actualByMember } = settlementBasis(state, svc, c.year, rules);
  const billing = state.billing.get(c.year);
  const members = [...new Set([...billedByMember.keys(), ...actualByMember.keys()])].sort(byBuyerName(state));
  const numbering = new Numbering(state, c.year);
  const origin = { command: 'settlement.run', params };
  const events: DomainEvent[] = [];
  const documents: string[] = [];
  let billedTotal = ZERO;
  for (const member of members) {
    const billed = billedByMember.get(member) ?? { net: ZERO, invoices: [] };
    const act = actualByMember.get(member) ?? { total: ZERO, keys: [], refs: [] };
    billedTotal = billedTotal.plus(billed.net);
    const diff = act.total.minus(billed.net);
    if (diff.isZero()) continue;
    const provenance = {
      rule: `year-end settlement: ${actual.rule}; ${costWords(svc.service.pricing.kind, actual, 'actual', rules, false)}`,
      basis: `actual share ${amountString(act.total)} − billed ${amountString(billed.net)} (${billed.invoices.join(', ') || 'nothing billed'}) = ${amountString(diff)}`,
      refs: [...actual.costRefs, ...act.refs],
    };
    // What it counts as billed is net of credit notes and earlier settlements (rules 8 says so; "a conto" did not).
    const description = `${svc.service.name} slutreglering ${c.year}: utfall ${formatSek(act.total)}, fakturerat ${rules >= 8 ? 'netto hittills' : 'a conto'} ${formatSek(billed.net)}`;
    if (diff.gt(0)) {
      const invoice = invoiceFrom([{
        buyer: member, series: 'T', dueKey: `settle/${c.serviceId}/${c.year}/${member}/${billing?.settled.get(c.serviceId)?.length ?? 0}`, kind: 'settlement', description,
        amount: diff, vatCategory: 'S', vatRate: c.vatRate, serviceId: c.serviceId, provenance,
      }], 'T', numbering, state, {
        year: c.year, kind: 'settlement', issueDate: c.issueDate, dueDate: addDays(c.issueDate, c.paymentTermsDays), period: String(c.year), seller: c.seller,
        references: billed.invoices.length ? billed.invoices : undefined, origin,
      });
      documents.push(invoice.number);
      events.push({ type: 'InvoiceIssued', data: invoice });
    } else {
      if (!billed.invoices.length) continue;
      const lines: CreditNoteLine[] = [{ lineNo: 1, description, amount: amountString(diff.neg()), vatCategory: 'S', vatRate: c.vatRate, serviceId: c.serviceId, provenance }];
      const credits = [...billed.invoices].reverse();
      const { number, sequence } = numbering.take('TK');
      const note: CreditNoteIssued = {
        number, series: 'TK', sequence, year: c.year, kind: 'settlement', issueDate: c.issueDate, credits, reason: `Slutreglering ${svc.service.name} ${c.year} mot utfall`,
        seller: c.seller, buyer: buyerParty(state, member), currency: 'SEK', lines, ...vatBreakdown(lines), origin,
      };
      documents.push(number);
      events.push({ type: 'CreditNoteIssued', data: note });
    }
  }
  // Settled once already and nothing to bill or credit since: a second ServiceSettled would record nothing
  // (a retry under a new date, say) but an event in the year's books.
  if (documents.length === 0 && billing?.settled.has(c.serviceId)) {
    throw new DomainError(`settlement.run ${c.serviceId} ${c.year}: redan slutreglerad, och inget har ändrats sedan: utfallets fördelning är det som fakturerats; inget att fakturera eller kreditera`);
  }
  events.push({
    type: 'ServiceSettled',
    data: {
      serviceId: c.serviceId, year: c.year, actualCost: amountString(actual.cost), billedBefore: amountString(billedTotal), difference: amountString(actual.cost.minus(billedTotal)), documents,
      // What the year's self-cost and books work its split out by once it is settled (projections/selfcost.ts).
      ...(rules >= 4 ? { rules } : {}),
    },
  });
  if (rules >= 3 && events.some((e) => e.type === 'InvoiceIssued')) assertDatedInOrder(state, c.year, ['T'], c.issueDate, `settlement.run ${c.serviceId} ${c.year}`);
  if (rules >= 9 && events.some((e) => e.type === 'CreditNoteIssued')) assertCreditDatedInOrder(state, c.year, 'TK', c.issueDate, `settlement.run ${c.serviceId} ${c.year}`);
  if (rules >= 10) {
    assertIssuable(c.seller, c.vatRate, events, `settlement.run ${c.serviceId} ${c.year}`);
    if (events.length > 0) assertRateOfBilled(state, c.serviceId, c.year, c.vatRate);
  }
  return { streamId: billingStream(c.year), events };
}

/**
 * From rules 10 a settlement charges or credits VAT at the rate of the service's invoices it adjusts (an
 * adjustment takes the rate of the supply it adjusts): by the configuration's rate of the day, a rate
 * changed since the a-conto runs credited 12 % of VAT charged at 25 %. (A year billed at two rates, the
 * configuration changed within it, is settled at either; one settlement line carries one rate.)
 */
function assertRateOfBilled(state: State, serviceId: string, year: number, vatRate: string): void {
  const rates = new Set<string>();
  for (const inv of state.billing.get(year)?.invoices.values() ?? []) {
    for (const l of inv.invoice.lines) if (l.serviceId === serviceId && l.vatCategory === 'S') rates.add(new Decimal(l.vatRate).toString());
  }
  const own = new Decimal(vatRate).toString();
  if (rates.size === 0 || rates.has(own)) return;
  throw new DomainError(
    `settlement.run ${serviceId} ${year}: momssatsen ${formatPercent(own)} är inte den som fakturorna för ${serviceId} ${year} har (${[...rates].sort().map(formatPercent).join(', ')}); en slutreglering rättar dem och tar deras momssats: ange den (serviceVatRate i samkost.config.json)`,
  );
}

/** The year's invoice or credit note issued last (the first of them in number order on that day). */
function latestDocumentOf(state: State, year: number): { number: string; issueDate: string } | undefined {
  const billing = state.billing.get(year);
  let latest: { number: string; issueDate: string } | undefined;
  const see = (d: { number: string; issueDate: string }) => {
    if (!latest || d.issueDate > latest.issueDate) latest = d;
  };
  for (const i of billing?.invoices.values() ?? []) see(i.invoice);
  for (const n of billing?.creditNotes.values() ?? []) see(n.value);
  return latest;
}

export function decideCloseYear(c: CloseYear, state: State, today: string): Decision {
  const what = `year.close ${c.year}`;
  assertYearOpen(state, c.year, what);
  // A close cannot be undone and makes every year before it final: a mistyped year or date would lock the books.
  if (c.date <= `${c.year}-12-31`) throw new DomainError(`${what}: stängningsdatumet ${c.date} ligger inte efter årets slut; ett år stängs när det har slutat (tidigast ${c.year + 1}-01-01)`);
  if (c.date > today) throw new DomainError(`${what}: stängningsdatumet ${c.date} ligger efter i dag (${today})`);
  // A close dated before a document of its year would record the year final before that document was issued.
  const latest = latestDocumentOf(state, c.year);
  if (latest && latest.issueDate > c.date) {
    throw new DomainError(`${what}: stängningsdatumet ${c.date} ligger före ${latest.number} (utfärdad ${latest.issueDate}); ett år stängs tidigast den dag dess sista faktura eller kreditfaktura utfärdades`);
  }
  const open = [...state.billing.entries()]
    .filter(([y, b]) => y < c.year && !b.closed && (b.invoices.size > 0 || b.creditNotes.size > 0))
    .map(([y]) => y)
    .sort((a, b) => a - b);
  if (open.length) throw new DomainError(`${what}: stäng först ${open.join(', ')}, som har fakturor; år stängs i ordning, eftersom ett års utgående balanser är nästa års ingående`);
  // Whatever the year's runs have left unbilled would never be billed once it is closed.
  if (state.schedules.has(c.year)) {
    const unbilled = dueInPeriod(state, parsePeriod(String(c.year)), '0', RULES_VERSION);
    if (unbilled.length) {
      const buyers = [...new Set(unbilled.map((i) => state.members.get(i.buyer)?.name ?? i.buyer))];
      throw new DomainError(`${what}: ${unbilled.length === 1 ? 'en post' : `${unbilled.length} poster`} av året är inte fakturerade (${namedFirst(buyers, 3)}); kör samkost invoice run för året först`);
    }
  }
  // A fee billed beyond what the fees give (rules 11 bills one short of it) would stay so for good.
  const beyond = state.schedules.has(c.year) ? feesDifferingFromBilled(state, c.year).filter((d) => d.billedNet.gt(d.due)) : [];
  if (beyond.length) {
    const named = beyond.map((d) => `${d.name}: ${formatSek(d.due)} enligt avgifterna, fakturerat netto ${formatSek(d.billedNet)} på ${billedFeeWords(d.billed, formatSek)}`);
    throw new DomainError(`${what}: ${beyond.length === 1 ? 'en medlemsavgift är fakturerad' : `${beyond.length} medlemsavgifter är fakturerade`} med mer än avgifterna ger (${namedFirst(named, 3)}); kreditera raden och kör samkost invoice run för året först`);
  }
  const billing = state.billing.get(c.year);
  const billed = servicesBilledIn(billing);
  const unsettled = [...state.services.values()]
    .filter((s) => billed.has(s.service.serviceId) && !billing?.settled.has(s.service.serviceId))
    .map((s) => s.service.serviceId);
  if (unsettled.length) throw new DomainError(`year.close ${c.year}: slutreglera först dessa tjänster: ${unsettled.join(', ')}`);
  // Settled, and changed since (a credit note of a settled year's line, a cost recorded after it, an
  // enrolment ended back in the year): what a settlement would still bill or credit, member by member,
  // could never be invoiced once the year is closed.
  const changed = [...state.services.values()]
    .filter((s) => billing?.settled.has(s.service.serviceId))
    .flatMap((s) => {
      const { bill, credit } = settlementDifferences(state, s, c.year, billing?.settledBy.get(s.service.serviceId) ?? RULES_VERSION);
      if (bill.isZero() && credit.isZero()) return [];
      const parts = [...(bill.isZero() ? [] : [`${formatSek(bill)} att fakturera`]), ...(credit.isZero() ? [] : [`${formatSek(credit)} att kreditera`])];
      return [`${s.service.serviceId} (${parts.join(', ')})`];
    });
  if (changed.length) {
    throw new DomainError(`${what}: slutreglera igen: ${changed.join(', ')}; utfallets fördelning och det fakturerade skiljer sig efter slutregleringen`);
  }
  return { streamId: billingStream(c.year), events: [{ type: 'YearClosed', data: { year: c.year, date: c.date, decisionRef: c.decisionRef, rules: RULES_VERSION } }] };
}
