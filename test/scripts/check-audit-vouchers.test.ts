import Decimal from 'decimal.js';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit } from '../../scripts/check-audit';
import { firstQuarterInvoiced, settledYear } from '../support/billing-fixture';
import { cliOn } from '../support/cli';
import { compiled, runNode } from '../support/processes';

/*
 * check-audit holds a payment's and a refund's voucher (series B) to the event it comes from, account by
 * account, as the ledger books it (a payment 1930 against 1510, a refund 1510 against 1930), and holds
 * every event the books take to its voucher. The package is re-hashed as a forger would (each edited
 * file's hash and size, and the manifest's counts, written anew), with no noted manifest hash: only what
 * the package shows of itself can tell. The history is the billing fixture's first quarter, M2024-0001
 * paid 1 000,00 kr too much on 10 February and the excess paid back on 1 March.
 */

interface Ref { streamId: string; revision: number; type: string }
interface Transaction { account: string; amount: string }
interface VoucherLine { series: string; number: string; source: Ref; transactions: Transaction[] }
interface Manifest { files: Record<string, { sha256: string; bytes: number }>; vouchers: number; vouchersBalanced: number }

const VOUCHERS = 'vouchers.ndjson';
const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
const vouchersOf = (dir: string) => readFileSync(join(dir, VOUCHERS), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as VoucherLine);

/** Writes vouchers.ndjson as `vouchers`, and its hash, size and counts into the manifest, as a forger would. */
function forgeVouchers(dir: string, vouchers: VoucherLine[]): void {
  const text = `${vouchers.map((v) => JSON.stringify(v)).join('\n')}\n`;
  writeFileSync(join(dir, VOUCHERS), text);
  const m = readManifest(dir);
  m.files[VOUCHERS] = { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
  m.vouchers = vouchers.length;
  m.vouchersBalanced = vouchers.length;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

/** The line (1-based) and voucher of the package's one voucher from an event of `type`. */
function voucherFrom(dir: string, type: string): { n: number; v: VoucherLine } {
  const all = vouchersOf(dir);
  const found = all.filter((v) => v.source.type === type);
  expect(found).toHaveLength(1);
  return { n: all.indexOf(found[0]) + 1, v: found[0] };
}

/** `v` with `from` booked to `to` instead. */
const rebooked = (v: VoucherLine, from: string, to: string): VoucherLine => ({ ...v, transactions: v.transactions.map((t) => (t.account === from ? { ...t, account: to } : t)) });
const amountOn = (v: VoucherLine, account: string) => v.transactions.find((t) => t.account === account)!.amount;
const named = (v: VoucherLine) => `${v.source.type} ${v.source.streamId}@${v.source.revision}`;

/** check-audit names exactly `problems`, and the script fails with exit code 1 printing each. */
async function expectProblems(dir: string, problems: string[]): Promise<void> {
  expect(checkAudit(dir).problems).toEqual(problems);
  const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
  expect(run.code).toBe(1);
  for (const p of problems) expect(run.stdout).toContain(`FEL: ${p}\n`);
}

describe('check-audit: a payment\'s and a refund\'s voucher (B), its package re-hashed', () => {
  let exported: string;
  let copies = 0;
  beforeAll(async () => {
    const { f, run, json } = await firstQuarterInvoiced();
    const { total } = await json<{ total: string }>('invoice', 'show', 'M2024-0001');
    const paid = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', new Decimal(total).plus(1000).toFixed(2), '--date', '2024-02-10', '--reference', 'BG 1', '--overpayment');
    expect(paid.code).toBe(0);
    const refund = await run('payment', 'refund', '--invoice', 'M2024-0001', '--amount', '1000.00', '--date', '2024-03-01', '--reference', 'UT 1', '--reason', 'Överbetalning återbetald');
    expect(refund.code).toBe(0);
    exported = join(f.dir, 'audit-2024');
    expect((await run('export', 'audit', '--year', '2024', '--out', exported)).code).toBe(0);
  });

  /** A fresh copy of the exported package, for one test to forge. */
  function copy(): string {
    copies += 1;
    const dir = `${exported}-${copies}`;
    cpSync(exported, dir, { recursive: true });
    return dir;
  }

  test('given the package as exported, then check-audit passes it: the payment is booked 1930 against 1510, the refund 1510 against 1930', async () => {
    const dir = copy();
    const payment = voucherFrom(dir, 'PaymentRecorded').v;
    const refund = voucherFrom(dir, 'RefundPaid').v;
    expect(payment.transactions.map((t) => t.account)).toEqual(['1930', '1510']);
    expect(refund.transactions).toEqual([{ account: '1510', amount: '1000.00' }, { account: '1930', amount: '-1000.00' }]);
    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [] });
    const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
    expect([run.code, run.stdout]).toEqual([0, expect.stringMatching(/^OK: .*verifikationer balanserar och har sin källa i händelserna\n$/)]);
  });

  test.each([
    ['a refund\'s debit account, 1510 to 3890', 'RefundPaid', '1510', '3890'],
    ['a refund\'s credit account, 1930 to 1910 (an account the chart has not)', 'RefundPaid', '1930', '1910'],
    ['a payment\'s credit account, 1510 to 3890', 'PaymentRecorded', '1510', '3890'],
  ])('given %s, then check-audit fails with exit code 1, naming the voucher, its event, the account booked and the one the event gives', async (_what, type, from, to) => {
    const dir = copy();
    const all = vouchersOf(dir);
    const { n, v } = voucherFrom(dir, type);
    forgeVouchers(dir, all.map((x, i) => (i === n - 1 ? rebooked(x, from, to) : x)));
    const amount = amountOn(v, from);
    await expectProblems(dir, [
      `${VOUCHERS} rad ${n}: verifikation B ${v.number}: stämmer inte med händelsen: konto ${to} ${amount} där händelsen ger inget, konto ${from} saknas där händelsen ger ${amount} (${named(v)})`,
    ]);
  });

  test('given a refund\'s voucher taken out, and the manifest\'s counts lowered to match, then check-audit fails naming the refund that has no voucher', async () => {
    const dir = copy();
    const { v } = voucherFrom(dir, 'RefundPaid');
    forgeVouchers(dir, vouchersOf(dir).filter((x) => x.source.type !== 'RefundPaid'));
    await expectProblems(dir, [`${VOUCHERS}: ${named(v)} (2024-03-01) ger en verifikation i serie B 2024, som saknas`]);
  });

  test('given an invoice\'s voucher taken out, and the manifest\'s counts lowered to match, then check-audit fails naming the document that has no voucher', async () => {
    const dir = copy();
    const all = vouchersOf(dir);
    const invoice = all.find((v) => v.series === 'F' && v.number === 'M2024-0001')!;
    forgeVouchers(dir, all.filter((x) => x !== invoice));
    await expectProblems(dir, [`${VOUCHERS}: dokumentet M2024-0001 (${named(invoice)}) ger en verifikation i serie F 2024, som saknas`]);
  });
});

