import { writeFileSync } from 'node:fs';
import { UsageError } from './io';

/** Writes a file the user named; a path that cannot be written is a usage error naming it and why. */
export function writeOutputFile(path: string, contents: string | Uint8Array): void {
  try {
    writeFileSync(path, contents);
  } catch (err) {
    throw new UsageError(`kan inte skriva ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
