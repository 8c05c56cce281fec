import Database from 'better-sqlite3';
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './port';

/**
 * A store opened to read and nothing else: no pragma that writes the file (page size, WAL), no schema made.
 * An auditor is handed a read-only copy of the store, and a read must neither fail on it nor change it.
 * `image` is the file's bytes where the store is read from memory (storeImage).
 */
export interface ReadingConnection {
  db: Database.Database;
  image?: Buffer;
}

export function openForReading(location: string): ReadingConnection {
  let db: Database.Database | undefined;
  try {
    db = new Database(location, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 15000');
    // A WAL store's shared-memory index is opened at the first read, so this is where it fails.
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    return { db };
  } catch (err) {
    db?.close();
    if (!cannotOpenLog(err)) throw err;
  }
  const image = storeImage(location);
  return { db: new Database(image, { readonly: true }), image };
}

/**
 * SQLite reads a WAL store through its -shm index beside it, which it must be able to create or write: in
 * a directory the reader may not write to (a read-only copy handed to an auditor), or with an index
 * another user left behind, even a read-only connection is refused.
 */
function cannotOpenLog(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'));
}

/**
 * The store's file as a database image to read from memory, when SQLite cannot read it in place
 * (cannotOpenLog). Only the file: a -wal beside it with something in it holds committed events the file
 * does not, which cannot be read without its index, so such a store is refused rather than read short.
 */
export function storeImage(location: string): Buffer {
  const wal = statSync(`${location}-wal`, { throwIfNoEntry: false });
  if (wal !== undefined && wal.size > 0) {
    throw new StoreError(
      `lagret ${location} går inte att läsa här: ${location}-wal har händelser som inte finns i själva lagret än, och de kan bara läsas `
      + `med skrivrätt till katalogen ${dirname(location)}; kopiera lagret tillsammans med -wal-filen till en katalog du kan skriva i`,
    );
  }
  const image = readFileSync(location);
  // Bytes 18–19 of the header say WAL (2); SQLite refuses an image in memory that says so, as it has no log
  // beside it. Rollback journal (1) is what the image then is: the bytes change in this copy only.
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  return image;
}
