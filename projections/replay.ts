import Decimal from 'decimal.js';
import { parseDocumentNumber } from '../domain/billing/numbers';
import { canonicalJson } from '../domain/canonical-json';
import { amountString, roundOre } from '../domain/money';
import { costBase } from './splits';
import { parseRecordedCommand } from '../domain/commands';
import { commandInputOf } from '../domain/rules';
import { decide } from '../domain/decide';
import { withoutProvenance } from '../domain/documents-read';
import type { EventRef } from '../domain/event-ref';
import { checkEventData, type DomainEvent } from '../domain/events';
import { evolve, initialState, invoiceOf, servicesBilledIn, type State } from '../domain/state';
import { refundProblem } from '../domain/deciders/refund';

export interface ReplayedDocument {
  number: string;
  /** A settlement's own event when what it records does not hold (checkSettlement); `number` then names it. */
  type: 'InvoiceIssued' | 'CreditNoteIssued' | 'ServiceSettled' | 'RefundPaid';
  year: number;
  /** The stored document's event (stream, revision, position, hash); for a missing one, its command's first document. */
  ref: EventRef;
  reproduced: boolean;
  /** Decided again by its command but not in the store: taken out of the log (its chain written anew). */
  missing?: true;
  /** The first differing field, when not reproduced. */
  difference?: string;
}

interface Pending {
  event: DomainEvent;
  ref: EventRef;
}

const isDocument = (e: DomainEvent): e is Extract<DomainEvent, { type: 'InvoiceIssued' | 'CreditNoteIssued' }> =>
  e.type === 'InvoiceIssued' || e.type === 'CreditNoteIssued';

/**
 * True only when `canonicalJson(a) === canonicalJson(b)` and neither throws, decided without building the
 * strings: plain JSON values compared member by member. False means "not shown equal", never "different":
 * anything else (a toJSON, a sparse array, a non-finite number) is left to canonicalJson itself.
 */
function provablySame(a: unknown, b: unknown): boolean {
  if (a === null) return b === null;
  switch (typeof a) {
    case 'string':
    case 'boolean':
      return a === b;
    case 'number':
      return Number.isFinite(a) && a === b; // -0 and 0 are both "0" in JSON
    case 'object': {
      if (typeof b !== 'object' || b === null) return false;
      if (Array.isArray(a)) {
        if (!Array.isArray(b) || a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) {
          if (!(i in a) || !(i in b)) return false;
          const x = a[i] === undefined ? null : a[i];
          const y = b[i] === undefined ? null : b[i];
          if (!provablySame(x, y)) return false;
        }
        return true;
      }
      if (Array.isArray(b)) return false;
      if (typeof (a as { toJSON?: unknown }).toJSON === 'function' || typeof (b as { toJSON?: unknown }).toJSON === 'function') return false;
      const ra = a as Record<string, unknown>;
      const rb = b as Record<string, unknown>;
      let defined = 0;
      for (const k of Object.keys(ra)) {
        if (ra[k] === undefined) continue;
        defined += 1;
        if (!Object.prototype.propertyIsEnumerable.call(rb, k) || !provablySame(ra[k], rb[k])) return false;
      }
      for (const k of Object.keys(rb)) if (rb[k] !== undefined) defined -= 1;
      return defined === 0;
    }
    default:
      return false;
  }
}

/** `canonicalJson(a) === canonicalJson(b)`: a replay compares every document, and most are equal. */
const canonicallyEqual = (a: unknown, b: unknown): boolean => provablySame(a, b) || canonicalJson(a) === canonicalJson(b);

/** The first path where two JSON values differ, for a message a person can act on. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  // A member absent on one side (or undefined, which canonical JSON drops) has no canonical form of its own.
  if (a === undefined || b === undefined ? a === b : canonicallyEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return `${path || '(dokumentet)'}: ${differingExcerpts(JSON.stringify(a) ?? 'undefined', JSON.stringify(b) ?? 'undefined')}`;
}

/** How much of a long value a difference shows, and how much of it before the first differing character. */
const EXCERPT = 80;
const LEAD = 30;

/**
 * Both values, each cut to where they first differ when too long to show whole: two long texts with a long
 * common beginning (a line's rule) cut at the same length showed the same words twice and never the difference.
 */
