import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventHash } from '../../src/store/hash-chain';
import { describeVerify, splitsChecked, verifyAll, type VerifyPass } from '../../src/app/verify';
import { rawCodec } from '../../src/store/port';
import { SqliteEventStore } from '../../src/store/sqlite';
import { domainCodec } from '../../src/app/codec';
import { main } from '../../src/cli/main';
import { uuid } from '../support/uuid';
import { billingFixture, settledYear } from '../support/billing-fixture';
import { cliFixture, cliOn } from '../support/cli';

/** Builds a small store through the CLI, then edits the SQLite file behind the engine's back. */
async function storeWithHistory() {
  const f = cliFixture();
  for (const [orgnr, name, code] of [['212000-0142', 'Stockholms stad', '0180'], ['212000-1355', 'Göteborgs Stad', '1480']]) {
    const r = await f.run('member', 'join', '--orgnr', orgnr, '--kind', 'municipality', '--name', name, '--kommunkod', code, '--date', '2023-01-01', '--decision', 'S 1');
    expect(r.code).toBe(0);
  }
  expect((await f.run('member', 'leave', '0180', '--date', '2023-12-31', '--reason', 'ingen tjänst')).code).toBe(0);
  expect((await f.run('member', 'join', '--orgnr', '212000-0142', '--kind', 'municipality', '--name', 'Stockholms stad', '--kommunkod', '0180', '--date', '2024-02-01', '--decision', 'S 2')).code).toBe(0);
  return f;
}

describe('samkost verify: the hash chains', () => {
  test('given an untouched store, verify exits 0 and counts streams and events', async () => {
    const f = await storeWithHistory();
    const r = await f.run('verify');
    expect(r.code).toBe(0);
    expect(r.out).toContain('OK: 2 strömmar, 4 händelser kontrollerade');
    expect(await f.json('verify')).toMatchObject({ ok: true, streams: 2, events: 4 });
  });

  test('changing one byte of a stored event is detected, naming stream and revision', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    const row = db.prepare("SELECT data FROM events WHERE stream_id = 'member-212000-0142' AND revision = 1").get() as { data: string };
    db.prepare("UPDATE events SET data = ? WHERE stream_id = 'member-212000-0142' AND revision = 1").run(row.data.replace('ingen tjänst', 'ingen tjänsT'));
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FEL: ström member-212000-0142 revision 1');
  });

  test('deleting an event is detected', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE stream_id = 'member-212000-0142' AND revision = 1").run();
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('ström member-212000-0142 revision 2');
  });

  test('swapping two events of a stream is detected', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    db.exec(`UPDATE events SET revision = -1 WHERE stream_id = 'member-212000-0142' AND revision = 0;
             UPDATE events SET revision = 0 WHERE stream_id = 'member-212000-0142' AND revision = 1;
             UPDATE events SET revision = 1 WHERE stream_id = 'member-212000-0142' AND revision = -1;`);
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FEL: ström member-212000-0142 revision [01]/);
  });

  test('a stored event whose JSON no longer parses is reported, not crashed on', async () => {
    const f = await storeWithHistory();
    const db = new Database(f.store);
    db.prepare("UPDATE events SET data = substr(data, 2) WHERE stream_id = 'member-212000-1355' AND revision = 0").run();
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FEL: ström member-212000-1355 revision 0');
    const events = await f.run('events');
    expect(events.code).toBe(2);
    expect(events.err).toMatch(/^samkost: händelsen på revision 0 i strömmen member-212000-1355: lagrad JSON går inte att läsa/);
  });
});

describe('samkost events', () => {
  test('lists a stream from a revision, as JSON for tools', async () => {
    const f = await storeWithHistory();
    const events = await f.json<{ streamId: string; revision: number; type: string; metadata: { actor: string } }[]>('events', '--stream', 'member-212000-0142', '--from', '1');
    expect(events.map((e) => [e.revision, e.type])).toEqual([[1, 'MemberLeft'], [2, 'MemberJoined']]);
    expect(events[0].metadata.actor).toBe('test');
    const all = await f.json<unknown[]>('events');
    expect(all).toHaveLength(4);
  });

  test('a long dump waits for its output to drain every thousand events, so a slow reader (a pipe to less) does not queue it all in memory', async () => {
    const f = await storeWithHistory();
    const store = new SqliteEventStore(f.store, domainCodec);
    const payment = (i: number) => ({
      id: uuid(), type: 'PaymentRecorded', schemaVersion: 1, data: { invoice: 'T2024-0001', amount: '1.00', date: '2024-02-01', reference: `r${i}` },
      metadata: { actor: 'test', commandId: `pay-${i}`, correlationId: `pay-${i}`, causationId: `pay-${i}`, recordedAt: '2024-02-01T10:00:00.000Z' },
    });
    await store.append('billing-2024', Array.from({ length: 2500 }, (_, i) => payment(i)), 'any');
    await store.close();
    let lines = 0;
    let drains = 0;
    const code = await main(['node', 'samkost', '--store', f.store, 'events'], {
      out: (t) => { lines += t.split('\n').length - 1; }, err: () => undefined, env: {}, isTty: false,
      drained: async () => { drains += 1; },
    });
    expect(code).toBe(0);
    expect(lines).toBe(2504);
    expect(drains).toBe(2);
  });
});

