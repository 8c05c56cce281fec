import type { z } from 'zod';
import { membershipEvents } from './membership';
import { serviceEvents } from './services';
import { billingEvents } from './billing';
import { bookEvents } from './books';
import { swedishIssue } from '../issue-words';

/**
 * The catalogue of every event type and the schema of its data. Names are stable once stored; a changed
 * shape gets a new schemaVersion and an upcaster here, never an edit of stored events.
 */
export const eventSchemas = {
  ...membershipEvents,
  ...serviceEvents,
  ...billingEvents,
  ...bookEvents,
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_SCHEMA_VERSION = 1;

/** The discriminated union of every domain event: `{ type, data }`. */
export type DomainEvent = {
  [K in EventType]: { type: K; data: z.infer<(typeof eventSchemas)[K]> };
}[EventType];

export const isEventType = (t: string): t is EventType => Object.prototype.hasOwnProperty.call(eventSchemas, t);

export class UnknownEventError extends Error {}

/** Refuses a type or schema version this code does not know (a newer writer's event, a foreign row). */
export function checkEventKind(type: string, schemaVersion: number): asserts type is EventType {
  if (!isEventType(type)) throw new UnknownEventError(`okänd händelsetyp "${type}"`);
  if (schemaVersion !== EVENT_SCHEMA_VERSION) throw new UnknownEventError(`schemaversion ${schemaVersion} av ${type} stöds inte`);
}

/** Zod's own words for an issue a schema does not word itself, in the Swedish of every other refusal. */
const SWEDISH = { error: swedishIssue };

/** Validates the data of a stored or new event; the message names the first offending field. */
export function checkEventData(type: string, schemaVersion: number, data: unknown): unknown {
  checkEventKind(type, schemaVersion);
  const parsed = eventSchemas[type].safeParse(data, SWEDISH);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`ogiltiga data i ${issue.path.join('.') || '(roten)'}: ${issue.message}`);
  }
  return parsed.data;
}
