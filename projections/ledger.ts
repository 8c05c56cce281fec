import Decimal from 'decimal.js';
import { DomainError } from '../domain/errors';
import { eventLink, type EventRef } from '../domain/event-ref';
import type { CreditNoteIssued, InvoiceIssued, InvoiceLine } from '../domain/events/billing';
import { sum, ZERO } from '../domain/money';
import { invoiceOf, type State } from '../domain/state';
import { selfCostOf, yearBilling } from './selfcost';
import { supplierInvoices } from '../domain/supplier-debt';
import { paymentIdOf } from '../domain/billing/payment-id';

/**
 * The books, derived from the events and never stored: a journal of vouchers (verifikationer) for a
 * year, its trial balance (råbalans), income statement (resultaträkning) and balance sheet
 * (balansräkning). Every voucher balances to the öre; building one that does not is a bug and throws.
 *
 * Periods: every document belongs to its billing year (`year` on the invoice or credit note), every
 * actual cost to its cost year. A document issued in an earlier year (a-conto billed in advance) is
 * booked to prepaid income (2972 membership, 2990 services) and moved to income on 1 January of its
 * year; one issued after its year (a settlement in January) is accrued on 31 December of its year
 * (1790 for an invoice, 2990 for a credit note) and booked against that accrual when it is issued.
 * Costs likewise (1790 prepaid cost, 2990 accrued cost), net of their input VAT, which is booked to 2641 on
 * the supplier invoice's date; a payment to a supplier is booked 2440 against 1930 on its date (U). A member's
 * payment is booked 1930 against 1510 on its value date (B), and a reversal of it the other way round on the
 * reversal's date (B), in the reversal's year whichever year the payment fell in. A service whose actual cost is recorded but
 * not yet fully settled gets one more accrual on 31 December: what a settlement would still bill
 * (1790) or credit (2990), so a year's service income equals what its participants owe at actual cost.
 */

export type AccountType = 'T' | 'S' | 'K' | 'I';
export interface ChartAccount { number: string; name: string; type: AccountType }

export interface JournalTransaction {
  account: string;
  /** Debit positive, credit negative. */
  amount: Decimal;
  text?: string;
}

export interface Voucher {
  /** F invoices, K credit notes, B payments and their reversals, L supplier costs, U payments to suppliers, P accruals and prepayments (periodiseringar). */
  series: string;
  /** The document number (F, K) or a running number in the year (B, L, U, P). */
  number: string;
  date: string;
  text: string;
  source: EventRef;
  transactions: JournalTransaction[];
}

export interface Chart {
  accounts: ChartAccount[];
  bank: string;
  receivables: string;
  /** Accrued income (and prepaid costs): under-collection still to be billed. */
  accruedIncome: string;
  supplierDebt: string;
  outputVat25: string;
  inputVat: string;
  /** Membership fees and contributions billed in advance for a later year. */
  prepaidFees: string;
  /** Service charges billed in advance, over-collection owed back, and accrued costs. */
  overCollection: string;
  /** Joining contributions: equity, not income. */
  equityContributions: string;
  serviceIncome: string;
  /** A sub-account per service (e.g. { egil: '3011' }); a missing one is added to the chart with the service's name. */
  serviceIncomeFor?: Record<string, string>;
  membershipIncome: string;
  levyIncome: string;
  itCosts: string;
  /** Where earlier years' results are carried in the opening balances (default 2091). */
  retainedEarnings?: string;
  /** Costs of a year booked after it (default: the overCollection account, BAS 2990). */
  accruedCosts?: string;
}

export const DEFAULT_CHART: Chart = {
  accounts: [
    { number: '1510', name: 'Kundfordringar', type: 'T' },
    { number: '1790', name: 'Övriga förutbetalda kostnader och upplupna intäkter', type: 'T' },
    { number: '1930', name: 'Företagskonto', type: 'T' },
    { number: '2083', name: 'Inbetalda insatser', type: 'S' },
    { number: '2091', name: 'Balanserad vinst eller förlust', type: 'S' },
    { number: '2440', name: 'Leverantörsskulder', type: 'S' },
    { number: '2611', name: 'Utgående moms på försäljning inom Sverige, 25 %', type: 'S' },
    { number: '2641', name: 'Debiterad ingående moms', type: 'S' },
    { number: '2972', name: 'Förutbetalda medlemsavgifter', type: 'S' },
    { number: '2990', name: 'Övriga upplupna kostnader och förutbetalda intäkter', type: 'S' },
    { number: '3001', name: 'Försäljning inom Sverige, 25 % moms', type: 'I' },
    { number: '3740', name: 'Öres- och kronutjämning', type: 'I' },
    { number: '3890', name: 'Medlemsavgifter', type: 'I' },
    { number: '3891', name: 'Extra utdebitering', type: 'I' },
    { number: '6540', name: 'IT-tjänster', type: 'K' },
  ],
  bank: '1930',
  receivables: '1510',
  accruedIncome: '1790',
  supplierDebt: '2440',
  outputVat25: '2611',
  inputVat: '2641',
  prepaidFees: '2972',
  overCollection: '2990',
  equityContributions: '2083',
  serviceIncome: '3001',
  membershipIncome: '3890',
  levyIncome: '3891',
  itCosts: '6540',
  retainedEarnings: '2091',
};

