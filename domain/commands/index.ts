import { z } from 'zod';
import { membershipCommands } from './membership';
import { serviceCommands } from './services';
import { billingCommands } from './billing';
import { firstIssue, swedishIssue } from '../issue-words';

/** Every command a user or a script can give, as one JSON object with a `type`. */
export const Command = z.discriminatedUnion('type', [...membershipCommands, ...serviceCommands, ...billingCommands]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];

/** An optional command id may ride along any command (e.g. on a line of an apply file). */
export const CommandEnvelope = z.object({ commandId: z.string().min(1).max(200).optional() }).passthrough();

export class CommandValidationError extends Error {}

/** Parses a command; the message names the field and the problem in Swedish, e.g. `orgnr: ogiltigt organisationsnummer …`. */
export function parseCommand(input: unknown): Command {
  const parsed = Command.safeParse(input, { error: swedishIssue });
  if (parsed.success) return parsed.data;
  const type = (input as { type?: unknown } | null)?.type;
  throw new CommandValidationError(`${typeof type === 'string' ? `${type}: ` : ''}${firstIssue(parsed.error)}`);
}
