import { resolve } from 'node:path';
import { EsdbEventStore } from './esdb';
import type { EventCodec, EventStore, StoreAccess } from './port';
import { SqliteEventStore } from './sqlite';

export const DEFAULT_STORE = './data/samkost.db';

export const isEsdbUrl = (location: string): boolean => /^esdb(\+discover)?:\/\//.test(location);

/** `--store` beats SAMKOST_STORE beats the default; an esdb:// URL selects EventStoreDB. */
export function storeLocation(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.SAMKOST_STORE ?? DEFAULT_STORE;
}

/** Opens a store; with access 'read' an embedded store must exist already (see `StoreAccess`). */
export function openStore(location: string, codec: EventCodec, access: StoreAccess = 'write'): EventStore {
  if (isEsdbUrl(location)) return new EsdbEventStore(location, codec);
  // Only the default store's directory is made: one named by hand must exist (see SqliteEventStore).
  return new SqliteEventStore(location === ':memory:' ? location : resolve(location), codec, access, location === DEFAULT_STORE);
}
