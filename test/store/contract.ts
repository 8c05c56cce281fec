import { verifyChains } from '../../src/app/verify';
import { ConcurrencyError, EventDecodeError, type EventStore } from '../../src/store/port';
import { noted } from '../support/test-codec';
import { uuid } from '../support/uuid';
import { collect } from '../support/collect';


/**
 * One contract, every adapter: the SQLite store runs it here, EventStoreDB runs it when a server URL is
 * given. Streams get unique names so the suite can share a long-lived server.
 */
export function storeContract(open: () => Promise<EventStore>): void {
  let store: EventStore;
  let s: string;
  beforeEach(async () => {
    store = await open();
    s = `contract-${uuid()}`;
  });
  afterEach(async () => {
    await store.close();
  });

  test('a new stream starts at revision 0 and reports its head', async () => {
    expect(await store.streamRevision(s)).toBe('no_stream');
    const r = await store.append(s, [noted(uuid(), 'a'), noted(uuid(), 'b')], 'no_stream');
    expect(r.nextRevision).toBe(1);
    expect(r.duplicate).toBe(false);
    expect(await store.streamRevision(s)).toBe(1);
  });

  test('expected revision: no_stream on an existing stream is a ConcurrencyError', async () => {
    await store.append(s, [noted(uuid(), 'a')], 'no_stream');
    const err = await store.append(s, [noted(uuid(), 'b')], 'no_stream').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as Error).message).toBe(`strömmen ${s} har ändrats under tiden: väntade att den inte fanns, men den är på revision 0; försök igen`);
  });

  test('expected revision: a stale exact revision is a ConcurrencyError naming the actual one', async () => {
    await store.append(s, [noted(uuid(), 'a'), noted(uuid(), 'b')], 'no_stream');
    const err = await store.append(s, [noted(uuid(), 'c')], 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as ConcurrencyError).actual).toBe(1);
    expect((err as Error).message).toBe(`strömmen ${s} har ändrats under tiden: väntade revision 0, men den är på revision 1; försök igen`);
    await store.append(s, [noted(uuid(), 'c')], 1);
    expect(await store.streamRevision(s)).toBe(2);
  });

  test('expected revision: stream_exists and any', async () => {
    await expect(store.append(s, [noted(uuid(), 'a')], 'stream_exists')).rejects.toThrow(
      new ConcurrencyError(s, 'stream_exists', 'no_stream'),
    );
    expect(new ConcurrencyError(s, 'stream_exists', 'no_stream').message).toBe(`strömmen ${s} har ändrats under tiden: väntade att den fanns, men den finns inte; försök igen`);
    await store.append(s, [noted(uuid(), 'a')], 'any');
    await store.append(s, [noted(uuid(), 'b')], 'stream_exists');
    await store.append(s, [noted(uuid(), 'c')], 'any');
    expect((await collect(store.readStream(s))).map((e) => e.data)).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
  });

  test('read up to a position: an append after which another stream got an event is a ConcurrencyError and stores nothing; one read up to the head is stored', async () => {
    await store.append(s, [noted(uuid(), 'a')], 'no_stream');
    const seen = await store.headPosition();
    // Another writer, another stream, after the decision read.
    await store.append(`${s}-other`, [noted(uuid(), 'x')], 'no_stream');
    const err = await store.append(s, [noted(uuid(), 'b')], 0, seen).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as Error).message).toMatch(/^loggen har ändrats under tiden: beslutet läste till position \d+, men den är nu på \d+; försök igen$/);
    expect(await store.streamRevision(s)).toBe(0);
    const head = await store.headPosition();
    expect(head).toBeGreaterThan(seen);
    const ok = await store.append(s, [noted(uuid(), 'b')], 0, head);
    expect(ok.nextRevision).toBe(1);
    expect(await store.headPosition()).toBe(ok.events[0].position);
  });

  test('a failed append stores nothing', async () => {
    await store.append(s, [noted(uuid(), 'a')], 'no_stream');
    await expect(store.append(s, [noted(uuid(), 'x'), noted(uuid(), 'y')], 5)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await collect(store.readStream(s))).toHaveLength(1);
  });

  test('the events of a command id come back in order; a command never run has none', async () => {
    const cmd = `cmd-${uuid()}`;
    await store.append(s, [noted(uuid(), 'a'), noted(uuid(), 'b', cmd), noted(uuid(), 'c', cmd)], 'no_stream');
    await store.append(s, [noted(uuid(), 'd')], 2);
    expect((await store.eventsOfCommand(cmd)).map((e) => [e.revision, e.data])).toEqual([[1, { text: 'b' }], [2, { text: 'c' }]]);
    expect(await store.eventsOfCommand(`cmd-${uuid()}`)).toEqual([]);
  });

  test('invalid data is refused on write, naming the stream, and nothing is stored', async () => {
    const bad = { ...noted(uuid(), 'a'), data: { text: 42 } };
    const err = await store.append(s, [noted(uuid(), 'ok'), bad], 'no_stream').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventDecodeError);
    expect((err as Error).message).toContain(s);
    expect(await store.streamRevision(s)).toBe('no_stream');
  });

  test('retrying an append with the same event ids stores nothing new', async () => {
    const batch = [noted(uuid(), 'a'), noted(uuid(), 'b')];
    await store.append(s, batch, 'no_stream');
    const again = await store.append(s, batch, 'no_stream');
    expect(again.duplicate).toBe(true);
    expect(again.events.map((e) => e.revision)).toEqual([0, 1]);
    expect(await collect(store.readStream(s))).toHaveLength(2);
  });

  test('an append returns its events as a read gives them back: data after its JSON round trip', async () => {
    const withUndefined = { ...noted(uuid(), 'a'), data: { text: 'a', note: undefined, lines: [{ n: 1, vat: undefined }] } };
    const appended = await store.append(s, [withUndefined, noted(uuid(), 'b')], 'no_stream');
    const read = await collect(store.readStream(s));
    expect(appended.events.map((e) => e.data)).toStrictEqual(read.map((e) => e.data));
    expect(appended.events[0].data).toStrictEqual({ text: 'a', lines: [{ n: 1 }] });
  });

  test('an append gives its data back with the keys in the order a read gives them (canonical), so what either writes out is the same bytes', async () => {
    const data = { text: 'a', amount: '1.00', lines: [{ vat: '0.25', n: 1, ref: { streamId: 'x', revision: 0 } }] };
    const appended = await store.append(s, [{ ...noted(uuid(), 'a'), data }], 'no_stream');
    const read = await collect(store.readStream(s));
    expect(JSON.stringify(appended.events[0].data)).toBe(JSON.stringify(read[0].data));
    expect(JSON.stringify(read[0].data)).toBe('{"amount":"1.00","lines":[{"n":1,"ref":{"revision":0,"streamId":"x"},"vat":"0.25"}],"text":"a"}');
  });

  test("a read's refHead, where an adapter gives one, is its metadata's hash, time and actor, whatever the actor's name holds", async () => {
    const actors = ['test', 'Anna "Ö" Berg', 'C:\\ekonomi', '"actor":"decoy"', 'tab\there'];
    const events = actors.map((actor) => ({ ...noted(uuid(), actor), metadata: { ...noted(uuid(), actor).metadata, actor } }));
    await store.append(s, events, 'no_stream');
    const read = await collect(store.readStream(s));
    expect(read.map((e) => e.metadata.actor)).toEqual(actors);
    for (const e of read) {
      if (e.refHead === undefined) continue;
      expect(e.refHead).toEqual({ hash: e.metadata.hash, recordedAt: e.metadata.recordedAt, actor: e.metadata.actor });
    }
  });

  test('readEvent gives the one event at a revision, as readStream gives it, and undefined past the head or for no stream', async () => {
    await store.append(s, [noted(uuid(), 'a'), noted(uuid(), 'b'), noted(uuid(), 'c')], 'no_stream');
    const all = await collect(store.readStream(s));
    expect(await store.readEvent(s, 1)).toEqual(all[1]);
    expect(await store.readEvent(s, 0)).toEqual(all[0]);
    expect(await store.readEvent(s, 3)).toBeUndefined();
    expect(await store.readEvent(`${s}-none`, 0)).toBeUndefined();
  });

  test('readStream from a revision, in order, data and metadata intact', async () => {
    const ids = Array.from({ length: 5 }, () => uuid());
    await store.append(s, ids.map((id, i) => noted(id, `e${i}`)), 'no_stream');
    const tail = await collect(store.readStream(s, 3));
    expect(tail.map((e) => e.revision)).toEqual([3, 4]);
    expect(tail.map((e) => e.id)).toEqual(ids.slice(3));
    expect(tail[0].metadata).toMatchObject({ actor: 'test', commandId: `cmd-${ids[3]}` });
    expect(tail[0].metadata.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await collect(store.readStream(`${s}-missing`))).toEqual([]);
  });

  test('readAll gives every event in global order, exclusive of the position it starts after', async () => {
    const other = `${s}-other`;
    await store.append(s, [noted(uuid(), 's0')], 'no_stream');
    await store.append(other, [noted(uuid(), 'o0')], 'no_stream');
    await store.append(s, [noted(uuid(), 's1'), noted(uuid(), 's2')], 0);
    const mine = (await collect(store.readAll())).filter((e) => e.streamId === s || e.streamId === other);
    expect(mine.map((e) => (e.data as { text: string }).text)).toEqual(['s0', 'o0', 's1', 's2']);
    for (let i = 1; i < mine.length; i++) expect(mine[i].position > mine[i - 1].position).toBe(true);
    const after = (await collect(store.readAll(mine[1].position))).filter((e) => e.streamId === s || e.streamId === other);
    expect(after.map((e) => (e.data as { text: string }).text)).toEqual(['s1', 's2']);
  });

  test('readAll with a filter leaves out the given types in every stream but the excepted ones, across pages', async () => {
    const other = `${s}-other`;
    await store.append(s, [noted(uuid(), 's0')], 'no_stream');
    await store.append(other, Array.from({ length: 1200 }, (_, i) => noted(uuid(), `o${i}`)), 'no_stream');
    await store.append(s, [noted(uuid(), 's1')], 0);
    const mine = (e: { streamId: string }) => e.streamId === s || e.streamId === other;
    const all = (await collect(store.readAll())).filter(mine);
    expect(all).toHaveLength(1202);
    const kept = (await collect(store.readAll(undefined, { types: [all[0].type], exceptStreams: [s] }))).filter(mine);
    expect(kept.map((e) => (e.data as { text: string }).text)).toEqual(['s0', 's1']);
    expect(kept).toEqual([all[0], all[all.length - 1]]);
    const otherKept = (await collect(store.readAll(all[0].position, { types: ['SomethingElse'], exceptStreams: [s] }))).filter(mine);
    expect(otherKept).toHaveLength(1201);
    expect((await collect(store.readAll(undefined, { types: [all[0].type], exceptStreams: [] }))).filter(mine)).toEqual([]);
    expect((await collect(store.readAll(undefined, { types: [all[0].type], exceptStreams: [other, s] }))).filter(mine)).toEqual(all);
  });

  test.each(['lines', 'provenance'] as const)('readAll with a filter that cuts %s gives the events it concerns cut, the rest whole, across pages', async (cut) => {
    const other = `${s}-other`;
    const line = (lineNo: number, amount: string) => ({ lineNo, amount, provenance: { rule: 'r"\\', refs: [{ streamId: 'x', revision: 1 }] }, vatRate: '0.25' });
    const withLines = (text: string) => ({ ...noted(uuid(), text), data: { text, lines: Array.from({ length: 12 }, (_, i) => line(i + 1, i === 1 ? 'x"\\y' : `${i}.00`)), total: '2.00' } });
    await store.append(s, [withLines('s0')], 'no_stream');
    await store.append(other, Array.from({ length: 1200 }, (_, i) => withLines(`o${i}`)), 'no_stream');
    const mine = (e: { streamId: string }) => e.streamId === s || e.streamId === other;
    const all = (await collect(store.readAll())).filter(mine);
    const read = (await collect(store.readAll(undefined, { types: [all[0].type], exceptStreams: [s], cut }))).filter(mine);
    expect(read).toHaveLength(1201);
    const shape = (e: (typeof all)[number]) => ({ position: e.position, streamId: e.streamId, revision: e.revision, id: e.id, type: e.type, metadata: e.metadata });
    expect(read.map(shape)).toEqual(all.map(shape));
    expect(read[0].data).toEqual(all[0].data);
    type Doc = { lines: Record<string, unknown>[] };
    const expected = (d: Doc) => ({ ...d, lines: cut === 'lines' ? [] : d.lines.map(({ provenance: _, ...l }) => l) });
    for (let i = 1; i < read.length; i++) expect(read[i].data).toStrictEqual(expected(all[i].data as Doc));
    // Lines keep their order and every other member, the second's escaped quote and backslash included.
    if (cut === 'provenance') expect((read[1].data as Doc).lines.map((l) => l.amount)).toEqual((all[1].data as Doc).lines.map((l) => l.amount));
  });

  test('readAll with a filter that cuts only some streams gives those streams\' events cut, the excepted whole, and leaves out the rest it concerns', async () => {
    const [held, cutOnes, left] = [`${s}-held`, `${s}-cut`, `${s}-left`];
    const doc = (text: string) => ({ ...noted(uuid(), text), data: { text, lines: [{ lineNo: 1, amount: '1.00', provenance: { rule: 'r' } }], total: '1.00' } });
    await store.append(held, [doc('h0')], 'no_stream');
    await store.append(cutOnes, Array.from({ length: 1100 }, (_, i) => doc(`c${i}`)), 'no_stream');
    await store.append(left, [doc('l0'), doc('l1')], 'no_stream');
    await store.append(held, [doc('h1')], 0);
    const mine = (e: { streamId: string }) => [held, cutOnes, left].includes(e.streamId);
    const all = (await collect(store.readAll())).filter(mine);
    const type = all[0].type;
    const read = (await collect(store.readAll(undefined, { types: [type], exceptStreams: [held], cut: 'lines', cutStreams: [cutOnes] }))).filter(mine);
    expect(read.map((e) => e.streamId)).toEqual([held, ...Array.from({ length: 1100 }, () => cutOnes), held]);
    expect([read[0], read[read.length - 1]]).toEqual([all[0], all[all.length - 1]]);
    for (const e of read.slice(1, -1)) expect(e.data).toStrictEqual({ text: (e.data as { text: string }).text, lines: [], total: '1.00' });
    // Events of types the filter does not concern are whole wherever they are; without cutStreams every
    // stream but the excepted is cut, none left out.
    expect((await collect(store.readAll(undefined, { types: ['SomethingElse'], exceptStreams: [], cut: 'lines', cutStreams: [] }))).filter(mine)).toEqual(all);
    expect((await collect(store.readAll(undefined, { types: [type], exceptStreams: [held], cut: 'lines' }))).filter(mine)).toHaveLength(all.length);
  });

  test('readAll streams across pages', async () => {
    const n = 2500;
    for (let i = 0; i < n; i += 500) {
      await store.append(s, Array.from({ length: 500 }, (_, j) => noted(uuid(), `e${i + j}`)), i === 0 ? 'no_stream' : i - 1);
    }
    const mine = (await collect(store.readAll())).filter((e) => e.streamId === s);
    expect(mine.map((e) => e.revision)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(await collect(store.readStream(s, 1999))).toHaveLength(501);
  });

  test('every appended event is hash-chained to the one before it in its stream', async () => {
    await store.append(s, [noted(uuid(), 'a'), noted(uuid(), 'b')], 'no_stream');
    await store.append(s, [noted(uuid(), 'c')], 1);
    const events = await collect(store.readStream(s));
    expect(events[0].metadata.prevHash).toBeNull();
    expect(events[1].metadata.prevHash).toBe(events[0].metadata.hash);
    expect(events[2].metadata.prevHash).toBe(events[1].metadata.hash);
    const report = await verifyChains(store);
    expect(report.firstBreak).toBeUndefined();
  });
}
