import { checkEventData } from '../../domain/events';
import type { EventCodec } from '../store/port';

/** The store codec for domain events: every write and every read is validated against the zod schemas. */
export const domainCodec: EventCodec = { check: checkEventData };
