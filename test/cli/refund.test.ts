import Decimal from 'decimal.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit } from '../../scripts/check-audit';
import { readSie } from '../../src/export/sie';
import { firstQuarterInvoiced } from '../support/billing-fixture';
import { eventCount } from '../support/cli';

/*
 * `samkost payment refund`: a member paid an invoice twice over, and finance pays the excess back. The
 * credit is the invoice's; the refund closes it, in receivables, in the reminder, in the books and in SIE.
 */

interface Shown { total: string; paid: string; refunded: string; open: string; buyer: { orgnr: string; name: string }; refunds: { amount: string; date: string; reference: string; reason: string; event: { streamId: string; revision: number } }[] }
interface Voucher { series: string; date: string; text: string; source: { type: string }; transactions: { account: string; amount: string }[] }

/** The billing fixture's first quarter invoiced in January; M2024-0001 paid 1 000,00 kr too much; finance at work on 1 June 2024. */
async function overpaidQ1() {
  const { f, run, json } = await firstQuarterInvoiced();
  const { total } = await json<Shown>('invoice', 'show', 'M2024-0001');
  const twice = new Decimal(total).plus(1000).toFixed(2);
  const paid = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', twice, '--date', '2024-02-10', '--reference', 'BG 1', '--overpayment');
  expect(paid.code).toBe(0);
  return { f, run, json, total };
}