/** A billed year: Q1 and yearly runs, a credit note, the actual cost and the settlement. */
async function billedStore() {
  const f = await billingFixture();
  for (const args of [
    ['invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15'],
    ['invoice', 'run', '--period', '2024', '--date', '2024-04-20'],
    ['invoice', 'credit', 'T2024-0001', '--reason', 'Fel', '--date', '2024-05-02'],
    ['cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1320000.00', '--supplier', 'L', '--reference', 'F-1', '--date', '2024-12-31'],
    ['settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20'],
  ]) expect((await f.run(...args)).code).toBe(0);
  return f;
}

interface Row { stream_id: string; revision: number; event_id: string; type: string; schema_version: number; data: string; metadata: string }

/** What a careful forger would do: change an event, then re-hash the rest of its stream so every chain still holds. */
function forgeAndRehash(store: string, streamId: string, revision: number, edit: (data: string) => string): void {
  const db = new Database(store);
  const rows = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision').all(streamId) as Row[];
  let prevHash: string | null = null;
  const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE stream_id = ? AND revision = ?');
  for (const r of rows) {
    const data = r.revision === revision ? edit(r.data) : r.data;
    const { hash: _old, ...rest } = JSON.parse(r.metadata) as { hash: string; prevHash: string | null };
    const metadata = { ...rest, prevHash };
    const hash = eventHash({ streamId, revision: r.revision, id: r.event_id, type: r.type, schemaVersion: r.schema_version, data: JSON.parse(data), metadata: metadata as never });
    update.run(data, JSON.stringify({ ...metadata, hash }), streamId, r.revision);
    prevHash = hash;
  }
  db.close();
}

const invoiceRow = (store: string, number: string) => {
  const db = new Database(store, { readonly: true });
  const row = db.prepare("SELECT revision, data FROM events WHERE type = 'InvoiceIssued' AND json_extract(data, '$.number') = ?").get(number) as { revision: number; data: string };
  db.close();
  return row;
};

/** EGIL 2024 billed for the year and settled at the budget: every member billed its share already, so the settlement issued nothing. */
async function settledIssuingNothing() {
  const f = await billingFixture();
  for (const args of [
    ['invoice', 'run', '--period', '2024', '--date', '2024-04-20'],
    ['cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1200000.00', '--supplier', 'L', '--reference', 'F-1', '--date', '2024-12-31'],
    ['settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20'],
  ]) expect((await f.run(...args)).code).toBe(0);
  const db = new Database(f.store, { readonly: true });
  const settled = db.prepare("SELECT revision, data FROM events WHERE stream_id = 'billing-2024' AND type = 'ServiceSettled'").get() as { revision: number; data: string };
  db.close();
  expect((JSON.parse(settled.data) as { documents: string[] }).documents).toEqual([]);
  return { f, settled };
}

interface Summary { checked: number; passed: number; failures: { subject: string; reason: string; streamId?: string; revision?: number }[]; skipped?: string }
interface Report { ok: boolean; streams: number; events: number; checks: Record<'chains' | 'invoices' | 'numbers' | 'splits' | 'vouchers', Summary> }

/** What a forger who deletes a document does: takes its row out, moves the stream's later revisions up and re-hashes the stream. */
function deleteAndRehash(store: string, streamId: string, revision: number): void {
  const db = new Database(store);
  db.transaction(() => {
    db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = ?').run(streamId, revision);
    const later = db.prepare('SELECT revision FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision').all(streamId, revision) as { revision: number }[];
    const move = db.prepare('UPDATE events SET revision = ? WHERE stream_id = ? AND revision = ?');
    for (const r of later) move.run(r.revision - 1, streamId, r.revision);
  })();
  db.close();
  forgeAndRehash(store, streamId, -1, (d) => d);
}

