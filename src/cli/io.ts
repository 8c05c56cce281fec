import { once } from 'node:events';
import type { Clock } from '../clock';

/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  isTty: boolean;
  /**
   * Resolves once what was written has gone out, for commands that write a lot (`events`): writes to a
   * pipe are queued in memory while the reader is slower, and a national history's dump through `less`
   * queued gigabytes.
   */
  drained?: () => Promise<void>;
  /** Told what made the CLI give up (after its one line is written): the HTTP server answers by its kind. */
  failed?: (err: unknown) => void;
}

export const processIo = (): CliIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY),
  drained: () => (process.stdout.writableNeedDrain ? once(process.stdout, 'drain').then(() => undefined) : Promise.resolve()),
});

/** JSON for tools: bigints as strings, Decimals as their string (money is formatted before it gets here). */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** A refusal of bad input: printed as one line, exit code 2, nothing stored. */
export class UsageError extends Error {}
