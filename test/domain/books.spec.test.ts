import type { DomainEvent } from '../../domain/events';
import { given } from '../support/spec';

const opening = (over: Record<string, unknown> = {}) => ({
  type: 'ledger.opening', year: 2023, reference: 'UB 2022 enligt Visma, bokslut fastställt 2023-03-15',
  balances: [
    { account: '2091', amount: '-70000' },
    { account: '1930', amount: '125000.00' },
    { account: '2061', amount: '-60000.00' },
    { account: '1510', amount: '15000.5' },
    { account: '2972', amount: '-10000.50' },
  ],
  ...over,
});

const recorded: DomainEvent = {
  type: 'OpeningBalancesRecorded',
  data: {
    year: 2023, reference: 'UB 2022 enligt Visma, bokslut fastställt 2023-03-15', recordedOn: '2024-06-01',
    balances: [
      { account: '1510', amount: '15000.50' },
      { account: '1930', amount: '125000.00' },
      { account: '2061', amount: '-60000.00' },
      { account: '2091', amount: '-70000.00' },
      { account: '2972', amount: '-10000.50' },
    ],
  },
};

const egil: DomainEvent = {
  type: 'ServiceEstablished',
  data: { serviceId: 'egil', name: 'EGIL', area: 'Skola', pricing: { kind: 'equal' }, overheadRate: '0.05', cadence: 'yearly', decisionRef: 'S', date: '2022-01-01' },
};
const cost2023: DomainEvent = { type: 'ActualCostRecorded', data: { serviceId: 'egil', year: 2023, amount: '1000.00', supplier: 'Lev AB', reference: 'F-1', date: '2023-03-01' } };

describe('ledger.opening: the balances the books open with in their first year', () => {
  test('given nothing, then the balances are recorded on a stream of their own, by account, with two decimals and the day they were recorded', () => {
    given().when(opening(), '2024-06-01').then([recorded], 'books-opening');
  });

  test('given the same set recorded, when it is given again (a retry under another command id), then nothing is recorded', () => {
    given(recorded).when(opening(), '2024-07-01').then([]);
  });

  test('given a set recorded, when another is given, then it is refused: a corrected set is a correction (ledger.opening.correct)', () => {
    given(recorded).when(opening({ reference: 'UB 2022 rättad' }))
      .thenError('ledger.opening 2023: ingående balanser är redan registrerade för 2023 (i kraft: UB 2022 enligt Visma, bokslut fastställt 2023-03-15, registrerade 2024-06-01); en rättad uppsättning registreras med samkost ledger correct-opening');
    given(recorded).when(opening({ year: 2022 })).thenError(/ingående balanser är redan registrerade för 2023/);
  });

  test('balances that do not sum to zero are refused, naming the difference in kronor', () => {
    given().when(opening({ balances: [{ account: '1930', amount: '125000.00' }, { account: '2061', amount: '-123765.50' }] }))
      .thenError('ledger.opening 2023: debet och kredit skiljer 1 234,50 kr (debet 125 000,00 kr, kredit 123 765,50 kr); ingående balanser ska summera till noll');
  });

  test.each([
    ['193', 'kontot "193" är inget kontonummer med fyra siffror'],
    ['19300', 'kontot "19300" är inget kontonummer med fyra siffror'],
    ['19a0', 'kontot "19a0" är inget kontonummer med fyra siffror'],
    ['3001', 'konto 3001 är ett resultatkonto (klass 3); ingående balanser finns bara på balanskonton i klass 1 och 2'],
    ['6540', 'konto 6540 är ett resultatkonto (klass 6); ingående balanser finns bara på balanskonton i klass 1 och 2'],
    ['0100', 'konto 0100 är inget balanskonto (klass 0); ingående balanser finns bara på balanskonton i klass 1 och 2'],
  ])('the account %s is refused: %s', (account, message) => {
    given().when(opening({ balances: [{ account: '1930', amount: '100.00' }, { account, amount: '-100.00' }] })).thenError(`ledger.opening 2023: ${message}`);
  });

  test('the same account twice is refused, even where the amounts would sum to zero', () => {
    given().when(opening({ balances: [{ account: '1930', amount: '100.00' }, { account: '1930', amount: '-100.00' }] }))
      .thenError('ledger.opening 2023: konto 1930 förekommer mer än en gång; ange varje konto en gång med dess saldo');
  });

  test('an amount of zero is refused', () => {
    given().when(opening({ balances: [{ account: '1930', amount: '0.00' }, { account: '2061', amount: '-0' }] }))
      .thenError('ledger.opening 2023: konto 1930 har beloppet noll; ett konto utan ingående balans utelämnas');
  });

  test.each(['12,50', '1 000.00', '12.345', 'tusen', ''])('a malformed amount (%j) is refused, naming its account', (amount) => {
    given().when(opening({ balances: [{ account: '1930', amount }, { account: '2061', amount: '-12.50' }] }))
      .thenError(`ledger.opening 2023: konto 1930: "${amount}" är inget belopp i kronor med högst två decimaler`);
  });

  test('no balances at all are refused by the command\'s schema', () => {
    given().when(opening({ balances: [] })).thenError(/^ledger.opening: balances: /);
  });

  test('given a cost of 2023 in the books, then opening balances for 2024 are refused (the cost would fall before them), and for 2023 recorded', () => {
    given(egil, cost2023).when(opening({ year: 2024 }))
      .thenError('ledger.opening 2024: bokföringen har redan verifikationer från 2023, som skulle hamna före de ingående balanserna; de kan registreras för 2023 eller ett tidigare år');
    given(egil, cost2023).when(opening()).then([recorded]);
    given(egil, cost2023).when(opening({ year: 2022 })).then([{ ...recorded, data: { ...recorded.data, year: 2022 } } as DomainEvent]);
  });

  test('given 2023 closed, then opening balances for 2023, or an earlier year, are refused; a retry of the recorded set is still answered as one', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2023, date: '2024-02-15' } };
    given(closed).when(opening()).thenError('ledger.opening 2023: året 2023 stängdes 2024-02-15; dess siffror kan inte längre ändras');
    given(closed).when(opening({ year: 2022 })).thenError('ledger.opening 2022: året 2022 ligger före 2023, som stängdes 2024-02-15; dess siffror kan inte längre ändras');
    given(recorded, closed).when(opening()).then([]);
  });
});