export function differingExcerpts(a: string, b: string): string {
  if (a.length <= EXCERPT && b.length <= EXCERPT) return `lagrat ${a}, omräknat ${b}`;
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same += 1;
  const start = same > LEAD ? same - LEAD : 0;
  const cut = (s: string) => `${start > 0 ? '…' : ''}${s.slice(start, start + EXCERPT)}${s.length > start + EXCERPT ? '…' : ''}`;
  return `lagrat ${cut(a)}, omräknat ${cut(b)}${start > 0 ? ` (skiljer från tecken ${same + 1})` : ''}`;
}

/**
 * Replays the log: every invoice and credit note of the year is decided again, from the command recorded
 * on it and the state folded from the events that preceded it, and compared in canonical form with the
 * stored one. Feed it every event in global order; it keeps only the state, never the log.
 */
export class InvoiceReplay {
  readonly state: State = initialState();
  readonly documents: ReplayedDocument[] = [];
  private group: Pending[] = [];
  private groupKey = '';

  /**
   * `year` undefined: every document of every year. `lean`: a document, once checked, is folded without
   * its lines' provenance, which is most of its bytes and which no decision reads: every billing decision
   * reads lines at most (domain/documents-read.ts#documentDepth), and the books read a line's amount, kind
   * and service. A replay of every year (samkost verify) would otherwise hold every year's documents whole.
   */
  constructor(private readonly year?: number, private readonly lean = false) {}

  private inScope(year: number): boolean {
    return this.year === undefined || year === this.year;
  }

  feed(event: DomainEvent, ref: EventRef, commandId: string): void {
    const key = `${commandId}\u0000${ref.streamId}`;
    if (key !== this.groupKey) this.flush();
    this.groupKey = key;
    this.group.push({ event, ref });
  }

  finish(): ReplayedDocument[] {
    this.flush();
    this.checkClosedYearsSettled();
    return this.documents;
  }

  /**
   * A year is closed only when every service it billed is settled (deciders/billing.ts#decideCloseYear, so
   * since closes exist): a closed year with a billed service and no settlement has lost the settlement's
   * event, which a settlement that issued nothing leaves no document to show.
   */
  private checkClosedYearsSettled(): void {
    for (const [year, b] of this.state.billing) {
      if (!b.closed || !this.inScope(year)) continue;
      for (const serviceId of [...servicesBilledIn(b)].sort()) {
        if (b.settled.has(serviceId)) continue;
        this.documents.push({
          number: `slutreglering ${serviceId} ${year}`, type: 'ServiceSettled', year, ref: b.closed.ref, reproduced: false,
          difference: `året ${year} är stängt (${b.closed.ref.streamId} revision ${b.closed.ref.revision}), men ${serviceId}, som fakturerades ${year}, har ingen slutreglering: den har tagits bort ur loggen`,
        });
      }
    }
  }

  private flush(): void {
    const group = this.group;
    this.group = [];
    if (group.length === 0) return;
    const docs = group.filter((p) => isDocument(p.event) && this.inScope(p.event.data.year));
    if (docs.length) this.check(group);
    else this.checkSettledDocuments(group);
    for (const p of group) if (p.event.type === 'ServiceSettled' && this.inScope(p.event.data.year)) this.checkSettlement(p.event.data, p.ref);
    for (const p of group) {
      if (!this.folds(p.event)) continue;
      if (p.event.type === 'RefundPaid') this.checkRefund(p.event.data, p.ref);
      const event = this.lean && isDocument(p.event) ? ({ type: p.event.type, data: withoutProvenance(p.event.data) } as DomainEvent) : p.event;
      evolve(this.state, event, p.ref);
    }
  }