const yearOf = (date: string): number => Number(date.slice(0, 4));

/**
 * The chart with a named account for every per-service income account it maps to, and for every account
 * the recorded opening balances name that it lacks (2061, say): SIE 4E gives #IB and #UB only for accounts
 * it lists with #KONTO. Such an account is named by its number; `--chart` names it properly.
 */
export function chartFor(state: State, chart: Chart = DEFAULT_CHART): Chart {
  const accounts = [...chart.accounts];
  for (const [serviceId, number] of Object.entries(chart.serviceIncomeFor ?? {})) {
    if (accounts.some((a) => a.number === number)) continue;
    const name = state.services.get(serviceId)?.service.name ?? serviceId;
    accounts.push({ number, name: `Försäljning ${name}, 25 % moms`, type: 'I' });
  }
  for (const { account } of state.openingBalances?.value.balances ?? []) {
    if (accounts.some((a) => a.number === account)) continue;
    accounts.push({ number: account, name: `Konto ${account}`, type: account.startsWith('1') ? 'T' : 'S' });
  }
  return { ...chart, accounts: accounts.sort((a, b) => compareAccounts(a.number, b.number)) };
}

const compareAccounts = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** T (asset) and S (liability, equity) accounts carry over from year to year; K and I close into the result. */
export function accountType(chart: Chart, account: string): AccountType {
  const known = chart.accounts.find((a) => a.number === account)?.type;
  if (known) return known;
  return account.startsWith('1') ? 'T' : account.startsWith('2') ? 'S' : account.startsWith('3') ? 'I' : 'K';
}

export const isBalanceAccount = (chart: Chart, account: string): boolean => ['T', 'S'].includes(accountType(chart, account));

const comparePositions = (a: string, b: string): number => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0);

interface Draft extends Omit<Voucher, 'number'> {
  number?: string;
}

const SERIES_RANK: Record<string, number> = { F: 1, K: 2, B: 3, L: 4, U: 5, P: 6 };

/** Adds up the transactions per account (first appearance order) and drops the zeros. */
export function merged(transactions: JournalTransaction[]): JournalTransaction[] {
  const byAccount = new Map<string, Decimal>();
  for (const t of transactions) byAccount.set(t.account, (byAccount.get(t.account) ?? ZERO).plus(t.amount));
  return [...byAccount.entries()].filter(([, a]) => !a.isZero()).map(([account, amount]) => ({ account, amount }));
}

/** A document line as the books take it: its net amount, the account it is income on, and the one it is prepaid to. */
export interface DocLine { account: string; prepaid: string; amount: Decimal }

/** What the books read of an invoice line a credit note credits: its kind and service. */
export type CreditedLine = Pick<InvoiceLine, 'kind' | 'serviceId'>;

/** The document fields a voucher is built from (InvoiceIssued, CreditNoteIssued). */
export type BookedDocument = Pick<InvoiceIssued, 'number' | 'year' | 'issueDate' | 'total' | 'totalVat'>;

/** The series and transactions of a document's voucher in a year (F, K or P), before merging per account and numbering. */
export interface DocumentDraft { series: string; date: string; transactions: JournalTransaction[]; kind: 'issued' | 'prepaid' | 'accrued' }

/** The income account of a line's kind and service, by the chart. */
function incomeAccountOf(c: Chart, kind: InvoiceLine['kind'], serviceId?: string): string {
  const serviceAccount = (serviceId && c.serviceIncomeFor?.[serviceId]) || c.serviceIncome;
  switch (kind) {
    case 'annual-fee': return c.membershipIncome;
    case 'levy': return c.levyIncome;
    case 'joining-contribution': return c.equityContributions;
    case 'a-conto':
    case 'settlement': return serviceAccount;
  }
}

/** An invoice's lines as the books take them: by the chart (chartFor's), each line's income and prepaid account. */
export function invoiceLines(c: Chart, doc: Pick<InvoiceIssued, 'lines'>): DocLine[] {
  return doc.lines.map((l) => ({
    account: incomeAccountOf(c, l.kind, l.serviceId),
    prepaid: l.kind === 'a-conto' || l.kind === 'settlement' || l.serviceId !== undefined ? c.overCollection : c.prepaidFees,
    amount: new Decimal(l.amount),
  }));
}

