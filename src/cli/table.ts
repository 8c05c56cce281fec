import Table from 'cli-table3';

/**
 * A table as the CLI prints it: without colour codes. cli-table3 colours headings and borders even when
 * the output is a file or a pipe, and finance saves and mails these reports: escape codes there are noise.
 */
export function newTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}