  /**
   * A replay of one year decides that year's documents again, and what they are decided from is the
   * membership, population, schedules, services and that year's billing: the deciders of a year's runs,
   * settlements and credit notes read no other year's billing. Other years' documents, payments,
   * settlements and closes are therefore left out of its state, which would otherwise hold every
   * document of every year: most of the memory of a replay of a long history, and of its GC time. A
   * credit note, payment or reversal of a payment that touches one of the year's invoices is folded whatever its own year.
   * (A document whose recorded command names another year's invoice, which no decider produces, is
   * reported as not reproduced either way; only the reason given can differ.) `year` undefined: all.
   */
  private folds(e: DomainEvent): boolean {
    const year = this.year;
    if (year === undefined) return true;
    const ofYear = (number: string) => this.state.documentYear.get(number) === year;
    switch (e.type) {
      case 'InvoiceIssued':
      case 'ServiceSettled':
      case 'YearClosed':
        return e.data.year === year;
      case 'CreditNoteIssued':
        return e.data.year === year || ofYear(e.data.credits[0]) || e.data.lines.some((l) => l.credits !== undefined && ofYear(l.credits.invoice));
      case 'PaymentRecorded':
      case 'PaymentReversed':
      case 'RefundPaid':
        return ofYear(e.data.invoice);
      default:
        return true;
    }
  }

  /**
   * A refund is no document to decide again, but it must be one its command could have paid from the state
   * before it (deciders/refund.ts#refundProblem): an amount edited beyond the member's credit, its chain
   * written anew, passed every other check while the books paid out money the member was never owed.
   */
  private checkRefund(d: Extract<DomainEvent, { type: 'RefundPaid' }>['data'], ref: EventRef): void {
    const inv = invoiceOf(this.state, d.invoice);
    const problem = inv === undefined ? `fakturan ${d.invoice} finns inte i loggen före den` : refundProblem(inv, new Decimal(d.amount), d.date);
    if (problem === undefined) return;
    this.documents.push({
      number: `återbetalning ${d.invoice} ${d.date}`, type: 'RefundPaid', year: inv?.invoice.year ?? Number(d.date.slice(0, 4)), ref, reproduced: false,
      difference: `${problem}: händelsen har ändrats`,
    });
  }

  /**
   * What a settlement's event records must hold in the state it was decided from, whatever the rules: its
   * actual cost is the service's recorded costs of the year with the overhead (but for a price list, whose
   * cost is its prices), and its difference that cost less what was billed before. A settlement that issued nothing has no document to decide again, so this
   * is what shows one altered.
   */
  private checkSettlement(d: Extract<DomainEvent, { type: 'ServiceSettled' }>['data'], ref: EventRef): void {
    const svc = this.state.services.get(d.serviceId);
    const problems: string[] = [];
    if (!svc) problems.push(`tjänsten ${d.serviceId} finns inte`);
    // A price list's cost is its participants' yearly prices (by rules from 2), which only its split gives.
    else if (svc.service.pricing.kind !== 'price-list') {
      const cost = roundOre(costBase(svc, d.year, 'actual').base.mul(new Decimal(svc.service.overheadRate).plus(1)));
      if (!cost.eq(d.actualCost)) problems.push(`utfallet med påslag är ${amountString(cost)}, slutregleringen anger ${d.actualCost}`);
    }
    if (!new Decimal(d.actualCost).minus(d.billedBefore).eq(d.difference)) problems.push(`skillnaden ${d.difference} är inte utfallet ${d.actualCost} − fakturerat ${d.billedBefore}`);
    if (problems.length === 0) return;
    this.documents.push({
      number: `slutreglering ${d.serviceId} ${d.year}`, type: 'ServiceSettled', year: d.year, ref, reproduced: false,
      difference: `${problems.join('; ')} (${ref.streamId} revision ${ref.revision}): händelsen har ändrats`,
    });
  }

  /**
   * A settlement whose documents are all gone (deleted, the chain written anew) leaves a group of its
   * ServiceSettled alone, which check() never sees: the numbers it names must still be stored. (Where one
   * of them is left, check() decides the command again and names what is missing.)
   */
  private checkSettledDocuments(group: Pending[]): void {
    for (const p of group) {
      if (p.event.type !== 'ServiceSettled' || !this.inScope(p.event.data.year)) continue;
      const { serviceId, year, documents } = p.event.data;
      for (const number of documents) {
        this.documents.push({
          number, type: parseDocumentNumber(number)?.series === 'TK' ? 'CreditNoteIssued' : 'InvoiceIssued', year, ref: p.ref, reproduced: false, missing: true,
          difference: `saknas i lagret: slutregleringen av ${serviceId} ${year} (${p.ref.streamId} revision ${p.ref.revision}) utfärdade det, men det är inte lagrat; det har tagits bort ur loggen`,
        });
      }
    }
  }