/**
 * A credit note's lines as the books take them: each on the account of the invoice line it credits
 * (`credited`, undefined where that line is not known), else by its own service or VAT category.
 */
export function creditLines(c: Chart, doc: Pick<CreditNoteIssued, 'lines'>, credited: (invoice: string, lineNo: number) => CreditedLine | undefined): DocLine[] {
  return doc.lines.map((l) => {
    const original = l.credits ? credited(l.credits.invoice, l.credits.lineNo) : undefined;
    const service = original ? original.kind === 'a-conto' || original.kind === 'settlement' || original.serviceId !== undefined : l.serviceId !== undefined || l.vatCategory === 'S';
    const account = original ? incomeAccountOf(c, original.kind, original.serviceId) : service ? ((l.serviceId && c.serviceIncomeFor?.[l.serviceId]) || c.serviceIncome) : c.membershipIncome;
    return { account, prepaid: service ? c.overCollection : c.prepaidFees, amount: new Decimal(l.amount) };
  });
}

/**
 * The vouchers a document gives in the books of `year` (sign 1 an invoice, −1 a credit note): F or K when it
 * is issued in the year (receivables the total, each line's net to its income account, or to prepaid
 * income when it bills a later year, or against the accrual when an earlier one, and the VAT to output
 * VAT); P on 1 January when it was issued in an earlier year for this one (prepaid income to income), and P
 * on 31 December when it is issued in a later year for this one (the accrual). What `journal` books and
 * check-audit expects of a package's vouchers.
 */
export function documentDrafts(c: Chart, doc: BookedDocument, sign: 1 | -1, lines: readonly DocLine[], year: number): DocumentDraft[] {
  const issueYear = yearOf(doc.issueDate);
  const accrual = sign > 0 ? c.accruedIncome : c.overCollection;
  const s = (d: Decimal) => (sign > 0 ? d : d.neg());
  const out: DocumentDraft[] = [];
  if (issueYear === year) {
    const target = (l: DocLine) => (doc.year === issueYear ? l.account : doc.year > issueYear ? l.prepaid : accrual);
    out.push({
      kind: 'issued', series: sign > 0 ? 'F' : 'K', date: doc.issueDate,
      transactions: [
        { account: c.receivables, amount: s(new Decimal(doc.total)) },
        ...lines.map((l) => ({ account: target(l), amount: s(l.amount).neg() })),
        { account: c.outputVat25, amount: s(new Decimal(doc.totalVat)).neg() },
      ],
    });
  }
  if (doc.year === year && issueYear < year) {
    out.push({ kind: 'prepaid', series: 'P', date: `${year}-01-01`, transactions: lines.flatMap((l) => [{ account: l.prepaid, amount: s(l.amount) }, { account: l.account, amount: s(l.amount).neg() }]) });
  }
  if (doc.year === year && issueYear > year) {
    out.push({ kind: 'accrued', series: 'P', date: `${year}-12-31`, transactions: lines.flatMap((l) => [{ account: accrual, amount: s(l.amount) }, { account: l.account, amount: s(l.amount).neg() }]) });
  }
  return out;
}

/**
 * The journal of a year: every voucher dated in it, in date order, each balanced. A voucher that does not
 * balance is a bug, or a log edited behind the store, and throws; with `keepUnbalanced` (the audit
 * package, which records what the log holds for check-audit to name) it is kept as it came out.
 */
/**
 * What a payment, its reversal or a refund books (series B): a payment debits the bank and credits the
 * receivable; a reversal (of the payment's amount) and a refund of the member's credit the other way round.
 * One place for journal and for check-audit, which holds a package's B vouchers to it.
 */
export function bankTransactions(c: Pick<Chart, 'bank' | 'receivables'>, kind: 'payment' | 'reversal' | 'refund', amount: Decimal): JournalTransaction[] {
  return kind === 'payment'
    ? [{ account: c.bank, amount }, { account: c.receivables, amount: amount.neg() }]
    : [{ account: c.receivables, amount }, { account: c.bank, amount: amount.neg() }];
}

