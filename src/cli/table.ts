import Table from 'cli-table3';
import stringWidth from 'string-width';

/** What a CLI table cell holds. */
export type TableCell = string | number;

/**
 * cli-table3 lays a table out in time that grows with the square of its rows (cli-table3 issue #68):
 * 8 000 rows took 5.6 s here, and the 25 000 enrolments of a national history 40 s. A table is rendered
 * this many rows at a time instead, every chunk with the whole table's column widths.
 */
const CHUNK_ROWS = 200;

/** cli-table3's default cell padding: one space on each side. */
const PADDING = 2;

/**
 * A table as the CLI prints it: without colour codes (cli-table3 colours headings and borders even when the
 * output is a file or a pipe, and finance saves and mails these reports: escape codes there are noise).
 * The text is cli-table3's for the whole table, made a chunk of rows at a time (see CHUNK_ROWS) and joined
 * where a row separator would be; test/cli/table.test.ts holds it to the single table's text.
 */
export class CliTable {
  private readonly rows: TableCell[][] = [];

  constructor(private readonly head: string[]) {}

  push(...rows: TableCell[][]): number {
    for (const r of rows) this.rows.push(r);
    return this.rows.length;
  }

  toString(): string {
    if (this.rows.length <= CHUNK_ROWS) return render(this.head, this.rows);
    // The widths cli-table3 would give the whole table: the widest line of each column, plus padding.
    const widths = this.head.map((h) => width(h));
    for (const r of this.rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
    const colWidths = widths.map((w) => w + PADDING);
    const parts: string[] = [];
    for (let at = 0; at < this.rows.length; at += CHUNK_ROWS) {
      const first = at === 0;
      const last = at + CHUNK_ROWS >= this.rows.length;
      const lines = render(first ? this.head : [], this.rows.slice(at, at + CHUNK_ROWS), colWidths).split('\n');
      // A chunk after the first starts with a top border, where the table has a row separator; a chunk
      // before the last ends with a bottom border, which the next chunk's separator replaces.
      if (!first) lines[0] = separator(lines[0]);
      if (!last) lines.pop();
      parts.push(lines.join('\n'));
    }
    return parts.join('\n');
  }
}

export function newTable(head: string[]): CliTable {
  return new CliTable(head);
}

function render(head: string[], rows: TableCell[][], colWidths?: number[]): string {
  const t = new Table({ head, style: { head: [], border: [] }, ...(colWidths ? { colWidths } : {}) });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

/** The widest line of a cell, as cli-table3 measures it. */
const width = (cell: TableCell): number => String(cell).split('\n').reduce((w, line) => Math.max(w, stringWidth(line)), 0);

/** A top border (┌─┬─┐) as the separator between two rows (├─┼─┤), in cli-table3's default characters. */
const separator = (top: string): string => top.replace('┌', '├').replace(/┬/g, '┼').replace('┐', '┤');
