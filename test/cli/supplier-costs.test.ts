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

  test('given a supplier invoice recorded, then finance is told what was recorded in its words; the same invoice again, that nothing new was', async () => {
    const { f } = await fixture();
    const args = ['cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--vat', '250.00', '--supplier', 'Leverantör AB', '--reference', 'F-9', '--date', '2024-06-30'];
    expect((await f.run(...args)).out).toMatch(/^Leverantörsfaktura registrerad: 1\s000,00 kr \+ moms 250,00 kr från Leverantör AB, F-9 \(egil 2024\) \(service-egil@\d+, position \d+\)\n$/);
    expect((await f.run(...args, '--command-id', 'another')).out).toBe('cost.record: redan registrerat; inget nytt sparat\n');
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
    [['--vat', '-5,00'], 'samkost: cost.record: --vat: beloppet får inte vara negativt'],
    [['--vat', '12.345'], 'samkost: --vat ska vara ett belopp som "1 234,50" eller "1234.50", inte "12.345"'],
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
    const run = cliOn(f.store, '2024-07-01T10:00:00Z', { SAMKOST_CONFIG: config });
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
    const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-07-01T10:00:00Z') }, run: main });
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

interface CostsJson {
  costs: { serviceId: string; year: number; reference: string; supplier: string; amount: string; vat: string; total: string; paid: string; owed: string; payments: { amount: string; date: string; event: { type: string } }[] }[];
  totals: { amount: string; vat: string; total: string; paid: string; owed: string };
}

describe('cost pay: payments to suppliers', () => {
  const record = ['cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000000.00', '--vat', '250000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30'];
  const pay = (amount: string, date: string, ...more: string[]) => ['cost', 'pay', '--service', 'egil', '--year', '2024', '--reference', 'F-1', '--amount', amount, '--date', date, ...more];

  test('given a cost paid in two parts, then each payment is a U voucher (2440 against 1930) on its date, numbered in its own series, traced to its event; paid in full, 2440 is zero', async () => {
    const { f, ok, ledger, closing } = await fixture();
    await ok(...record);
    expect((await ok(...pay('1 000 000,00', '2024-07-31'))).out).toMatch(/^Betalning till leverantör registrerad: 1 000 000,00 kr för F-1 \(egil 2024\), betald 2024-07-31 \(service-egil@\d+, position \d+\)\n$/);
    await ok(...pay('250000', '2024-08-31'));
    const l = await ledger();
    const paid = l.vouchers.filter((v) => v.series === 'U');
    expect(paid.map((v) => [v.number, v.date, v.text, v.transactions])).toEqual([
      ['1', '2024-07-31', 'Utbetalning till Leverantör AB F-1 (EGIL 2024)', [{ account: '2440', amount: '1000000.00' }, { account: '1930', amount: '-1000000.00' }]],
      ['2', '2024-08-31', 'Utbetalning till Leverantör AB F-1 (EGIL 2024)', [{ account: '2440', amount: '250000.00' }, { account: '1930', amount: '-250000.00' }]],
    ]);
    const events = await f.json<{ id: string; type: string; streamId: string; revision: number; position: string; metadata: { hash: string } }[]>('events', '--stream', 'service-egil');
    const payments = events.filter((e) => e.type === 'SupplierPaymentRecorded');
    expect(payments).toHaveLength(2);
    expect(paid.map((v) => v.source)).toEqual(payments.map((e) => ({ streamId: e.streamId, revision: e.revision, position: e.position, eventId: e.id, type: 'SupplierPaymentRecorded', hash: e.metadata.hash })));
    expect(closing(l, '2440')).toBe('0.00');
    const costs = await f.json<CostsJson>('costs', '--year', '2024');
    expect(costs.costs).toEqual([expect.objectContaining({ reference: 'F-1', amount: '1000000.00', vat: '250000.00', total: '1250000.00', paid: '1250000.00', owed: '0.00' })]);
    expect((await f.json<CostsJson>('costs', '--open')).costs).toEqual([]);
    const verify = await f.run('verify');
    expect(verify.code).toBe(0);
    const out = join(f.dir, 'books.se');
    await ok('export', 'sie', '--year', '2024', '--type', '4I', '--out', out);
    expect(iconv.decode(readFileSync(out), 'cp437')).toContain('#VER "U" "2" 20240831 "Utbetalning till Leverant\u00f6r AB F-1 (EGIL 2024)"\r\n{\r\n   #TRANS 2440 {} 250000.00\r\n   #TRANS 1930 {} -250000.00\r\n}');
  });

  test('given the same payment again, under a new command id or over HTTP with another idempotency key, then nothing more is recorded', async () => {
    const { f, ok } = await fixture();
    await ok(...record);
    await ok(...pay('100.00', '2024-07-31'));
    const count = eventCount(f.store);
    expect((await ok(...pay('100', '2024-07-31'))).out).toBe('cost.pay: redan registrerat av kommando ' + (await f.json<{ commandId: string }>(...pay('100.00', '2024-07-31'))).commandId + '; inget nytt sparat\n');
    expect((await ok(...pay('100.00', '2024-07-31', '--command-id', 'bank-42'))).out).toBe('cost.pay: redan registrerat; inget nytt sparat\n');
    const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-09-01T10:00:00Z') }, run: main });
    const again = await app.inject({ method: 'POST', url: '/v1/commands', headers: { 'idempotency-key': 'k-1' }, payload: { type: 'cost.pay', serviceId: 'egil', year: 2024, reference: 'F-1', amount: '100.00', date: '2024-07-31' } });
    expect([again.statusCode, again.json().events]).toEqual([200, []]);
    expect(eventCount(f.store)).toBe(count);
    // A command id already used by another payment is refused, not answered "already recorded".
    const reused = await f.run(...pay('200.00', '2024-08-31', '--command-id', (await f.json<{ commandId: string }>(...pay('100.00', '2024-07-31'))).commandId));
    expect([reused.code, reused.err]).toEqual([2, expect.stringContaining('användes redan för ett annat kommando (SupplierPaymentRecorded')]);
    const posted = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'cost.pay', serviceId: 'egil', year: 2024, reference: 'F-1', amount: '200.00', date: '2024-08-31' } });
    expect(posted.statusCode).toBe(201);
    expect((await f.json<CostsJson>('costs')).costs[0]).toMatchObject({ paid: '300.00', owed: '1249700.00' });
  });

  test.each([
    [pay('1250000.01', '2024-07-31'), 'samkost: cost.pay egil 2024 F-1: 1 250 000,01 kr är mer än det som återstår att betala (1 250 000,00 kr av 1 250 000,00 kr inklusive moms)'],
    [pay('0,00', '2024-07-31'), 'samkost: cost.pay egil 2024 F-1: beloppet måste vara större än noll (0.00)'],
    [['cost', 'pay', '--service', 'egil', '--year', '2024', '--reference', 'F-9', '--amount', '1.00', '--date', '2024-07-31'], 'samkost: cost.pay: ingen kostnad för egil 2024 har referensen "F-9" (registrerade: F-1)'],
    [pay('1.00', '2024-06-01'), 'samkost: cost.pay egil 2024 F-1: betald 2024-06-01, innan leverantörsfakturan är daterad (2024-06-30)'],
  ])('given %j, then one Swedish line, exit code 2, and nothing stored', async (args, message) => {
    const { f, ok } = await fixture();
    await ok(...record);
    const before = eventCount(f.store);
    const r = await f.run(...args);
    expect([r.code, r.err]).toEqual([2, `${message}\n`]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a closed year, then a payment dated in it is refused and one dated after it is booked in its own year', async () => {
    const { f, ok, ledger } = await fixture();
    await ok(...record);
    // A year is closed billed and settled, in the next year.
    await ok('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    await ok('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
    expect((await cliOn(f.store, '2025-03-01T10:00:00Z')('year', 'close', '2024', '--date', '2025-02-15')).code).toBe(0);
    const before = eventCount(f.store);
    const r = await f.run(...pay('1.00', '2024-12-30'));
    expect([r.code, r.err]).toEqual([2, 'samkost: cost.pay egil 2024 F-1: daterad 2024-12-30, men året 2024 stängdes 2025-02-15; dess siffror kan inte längre ändras\n']);
    expect(eventCount(f.store)).toBe(before);
    await ok(...pay('1250000.00', '2025-01-31'));
    const l2025 = await ledger(2025);
    expect(l2025.vouchers.filter((v) => v.series === 'U').map((v) => v.date)).toEqual(['2025-01-31']);
    expect(l2025.trial.find((t) => t.account === '2440')).toMatchObject({ closing: '0.00' });
  });

  test('costs lists each supplier invoice with its VAT, what is paid and what is owed; its total owed is the ledger\'s 2440 at the end of the last year', async () => {
    const { f, ok, ledger, closing } = await fixture();
    await ok(...record);
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '4000.00', '--supplier', 'Konsult AB', '--reference', 'K-7', '--date', '2024-09-30');
    await ok(...pay('50000.00', '2024-07-31'));
    const text = (await ok('costs', '--year', '2024')).out;
    expect(text).toContain('│ egil   │ 2024 │ F-1      │ Leverantör AB │ 2024-06-30 │ 1 000 000,00 kr │ 250 000,00 kr │ 1 250 000,00 kr │ 50 000,00 kr │ 1 200 000,00 kr │');
    expect(text).toContain('Kvar att betala till leverantörer: 1 204 000,00 kr');
    const costs = await f.json<CostsJson>('costs');
    expect(costs.totals).toEqual({ amount: '1004000.00', vat: '250000.00', total: '1254000.00', paid: '50000.00', owed: '1204000.00' });
    expect(closing(await ledger(), '2440')).toBe('-1204000.00');
    expect((await f.json<CostsJson>('costs', '--open', '--service', 'egil')).costs.map((c) => c.reference)).toEqual(['F-1', 'K-7']);
    const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-08-01T10:00:00Z') }, run: main });
    expect((await app.inject({ method: 'GET', url: '/v1/costs?year=2024' })).json()).toEqual(await f.json('costs', '--year', '2024'));
  });

  test('given --at, then costs are as they stood at the end of that day, their owed total the ledger\'s 2440 then', async () => {
    const { f, ok } = await fixture();
    await ok(...record); // 1 250 000,00 kr dated 2024-06-30
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '4000.00', '--supplier', 'Konsult AB', '--reference', 'K-7', '--date', '2024-09-30');
    await ok(...pay('50000.00', '2024-07-31'));
    const at = async (date: string) => (await f.json<CostsJson>('costs', '--at', date)).totals.owed;
    expect(await at('2024-06-29')).toBe('0.00');
    expect(await at('2024-06-30')).toBe('1250000.00');
    expect(await at('2024-07-31')).toBe('1200000.00');
    expect(await at('2024-09-30')).toBe('1204000.00');
    expect((await f.run('costs', '--at', '2024-02-30')).code).toBe(2);
  });
});