export function journal(state: State, year: number, chart: Chart = DEFAULT_CHART, opts: { keepUnbalanced?: boolean } = {}): Voucher[] {
  const c = chartFor(state, chart);
  const known = new Set(c.accounts.map((a) => a.number));
  const serviceAccount = (serviceId?: string): string => (serviceId && c.serviceIncomeFor?.[serviceId]) || c.serviceIncome;
  const accruedCosts = c.accruedCosts ?? c.overCollection;
  const credited = (invoice: string, lineNo: number): CreditedLine | undefined =>
    invoiceOf(state, invoice)?.invoice.lines.find((x) => x.lineNo === lineNo);

  const drafts: Draft[] = [];
  const document = (doc: InvoiceIssued | CreditNoteIssued, ref: EventRef, sign: 1 | -1, lines: DocLine[], text: string): void => {
    const issueYear = yearOf(doc.issueDate);
    for (const d of documentDrafts(c, doc, sign, lines, year)) {
      const { kind, ...draft } = d;
      const texts = {
        issued: text,
        prepaid: `Förutbetalt ${issueYear} till intäkt ${year}: ${doc.number} ${doc.buyer.name}`,
        accrued: `Periodisering ${year}: ${doc.number} ${doc.buyer.name}, utfärdad ${doc.issueDate}`,
      };
      drafts.push({ ...draft, ...(kind === 'issued' && { number: doc.number }), text: texts[kind], source: ref });
    }
  };

  for (const b of state.billing.values()) {
    for (const inv of b.invoices.values()) {
      const d = inv.invoice;
      document(d, inv.ref, 1, invoiceLines(c, d), `Faktura ${d.number} ${d.buyer.name}`);
      for (const p of inv.payments) {
        if (yearOf(p.date) === year) {
          drafts.push({
            series: 'B', date: p.date, text: `Inbetalning ${d.number} ${d.buyer.name} (${p.reference})`, source: p.ref,
            transactions: bankTransactions(c, 'payment', p.amount),
          });
        }
        // A reversal is a correction voucher of its own, on its own date (in its own year, whichever year the
        // payment was booked in): the payment's voucher with debit and credit swapped, naming the payment.
        if (p.reversed && yearOf(p.reversed.date) === year) {
          drafts.push({
            series: 'B', date: p.reversed.date,
            text: `Återförd inbetalning ${d.number} ${d.buyer.name} (${p.reference}, betald ${p.date}, ${paymentIdOf(p.ref)}): ${p.reversed.reason}`, source: p.reversed.ref,
            transactions: bankTransactions(c, 'reversal', p.amount),
          });
        }
      }
      // Money paid back of the member's credit: out of the bank, and the receivable's credit balance closed by it.
      for (const r of inv.refunds) {
        if (yearOf(r.date) !== year) continue;
        drafts.push({
          series: 'B', date: r.date, text: `Återbetalning ${d.number} ${d.buyer.name} (${r.reference}): ${r.reason}`, source: r.ref,
          transactions: bankTransactions(c, 'refund', r.amount),
        });
      }
    }
    for (const cn of b.creditNotes.values()) {
      const d = cn.value;
      document(d, cn.ref, -1, creditLines(c, d, credited), `Kreditfaktura ${d.number} ${d.buyer.name} (avser ${d.credits.join(', ')}): ${d.reason}`);
    }
  }

  const billing = yearBilling(state, year);
  for (const svc of state.services.values()) {
    for (const [costYear, costs] of svc.actualCosts) {
      for (const { value: cost, ref } of costs) {
        const amount = new Decimal(cost.amount);
        const dateYear = yearOf(cost.date);
        const what = `${cost.supplier} ${cost.reference} (${svc.service.name} ${costYear})`;
        if (dateYear === year) {
          // The net amount is the cost (or its prepayment or accrual); the input VAT is recovered, not a cost,
          // and is booked once, on the invoice's date. The supplier is owed both.
          const debit = costYear === dateYear ? c.itCosts : costYear > dateYear ? c.accruedIncome : accruedCosts;
          const vat = new Decimal(cost.vat ?? 0);
          drafts.push({
            series: 'L', date: cost.date, text: `Leverantörsfaktura ${what}`, source: ref,
            transactions: [{ account: debit, amount }, { account: c.inputVat, amount: vat }, { account: c.supplierDebt, amount: amount.plus(vat).neg() }],
          });
        }
        if (costYear === year && dateYear !== year) {
          drafts.push({
            series: 'P', date: dateYear < year ? `${year}-01-01` : `${year}-12-31`,
            text: `${dateYear < year ? 'Förutbetald kostnad' : 'Upplupen kostnad'} ${year}: ${what}`, source: ref,
            transactions: [{ account: c.itCosts, amount }, { account: dateYear < year ? c.accruedIncome : accruedCosts, amount: amount.neg() }],
          });
        }
      }
    }
    for (const [costYear, payments] of svc.supplierPayments) {
      const suppliers = new Map(supplierInvoices(svc, costYear).map((i) => [i.reference, i.supplier]));
      for (const { value: p, ref } of payments) {
        if (yearOf(p.date) !== year) continue;
        const amount = new Decimal(p.amount);
        drafts.push({
          series: 'U', date: p.date, text: `Utbetalning till ${suppliers.get(p.reference) ?? 'leverantör'} ${p.reference} (${svc.service.name} ${costYear})`, source: ref,
          transactions: [{ account: c.supplierDebt, amount }, { account: c.bank, amount: amount.neg() }],
        });
      }
    }
    const costs = svc.actualCosts.get(year);
    if (costs?.length) {
      const remaining = selfCostOf(state, svc, year, undefined, billing).settlementRemaining;
      if (remaining && !remaining.isZero()) {
        drafts.push({
          series: 'P', date: `${year}-12-31`, source: costs[costs.length - 1].ref,
          text: `Självkostnad ${svc.service.name} ${year}: ${remaining.gt(0) ? 'underuttag att fakturera' : 'överuttag att återbetala'} vid slutreglering`,
          transactions: [
            { account: remaining.gt(0) ? c.accruedIncome : c.overCollection, amount: remaining },
            { account: serviceAccount(svc.service.serviceId), amount: remaining.neg() },
          ],
        });
      }
    }
  }

  drafts.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)
    || (SERIES_RANK[a.series] ?? 9) - (SERIES_RANK[b.series] ?? 9)
    || comparePositions(a.source.position, b.source.position));
  const kept = drafts.map((d) => ({ ...d, transactions: merged(d.transactions) })).filter((d) => d.transactions.length > 0);
  // A running series (B, L, U, P) is numbered in the order its events were registered, not by date: a payment
  // registered later but dated earlier gets the next number, and no voucher already numbered is renumbered
  // (bokföringslagen 5 kap.: a verifikation's number stays). The journal still lists them by date.
  const numbers = new Map<(typeof kept)[number], string>();
  const running = new Map<string, number>();
  const byRegistration = kept.map((d, i) => ({ d, i })).filter(({ d }) => d.number === undefined)
    .sort((a, b) => comparePositions(a.d.source.position, b.d.source.position) || a.i - b.i);
  for (const { d } of byRegistration) {
    const n = (running.get(d.series) ?? 0) + 1;
    running.set(d.series, n);
    numbers.set(d, String(n));
  }
  const vouchers: Voucher[] = [];
  for (const d of kept) {
    const { transactions } = d;
    const number = d.number ?? (numbers.get(d) as string);
    const voucher: Voucher = { ...d, number, transactions };
    const total = sum(transactions.map((t) => t.amount));
    if (!total.isZero() && !opts.keepUnbalanced) throw new Error(`ledger ${year}: verifikation ${voucher.series} ${voucher.number} balanserar inte (${total.toFixed(2)})`);
    for (const t of transactions) {
      if (!known.has(t.account)) throw new DomainError(`ledger ${year}: konto ${t.account} (verifikation ${voucher.series} ${voucher.number}) finns inte i kontoplanen`);
    }
    vouchers.push(voucher);
  }
  return vouchers;
}

