import Database from 'better-sqlite3';
import { copyRef, plainRef } from '../../domain/event-ref';
import { domainCodec } from '../../src/app/codec';
import { Engine, refOf } from '../../src/app/engine';
import { EventDecodeError, type RecordedEvent, StoreError } from '../../src/store/port';
import { SqliteEventStore } from '../../src/store/sqlite';
import { billingFixture } from '../support/billing-fixture';

/*
 * On SQLite the engine keeps only each ref's position and reads the ref from the store when it is asked
 * for (src/app/ref-table.ts): these specify that what it reads is what a whole read of the event gives.
 */

async function everyEvent(store: SqliteEventStore, metadataOnDemand = false): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of store.readAllPages(undefined, undefined, { metadataOnDemand })) events.push(...page);
  return events;
}

async function folded(file: string): Promise<Engine> {
  const engine = new Engine(new SqliteEventStore(file, domainCodec), 'test');
  await engine.catchUp();
  return engine;
}

/** The event that established a service, found in the log, not through its ref: reading any field of a ref reads all of it. */
async function establishedOf(engine: Engine, serviceId: string): Promise<RecordedEvent> {
  const events = await everyEvent(engine.store as SqliteEventStore);
  return events.find((e) => e.type === 'ServiceEstablished' && (e.data as { serviceId: string }).serviceId === serviceId)!;
}

describe('refs read from the store when asked for', () => {
  test('given a folded store, then every enrolment\'s and budget\'s ref reads as the stored event\'s ref, field for field and in order', async () => {
    const f = await billingFixture();
    const engine = await folded(f.store);
    const byPosition = new Map((await everyEvent(engine.store as SqliteEventStore)).map((e) => [e.position.toString(), refOf(e)]));
    let checked = 0;
    for (const svc of engine.state.services.values()) {
      for (const r of [svc.ref, ...[...svc.enrolments.values()].map((e) => e.startedRef), ...[...svc.budgets.values()].flat().map((b) => b.ref)]) {
        const expected = byPosition.get(r.position);
        expect(copyRef(r)).toEqual(expected);
        expect(Object.keys(plainRef(r))).toEqual(Object.keys(expected!));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    await engine.store.close();
  });

  test('given a page read with metadata on demand, then each event\'s metadata reads as the whole read\'s', async () => {
    const f = await billingFixture();
    const store = new SqliteEventStore(f.store, domainCodec, 'read');
    const whole = await everyEvent(store);
    const lean = await everyEvent(store, true);
    expect(lean.map((e) => [e.position, e.streamId, e.revision, e.id, e.type, e.data])).toEqual(whole.map((e) => [e.position, e.streamId, e.revision, e.id, e.type, e.data]));
    expect(lean.map((e) => e.metadata)).toEqual(whole.map((e) => e.metadata));
    await store.close();
  });

  test('given the store closed after the fold (a command done, its reply not yet written), then a ref not read before still reads', async () => {
    const f = await billingFixture();
    const engine = await folded(f.store);
    const [svc] = engine.state.services.values();
    const expected = refOf(await establishedOf(engine, svc.service.serviceId));
    await engine.store.close();
    expect(copyRef(svc.ref)).toEqual(expected);
    expect(JSON.parse(JSON.stringify({ ref: svc.ref }))).toEqual({ ref: expected });
  });

  test('given an event\'s metadata altered to what is not JSON after the fold, then reading its ref names the event; the fold itself did not read it', async () => {
    const f = await billingFixture();
    const engine = await folded(f.store);
    const [svc] = engine.state.services.values();
    const established = await establishedOf(engine, svc.service.serviceId);
    const db = new Database(f.store);
    db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run('{"actor":', Number(established.position));
    db.close();
    expect(() => svc.ref.hash).toThrow(EventDecodeError);
    expect(() => svc.ref.hash).toThrow(/service-.*lagrad metadata går inte att läsa/);
    await engine.store.close();
  });

  test.each([
    ['null', 'lagrad metadata är inget JSON-objekt'],
    ['[]', 'lagrad metadata är inget JSON-objekt'],
    ['"x"', 'lagrad metadata är inget JSON-objekt'],
    ['{}', 'lagrad metadata saknar hash, recordedAt, actor som text'],
    ['{"actor":"a","recordedAt":"2024-01-01T00:00:00.000Z","hash":5}', 'lagrad metadata saknar hash som text'],
  ])('given an event\'s metadata altered to %s, then its ref and its metadata are refused naming the event, not read as undefined', async (metadata, reason) => {
    const f = await billingFixture();
    const store = new SqliteEventStore(f.store, domainCodec, 'read');
    const [first] = await everyEvent(store);
    const db = new Database(f.store);
    db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(metadata, Number(first.position));
    db.close();
    const message = `händelsen på revision ${first.revision} i strömmen ${first.streamId}: ${reason}`;
    expect(() => store.refAt(Number(first.position))).toThrow(message);
    const [altered] = await everyEvent(store, true);
    expect(() => refOf(altered)).toThrow(message);
    await store.close();
  });

  test('given a store in memory, closed, then reading a ref it gave is refused with a message saying so', async () => {
    const store = new SqliteEventStore(':memory:', domainCodec);
    await store.close();
    expect(() => store.refAt(1)).toThrow(StoreError);
    expect(() => store.refAt(1)).toThrow('lagret i minnet är stängt: en referens till en händelse i det kan inte läsas längre');
  });

  test('given a position with no event, then refAt names the position', async () => {
    const f = await billingFixture();
    const store = new SqliteEventStore(f.store, domainCodec, 'read');
    expect(() => store.refAt(10_000_000)).toThrow('lagret har ingen händelse på position 10000000 längre, fast den lästes in tidigare; kör samkost verify');
    await store.close();
  });
});
