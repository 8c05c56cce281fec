import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite';
import { testCodec } from '../support/test-codec';
import { storeContract } from './contract';

describe('event store contract: SQLite (embedded, WAL, synchronous FULL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-contract-'));
  storeContract(async () => new SqliteEventStore(join(dir, 'events.db'), testCodec));
});
