import { cliFixture } from '../support/cli';

/** A store with one member: its stream member-212000-1124 holds one event, at position 1 of the log. */
async function fixture() {
  const f = cliFixture();
  const r = await f.run('member', 'join', '--orgnr', '212000-1124', '--kind', 'municipality', '--name', 'Malmö stad', '--kommunkod', '1280', '--date', '2024-01-01', '--decision', 'S');
  expect(r.code).toBe(0);
  return f;
}

describe('samkost events: a mistyped position or stream is the user\'s error, one line and exit code 2', () => {
  test.each([
    [['events', '--from', '-1'], '--from ska vara ett heltal 0 eller större, inte "-1"'],
    [['events', '--from', 'abc'], '--from ska vara ett heltal 0 eller större, inte "abc"'],
    [['events', '--from', '1.5'], '--from ska vara ett heltal 0 eller större, inte "1.5"'],
    [['events', '--stream', 'member-212000-1124', '--from', '99999999999999999999'], '--from ska vara ett heltal högst 9007199254740991, inte "99999999999999999999"'],
    [['events', '--stream', 'nosuch'], 'strömmen nosuch finns inte'],
    [['events', '--stream', 'nosuch', '--from', '0'], 'strömmen nosuch finns inte'],
  ])('given a store with one member, when samkost %j, then it is refused', async (args, message) => {
    const f = await fixture();
    const r = await f.run(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^samkost: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.err).not.toContain('oväntat fel');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  test('given a store with one member, when a range starts past the end of the log or of a stream, then it is empty, with exit code 0', async () => {
    const f = await fixture();
    expect(await f.run('events', '--from', '5')).toEqual({ code: 0, out: '', err: '' });
    expect(await f.run('events', '--stream', 'member-212000-1124', '--from', '5')).toEqual({ code: 0, out: '', err: '' });
    expect(await f.json('events', '--stream', 'member-212000-1124', '--from', '1')).toEqual([]);
  });

  test('given a store with one member, when its stream is read from revision 0, then its one event is listed', async () => {
    const f = await fixture();
    const events = await f.json<{ type: string; revision: number }[]>('events', '--stream', 'member-212000-1124', '--from', '0');
    expect(events.map((e) => [e.type, e.revision])).toEqual([['MemberJoined', 0]]);
  });
});