describe('samkost verify: everything an auditor relies on', () => {
  test('an untouched billed year: hash chains, every invoice reproduced, every split summing to its cost', async () => {
    const f = await billedStore();
    const r = await f.run('verify');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK: 8 strömmar, \d+ händelser kontrollerade; varje hashkedja är obruten\n/);
    expect(r.out).toContain('OK: 13 av 13 fakturor och kreditfakturor återskapade (2024)');
    expect(r.out).toContain('OK: 2 kostnadsfördelningar summerar till sin kostnad (egil 2024 budget, egil 2024 utfall)');
    expect(r.out).toMatch(/OK: \d+ verifikationer balanserar \(2024, 2025\)/);
    expect(r.out).toContain('OK: 3 nummerserier är obrutna (3 serier, 13 nummer)');
    expect(r.out).toMatch(/verify: alla 5 kontroller godkända\n$/);
    const json = await f.json<Report>('verify');
    expect(json.ok).toBe(true);
    expect(json.checks.invoices).toMatchObject({ checked: 13, passed: 13, failures: [] });
    // The chains pass reports the count of events it checked, against which the replay pass shows its progress.
    const store = new SqliteEventStore(f.store, rawCodec);
    const passes: [VerifyPass, number][] = [];
    const report = await verifyAll(store, (pass, n) => passes.push([pass, n]));
    await store.close();
    expect(passes.at(-1)).toEqual(['chains', report.events]);
    expect(json.checks.splits).toMatchObject({ checked: 2, passed: 2, failures: [] });
    expect(json.checks.chains).toMatchObject({ checked: json.events, failures: [] });
    expect(json.checks.vouchers.failures).toEqual([]);
    expect(json.checks.vouchers.checked).toBeGreaterThan(0);
    expect(json.checks.vouchers.passed).toBe(json.checks.vouchers.checked);
  });

  test('one byte changed in an invoice event: the chain names stream and revision, and replay names the field', async () => {
    const f = await billedStore();
    const { revision, data } = invoiceRow(f.store, 'T2024-0002');
    const db = new Database(f.store);
    db.prepare("UPDATE events SET data = ? WHERE stream_id = 'billing-2024' AND revision = ?").run(data.replace('kvartal 1', 'kvartal 2'), revision);
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FEL: ström billing-2024 revision ${revision}: den lagrade hashen stämmer inte med händelsens innehåll`);
    expect(r.out).toContain(`AVVIKELSE T2024-0002 (ström billing-2024 revision ${revision}): lines.0.description`);
  });

  test('metadata made unreadable where a fold does not look (its command id): verify names the event, though commands that never read it go on', async () => {
    const f = await billedStore();
    const { revision } = invoiceRow(f.store, 'T2024-0002');
    const db = new Database(f.store);
    const row = db.prepare("SELECT metadata FROM events WHERE stream_id = 'billing-2024' AND revision = ?").get(revision) as { metadata: string };
    db.prepare("UPDATE events SET metadata = ? WHERE stream_id = 'billing-2024' AND revision = ?").run(row.metadata.replace('"commandId":"', '"commandId":'), revision);
    db.close();
    expect((await f.run('members')).code).toBe(0);
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FEL: ström billing-2024 revision ${revision}: händelsen på revision ${revision} i strömmen billing-2024: lagrad metadata går inte att läsa`);
  });

  test.each([
    ['data', "UPDATE events SET data = '{broken' WHERE stream_id = 'member-212000-0142' AND revision = 0"],
    ['metadata', "UPDATE events SET metadata = '{broken' WHERE stream_id = 'member-212000-0142' AND revision = 0"],
  ])('given an early event whose %s cannot be read, when an invoice after it is altered too, then verify names both and reads every event', async (_what, sql) => {
    const f = await billedStore();
    const { revision } = invoiceRow(f.store, 'T2024-0002');
    const db = new Database(f.store);
    const total = (db.prepare('SELECT count(*) FROM events').pluck().get() as number);
    db.exec(sql);
    const row = db.prepare("SELECT data FROM events WHERE stream_id = 'billing-2024' AND revision = ?").get(revision) as { data: string };
    db.prepare("UPDATE events SET data = ? WHERE stream_id = 'billing-2024' AND revision = ?").run(row.data.replace('kvartal 1', 'kvartal 2'), revision);
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FEL: ström member-212000-0142 revision 0: händelsen på revision 0 i strömmen member-212000-0142: lagrad');
    // An unreadable event used to end the walk: the invoice altered after it went unnamed.
    expect(r.out).toContain(`FEL: ström billing-2024 revision ${revision}: den lagrade hashen stämmer inte med händelsens innehåll`);
    expect(r.out).toContain(`(${total} händelser i`);
  });

  test('an invoice deleted from the middle of the billing stream is named by stream and revision', async () => {
    const f = await billedStore();
    const { revision } = invoiceRow(f.store, 'T2024-0002');
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE stream_id = 'billing-2024' AND revision = ?").run(revision);
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FEL: ström billing-2024 revision ${revision + 1}: revision ${revision + 1} följer på revision ${revision - 1}`);
  });

  test('two invoices of the billing stream swapped are named by stream and revision', async () => {
    const f = await billedStore();
    const a = invoiceRow(f.store, 'M2024-0001').revision;
    const b = invoiceRow(f.store, 'M2024-0002').revision;
    const db = new Database(f.store);
    db.exec(`UPDATE events SET revision = -1 WHERE stream_id = 'billing-2024' AND revision = ${a};
             UPDATE events SET revision = ${a} WHERE stream_id = 'billing-2024' AND revision = ${b};
             UPDATE events SET revision = ${b} WHERE stream_id = 'billing-2024' AND revision = -1;`);
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`FEL: ström billing-2024 revision [${a}${b}]`));
  });

  test('an event forged into data its schema refuses, chain re-hashed: verify names it, though reads only check the type', async () => {
    const f = await billedStore();
    const { revision, data } = invoiceRow(f.store, 'T2024-0002');
    const amount = (JSON.parse(data) as { lines: { amount: string }[] }).lines[0].amount;
    forgeAndRehash(f.store, 'billing-2024', revision, (d) => d.replace(`"amount":"${amount}"`, '"amount":"12,50"'));
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^OK: 8 strömmar, \d+ händelser kontrollerade; varje hashkedja är obruten/);
    expect(r.out).toContain(`STOPP vid billing-2024@${revision} (ström billing-2024 revision ${revision}): loggen kan inte läsas förbi denna händelse: händelsen på revision ${revision} i strömmen billing-2024: InvoiceIssued: ogiltiga data i lines.0.amount`);
  });

  test('the log unreadable from its first event: each check says it could not be run, not "0 av 0"', async () => {
    const f = await billedStore();
    const db = new Database(f.store);
    db.exec("UPDATE events SET type = 'Okand' WHERE position = 1");
    db.close();
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(' 0 av 0 ');
    for (const line of ['FEL: inga fakturor eller kreditfakturor kunde återskapas', 'FEL: nummerserierna kunde inte kontrolleras', 'FEL: kostnadsfördelningarna kunde inte kontrolleras', 'FEL: verifikationerna kunde inte kontrolleras']) {
      expect(r.out).toContain(`${line}\n`);
    }
  });

  test('two invoices of one run swapped, the chain re-hashed: each is intact, and the replay names the order', async () => {
    const f = await billedStore();
    const a = invoiceRow(f.store, 'T2024-0001');
    const b = invoiceRow(f.store, 'T2024-0002');
    const db = new Database(f.store);
    const ids = db.prepare("SELECT revision, event_id FROM events WHERE stream_id = 'billing-2024' AND revision IN (?, ?)").all(a.revision, b.revision) as { revision: number; event_id: string }[];
    const idOf = (revision: number) => ids.find((r) => r.revision === revision)!.event_id;
    const swap = db.prepare("UPDATE events SET data = ?, event_id = ? WHERE stream_id = 'billing-2024' AND revision = ?");
    db.transaction(() => {
      db.prepare("UPDATE events SET event_id = 'swap' WHERE stream_id = 'billing-2024' AND revision = ?").run(a.revision);
      swap.run(a.data, idOf(a.revision), b.revision);
      swap.run(b.data, idOf(b.revision), a.revision);
    })();
    db.close();
    forgeAndRehash(f.store, 'billing-2024', -1, (d) => d);
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^OK: 8 strömmar, \d+ händelser kontrollerade; varje hashkedja är obruten/);
    expect(r.out).toContain(`AVVIKELSE T2024-0002 (ström billing-2024 revision ${a.revision}): lagrad som kommandots dokument`);
    expect(r.out).toContain('dokumenten ligger i en annan ordning än kommandot gav dem');
  });

  test('a document deleted from the middle of its series, the chain re-hashed: the replay says its command decides it and it is not stored, and its series has a hole', async () => {
    const f = await billedStore();
    deleteAndRehash(f.store, 'billing-2024', invoiceRow(f.store, 'T2024-0003').revision);
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^OK: 8 strömmar, \d+ händelser kontrollerade; varje hashkedja är obruten/);
    expect(r.out).toMatch(/AVVIKELSE T2024-0003 \(ström billing-2024 revision \d+\): saknas i lagret: kommandot som utfärdade M2024-0004 \(billing-2024 revision 5\) beslutar det på nytt, men det är inte lagrat/);
    // Only the deleted document and what was decided from it differ: the run's later documents are intact.
    expect(r.out).not.toContain('ligger i en annan ordning');
    expect(r.out).toContain('FEL: 2 av 3 nummerserier är obrutna\n  T2024: nummerserien T2024 (1–');
    expect(r.out).toContain('saknar T2024-0003: ett dokument har tagits bort ur loggen');
    const replay = await f.run('replay', '--year', '2024', '--verify');
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/AVVIKELSE T2024-0003: saknas i lagret/);
    expect(replay.out).toMatch(/AVVIKELSE nummerserien T2024 \(1–\d+\) saknar T2024-0003/);
  });

  test("the last document of a settlement deleted, the chain re-hashed: no series has a hole, and the replay of the settlement names what is missing", async () => {
    const f = await billedStore();
    const db = new Database(f.store, { readonly: true });
    const last = db.prepare("SELECT revision, json_extract(data, '$.number') AS number FROM events WHERE stream_id = 'billing-2024' AND type IN ('InvoiceIssued', 'CreditNoteIssued') AND json_extract(data, '$.origin.command') = 'settlement.run' ORDER BY revision DESC LIMIT 1").get() as { revision: number; number: string };
    db.close();
    deleteAndRehash(f.store, 'billing-2024', last.revision);
    const r = await f.run('--json', 'verify');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as Report;
    expect(report.checks.chains.failures).toEqual([]);
    expect(report.checks.numbers.failures).toEqual([]);
    expect(report.checks.invoices.failures).toEqual([expect.objectContaining({ subject: last.number, reason: expect.stringMatching(/^saknas i lagret: /) })]);
  });

  test("given next year's budget decided before SCB's year-end figures it splits by, then verify passes and says the split waits, nothing having been billed from it", async () => {
    const f = await billedStore();
    expect((await f.run('budget', 'decide', '--service', 'egil', '--year', '2025', '--line', 'Drift=1300000.00', '--decided-on', '2024-11-15', '--minutes', 'FR §9')).code).toBe(0);
    const r = await f.run('verify');
    expect(r.out).toContain('OK: 2 kostnadsfördelningar summerar till sin kostnad (egil 2024 budget, egil 2024 utfall; en kan inte beräknas än och är inte fakturerad: egil 2025 budget)');
    expect(r.code).toBe(0);
  });

  test("a settlement's ServiceSettled deleted, the chain re-hashed: the replay of the settlement names it, so the year is not silently unsettled", async () => {
    const f = await billedStore();
    const db = new Database(f.store, { readonly: true });
    const { revision } = db.prepare("SELECT revision FROM events WHERE stream_id = 'billing-2024' AND type = 'ServiceSettled'").get() as { revision: number };
    db.close();
    deleteAndRehash(f.store, 'billing-2024', revision);
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('kommandots händelse ServiceSettled saknas i lagret');
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(1);
  });

  test("a second settlement's only document deleted, its ServiceSettled kept, the chain re-hashed: the settlement names the document it issued", async () => {
    const f = await billedStore();
    expect((await f.run('invoice', 'credit', 'T2024-0005', '--reason', 'Fel', '--date', '2025-01-23')).code).toBe(0);
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-25')).code).toBe(0);
    const db = new Database(f.store, { readonly: true });
    const last = db.prepare("SELECT revision, json_extract(data, '$.number') AS number FROM events WHERE stream_id = 'billing-2024' AND type IN ('InvoiceIssued', 'CreditNoteIssued') ORDER BY revision DESC LIMIT 1").get() as { revision: number; number: string };
    db.close();
    deleteAndRehash(f.store, 'billing-2024', last.revision);
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`AVVIKELSE ${last.number}`);
    expect(r.out).toContain('saknas i lagret: slutregleringen av egil 2024');
  });

  test("a settlement that issued nothing, its ServiceSettled altered and the chain re-hashed: what it records no longer holds, and verify names it", async () => {
    const { f, settled } = await settledIssuingNothing();
    expect((await f.run('verify')).code).toBe(0);
    forgeAndRehash(f.store, 'billing-2024', settled.revision, (d) => JSON.stringify({ ...JSON.parse(d), actualCost: '1.00', difference: '0.00' }));
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('AVVIKELSE slutreglering egil 2024');
    expect(r.out).toContain('slutregleringen anger 1.00');
  });

  test("a closed year's settlement that issued nothing, deleted and the chain re-hashed: the year was closed only settled, so verify names the settlement missing", async () => {
    const { f, settled } = await settledIssuingNothing();
    expect((await cliOn(f.store, '2025-03-01T10:00:00Z')('year', 'close', '2024', '--date', '2025-02-15')).code).toBe(0);
    deleteAndRehash(f.store, 'billing-2024', settled.revision);
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('AVVIKELSE slutreglering egil 2024');
    expect(r.out).toContain('har ingen slutreglering: den har tagits bort ur loggen');
  });

  test("a refund's amount raised beyond the member's credit, the chain re-hashed: verify and replay --verify name it, as the refund command would have refused it", async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    expect((await f.run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '90000.00', '--date', '2024-02-10', '--reference', 'BG 1', '--overpayment')).code).toBe(0);
    const refunded = await f.run('payment', 'refund', '--invoice', 'M2024-0001', '--amount', '500.00', '--date', '2024-03-01', '--reference', 'UT 1', '--reason', 'Överbetalt');
    expect(refunded.code).toBe(0);
    expect((await f.run('verify')).code).toBe(0);
    const db = new Database(f.store, { readonly: true });
    const { revision } = db.prepare("SELECT revision FROM events WHERE type = 'RefundPaid'").get() as { revision: number };
    db.close();
    forgeAndRehash(f.store, 'billing-2024', revision, (d) => d.replace('"amount":"500.00"', '"amount":"90000.00"'));
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain('AVVIKELSE återbetalning M2024-0001 2024-03-01');
    expect(r.out).toMatch(/90 000,00 kr är mer än det som kan betalas tillbaka; Göteborgs Stad har 40 000,00 kr tillgodo på fakturan: händelsen har ändrats$/m);
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(1);
  });

  test("a payment's reversal whose amount is altered, or that names a payment of another invoice, the chain re-hashed: verify names it", async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    expect((await f.run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '10000.00', '--date', '2024-01-15', '--reference', 'BG 1')).code).toBe(0);
    const [payment] = (await f.json<{ payments: { id: string }[] }>('invoice', 'show', 'M2024-0001')).payments;
    const reversed = await f.run('payment', 'reverse', payment.id, '--date', '2024-01-15', '--reason', 'Fel belopp');
    expect(reversed.code).toBe(0);
    const revision = Number(/billing-2024@(\d+), position/.exec(reversed.out)?.[1]);
    expect((await f.run('verify')).code).toBe(0);
    const store2 = join(f.dir, 'forged-amount.db');
    copyFileSync(f.store, store2);
    forgeAndRehash(store2, 'billing-2024', revision, (d) => d.replace('"amount":"10000.00"', '"amount":"1000.00"'));
    const amount = await cliOn(store2, '2024-01-15T10:00:00Z')('verify');
    expect(amount.code).toBe(1);
    expect(amount.out).toMatch(/^OK: \d+ strömmar/);
    expect(amount.out).toMatch(/FEL: (\d+) av \1 verifikationer balanserar, men 1 bokförd händelse stämmer inte \(nedan\)\n/);
    expect(amount.out).toMatch(/ {2}återföring av billing-2024@\d+: återför 1 000,00 kr, men inbetalningen var 10 000,00 kr\n/);
    forgeAndRehash(f.store, 'billing-2024', revision, (d) => d.replace('"invoice":"M2024-0001"', '"invoice":"M2024-0002"'));
    const other = await f.run('verify');
    expect(other.code).toBe(1);
    expect(other.out).toContain(`  återföring billing-2024@${revision}: återför ingen inbetalning på sin faktura som inte redan är återförd\n`);
  });

  test("a payment's date moved into a closed year, or a reversal's before its payment, the chain re-hashed: verify names it, the closed year's books having moved after its close", async () => {
    const f = await settledYear();
    const inMarch = cliOn(f.store, '2025-03-01T10:00:00Z');
    expect((await inMarch('year', 'close', '2024', '--date', '2025-02-15')).code).toBe(0);
    const paid = await inMarch('payment', 'record', '--invoice', 'M2024-0001', '--amount', '100.00', '--date', '2025-02-20', '--reference', 'BG 7');
    expect(paid.code).toBe(0);
    const payment = Number(/billing-2024@(\d+), position/.exec(paid.out)?.[1]);
    const reversed = await inMarch('payment', 'reverse', `billing-2024@${payment}`, '--date', '2025-02-21', '--reason', 'Fel faktura');
    expect(reversed.code).toBe(0);
    const reversal = Number(/billing-2024@(\d+), position/.exec(reversed.out)?.[1]);
    expect((await inMarch('verify')).code).toBe(0);
    forgeAndRehash(f.store, 'billing-2024', payment, (d) => d.replace('"date":"2025-02-20"', '"date":"2024-12-20"'));
    forgeAndRehash(f.store, 'billing-2024', reversal, (d) => d.replace('"date":"2025-02-21"', '"date":"2024-12-19"'));
    const r = await inMarch('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^OK: \d+ strömmar/);
    expect(r.out).toContain(`  inbetalningen billing-2024@${payment}: daterad 2024-12-20 i året 2024, som stängdes 2025-02-15, men registrerad efter stängningen\n`);
    expect(r.out).toContain(`  återföringen billing-2024@${reversal}: daterad 2024-12-19 i året 2024, som stängdes 2025-02-15, men registrerad efter stängningen\n`);
    expect(r.out).toContain(`  återföring av billing-2024@${payment}: daterad 2024-12-19, före inbetalningens valutadag 2024-12-20\n`);
  });

  test('a replay of a year with no documents is refused in one line, not passed as "0 av 0"', async () => {
    const f = await billedStore();
    const r = await f.run('replay', '--year', '2030', '--verify');
    expect(r.code).toBe(2);
    expect(r.err).toBe('samkost: det finns inga fakturor eller kreditfakturor för 2030 i lagret att återskapa\n');
  });

  test('an altered invoice amount with the chain re-hashed passes the chains and is caught by the replay', async () => {
    const f = await billedStore();
    const { revision, data } = invoiceRow(f.store, 'T2024-0002');
    const amount = (JSON.parse(data) as { lines: { amount: string }[] }).lines[0].amount;
    forgeAndRehash(f.store, 'billing-2024', revision, (d) => d.replace(`"amount":"${amount}"`, '"amount":"1.00"'));
    const r = await f.run('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^OK: 8 strömmar, \d+ händelser kontrollerade; varje hashkedja är obruten/);
    // Stockholm's settlement was decided from the true amount, so it no longer follows from the forged log either.
    expect(r.out).toContain('FEL: 10 av 13 fakturor och kreditfakturor återskapade (2024)');
    // The settlement's own event, which records what was billed before it, no longer follows either.
    expect(r.out).toMatch(/AVVIKELSE T2024-0006 \(ström billing-2024 revision \d+\): kommandots händelse ServiceSettled skiljer sig från den lagrade/);
    expect(r.out).toContain(`AVVIKELSE T2024-0002 (ström billing-2024 revision ${revision}): lines.0.amount: lagrat "1.00", omräknat "${amount}"`);
    expect(r.out).toMatch(/AVVIKELSE T2024-0008 \(ström billing-2024 revision \d+\): lines\.0\.amount/);
    const json = await f.json<Report>('verify').catch(() => undefined);
    expect(json).toBeUndefined(); // exit code 1: the json helper refuses it
    const raw = await f.run('--json', 'verify');
    const report = JSON.parse(raw.out) as Report;
    expect(report.ok).toBe(false);
    expect(report.checks.chains.failures).toEqual([]);
    expect(report.checks.invoices.failures.map((x) => x.subject)).toEqual(['T2024-0002', 'T2024-0006', 'T2024-0008']);
    expect(report.checks.invoices.failures[0]).toMatchObject({ streamId: 'billing-2024', revision });
    // The trace of the line says the same, with the difference.
    const t = await f.run('--json', 'trace', 'T2024-0002', '--line', '1');
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out).lines[0]).toMatchObject({ amount: '1.00', recomputed: amount, matches: false });
  });
});

describe('splitsChecked: what the cost-split check covered, in one line', () => {
  const subject = (serviceId: string, year: number, basis: 'budget' | 'actual') => ({ serviceId, year, basis });

  test('given a few splits, then each is named', () => {
    expect(splitsChecked([subject('egil', 2024, 'budget'), subject('egil', 2024, 'actual')])).toBe('egil 2024 budget, egil 2024 utfall');
  });

  test('given a national history, then they are counted by service, years and basis, not listed', () => {
    const splits = [];
    for (let s = 1; s <= 100; s++) for (let y = 2014; y <= 2023; y++) for (const b of ['budget', 'actual'] as const) splits.push(subject(`svc-${s}`, y, b));
    expect(splitsChecked(splits.slice(0, 1999))).toBe('100 tjänster, 2014–2023; 1 000 budget, 999 utfall');
    expect(splitsChecked(splits.filter((x) => x.year === 2023))).toBe('100 tjänster, 2023; 100 budget, 100 utfall');
  });
});

describe('samkost heads and verify --heads: what a chain alone cannot show (its last events removed, or a forger re-hashing)', () => {
  const noted = async () => {
    const f = await storeWithHistory();
    const file = join(f.dir, 'heads.json');
    const r = await f.run('heads', '--out', file);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`sparade 2 strömmars huvuden (4 händelser) i ${file}; filens SHA-256 att notera: ${createHash('sha256').update(readFileSync(file)).digest('hex')}\n`);
    return { f, file };
  };
  /** The heads check of `verify --heads --json`, which exits 1 when a check fails. */
  const headsCheck = async (f: ReturnType<typeof cliFixture>, file: string): Promise<Summary | undefined> => {
    const r = await f.run('--json', 'verify', '--heads', file);
    if (r.code === 2) throw new Error(r.err);
    return (JSON.parse(r.out) as { checks: { heads?: Summary } }).checks.heads;
  };

  test('given heads noted and nothing changed since, then the check passes; events appended since are no change', async () => {
    const { f, file } = await noted();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      format: 'samkost-heads/1', generatedAt: '2024-03-01T10:00:00.000Z', events: 4,
      streams: { 'member-212000-0142': { last: 2, head: expect.stringMatching(/^[0-9a-f]{64}$/) }, 'member-212000-1355': { last: 0, head: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    });
    expect((await f.run('member', 'leave', '1480', '--date', '2024-12-31', '--reason', 'ingen tjänst')).code).toBe(0);
    const r = await f.run('verify', '--heads', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`OK: 2 noterade strömhuvuden finns kvar oförändrade (2 strömmar ur ${file}); inget har tagits bort eller skrivits om\n`);
    expect(r.out).toContain('verify: alla 6 kontroller godkända');
    expect(await headsCheck(f, file)).toEqual({ checked: 2, passed: 2, failures: [], detail: `2 strömmar ur ${file}` });
    expect(await headsCheck(f, join(f.dir, 'none.json')).catch(() => 'refused')).toBe('refused');
  });

  test('given the last event of a stream deleted, which leaves a valid shorter chain, then verify --heads names it; verify alone cannot', async () => {
    const { f, file } = await noted();
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE stream_id = 'member-212000-0142' AND revision = 2").run();
    db.close();
    expect((await f.run('verify')).code).toBe(0);
    const r = await f.run('verify', '--heads', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FEL: 1 av 2 noterade strömhuvuden finns kvar oförändrade (2 strömmar ur ${file})\n  member-212000-0142@2: strömmen slutar vid revision 1, men den noterade slutade vid revision 2: händelser har tagits bort\n`);
    // The file's own hash, to compare with the one noted when it was written.
    expect(r.out).toContain(`  huvudfilens SHA-256 ${createHash('sha256').update(readFileSync(file)).digest('hex')}: jämför med den som antecknades\n`);
  });

  test('given two streams altered and a third cut short, then verify --heads names every altered stream and still checks the heads', async () => {
    const { f, file } = await noted();
    const db = new Database(f.store);
    for (const [stream, revision] of [['member-212000-0142', 0], ['member-212000-0142', 2], ['member-212000-1355', 0]] as const) {
      const row = db.prepare('SELECT data FROM events WHERE stream_id = ? AND revision = ?').get(stream, revision) as { data: string };
      db.prepare('UPDATE events SET data = ? WHERE stream_id = ? AND revision = ?').run(row.data.replace('Stockholms stad', 'Stockholms stat').replace('Göteborgs Stad', 'Göteborgs Stat'), stream, revision);
    }
    db.close();
    const r = await f.run('verify', '--heads', file);
    expect(r.code).toBe(1);
    for (const where of ['member-212000-0142 revision 0', 'member-212000-0142 revision 2', 'member-212000-1355 revision 0']) {
      expect(r.out).toContain(`FEL: ström ${where}: den lagrade hashen stämmer inte med händelsens innehåll: händelsen har ändrats`);
    }
    expect(r.out).toContain('hashkedjan är bruten på 3 ställen i 2 strömmar');
    // The noted heads are checked past the breaks: the stored hashes at the noted revisions are unchanged.
    expect(r.out).toContain(`OK: 2 noterade strömhuvuden finns kvar oförändrade (2 strömmar ur ${file})`);
  });

  test('given a whole stream deleted, or an event changed and its stream re-hashed, then each is named', async () => {
    const { f, file } = await noted();
    forgeAndRehash(f.store, 'member-212000-0142', 1, (d) => d.replace('ingen tjänst', 'annat skäl'));
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE stream_id = 'member-212000-1355'").run();
    db.close();
    expect((await f.run('verify')).code).toBe(0);
    const heads = await headsCheck(f, file);
    // Revision 1 was changed, yet only the head (revision 2) shows it: the words say the history up to the
    // head was written anew, not that it was from there.
    expect(heads?.failures.map((x) => [x.subject, x.reason.replace(/[0-9a-f]{12}…/g, 'H…')])).toEqual([
      ['member-212000-0142@2', 'händelsen har hashen H…, men den noterade är H…: historiken till och med den noterade revisionen har skrivits om (ett noterat huvud visar inte var ändringen börjar)'],
      ['member-212000-1355@0', 'strömmen finns inte längre (den noterade slutade vid revision 0): händelser har tagits bort'],
    ]);
  });

  test("given an audit package's manifest, then its streams' heads are checked the same way", async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const dir = join(f.dir, 'audit');
    expect((await f.run('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
    const manifest = join(dir, 'manifest.json');
    const streams = Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { events: { streams: object } }).events.streams).length;
    expect(await headsCheck(f, manifest)).toMatchObject({ checked: streams, passed: streams, failures: [] });
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE position = (SELECT max(position) FROM events WHERE stream_id = 'billing-2024')").run();
    db.close();
    expect((await headsCheck(f, manifest))?.failures).toEqual([expect.objectContaining({ subject: expect.stringMatching(/^billing-2024@\d+$/), reason: expect.stringContaining('händelser har tagits bort') })]);
  });

  test('given a file that holds no heads, then verify is refused in one line, naming it; heads refuses a broken chain', async () => {
    const { f, file } = await noted();
    const empty = join(f.dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ format: 'samkost-heads/1', generatedAt: 'x', events: 0, streams: {} }));
    expect((await f.run('verify', '--heads', empty)).err).toBe(`samkost: ${empty}: streams: anger inga strömmar, så det finns inget att jämföra med\n`);
    const other = join(f.dir, 'other.json');
    writeFileSync(other, JSON.stringify({ format: 'samkost-heads/1', generatedAt: 'x', events: 1, streams: { s: { last: 0, head: 'abc' } } }));
    expect(await f.run('verify', '--heads', other)).toEqual({ code: 2, out: '', err: `samkost: ${other}: streams.s.head: ska vara en SHA-256 i hex (64 tecken)\n` });
    const foreign = join(f.dir, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ heads: [] }));
    expect((await f.run('verify', '--heads', foreign)).err).toMatch(new RegExp(`^samkost: ${foreign} är varken en fil från samkost heads \\(samkost-heads/1\\) eller en revisionsexports manifest\\.json: `));
    const db = new Database(f.store);
    db.prepare("DELETE FROM events WHERE stream_id = 'member-212000-0142' AND revision = 1").run();
    db.close();
    const r = await f.run('heads', '--out', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^samkost: inga huvuden noterade: hashkedjan är bruten vid member-212000-0142@2: .*; kör samkost verify\n$/);
  });
});

describe('the summary for people', () => {
  test('given a year whose journal cannot be built, then the vouchers line says so beside a count that is whole', () => {
    const ok = { checked: 1, passed: 1, failures: [], detail: '' };
    const text = describeVerify({
      ok: false, streams: 1, events: 1,
      checks: {
        chains: ok, invoices: ok, numbers: ok, splits: ok,
        vouchers: { checked: 586, passed: 586, detail: '2023, 2024', failures: [{ subject: 'grundbok 2024', reason: 'grundboken kan inte sammanställas: konto 3011 finns inte i kontoplanen' }] },
      },
    });
    expect(text).toContain('FEL: grundboken för 2024 kan inte sammanställas, så dess verifikationer är inte kontrollerade; av övriga års 586 av 586 verifikationer balanserar\n  grundbok 2024: grundboken kan inte sammanställas: konto 3011 finns inte i kontoplanen\n');
  });
});

