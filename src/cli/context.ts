import { Engine } from '../app/engine';
import { domainCodec } from '../app/codec';
import { openStore, storeLocation } from '../store/open';
import type { EventCodec, EventStore } from '../store/port';
import type { CliIo } from './io';

export interface GlobalOptions {
  store?: string;
  json?: boolean;
  actor?: string;
}

export function actorOf(opts: GlobalOptions, io: CliIo): string {
  return opts.actor ?? io.env.SAMKOST_ACTOR ?? io.env.USER ?? 'unknown';
}

/** Opens the store named by --store / SAMKOST_STORE, runs `fn`, and always closes it. */
export async function withStore<T>(opts: GlobalOptions, io: CliIo, fn: (store: EventStore) => Promise<T>, codec: EventCodec = domainCodec): Promise<T> {
  const store = openStore(storeLocation(opts.store, io.env), codec);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function withEngine<T>(opts: GlobalOptions, io: CliIo, fn: (engine: Engine) => Promise<T>): Promise<T> {
  return withStore(opts, io, async (store) => {
    const engine = new Engine(store, actorOf(opts, io), io.clock);
    await engine.catchUp();
    return fn(engine);
  });
}
