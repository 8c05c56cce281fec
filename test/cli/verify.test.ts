import Database from 'better-sqlite3';
import { cliFixture } from '../support/cli';

/** Builds a small store through the CLI, then edits the SQLite file behind the engine's back. */
async function storeWithHistory() {
  const f = cliFixture();
  for (const [orgnr, name, code] of [['212000-0142', 'Stockholms stad', '0180'], ['212000-1355', 'Göteborgs Stad', '1480']]) {
    const r = await f.run('member', 'join', '--orgnr', orgnr, '--kind', 'municipality', '--name', name, '--kommunkod', code, '--date', '2023-01-01', '--decision', 'S 1');
    expect(r.code).toBe(0);
  }
  expect((await f.run('member', 'leave', '0180', '--date', '2023-12-31', '--reason', 'ingen tjänst')).code).toBe(0);
  expect((await f.run('member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'Stockholms stad', '--kommunkod', '0180', '--date', '2024-02-01', '--decision', 'S 2')).code).toBe(0);
  return f;
}

describe('samkost verify: the hash chains', () => {
  test('given an untouched store, verify exits 0 and counts streams and events', async () => {
    const f = await storeWithHistory();
    const r = await f.run('verify');
    expect(r.code).toBe(0);
    expect(r.out).toContain('OK: 2 streams, 4 events checked');
    expect(await f.json('verify')).toMatchObject({ ok: true, streams: 2, events: 4 });
  });

  test('changing one byte of a stored event is detected, naming stream and revision', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    const row = db.prepare("SELECT data FROM events WHERE stream_id = 'member-212000-0142' AND revision = 1").get() as { data: string };
    db.prepare("UPDATE events SET data = ? WHERE stream_id = 'member-212000-0142' AND revision = 1").run(row.data.replace('ingen tjänst', 'ingen tjänsT'));
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED: stream member-212000-0142 revision 1');
  });

  test('deleting an event is detected', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE stream_id = 'member-212000-0142' AND revision = 1").run();
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('stream member-212000-0142 revision 2');
  });

  test('swapping two events of a stream is detected', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    db.exec(`UPDATE events SET revision = -1 WHERE stream_id = 'member-212000-0142' AND revision = 0;
             UPDATE events SET revision = 0 WHERE stream_id = 'member-212000-0142' AND revision = 1;
             UPDATE events SET revision = 1 WHERE stream_id = 'member-212000-0142' AND revision = -1;`);
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED: stream member-212000-0142 revision [01]/);
  });

  test('a stored event whose JSON no longer parses is reported, not crashed on', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    db.prepare("UPDATE events SET data = substr(data, 2) WHERE stream_id = 'member-212000-1355' AND revision = 0").run();
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED: stream member-212000-1355 revision 0');
    const events = await f.run('events');
    expect(events.code).toBe(2);
    expect(events.err).toMatch(/^samkost: event at revision 0 of stream member-212000-1355: stored JSON is unreadable/);
  });
});

describe('samkost events', () => {
  test('lists a stream from a revision, as JSON for tools', async () => {
    const f = await storeWithHistory();
    const events = await f.json<{ streamId: string; revision: number; type: string; metadata: { actor: string } }[]>('events', '--stream', 'member-212000-0142', '--from', '1');
    expect(events.map((e) => [e.revision, e.type])).toEqual([[1, 'MemberLeft'], [2, 'MemberJoined']]);
    expect(events[0].metadata.actor).toBe('test');
    const all = await f.json<unknown[]>('events');
    expect(all).toHaveLength(4);
  });
});
