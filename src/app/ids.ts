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

/**
 * A bank file's import (payment.import) without an id of its own is known by its rows and by the payments
 * it records (its decision), not by its rows alone: given again after a typed payment a row was taken for
 * was reversed, it records that row, and is another command than the first import (by its rows alone it
 * was answered "already recorded", and the money never recorded). The same import whose append was lost
 * decides the same payments, so its retry has the same id and events; given again after its append, it
 * records nothing, each payment being the same payment again.
 */
export const decidedImportId = (command: Extract<Command, { type: 'payment.import' }>, recorded: readonly { data: unknown }[]): string =>
  `import-${sha256(canonicalJson({ payments: command.payments, recording: recorded.map((e) => e.data) })).slice(0, 32)}`;

/**
 * Commands given again, without an id, after they were recorded: what an invoice run or a settlement does
 * depends on what is stored when it runs, not only on its words. An invoice run for 2024-01 dated
 * 2024-01-15, given again that day after a member joined, was taken by its words for the run already
 * recorded ("redan genomförd … inget nytt fakturerat") and the new member went unbilled; a settlement run
 * again after an enrolment ended was answered "redan registrerat" and its credit note never issued. Such a
 * command is decided again: what it decides is appended under an id of that decision (decidedCommandId),
 * and when it decides nothing, or is refused (its year closed since), it is answered as the recorded one,
 * as before. Neither can bill twice: a run bills only what is not yet billed, a settlement only what still
 * differs, and a retry whose append was lost decides the same documents, under the same id.
 */
export const RERUN_BY_OUTCOME: ReadonlySet<Command['type']> = new Set(['invoice.run', 'settlement.run']);

/**
 * The id of a command known by its decision: a bank file's import, or a command given again (RERUN_BY_OUTCOME). A document is named by its number, which
 * is never given twice, instead of its bytes: a year's invoice runs decide 170 MB of documents, and two
 * decisions with the same numbers are the same decision (the first stored took those numbers).
 */
export function decidedCommandId(command: Command, recorded: readonly { type: string; data: unknown }[]): string {
  if (command.type === 'payment.import') return decidedImportId(command, recorded);
  const decided = recorded.map((e) => {
    const number = (e.data as { number?: unknown }).number;
    return typeof number === 'string' ? { type: e.type, number } : { type: e.type, data: e.data };
  });
  return `c-${sha256(canonicalJson({ command, decided })).slice(0, 32)}`;
}
