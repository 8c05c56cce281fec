import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** The CLI run in-process on `store` with a fixed clock and the given environment (SAMKOST_CONFIG, …). */
export function cliOn(store: string, now: string, env: NodeJS.ProcessEnv = {}) {
  return async (...args: string[]): Promise<CliRun> => {
    let out = '';
    let err = '';
    const code = await main(['node', 'samkost', '--store', store, '--actor', 'test', ...args], {
      out: (t) => { out += t; },
      err: (t) => { err += t; },
      env,
      isTty: false,
      clock: { now: () => new Date(now) },
    });
    return { code, out, err };
  };
}

/** A fresh SQLite store in a temp dir, and the CLI run in-process against it with a fixed clock. */
export function cliFixture(now = '2024-03-01T10:00:00Z') {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-cli-'));
  const store = join(dir, 'samkost.db');
  const run = cliOn(store, now);
  const json = async <T = unknown>(...args: string[]): Promise<T> => {
    const r = await run('--json', ...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')} failed (${r.code}): ${r.err}`);
    return JSON.parse(r.out) as T;
  };
  /** Runs a command that must succeed (a test's setup), failing the test with its refusal otherwise. */
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
    return r;
  };
  return { dir, store, run, json, ok };
}

/** How many events a SQLite store holds: refused input must leave it unchanged. */
export function eventCount(store: string): number {
  const db = new Database(store, { readonly: true });
  const n = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  db.close();
  return n;
}
