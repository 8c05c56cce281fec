import fc from 'fast-check';
import { EventDecodeError } from '../../src/store/port';
import { refHeadOfText, StoredEvent } from '../../src/store/stored-event';

const HASH = 'ab'.repeat(32);
const metadata = (over: Record<string, unknown> = {}) => ({
  actor: 'ekonomi@sambruk.se', commandId: 'c-1', correlationId: 'c-1', causationId: 'c-1',
  recordedAt: '2026-12-01T08:00:00.000Z', prevHash: null, hash: HASH, ...over,
});

describe('refHeadOfText: what a ref needs, cut from stored metadata text without parsing it', () => {
  test('given metadata as the SQLite adapter writes it, then the hash, the time and the actor', () => {
    expect(refHeadOfText(JSON.stringify(metadata()))).toEqual({ hash: HASH, recordedAt: '2026-12-01T08:00:00.000Z', actor: 'ekonomi@sambruk.se' });
  });

  test('given an actor written with escapes, then nothing (the caller parses), never a wrong actor', () => {
    expect(refHeadOfText(JSON.stringify(metadata({ actor: 'Anna "Ö" Berg' })))).toBeUndefined();
    expect(refHeadOfText(JSON.stringify(metadata({ actor: 'C:\\ekonomi' })))).toBeUndefined();
  });

  test('given a decoy key inside another member or the hash not last, then not the decoy', () => {
    const decoy = JSON.stringify(metadata({ commandId: '"actor":"mallory"' }));
    expect(refHeadOfText(decoy)?.actor ?? 'parsed').not.toBe('mallory');
    expect(refHeadOfText(JSON.stringify({ ...metadata(), extra: 'x' }))).toBeUndefined();
    expect(refHeadOfText('{"actor":"a","recordedAt":"t","hash":"short"}')).toBeUndefined();
  });

  test('for any flat metadata, the cut equals the parsed members or is undefined', () => {
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
    let cut = 0;
    let parsedInstead = 0;
    fc.assert(fc.property(
      fc.dictionary(fc.constantFrom('actor', 'commandId', 'recordedAt', 'prevHash', 'note'), fc.oneof(text, fc.constant(null))),
      fc.oneof(fc.constant(HASH), fc.string({ unit: 'binary', minLength: 64, maxLength: 64 })),
      (members, hash) => {
        const written = JSON.stringify({ ...members, hash });
        const parsed = JSON.parse(written) as Record<string, unknown>;
        const head = refHeadOfText(written);
        if (head === undefined) parsedInstead += 1;
        else {
          cut += 1;
          expect(head).toEqual({ hash: parsed.hash, recordedAt: parsed.recordedAt, actor: parsed.actor });
        }
      },
    ), { numRuns: 2000 });
    // Both ways were taken, so the comparison above ran.
    expect(cut).toBeGreaterThan(50);
    expect(parsedInstead).toBeGreaterThan(50);
  });
});

describe('StoredEvent: metadata parsed when first read', () => {
  const event = (text: string) => new StoredEvent(7n, 'billing-2026', 3, 'id-1', 'Noted', 1, { text: 'x' }, text);

  test('given stored metadata, then its members, and a plain copy that carries them', () => {
    const e = event(JSON.stringify(metadata()));
    expect(e.metadata).toEqual(metadata());
    expect(e.refHead).toEqual({ hash: HASH, recordedAt: '2026-12-01T08:00:00.000Z', actor: 'ekonomi@sambruk.se' });
    expect(e.toJSON()).toStrictEqual({ position: 7n, streamId: 'billing-2026', revision: 3, id: 'id-1', type: 'Noted', schemaVersion: 1, data: { text: 'x' }, metadata: metadata() });
  });

  test('given stored metadata that is not JSON, then reading it is an EventDecodeError naming the event', () => {
    const e = event('{"actor":"a",');
    expect(() => e.metadata).toThrow(EventDecodeError);
    expect(() => e.metadata).toThrow(/^händelsen på revision 3 i strömmen billing-2026: lagrad metadata går inte att läsa/);
  });
});