/**
 * A voucher as `samkost ledger --json` and the audit package give it: its source named by stream, revision,
 * position, event id, type and hash (a ref from the engine's ref table is a handle; this is a plain copy).
 */
export const voucherRecord = (v: Voucher) => ({
  series: v.series, number: v.number, date: v.date, text: v.text,
  source: eventLink(v.source),
  transactions: v.transactions,
});

/**
 * The supplier costs and payments a year's books rest on: every cost of the year's cost year or dated in
 * it, every payment for a cost of the year or dated in it. Not only each voucher's source: a service's
 * self-cost accrual (P) names its last cost and rests on all of them, and a cost or payment whose voucher
 * falls in another year still counts in the year's self-cost or supplier debt.
 */
export function bookedCostRefs(state: State, year: number): EventRef[] {
  const refs: EventRef[] = [];
  for (const svc of state.services.values()) {
    for (const [costYear, costs] of svc.actualCosts) {
      for (const c of costs) if (costYear === year || yearOf(c.value.date) === year) refs.push(c.ref);
    }
    for (const [costYear, payments] of svc.supplierPayments) {
      for (const p of payments) if (costYear === year || yearOf(p.value.date) === year) refs.push(p.ref);
    }
  }
  return refs;
}

/** What the books hold that is booked on a date. */
export type BookedKind = 'invoice' | 'credit-note' | 'payment' | 'reversal' | 'refund' | 'supplier-cost' | 'supplier-payment';

