import Decimal from 'decimal.js';
import { parseCommand } from '../../domain/commands';
import { documentsRead } from '../../domain/documents-read';
import { NotFoundError } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import { openBalance, refundedOf } from '../../domain/state';
import { journal } from '../../projections/ledger';
import { receivables } from '../../projections/invoices';
import { billingStateOf, closed, givenBilling as given, issued, paid } from '../support/billing-history';

/*
 * payment.refund: money paid back to a member out of the credit an invoice holds for it. Göteborg's
 * invoice of 50 000,00 kr is paid 52 000,00 kr on 10 February (2 000,00 kr too much).
 */

const overpaid = paid('52000.00');
const refunded = (amount = '2000.00', date = '2024-03-01', reference = 'UT 1', reason = 'Överbetalning återbetald'): DomainEvent =>
  ({ type: 'RefundPaid', data: { invoice: 'M2024-0001', amount, date, reference, reason } });
const refund = (amount = '2000.00', date = '2024-03-01', reference = 'UT 1', reason = 'Överbetalning återbetald') =>
  ({ type: 'payment.refund', invoice: 'M2024-0001', amount, date, reference, reason });

describe('payment.refund: a member\'s credit paid back', () => {
  test('given an overpaid invoice, when its credit is paid back, then a RefundPaid is stored in the invoice\'s billing stream', () => {
    given(issued, overpaid).when(refund()).then([refunded()], 'billing-2024');
  });

  test('an amount written "2000" is the refund of 2000.00', () => {
    given(issued, overpaid).when(refund('2000')).then([refunded()], 'billing-2024');
  });

  test('part of the credit may be paid back, and the rest later', () => {
    given(issued, overpaid).when(refund('500.00')).then([refunded('500.00')], 'billing-2024');
    given(issued, overpaid, refunded('500.00')).when(refund('1500.00', '2024-03-02', 'UT 2')).then([refunded('1500.00', '2024-03-02', 'UT 2')], 'billing-2024');
  });

  test('given a refund, then the invoice holds no credit, and receivables and 1510 agree before and after its date', () => {
    const state = billingStateOf([issued, overpaid, refunded()]);
    const inv = state.billing.get(2024)!.invoices.get('M2024-0001')!;
    expect(refundedOf(inv).toFixed(2)).toBe('2000.00');
    expect(openBalance(inv).toFixed(2)).toBe('0.00');
    const openOn = (at: string) => receivables(state, { at })[0]?.open.toFixed(2) ?? '0.00';
    expect(openOn('2024-02-29')).toBe('-2000.00');
    expect(openOn('2024-03-01')).toBe('0.00');
    expect(receivables(state)).toEqual([]);
    const receivable = (at: string) => journal(state, 2024).filter((v) => v.date <= at).flatMap((v) => v.transactions).filter((t) => t.account === '1510')
      .reduce((a, t) => a.plus(t.amount), new Decimal(0)).toFixed(2);
    for (const at of ['2024-02-29', '2024-03-01']) expect(receivable(at)).toBe(openOn(at));
  });

  test('given a refund, then its year\'s journal has a B voucher on its date: 1510 debited, the bank credited, naming invoice, reference and reason', () => {
    const vouchers = journal(billingStateOf([issued, overpaid, refunded()]), 2024).filter((v) => v.series === 'B');
    expect(vouchers.map((v) => [v.date, v.source.type, v.transactions.map((t) => `${t.account} ${t.amount.toFixed(2)}`)])).toEqual([
      ['2024-02-10', 'PaymentRecorded', ['1930 52000.00', '1510 -52000.00']],
      ['2024-03-01', 'RefundPaid', ['1510 2000.00', '1930 -2000.00']],
    ]);
    expect(vouchers[1].text).toBe('Återbetalning M2024-0001 Göteborgs Stad (UT 1): Överbetalning återbetald');
  });

  test('the same refund again (amount, day and reference) records nothing: it is a retry', () => {
    given(issued, overpaid, refunded()).when(refund('2000')).then([], 'billing-2024');
  });

  test('a refund reads its invoice\'s billing year', () => {
    expect(documentsRead(parseCommand(refund()))).toEqual({ years: [2024] });
  });
});

