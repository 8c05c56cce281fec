import type { EventRef } from '../../domain/event-ref';
import type { DomainEvent } from '../../domain/events';
import { evolve, initialState, type State } from '../../domain/state';
import type { InvoiceIssued } from '../../domain/events/billing';
import { givenIn } from './spec';

/*
 * A billing history folded with each event in the stream its decider stores it in, at the revision it would
 * have there: payments are named as a user names them, by stream and revision (billing-2024@1).
 */

/** The event id the engine would have given the n-th event of a history here (UUID-shaped, as src/app/ids.ts makes them). */
export const idOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;

/** The stream an event is stored in by its decider: a billing year's events in its billing stream. */
function streamOf(e: DomainEvent): string {
  switch (e.type) {
    case 'InvoiceIssued':
    case 'YearClosed':
      return `billing-${e.data.year}`;
    case 'PaymentRecorded':
    case 'PaymentReversed':
    case 'RefundPaid':
      return `billing-${e.data.invoice.slice(1, 5)}`;
    default:
      return 'books-opening';
  }
}

export function billingStateOf(events: DomainEvent[]): State {
  const revisions = new Map<string, number>();
  return events.reduce((s, e, i) => {
    const streamId = streamOf(e);
    const revision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, revision);
    const ref: EventRef = { streamId, revision, position: String(i + 1), eventId: idOf(i + 1), type: e.type, recordedAt: '2024-01-01T00:00:00Z', actor: 'spec', hash: 'h'.repeat(64) };
    return evolve(s, e, ref);
  }, initialState());
}

/** given/when/then (test/support/spec.ts) over a billing history. */
export const givenBilling = givenIn(billingStateOf);

/** Göteborg's membership invoice of 2024, 50 000,00 kr, issued 2024-01-15. */
export const invoice: InvoiceIssued = {
  number: 'M2024-0001', series: 'M', sequence: 1, year: 2024, kind: 'membership', issueDate: '2024-01-15', dueDate: '2024-02-14', period: '2024',
  seller: { orgnr: '802428-2785', name: 'Föreningen Sambruk' }, buyer: { orgnr: '212000-1355', name: 'Göteborgs Stad' }, currency: 'SEK',
  lines: [{ lineNo: 1, dueKey: 'fee/2024/212000-1355', kind: 'annual-fee', description: 'Årsavgift 2024', amount: '50000.00', vatCategory: 'O', vatRate: '0', provenance: { rule: 'r', basis: 'b', refs: [] } }],
  vat: [{ category: 'O', rate: '0', taxable: '50000.00', vat: '0.00' }], totalNet: '50000.00', totalVat: '0.00', total: '50000.00',
  origin: { command: 'invoice.run', params: {} },
};
export const issued: DomainEvent = { type: 'InvoiceIssued', data: invoice };
export const paid = (amount = '35000.00', date = '2024-02-10', reference = 'BG 1'): DomainEvent => ({ type: 'PaymentRecorded', data: { invoice: 'M2024-0001', amount, date, reference } });
export const closed = (year: number, date: string): DomainEvent => ({ type: 'YearClosed', data: { year, date, rules: 5 } });