/**
 * Visits everything the books hold that is booked on a date: each document (with the year it bills), each
 * payment and its reversal, each refund, each supplier cost (with its cost year) and each payment to a supplier. The one
 * enumeration behind the books' span (bookedYears) and verify's checks of them, so that a kind of booking
 * added later is met by each. A callback rather than a list: a national history holds hundreds of
 * thousands of them, and commands ask for the span.
 */
export function forEachBooked(state: State, visit: (kind: BookedKind, date: string, ref: EventRef, year?: number) => void): void {
  for (const b of state.billing.values()) {
    for (const i of b.invoices.values()) {
      visit('invoice', i.invoice.issueDate, i.ref, i.invoice.year);
      for (const p of i.payments) {
        visit('payment', p.date, p.ref);
        if (p.reversed) visit('reversal', p.reversed.date, p.reversed.ref);
      }
      for (const r of i.refunds) visit('refund', r.date, r.ref);
    }
    for (const cn of b.creditNotes.values()) visit('credit-note', cn.value.issueDate, cn.ref, cn.value.year);
  }
  for (const svc of state.services.values()) {
    for (const [year, costs] of svc.actualCosts) for (const c of costs) visit('supplier-cost', c.value.date, c.ref, year);
    for (const payments of svc.supplierPayments.values()) for (const p of payments) visit('supplier-payment', p.value.date, p.ref);
  }
}

/** The first and last years with anything in the books: a document, a payment, a cost or a payment to a supplier. */
export function bookedYears(state: State): { first: number; last: number } | undefined {
  // A running minimum and maximum: a national history has hundreds of thousands of dates, too many to
  // spread into Math.min's arguments (that overflowed the stack, and `ledger` and SIE 4E failed on ten years).
  let first = Infinity;
  let last = -Infinity;
  const see = (year: number) => {
    if (year < first) first = year;
    if (year > last) last = year;
  };
  forEachBooked(state, (_kind, date, _ref, year) => {
    if (year !== undefined) see(year);
    see(yearOf(date));
  });
  return first === Infinity ? undefined : { first, last };
}

/** The first year with anything in the books. */
export const firstYear = (state: State): number | undefined => bookedYears(state)?.first;

/**
 * Why the books have no year `year` to show or export (before the first year with anything in them, or
 * after both the last and the current year, recorded opening balances counting), or undefined when they
 * have: a mistyped year gets a refusal, not an empty file that looks like a year's books. The current year
 * has its opening balances before its first voucher.
 */
export function yearOutsideBooks(state: State, year: number, currentYear: number): string | undefined {
  const span = bookedYears(state);
  const opening = state.openingBalances?.value.year;
  // Recorded opening balances are where the books begin: what is of an earlier year is in them.
  const first = opening ?? span?.first ?? Infinity;
  const last = Math.max(span?.last ?? -Infinity, opening ?? -Infinity);
  if (first === Infinity) return `bokföringen är tom: inga fakturor, betalningar, kostnader eller ingående balanser finns att visa för ${year}`;
  const until = Math.max(last, currentYear);
  if (year < first || year > until) return `bokföringen har inget för ${year}: den omfattar ${first === until ? first : `${first}–${until}`}`;
  return undefined;
}

/**
 * The recorded opening balances (`ledger opening`) when a year's IB rests on them: every year from theirs on.
 * What the audit package of such a year must hold, so that an auditor can trace its IB to the event.
 */
export function openingBalancesEvent(state: State, year: number): { year: number; ref: EventRef } | undefined {
  const recorded = state.openingBalances;
  return recorded && year >= recorded.value.year ? { year: recorded.value.year, ref: recorded.ref } : undefined;
}

/**
 * Opening balances (IB) of a year: the recorded opening balances of the books' first year (when the year is
 * that one or later), plus the balance accounts' movements in every earlier year's journal, each earlier
 * year's result carried to retained earnings (2091). So IB of the recorded year is the recorded balances,
 * and every later year's IB is the year before's UB.
 */
export function openingBalances(state: State, year: number, chart: Chart = DEFAULT_CHART): Map<string, Decimal> {
  const c = chartFor(state, chart);
  const balances = new Map<string, Decimal>();
  const add = (account: string, amount: Decimal) => balances.set(account, (balances.get(account) ?? ZERO).plus(amount));
  const recorded = state.openingBalances?.value;
  if (recorded && recorded.year <= year) for (const b of recorded.balances) add(b.account, new Decimal(b.amount));
  // From the recorded year, when there is one: the recorded balances stand for everything before it, so a
  // voucher of an earlier year (a year-end accrual of 2024 for a run of 2024 made in 2025) is not counted
  // on top of them. Books recorded to open in 2023 with their first invoice in 2024 carry 2023 (a year of
  // no vouchers) forward too.
  const first = recorded && recorded.year <= year ? recorded.year : (firstYear(state) ?? year);
  for (let y = first; y < year; y++) {
    let result = ZERO;
    for (const v of journal(state, y, c)) {
      for (const t of v.transactions) {
        if (isBalanceAccount(c, t.account)) add(t.account, t.amount);
        else result = result.plus(t.amount);
      }
    }
    add(c.retainedEarnings ?? '2091', result);
  }
  return new Map([...balances].filter(([, a]) => !a.isZero()));
}

