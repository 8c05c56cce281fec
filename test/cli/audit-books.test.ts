import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit } from '../../scripts/check-audit';
import { billingFixture } from '../support/billing-fixture';
import { compiled, runNode } from '../support/processes';

/*
 * The audit package and the books: a year's package holds the year's vouchers (vouchers.ndjson, as
 * `samkost ledger --json` gives them) and every event they and the year's supplier costs and payments come
 * from, so that check-audit ties each voucher to its event. The history is the main job's kind: a
 * price-list service (Bibblix) and a budgeted one (EGIL), whose lines refer to their prices and budget and
 * never to their costs, each with a supplier cost in the year, neither settled, and a payment to a supplier.
 */

interface EventLine { streamId: string; revision: number; id: string; type: string; position: string; metadata: { hash: string } }
interface VoucherLine { series: string; number: string; date: string; text: string; source: { streamId: string; revision: number; eventId: string; type: string; hash: string; position: string }; transactions: { account: string; amount: string }[] }
interface Manifest { format: string; files: Record<string, { sha256: string; bytes: number }>; vouchers?: number; events: { count: number } }

const ndjson = <T>(path: string): T[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function yearWithCosts() {
  const f = await billingFixture();
  const ok = async (...args: string[]) => {
    const r = await f.run(...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
  };
  const bibblix = join(f.dir, 'bibblix.json');
  writeFileSync(bibblix, JSON.stringify({
    serviceId: 'bibblix', name: 'Bibblix', area: 'Bibliotek', overheadRate: '0.05', cadence: 'yearly', decisionRef: 'Styrelsen 2023 §6', date: '2023-01-01',
    pricing: { kind: 'price-list', bands: [{ id: 'small', label: '< 100 000', max: 99999, price: '22000.00' }, { id: 'large', label: '≥ 100 000', min: 100000, price: '42000.00' }] },
  }));
  await ok('service', 'establish', bibblix);
  await ok('enrolment', 'start', '--service', 'bibblix', '--member', '0180', '--from', '2024-01-01');
  await ok('enrolment', 'start', '--service', 'bibblix', '--member', '1480', '--from', '2024-01-01');
  await ok('invoice', 'run', '--period', '2024', '--date', '2024-01-20');
  await ok('cost', 'record', '--service', 'bibblix', '--year', '2024', '--amount', '60000.00', '--vat', '15000.00', '--supplier', 'Bibblix AB', '--reference', 'B-1', '--date', '2024-12-31');
  await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1250000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
  await ok('cost', 'pay', '--service', 'bibblix', '--year', '2024', '--reference', 'B-1', '--amount', '75000.00', '--date', '2024-12-31');
  const dir = join(f.dir, 'audit-2024');
  const exported = await f.json<{ manifestSha256: string }>('export', 'audit', '--year', '2024', '--out', dir);
  return { f, dir, noted: exported.manifestSha256 };
}

/** Rewrites a file of the package by `edit` and its hash and size into the manifest, as a forger would. */
function rewrite(dir: string, name: string, edit: (text: string) => string, manifest: (m: Manifest) => void = () => undefined): void {
  const path = join(dir, name);
  const before = readFileSync(path, 'utf8');
  const text = edit(before);
  expect(text).not.toBe(before);
  writeFileSync(path, text);
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  m.files[name] = { sha256: sha(path), bytes: Buffer.byteLength(text) };
  manifest(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

describe('samkost export audit: the year\'s vouchers and the events they come from', () => {
  let y: Awaited<ReturnType<typeof yearWithCosts>>;
  beforeAll(async () => {
    y = await yearWithCosts();
  });

  test('given supplier costs of a price-list and a budgeted service and a payment to a supplier, when the year is exported, then its events hold each of them and check-audit passes', async () => {
    const events = ndjson<EventLine>(join(y.dir, 'events.ndjson'));
    const costs = events.filter((e) => e.type === 'ActualCostRecorded').map((e) => e.streamId);
    expect(costs.sort()).toEqual(['service-bibblix', 'service-egil']);
    expect(events.filter((e) => e.type === 'SupplierPaymentRecorded').map((e) => e.streamId)).toEqual(['service-bibblix']);

    // Malmö joins on 2024-04-15, after the year's one run (rules 10 bills it later): no document names it,
    // yet its enrolment is in the EGIL split the lines were decided from, so its stream is in the package.
    const documents = ndjson<{ document: { buyer: { orgnr: string } } }>(join(y.dir, 'documents.ndjson'));
    expect(documents.some((d) => d.document.buyer.orgnr === '212000-1124')).toBe(false);
    expect(events.some((e) => e.streamId === 'member-212000-1124')).toBe(true);
    const r = checkAudit(y.dir, y.noted);
    expect(r).toMatchObject({ ok: true, problems: [], notices: [], files: 5 });
    const run = await runNode(compiled('scripts/check-audit.js'), [y.dir, '--manifest-sha256', y.noted]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OK: 5 filer stämmer med manifestet; .*; (\d+) verifikationer balanserar och har sin källa i händelserna\n$/);
    expect(run.stdout).toContain(`; ${r.vouchers} verifikationer balanserar`);
  });

  test('given a chart of accounts, when the year is exported with it, then its vouchers are booked as `ledger --chart` books them, and check-audit passes', async () => {
    const chart = join(y.f.dir, 'chart.json');
    writeFileSync(chart, JSON.stringify({ accounts: [{ number: '6550', name: 'Konsultarvoden', type: 'K' }], itCosts: '6550' }));
    const dir = join(y.f.dir, 'audit-2024-chart');
    await y.f.json('export', 'audit', '--year', '2024', '--out', dir, '--chart', chart);
    const accounts = new Set(ndjson<VoucherLine>(join(dir, 'vouchers.ndjson')).flatMap((v) => v.transactions.map((t) => t.account)));
    expect(accounts.has('6550')).toBe(true);
    expect(accounts.has('6540')).toBe(false);
    const ledger = await y.f.json<{ vouchers: unknown[] }>('ledger', '--year', '2024', '--part', 'journal', '--chart', chart);
    expect(ndjson(join(dir, 'vouchers.ndjson'))).toEqual(ledger.vouchers);
    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [] });
  });

  test('then vouchers.ndjson is the year\'s journal as `samkost ledger --json` gives it, the L and U vouchers\' sources the cost and payment events, and the manifest counts and hashes it', async () => {
    const vouchers = ndjson<VoucherLine>(join(y.dir, 'vouchers.ndjson'));
    const ledger = await y.f.json<{ vouchers: VoucherLine[] }>('ledger', '--year', '2024', '--part', 'journal');
    expect(vouchers).toEqual(ledger.vouchers);
    const manifest = JSON.parse(readFileSync(join(y.dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.format).toBe('samkost-audit/3');
    expect(manifest.vouchers).toBe(vouchers.length);
    expect(manifest.files['vouchers.ndjson'].sha256).toBe(sha(join(y.dir, 'vouchers.ndjson')));

    const events = ndjson<EventLine>(join(y.dir, 'events.ndjson'));
    const eventOf = (v: VoucherLine) => events.find((e) => e.id === v.source.eventId);
    const l = vouchers.filter((v) => v.series === 'L');
    expect(l.map((v) => [v.number, eventOf(v)?.streamId, eventOf(v)?.type, eventOf(v)?.metadata.hash === v.source.hash, v.transactions])).toEqual([
      ['1', 'service-bibblix', 'ActualCostRecorded', true, [{ account: '6540', amount: '60000.00' }, { account: '2641', amount: '15000.00' }, { account: '2440', amount: '-75000.00' }]],
      ['2', 'service-egil', 'ActualCostRecorded', true, [{ account: '6540', amount: '1250000.00' }, { account: '2440', amount: '-1250000.00' }]],
    ]);
    const u = vouchers.filter((v) => v.series === 'U');
    expect(u.map((v) => [v.number, eventOf(v)?.type, eventOf(v)?.metadata.hash === v.source.hash])).toEqual([['1', 'SupplierPaymentRecorded', true]]);
    // Every voucher's source is in the package, the F vouchers' the invoices and the P accruals' the costs.
    for (const v of vouchers) expect(eventOf(v)?.metadata.hash).toBe(v.source.hash);
    expect(new Set(vouchers.map((v) => v.series))).toEqual(new Set(['F', 'L', 'U', 'P']));
  });

  describe('a voucher edited after the export, its file re-hashed into the manifest', () => {
    let dir: string;
    let copies = 0;
    beforeEach(async () => {
      copies += 1;
      dir = join(y.f.dir, `edited-${copies}`);
      const r = await y.f.run('export', 'audit', '--year', '2024', '--out', dir);
      expect(r.code).toBe(0);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const lineOf = (series: string, number: string) => ndjson<VoucherLine>(join(dir, 'vouchers.ndjson')).findIndex((v) => v.series === series && v.number === number) + 1;

    test('when one amount of the payment\'s voucher changes, then check-audit fails naming the voucher: it no longer balances, and its debit is not the payment\'s', async () => {
      const n = lineOf('U', '1');
      rewrite(dir, 'vouchers.ndjson', (t) => t.replace('{"account":"2440","amount":"75000.00"}', '{"account":"2440","amount":"75000.01"}'));
      const r = checkAudit(dir);
      expect(r.ok).toBe(false);
      expect(r.problems).toEqual([
        `vouchers.ndjson rad ${n}: verifikation U 1: balanserar inte, debet och kredit skiljer sig med 0.01`,
        expect.stringMatching(new RegExp(`^vouchers\\.ndjson rad ${n}: verifikation U 1: debet 75000\\.01, källan anger 75000\\.00 \\(SupplierPaymentRecorded service-bibblix@\\d+\\)$`)),
        expect.stringMatching(/^vouchers\.ndjson: (\d+) verifikationer balanserar, manifestet anger \d+$/),
      ]);
      const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`FEL: vouchers.ndjson rad ${n}: verifikation U 1: balanserar inte`);
    });

    test('when both sides of a cost\'s voucher change alike, then it still balances, and check-audit fails naming it by the cost it no longer matches', () => {
      const n = lineOf('L', '2');
      rewrite(dir, 'vouchers.ndjson', (t) => t.replace('{"account":"6540","amount":"1250000.00"},{"account":"2440","amount":"-1250000.00"}', '{"account":"6540","amount":"1200000.00"},{"account":"2440","amount":"-1200000.00"}'));
      expect(checkAudit(dir).problems).toEqual([
        expect.stringMatching(new RegExp(`^vouchers\\.ndjson rad ${n}: verifikation L 2: debet 1200000\\.00, källan anger 1250000\\.00 \\(ActualCostRecorded service-egil@\\d+\\)$`)),
      ]);
    });

    test('when a voucher\'s source hash changes, then check-audit fails naming the voucher and both hashes', () => {
      const n = lineOf('L', '1');
      const v = ndjson<VoucherLine>(join(dir, 'vouchers.ndjson'))[n - 1];
      const other = 'f'.repeat(64);
      rewrite(dir, 'vouchers.ndjson', (t) => t.replace(`"hash":"${v.source.hash}"`, `"hash":"${other}"`));
      expect(checkAudit(dir).problems).toEqual([
        `vouchers.ndjson rad ${n}: verifikation L 1: källan ${v.source.streamId}@${v.source.revision} anges med hash ffffffffffff…, händelsens är ${v.source.hash.slice(0, 12)}…`,
      ]);
    });

    test('when a voucher is dropped, or the file is edited without the manifest, then check-audit fails on the count, or on the file\'s hash', () => {
      rewrite(dir, 'vouchers.ndjson', (t) => t.split('\n').slice(1).join('\n'));
      expect(checkAudit(dir).problems).toEqual([
        // The event whose voucher was dropped is named, and the counts no longer match.
        expect.stringMatching(/^vouchers\.ndjson: dokumentet M2024-0001 \(InvoiceIssued billing-2024@\d+\) ger en verifikation i serie F 2024, som saknas$/),
        expect.stringMatching(/^vouchers\.ndjson: \d+ verifikationer, manifestet anger \d+$/),
        expect.stringMatching(/^vouchers\.ndjson: \d+ verifikationer balanserar, manifestet anger \d+$/),
      ]);
      writeFileSync(join(dir, 'vouchers.ndjson'), '');
      expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([expect.stringMatching(/^vouchers\.ndjson: SHA-256 [0-9a-f]{64} skiljer sig från manifestets/)]));
    });
  });

  test('given a package of the second format (no vouchers.ndjson), then check-audit checks it as before and notes what it lacks; a third-format package without the file fails', async () => {
    const dir = join(y.f.dir, 'audit-2024-v2');
    expect((await y.f.run('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest & Record<string, unknown>;
    rmSync(join(dir, 'vouchers.ndjson'));
    delete m.files['vouchers.ndjson'];
    delete m.vouchers;
    delete m.vouchersBalanced;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, format: 'samkost-audit/3' }));
    expect(checkAudit(dir).problems).toEqual(['manifest.json saknar vouchers.ndjson', 'manifest.json saknar vouchers, som filerna kontrolleras mot', 'manifest.json saknar vouchersBalanced, som filerna kontrolleras mot', 'vouchers.ndjson: saknas']);

    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, format: 'samkost-audit/2' }));
    const r = checkAudit(dir);
    expect(r).toMatchObject({ ok: true, problems: [], files: 4 });
    expect(r.vouchers).toBeUndefined();
    expect(r.notices).toEqual(['paketet har formatet samkost-audit/2, utan vouchers.ndjson: årets verifikationer knyts inte till sina händelser (samkost export audit skriver dem i samkost-audit/3)']);
    const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OBS: paketet har formatet samkost-audit\/2, utan vouchers\.ndjson: .*\nOK: 4 filer stämmer med manifestet; [^\n]*fördelningstabeller stämmer med spårningarna\n$/);
  });
});
