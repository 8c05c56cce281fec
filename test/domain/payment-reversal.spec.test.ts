import Decimal from 'decimal.js';
import { CommandValidationError, parseCommand } from '../../domain/commands';
import { openBalance, paidOf } from '../../domain/state';
import { documentsRead } from '../../domain/documents-read';
import { NotFoundError } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import { billingStateOf, closed, givenBilling as given, idOf, invoice, issued, paid } from '../support/billing-history';
import { journal } from '../../projections/ledger';
import { receivables } from '../../projections/invoices';

/*
 * payment.reverse: a recorded payment undone from the reversal's date on. The payments here are named as
 * a user names them, by the stream and revision `payment record` printed (billing-2024@1), so the events
 * are given refs in their billing streams, as the engine stores them.
 */

const reversed = (payment: string, date = '2024-03-01', reason = 'Fel belopp'): DomainEvent => ({ type: 'PaymentReversed', data: { invoice: 'M2024-0001', payment, amount: '35000.00', date, reason } });

const reverse = (payment: string, date = '2024-03-01', reason = 'Fel belopp: 53 000 skrevs 35 000') => ({ type: 'payment.reverse', payment, date, reason });

describe('payment.reverse: a recorded payment undone', () => {
  test('given a payment, when it is reversed by the id payment record printed, then a PaymentReversed names its invoice, its event and its amount, in the payment\'s stream', () => {
    // The invoice is billing-2024@0, the payment billing-2024@1, the second event of the history.
    given(issued, paid()).when(reverse('billing-2024@1'))
      .then([reversed(idOf(2), '2024-03-01', 'Fel belopp: 53 000 skrevs 35 000')], 'billing-2024');
  });

  test('given a payment, when it is named by its event id (in capitals) or its revision with a leading zero, then it is the same payment, and the command is spelt one way', () => {
    given(issued, paid()).when(reverse(idOf(2).toUpperCase())).then([reversed(idOf(2), '2024-03-01', 'Fel belopp: 53 000 skrevs 35 000')], 'billing-2024');
    expect(parseCommand(reverse(` ${idOf(2).toUpperCase()} `))).toMatchObject({ payment: idOf(2) });
    expect(parseCommand(reverse('billing-2024@01'))).toMatchObject({ payment: 'billing-2024@1' });
  });

  test('a reversal dated the day of the payment is taken: a payment typed wrong is corrected the same day', () => {
    given(issued, paid()).when(reverse('billing-2024@1', '2024-02-10')).then([reversed(idOf(2), '2024-02-10', 'Fel belopp: 53 000 skrevs 35 000')], 'billing-2024');
  });

  test('given a payment reversed, then the invoice is open by the whole amount again, and a payment of it is taken as a payment of an open invoice, not an overpayment', () => {
    const state = billingStateOf([issued, paid(), reversed(idOf(2))]);
    const inv = state.billing.get(2024)!.invoices.get('M2024-0001')!;
    expect(paidOf(inv).toFixed(2)).toBe('0.00');
    expect(openBalance(inv).toFixed(2)).toBe('50000.00');
    const payAgain = { type: 'payment.record', invoice: 'M2024-0001', amount: '50000.00', date: '2024-03-05', reference: 'BG 2' };
    given(issued, paid(), reversed(idOf(2))).when(payAgain)
      .then([{ type: 'PaymentRecorded', data: { invoice: 'M2024-0001', amount: '50000.00', date: '2024-03-05', reference: 'BG 2' } }], 'billing-2024');
    // Without the reversal, the same 50 000 would be 35 000 too much.
    given(issued, paid()).when(payAgain).thenError(/överstiger det obetalda beloppet på M2024-0001 \(15 000,00 kr\)/);
  });

  test('given a payment reversed, then receivables count it up to the day before the reversal, and not from its date on; 1510 in the books agrees each day', () => {
    const state = billingStateOf([issued, paid(), reversed(idOf(2))]);
    const openOn = (at: string) => receivables(state, { at })[0]?.open.toFixed(2);
    expect(openOn('2024-02-09')).toBe('50000.00');
    expect(openOn('2024-02-29')).toBe('15000.00');
    expect(openOn('2024-03-01')).toBe('50000.00');
    expect(receivables(state)[0].open.toFixed(2)).toBe('50000.00');
    const receivable = (at: string) => journal(state, 2024).filter((v) => v.date <= at).flatMap((v) => v.transactions).filter((t) => t.account === '1510')
      .reduce((a, t) => a.plus(t.amount), new Decimal(0)).toFixed(2);
    for (const at of ['2024-02-29', '2024-03-01']) expect(receivable(at)).toBe(openOn(at));
  });

  test('given a payment reversed, then its year\'s journal has a B voucher on the reversal\'s date that is the payment\'s with debit and credit swapped, naming the payment', () => {
    const vouchers = journal(billingStateOf([issued, paid(), reversed(idOf(2))]), 2024).filter((v) => v.series === 'B');
    expect(vouchers.map((v) => [v.number, v.date, v.source.type, v.transactions.map((t) => `${t.account} ${t.amount.toFixed(2)}`)])).toEqual([
      ['1', '2024-02-10', 'PaymentRecorded', ['1930 35000.00', '1510 -35000.00']],
      ['2', '2024-03-01', 'PaymentReversed', ['1510 35000.00', '1930 -35000.00']],
    ]);
    expect(vouchers[1].text).toBe('Återförd inbetalning M2024-0001 Göteborgs Stad (BG 1, betald 2024-02-10, billing-2024@1): Fel belopp');
  });

  test('given a payment of a closed year, when it is reversed in the open year, then the reversal is stored with the payment and booked in its own year: the closed year\'s journal does not change', () => {
    const history = [issued, paid(), closed(2024, '2025-02-15')];
    const before = journal(billingStateOf(history), 2024);
    given(...history).when(reverse('billing-2024@1', '2025-03-01'), '2025-03-01')
      .then([reversed(idOf(2), '2025-03-01', 'Fel belopp: 53 000 skrevs 35 000')], 'billing-2024');
    const after = billingStateOf([...history, reversed(idOf(2), '2025-03-01')]);
    expect(journal(after, 2024)).toEqual(before);
    expect(journal(after, 2025).map((v) => [v.series, v.date, v.transactions.map((t) => `${t.account} ${t.amount.toFixed(2)}`)]))
      .toEqual([['B', '2025-03-01', ['1510 35000.00', '1930 -35000.00']]]);
  });

  test('a reversal reads its payment\'s billing year when named by its stream, and every year when named by its event id alone', () => {
    expect(documentsRead(parseCommand(reverse('billing-2023@7')))).toEqual({ years: [2023] });
    expect(documentsRead(parseCommand(reverse(idOf(2))))).toBe('all');
  });
});

