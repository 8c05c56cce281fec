import type { FastifyInstance, InjectOptions } from 'fastify';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../../src/http/server';
import { UsageError } from '../../src/cli/io';
import { ConfigError } from '../../src/config';
import { NotFoundError } from '../../domain/errors';
import { ConcurrencyError, EventDecodeError, StoreError } from '../../src/store/port';
import { main } from '../../src/cli/main';
import { billingFixture } from '../support/billing-fixture';
import { eventCount } from '../support/cli';
import { RULES_VERSION } from '../../domain/rules';

/** The server on the billing fixture's store, asked in-process (fastify's inject): no port is opened. */
async function served() {
  const f = await billingFixture();
  const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-03-01T10:00:00Z') }, run: main });
  return { f, app };
}

describe('samkost serve: the reads and commands over HTTP, as the CLI gives them with --json', () => {
  test('given a read with its options as query parameters, then the body is what the CLI prints with --json', async () => {
    const { f, app } = await served();
    const members = await app.inject({ method: 'GET', url: '/v1/members?at=2024-06-01' });
    expect(members.statusCode).toBe(200);
    expect(members.headers['content-type']).toContain('application/json');
    expect(members.json()).toEqual(await f.json('members', '--at', '2024-06-01'));
    const heads = await app.inject({ method: 'GET', url: '/v1/heads' });
    // Noted at the server's clock, the fixture's CLI at its own.
    expect(heads.json()).toEqual({ ...(await f.json<object>('heads')), generatedAt: '2024-03-01T10:00:00.000Z' });
    expect(heads.json()).toMatchObject({ format: 'samkost-heads/1' });
    const simulate = await app.inject({ method: 'GET', url: '/v1/simulate?service=egil&year=2024&add=2&population=15000' });
    expect(simulate.json()).toEqual(await f.json('simulate', '--service', 'egil', '--year', '2024', '--add', '2', '--population', '15000'));
    const organisation = await app.inject({ method: 'GET', url: '/v1/simulate?service=egil&year=2024&add=1&organisation' });
    expect(organisation.statusCode).toBe(200);
  });

  test('given an invoice number, then the invoice as stored and its trace', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const inv = await app.inject({ method: 'GET', url: '/v1/invoices/T2024-0001' });
    expect(inv.statusCode).toBe(200);
    expect(inv.json()).toEqual(await f.json('invoice', 'show', 'T2024-0001'));
    const trace = await app.inject({ method: 'GET', url: '/v1/trace/T2024-0001?line=1' });
    expect(trace.statusCode).toBe(200);
    expect(trace.json()).toEqual(await f.json('trace', 'T2024-0001', '--line', '1'));
  });

  test('given a read of something named well that is not there, then 404 with one line naming it; named badly, 400', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const answer = async (url: string) => {
      const r = await app.inject({ method: 'GET', url });
      return [r.statusCode, r.json()];
    };
    // Not there: an invoice number no document has, an orgnr or kommunkod of no member, a service never established, a line the invoice lacks.
    expect(await answer('/v1/invoices/T2024-9999')).toEqual([404, { error: 'okänd faktura T2024-9999' }]);
    expect(await answer('/v1/invoices/M2031-0001')).toEqual([404, { error: 'okänd faktura M2031-0001' }]);
    expect(await answer('/v1/trace/T2024-9999')).toEqual([404, { error: 'okänd faktura T2024-9999' }]);
    expect(await answer('/v1/trace/T2024-0001?line=99')).toEqual([404, { error: 'T2024-0001 har ingen rad 99' }]);
    expect(await answer('/v1/receivables?member=556000-0001')).toEqual([404, { error: 'okänd medlem: 556000-0001 har aldrig gått med' }]);
    expect(await answer('/v1/reminder?member=9999&at=2024-03-01')).toEqual([404, { error: 'okänd medlem: ingen kommun med kommunkod 9999 har gått med' }]);
    expect(await answer('/v1/trace?member=5560000001&year=2024')).toEqual([404, { error: 'okänd medlem: 556000-0001 har aldrig gått med' }]);
    expect(await answer('/v1/split?service=bibblix&year=2024')).toEqual([404, { error: 'okänd tjänst "bibblix" (kända: egil)' }]);
    expect(await answer('/v1/enrolments?service=bibblix')).toEqual([404, { error: 'okänd tjänst "bibblix" (kända: egil)' }]);
    expect(await answer('/v1/simulate?service=bibblix&year=2024&add=1&population=5000')).toEqual([404, { error: 'okänd tjänst "bibblix" (kända: egil)' }]);
    // A year's fee schedule, budget or actual cost that was never decided or recorded is not there either; a list of a year with nothing in it is.
    expect(await answer('/v1/fees?year=2025')).toEqual([404, { error: 'ingen avgiftsplan är antagen för 2025; anta en med `samkost schedule adopt`' }]);
    expect(await answer('/v1/split?service=egil&year=2025')).toEqual([404, { error: 'tjänsten egil har ingen beslutad budget för 2025; besluta en med `samkost budget decide`' }]);
    expect(await answer('/v1/split?service=egil&year=2024&basis=actual')).toEqual([404, { error: 'tjänsten egil har inget registrerat utfall för 2024; registrera det med `samkost cost record`' }]);
    const none = { total: '0.00', credited: '0.00', paid: '0.00', refunded: '0.00', open: '0.00', creditNotesTotal: '0.00' };
    expect(await answer('/v1/invoices?year=2031')).toEqual([200, { year: 2031, invoices: [], creditNotes: [], totals: none }]);
    // Named badly: no invoice number, no orgnr (its check digit is wrong), no service id, no year.
    const notNumber = '"T2024-1" är inget fakturanummer: ett sådant ser ut som T2024-0012 (kreditfakturor TK2024-0001)';
    expect(await answer('/v1/invoices/T2024-1')).toEqual([400, { error: notNumber }]);
    expect(await answer('/v1/trace/T2024-1')).toEqual([400, { error: notNumber }]);
    expect(await answer('/v1/receivables?member=212000-0143')).toEqual([400, { error: expect.stringMatching(/^okänd medlem "212000-0143": ogiltigt organisationsnummer/) }]);
    expect(await answer('/v1/split?service=EGIL&year=2024')).toEqual([400, { error: 'okänd tjänst "EGIL" (kända: egil)' }]);
    expect(await answer('/v1/invoices?year=24')).toEqual([400, { error: 'parametern year ska vara ett årtal mellan 1990 och 2100, inte "24"' }]);
  });

  test('given a command naming something that is not there, then it is refused as any command is: 400, nothing stored', async () => {
    const { f, app } = await served();
    const before = eventCount(f.store);
    const pay = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'payment.record', invoice: 'T2024-9999', amount: '1.00', date: '2024-02-01', reference: 'x' } });
    expect([pay.statusCode, pay.json()]).toEqual([400, { error: 'okänd faktura T2024-9999' }]);
    const leave = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'member.leave', member: '556000-0001', date: '2024-12-31', reason: 'x' } });
    expect([leave.statusCode, leave.json()]).toEqual([400, { error: 'okänd medlem: 556000-0001 har aldrig gått med' }]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given an invoice run with only its period and date, then it is issued with the configured seller, terms and VAT rate, as the CLI issues it', async () => {
    const { f, app } = await served();
    const run = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'invoice.run', period: '2024-Q1', issueDate: '2024-01-15' } });
    expect(run.statusCode).toBe(201);
    const byCli = await billingFixture();
    await byCli.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    // The same document, origin (the command and its parameters) included.
    expect(await f.json('invoice', 'show', 'T2024-0001')).toEqual(await byCli.json('invoice', 'show', 'T2024-0001'));
  });

  test('given X-Samkost-Actor in UTF-8 (as Node reads a header, byte by byte), then the name is recorded as sent; with a tab, it is refused', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const pay = (reference: string) => ({ type: 'payment.record', invoice: 'T2024-0001', amount: '100.00', date: '2024-02-01', reference });
    const asOnTheWire = (name: string) => Buffer.from(name, 'utf8').toString('latin1');
    const named = await app.inject({ method: 'POST', url: '/v1/commands', payload: pay('A1'), headers: { 'x-samkost-actor': asOnTheWire('Kalle Åberg') } });
    expect(named.statusCode).toBe(201);
    const events = await f.json<{ metadata: { actor: string } }[]>('events', '--stream', 'billing-2024');
    expect(events.at(-1)!.metadata.actor).toBe('Kalle Åberg');
    const before = eventCount(f.store);
    const tab = await app.inject({ method: 'POST', url: '/v1/commands', payload: pay('A2'), headers: { 'x-samkost-actor': 'ekonomi\tbank' } });
    expect([tab.statusCode, tab.json()]).toEqual([400, { error: 'X-Samkost-Actor innehåller ett styrtecken (en tabb, en radbrytning); skriv namnet på en rad' }]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given fields only samkost sets (an older rules version, fromBank on a typed payment), then the command is refused and nothing stored', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const before = eventCount(f.store);
    const old = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'invoice.credit', invoice: 'T2024-0001', reason: 'Fel', issueDate: '2024-01-10', rules: 2 } });
    expect([old.statusCode, old.json()]).toEqual([400, { error: `invoice.credit: rules anges inte med ett nytt kommando; det beslutas efter gällande regler (version ${RULES_VERSION}), och äldre versioner finns bara för att lagrade dokument ska återskapas` }]);
    const bank = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'payment.record', invoice: 'T2024-0001', amount: '999999999999.00', date: '2024-02-20', reference: 'x', overpayment: true, fromBank: true } });
    expect([bank.statusCode, bank.json()]).toEqual([400, { error: 'payment.record: fromBank sätts bara av payment import för en rad ur bankens fil; skicka bankens rader som payment.import, eller inbetalningen utan fromBank' }]);
    const file = join(f.dir, 'old-rules.ndjson');
    writeFileSync(file, `${JSON.stringify({ type: 'invoice.run', period: '2024-Q2', issueDate: '2024-01-01', rules: 1 })}\n`);
    expect(await f.run('apply', file)).toMatchObject({ code: 2, err: `samkost: ${file} rad 1: invoice.run: rules anges inte med ett nytt kommando; det beslutas efter gällande regler (version ${RULES_VERSION}), och äldre versioner finns bara för att lagrade dokument ska återskapas; inget i filen har utförts\n` });
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a command with an Idempotency-Key, then it is recorded once: 201, then 200 for the retry, one event', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const before = eventCount(f.store);
    const pay = { type: 'payment.record', invoice: 'T2024-0001', amount: '100.00', date: '2024-02-01', reference: 'BG 1' };
    const headers = { 'idempotency-key': 'bank-2024-02-01-1', 'x-samkost-actor': 'ekonomi' };
    const first = await app.inject({ method: 'POST', url: '/v1/commands', payload: pay, headers });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ commandId: 'bank-2024-02-01-1', duplicate: false, events: [{ type: 'PaymentRecorded' }] });
    const retry = await app.inject({ method: 'POST', url: '/v1/commands', payload: pay, headers });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ duplicate: true });
    expect(eventCount(f.store)).toBe(before + 1);
    const events = await f.json<{ metadata: { actor: string } }[]>('events', '--stream', 'billing-2024');
    expect(events.at(-1)!.metadata.actor).toBe('ekonomi');
    // The same payment under another key is still the same payment: nothing more is stored.
    const again = await app.inject({ method: 'POST', url: '/v1/commands', payload: pay, headers: { 'idempotency-key': 'bank-2024-02-01-1-retry' } });
    // Said in words, as the CLI says it: `duplicate: false` and no events alone did not tell a tool why.
    // And named by its id, which a tool needs to reverse it.
    const recorded = (events.at(-1) as unknown as { streamId: string; revision: number });
    expect([again.statusCode, again.json()]).toEqual([200, { commandId: 'bank-2024-02-01-1-retry', duplicate: false, events: [], note: `payment.record: redan registrerat; inget nytt sparat (inbetalningen ${recorded.streamId}@${recorded.revision})` }]);
    expect(eventCount(f.store)).toBe(before + 1);
    // Another payment under a key already used is refused, never answered "already recorded" and lost.
    const other = await app.inject({ method: 'POST', url: '/v1/commands', payload: { ...pay, amount: '700.00', reference: 'BG 2' }, headers });
    expect(other.statusCode).toBe(400);
    expect(other.json()).toEqual({ error: 'kommando-id bank-2024-02-01-1 användes redan för ett annat kommando (PaymentRecorded i billing-2024@' + String(events.length - 1) + '); ge detta kommando ett eget id' });
    expect(eventCount(f.store)).toBe(before + 1);
    // A key with a tab in it, a commandId that is no text, a text with a line separator: each refused by name, nothing stored.
    const next = { ...pay, reference: 'BG 3' };
    const tab = await app.inject({ method: 'POST', url: '/v1/commands', payload: next, headers: { 'idempotency-key': 'k\t1' } });
    expect([tab.statusCode, tab.json()]).toEqual([400, { error: 'payment.record: kommando-id:t innehåller en radbrytning eller ett annat styrtecken; skriv det på en rad' }]);
    const numeric = await app.inject({ method: 'POST', url: '/v1/commands', payload: { ...next, commandId: 5 } });
    expect([numeric.statusCode, numeric.json()]).toEqual([400, { error: 'commandId ska vara en text, inte talet 5' }]);
    const separator = await app.inject({ method: 'POST', url: '/v1/commands', payload: { ...next, reference: 'BG\u20283' } });
    expect([separator.statusCode, separator.json()]).toEqual([400, { error: 'payment.record: reference innehåller en radbrytning eller ett annat styrtecken; skriv texten på en rad' }]);
    expect(eventCount(f.store)).toBe(before + 1);
  });

  test('given a payment posted, when its reversal is posted with an Idempotency-Key, then it is recorded once (201, then 200), the invoice shows it reversed and open again; a refusal is 400 and stores nothing', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const post = (payload: object, key?: string) => app.inject({ method: 'POST', url: '/v1/commands', payload, headers: key ? { 'idempotency-key': key } : {} });
    const paid = await post({ type: 'payment.record', invoice: 'T2024-0001', amount: '100.00', date: '2024-02-01', reference: 'BG 1' }, 'bank-1');
    const { streamId, revision } = (paid.json() as { events: { streamId: string; revision: number }[] }).events[0];
    const reverse = { type: 'payment.reverse', payment: `${streamId}@${revision}`, date: '2024-02-05', reason: 'Fel faktura' };
    const first = await post(reverse, 'rättelse-1');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ commandId: 'rättelse-1', duplicate: false, events: [{ type: 'PaymentReversed', streamId: 'billing-2024' }] });
    const stored = eventCount(f.store);
    const retry = await post(reverse, 'rättelse-1');
    expect([retry.statusCode, retry.json()]).toEqual([200, expect.objectContaining({ duplicate: true })]);
    expect(eventCount(f.store)).toBe(stored);
    const shown = (await app.inject({ method: 'GET', url: '/v1/invoices/T2024-0001' })).json() as { total: string; open: string; payments: { id: string; reversed?: { date: string; reason: string } }[] };
    expect(shown).toMatchObject({ open: shown.total, payments: [{ id: `${streamId}@${revision}`, reversed: { date: '2024-02-05', reason: 'Fel faktura' } }] });
    const again = await post({ ...reverse, date: '2024-02-06' }, 'rättelse-2');
    expect([again.statusCode, again.json()]).toEqual([400, { error: `payment.reverse ${streamId}@${revision}: inbetalningen (100,00 kr på T2024-0001, betald 2024-02-01) är redan återförd 2024-02-05: Fel faktura` }]);
    const unknown = await post({ ...reverse, payment: 'billing-2024@99' }, 'rättelse-3');
    expect(unknown.statusCode).toBe(400);
    expect(eventCount(f.store)).toBe(stored);
  });

  test('given a run that takes the configured seller, then the warnings the CLI would give come back with it; a body that is not JSON is 415', async () => {
    const { f, app } = await served();
    const run = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'invoice.run', period: '2024-Q1', issueDate: '2024-01-15' } });
    expect(run.statusCode).toBe(201);
    expect(run.json<{ warnings: string[] }>().warnings).toEqual([
      expect.stringMatching(/^säljaren är platshållaren 802999-0002/),
      expect.stringMatching(/^säljaren har inget bankgiro/),
    ]);
    const before = eventCount(f.store);
    const text = await app.inject({ method: 'POST', url: '/v1/commands', payload: JSON.stringify({ type: 'payment.record', invoice: 'T2024-0001', amount: '1.00', date: '2024-02-01', reference: 'x' }), headers: { 'content-type': 'text/plain' } });
    expect([text.statusCode, text.json()]).toEqual([415, { error: 'innehållstypen stöds inte; skicka JSON med content-type application/json' }]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('refused with 400 and one line, nothing stored: bad input, a body that is not a command, options a client may not set, invalid JSON', async () => {
    const { f, app } = await served();
    const before = eventCount(f.store);
    const bad = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'payment.record', invoice: 'T2024-0001', amount: 'abc', date: '2024-02-01', reference: 'r' } });
    expect([bad.statusCode, bad.json()]).toEqual([400, { error: 'payment.record: amount: ska vara ett belopp som "1234.50"' }]);
    const array = await app.inject({ method: 'POST', url: '/v1/commands', payload: [1] });
    expect([array.statusCode, array.json()]).toEqual([400, { error: 'innehållet ska vara ett kommando som ett JSON-objekt, t.ex. {"type":"payment.record",…}' }]);
    const notJson = await app.inject({ method: 'POST', url: '/v1/commands', payload: '{bad', headers: { 'content-type': 'application/json' } });
    expect([notJson.statusCode, notJson.json()]).toEqual([400, { error: 'innehållet är inte giltig JSON' }]);
    // A field given twice: JSON.parse keeps the last value (9 999,00 kr where 1,00 may have been meant).
    const twice = await app.inject({ method: 'POST', url: '/v1/commands', payload: '{"type":"payment.record","invoice":"T2024-0001","amount":"1.00","amount":"9999.00","date":"2024-02-01","reference":"r"}', headers: { 'content-type': 'application/json' } });
    expect([twice.statusCode, twice.json()]).toEqual([400, { error: 'fältet "amount" står två gånger i samma objekt; ange det en gång, eftersom det inte går att veta vilket värde som menas' }]);
    for (const url of ['/v1/members?store=/etc/passwd', '/v1/ledger?year=2024&chart=/etc/passwd', '/v1/members?json', '/v1/trace?member=0180&year=2024&out=/tmp/x', '/v1/trace?member=0180&year=2024&format=html']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatch(/^parametern (store|chart|json|out|format) tas inte emot här$/);
    }
    // A parameter given twice is refused by name, as the CLI refuses an option given twice (the second
    // --remove used to be applied beside the first); one written with capitals is a typo.
    for (const [url, error] of [
      ['/v1/simulate?service=egil&year=2024&remove=1280&remove=0180', 'parametern remove anges 2 gånger; ange den en gång, flera värden med komma emellan (remove=a,b)'],
      ['/v1/fees?year=2023&year=2024', 'parametern year anges 2 gånger; ange den en gång, flera värden med komma emellan (year=a,b)'],
      ['/v1/fees?Year=2024', 'okänd parameter Year; menade du year?'],
    ]) {
      const r = await app.inject({ method: 'GET', url });
      expect([r.statusCode, r.json()]).toEqual([400, { error }]);
    }
    // Nothing a client sends is read as an option of its own: not a value, not a document number.
    for (const url of ['/v1/simulate?service=egil&year=2024&add=1&organisation=--store=/tmp/samkost-elsewhere.db', '/v1/trace/--store=%2Ftmp%2Fsamkost-elsewhere.db', '/v1/invoices/--store=%2Ftmp%2Fsamkost-elsewhere.db']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(400);
    }
    expect(existsSync('/tmp/samkost-elsewhere.db')).toBe(false);
    const missing = await app.inject({ method: 'GET', url: '/v1/split?service=egil' });
    expect([missing.statusCode, missing.json()]).toEqual([400, { error: 'parametern year måste anges' }]);
    // Options are query parameters here, and refusals name them so.
    const typo = await app.inject({ method: 'GET', url: '/v1/split?service=egil&year=2024&basys=actual' });
    expect([typo.statusCode, typo.json()]).toEqual([400, { error: 'okänd parameter basys; menade du basis?' }]);
    // A flag given a value is told it takes none, not asked whether it was meant.
    const valued = await app.inject({ method: 'GET', url: '/v1/receivables?overdue=1' });
    expect([valued.statusCode, valued.json()]).toEqual([400, { error: 'parametern overdue tar inget värde; skriv bara ?overdue' }]);
    const notYear = await app.inject({ method: 'GET', url: '/v1/split?service=egil&year=abc' });
    expect([notYear.statusCode, notYear.json()]).toEqual([400, { error: 'parametern year ska vara ett årtal mellan 1990 och 2100, inte "abc"' }]);
    // A document's read takes no parameter but trace's line: any other is refused by name, never ignored.
    const extra = await app.inject({ method: 'GET', url: '/v1/invoices/T2024-0001?foo=1' });
    expect([extra.statusCode, extra.json()]).toEqual([400, { error: 'okänd parameter foo; /v1/invoices/NUMMER tar inga parametrar' }]);
    const notLine = await app.inject({ method: 'GET', url: '/v1/trace/T2024-0001?lin=1' });
    expect([notLine.statusCode, notLine.json()]).toEqual([400, { error: 'okänd parameter lin; menade du line?' }]);
    const notLineAtAll = await app.inject({ method: 'GET', url: '/v1/trace/T2024-0001?format=html' });
    expect([notLineAtAll.statusCode, notLineAtAll.json()]).toEqual([400, { error: 'okänd parameter format; /v1/trace/NUMMER tar bara line' }]);
    // Options the CLI names in passing are named as parameters; a reminder here is one member's (the CLI's for all is written to a directory).
    const noAdd = await app.inject({ method: 'GET', url: '/v1/simulate?service=egil&year=2024&population=5000' });
    expect([noAdd.statusCode, noAdd.json()]).toEqual([400, { error: 'population, tier och organisation beskriver de tänkta medlemmarna: ange med add=N (eller sweep=0..N) hur många som tillkommer' }]);
    const noYear = await app.inject({ method: 'GET', url: '/v1/trace?member=0180' });
    expect([noYear.statusCode, noYear.json()]).toEqual([400, { error: 'trace: ange ett fakturanummer eller member=M year=Y' }]);
    const noMember = await app.inject({ method: 'GET', url: '/v1/reminder?at=2024-03-01' });
    expect([noMember.statusCode, noMember.json()]).toEqual([400, { error: 'parametern member måste anges' }]);
    const unknown = await app.inject({ method: 'GET', url: '/v1/export' });
    expect([unknown.statusCode, unknown.json()]).toEqual([404, { error: 'okänd läsning export; det finns members, fees, services, enrolments, split, simulate, invoices, receivables, ledger, selfcost, costs, trace, heads, reminder, schedules, levies, population' }]);
    expect(eventCount(f.store)).toBe(before);
  });

  // Every read checks its parameters' names before anything else, so a typo is named even when what it meant to give is then missing.
  test.each([
    ['/v1/members', 'okänd parameter yeer; /v1/members tar bara at'],
    ['/v1/fees', 'okänd parameter yeer; menade du year?'],
    ['/v1/services', 'okänd parameter yeer; /v1/services tar inga parametrar'],
    ['/v1/enrolments', 'okänd parameter yeer; /v1/enrolments tar service och at'],
    ['/v1/split', 'okänd parameter yeer; menade du year?'],
    ['/v1/simulate', 'okänd parameter yeer; menade du year?'],
    ['/v1/invoices', 'okänd parameter yeer; menade du year?'],
    ['/v1/receivables', 'okänd parameter yeer; /v1/receivables tar member, at och overdue'],
    ['/v1/ledger', 'okänd parameter yeer; menade du year?'],
    ['/v1/selfcost', 'okänd parameter yeer; menade du year?'],
    ['/v1/costs', 'okänd parameter yeer; menade du year?'],
    ['/v1/trace', 'okänd parameter yeer; menade du year?'],
    ['/v1/heads', 'okänd parameter yeer; /v1/heads tar inga parametrar'],
    ['/v1/reminder', 'okänd parameter yeer; /v1/reminder tar member och at'],
    ['/v1/invoices/T2024-0001', 'okänd parameter yeer; /v1/invoices/NUMMER tar inga parametrar'],
    ['/v1/trace/T2024-0001', 'okänd parameter yeer; /v1/trace/NUMMER tar bara line'],
  ])('given GET %s?yeer=2023, then 400 naming the unknown parameter first: %s', async (path, error) => {
    const { f, app } = await served();
    const before = eventCount(f.store);
    const r = await app.inject({ method: 'GET', url: `${path}?yeer=2023` });
    expect([r.statusCode, r.json()]).toEqual([400, { error }]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a command body that is not UTF-8 (Latin-1, cut off, UTF-16), then 400 saying so and nothing stored; UTF-8 with å and € is taken as sent', async () => {
    const { f, app } = await served();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const before = eventCount(f.store);
    const payment = (reference: string) => `{"type":"payment.record","invoice":"T2024-0001","amount":"100.00","date":"2024-02-01","reference":"${reference}"}`;
    const headers = { 'content-type': 'application/json' };

    // Latin-1 bytes 0xFF 0xFE, as the tester's curl sent them: never decoded as U+FFFD and stored.
    const latin1 = await app.inject({ method: 'POST', url: '/v1/commands', headers, payload: Buffer.from(payment('\u00ff\u00fe'), 'latin1') });
    expect([latin1.statusCode, latin1.json()]).toEqual([400, { error: 'innehållet är inte UTF-8-text (skicka JSON som UTF-8)' }]);
    expect(eventCount(f.store)).toBe(before);
    // A sequence cut off at the end of the body is not UTF-8 either.
    const cut = await app.inject({ method: 'POST', url: '/v1/commands', headers, payload: Buffer.concat([Buffer.from(payment('BG 17')), Buffer.from([0xc3])]) });
    expect([cut.statusCode, cut.json()]).toEqual([400, { error: 'innehållet är inte UTF-8-text (skicka JSON som UTF-8)' }]);
    expect(eventCount(f.store)).toBe(before);
    // UTF-16, with its byte-order mark or without (ASCII text then decodes as UTF-8, a NUL beside each character).
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(payment('BG 18'), 'utf16le')]), Buffer.from(payment('BG 18'), 'utf16le')]) {
      const utf16 = await app.inject({ method: 'POST', url: '/v1/commands', headers, payload: bytes });
      expect([utf16.statusCode, utf16.json()]).toEqual([400, { error: 'innehållet är UTF-16-text, inte UTF-8 (skicka JSON som UTF-8)' }]);
    }
    expect(eventCount(f.store)).toBe(before);

    const utf8 = await app.inject({ method: 'POST', url: '/v1/commands', headers, payload: Buffer.from(payment('Bankgiro å € 17'), 'utf8') });
    expect(utf8.statusCode).toBe(201);
    expect(eventCount(f.store)).toBe(before + 1);
    expect(JSON.stringify(await f.json('events', '--stream', 'billing-2024'))).toContain('Bankgiro å € 17');
  });

  // An apply file's line may name a data file; over HTTP the server never reads one, and says what to send instead.
  test.each([
    [{ type: 'population.import', file: '/etc/passwd' }, 'filreferenser tas inte emot över HTTP; skicka tabellen i kroppen (fälten tables och source)'],
    [{ type: 'schedule.adopt', file: '/etc/passwd', year: 2025, decisionRef: 'Årsmöte', decidedOn: '2024-11-20' }, 'filreferenser tas inte emot över HTTP; skicka avgiftsplanen i kroppen (fälten tiers, firstYear och reentryPercent)'],
    [{ type: 'budget.decide', file: 'budget.json' }, 'filreferenser tas inte emot över HTTP; skicka filens innehåll som fält i kommandot'],
    [{ type: 'ledger.opening.correct', file: 'ib.csv', year: 2024, reference: 'r', reason: 'x' }, 'filreferenser tas inte emot över HTTP; skicka raderna i kroppen (fältet balances: [{"account":"1930","amount":"125000.00"}, …])'],
  ])('given a command %j with a file reference, then 400 naming what to send instead, and nothing stored', async (command, error) => {
    const { f, app } = await served();
    const before = eventCount(f.store);
    const r = await app.inject({ method: 'POST', url: '/v1/commands', payload: command });
    expect([r.statusCode, r.json()]).toEqual([400, { error }]);
    expect(eventCount(f.store)).toBe(before);
  });

  test("fastify's own refusals in Swedish, as {\"error\": one line}: no such address, a body it cannot take, a URL it cannot decode", async () => {
    const { f, app } = await served();
    const before = eventCount(f.store);
    const json = { 'content-type': 'application/json' };
    const cases: [InjectOptions, number, string][] = [
      [{ method: 'GET', url: '/v2/members?at=2024-01-01' }, 404, 'okänd adress GET /v2/members; här finns GET /v1/<läsning> och POST /v1/commands'],
      [{ method: 'DELETE', url: '/v1/members' }, 404, 'okänd adress DELETE /v1/members; här finns GET /v1/<läsning> och POST /v1/commands'],
      [{ method: 'POST', url: '/v1/commands', payload: '', headers: json }, 400, 'innehållet är tomt fast content-type är application/json'],
      [{ method: 'POST', url: '/v1/commands', payload: '<x/>', headers: { 'content-type': 'application/xml' } }, 415, 'innehållstypen stöds inte; skicka JSON med content-type application/json'],
      [{ method: 'POST', url: '/v1/commands', payload: `{"type":"${'x'.repeat(1024 * 1024)}"}`, headers: json }, 413, 'innehållet är för stort: högst 1048576 byte'],
      [{ method: 'GET', url: '/v1/invoices/%E0%A4%A' }, 400, 'adressen /v1/invoices/%E0%A4%A är felaktigt kodad'],
      [{ method: 'GET', url: `/v1/invoices/${'T'.repeat(101)}` }, 414, `adressen /v1/invoices/${'T'.repeat(101)} har en för lång del`],
    ];
    for (const [request, status, error] of cases) {
      const r = await app.inject(request);
      expect([r.statusCode, r.json()]).toEqual([status, { error }]);
    }
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a store the server cannot open, then a read and a command are 500, each naming the store, and nothing is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samkost-http-'));
    const store = join(dir, 'saknas.db');
    const app = buildServer({ store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-03-01T10:00:00Z') }, run: main });
    const read = await app.inject({ method: 'GET', url: '/v1/members' });
    expect([read.statusCode, read.json()]).toEqual([500, { error: `lagret ${store} finns inte; ange det med --store eller SAMKOST_STORE (det skapas av det första kommando som lagrar något)` }]);
    expect(existsSync(store)).toBe(false);
    mkdirSync(store);
    const command = await app.inject({ method: 'POST', url: '/v1/commands', payload: { type: 'payment.record', invoice: 'T2024-0001', amount: '5.00', date: '2024-03-01', reference: 'x' } });
    expect([command.statusCode, command.json()]).toEqual([500, { error: `lagret ${store} är en katalog, ingen lagerfil; ange en fil, t.ex. ${store}/samkost.db` }]);
  });

  test('given a fault in samkost while serving, then 500 with one line that says it is one', async () => {
    const app = buildServer({ store: '/nonexistent.db', actor: 'http-test', env: {}, run: async () => { throw new Error('boom'); } });
    const r = await app.inject({ method: 'GET', url: '/v1/members' });
    expect([r.statusCode, r.json()]).toEqual([500, { error: 'oväntat fel i samkost: boom' }]);
  });

  test('given a read the CLI gives up on, then the status says whose the problem is: 400 bad input, 503 a busy store, 500 a fault', async () => {
    const answering = (failure: unknown) => buildServer({
      store: '/x.db', actor: 'http-test', env: {},
      run: async (_argv, io) => {
        io.err('samkost: en rad\n');
        io.failed?.(failure);
        return 2;
      },
    });
    const status = async (failure: unknown) => (await answering(failure).inject({ method: 'GET', url: '/v1/members' })).statusCode;
    expect(await status(new UsageError('fel'))).toBe(400);
    expect(await status(new NotFoundError('okänd faktura T2024-9999'))).toBe(404);
    expect(await status(new StoreError('lagret är låst', true))).toBe(503);
    expect(await status(new StoreError('lagret finns inte'))).toBe(500);
    expect(await status(new Error('boom'))).toBe(500);
    expect(await status(new ConcurrencyError('billing-2024', 3, 5))).toBe(503);
    expect(await status(new EventDecodeError('billing-2024', 3, 'lagrad JSON går inte att läsa'))).toBe(500);
    expect(await status(new ConfigError('samkost.config.json: seller: ska vara ett objekt'))).toBe(500);
  });

  describe('over a socket, with a request timeout of 200 ms', () => {
    const TIMEOUT = 200;
    let app: FastifyInstance;
    let port: number;
    beforeEach(async () => {
      // A read answers after three times the timeout, to show that the timeout bounds receiving a request, not answering it.
      app = buildServer({
        store: '/nonexistent.db', actor: 'http-test', env: {}, requestTimeout: TIMEOUT,
        run: async (_argv, io) => {
          await new Promise((resolve) => setTimeout(resolve, 3 * TIMEOUT));
          io.out('{"ok": true}\n');
          return 0;
        },
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      port = (app.server.address() as AddressInfo).port;
    });
    afterEach(() => app.close());

    /** Everything the server sends on one connection, written raw, until it closes it (or, never closing, says so after 20 s). */
    const exchange = (request: string) => new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      socket.setTimeout(20_000, () => {
        socket.destroy();
        resolve(`(no answer, the connection still open)${answer}`);
      });
      socket.on('data', (d) => { answer += d.toString('utf8'); });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });

    test('given a request whose Content-Length is larger than its body, then it is answered 408 in Swedish and its connection closed', async () => {
      const answer = await exchange('POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":');
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({ error: 'begäran kom inte fram inom 0,2 s: innehållet var kortare än Content-Length eller kom för långsamt' });
    });

    test('given an X-Samkost-Actor header twice (which Node joins into one name, "ekonomi, bank"), then it is refused', async () => {
      const body = JSON.stringify({ type: 'payment.record', invoice: 'T2024-0001', amount: '1.00', date: '2024-02-01', reference: 'BG 1' });
      const answer = await exchange(`POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Samkost-Actor: ekonomi\r\nX-Samkost-Actor: bank\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({ error: 'X-Samkost-Actor anges 2 gånger; ange den en gång' });
    });

    test('given an Idempotency-Key header twice (which Node joins into one key, "k1, k2"), then it is refused, never stored under a key the client never gave', async () => {
      const body = JSON.stringify({ type: 'payment.record', invoice: 'T2024-0001', amount: '1.00', date: '2024-02-01', reference: 'BG 1' });
      const answer = await exchange(`POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k1\r\nIdempotency-Key: k2\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({ error: 'Idempotency-Key anges 2 gånger; ange den en gång' });
    });

    test('given a whole request that takes longer than the timeout to answer, then it is answered in full', async () => {
      const answer = await exchange('GET /v1/members HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({ ok: true });
    });
  });
});
