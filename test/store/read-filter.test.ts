import { filtered, type ReadFilter, type RecordedEvent } from '../../src/store/port';

/*
 * The cut as an adapter that filters after reading applies it (the EventStoreDB adapter; SQLite cuts in
 * SQL and runs the store contract). The same rules: whole when the filter lets it through, cut or left out
 * otherwise.
 */
const event = (type: string, streamId: string, data: unknown): RecordedEvent => ({
  position: 1n, streamId, revision: 0, id: 'e1', type, schemaVersion: 1, data,
  metadata: { actor: 'a', commandId: 'c', correlationId: 'c', causationId: 'c', recordedAt: '2024-01-01T00:00:00.000Z', prevHash: null, hash: 'h' },
});
const doc = { number: 'T2024-0001', total: '125.00', lines: [{ lineNo: 1, amount: '100.00', provenance: { rule: 'r', refs: [] } }, { lineNo: 2, amount: '0.00', provenance: { rule: 'r', refs: [] } }] };
const filter = (cut?: ReadFilter['cut']): ReadFilter => ({ types: ['InvoiceIssued'], exceptStreams: ['billing-2024'], cut });

describe('filtered: an event as a read filter gives it', () => {
  test('given an event the filter does not concern, or one in an excepted stream, then it is given whole', () => {
    const other = event('PaymentRecorded', 'billing-2023', { invoice: 'T2023-0001' });
    const held = event('InvoiceIssued', 'billing-2024', doc);
    for (const cut of [undefined, 'lines', 'provenance'] as const) {
      expect(filtered(filter(cut), other)).toBe(other);
      expect(filtered(filter(cut), held)).toBe(held);
    }
    expect(filtered(undefined, held)).toBe(held);
  });

  test('given a document the filter concerns, then it is left out, or cut: without its lines, or its lines without provenance', () => {
    const e = event('InvoiceIssued', 'billing-2023', doc);
    expect(filtered(filter(), e)).toBeUndefined();
    expect(filtered(filter('lines'), e)?.data).toStrictEqual({ number: 'T2024-0001', total: '125.00', lines: [] });
    expect(filtered(filter('provenance'), e)?.data).toStrictEqual({ number: 'T2024-0001', total: '125.00', lines: [{ lineNo: 1, amount: '100.00' }, { lineNo: 2, amount: '0.00' }] });
    expect(filtered(filter('provenance'), e)?.metadata).toBe(e.metadata);
    // Cut only in the streams named: a document the filter concerns elsewhere is left out.
    const only = (streams: string[]): ReadFilter => ({ ...filter('lines'), cutStreams: streams });
    expect(filtered(only(['billing-2023']), e)?.data).toStrictEqual({ number: 'T2024-0001', total: '125.00', lines: [] });
    expect(filtered(only(['billing-2022']), e)).toBeUndefined();
    const held = event('InvoiceIssued', 'billing-2024', doc);
    expect(filtered(only([]), held)).toBe(held);
    // The stored event is not touched.
    expect((e.data as typeof doc).lines[0].provenance).toBeDefined();
  });
});