describe('samkost payment refund', () => {
  test('given an overpaid invoice, when the credit is paid back, then the invoice holds nothing, receivables have nothing of it, and the books take it from the bank', async () => {
    const { f, run, json } = await overpaidQ1();
    const before = await json<Shown>('invoice', 'show', 'M2024-0001');
    expect(before.open).toBe('-1000.00');
    const member = before.buyer.orgnr;
    expect((await json<{ receivables: { invoices: { number: string; open: string }[] }[] }>('receivables', '--member', member)).receivables[0].invoices)
      .toContainEqual(expect.objectContaining({ number: 'M2024-0001', open: '-1000.00' }));

    const r = await run('payment', 'refund', '--invoice', 'M2024-0001', '--amount', '1 000,00', '--date', '2024-03-01', '--reference', 'UT 1', '--reason', 'Överbetalning återbetald');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Återbetalning registrerad: 1 000,00 kr av tillgodohavandet på M2024-0001, utbetald 2024-03-01, referens UT 1; inget kvar tillgodo på M2024-0001 \(billing-2024@\d+, position \d+\)\n$/);

    const shown = await json<Shown>('invoice', 'show', 'M2024-0001');
    expect(shown).toMatchObject({ refunded: '1000.00', open: '0.00', refunds: [{ amount: '1000.00', date: '2024-03-01', reference: 'UT 1', reason: 'Överbetalning återbetald' }] });
    const text = (await run('invoice', 'show', 'M2024-0001')).out;
    const { streamId, revision } = shown.refunds[0].event;
    expect(text).toContain(`\nÅterbetalningar av tillgodohavandet\n  ${streamId}@${revision}  2024-03-01       1 000,00 kr  referens UT 1: Överbetalning återbetald\n`);
    expect(text).toMatch(/\nÅterbetalt: 1 000,00 kr\nKvar att betala: 0,00 kr\n$/);
    const open = await json<{ receivables: { invoices: { number: string }[] }[] }>('receivables', '--member', member);
    expect(open.receivables.flatMap((m) => m.invoices.map((i) => i.number))).not.toContain('M2024-0001');

    // The year's invoices: a refund's column, and each row's Summa − Krediterat − Betalt + Återbetalt = Öppet.
    const year = await json<{ invoices: { number: string; refunded: string }[]; totals: { refunded: string } }>('invoices', '--year', '2024');
    expect(year.totals.refunded).toBe('1000.00');
    expect(year.invoices.find((i) => i.number === 'M2024-0001')?.refunded).toBe('1000.00');
    expect((await run('invoices', '--year', '2024')).out).toMatch(/│ Återbetalt +│ Öppet/);

    const { vouchers } = await json<{ vouchers: Voucher[] }>('ledger', '--year', '2024', '--part', 'journal');
    const refund = vouchers.filter((v) => v.source.type === 'RefundPaid');
    expect(refund.map((v) => [v.series, v.date, v.transactions])).toEqual([['B', '2024-03-01', [{ account: '1510', amount: '1000.00' }, { account: '1930', amount: '-1000.00' }]]]);
    expect(refund[0].text).toBe(`Återbetalning M2024-0001 ${shown.buyer.name} (UT 1): Överbetalning återbetald`);
    const sie = join(f.dir, 'books-2024.se');
    expect((await run('export', 'sie', '--year', '2024', '--out', sie)).code).toBe(0);
    expect(readSie(readFileSync(sie)).vouchers.filter((v) => v.text.startsWith('Återbetalning M2024-0001')).map((v) => v.transactions.map((t) => `${t.account} ${t.amount.toFixed(2)}`)))
      .toEqual([['1510 1000.00', '1930 -1000.00']]);

    expect((await run('verify')).code).toBe(0);
    expect((await run('replay', '--year', '2024', '--verify')).code).toBe(0);
    const dir = join(f.dir, 'audit-2024');
    const exported = await run('--json', 'export', 'audit', '--year', '2024', '--out', dir);
    expect(exported.code).toBe(0);
    expect(checkAudit(dir, (JSON.parse(exported.out) as { manifestSha256: string }).manifestSha256)).toMatchObject({ ok: true, problems: [] });
  });

  test('the same refund given again stores nothing; more than the credit, or a refund of an invoice with none, is refused with one line and nothing stored', async () => {
    const { f, run } = await overpaidQ1();
    const args = ['payment', 'refund', '--invoice', 'M2024-0001', '--date', '2024-03-01', '--reason', 'Överbetalning återbetald'];
    expect((await run(...args, '--amount', '400.00', '--reference', 'UT 1')).code).toBe(0);
    const stored = eventCount(f.store);
    const again = await run(...args, '--amount', '400', '--reference', 'UT 1');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/redan registrerat/);
    expect(eventCount(f.store)).toBe(stored);

    const tooMuch = await run(...args, '--amount', '600.01', '--reference', 'UT 2');
    expect([tooMuch.code, tooMuch.err]).toEqual([2, expect.stringMatching(/^samkost: payment\.refund M2024-0001: 600,01 kr är mer än det som kan betalas tillbaka; .* har 600,00 kr tillgodo på fakturan\n$/)]);
    const none = await run('payment', 'refund', '--invoice', 'T2024-0001', '--amount', '1.00', '--date', '2024-03-01', '--reference', 'UT 3', '--reason', 'Fel');
    expect([none.code, none.err]).toEqual([2, expect.stringMatching(/^samkost: payment\.refund T2024-0001: 1,00 kr är mer än det som kan betalas tillbaka; .* har inget tillgodo på fakturan \(kvar att betala [\d ]+,\d\d kr\)\n$/)]);
    const unknown = await run('payment', 'refund', '--invoice', 'M2024-0999', '--amount', '1.00', '--date', '2024-03-01', '--reference', 'UT 4', '--reason', 'Fel');
    expect([unknown.code, unknown.err]).toEqual([2, 'samkost: okänd faktura M2024-0999\n']);
    expect(eventCount(f.store)).toBe(stored);
  });

  test('given an invoice credited after the member paid it in full, when the payment is recorded after the credit note, then it is taken as paid on its value date (no --overpayment), and the credit it leaves is paid back', async () => {
    const { run, json } = await firstQuarterInvoiced();
    const show = () => json<Shown>('invoice', 'show', 'M2024-0001');
    const { total } = await show();
    expect((await run('invoice', 'credit', 'M2024-0001', '--reason', 'Fel avgift', '--date', '2024-03-01')).code).toBe(0);
    // Paid on 10 February, before the credit note; the bank's statement reaches finance in March.
    const early = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', total, '--date', '2024-02-10', '--reference', 'BG 1');
    expect([early.code, early.err]).toEqual([0, '']);
    expect((await show()).open).toBe(`-${total}`);
    // Dated after the credit note, the same amount is more than was open on its day.
    const late = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '1.00', '--date', '2024-03-02', '--reference', 'BG 2');
    expect([late.code, late.err]).toEqual([2, expect.stringMatching(/^samkost: payment\.record: inget är obetalt på M2024-0001, som är betald eller krediterad i sin helhet med [\d ]+,00 kr tillgodo/)]);
    expect((await run('payment', 'refund', '--invoice', 'M2024-0001', '--amount', total, '--date', '2024-03-05', '--reference', 'UT 1', '--reason', 'Krediterad efter betalning')).code).toBe(0);
    expect(await show()).toMatchObject({ paid: total, refunded: total, open: '0.00' });
    // After the refund, a second payment dated before the credit note paid an invoice already paid in full that day.
    const again = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', total, '--date', '2024-02-12', '--reference', 'BG 1b');
    expect([again.code, again.err]).toEqual([2, expect.stringMatching(/^samkost: payment\.record: /)]);
    expect(await show()).toMatchObject({ paid: total, refunded: total, open: '0.00' });
  });

  test('given an overpayment refunded on 1 March, when the payment is reversed as of 15 February (the bank never received it), then it is taken, and the confirmation names the refund paid out without a credit', async () => {
    const { run, json, total } = await overpaidQ1();
    expect((await run('payment', 'refund', '--invoice', 'M2024-0001', '--amount', '1000.00', '--date', '2024-03-01', '--reference', 'UT 1', '--reason', 'Överbetalt')).code).toBe(0);
    const [payment] = (await json<{ payments: { id: string }[] }>('invoice', 'show', 'M2024-0001')).payments;
    const reversed = await run('payment', 'reverse', payment.id, '--date', '2024-02-15', '--reason', 'Aldrig mottagen');
    expect(reversed.code).toBe(0);
    expect(reversed.out).toContain('. Obs: efter återföringen hade fakturan inget tillgodo när återbetalningen 1 000,00 kr den 2024-03-01 (referens UT 1) betalades ut; medlemmen är skyldig också det beloppet (billing-2024@');
    expect((await json<Shown>('invoice', 'show', 'M2024-0001')).open).toBe(new Decimal(total).plus(1000).toFixed(2));
    // What happened, recorded as it happened: the refund was paid from the credit there was when it was decided.
    expect((await run('verify')).code).toBe(0);
    const refundId = (await json<Shown>('invoice', 'show', 'M2024-0001')).refunds[0].event;
    const undo = await run('payment', 'reverse', `${refundId.streamId}@${refundId.revision}`, '--date', '2024-03-02', '--reason', 'Fel');
    expect([undo.code, undo.err]).toEqual([2, expect.stringMatching(/^samkost: payment\.reverse: billing-2024@\d+ är en återbetalning \(1 000,00 kr av tillgodohavandet på M2024-0001, 2024-03-01\), inte en inbetalning; en återbetalning kan inte återföras/)]);
  });
});
