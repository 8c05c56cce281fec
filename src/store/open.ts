import { dirname, resolve } from 'node:path';
import { EsdbEventStore } from './esdb';
import type { EventCodec, EventStore, StoreAccess } from './port';
import { missingDirectory, SqliteEventStore } from './sqlite';

export const DEFAULT_STORE = './data/samkost.db';

export const isEsdbUrl = (location: string): boolean => /^esdb(\+discover)?:\/\//.test(location);

/** `--store` beats SAMKOST_STORE beats the default; an esdb:// URL selects EventStoreDB. */
export function storeLocation(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.SAMKOST_STORE ?? DEFAULT_STORE;
}

/**
 * Whether a store at `location` may have its directory made when it is created: a store in ./data (the
 * default's directory) may; another one named by hand must be in a directory that exists.
 */
const makesDirectory = (path: string): boolean => dirname(path) === dirname(resolve(DEFAULT_STORE));

/**
 * Why no embedded store can ever be created at `location`, or undefined: for `serve`, which opens its
 * store only per request, to refuse at once what every request would be refused for.
 */
export function storeDirectoryProblem(location: string): string | undefined {
  if (isEsdbUrl(location) || location === ':memory:') return undefined;
  const path = resolve(location);
  return makesDirectory(path) ? undefined : missingDirectory(path);
}

/** Opens a store; with access 'read' an embedded store must exist already (see `StoreAccess`). */
export function openStore(location: string, codec: EventCodec, access: StoreAccess = 'write'): EventStore {
  if (isEsdbUrl(location)) return new EsdbEventStore(location, codec);
  if (location === ':memory:') return new SqliteEventStore(location, codec, access);
  // Only the default store's directory (./data) is made, for any store in it: another one named by hand
  // must exist (see SqliteEventStore).
  const path = resolve(location);
  return new SqliteEventStore(path, codec, access, makesDirectory(path));
}
