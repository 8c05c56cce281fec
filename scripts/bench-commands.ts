/**
 * The bench's `samkost` commands (scripts/bench.ts): what a user waits for, a fresh process per command.
 */
import Database from 'better-sqlite3';
import { main as cliMain } from '../src/cli/main';
import { peakRssBytes } from './bench-lib';
import { join } from 'node:path';
import { syntheticOrgnr } from './generate';

/** Where the bench writes the audit package of a year. */
export const auditDir = (tmpDir: string, year: number): string => join(tmpDir, `samkost-bench-audit-${year}`);

export interface CommandRun {
  /** Exit code of the CLI and its peak RSS (VmHWM), reported by the child itself. */
  code: number;
  peakRss: number;
}

/** One `samkost` command in this process, as bin/samkost.js runs it; the driver times the whole process. */
export async function commandPhase(args: string[]): Promise<CommandRun> {
  const quiet = { out: () => undefined, err: () => undefined, env: process.env, isTty: false };
  const code = await cliMain(['node', 'samkost', ...args], quiet);
  return { code, peakRss: peakRssBytes().bytes };
}

/**
 * What a user waits for, per command, on this store: a fresh process that opens it, folds it and
 * decides. The commands are refused on purpose (an unknown member, a payment above the open balance),
 * so the store is left as it was; the reads over every year fold every document, cut as they need it.
 * The audit package is written under `tmpDir` (auditDir), which the driver removes.
 */
export function cliCommands(file: string, year: number, tmpDir: string): { name: string; folds: string; args: string[]; code: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    const first = db.prepare("SELECT json_extract(data, '$.number') AS n FROM events WHERE stream_id = ? AND type = 'InvoiceIssued' ORDER BY position LIMIT 1").get(`billing-${year}`) as { n: string };
    const member = (db.prepare("SELECT json_extract(data, '$.member') AS m FROM events WHERE type = 'MemberJoined' ORDER BY position LIMIT 1").get() as { m: string }).m;
    return [
      { name: `member leave (an unknown member)`, folds: 'no documents', args: ['member', 'leave', syntheticOrgnr('8029', 0), '--date', `${year}-12-31`, '--reason', 'bench'], code: 2 },
      { name: `simulate --service svc-001 --year ${year} --add 5`, folds: 'no documents', args: ['simulate', '--service', 'svc-001', '--year', String(year), '--add', '5', '--population', '12000'], code: 0 },
      { name: `payment record (above the open balance of ${first.n})`, folds: `the documents of ${year} without their lines`, args: ['payment', 'record', '--invoice', first.n, '--amount', '999999999.00', '--date', `${year + 1}-01-10`, '--reference', 'bench'], code: 2 },
      { name: `invoice show ${first.n}`, folds: `the documents of ${year} without their lines, then ${first.n} whole`, args: ['invoice', 'show', first.n], code: 0 },
      { name: `invoices --year ${year}`, folds: `the documents of ${year} without their lines`, args: ['invoices', '--year', String(year)], code: 0 },
      // Refused once the fold is done: the bench stores' last invoiced year is closed (a run would append).
      { name: `invoice run --period ${year}-12 (a closed year)`, folds: `the documents of ${year}, lines without provenance`, args: ['invoice', 'run', '--period', `${year}-12`, '--date', `${year}-12-01`], code: 2 },
      { name: `receivables --member ${member}`, folds: 'every document without its lines', args: ['receivables', '--member', member], code: 0 },
      { name: `ledger --year ${year} --part income`, folds: 'every document, lines without provenance', args: ['ledger', '--year', String(year), '--part', 'income'], code: 0 },
      { name: `selfcost --year ${year}`, folds: 'every document, lines without provenance', args: ['selfcost', '--year', String(year)], code: 0 },
      { name: `export audit --year ${year}`, folds: `the documents of ${year}, each traced`, args: ['export', 'audit', '--year', String(year), '--out', auditDir(tmpDir, year)], code: 0 },
    ].map((c) => ({ ...c, args: ['--store', file, ...c.args] }));
  } finally {
    db.close();
  }
}
