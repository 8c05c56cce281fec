import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit } from '../../scripts/check-audit';
import { readSie } from '../../src/export/sie';
import { buildServer } from '../../src/http/server';
import { main } from '../../src/cli/main';
import { billingFixture, settledYear } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

interface Row { account: string; opening: string; closing: string; balance: string }
interface Line { label: string; amount: string }
interface LedgerJson {
  trial: Row[];
  incomeStatement: { result: string };
  balanceSheet: { equity: Line[]; totalAssets: string; totalEquity: string; totalLiabilities: string; totalEquityAndLiabilities: string };
}
interface OpeningJson {
  year: number;
  opening: { account: string; name: string; amount: string }[];
  recorded: { year: number; reference: string; recordedOn: string; balances: { account: string; amount: string }[]; event: { streamId: string; revision: number; type: string } } | null;
}

/** Öre as a bigint: exact for any amount. */
const ore = (s: string | undefined): bigint => {
  if (s === undefined) return 0n;
  const [int, dec = ''] = s.replace('-', '').split('.');
  const v = BigInt(int) * 100n + BigInt((dec + '00').slice(0, 2));
  return s.startsWith('-') ? -v : v;
};
const byAccount = (rows: Row[], field: 'opening' | 'closing') => new Map(rows.filter((r) => ore(r[field]) !== 0n).map((r) => [r.account, ore(r[field])]));

/** The balance sheet balances: assets = equity (with the year's result) + liabilities, and the trial balance sums to zero. */
function expectBalances(l: LedgerJson): void {
  expect(ore(l.balanceSheet.totalAssets)).toBe(ore(l.balanceSheet.totalEquityAndLiabilities));
  expect(ore(l.balanceSheet.totalEquityAndLiabilities)).toBe(ore(l.balanceSheet.totalEquity) + ore(l.balanceSheet.totalLiabilities));
  for (const f of ['opening', 'closing'] as const) expect(l.trial.reduce((a, r) => a + ore(r[f]), 0n)).toBe(0n);
}