describe('check-audit: every event the year\'s books take has its voucher, its package re-hashed', () => {
  let dir: string;
  beforeAll(async () => {
    // A settled year: its settlement issued in 2025 is accrued in 2024 (P), and EGIL's cost (L) is paid (U).
    const f = await settledYear();
    expect((await f.run('cost', 'pay', '--service', 'egil', '--year', '2024', '--reference', 'F-1', '--amount', '1320000.00', '--date', '2024-12-31')).code).toBe(0);
    dir = join(f.dir, 'audit-2024');
    expect((await f.run('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
  });

  test('given the package as exported, with documents accrued from the next year, a supplier cost and its payment, then check-audit passes it', () => {
    expect(new Set(vouchersOf(dir).map((v) => v.series))).toEqual(new Set(['F', 'K', 'L', 'U', 'P']));
    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [] });
  });

  test.each([
    ['a supplier cost\'s voucher (L)', 'L', 'ActualCostRecorded'],
    ['a payment to a supplier\'s voucher (U)', 'U', 'SupplierPaymentRecorded'],
  ])('given %s taken out, and the manifest\'s counts lowered to match, then check-audit fails naming the event that has no voucher', async (_what, series, type) => {
    const forged = `${dir}-${series}`;
    cpSync(dir, forged, { recursive: true });
    const { v } = voucherFrom(forged, type);
    expect(v.series).toBe(series);
    forgeVouchers(forged, vouchersOf(forged).filter((x) => x.source.type !== type));
    const problems = [`${VOUCHERS}: ${named(v)} (2024-12-31) ger en verifikation i serie ${series} 2024, som saknas`];
    expect(checkAudit(forged).problems).toEqual(problems);
    const run = await runNode(compiled('scripts/check-audit.js'), [forged]);
    expect([run.code, run.stdout]).toEqual([1, expect.stringContaining(`FEL: ${problems[0]}\n`)]);
  });
});

describe('check-audit: a reversal\'s voucher (B) of a payment of the year before, its package re-hashed', () => {
  let dir: string;
  beforeAll(async () => {
    // Paid in 2024, reversed in 2025: the 2025 package holds the reversal's voucher, not the payment's.
    const { f, run, json } = await firstQuarterInvoiced();
    expect((await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '100.00', '--date', '2024-02-10', '--reference', 'BG 1')).code).toBe(0);
    const { payments } = await json<{ payments: { id: string }[] }>('invoice', 'show', 'M2024-0001');
    const in2025 = cliOn(f.store, '2025-03-01T10:00:00Z');
    expect((await in2025('payment', 'reverse', payments[0].id, '--date', '2025-01-10', '--reason', 'Fel faktura')).code).toBe(0);
    dir = join(f.dir, 'audit-2025');
    expect((await in2025('export', 'audit', '--year', '2025', '--out', dir)).code).toBe(0);
  });

  test('given its bank account changed, 1930 to 1910, then check-audit names it by what the ledger books of the reversal', async () => {
    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [] });
    const forged = `${dir}-account`;
    cpSync(dir, forged, { recursive: true });
    const { n, v } = voucherFrom(forged, 'PaymentReversed');
    expect(v.transactions).toEqual([{ account: '1510', amount: '100.00' }, { account: '1930', amount: '-100.00' }]);
    forgeVouchers(forged, vouchersOf(forged).map((x, i) => (i === n - 1 ? rebooked(x, '1930', '1910') : x)));
    await expectProblems(forged, [
      `${VOUCHERS} rad ${n}: verifikation B ${v.number}: stämmer inte med händelsen: konto 1910 -100.00 där händelsen ger inget, konto 1930 saknas där händelsen ger -100.00 (${named(v)})`,
    ]);
  });

  test('given its voucher taken out, and the manifest\'s counts lowered to match, then check-audit names the reversal that has no voucher', async () => {
    const forged = `${dir}-deleted`;
    cpSync(dir, forged, { recursive: true });
    const { v } = voucherFrom(forged, 'PaymentReversed');
    forgeVouchers(forged, vouchersOf(forged).filter((x) => x.source.type !== 'PaymentReversed'));
    await expectProblems(forged, [`${VOUCHERS}: ${named(v)} (2025-01-10) ger en verifikation i serie B 2025, som saknas`]);
  });
});
