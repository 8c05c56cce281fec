import { bankgiroDigits, normaliseBankgiro } from '../../domain/bankgiro';
import { luhnDigit } from '../../domain/luhn';
import { parseCommand } from '../../domain/commands';

describe('bankgiro numbers: seven or eight digits, the last a modulus-10 check digit', () => {
  test.each([
    ['5050-1055', '5050-1055'],
    ['50501055', '5050-1055'],
    [' 5050 1055 ', '5050-1055'],
    ['991-2346', '991-2346'],
  ])('%j is %s', (input, bankgiro) => {
    expect(normaliseBankgiro(input)).toEqual({ bankgiro });
  });

  test.each([
    ['5050-1056', 'kontrollsiffran är 6 men ska vara 5'],
    ['505-105', 'ett bankgironummer är sju eller åtta siffror, NNN-NNNN eller NNNN-NNNN'],
    ['5050-10551', 'ett bankgironummer är sju eller åtta siffror, NNN-NNNN eller NNNN-NNNN'],
    ['BG 5050-1055', 'ett bankgironummer är sju eller åtta siffror, NNN-NNNN eller NNNN-NNNN'],
  ])('%j is refused: %s', (input, problem) => {
    expect(normaliseBankgiro(input)).toEqual({ problem });
  });

  test('the check digit is the organisationsnummer\'s rule, counted from the right, whatever the length', () => {
    // Stockholms stad 212000-0142, Göteborgs Stad 212000-1355, the placeholder seller 802999-0002.
    expect(['212000014', '212000135', '802999000'].map(luhnDigit)).toEqual([2, 5, 2]);
    expect(luhnDigit('991234')).toBe(6);
  });

  test('Peppol takes the digits alone', () => {
    expect(bankgiroDigits('991-2346')).toBe('9912346');
  });

  test('a command naming the seller\'s bankgiro stores it as written, and refuses a wrong one by field', () => {
    const seller = { orgnr: '802999-0002', name: 'Föreningen Sambruk' };
    const run = { type: 'invoice.run', period: '2024-Q1', issueDate: '2024-01-15', paymentTermsDays: 30, vatRate: '0.25' };
    expect(parseCommand({ ...run, seller: { ...seller, bankgiro: '50501055' } })).toMatchObject({ seller: { bankgiro: '5050-1055' } });
    expect(() => parseCommand({ ...run, seller: { ...seller, bankgiro: '5050-1056' } })).toThrow('invoice.run: seller.bankgiro: ogiltigt bankgironummer "5050-1056": kontrollsiffran är 6 men ska vara 5');
  });
});
