import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { readSie } from '../../src/export/sie';
import { buildServer } from '../../src/http/server';
import { main } from '../../src/cli/main';
import { billingFixture } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

interface Tx { account: string; amount: string }
interface VoucherJson { series: string; number: string; date: string; text: string; source: { streamId: string; revision: number; type: string; eventId: string; hash: string }; transactions: Tx[] }
interface LedgerJson { vouchers: VoucherJson[]; trial: { account: string; closing: string }[] }

async function fixture() {
  const f = await billingFixture();
  const ok = async (...args: string[]) => {
    const r = await f.run(...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
    return r;
  };
  const ledger = (year = 2024) => f.json<LedgerJson>('ledger', '--year', String(year));
  const closing = (l: LedgerJson, account: string) => l.trial.find((r) => r.account === account)?.closing;
  return { f, ok, ledger, closing };
}

describe('cost record --vat: a supplier invoice\'s input VAT', () => {
  test('given a cost with VAT, then the voucher debits the cost net and 2641 the VAT, credits 2440 both; the self-cost basis stays net', async () => {
    const { f, ok, ledger, closing } = await fixture();
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1 000 000,00', '--vat', '250 000,00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30');
    const l = await ledger();
    const voucher = l.vouchers.find((v) => v.series === 'L')!;
    expect(voucher).toMatchObject({ number: '1', date: '2024-06-30', text: 'Leverantörsfaktura Leverantör AB F-1 (EGIL 2024)' });
    expect(voucher.transactions).toEqual([{ account: '6540', amount: '1000000.00' }, { account: '2641', amount: '250000.00' }, { account: '2440', amount: '-1250000.00' }]);
    expect(voucher.source).toMatchObject({ streamId: 'service-egil', type: 'ActualCostRecorded' });
    expect([closing(l, '2440'), closing(l, '2641'), closing(l, '6540')]).toEqual(['-1250000.00', '250000.00', '1000000.00']);
    // VAT is recovered, not a cost: the split, the self-cost report and a settlement see the net amount.
    const split = await f.json<{ base: string; cost: string }>('split', '--service', 'egil', '--year', '2024', '--basis', 'actual');
    expect([split.base, split.cost]).toEqual(['1000000.00', '1050000.00']);
    const self = await f.json<{ services: { serviceId: string; actualCost: string; fullCost: string }[] }>('selfcost', '--year', '2024');
    expect(self.services.find((s) => s.serviceId === 'egil')).toMatchObject({ actualCost: '1000000.00', fullCost: '1050000.00' });
  });

  test('given a cost with VAT, then the SIE file lists 2641 and carries its transaction, and the voucher balances', async () => {
    const { f, ok } = await fixture();
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '80000.00', '--vat', '20000.00', '--supplier', 'Leverantör AB', '--reference', 'F-7', '--date', '2024-03-31');
    const out = join(f.dir, 'books.se');
    await ok('export', 'sie', '--year', '2024', '--type', '4I', '--out', out);
    const bytes = readFileSync(out);
    const text = iconv.decode(bytes, 'cp437');
    expect(text).toContain('#KONTO 2641 "Debiterad ingående moms"');
    expect(text).toMatch(/#VER "L" "1" 20240331 "Leverant.rsfaktura Leverant.r AB F-7 \(EGIL 2024\)"\r\n\{\r\n {3}#TRANS 6540 \{\} 80000\.00\r\n {3}#TRANS 2641 \{\} 20000\.00\r\n {3}#TRANS 2440 \{\} -100000\.00\r\n\}/);
    expect(readSie(bytes).vouchers.every((v) => v.transactions.reduce((a, t) => a + Math.round(Number(t.amount) * 100), 0) === 0)).toBe(true);
  });

  test('given a cost without --vat, then its event has no vat field and its voucher is as before: no 2641', async () => {
    const { f, ok, ledger } = await fixture();
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--supplier', 'Leverantör AB', '--reference', 'F-2', '--date', '2024-06-30');
    const events = await f.json<{ type: string; data: Record<string, unknown> }[]>('events', '--stream', 'service-egil');
    expect(Object.keys(events.find((e) => e.type === 'ActualCostRecorded')!.data).sort()).toEqual(['amount', 'date', 'reference', 'serviceId', 'supplier', 'year']);
    expect((await ledger()).vouchers.find((v) => v.series === 'L')!.transactions).toEqual([{ account: '6540', amount: '1000.00' }, { account: '2440', amount: '-1000.00' }]);
  });

  test.each([
    [['--vat', '250000.01'], 'samkost: cost.record egil 2024 F-1: momsen 250 000,01 kr är mer än 25 % (den högsta momssatsen) av beloppet exklusive moms 1 000 000,00 kr, högst 250 000,00 kr; beloppet anges exklusive moms och momsen för sig'],
    [['--vat', '-5,00'], 'samkost: cost.record: vat: beloppet får inte vara negativt'],
    [['--vat', '12.345'], 'samkost: cost.record: vat: ska vara ett belopp som "1234.50"'],
  ])('given %j, then one Swedish line, exit code 2, and nothing stored', async (flags, message) => {
    const { f } = await fixture();
    const before = eventCount(f.store);
    const r = await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000000.00', ...flags, '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30');
    expect([r.code, r.err]).toEqual([2, `${message}\n`]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a configuration whose highest VAT rate is 12 %, then 25 % VAT is refused', async () => {
    const { f } = await fixture();
    const config = join(f.dir, 'samkost.config.json');
    writeFileSync(config, JSON.stringify({ serviceVatRate: '0.12', vatRates: ['0.12', '0.06'] }));
    const run = cliOn(f.store, '2024-03-01T10:00:00Z', { SAMKOST_CONFIG: config });
    const r = await run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--vat', '250.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30');
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('är mer än 12 % (den högsta momssatsen)')]);
    expect((await run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--vat', '120.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30')).code).toBe(0);
  });
});

describe('cost record --vat across years and over HTTP', () => {
  test('given a 2024 cost invoiced in January 2025 with VAT, then its VAT is booked in 2025 on the invoice\'s date and only the net amount is accrued into 2024', async () => {
    const { ok, ledger } = await fixture();
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '4000.00', '--vat', '1000.00', '--supplier', 'Leverantör AB', '--reference', 'F-9', '--date', '2025-01-20');
    const accrual = (await ledger(2024)).vouchers.find((v) => v.text.startsWith('Upplupen kostnad'))!;
    expect(accrual.transactions).toEqual([{ account: '6540', amount: '4000.00' }, { account: '2990', amount: '-4000.00' }]);
    const invoice = (await ledger(2025)).vouchers.find((v) => v.series === 'L')!;
    expect(invoice.transactions).toEqual([{ account: '2990', amount: '4000.00' }, { account: '2641', amount: '1000.00' }, { account: '2440', amount: '-5000.00' }]);
  });

  test('given the vat field in a posted command, then it is recorded as on the CLI; too much VAT is 400 and nothing is stored', async () => {
    const { f } = await fixture();
    const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-03-01T10:00:00Z') }, run: main });
    const cost = { type: 'cost.record', serviceId: 'egil', year: 2024, amount: '1000.00', supplier: 'Leverantör AB', reference: 'F-3', date: '2024-06-30' };
    const before = eventCount(f.store);
    const refused = await app.inject({ method: 'POST', url: '/v1/commands', payload: { ...cost, vat: '250.01' } });
    expect([refused.statusCode, refused.json()]).toEqual([400, { error: expect.stringContaining('momsen 250,01 kr är mer än 25 %') }]);
    expect(eventCount(f.store)).toBe(before);
    const recorded = await app.inject({ method: 'POST', url: '/v1/commands', payload: { ...cost, vat: '250' } });
    expect(recorded.statusCode).toBe(201);
    const events = await f.json<{ type: string; data: Record<string, unknown> }[]>('events', '--stream', 'service-egil');
    expect(events.at(-1)!.data).toMatchObject({ reference: 'F-3', vat: '250.00' });
  });
});
