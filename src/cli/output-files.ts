import { mkdirSync, writeFileSync } from 'node:fs';
import { UsageError } from './io';

/** A path the user named that cannot be written: a usage error naming it and why. */
const cannotWrite = (path: string, err: unknown): UsageError =>
  new UsageError(`kan inte skriva ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);

/** Writes a file the user named. */
export function writeOutputFile(path: string, contents: string | Uint8Array): void {
  try {
    writeFileSync(path, contents);
  } catch (err) {
    throw cannotWrite(path, err);
  }
}

/** Makes the directory the user named (and its parents), or finds it there. */
export function makeOutputDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw cannotWrite(path, err);
  }
}