export interface TrialBalanceRow {
  account: string;
  name: string;
  type: AccountType;
  /** Opening balance (IB), debit positive. */
  opening: Decimal;
  debit: Decimal;
  credit: Decimal;
  /** The year's movement: debit − credit. */
  balance: Decimal;
  /** Closing balance (UB): opening + balance. */
  closing: Decimal;
}

/** Råbalans: per account the opening balance, the year's debits and credits, and the closing balance. */
export function trialBalance(vouchers: readonly Voucher[], chart: Chart = DEFAULT_CHART, opening: ReadonlyMap<string, Decimal> = new Map()): TrialBalanceRow[] {
  const rows = new Map<string, { debit: Decimal; credit: Decimal }>();
  for (const account of opening.keys()) rows.set(account, { debit: ZERO, credit: ZERO });
  for (const v of vouchers) {
    for (const t of v.transactions) {
      const r = rows.get(t.account) ?? { debit: ZERO, credit: ZERO };
      if (t.amount.gt(0)) r.debit = r.debit.plus(t.amount);
      else r.credit = r.credit.minus(t.amount);
      rows.set(t.account, r);
    }
  }
  return [...rows.entries()].sort(([a], [b]) => compareAccounts(a, b)).map(([account, r]) => {
    const ib = opening.get(account) ?? ZERO;
    const balance = r.debit.minus(r.credit);
    return {
      account, name: chart.accounts.find((a) => a.number === account)?.name ?? '', type: accountType(chart, account),
      opening: ib, debit: r.debit, credit: r.credit, balance, closing: ib.plus(balance),
    };
  });
}

export interface StatementLine {
  label: string;
  /** As presented: income and assets positive, costs negative, equity and liabilities positive. */
  amount: Decimal;
  accounts: { account: string; name: string; amount: Decimal }[];
}

export interface IncomeStatement {
  revenue: StatementLine[];
  expenses: StatementLine[];
  /** Rörelseresultat. */
  operatingResult: Decimal;
  financial: StatementLine[];
  /** Årets resultat. */
  result: Decimal;
}

function group(rows: { account: string; name: string; amount: Decimal }[], labels: string[], labelOf: (account: string) => string, always: string[]): StatementLine[] {
  return labels.map((label) => {
    const accounts = rows.filter((r) => labelOf(r.account) === label && !r.amount.isZero());
    return { label, amount: sum(accounts.map((a) => a.amount)), accounts };
  }).filter((l) => always.includes(l.label) || l.accounts.length > 0);
}

/** Resultaträkning from a trial balance: the result accounts (K, I), income positive and costs negative. */
export function incomeStatement(trial: readonly TrialBalanceRow[], chart: Chart = DEFAULT_CHART): IncomeStatement {
  const rows = trial.filter((r) => !isBalanceAccount(chart, r.account)).map((r) => ({ account: r.account, name: r.name, amount: r.balance.neg() }));
  const membership = new Set([chart.membershipIncome, chart.levyIncome]);
  const labelOf = (account: string): string => {
    const n = Number(account.slice(0, 4).padEnd(4, '0'));
    if (membership.has(account)) return 'Medlemsavgifter';
    if (n >= 3000 && n < 3800) return 'Nettoomsättning';
    if (n >= 3800 && n < 4000) return 'Övriga rörelseintäkter';
    if (n >= 4000 && n < 5000) return 'Råvaror och förnödenheter';
    if (n >= 7000 && n < 8000) return 'Personalkostnader';
    if (n >= 8000) return 'Finansiella poster';
    return 'Övriga externa kostnader';
  };
  const revenue = group(rows, ['Nettoomsättning', 'Medlemsavgifter', 'Övriga rörelseintäkter'], labelOf, ['Nettoomsättning', 'Medlemsavgifter']);
  const expenses = group(rows, ['Råvaror och förnödenheter', 'Övriga externa kostnader', 'Personalkostnader'], labelOf, ['Övriga externa kostnader']);
  const financial = group(rows, ['Finansiella poster'], labelOf, []);
  const operatingResult = sum([...revenue, ...expenses].map((l) => l.amount));
  return { revenue, expenses, operatingResult, financial, result: operatingResult.plus(sum(financial.map((l) => l.amount))) };
}