/** A file written in the fixture's directory, for a command to read. */
function fileIn(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const REFERENCE = 'UB 2023 enligt Visma, bokslut fastställt 2024-03-15';
/** As a Swedish spreadsheet saves it: semicolons, sv-SE amounts beside plain ones, credit negative. */
const IB_CSV = 'konto;belopp\n1930;125 000,00\n1510;15000.00\n2061;-60 000,00\n2091;-70000,00\n2972;-10 000\n';
const RECORDED = new Map([['1510', 1500000n], ['1930', 12500000n], ['2061', -6000000n], ['2091', -7000000n], ['2972', -1000000n]]);

describe('samkost ledger opening: the books\' first opening balances, from a file', () => {
  let f: Awaited<ReturnType<typeof settledYear>>;
  let before: { 2024: LedgerJson; 2025: LedgerJson };
  const file = (name: string, content: string | Buffer) => fileIn(f.dir, name, content);
  const opening = (path: string, ...more: string[]) => f.run('ledger', 'opening', '--year', '2024', '--file', path, '--reference', REFERENCE, ...more);

  beforeAll(async () => {
    f = await settledYear();
    before = { 2024: await f.json<LedgerJson>('ledger', '--year', '2024'), 2025: await f.json<LedgerJson>('ledger', '--year', '2025') };
  });

  test('given balances that do not sum to zero, a file that is not UTF-8, a file that is not there, or a wrong header, then one Swedish line each and nothing stored', async () => {
    const n = eventCount(f.store);
    const bad = await opening(file('bad-sum.csv', 'konto;belopp\n1930;125 000,00\n2061;-123 765,50\n'));
    expect([bad.code, bad.err]).toEqual([2, 'samkost: ledger.opening 2024: debet och kredit skiljer 1 234,50 kr (debet 125 000,00 kr, kredit 123 765,50 kr); ingående balanser ska summera till noll\n']);
    const latin1 = file('latin1.csv', Buffer.concat([Buffer.from('konto;belopp\n1930;100,00\n2061;-100,00 '), Buffer.from([0xe5]), Buffer.from('\n')]));
    const notUtf8 = await opening(latin1);
    expect([notUtf8.code, notUtf8.err]).toEqual([2, `samkost: ${latin1} är inte UTF-8-text (spara filen som UTF-8; exporter från SCB och kalkylprogram är ofta Latin-1)\n`]);
    const missing = await opening(join(f.dir, 'saknas.csv'));
    expect([missing.code, missing.err]).toEqual([2, `samkost: kan inte läsa ${join(f.dir, 'saknas.csv')}: filen eller katalogen finns inte\n`]);
    const header = await opening(file('header.csv', 'konto;saldo\n1930;1\n'));
    expect([header.code, header.err]).toEqual([2, `samkost: ${join(f.dir, 'header.csv')}: rubrikraden ska vara "konto;belopp" (den är "konto;saldo")\n`]);
    const later = await f.run('ledger', 'opening', '--year', '2025', '--file', file('ib.csv', IB_CSV), '--reference', REFERENCE);
    expect(later.err).toBe('samkost: ledger.opening 2025: bokföringen har redan verifikationer från 2024, som skulle hamna före de ingående balanserna; de kan registreras för 2024 eller ett tidigare år\n');
    expect(eventCount(f.store)).toBe(n);
  });

  test('given a good file, then the balances are recorded once and said in Swedish; the same file again, under any command id, stores nothing', async () => {
    const n = eventCount(f.store);
    const path = file('ib.csv', IB_CSV);
    const r = await opening(path);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Ingående balanser 2024 registrerade: 5 konton, debet och kredit 140 000,00 kr vardera, UB 2023 enligt Visma, bokslut fastställt 2024-03-15 \(books-opening@0, position \d+\)\n/);
    expect(r.out).toContain('  2061         −60 000,00 kr\n');
    expect(eventCount(f.store)).toBe(n + 1);
    const again = await opening(path);
    expect(again.out).toMatch(/^ledger.opening: redan registrerat av kommando c-[0-9a-f]+; inget nytt sparat\n$/);
    const otherId = await f.json<{ duplicate: boolean; events: unknown[] }>('ledger', 'opening', '--year', '2024', '--file', path, '--reference', REFERENCE, '--command-id', 'ib-igen');
    expect(otherId).toMatchObject({ duplicate: false, events: [] });
    const corrected = await f.run('ledger', 'opening', '--year', '2024', '--file', file('ib2.csv', 'konto;belopp\n1930;1,00\n2091;-1,00\n'), '--reference', 'rättad');
    expect(corrected.err).toMatch(/ingående balanser är redan registrerade för 2024 .*; en rättad uppsättning registreras med samkost ledger correct-opening\n$/);
    expect(eventCount(f.store)).toBe(n + 1);
  });

  test('then IB 2024 is the recorded balances and UB 2024 adds the year\'s vouchers to them; IB 2025 is UB 2024 with the result carried to 2091; both balance sheets balance', async () => {
    const l24 = await f.json<LedgerJson>('ledger', '--year', '2024');
    const l25 = await f.json<LedgerJson>('ledger', '--year', '2025');
    expect(byAccount(before[2024].trial, 'opening').size).toBe(0);
    expect(byAccount(l24.trial, 'opening')).toEqual(RECORDED);
    const ub24 = byAccount(l24.trial, 'closing');
    const ub24Before = byAccount(before[2024].trial, 'closing');
    for (const account of new Set([...ub24.keys(), ...ub24Before.keys(), ...RECORDED.keys()])) {
      if (!/^[12]/.test(account)) continue;
      expect([account, ub24.get(account) ?? 0n]).toEqual([account, (ub24Before.get(account) ?? 0n) + (RECORDED.get(account) ?? 0n)]);
    }
    // The year's result is unchanged by the opening balances, and closes into 2091 (a profit is a credit).
    expect(l24.incomeStatement.result).toBe(before[2024].incomeStatement.result);
    const result24 = ore(l24.incomeStatement.result);
    expect(result24).not.toBe(0n);
    const ib25 = byAccount(l25.trial, 'opening');
    for (const [account, ub] of ub24) {
      if (!/^[12]/.test(account) || account === '2091') continue;
      expect([account, ib25.get(account)]).toEqual([account, ub]);
    }
    expect(ib25.get('2091')).toBe((ub24.get('2091') ?? 0n) - result24);
    expect(ib25.get('2091')).toBe(-7000000n - result24);
    expectBalances(l24);
    expectBalances(l25);
    expect(ore(l24.balanceSheet.totalAssets)).toBe(ore(before[2024].balanceSheet.totalAssets) + 14000000n);
  });

  test('then SIE 4E of 2024 gives the recorded balances as #IB and the year\'s UB as #UB, and 2025\'s #IB is 2024\'s #UB with the result in 2091', async () => {
    const sie = async (year: string) => {
      const out = join(f.dir, `ib-${year}.se`);
      const r = await f.run('export', 'sie', '--year', year, '--type', '4E', '--out', out);
      expect(r.code).toBe(0);
      return readSie(readFileSync(out));
    };
    const rows = (xs: { account: string; amount: { toFixed(n: number): string } }[] | undefined) => new Map((xs ?? []).map((x) => [x.account, ore(x.amount.toFixed(2))]));
    const s24 = await sie('2024');
    expect(rows(s24.openingBalances)).toEqual(RECORDED);
    expect(s24.accounts.find((a) => a.number === '2061')).toMatchObject({ number: '2061', type: 'S' });
    const l24 = await f.json<LedgerJson>('ledger', '--year', '2024');
    expect(rows(s24.closingBalances)).toEqual(new Map([...byAccount(l24.trial, 'closing')].filter(([a]) => /^[12]/.test(a))));
    const s25 = await sie('2025');
    const ub24 = rows(s24.closingBalances);
    ub24.set('2091', (ub24.get('2091') ?? 0n) - ore(l24.incomeStatement.result));
    expect(rows(s25.openingBalances)).toEqual(new Map([...ub24].filter(([, a]) => a !== 0n)));
  });

  test('then `ledger --part opening` shows each year\'s IB and the recorded event it rests on', async () => {
    const p24 = await f.json<OpeningJson>('ledger', '--year', '2024', '--part', 'opening');
    expect(p24.recorded).toMatchObject({ year: 2024, reference: REFERENCE, recordedOn: '2025-03-01', event: { streamId: 'books-opening', revision: 0, type: 'OpeningBalancesRecorded' } });
    expect(new Map(p24.opening.map((r) => [r.account, ore(r.amount)]))).toEqual(RECORDED);
    expect(p24.opening.find((r) => r.account === '2061')?.name).toBe('Konto 2061');
    const p25 = await f.json<OpeningJson>('ledger', '--year', '2025', '--part', 'opening');
    const l25 = await f.json<LedgerJson>('ledger', '--year', '2025');
    expect(new Map(p25.opening.map((r) => [r.account, ore(r.amount)]))).toEqual(byAccount(l25.trial, 'opening'));
    expect(p25.recorded?.year).toBe(2024);
    const text = await f.run('ledger', '--year', '2025', '--part', 'opening');
    expect(text.out).toContain('Ingående balanser 2025\n');
    expect(text.out).toContain('Grund: ingående balanser 2024 registrerade 2025-03-01 (UB 2023 enligt Visma, bokslut fastställt 2024-03-15), händelse books-opening@0, och verifikationerna 2024 med årens resultat förda till balanserat resultat.\n');
    const p23 = await f.json<OpeningJson>('ledger', '--year', '2023', '--part', 'opening');
    expect(p23).toEqual({ year: 2023, opening: [], recorded: null, replaced: [], booksBegin: 2024 });
    expect((await f.run('ledger', '--year', '2023', '--part', 'opening')).out).toContain('Böckerna börjar med de registrerade ingående balanserna för 2024; 2023 ligger före dem.\n');
  });

  test('then the audit package of 2025 holds the recorded event its IB rests on, and check-audit passes', async () => {
    const dir = join(f.dir, 'audit-2025');
    const exported = await f.json<{ manifestSha256: string }>('export', 'audit', '--year', '2025', '--out', dir);
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { streamId: string; type: string });
    expect(events.filter((e) => e.streamId === 'books-opening').map((e) => e.type)).toEqual(['OpeningBalancesRecorded']);
    expect(checkAudit(dir, exported.manifestSha256)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('ledger.opening over HTTP: POST /v1/commands', () => {
  test('given the command as JSON, then 201 and the event; the same again, 200 and nothing more', async () => {
    const f = await billingFixture();
    const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-03-01T10:00:00Z') }, run: main });
    const command = { type: 'ledger.opening', year: 2024, reference: REFERENCE, balances: [{ account: '1930', amount: '500.00' }, { account: '2091', amount: '-500.00' }] };
    const post = () => app.inject({ method: 'POST', url: '/v1/commands', headers: { 'content-type': 'application/json' }, payload: command });
    const first = await post();
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ duplicate: false, events: [{ streamId: 'books-opening', revision: 0, type: 'OpeningBalancesRecorded' }] });
    const n = eventCount(f.store);
    expect((await post()).statusCode).toBe(200);
    expect(eventCount(f.store)).toBe(n);
    const bad = await app.inject({ method: 'POST', url: '/v1/commands', headers: { 'content-type': 'application/json' }, payload: { ...command, balances: [{ account: '3001', amount: '1.00' }] } });
    expect(bad.statusCode).toBe(400);
    await app.close();
  });
});

describe('samkost ledger correct-opening: a corrected set replaces the recorded one while its year is open', () => {
  let f: Awaited<ReturnType<typeof settledYear>>;
  const file = (name: string, content: string) => fileIn(f.dir, name, content);
  /** The earlier program's closing balances revised: 2 500,00 kr of receivables written off against retained earnings. */
  const CORRECTED_CSV = 'konto;belopp\n1930;125 000,00\n1510;12 500,00\n2061;-60 000,00\n2091;-67 500,00\n2972;-10 000,00\n';
  const CORRECTED = new Map([['1510', 1250000n], ['1930', 12500000n], ['2061', -6000000n], ['2091', -6750000n], ['2972', -1000000n]]);
  const REASON = 'kundfordran 2 500,00 kr avskriven i bokslutet 2023';
  const correct = (path: string, ...more: string[]) =>
    f.run('ledger', 'correct-opening', '--year', '2024', '--file', path, '--reference', 'UB 2023 enligt Visma efter revision', '--reason', REASON, ...more);

  beforeAll(async () => {
    f = await settledYear();
  });

  test('given no opening balances, then a correction is refused; given them, a correction that does not balance, or of another year, is refused; nothing stored', async () => {
    const none = await correct(file('c.csv', CORRECTED_CSV));
    expect([none.code, none.err]).toEqual([2, 'samkost: ledger.opening.correct 2024: inga ingående balanser är registrerade att rätta; registrera böckernas första med samkost ledger opening\n']);
    expect((await f.run('ledger', 'opening', '--year', '2024', '--file', file('ib.csv', IB_CSV), '--reference', REFERENCE)).code).toBe(0);
    const n = eventCount(f.store);
    const unbalanced = await correct(file('bad.csv', 'konto;belopp\n1930;125 000,00\n2061;-120 000,00\n'));
    expect([unbalanced.code, unbalanced.err]).toEqual([2, 'samkost: ledger.opening.correct 2024: debet och kredit skiljer 5 000,00 kr (debet 125 000,00 kr, kredit 120 000,00 kr); ingående balanser ska summera till noll\n']);
    const other = await f.run('ledger', 'correct-opening', '--year', '2025', '--file', file('c.csv', CORRECTED_CSV), '--reference', 'x', '--reason', REASON);
    expect(other.err).toBe('samkost: ledger.opening.correct 2025: de registrerade ingående balanserna gäller 2024 (UB 2023 enligt Visma, bokslut fastställt 2024-03-15); en rättelse gäller samma år\n');
    const noReason = await f.run('ledger', 'correct-opening', '--year', '2024', '--file', file('c.csv', CORRECTED_CSV), '--reference', 'x');
    expect([noReason.code, noReason.err]).toEqual([2, "samkost: flaggan --reason <text> måste anges\n"]);
    expect(eventCount(f.store)).toBe(n);
  });

  test('then the correction is recorded once and said in Swedish; the same again, under any command id, stores nothing', async () => {
    const n = eventCount(f.store);
    const path = file('c.csv', CORRECTED_CSV);
    const r = await correct(path);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Ingående balanser 2024 rättade \(kundfordran 2 500,00 kr avskriven i bokslutet 2023\); de ersätter de tidigare från årets första dag: 5 konton, debet och kredit 137 500,00 kr vardera, UB 2023 enligt Visma efter revision \(books-opening@1, position \d+\)\n/);
    expect(eventCount(f.store)).toBe(n + 1);
    expect((await correct(path, '--command-id', 'rättelse-igen')).out).toBe('ledger.opening.correct: redan registrerat; inget nytt sparat\n');
    expect(eventCount(f.store)).toBe(n + 1);
  });

  test('then IB 2024 is the corrected set in the ledger and in SIE 4E, the balance sheets balance, and 2025 carries it forward', async () => {
    const l24 = await f.json<LedgerJson>('ledger', '--year', '2024');
    expect(byAccount(l24.trial, 'opening')).toEqual(CORRECTED);
    expectBalances(l24);
    expectBalances(await f.json<LedgerJson>('ledger', '--year', '2025'));
    const out = join(f.dir, 'c-2024.se');
    expect((await f.run('export', 'sie', '--year', '2024', '--type', '4E', '--out', out)).code).toBe(0);
    const sie = readSie(readFileSync(out));
    expect(new Map((sie.openingBalances ?? []).map((x) => [x.account, ore(x.amount.toFixed(2))]))).toEqual(CORRECTED);
  });

  test('then `ledger --part opening` names the corrected set and the one it replaced, with why', async () => {
    const p = await f.json<OpeningJson & { replaced: { reference: string; reason: string; event: { revision: number }; replacedBy: { revision: number; type: string } }[] }>('ledger', '--year', '2024', '--part', 'opening');
    expect(p.recorded).toMatchObject({ year: 2024, reference: 'UB 2023 enligt Visma efter revision', event: { streamId: 'books-opening', revision: 1, type: 'OpeningBalancesCorrected' } });
    expect(p.replaced).toEqual([expect.objectContaining({ reference: REFERENCE, reason: REASON, event: expect.objectContaining({ revision: 0, type: 'OpeningBalancesRecorded' }), replacedBy: expect.objectContaining({ revision: 1, type: 'OpeningBalancesCorrected' }) })]);
    const text = await f.run('ledger', '--year', '2024', '--part', 'opening');
    expect(text.out).toContain('Grund: ingående balanser 2024 rättade 2025-03-01 (UB 2023 enligt Visma efter revision), händelse books-opening@1.\n');
    expect(text.out).toContain(`Ersatte: ingående balanser 2024 registrerade 2025-03-01 (${REFERENCE}), händelse books-opening@0, rättade i books-opening@1: ${REASON}.\n`);
  });

  test('then the audit package of 2024 holds both sets, check-audit passes, and verify passes', async () => {
    const dir = join(f.dir, 'audit-2024');
    const exported = await f.json<{ manifestSha256: string }>('export', 'audit', '--year', '2024', '--out', dir);
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { streamId: string; type: string });
    expect(events.filter((e) => e.streamId === 'books-opening').map((e) => e.type)).toEqual(['OpeningBalancesRecorded', 'OpeningBalancesCorrected']);
    expect(checkAudit(dir, exported.manifestSha256)).toMatchObject({ ok: true, problems: [] });
    expect((await f.run('verify')).code).toBe(0);
  });

  test('given a .json file with more than the rows, or an apply line giving both a file and the rows, then refused: nothing given is dropped', async () => {
    const n = eventCount(f.store);
    const json = file('extra.json', JSON.stringify({ balances: [{ account: '1930', amount: '1.00' }, { account: '2091', amount: '-1.00' }], reason: 'x' }));
    const extra = await correct(json);
    expect([extra.code, extra.err]).toEqual([2, `samkost: ${json}: okänt fält "reason"; filen ger bara raderna ("balances"), övriga uppgifter anges som flaggor\n`]);
    const line = { type: 'ledger.opening.correct', year: 2024, reference: 'r', reason: 'x', file: 'c.csv', balances: [{ account: '1930', amount: '1.00' }, { account: '2091', amount: '-1.00' }] };
    const both = await f.run('apply', file('both.ndjson', `${JSON.stringify(line)}\n`));
    expect(both.code).toBe(2);
    expect(both.err).toContain('ledger.opening.correct: både "file" och "balances" anges; ange det ena');
    expect(eventCount(f.store)).toBe(n);
  });

  test('given the figures corrected back, when the earlier correction is given again as it was, then nothing is stored and it says which set is in force and how to bring that one back', async () => {
    const back = await f.run('ledger', 'correct-opening', '--year', '2024', '--file', file('back.csv', IB_CSV), '--reference', 'UB 2023 enligt Visma efter revision', '--reason', 'revisionens justering återtagen');
    expect([back.code, back.err]).toEqual([0, '']);
    const n = eventCount(f.store);
    const again = await correct(file('c.csv', CORRECTED_CSV));
    expect(again.out).toMatch(/^ledger.opening.correct: redan registrerat av kommando c-[0-9a-f]+; inget nytt sparat\. Den registrerades i books-opening@1; i kraft är books-opening@2 \(UB 2023 enligt Visma efter revision\)\. För att ta tillbaka uppsättningen: ge rättelsen ett eget --reason eller --command-id\n$/);
    expect(eventCount(f.store)).toBe(n);
    const text = await f.run('ledger', '--year', '2024', '--part', 'opening');
    expect(text.out).toContain(`Ersatte: ingående balanser 2024 rättade 2025-03-01 (UB 2023 enligt Visma efter revision), händelse books-opening@1, rättade i books-opening@2: revisionens justering återtagen.\n`);
  });

  test('given 2024 closed, then a correction is refused: its closing balances are 2025\'s opening ones', async () => {
    const later = cliOn(f.store, '2025-03-01T10:00:00Z');
    const closed = await later('year', 'close', '2024', '--date', '2025-02-01');
    expect(closed.err).toBe('');
    const n = eventCount(f.store);
    const r = await later('ledger', 'correct-opening', '--year', '2024', '--file', file('c2.csv', IB_CSV), '--reference', REFERENCE, '--reason', REASON);
    expect([r.code, r.err]).toEqual([2, 'samkost: ledger.opening.correct 2024: året 2024 stängdes 2025-02-01; dess siffror kan inte längre ändras\n']);
    expect(eventCount(f.store)).toBe(n);
  });
});
