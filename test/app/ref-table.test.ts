import { plainRef } from '../../domain/event-ref';
import { refOf } from '../../src/app/engine';
import { RefTable } from '../../src/app/ref-table';
import type { RecordedEvent } from '../../src/store/port';

const event = (over: { position?: bigint; id?: string; hash?: string; recordedAt?: string; streamId?: string; revision?: number; actor?: string } = {}): RecordedEvent => ({
  position: over.position ?? 42n,
  streamId: over.streamId ?? 'service-egil',
  revision: over.revision ?? 7,
  id: over.id ?? '1b4e28ba-2fa1-51d2-883f-0016d3cca427',
  type: 'EnrolmentStarted',
  schemaVersion: 1,
  data: {},
  metadata: {
    actor: over.actor ?? 'cli', commandId: 'c-1', correlationId: 'c-1', causationId: 'c-1',
    recordedAt: over.recordedAt ?? '2024-02-29T23:59:59.999Z',
    prevHash: null, hash: over.hash ?? 'a3f1'.repeat(16),
  },
});

describe('RefTable: the engine keeps its event refs in columns', () => {
  test('given the events the engine writes, every field reads back as the same string or number', () => {
    const table = new RefTable();
    const events = [event(), event({ position: 1n, revision: 0, streamId: 'billing-2024', actor: 'generator' }), event({ recordedAt: '2014-01-01T07:00:00.000Z' })];
    const refs = events.map((e) => table.add(e));
    refs.forEach((r, i) => {
      expect(r.toJSON()).toEqual(refOf(events[i]));
      expect(JSON.parse(JSON.stringify(r))).toEqual(refOf(events[i]));
      expect(r.hash).toBe(events[i].metadata.hash);
      expect(r.eventId).toBe(events[i].id);
    });
    expect(Object.keys(refs[0].toJSON())).toEqual(Object.keys(refOf(events[0])));
  });

  test('given a ref put on documents again and again, plainRef gives one frozen plain copy of its fields, and toJSON a new one', () => {
    const table = new RefTable();
    const e = event({ recordedAt: '2023-12-28T07:00:00.005Z' });
    const r = table.add(e);
    const copy = plainRef(r);
    expect(copy).toEqual(refOf(e));
    expect(Object.keys(copy)).toEqual(Object.keys(refOf(e)));
    expect(Object.isFrozen(copy)).toBe(true);
    expect(plainRef(r)).toBe(copy);
    expect(plainRef(table.add(event({ revision: 8 })))).not.toBe(copy);
    expect(r.toJSON()).not.toBe(copy);
    expect(r.toJSON()).toEqual(copy);
  });

  test('given values outside the packed forms, they are kept as given, never normalised', () => {
    const odd = [
      event({ hash: 'A3F1'.repeat(16) }), // upper case would read back lower case
      event({ hash: 'a3f1'.repeat(15) }), // too short
      event({ id: 'not-a-uuid' }),
      event({ id: '1B4E28BA-2FA1-51D2-883F-0016D3CCA427' }),
      event({ id: '1b4e28ba2fa1-51d2-883f-0016d3cca4270' }), // 36 characters, dashes misplaced
      event({ recordedAt: '2023-02-29T10:00:00.000Z' }), // no 29 February in 2023
      event({ recordedAt: '2024-04-31T10:00:00.000Z' }),
      event({ recordedAt: '0050-01-01T00:00:00.000Z' }), // Date.UTC would read 1950
      event({ recordedAt: '2024-01-01T10:00:00Z' }),
      event({ recordedAt: '2024-01-01 10:00:00.000Z' }),
      event({ recordedAt: '2024-13-01T10:00:00.000Z' }),
      event({ recordedAt: '2024-01-01T1x:00:00.000Z' }), // a letter where a digit belongs, in each part
      event({ recordedAt: '2024-01-01T10:-1:00.000Z' }),
      event({ recordedAt: '2024-01-01T10:00:0/.000Z' }),
      event({ recordedAt: '2024-01-01T10:00:00.0x0Z' }),
      event({ position: (1n << 70n) + 5n }), // an EventStoreDB $all position
      event({ hash: 'é'.repeat(64) }),
    ];
    const table = new RefTable();
    const refs = odd.map((e) => table.add(e));
    refs.forEach((r, i) => expect(r.toJSON()).toEqual(refOf(odd[i])));
  });

  test('given more refs than one chunk holds, each still reads back its own fields', () => {
    const table = new RefTable();
    const events = Array.from({ length: 40000 }, (_, i) => event({ position: BigInt(i + 1), revision: i, hash: i.toString(16).padStart(64, '0') }));
    const refs = events.map((e) => table.add(e));
    for (const i of [0, 16383, 16384, 32768, 39999]) expect(refs[i].toJSON()).toEqual(refOf(events[i]));
    expect(table.size).toBe(40000);
  });
});
