import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json';
import type { Command } from '../../domain/commands';
import type { RecordPayment } from '../../domain/commands/billing';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Event ids are derived from the command id and the event's place in the command's output, so a retried
 * append carries the same ids and the store (SQLite or EventStoreDB) can recognise it.
 */
export function eventId(commandId: string, index: number): string {
  const h = sha256(`${commandId}/${index}`);
  // Formatted as a UUID (version nibble 5, RFC 4122 variant) because EventStoreDB requires one.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A payment's id from what identifies it in a bank file: the invoice, amount, value date and bank reference.
 * The same payment imported from the bank, typed with `payment record`, applied from a file or posted over
 * HTTP is then one command, recorded once.
 */
export const paymentCommandId = (c: RecordPayment): string => `payment/${c.invoice}/${c.amount}/${c.date}/${c.reference}`;

/**
 * A command without an explicit id gets one from its content: giving the same command twice (a retry after
 * a crash, a re-applied file) is then recognised and appends nothing. A payment's content is its bank
 * identity (paymentCommandId).
 */
export const contentCommandId = (command: Command): string =>
  command.type === 'payment.record' ? paymentCommandId(command) : `c-${sha256(canonicalJson(command)).slice(0, 32)}`;
