import { dirname, resolve } from 'node:path';
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
  if (location === ':memory:') return new SqliteEventStore(location, codec, access);
  // Only the default store's directory (./data) is made, for any store in it: another one named by hand
  // must exist (see SqliteEventStore).
  const path = resolve(location);
  return new SqliteEventStore(path, codec, access, dirname(path) === dirname(resolve(DEFAULT_STORE)));
}
