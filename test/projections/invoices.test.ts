import fc from 'fast-check';
import type { InvoiceIssued } from '../../domain/events/billing';
import { renderDocument, wrapWords } from '../../projections/invoices';

describe('the text of an invoice', () => {
  test('wrapWords keeps every word, in order, in lines no wider than asked unless a word is', () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-zåäö0-9,:]{1,15}$/), { minLength: 1, maxLength: 30 }), fc.integer({ min: 10, max: 60 }), (words, width) => {
      const lines = wrapWords(words.join(' '), width);
      expect(lines.join(' ')).toBe(words.join(' '));
      for (const l of lines) expect(l.length <= width || !l.includes(' ')).toBe(true);
    }));
  });

  test('given a description longer than its column, then all of it is printed, under itself, and the amount stays in its column', () => {
    const description = 'EGIL slutreglering 2023: utfall 110 939,72 kr, fakturerat a conto 106 672,81 kr';
    const doc = {
      number: 'T2024-0001', issueDate: '2024-01-20', dueDate: '2024-02-19', period: '2023',
      seller: { orgnr: '802428-2785', name: 'Föreningen Sambruk' }, buyer: { orgnr: '212000-1462', name: 'Ale kommun' },
      lines: [{ lineNo: 1, description, amount: '4266.91', vatCategory: 'S', vatRate: '0.25' }],
      vat: [{ category: 'S', rate: '0.25', taxable: '4266.91', vat: '1066.73' }], totalNet: '4266.91', totalVat: '1066.73', total: '5333.64',
    } as unknown as InvoiceIssued;
    const lines = renderDocument(doc, 'invoice').split('\n');
    const header = lines.findIndex((l) => l.startsWith('Rad  Beskrivning'));
    expect(lines[header + 1]).toBe(`  1  ${'EGIL slutreglering 2023: utfall 110 939,72 kr, fakturerat'.padEnd(58)}      4 266,91 kr  25 %`);
    expect(lines[header + 2]).toBe('     a conto 106 672,81 kr');
    // "Belopp" ends where the amounts end.
    expect(lines[header].indexOf('Belopp') + 'Belopp'.length).toBe(lines[header + 1].lastIndexOf(' kr') + ' kr'.length);
  });
});
