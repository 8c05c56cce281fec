import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { storeImage } from '../../src/store/sqlite-reading';
import { SqliteEventStore } from '../../src/store/sqlite';
import { StoreError } from '../../src/store/port';
import { domainCodec } from '../../src/app/codec';
import { collect } from '../support/collect';
import { cliFixture } from '../support/cli';
import { compiled } from '../support/processes';

const JOIN = ['member', 'join', '--orgnr', '212000-1033', '--kind', 'municipality', '--name', 'Skurups kommun', '--kommunkod', '1264', '--date', '2023-04-15', '--decision', 'S'];
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * The CLI in a process of its own, as a user who may not write to the store: root may write to any file
 * whatever its mode, so a test run as root (CI's container) runs the CLI as nobody through setpriv.
 */
function asReader(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const bin = join(compiled('src/cli/main.js'), '..', '..', '..', '..', 'bin', 'samkost.js');
  const [cmd, argv] = process.getuid?.() === 0
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  const r = spawnSync(cmd, argv as string[], { encoding: 'utf8', env: { ...process.env, SAMKOST_STORE: '' } });
  if (r.error) throw r.error;
  return r;
}

describe('a store the reader may only read (an auditor’s copy)', () => {
  test('given a store whose file and directory cannot be written, when reads run, then they answer, the file is unchanged, and a command is refused', async () => {
    const f = cliFixture();
    expect((await f.run(...JOIN)).code).toBe(0);
    chmodSync(f.store, 0o444);
    chmodSync(f.dir, 0o555);
    try {
      const before = sha(f.store);
      const members = asReader('--store', f.store, '--json', 'members');
      expect(members.stderr).toBe('');
      expect((JSON.parse(members.stdout) as { count: number }).count).toBe(1);
      const verify = asReader('--store', f.store, 'verify');
      expect({ status: verify.status, last: verify.stdout.trim().split('\n').pop() }).toEqual({ status: 0, last: 'verify: alla 5 kontroller godkända' });
      const join2 = asReader('--store', f.store, ...JOIN.slice(0, 3), '212000-1124', '--kind', 'municipality', '--name', 'Malmö stad', '--kommunkod', '1280', '--date', '2023-04-15', '--decision', 'S');
      expect({ status: join2.status, stderr: join2.stderr }).toEqual({ status: 2, stderr: `samkost: lagret ${f.store} går bara att läsa; ingenting lagrades\n` });
      expect(sha(f.store)).toBe(before);
    } finally {
      chmodSync(f.dir, 0o755);
      chmodSync(f.store, 0o644);
    }
  });

  test('given a store that can be written, when a read runs, then the file is left byte for byte as it was', async () => {
    const f = cliFixture();
    expect((await f.run(...JOIN)).code).toBe(0);
    const before = sha(f.store);
    for (const read of [['members'], ['verify'], ['events']]) expect((await f.run(...read)).code).toBe(0);
    expect(sha(f.store)).toBe(before);
  });

  test('given a WAL store read from memory (its directory cannot hold the log index), then it reads the same events as the file', async () => {
    const f = cliFixture();
    expect((await f.run(...JOIN)).code).toBe(0);
    const db = new Database(storeImage(f.store), { readonly: true });
    const fromImage = db.prepare('SELECT event_id FROM events ORDER BY position').pluck().all();
    db.close();
    const inPlace = new SqliteEventStore(f.store, domainCodec, 'read');
    const events = await collect(inPlace.readAll());
    await inPlace.close();
    expect(events.map((e) => e.id)).toEqual(fromImage);
    expect(events.map((e) => e.type)).toEqual(['MemberJoined']);
    // The image is a copy: the file on disk still says WAL.
    expect([...readFileSync(f.store).subarray(18, 20)]).toEqual([2, 2]);
  });

  test('given events still in the -wal beside the file, then reading the file alone is refused, naming the -wal', async () => {
    const f = cliFixture();
    expect((await f.run(...JOIN)).code).toBe(0);
    const writer = new Database(f.store);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE pending (x); INSERT INTO pending VALUES (1)');
    try {
      expect(() => storeImage(f.store)).toThrow(StoreError);
      expect(() => storeImage(f.store)).toThrow(`${f.store}-wal har händelser som inte finns i själva lagret än`);
    } finally {
      writer.close();
    }
  });
});
