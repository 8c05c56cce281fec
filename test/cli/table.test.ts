import Table from 'cli-table3';
import fc from 'fast-check';
import { newTable } from '../../src/cli/table';

/** The definition: cli-table3's text of the whole table at once, without colours. */
function whole(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r);
  return t.toString();
}

const cell = fc.oneof(
  fc.constantFrom('', 'Stockholms stad', 'Göteborgs Stad', '−1 234,50 kr', '212000-0142', 'T2023-0001, T2023-0125,\nT2023-0201', 'å\nä\nö', '古い'),
  // Without control characters: a cell is text, and escape codes are what the table leaves out.
  // eslint-disable-next-line no-control-regex
  fc.string({ maxLength: 12 }).map((s) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')),
);

describe('CliTable: big tables a chunk of rows at a time, the same text as one cli-table3 table', () => {
  test('given any rows, including multi-line and wide cells, then the text is the whole table\'s', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 450 }), fc.context(), (cols, n, ctx) => {
      const head = Array.from({ length: cols }, (_, i) => `Kolumn ${i + 1}`);
      const rows = fc.sample(fc.array(cell, { minLength: cols, maxLength: cols }), { numRuns: n, seed: n * 31 + cols });
      ctx.log(`${cols} columns, ${rows.length} rows`);
      const t = newTable(head);
      for (const r of rows) t.push(r);
      expect(t.toString()).toBe(whole(head, rows));
    }), { numRuns: 25 });
  });

  test('given 1 001 rows (five chunks and one row), then the text is the whole table\'s', () => {
    const rows = Array.from({ length: 1001 }, (_, i) => [`svc-${String(i % 100).padStart(3, '0')}`, i % 7 === 0 ? 'Malmö stad\nEr referens: KS-4711' : 'Ale kommun', `${i},00 kr`]);
    const t = newTable(['Tjänst', 'Medlem', 'Belopp']);
    t.push(...rows);
    expect(t.toString()).toBe(whole(['Tjänst', 'Medlem', 'Belopp'], rows));
  });
});
