import { billingFixture } from '../support/billing-fixture';
import { eventCount } from '../support/cli';

/*
 * A command id (or an HTTP Idempotency-Key) names one command: given again with the same command it is a
 * retry and stores nothing; given to another command, even of the same kind, it is refused, never answered
 * "already recorded" while the new command is lost.
 */
describe('a command id given again', () => {
  const join = (orgnr: string, name: string) => ['member', 'join', '--orgnr', orgnr, '--kind', 'organisation', '--name', name, '--date', '2024-02-01', '--decision', 'S 2024 §2', '--command-id', 'run-A'];

  test('given a member joined under an id, when another member joins under the same id, then it is refused and nothing is stored; the first join again is a retry', async () => {
    const f = await billingFixture();
    expect((await f.run(...join('802999-0127', 'Ydre IT-förbund'))).code).toBe(0);
    const before = eventCount(f.store);
    const other = await f.run(...join('802999-0135', 'Kinda IT-förbund'));
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/^samkost: kommando-id run-A användes redan för ett annat kommando \(MemberJoined i member-802999-0127@0\); ge detta kommando ett eget id\n$/);
    expect(eventCount(f.store)).toBe(before);
    expect(await f.run(...join('802999-0127', 'Ydre IT-förbund'))).toMatchObject({ code: 0, out: 'member.join: redan registrerat av kommando run-A; inget nytt sparat\n' });
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a budget decided under an id, when a revision is decided under the same id, then it is refused rather than lost', async () => {
    const f = await billingFixture();
    const budget = (amount: string) => ['budget', 'decide', '--service', 'egil', '--year', '2025', '--line', `Drift=${amount}`, '--decided-on', '2024-11-15', '--minutes', 'FR §1', '--command-id', 'b-2025'];
    expect((await f.run(...budget('300.00'))).code).toBe(0);
    const before = eventCount(f.store);
    const revision = await f.run(...budget('400.00'));
    expect(revision.code).toBe(2);
    expect(revision.err).toContain('kommando-id b-2025 användes redan för ett annat kommando (CouncilBudgetDecided i service-egil@');
    expect(eventCount(f.store)).toBe(before);
    expect((await f.run(...budget('300.00'))).out).toContain('redan registrerat av kommando b-2025');
  });

  test('given an empty or blank command id, then it is refused in one line and nothing is stored: it would be one id for every command given it', async () => {
    const f = await billingFixture();
    const before = eventCount(f.store);
    for (const id of ['', '  ']) {
      const r = await f.run('member', 'join', '--orgnr', '802999-0127', '--kind', 'organisation', '--name', 'Ydre IT-förbund', '--date', '2024-02-01', '--decision', 'S 2024 §2', '--command-id', id);
      expect([r.code, r.err]).toEqual([2, 'samkost: member.join: kommando-id:t är tomt; ange ett id med tecken i, eller inget alls\n']);
    }
    expect(eventCount(f.store)).toBe(before);
  });
});