describe('ledger.opening.correct: a corrected set replaces the recorded one while its year is open', () => {
  const correction = (over: Record<string, unknown> = {}) => ({
    ...opening({
      reference: 'UB 2022 enligt Visma efter revision 2023-05-10',
      balances: [
        { account: '1930', amount: '125000.00' },
        { account: '1510', amount: '12500.50' },
        { account: '2061', amount: '-60000.00' },
        { account: '2091', amount: '-67500.00' },
        { account: '2972', amount: '-10000.50' },
      ],
    }),
    type: 'ledger.opening.correct', reason: 'kundfordran 2 500,00 kr avskriven i bokslutet 2022',
    ...over,
  });
  const corrected: DomainEvent = {
    type: 'OpeningBalancesCorrected',
    data: {
      year: 2023, reference: 'UB 2022 enligt Visma efter revision 2023-05-10', reason: 'kundfordran 2 500,00 kr avskriven i bokslutet 2022', recordedOn: '2024-07-01',
      balances: [
        { account: '1510', amount: '12500.50' },
        { account: '1930', amount: '125000.00' },
        { account: '2061', amount: '-60000.00' },
        { account: '2091', amount: '-67500.00' },
        { account: '2972', amount: '-10000.50' },
      ],
    },
  };

  test('given a set recorded, then the whole corrected set is recorded on the same stream, sorted, with why and the day', () => {
    given(recorded).when(correction(), '2024-07-01').then([corrected], 'books-opening');
  });

  test('given the correction recorded, when it is given again (a retry under another command id), then nothing is recorded; a second correction is recorded', () => {
    given(recorded, corrected).when(correction(), '2024-08-01').then([]);
    given(recorded, corrected).when(correction({ balances: opening().balances, reason: 'revisionens justering återförd' }), '2024-08-01')
      .then([{ type: 'OpeningBalancesCorrected', data: { ...(recorded.data as object), reason: 'revisionens justering återförd', recordedOn: '2024-08-01', reference: 'UB 2022 enligt Visma efter revision 2023-05-10' } } as DomainEvent]);
  });

  test('given a set recorded and corrected, when the first set is given again to ledger.opening (a late retry), then nothing is recorded; another set is refused naming the one in force', () => {
    given(recorded, corrected).when(opening(), '2024-08-01').then([]);
    given(recorded, corrected).when(opening({ reference: 'annan' }))
      .thenError('ledger.opening 2023: ingående balanser är redan registrerade för 2023 (i kraft: UB 2022 enligt Visma efter revision 2023-05-10, rättade 2024-07-01); en rättad uppsättning registreras med samkost ledger correct-opening');
  });

  test('given nothing recorded, then a correction is refused: there is nothing to correct', () => {
    given().when(correction()).thenError('ledger.opening.correct 2023: inga ingående balanser är registrerade att rätta; registrera böckernas första med samkost ledger opening');
  });

  test('given a set recorded for 2023, then a correction for another year is refused', () => {
    given(recorded).when(correction({ year: 2024 }))
      .thenError('ledger.opening.correct 2024: de registrerade ingående balanserna gäller 2023 (UB 2022 enligt Visma, bokslut fastställt 2023-03-15); en rättelse gäller samma år');
  });

  test('given 2023 closed, or a later year closed, then a correction is refused: its books must not move', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2023, date: '2024-02-15' } };
    given(recorded, closed).when(correction()).thenError('ledger.opening.correct 2023: året 2023 stängdes 2024-02-15; dess siffror kan inte längre ändras');
    const later: DomainEvent = { type: 'YearClosed', data: { year: 2024, date: '2025-02-15' } };
    given(recorded, later).when(correction()).thenError('ledger.opening.correct 2023: året 2023 ligger före 2024, som stängdes 2025-02-15; dess siffror kan inte längre ändras');
  });

  test('a corrected set is checked as the first was: summing to zero, balance-sheet accounts, each once; and a reason is required', () => {
    given(recorded).when(correction({ balances: [{ account: '1930', amount: '100.00' }, { account: '2061', amount: '-90.00' }] }))
      .thenError('ledger.opening.correct 2023: debet och kredit skiljer 10,00 kr (debet 100,00 kr, kredit 90,00 kr); ingående balanser ska summera till noll');
    given(recorded).when(correction({ balances: [{ account: '1930', amount: '100.00' }, { account: '3001', amount: '-100.00' }] }))
      .thenError('ledger.opening.correct 2023: konto 3001 är ett resultatkonto (klass 3); ingående balanser finns bara på balanskonton i klass 1 och 2');
    given(recorded).when(correction({ reason: '' })).thenError(/^ledger.opening.correct: reason: /);
  });
});
