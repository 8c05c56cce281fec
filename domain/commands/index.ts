import { z } from 'zod';
import { membershipCommands } from './membership';
import { serviceCommands } from './services';
import { billingCommands, CreditInvoice, RunInvoices, SettleService } from './billing';
import { bookCommands } from './books';
import { firstIssue, swedishIssue } from '../issue-words';
import { IsoDate } from '../primitives';

/** Every command a user or a script can give, as one JSON object with a `type`. */
export const Command = z.discriminatedUnion('type', [...membershipCommands, ...serviceCommands, ...billingCommands, ...bookCommands]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];

/** An optional command id may ride along any command (e.g. on a line of an apply file). */
export const CommandEnvelope = z.object({ commandId: z.string().min(1).max(200).optional() }).passthrough();

/** A command that does not parse: the message names the field; `path` and `issue` are its parts, for an edge that names the field otherwise (a flag). */
export class CommandValidationError extends Error {
  constructor(message: string, readonly path: readonly PropertyKey[] = [], readonly issue = message) {
    super(message);
  }
}

/** Parses a command; the message names the field and the problem in Swedish, e.g. `orgnr: ogiltigt organisationsnummer …`. */
export function parseCommand(input: unknown): Command {
  const parsed = Command.safeParse(input, { error: swedishIssue });
  const type = (input as { type?: unknown } | null)?.type;
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CommandValidationError(`${typeof type === 'string' ? `${type}: ` : ''}${firstIssue(parsed.error)}`, first.path, first.message);
  }
  return withoutUnknownFields(input, parsed.data);
}

/** The parsed command, once `input` is seen to have no field the command does not have. */
function withoutUnknownFields(input: unknown, command: Command): Command {
  // A field the command does not have is refused, never dropped: "line" for "lines" would credit a whole
  // invoice instead of one line, and a command that does not say what it seems to must not be stored.
  const fields = Object.keys(FIELDS[command.type]);
  const unknown = Object.keys(input as object).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw new CommandValidationError(`${command.type}: okänt fält ${unknown.map((k) => `"${k}"`).join(', ')} (fälten är ${fields.filter((f) => f !== 'type').join(', ')})`);
  return command;
}

/**
 * The commands a stored document records (its origin), as a replay decides them again. Their issue date need
 * only be a date: before a command's dates were held to 1990–2100 (CommandDate) a document could be issued
 * outside them, and what was stored must go on replaying as it did.
 */
const RecordedDocumentCommand = z.discriminatedUnion('type', [
  RunInvoices.extend({ issueDate: IsoDate }),
  CreditInvoice.extend({ issueDate: IsoDate }),
  SettleService.extend({ issueDate: IsoDate }),
]);

/** A stored document's command (commandInputOf its origin), parsed to be decided again; any other command as parseCommand. */
export function parseRecordedCommand(input: unknown): Command {
  const type = (input as { type?: unknown } | null)?.type;
  if (!RecordedDocumentCommand.options.some((o) => o.shape.type.value === type)) return parseCommand(input);
  const parsed = RecordedDocumentCommand.safeParse(input, { error: swedishIssue });
  if (!parsed.success) throw new CommandValidationError(`${String(type)}: ${firstIssue(parsed.error)}`);
  return withoutUnknownFields(input, parsed.data);
}

/** Each command's fields, by type. */
const FIELDS = Object.fromEntries(Command.options.map((o) => [o.shape.type.value, o.shape as Record<string, unknown>])) as Record<CommandType, Record<string, unknown>>;
