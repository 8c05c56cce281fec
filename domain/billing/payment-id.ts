import type { EventRef } from '../event-ref';

/**
 * How a user names one recorded payment: by where its event is, `billing-2024@5` (the stream and revision
 * that `payment record` prints when it records it, and that `invoice show` lists beside each payment), or
 * by its event id (`ledger --json` and `events` give it). Both are fixed once the payment is stored: events
 * are never renumbered, and an event id is derived from its command id.
 */
export type PaymentId = { streamId: string; revision: number } | { eventId: string };

const AT = /^billing-(\d{4})@(\d{1,9})$/;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The payment `text` names (in its canonical form: see canonicalPaymentId), or undefined when it names none. */
export function parsePaymentId(text: string): PaymentId | undefined {
  const at = AT.exec(text);
  if (at) return { streamId: `billing-${at[1]}`, revision: Number(at[2]) };
  return EVENT_ID.test(text) ? { eventId: text } : undefined;
}

/**
 * One spelling per payment, so that a command given twice reads as the same command: `billing-2024@05` is
 * `billing-2024@5`, and an event id is written in lower case, as the engine makes them (src/app/ids.ts).
 */
export function canonicalPaymentId(text: string): string | undefined {
  const t = text.trim();
  const at = AT.exec(t);
  if (at) return `billing-${at[1]}@${Number(at[2])}`;
  return EVENT_ID.test(t.toLowerCase()) ? t.toLowerCase() : undefined;
}

/** A payment's id as it is shown: its stream and revision. */
export const paymentIdOf = (ref: Pick<EventRef, 'streamId' | 'revision'>): string => `${ref.streamId}@${ref.revision}`;

/**
 * The billing year whose stream holds the payment `text` names (payments are appended to their invoice's
 * year), or undefined when only its event id is given: that does not tell the year.
 */
export function paymentIdYear(text: string): number | undefined {
  const id = parsePaymentId(text);
  return id && 'streamId' in id ? Number(id.streamId.slice('billing-'.length)) : undefined;
}
