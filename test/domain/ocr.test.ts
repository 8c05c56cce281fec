import { parseCommand } from '../../domain/commands';
import { invoiceOfOcr, ocrOf } from '../../domain/ocr';

describe('OCR numbers: an invoice number as digits a bank carries, and back', () => {
  test.each([
    ['T2024-0001', '2202400000139'],
    ['M2023-0132', '1202300013233'],
    ['T2023-4611', '2202300461134'],
    ['T2031-123456', '2203112345630'],
  ])('%s ⇄ %s', (invoice, ocr) => {
    expect(ocrOf(invoice)).toBe(ocr);
    expect(invoiceOfOcr(ocr)).toEqual({ invoice });
  });

  test('a credit note, or a number of another form, has none', () => {
    expect(['TK2024-0001', 'MK2024-0001', 'X2024-0001', 'T2024-1234567', 'T2024'].map(ocrOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test('every single mistyped digit, and every swap of two neighbours that changes it, is refused, never read as another invoice', () => {
    const ocr = ocrOf('T2024-0001') as string;
    for (let i = 0; i < ocr.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === ocr[i]) continue;
        expect(invoiceOfOcr(`${ocr.slice(0, i)}${d}${ocr.slice(i + 1)}`)).toHaveProperty('problem');
      }
      const swapped = `${ocr.slice(0, i)}${ocr[i + 1] ?? ''}${ocr[i]}${ocr.slice(i + 2)}`;
      // Luhn misses only the swap of 0 and 9.
      if (i + 1 < ocr.length && swapped !== ocr && !['09', '90'].includes(ocr.slice(i, i + 2))) expect(invoiceOfOcr(swapped)).toHaveProperty('problem');
    }
    expect(invoiceOfOcr('220240000013')).toEqual({ problem: 'ett OCR-nummer från samkost har 13 siffror, inte 12' });
    expect(invoiceOfOcr('9202400000132')).toEqual({ problem: 'ingen fakturaserie börjar med 9' });
  });

  test('a payment naming the OCR number records the invoice number; a mistyped one is refused by field', () => {
    const pay = { type: 'payment.record', amount: '100.00', date: '2024-02-01', reference: 'BG 1' };
    expect(parseCommand({ ...pay, invoice: '2202400000139' })).toMatchObject({ invoice: 'T2024-0001' });
    expect(parseCommand({ ...pay, invoice: ' T2024-0001 ' })).toMatchObject({ invoice: 'T2024-0001' });
    expect(() => parseCommand({ ...pay, invoice: '2202400000130' })).toThrow('payment.record: invoice: ogiltigt OCR-nummer "2202400000130": kontrollsiffran stämmer inte (felskrivet?)');
  });
});
