import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '../../domain/canonical-json';
import type { ChainedMetadata } from '../../src/store/port';
import { SqliteEventStore } from '../../src/store/sqlite';
import { testCodec } from '../support/test-codec';
import { storeContract } from './contract';

describe('event store contract: SQLite (embedded, WAL, synchronous FULL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-contract-'));
  storeContract(async () => new SqliteEventStore(join(dir, 'events.db'), testCodec));
});

describe('SQLite: what a row holds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-rows-'));

  test("given an appended event, then its row's data is the canonical text its hash is computed over, and the store has 16 KiB pages", async () => {
    const path = join(dir, 'events.db');
    const store = new SqliteEventStore(path, testCodec);
    const { events } = await store.append('s-1', [
      { id: 'e-1', type: 'Noted', schemaVersion: 1, data: { text: 'å "x"', n: 2, extra: { b: [1, { z: 0, a: null }], a: undefined } }, metadata: { actor: 'Anna', commandId: 'c', correlationId: 'c', causationId: 'c', recordedAt: '2026-12-01T10:00:00.000Z' } },
    ], 'no_stream');
    await store.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare("SELECT data, metadata FROM events WHERE event_id = 'e-1'").get() as { data: string; metadata: string };
    const pageSize = db.pragma('page_size', { simple: true });
    db.close();
    const metadata = JSON.parse(row.metadata) as ChainedMetadata;
    expect(row.data).toBe(canonicalJson(JSON.parse(row.data)));
    const { hash: _hash, ...unhashed } = metadata;
    const rest = canonicalJson({ id: 'e-1', metadata: unhashed, revision: 0, schemaVersion: 1, streamId: 's-1', type: 'Noted' });
    expect(createHash('sha256').update(`{"data":${row.data},${rest.slice(1)}`).digest('hex')).toBe(metadata.hash);
    expect(metadata.hash).toBe(events[0].metadata.hash);
    expect(pageSize).toBe(16384);
  });
});
