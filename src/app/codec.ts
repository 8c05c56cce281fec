import { checkEventData, checkEventKind } from '../../domain/events';
import type { EventCodec } from '../store/port';

/**
 * The store codec for domain events. Every append is validated against the zod schemas, so nothing
 * invalid is ever stored. Reads check only that the type and schema version are known: re-running zod
 * on every stored event took more time than reading and parsing the rows, and it guards nothing the
 * append did not; a row altered in the file is what `verify` is for (hash chains, then a full zod
 * decode of every event in its fold).
 */
export const domainCodec: EventCodec = {
  check: checkEventData,
  read(type, schemaVersion, data) {
    checkEventKind(type, schemaVersion);
    return data;
  },
};
