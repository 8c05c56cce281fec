/**
 * Child process for the race test: `node race-worker.js DB STREAM ROUNDS NAME`. Each round it reads the
 * head and appends one event at exactly that revision; it prints the revisions it won as JSON.
 */
import { ConcurrencyError } from '../../src/store/port';
import { SqliteEventStore } from '../../src/store/sqlite';
import { noted } from './test-codec';
import { randomUUID } from 'node:crypto';

async function run(): Promise<void> {
  const [db, stream, rounds, name] = process.argv.slice(2);
  const store = new SqliteEventStore(db, (await import('./test-codec')).testCodec);
  const won: number[] = [];
  let conflicts = 0;
  for (let i = 0; i < Number(rounds); i++) {
    const head = await store.streamRevision(stream);
    try {
      const r = await store.append(stream, [noted(randomUUID(), `${name}-${i}`)], head);
      won.push(r.nextRevision);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      conflicts += 1;
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify({ won, conflicts }));
}

void run();