  private check(group: Pending[]): void {
    const first = group.find((p) => isDocument(p.event))!.event as Extract<DomainEvent, { type: 'InvoiceIssued' }>;
    let recomputed: DomainEvent[] = [];
    let failure: string | undefined;
    try {
      const command = parseRecordedCommand(commandInputOf(first.data.origin));
      const decision = decide(command, this.state, { today: first.data.issueDate });
      recomputed = decision.events.map((e) => ({ type: e.type, data: checkEventData(e.type, 1, e.data) }) as DomainEvent);
      // The place is part of what is reproduced: a year's documents live in that year's billing stream,
      // which is what a replay, a trace or a command of one year reads (src/app/document-filter.ts).
      const stored = group[0].ref.streamId;
      if (decision.streamId !== stored) failure = `lagrad i strömmen ${stored}, beslutad på nytt i ${decision.streamId}`;
    } catch (err) {
      failure = `kunde inte beslutas på nytt: ${(err as Error).message}`;
    }
    const again = new Map(recomputed.filter(isDocument).map((e) => [e.data.number, e.data]));
    // The order is reproduced too: two documents swapped (and their chain written anew) are each intact.
    // Among the documents stored: one deleted is reported as missing below, not as moving all after it.
    const storedNumbers = new Set(group.flatMap((p) => (isDocument(p.event) ? [p.event.data.number] : [])));
    const order = recomputed.filter(isDocument).map((e) => e.data.number).filter((n) => storedNumbers.has(n));
    let position = -1;
    let firstChecked: ReplayedDocument | undefined;
    for (const p of group) {
      if (!isDocument(p.event)) continue;
      position += 1;
      if (!this.inScope(p.event.data.year)) continue;
      const stored = p.event.data;
      const other = again.get(stored.number);
      const misplaced = other && order[position] !== stored.number
        ? `lagrad som kommandots dokument ${position + 1}, beslutad på nytt som dokument ${order.indexOf(stored.number) + 1}: dokumenten ligger i en annan ordning än kommandot gav dem`
        : undefined;
      const difference = failure ?? (other ? firstDifference(stored, other) ?? misplaced : 'uppstod inte när kommandot beslutades på nytt');
      const checked: ReplayedDocument = { number: stored.number, type: p.event.type, year: stored.year, ref: p.ref, reproduced: difference === undefined, difference };
      firstChecked ??= checked;
      this.documents.push(checked);
    }
    if (failure !== undefined) return;
    // The command's other events (a settlement's ServiceSettled) are reproduced too: one deleted or altered
    // would leave the year unsettled, and a second settlement would bill it again.
    const others = (events: readonly DomainEvent[]) => events.filter((e) => !isDocument(e)).map((e) => canonicalJson({ type: e.type, data: e.data }));
    const storedOthers = others(group.map((p) => p.event));
    const againOthers = others(recomputed);
    if (storedOthers.join('\n') !== againOthers.join('\n')) {
      const firstDoc = firstChecked;
      const what = againOthers.length > storedOthers.length ? 'saknas i lagret' : againOthers.length < storedOthers.length ? 'finns i lagret utan att kommandot ger den' : 'skiljer sig från den lagrade';
      const difference = `kommandots händelse ${recomputed.find((e) => !isDocument(e))?.type ?? group.find((p) => !isDocument(p.event))?.event.type} ${what}`;
      if (firstDoc) {
        firstDoc.reproduced = false;
        firstDoc.difference = firstDoc.difference ? `${firstDoc.difference}; ${difference}` : difference;
      }
    }
    // A document the command decides again that is not stored: deleted, and the chain written anew so that
    // every event left is intact, or the consequence of a change before it. Only what is compared above
    // would never show it.
    const at = group.find((p) => isDocument(p.event))!.ref;
    for (const e of recomputed) {
      if (!isDocument(e) || storedNumbers.has(e.data.number) || !this.inScope(e.data.year)) continue;
      this.documents.push({
        number: e.data.number, type: e.type, year: e.data.year, ref: at, reproduced: false, missing: true,
        difference: `saknas i lagret: kommandot som utfärdade ${first.data.number} (${at.streamId} revision ${at.revision}) beslutar det på nytt, men det är inte lagrat (det har tagits bort ur loggen, eller följer av en ändring före det)`,
      });
    }
  }
}
