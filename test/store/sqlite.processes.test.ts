import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChains } from '../../src/app/verify';
import { SqliteEventStore } from '../../src/store/sqlite';
import { compiled, runNode, spawnNode } from '../support/processes';
import { testCodec } from '../support/test-codec';
import { collect } from '../support/collect';


describe('SQLite store across OS processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-proc-'));

  test('two processes appending at the same revisions never both win one revision', async () => {
    const db = join(dir, 'race.db');
    const worker = compiled('test/support/race-worker.js');
    const rounds = '150';
    const [a, b] = await Promise.all([runNode(worker, [db, 'race', rounds, 'a']), runNode(worker, [db, 'race', rounds, 'b'])]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    const ra = JSON.parse(a.stdout) as { won: number[]; conflicts: number };
    const rb = JSON.parse(b.stdout) as { won: number[]; conflicts: number };
    const won = [...ra.won, ...rb.won];
    expect(new Set(won).size).toBe(won.length);
    const store = new SqliteEventStore(db, testCodec);
    const events = await collect(store.readStream('race'));
    expect(events.map((e) => e.revision)).toEqual([...won].sort((x, y) => x - y));
    expect(ra.won.length + ra.conflicts).toBe(150);
    expect((await verifyChains(store)).firstBreak).toBeUndefined();
    await store.close();
  });

  test.each([1, 2, 3])('a process killed with SIGKILL mid-batch leaves the whole batch or none of it (run %i)', async () => {
    const db = join(dir, `kill-${Math.random().toString(36).slice(2)}.db`);
    const size = 20000;
    const child = spawnNode(compiled('test/support/kill-worker.js'), [db, 'big', String(size)]);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('appending')) {
          // Give the transaction a moment to be under way, then pull the plug.
          setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 15);
        }
      });
      child.on('error', reject);
    });
    await new Promise((r) => child.on('close', r));
    const store = new SqliteEventStore(db, testCodec);
    const n = (await collect(store.readStream('big'))).length;
    expect([0, size]).toContain(n);
    expect((await verifyChains(store)).firstBreak).toBeUndefined();
    await store.close();
  });
});
