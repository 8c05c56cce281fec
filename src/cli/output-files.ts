import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileProblem } from './file-errors';
import { UsageError } from './io';

/** A path the user named that cannot be written: a usage error naming it and why. */
const cannotWrite = (path: string, err: unknown): UsageError =>
  new UsageError(`kan inte skriva ${path}: ${fileProblem(err)}`);

/** Whether `path` is a regular file or nothing yet: what can be replaced by renaming a finished file onto it. */
function replaceable(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return true;
  }
}

/**
 * Writes a file the user named, whole or not at all: the bytes go to a file beside it, which then takes its
 * name. A process killed half-way (or a full disk) never leaves a cut-off SIE file or invoice that looks
 * complete, and an earlier file of that name stays as it was. A device, pipe or symlink (`/dev/stdout`) is
 * written directly.
 */
export function writeOutputFile(path: string, contents: string | Uint8Array): void {
  if (!replaceable(path)) {
    try {
      writeFileSync(path, contents);
    } catch (err) {
      throw cannotWrite(path, err);
    }
    return;
  }
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    // Flushed before it takes the name: after a power cut the name holds the whole file or the earlier one.
    const fd = openSync(partial, 'w');
    try {
      writeFileSync(fd, contents);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
  } catch (err) {
    rmSync(partial, { force: true });
    throw cannotWrite(path, err);
  }
  removeStalePartials(path);
}

/**
 * Partial files of this name left by a process killed before its rename (`.x.se.25058.partial`): removed
 * once a write of the name has succeeded, unless their process still runs (it may be writing one now).
 */
function removeStalePartials(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.partial') ? Number(name.slice(prefix.length, -'.partial'.length)) : NaN;
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processRuns(pid)) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes the directory the user named, or finds it there; the directory it goes in must be there, as a
 * file's must (writeOutputFile). Its parents were made too until 2 December 2026: `--out /nonexist/dir/`
 * made the whole path, where a file named in a mistyped directory was refused.
 */
export function makeOutputDirectory(path: string): void {
  try {
    mkdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (isDirectory(path)) return;
      throw new UsageError(`kan inte skriva ${path}: det finns redan och är ingen katalog`);
    }
    if (code === 'ENOENT' && !isDirectory(dirname(path))) throw new UsageError(`kan inte skriva ${path}: katalogen ${dirname(path)} som den ska ligga i finns inte; bara den sista katalogen i sökvägen skapas`);
    throw cannotWrite(path, err);
  }
}

/** Whether `path` is a directory, or a symlink to one. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
