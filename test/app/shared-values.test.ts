import { SharedValues } from '../../src/app/shared-values';
import type { InvoiceIssued } from '../../domain/events/billing';

const ref = (hash: string) => ({ streamId: 'service-egil', revision: 3, position: '17', eventId: 'e-3', type: 'CouncilBudgetDecided', recordedAt: '2024-11-20T07:00:00.000Z', actor: 'cli', hash });

const invoice = (number: string, hash = 'h1'): InvoiceIssued => ({
  number, series: 'T', sequence: 1, year: 2024, kind: 'a-conto', issueDate: '2024-01-15', dueDate: '2024-02-14', period: '2024-Q1',
  seller: { orgnr: '802999-0002', name: 'Föreningen Sambruk' }, buyer: { orgnr: '212000-0142', name: 'Upplands Väsby kommun' }, currency: 'SEK',
  lines: [{
    lineNo: 1, dueKey: `svc/egil/2024-Q1/${number}`, kind: 'a-conto', description: 'EGIL a conto kvartal 1 2024', amount: '100.00', vatCategory: 'S', vatRate: '0.25', serviceId: 'egil',
    provenance: { rule: 'equal split', basis: 'weight 1 of 4', refs: [ref(hash)], months: [{ month: 1, amount: '33.33', share: '33.33', weight: '1', denominator: '4', participants: 4 }] },
  }],
  vat: [{ category: 'S', rate: '0.25', taxable: '100.00', vat: '25.00' }], totalNet: '100.00', totalVat: '25.00', total: '125.00',
  origin: { command: 'invoice.run', params: { period: '2024-Q1' } },
});

describe('SharedValues: recurring parts of documents are kept once', () => {
  test('given two invoices of one run, equal parts become one object and each document stays equal to what was stored', () => {
    const shared = new SharedValues();
    const a = shared.document(invoice('T2024-0001'));
    const b = shared.document(invoice('T2024-0002'));
    expect(a).toEqual(invoice('T2024-0001'));
    expect(b).toEqual(invoice('T2024-0002'));
    expect(b.seller).toBe(a.seller);
    expect(b.origin).toBe(a.origin);
    expect(b.lines[0].provenance.refs[0]).toBe(a.lines[0].provenance.refs[0]);
    expect(b.lines[0].dueKey).not.toBe(a.lines[0].dueKey);
  });

  test('given a ref that differs in one field (a forged hash), it keeps its own object', () => {
    const shared = new SharedValues();
    const a = shared.document(invoice('T2024-0001', 'h1'));
    const b = shared.document(invoice('T2024-0002', 'h2'));
    expect(b.lines[0].provenance.refs[0]).not.toBe(a.lines[0].provenance.refs[0]);
    expect(b.lines[0].provenance.refs[0].hash).toBe('h2');
  });

  test('given refs with the same hash that differ in another field, each keeps its own object; an equal third shares the first', () => {
    const shared = new SharedValues();
    const moved = invoice('T2024-0002');
    moved.lines[0].provenance.refs[0] = { ...moved.lines[0].provenance.refs[0], position: '18' };
    const a = shared.document(invoice('T2024-0001'));
    const b = shared.document(moved);
    const c = shared.document(invoice('T2024-0003'));
    expect(b.lines[0].provenance.refs[0]).not.toBe(a.lines[0].provenance.refs[0]);
    expect(b.lines[0].provenance.refs[0].position).toBe('18');
    expect(c.lines[0].provenance.refs[0]).toBe(a.lines[0].provenance.refs[0]);
  });
});
