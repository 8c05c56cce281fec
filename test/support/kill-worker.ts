/**
 * Child process for the crash test: `node kill-worker.js DB STREAM SIZE`. Announces "appending" on stdout
 * and then appends SIZE events in one batch; the parent kills it with SIGKILL as soon as it hears that.
 */
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/store/sqlite';
import { noted, testCodec } from './test-codec';

async function run(): Promise<void> {
  const [db, stream, size] = process.argv.slice(2);
  const store = new SqliteEventStore(db, testCodec);
  const batch = Array.from({ length: Number(size) }, (_, i) => noted(randomUUID(), `big-${i}-${'x'.repeat(200)}`));
  process.stdout.write('appending\n');
  await store.append(stream, batch, 'any');
  process.stdout.write('done\n');
  await store.close();
}

void run();