describe('payment.reverse: what is refused, in one Swedish line', () => {
  test('an id no payment has is refused as not found, naming where a payment\'s id is shown', () => {
    const message = 'payment.reverse: ingen inbetalning är registrerad som billing-2024@7; samkost invoice show FAKTURA visar fakturans inbetalningar med deras id';
    given(issued, paid()).when(reverse('billing-2024@7')).thenError(message, NotFoundError);
    // The invoice's own event is no payment; nor is an id of another year's stream.
    given(issued, paid()).when(reverse('billing-2024@0')).thenError(/ingen inbetalning är registrerad som billing-2024@0/, NotFoundError);
    given(issued, paid()).when(reverse('billing-2023@1')).thenError(/ingen inbetalning är registrerad som billing-2023@1/, NotFoundError);
    given(issued, paid()).when(reverse(idOf(9))).thenError(`payment.reverse: ingen inbetalning är registrerad som ${idOf(9)}; samkost invoice show FAKTURA visar fakturans inbetalningar med deras id`, NotFoundError);
  });

  test('a payment already reversed is refused, naming when and why it was', () => {
    given(issued, paid(), reversed(idOf(2))).when(reverse('billing-2024@1', '2024-03-02'))
      .thenError('payment.reverse billing-2024@1: inbetalningen (35 000,00 kr på M2024-0001, betald 2024-02-10) är redan återförd 2024-03-01: Fel belopp');
  });

  test('the same reversal again, the payment named by its stream and revision or by its event id, records nothing: it is a retry', () => {
    given(issued, paid(), reversed(idOf(2))).when(reverse('billing-2024@1', '2024-03-01', 'Fel belopp')).then([], 'billing-2024');
    given(issued, paid(), reversed(idOf(2))).when(reverse(idOf(2), '2024-03-01', 'Fel belopp')).then([], 'billing-2024');
  });

  test('a reversal dated before the payment is refused', () => {
    given(issued, paid()).when(reverse('billing-2024@1', '2024-02-09'))
      .thenError('payment.reverse billing-2024@1: daterad 2024-02-09, före inbetalningens valutadag 2024-02-10; en återföring kan inte dateras före inbetalningen (35 000,00 kr på M2024-0001, betald 2024-02-10)');
  });

  test('a reversal dated after today is refused', () => {
    given(issued, paid()).when(reverse('billing-2024@1', '2024-06-02'), '2024-06-01')
      .thenError('payment.reverse billing-2024@1: daterad 2024-06-02, efter i dag (2024-06-01)');
  });

  test('a reversal dated in a closed year, or in a year before a closed one, is refused: that year\'s books are final', () => {
    given(issued, paid(), closed(2024, '2025-02-15')).when(reverse('billing-2024@1', '2024-12-31'), '2025-03-01')
      .thenError('payment.reverse billing-2024@1: daterad 2024-12-31, men året 2024 stängdes 2025-02-15; dess siffror kan inte längre ändras');
    given(issued, paid(), closed(2025, '2026-02-15')).when(reverse('billing-2024@1', '2024-12-31'), '2026-03-01')
      .thenError('payment.reverse billing-2024@1: daterad 2024-12-31, men året 2024 ligger före 2025, som stängdes 2026-02-15; dess siffror kan inte längre ändras');
  });

  test('a reversal dated before the books\' recorded opening balances is refused: what came before them is in them', () => {
    // An invoice of 2023 paid in 2023, the books opened in 2024 after it (as an earlier program's books would be).
    const old: DomainEvent = { type: 'InvoiceIssued', data: { ...invoice, number: 'M2023-0001', year: 2023, issueDate: '2023-01-15', dueDate: '2023-02-14', period: '2023' } };
    const paidOld: DomainEvent = { type: 'PaymentRecorded', data: { invoice: 'M2023-0001', amount: '50000.00', date: '2023-02-10', reference: 'BG 0' } };
    const opening: DomainEvent = { type: 'OpeningBalancesRecorded', data: { year: 2024, reference: 'UB 2023', recordedOn: '2024-01-05', balances: [{ account: '1930', amount: '100.00' }, { account: '2091', amount: '-100.00' }] } };
    given(old, paidOld, opening).when(reverse('billing-2023@1', '2023-12-20'))
      .thenError('payment.reverse billing-2023@1: daterad 2023-12-20, före bokföringens ingående balanser för 2024; det som hände före 2024 ingår i dem');
  });

  test.each([
    ['2024-02-30', 'payment.reverse: date: ska vara ett giltigt datum ÅÅÅÅ-MM-DD'],
    ['1 mars', 'payment.reverse: date: ska vara ett giltigt datum ÅÅÅÅ-MM-DD'],
  ])('a malformed date (%s) is refused before anything is read', (date, message) => {
    expect(() => parseCommand(reverse('billing-2024@1', date))).toThrow(CommandValidationError);
    expect(() => parseCommand(reverse('billing-2024@1', date))).toThrow(message);
  });

  test.each(['T2024-0001', 'billing-2024', 'billing-24@1', '2024@1', ''])('a text that names no payment (%p) is refused, saying how one is named', (payment) => {
    expect(() => parseCommand(reverse(payment))).toThrow(`payment.reverse: payment: "${payment}" är inget id för en inbetalning: ange det som billing-2024@5, som invoice show visar det vid inbetalningen, eller inbetalningens händelse-id`);
  });

  test('a reversal without a reason is refused', () => {
    expect(() => parseCommand(reverse('billing-2024@1', '2024-03-01', '  '))).toThrow(/^payment\.reverse: reason: /);
  });
});