export interface BalanceSheet {
  assets: StatementLine[];
  totalAssets: Decimal;
  equity: StatementLine[];
  totalEquity: Decimal;
  liabilities: StatementLine[];
  totalLiabilities: Decimal;
  totalEquityAndLiabilities: Decimal;
}

/** Balansräkning at the end of the year from a trial balance with opening balances; Årets resultat closes the result accounts. */
export function balanceSheet(trial: readonly TrialBalanceRow[], chart: Chart = DEFAULT_CHART): BalanceSheet {
  const balance = trial.filter((r) => isBalanceAccount(chart, r.account));
  const n = (account: string) => Number(account.slice(0, 4).padEnd(4, '0'));
  const assetRows = balance.filter((r) => accountType(chart, r.account) === 'T').map((r) => ({ account: r.account, name: r.name, amount: r.closing }));
  const otherRows = balance.filter((r) => accountType(chart, r.account) === 'S').map((r) => ({ account: r.account, name: r.name, amount: r.closing.neg() }));
  const assets = group(assetRows, ['Kundfordringar', 'Förutbetalda kostnader och upplupna intäkter', 'Kassa och bank', 'Övriga tillgångar'], (a) => {
    const x = n(a);
    return x >= 1500 && x < 1600 ? 'Kundfordringar' : x >= 1700 && x < 1800 ? 'Förutbetalda kostnader och upplupna intäkter' : x >= 1900 && x < 2000 ? 'Kassa och bank' : 'Övriga tillgångar';
  }, ['Kundfordringar', 'Kassa och bank']);
  const retained = chart.retainedEarnings ?? '2091';
  const isEquity = (a: string) => a === chart.equityContributions || a === retained || (n(a) >= 2000 && n(a) < 2100);
  const equity = group(otherRows.filter((r) => isEquity(r.account)), ['Inbetalda insatser', 'Balanserat resultat', 'Övrigt eget kapital'], (a) => (
    a === chart.equityContributions ? 'Inbetalda insatser' : a === retained ? 'Balanserat resultat' : 'Övrigt eget kapital'
  ), ['Inbetalda insatser']);
  const result = incomeStatement(trial, chart).result;
  equity.push({ label: 'Årets resultat', amount: result, accounts: [] });
  const liabilities = group(otherRows.filter((r) => !isEquity(r.account)), ['Leverantörsskulder', 'Skatteskulder och moms', 'Upplupna kostnader och förutbetalda intäkter', 'Övriga skulder'], (a) => {
    const x = n(a);
    return x >= 2400 && x < 2500 ? 'Leverantörsskulder' : x >= 2500 && x < 2700 ? 'Skatteskulder och moms' : x >= 2900 && x < 3000 ? 'Upplupna kostnader och förutbetalda intäkter' : 'Övriga skulder';
  }, ['Leverantörsskulder', 'Skatteskulder och moms', 'Upplupna kostnader och förutbetalda intäkter']);
  const totalAssets = sum(assets.map((l) => l.amount));
  const totalEquity = sum(equity.map((l) => l.amount));
  const totalLiabilities = sum(liabilities.map((l) => l.amount));
  return { assets, totalAssets, equity, totalEquity, liabilities, totalLiabilities, totalEquityAndLiabilities: totalEquity.plus(totalLiabilities) };
}

/** What a year's books say without any earlier year: its vouchers and its income statement. */
export interface YearResult {
  year: number;
  chart: Chart;
  vouchers: Voucher[];
  income: IncomeStatement;
}

export interface Ledger extends YearResult {
  opening: Map<string, Decimal>;
  trial: TrialBalanceRow[];
  balance: BalanceSheet;
}

/**
 * The year's vouchers and income statement alone. The statement reads result accounts only, which open at
 * zero every year, so it needs no opening balances, and those are the journals of every earlier year: on a
 * ten-year national history a third of `ledger`'s time. The statement equals `ledger`'s (tested).
 */
export function yearResult(state: State, year: number, chart: Chart = DEFAULT_CHART): YearResult {
  const c = chartFor(state, chart);
  const vouchers = journal(state, year, c);
  return { year, chart: c, vouchers, income: incomeStatement(trialBalance(vouchers, c), c) };
}

/** The year's books in one call: journal, opening balances, trial balance and the two statements. */
export function ledger(state: State, year: number, chart: Chart = DEFAULT_CHART): Ledger {
  const c = chartFor(state, chart);
  const vouchers = journal(state, year, c);
  const opening = openingBalances(state, year, c);
  const trial = trialBalance(vouchers, c, opening);
  return { year, chart: c, vouchers, opening, trial, income: incomeStatement(trial, c), balance: balanceSheet(trial, c) };
}