describe('payment.refund: what is refused, in one Swedish line', () => {
  test('more than the credit is refused, naming the credit', () => {
    given(issued, overpaid).when(refund('2000.01'))
      .thenError('payment.refund M2024-0001: 2 000,01 kr är mer än det som kan betalas tillbaka; Göteborgs Stad har 2 000,00 kr tillgodo på fakturan');
  });

  test('an invoice with no credit is refused, saying what is left to pay', () => {
    given(issued, paid()).when(refund('100.00'))
      .thenError('payment.refund M2024-0001: 100,00 kr är mer än det som kan betalas tillbaka; Göteborgs Stad har inget tillgodo på fakturan (kvar att betala 15 000,00 kr)');
  });

  test('a second refund of a credit already paid back is refused', () => {
    given(issued, overpaid, refunded()).when(refund('2000.00', '2024-03-02', 'UT 2'))
      .thenError(/har inget tillgodo på fakturan \(kvar att betala 0,00 kr\)/);
  });

  test('a refund dated before the credit arose is refused: the money was not yet the member\'s', () => {
    given(issued, overpaid).when(refund('2000.00', '2024-02-09'))
      .thenError('payment.refund M2024-0001: 2 000,00 kr är mer än det som kan betalas tillbaka; Göteborgs Stad har 2 000,00 kr tillgodo på fakturan, men bara 0,00 kr den 2024-02-09');
  });

  test('a refund dated after today, or before the invoice, is refused', () => {
    given(issued, overpaid).when(refund('2000.00', '2024-06-02'), '2024-06-01')
      .thenError('payment.refund M2024-0001: utbetalningsdagen 2024-06-02 ligger efter i dag (2024-06-01); ange dagen pengarna lämnade banken');
    given(issued, overpaid).when(refund('2000.00', '2024-01-14'))
      .thenError('payment.refund M2024-0001: daterad 2024-01-14, innan fakturan utfärdades (2024-01-15)');
  });

  test('a refund dated in a closed year is refused; one of a closed year\'s credit is paid in the open year and booked there', () => {
    const history = [issued, overpaid, closed(2024, '2025-02-15')];
    given(...history).when(refund('2000.00', '2024-12-31'), '2025-03-01')
      .thenError('payment.refund M2024-0001: daterad 2024-12-31, men året 2024 stängdes 2025-02-15; dess siffror kan inte längre ändras');
    given(...history).when(refund('2000.00', '2025-03-01'), '2025-03-01').then([refunded('2000.00', '2025-03-01')], 'billing-2024');
    const after = billingStateOf([...history, refunded('2000.00', '2025-03-01')]);
    expect(journal(after, 2024)).toEqual(journal(billingStateOf(history), 2024));
    expect(journal(after, 2025).map((v) => [v.series, v.date, v.transactions.map((t) => `${t.account} ${t.amount.toFixed(2)}`)]))
      .toEqual([['B', '2025-03-01', ['1510 2000.00', '1930 -2000.00']]]);
  });

  test('a refund of nothing is refused', () => {
    given(issued, overpaid).when(refund('0')).thenError('payment.refund M2024-0001: beloppet måste vara större än noll (0.00)');
  });

  test('an unknown invoice is refused as not found; a credit note is no invoice', () => {
    given(issued, overpaid).when({ ...refund(), invoice: 'M2024-0009' }).thenError('okänd faktura M2024-0009', NotFoundError);
  });

  test.each([
    [{ amount: '-5.00' }, /^payment\.refund: amount: /],
    [{ amount: '1,5e3' }, /^payment\.refund: amount: /],
    [{ reason: ' ' }, /^payment\.refund: reason: /],
    [{ reference: '' }, /^payment\.refund: reference: /],
    [{ date: '2024-02-30' }, 'payment.refund: date: ska vara ett giltigt datum ÅÅÅÅ-MM-DD'],
  ])('a malformed field (%p) is refused before anything is read', (field, message) => {
    expect(() => parseCommand({ ...refund(), ...field })).toThrow(message);
  });
});
