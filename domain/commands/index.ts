import { z } from 'zod';
import { membershipCommands } from './membership';
import { serviceCommands } from './services';
import { billingCommands } from './billing';
import { bookCommands } from './books';
import { firstIssue, swedishIssue } from '../issue-words';

/** Every command a user or a script can give, as one JSON object with a `type`. */
export const Command = z.discriminatedUnion('type', [...membershipCommands, ...serviceCommands, ...billingCommands, ...bookCommands]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];

/** An optional command id may ride along any command (e.g. on a line of an apply file). */
export const CommandEnvelope = z.object({ commandId: z.string().min(1).max(200).optional() }).passthrough();

export class CommandValidationError extends Error {}

/** Parses a command; the message names the field and the problem in Swedish, e.g. `orgnr: ogiltigt organisationsnummer …`. */
export function parseCommand(input: unknown): Command {
  const parsed = Command.safeParse(input, { error: swedishIssue });
  const type = (input as { type?: unknown } | null)?.type;
  if (!parsed.success) throw new CommandValidationError(`${typeof type === 'string' ? `${type}: ` : ''}${firstIssue(parsed.error)}`);
  // A field the command does not have is refused, never dropped: "line" for "lines" would credit a whole
  // invoice instead of one line, and a command that does not say what it seems to must not be stored.
  const fields = Object.keys(FIELDS[parsed.data.type]);
  const unknown = Object.keys(input as object).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw new CommandValidationError(`${parsed.data.type}: okänt fält ${unknown.map((k) => `"${k}"`).join(', ')} (fälten är ${fields.filter((f) => f !== 'type').join(', ')})`);
  return parsed.data;
}

/** Each command's fields, by type. */
const FIELDS = Object.fromEntries(Command.options.map((o) => [o.shape.type.value, o.shape as Record<string, unknown>])) as Record<CommandType, Record<string, unknown>>;
