import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { domainCodec } from '../../src/app/codec';
import { Engine } from '../../src/app/engine';
import { bankFileRows, bankPayments, checkBankPayments, importReport } from '../../src/cli/bank-files';
import { DEFAULT_CONFIG } from '../../src/config';
import { SqliteEventStore } from '../../src/store/sqlite';
import { billingFixture } from '../support/billing-fixture';

const clock = { now: () => new Date('2025-03-01T09:00:00Z') };
const TODAY = '2025-03-01';

/** The billing fixture with its first quarter of 2024 invoiced: T2024-0001 and T2024-0002 (EGIL), M-series fees. */
async function invoiced() {
  const f = await billingFixture();
  expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
  return f;
}

const csv = (dir: string, rows: string[]): string => {
  const file = join(dir, `bank-${rows.length}.csv`);
  writeFileSync(file, ['date,amount,reference,bankReference', ...rows].join('\n'));
  return file;
};

describe('payment import: a year\'s payments are one append, decided at the append', () => {
  test('given a file of three payments to 2024\'s invoices, when imported, then they are one append: consecutive positions under one command id', async () => {
    const f = await invoiced();
    const file = csv(f.dir, ['2024-02-01,100.00,T2024-0001,B1', '2024-02-02,200.00,T2024-0002,B2', '2024-02-03,50.00,T2024-0001,B3']);
    const r = await f.run('payment', 'import', file);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`${file}: 3 rader; 3 inbetalningar registrerade (350,00 kr)\n`);
    const events = await f.json<{ type: string; position: string; metadata: { commandId: string } }[]>('events', '--stream', 'billing-2024');
    const paid = events.filter((e) => e.type === 'PaymentRecorded');
    expect(paid).toHaveLength(3);
    expect(new Set(paid.map((e) => e.metadata.commandId)).size).toBe(1);
    expect(paid.map((e) => Number(e.position) - Number(paid[0].position))).toEqual([0, 1, 2]);
    // Imported again: checked, nothing to record, nothing appended.
    expect((await f.run('payment', 'import', file)).out).toContain(`${file}: 3 rader; 0 inbetalningar registrerade (0,00 kr), 3 fanns redan och registrerades inte igen\n`);
  });

  test('given a file checked against the store, when a payment of one of its rows is typed by hand before the append, then the append, decided again, takes the row for it and records the others', async () => {
    const f = await invoiced();
    const file = csv(f.dir, ['2024-02-01,100.00,T2024-0001,B1', '2024-02-02,200.00,T2024-0002,B2']);
    const rows = bankFileRows(file, DEFAULT_CONFIG);
    const engine = new Engine(new SqliteEventStore(f.store, domainCodec), 'bank', clock);
    await engine.catchUp();
    // As `payment import` does: checked on the state it folded, which has no typed payment yet.
    const checked = checkBankPayments(engine.state, file, rows, bankPayments(rows), TODAY);
    expect([checked.toRecord.length, checked.typed]).toEqual([2, []]);
    // Meanwhile, in another process, finance types the first one in from the bank's statement.
    expect((await f.run('payment', 'record', '--invoice', 'T2024-0001', '--amount', '100.00', '--date', '2024-02-01', '--reference', 'enligt bank')).code).toBe(0);
    const paid: { invoice: string; amount: string; date: string; reference: string }[] = [];
    for (const command of checked.commands) {
      for (const e of (await engine.execute(command)).events) paid.push((await engine.store.readEvent(e.streamId, e.revision))!.data as (typeof paid)[number]);
    }
    // Reported as the append decided it: the row taken for the typed payment is said so, not "recorded before".
    const report = importReport(engine.state, checked, paid);
    expect([report.recorded.map((r) => r.payment.invoice), report.typed]).toEqual([['T2024-0002'], ['T2024-0001: 100,00 kr 2024-02-01 (rad 2) är redan registrerad för hand med referensen enligt bank; inte registrerad igen']]);
    await engine.store.close();
    const shown = await f.json<{ paid: string; payments: { reference: string }[] }>('invoice', 'show', 'T2024-0001');
    expect([shown.paid, shown.payments.map((p) => p.reference)]).toEqual(['100.00', ['enligt bank']]);
    expect((await f.json<{ paid: string }>('invoice', 'show', 'T2024-0002')).paid).toBe('200.00');
  });

  test('given a row taken for a typed payment, when that payment is reversed and the file imported again, then the row is recorded now, not answered "already recorded"', async () => {
    const f = await invoiced();
    expect((await f.run('payment', 'record', '--invoice', 'T2024-0001', '--amount', '100.00', '--date', '2024-02-01', '--reference', 'Hand 1')).code).toBe(0);
    const file = csv(f.dir, ['2024-02-01,100.00,T2024-0001,B1', '2024-02-05,200.00,T2024-0002,B2']);
    expect((await f.run('payment', 'import', file)).out).toContain(`${file}: 2 rader; 1 inbetalning registrerad (200,00 kr), 1 fanns redan och registrerades inte igen\n`);
    const typed = (await f.json<{ payments: { id: string; reference: string }[] }>('invoice', 'show', 'T2024-0001')).payments.find((p) => p.reference === 'Hand 1')!;
    expect((await f.run('payment', 'reverse', typed.id, '--date', '2024-03-01', '--reason', 'Fel')).code).toBe(0);
    const again = await f.run('payment', 'import', file);
    expect(again.out).toContain(`${file}: 2 rader; 1 inbetalning registrerad (100,00 kr), 1 fanns redan och registrerades inte igen\n`);
    expect((await f.json<{ payments: { reference: string }[] }>('invoice', 'show', 'T2024-0001')).payments.map((p) => p.reference)).toEqual(['Hand 1', 'B1']);
  });

  test('given a payment.import (an apply line, an HTTP body) whose row was taken for a typed payment, when that payment is reversed and the same command given again, then the row is recorded', async () => {
    const f = await invoiced();
    expect((await f.run('payment', 'record', '--invoice', 'T2024-0001', '--amount', '100.00', '--date', '2024-02-01', '--reference', 'Hand 1')).code).toBe(0);
    const lines = join(f.dir, 'import.ndjson');
    const row = (invoice: string, amount: string, date: string, reference: string) => ({ invoice, amount, date, reference, overpayment: true, fromBank: true });
    writeFileSync(lines, `${JSON.stringify({ type: 'payment.import', payments: [row('T2024-0001', '100.00', '2024-02-01', 'B1'), row('T2024-0002', '200.00', '2024-02-05', 'B2')] })}\n`);
    expect((await f.run('apply', lines)).code).toBe(0);
    const paidOf = async (n: string) => (await f.json<{ payments: { id: string; reference: string }[] }>('invoice', 'show', n)).payments;
    expect((await paidOf('T2024-0001')).map((p) => p.reference)).toEqual(['Hand 1']);
    expect((await f.run('payment', 'reverse', (await paidOf('T2024-0001'))[0].id, '--date', '2024-03-01', '--reason', 'Fel')).code).toBe(0);
    expect((await f.run('apply', lines)).out).toContain('1 kommando utfört, 0 redan registrerade');
    expect((await paidOf('T2024-0001')).map((p) => p.reference)).toEqual(['Hand 1', 'B1']);
    // Given a third time it records nothing: each payment is the same payment again.
    expect((await f.run('apply', lines)).out).toContain('0 kommandon utförda, 1 redan registrerade');
    expect((await paidOf('T2024-0001')).map((p) => p.reference)).toEqual(['Hand 1', 'B1']);
  });

  test('given a payment imported from one file, when another file brings a payment of the same amount and day to the same invoice under another bank reference, then it is recorded: a bank\'s payment is never taken for one typed by hand', async () => {
    const f = await invoiced();
    const a = csv(f.dir, ['2024-02-01,100.00,T2024-0001,BANK-0001']);
    expect((await f.run('payment', 'import', a)).out).toContain('1 inbetalning registrerad (100,00 kr)');
    const b = join(f.dir, 'b.csv');
    writeFileSync(b, 'date,amount,reference,bankReference\n2024-02-01,100.00,T2024-0001,BANK-0002\n');
    const r = await f.run('payment', 'import', b);
    expect(r.out).toContain(`${b}: 1 rad; 1 inbetalning registrerad (100,00 kr)\n`);
    expect(r.out).not.toContain('för hand');
    expect((await f.json<{ payments: { reference: string }[] }>('invoice', 'show', 'T2024-0001')).payments.map((p) => p.reference)).toEqual(['BANK-0001', 'BANK-0002']);
  });

  test('given a file whose last row cannot be recorded, then nothing of it is recorded and the refusal names the file\'s line', async () => {
    const f = await invoiced();
    const before = (await f.json<unknown[]>('events', '--stream', 'billing-2024')).length;
    const file = csv(f.dir, ['2024-02-01,100.00,T2024-0001,B1', '2024-02-02,200.00,T2024-9999,B2']);
    const r = await f.run('payment', 'import', file);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(new RegExp(`^samkost: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} rad 3: `));
    expect((await f.json<unknown[]>('events', '--stream', 'billing-2024')).length).toBe(before);
  });
});
