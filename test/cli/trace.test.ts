import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceLine, type LineTrace } from '../../projections/trace';
import { checkAudit } from '../../scripts/check-audit';
import { domainCodec } from '../../src/app/codec';
import { stateBeforeDocument } from '../../src/app/trace';
import { writeAuditPackage } from '../../src/export/audit-package';
import { openStore } from '../../src/store/open';
import { rawCodec } from '../../src/store/port';
import { billingFixture, settledYear } from '../support/billing-fixture';
import { cliOn } from '../support/cli';
import { compiled, runNode } from '../support/processes';

interface StoredDoc { number: string; year: number; buyer: { orgnr: string }; lines: { lineNo: number; amount: string }[] }
interface DocTrace { number: string; type: string; lines: LineTrace[] }

function storedDocuments(store: string): StoredDoc[] {
  const db = new Database(store, { readonly: true });
  const rows = db.prepare("SELECT data FROM events WHERE type IN ('InvoiceIssued', 'CreditNoteIssued') ORDER BY position").all() as { data: string }[];
  db.close();
  return rows.map((r) => JSON.parse(r.data) as StoredDoc);
}

describe('samkost trace: every line back to its events', () => {
  let f: Awaited<ReturnType<typeof settledYear>>;
  beforeAll(async () => {
    f = await settledYear();
  });

  test('for every line of every invoice and credit note of the year, the re-computation equals the stored amount', async () => {
    const docs = storedDocuments(f.store);
    const kinds = new Set<string>();
    expect(docs.some((d) => d.number.startsWith('TK'))).toBe(true);
    let lines = 0;
    for (const d of docs) {
      const t = await f.json<DocTrace>('trace', d.number);
      expect(t.lines.map((l) => l.line.lineNo)).toEqual(d.lines.map((l) => l.lineNo));
      for (const [i, l] of t.lines.entries()) {
        lines += 1;
        kinds.add(`${t.type}/${l.line.kind}`);
        expect({ line: `${d.number}:${l.line.lineNo}`, recomputed: l.recomputed, matches: l.matches, difference: l.difference, problems: l.problems })
          .toEqual({ line: `${d.number}:${l.line.lineNo}`, recomputed: d.lines[i].amount, matches: true, difference: '0.00', problems: [] });
        // Every input figure with an event carries all of it: stream, revision, position, type, time, actor, hash.
        for (const fig of l.figures.filter((x) => x.event)) expect(Object.keys(fig.event!).sort()).toEqual(['actor', 'eventId', 'hash', 'position', 'recordedAt', 'revision', 'streamId', 'type']);
      }
    }
    expect(lines).toBe(docs.reduce((a, d) => a + d.lines.length, 0));
    // Membership lines, a-conto, settlement and a credit note were all among them.
    expect([...kinds].sort()).toEqual(['CreditNoteIssued/credit', 'InvoiceIssued/a-conto', 'InvoiceIssued/annual-fee', 'InvoiceIssued/joining-contribution', 'InvoiceIssued/settlement']);
  });

  test('a split line lists every participant whose weight entered the split, and their weights sum to the denominator shown', async () => {
    // Stockholm (weight 4) for Q2: Göteborg (2) and Malmö (1, joined 2024-04-15) share every month → 7.
    const q2 = (await f.json<DocTrace>('trace', 'T2024-0005', '--line', '1')).lines[0];
    expect(q2.rule).toBe('fördelning viktad efter storleksklass, vikt 4 av 7, månad 4–6, budget 1 200 000,00 × 1,05');
    expect(q2.months!.map((m) => m.month)).toEqual([4, 5, 6]);
    for (const m of q2.months!) {
      expect(m.table).toBeUndefined();
      const participants = m.participants!;
      expect(participants.map((p) => [p.name, p.weight]).sort()).toEqual([['Göteborgs Stad', '2'], ['Malmö stad', '1'], ['Stockholms stad', '4']]);
      const sum = participants.reduce((a, p) => a + Number(p.weight), 0);
      expect(String(sum)).toBe(m.denominator);
      expect(m.storedDenominator).toBe(m.denominator);
      expect(m.weightsMatch).toBe(true);
      expect(participants.filter((p) => p.thisLine).map((p) => p.name)).toEqual(['Stockholms stad']);
      expect(participants.reduce((a, p) => a + Math.round(Number(p.share) * 100), 0)).toBe(Math.round(Number(m.monthAmount) * 100));
    }
    // Q1: Malmö had not joined, so only two weights entered: 4 + 2 = 6.
    const q1 = (await f.json<DocTrace>('trace', 'T2024-0002', '--line', '1')).lines[0];
    for (const m of q1.months!) {
      expect(m.participants!.map((p) => p.name).sort()).toEqual(['Göteborgs Stad', 'Stockholms stad']);
      expect(m.denominator).toBe('6');
      expect(m.weightSum).toBe('6');
    }
    // The decisions are found through the line's references: the council minutes and the service decision.
    expect(q2.decisions.map((d) => [d.kind, d.reference])).toEqual(expect.arrayContaining([['förvaltningsrådets budget', 'FR EGIL 2023-11-15 §4'], ['tjänst', 'EGIL: Styrelsen 2023 §5']]));
  });

  test('membership lines show tier, population with its SCB date, and fee × months/12', async () => {
    const malmo = storedDocuments(f.store).find((d) => d.number.startsWith('M') && d.buyer.orgnr === '212000-1124')!;
    const t = await f.json<DocTrace>('trace', malmo.number);
    const [fee, contribution] = t.lines;
    expect(fee.rule).toMatch(/^årsavgift efter storleksklass: klass .*× 9\/12$/);
    expect(fee.figures.find((x) => x.name === 'folkmängd')).toMatchObject({ value: '5 000', note: expect.stringContaining('SCB 2023-12-31') });
    expect(fee.decisions.find((d) => d.kind === 'avgiftsplan')).toMatchObject({ reference: 'Årsmöte 2024 §7', date: '2023-11-20' });
    expect(contribution.rule).toMatch(/^medlemsinsats efter storleksklass: klass .*× 100 %$/);
  });

  test('a credit note line shows the credited invoice line; a settlement line shows actual share − billed', async () => {
    const cn = (await f.json<DocTrace>('trace', 'TK2024-0001')).lines[0];
    expect(cn.credited).toMatchObject({ invoice: 'T2024-0001', lineNo: 1, creditedBefore: '0.00' });
    expect(cn.recomputed).toBe(cn.credited!.amount);
    const settlement = storedDocuments(f.store).filter((d) => d.number.startsWith('T2024') && (d as unknown as { kind: string }).kind === 'settlement');
    expect(settlement.length).toBeGreaterThan(0);
    for (const d of settlement) {
      const l = (await f.json<DocTrace>('trace', d.number)).lines[0];
      const s = l.settlement!;
      expect(Math.round((Number(s.actualShare) - Number(s.billed)) * 100)).toBe(Math.round(Number(l.amount) * 100));
    }
    // Göteborg's credited Q1 line counts as billed less its credit.
    const gbg = (await f.json<DocTrace>('trace', '--member', '1480', '--year', '2024')) as unknown as { documents: DocTrace[] };
    const gbgSettle = gbg.documents.flatMap((d) => d.lines).find((l) => l.line.kind === 'settlement')!;
    expect(gbgSettle.settlement!.billedLines.find((b) => b.document === 'T2024-0001')).toMatchObject({ amount: '105000.00', credited: '105000.00', creditedBy: ['TK2024-0001'], net: '0.00' });
    // The text names the credit note too, so that an auditor can find what took the line down; the page as well.
    const text = (await f.run('trace', '--member', '1480', '--year', '2024')).out;
    expect(text).toContain('T2024-0001 rad 1 (a-conto): 0,00 kr (105 000,00 kr − krediterat 105 000,00 kr genom TK2024-0001)');
    const settled = gbg.documents.find((d) => d.lines.some((l) => l.line.kind === 'settlement'))!;
    const page = (await f.run('trace', settled.number, '--format', 'html')).out;
    expect(page).toContain('<td>T2024-0001</td><td>1</td><td>a-conto</td><td class="num">105 000,00 kr</td><td class="num">105 000,00 kr (TK2024-0001)</td><td class="num">0,00 kr</td>');
  });

  test('actual cost under budget: the settlement credit notes are traced as billed − actual share', async () => {
    const u = await billingFixture();
    expect((await u.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20')).code).toBe(0);
    expect((await u.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1080000.00', '--supplier', 'L', '--reference', 'F-9', '--date', '2024-12-31')).code).toBe(0);
    expect((await u.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20')).code).toBe(0);
    const notes = storedDocuments(u.store).filter((d) => d.number.startsWith('TK'));
    expect(notes.length).toBe(3);
    for (const n of notes) {
      const l = (await u.json<DocTrace>('trace', n.number)).lines[0];
      expect(l).toMatchObject({ matches: true, problems: [], recomputed: n.lines[0].amount });
      expect(Math.round((Number(l.settlement!.billed) - Number(l.settlement!.actualShare)) * 100)).toBe(Math.round(Number(l.amount) * 100));
    }
  });

  test('stateBeforeDocument stops just before the document: the state has what came before it, not the document', async () => {
    const store = openStore(f.store, domainCodec);
    try {
      const at = (await stateBeforeDocument(store.readAll(), 'TK2024-0001'))!;
      expect(at.type).toBe('CreditNoteIssued');
      expect(at.state.documentYear.has('TK2024-0001')).toBe(false);
      expect(at.state.billing.get(2024)!.invoices.get('T2024-0001')!.creditedNet.size).toBe(0);
      expect(at.state.services.get('egil')!.actualCosts.get(2024)).toBeUndefined();
      expect(traceLine(at.state, at.doc, 1, at.ref)).toMatchObject({ matches: true, recomputed: '105000.00', problems: [] });
      expect(await stateBeforeDocument(store.readAll(), 'T2024-9999')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  test('--member and --year trace every line billed to the member that year', async () => {
    const r = await f.json<{ member: string; year: number; documents: DocTrace[]; lines: number; matching: number }>('trace', '--member', '212000-0142', '--year', '2024');
    const stored = storedDocuments(f.store).filter((d) => d.buyer.orgnr === '212000-0142' && d.year === 2024);
    expect(r.documents.map((d) => d.number)).toEqual(stored.map((d) => d.number));
    expect(r.lines).toBe(stored.reduce((a, d) => a + d.lines.length, 0));
    expect(r.matching).toBe(r.lines);
    const text = await f.run('trace', '--member', '0180', '--year', '2024');
    expect(text.code).toBe(0);
    expect(text.out).toContain('══ T2024-0005 rad 1 ══ Stockholms stad');
    expect(text.out).toContain('varje omräknat belopp stämmer');
    // A year the member was billed nothing is said to be one, by the member's name.
    expect(await f.run('trace', '--member', '0180', '--year', '2023')).toMatchObject({ code: 0, out: 'Stockholms stad fakturerades ingenting 2023: det finns inga rader att spåra\n' });
    // The member in any spelling resolveMember reads finds the same lines.
    for (const spelling of ['2120000142', '16212000-0142', ' 212000-0142 ']) {
      expect((await f.json<{ lines: number }>('trace', '--member', spelling, '--year', '2024')).lines).toBe(r.lines);
    }
    // A member who never joined is refused, not traced as having been billed nothing.
    expect(await f.run('trace', '--member', '9999', '--year', '2024')).toMatchObject({ code: 2, out: '', err: 'samkost: okänd medlem: ingen kommun med kommunkod 9999 har gått med\n' });
  });

  test('given a service settled twice, when a member\'s year is traced at once, then each document\'s trace is the one traced alone (a second settlement counts the first as billed)', async () => {
    const g = await settledYear();
    const ok = async (...args: string[]) => expect((await g.run(...args)).code).toBe(0);
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '60000.00', '--supplier', 'Leverantör AB', '--reference', 'F-2', '--date', '2025-01-31');
    await ok('settle', '--service', 'egil', '--year', '2024', '--date', '2025-02-10');
    const stored = storedDocuments(g.store).filter((d) => d.year === 2024);
    for (const member of ['212000-0142', '212000-1355']) {
      const all = await g.json<{ documents: DocTrace[]; lines: number; matching: number }>('trace', '--member', member, '--year', '2024');
      const own = stored.filter((d) => d.buyer.orgnr === member);
      // Two settlements: at least two documents of the member settle EGIL.
      expect(own.filter((d) => d.number.startsWith('T') && all.documents.find((t) => t.number === d.number)?.lines.some((l) => l.line.kind === 'settlement')).length).toBeGreaterThanOrEqual(2);
      expect(all.matching).toBe(all.lines);
      for (const d of all.documents) expect(d).toEqual(await g.json<DocTrace>('trace', d.number));
    }
  });

  test('text for people names each input event with stream, revision, position, time, actor and hash', async () => {
    const r = await f.run('trace', 'T2024-0005', '--line', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Omräknat:    180 000,00 kr  ✓ stämmer');
    expect(r.out).toMatch(/förvaltningsrådets budget +1 200 000,00 kr {2}— FR EGIL 2023-11-15 §4/);
    expect(r.out).toMatch(/CouncilBudgetDecided service-egil@1 \(position \d+, 2025-03-01T09:00:00\.000Z, test\)\n +sha256 [0-9a-f]{64}/);
  });

  test('given an event a line refers to edited behind the store (its chain not written anew), then the trace names it and exits 1, though the amount still matches', async () => {
    const g = await settledYear();
    const db = new Database(g.store);
    db.prepare("UPDATE events SET data = replace(data, '\"name\":\"EGIL\"', '\"name\":\"EGIL (ändrad)\"') WHERE type = 'ServiceEstablished'").run();
    db.close();
    const r = await g.run('trace', 'T2024-0005', '--line', '1');
    expect(r.code).toBe(1);
    expect(r.out).toContain('✓ stämmer');
    expect(r.out).toContain('✗ den refererade händelsen ServiceEstablished service-egil@0 har ändrats efter att den skrevs: dess innehåll stämmer inte med dess hash (kör samkost verify)');
    expect(r.out).toContain('1 rad i 1 dokument: varje omräknat belopp stämmer; 1 rad hänvisar till händelser som har ändrats efter att de skrevs');
    const json = await g.run('--json', 'trace', 'T2024-0005', '--line', '1');
    expect((JSON.parse(json.out) as { lines: LineTrace[] }).lines[0].problems).toContain('den refererade händelsen ServiceEstablished service-egil@0 har ändrats efter att den skrevs: dess innehåll stämmer inte med dess hash (kör samkost verify)');
  });

  test('html: one self-contained page with the amounts in sv-SE', async () => {
    const out = join(f.dir, 'trace.html');
    const r = await f.run('trace', 'T2024-0005', '--format', 'html', '--out', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('180 000,00 kr');
    expect(html).toContain('1 260 000,00 kr');
    const stdout = await f.run('trace', 'M2024-0001', '--format', 'html');
    expect(stdout.out).toContain('50 000,00 kr');
  });

  test.each([
    [['trace', 'T2024-9999'], 'okänd faktura T2024-9999'],
    [['trace', 'T2024-0005', '--line', '9'], 'T2024-0005 har ingen rad 9'],
    [['trace', 'T2024-5'], '"T2024-5" är inget fakturanummer: ett sådant ser ut som T2024-0012'],
    [['trace'], 'ange ett fakturanummer eller --member M --year Y'],
    [['trace', 'T2024-0005', '--format', 'pdf'], '--format ska vara text, json eller html'],
    [['trace', 'T2024-0005', '--out', '/nonexistent-dir/trace.txt'], 'kan inte skriva /nonexistent-dir/trace.txt: filen eller katalogen finns inte'],
    [['export', 'audit', '--year', '2024', '--out', '/dev/null/audit'], 'kan inte skriva /dev/null/audit: en del av sökvägen är ingen katalog'],
    [['export', 'audit', '--year', '2024', '--out', '/nonexistent-dir/audit-2024'], 'kan inte skriva /nonexistent-dir/audit-2024: katalogen /nonexistent-dir som den ska ligga i finns inte; bara den sista katalogen i sökvägen skapas'],
  ])('refused: samkost %j', async (args, message) => {
    const r = await f.run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

describe('samkost export audit', () => {
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  const ndjson = <T>(path: string): T[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
  interface TableFile { id: string; participants: { key: string; member: string }[] }

  test('writes the year package; the manifest hashes match; check-audit passes, and fails after one altered byte', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'audit-2024');
    const r = await f.run('export', 'audit', '--year', '2024', '--out', dir);
    expect(r).toMatchObject({ code: 0, err: '' });
    const names = ['documents.ndjson', 'events.ndjson', 'splits.ndjson', 'traces.ndjson', 'vouchers.ndjson'];
    for (const name of [...names, 'manifest.json']) expect(existsSync(join(dir, name))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { format: string; files: Record<string, { sha256: string }>; documents: number; lines: number; linesRecomputed: number; splitTables: number; events: { count: number } };
    expect(manifest.format).toBe('samkost-audit/3');
    expect(Object.keys(manifest.files)).toEqual(names);
    for (const [name, file] of Object.entries(manifest.files)) expect(sha(join(dir, name))).toBe(file.sha256);
    expect(r.out).toContain(`manifest.json sha256 ${sha(join(dir, 'manifest.json'))}`);
    const docs = storedDocuments(f.store);
    expect(manifest.documents).toBe(docs.length);
    expect(manifest.linesRecomputed).toBe(manifest.lines);

    // events.ndjson: canonical JSON, one event a line, the year's streams and every stream a line refers to from revision 0.
    const events = ndjson<{ streamId: string; revision: number; metadata: { hash: string } }>(join(dir, 'events.ndjson'));
    expect(events).toHaveLength(manifest.events.count);
    expect(new Set(events.map((e) => e.streamId))).toEqual(new Set(['billing-2024', 'schedule-2024', 'population', 'service-egil', 'member-212000-0142', 'member-212000-1355', 'member-212000-1124', 'member-232100-0016']));
    const documents = ndjson<{ type: string; document: { number: string } }>(join(dir, 'documents.ndjson'));
    expect(documents.map((d) => d.document.number)).toEqual(docs.map((d) => d.number));
    const tables = ndjson<TableFile>(join(dir, 'splits.ndjson'));
    expect(tables).toHaveLength(manifest.splitTables);
    expect(new Set(tables.map((t) => t.id)).size).toBe(tables.length);

    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [], files: 5, events: events.length, splitTables: tables.length });
    const script = compiled('scripts/check-audit.js');
    const good = await runNode(script, [dir]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^OK: 5 filer stämmer med manifestet; \d+ händelser i 8 strömmar, varje hashkedja obruten; \d+ hänvisningar hittade; \d+ fördelningstabeller stämmer med spårningarna/);

    // One byte changed in an event: the file's hash no longer matches, and the event's own hash names it.
    const path = join(dir, 'events.ndjson');
    const original = readFileSync(path, 'utf8');
    const altered = original.replace('"amount":"180000.00"', '"amount":"180000.01"');
    expect(altered).not.toBe(original);
    writeFileSync(path, altered);
    const bad = checkAudit(dir);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^events\.ndjson: SHA-256 [0-9a-f]{64} skiljer sig från manifestets/),
      expect.stringMatching(/ström billing-2024 revision \d+: den lagrade hashen stämmer inte med händelsens innehåll/),
    ]));
    const failed = await runNode(script, [dir]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FEL: events.ndjson: SHA-256');

    // Even with the manifest rewritten to the altered file's hash, the chain still gives it away.
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
    m.files['events.ndjson'] = { sha256: sha(path), bytes: Buffer.byteLength(altered) };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    // …and so do the document it no longer is the data of, the traces worked out again from the events (the
    // invoice's line, and the settlement that counts it as billed), and the voucher booked from the line as it was.
    expect(checkAudit(dir).problems).toEqual([
      expect.stringMatching(/ström billing-2024 revision \d+: den lagrade hashen stämmer inte/),
      expect.stringMatching(/^documents\.ndjson rad \d+: T2024-\d{4}: dokumentet är inte händelsens data \(billing-2024@\d+\): det har ändrats$/),
      expect.stringMatching(/^traces\.ndjson rad \d+: T2024-\d{4}: spårningen är inte den som händelserna i events\.ndjson ger: rad 1: amount anger "180000\.00", händelserna ger "180000\.01"; /),
      expect.stringMatching(/^traces\.ndjson rad \d+: T2024-\d{4}: spårningen är inte den som händelserna i events\.ndjson ger: rad 1: .*"180 000,00 kr", händelserna ger "180 000,01 kr"/),
      expect.stringMatching(/^vouchers\.ndjson rad \d+: verifikation F T2024-\d{4}: stämmer inte med dokumentet T2024-\d{4} \(InvoiceIssued billing-2024@\d+\): konto 3001 -[\d.]+ där dokumentet ger -[\d.]+$/),
    ]);
  });

  test('given a log whose invoice no longer recomputes, then the export says so in a FEL line, exits 1, and --json says ok false', async () => {
    const g = await settledYear();
    const db = new Database(g.store);
    db.prepare("UPDATE events SET data = replace(data, '\"amount\":\"180000.00\"', '\"amount\":\"180000.01\"') WHERE type = 'InvoiceIssued' AND json_extract(data, '$.number') = 'T2024-0005'").run();
    db.close();
    const r = await g.run('export', 'audit', '--year', '2024', '--out', join(g.dir, 'audit'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FEL: \d+ av \d+ rader räknas inte fram till sitt belopp; se deras spårning i traces\.ndjson \(samkost trace NUMMER\) och kör samkost verify\n/);
    // The invoice's voucher no longer balances: written as the log has it, said here, and named by check-audit.
    expect(r.out).toMatch(/\nFEL: 1 av \d+ verifikationer balanserar inte; se dem i vouchers\.ndjson och kör samkost verify\n/);
    expect(checkAudit(join(g.dir, 'audit')).problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^vouchers\.ndjson rad \d+: verifikation F T2024-0005: balanserar inte, debet och kredit skiljer sig med -0\.\d\d$/),
    ]));
    const json = await g.run('--json', 'export', 'audit', '--year', '2024', '--out', join(g.dir, 'audit'));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false });
  });

  test('a document, a trace or the manifest altered after the export, each file re-hashed into a rewritten manifest, is found; with the noted manifest hash, so is the rewrite', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'audit-2024');
    const r = await f.json<{ manifestSha256: string }>('export', 'audit', '--year', '2024', '--out', dir);
    const noted = r.manifestSha256;
    expect(checkAudit(dir, noted)).toMatchObject({ ok: true, problems: [] });
    // An auditor's notes beside the package are no fault of it.
    writeFileSync(join(dir, 'noter.txt'), 'granskad');
    expect(checkAudit(dir, noted)).toMatchObject({ ok: true, problems: [], notices: ['noter.txt finns i katalogen men inte i manifestet och ingår inte i paketet'] });
    rmSync(join(dir, 'noter.txt'));
    const rewrite = (name: string, edit: (text: string) => string, manifest: (m: Record<string, unknown>) => void = () => undefined) => {
      const path = join(dir, name);
      const text = edit(readFileSync(path, 'utf8'));
      writeFileSync(path, text);
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> } & Record<string, unknown>;
      m.files[name] = { sha256: sha(path), bytes: Buffer.byteLength(text) };
      manifest(m);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    };
    // A buyer's name changed in documents.ndjson: no longer its event's data.
    rewrite('documents.ndjson', (t) => t.replace('"name":"Stockholms stad"', '"name":"Fake AB"'));
    expect(checkAudit(dir).problems).toEqual([expect.stringMatching(/^documents\.ndjson rad \d+: [MT]2024-\d{4}: dokumentet är inte händelsens data \(billing-2024@\d+\): det har ändrats$/)]);
    // A trace's amount changed: the document's line says otherwise, and the trace's recomputation no longer agrees.
    rewrite('traces.ndjson', (t) => t.replace(/"amount":"(\d+\.\d\d)"/, '"amount":"1.00"'));
    expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^traces\.ndjson rad 1: [MT]2024-\d{4} rad \d+: spårningen anger beloppet 1\.00, dokumentet \d+\.\d\d$/),
      expect.stringMatching(/^traces\.ndjson rad 1: [MT]2024-\d{4} rad \d+: spårningen säger att omräkningen stämmer, men den ger \d+\.\d\d mot 1\.00$/),
    ]));
    // The manifest's year and its count of recomputed lines, which the files do not bear out.
    rewrite('splits.ndjson', (t) => t, (m) => { m.year = 2023; m.linesRecomputed = 0; });
    const problems = checkAudit(dir).problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^documents\.ndjson rad 1: .*: dokumentet gäller 2024, manifestet 2023$/),
      expect.stringMatching(/^traces\.ndjson: \d+ rader omräknade och stämmer, manifestet anger 0$/),
    ]));
    // The noted hash tells the rewritten manifest from the one written at the export; a stray file is noted, not failed.
    writeFileSync(join(dir, 'extra.txt'), 'x');
    const withNoted = checkAudit(dir, noted);
    expect(withNoted.problems).toEqual(expect.arrayContaining([
      `manifest.json: SHA-256 ${sha(join(dir, 'manifest.json'))}, inte den noterade ${noted}: manifestet är inte det som skrevs vid exporten`,
    ]));
    expect(withNoted.notices).toEqual(['extra.txt finns i katalogen men inte i manifestet och ingår inte i paketet']);
    // A manifest without the counts the files are checked against would switch those checks off.
    rewrite('splits.ndjson', (t) => t, (m) => { delete m.documents; delete m.year; });
    expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([
      'manifest.json saknar year, som filerna kontrolleras mot',
      'manifest.json saknar documents, som filerna kontrolleras mot',
    ]));
    const script = compiled('scripts/check-audit.js');
    const run = await runNode(script, [dir, '--manifest-sha256', noted]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FEL: manifest.json: SHA-256');
  });

  test('the package\'s traces, with each split table put back in its months, are the traces `samkost trace` gives document by document', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'audit-2024');
    expect((await f.run('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
    const tables = new Map(ndjson<TableFile>(join(dir, 'splits.ndjson')).map((t) => [t.id, t.participants]));
    const traces = ndjson<DocTrace & { document?: unknown }>(join(dir, 'traces.ndjson'));
    const buyers = new Map(ndjson<{ document: { number: string; buyer: { orgnr: string } } }>(join(dir, 'documents.ndjson')).map((d) => [d.document.number, d.document.buyer.orgnr]));
    let named = 0;
    for (const t of traces) {
      for (const l of t.lines) {
        for (const month of l.months ?? []) {
          if (!month.table) continue;
          named += 1;
          const rows = tables.get(month.table);
          expect(rows).toBeDefined();
          const mine = (r: { key: string; member: string }) => (l.line.kind === 'a-conto' ? r.key === l.line.enrolmentId : r.member === buyers.get(t.number));
          month.participants = rows!.map((r) => ({ ...r, thisLine: mine(r) })) as unknown as typeof month.participants;
          delete month.table;
        }
      }
      expect(t).toEqual(await f.json<DocTrace>('trace', t.number));
    }
    expect(named).toBeGreaterThan(0);
  });

  test('a split table altered after the export, even with the manifest rewritten, fails its own hash and the sums of the lines that name it', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'audit-2024');
    expect((await f.run('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
    const path = join(dir, 'splits.ndjson');
    const original = readFileSync(path, 'utf8');
    const altered = original.replace(/"weight":"4"/, '"weight":"5"');
    expect(altered).not.toBe(original);
    writeFileSync(path, altered);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
    m.files['splits.ndjson'] = { sha256: sha(path), bytes: Buffer.byteLength(altered) };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const r = checkAudit(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^splits\.ndjson rad 1: tabellen [0-9a-f]{12}… har innehåll med SHA-256 [0-9a-f]{12}…: den har ändrats$/),
      expect.stringMatching(/^traces\.ndjson rad \d+: T2024-\d{4} rad \d+ månad \d+: tabellens vikter summerar till \d+, spårningen anger \d+$/),
    ]));
  });

  test('an export that stops half-way leaves no manifest, not the earlier export\'s, so check-audit refuses the directory', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'audit-2024');
    expect((await f.run('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
    expect(checkAudit(dir).ok).toBe(true);
    // The same export again, into the same directory, with a store whose second read (the events) fails.
    const store = openStore(f.store, rawCodec);
    try {
      let reads = 0;
      const failing = Object.create(store) as typeof store;
      failing.readAll = (...args: Parameters<typeof store.readAll>) => {
        reads += 1;
        if (reads === 2) throw new Error('disken är full');
        return store.readAll(...args);
      };
      await expect(writeAuditPackage(failing, 2024, dir, '2025-01-01T00:00:00.000Z')).rejects.toThrow('disken är full');
    } finally {
      await store.close();
    }
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    expect(checkAudit(dir)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^manifest\.json: kan inte läsas/)] });
  });

  test('check-audit names a package of another format, and one without a manifest, in one line each', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'old');
    expect(checkAudit(dir)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^manifest\.json: kan inte läsas/)] });
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'samkost-audit/1', files: {} }));
    expect(checkAudit(dir).problems).toEqual(['manifest.json: okänt format "samkost-audit/1"; det här skriptet kontrollerar samkost-audit/3 och samkost-audit/2 (ett paket i samkost-audit/1 kontrolleras med check-audit från den version av samkost som skrev det)']);
    // A manifest that names a file outside the package: refused, never read.
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'samkost-audit/2', files: { '../../etc/passwd': { sha256: 'x', bytes: 1 } } }));
    expect(checkAudit(dir).problems).toContain('manifest.json: "../../etc/passwd" är inte ett filnamn i paketet');
  });

  test('given a store that does not exist, when export audit is asked for, then it is refused and no directory is created', async () => {
    const f = await settledYear();
    const dir = join(f.dir, 'x-aud');
    const r = await cliOn(join(f.dir, 'nope.db'), '2025-02-01T10:00:00Z')('export', 'audit', '--year', '2024', '--out', dir);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining(`lagret ${join(f.dir, 'nope.db')} finns inte`)]);
    expect(existsSync(dir)).toBe(false);
  });

  test('given a year the books have nothing for, then the directory the export made is removed with what it wrote; a directory that was there stays', async () => {
    const f = await settledYear();
    const made = join(f.dir, 'a-2030');
    const r = await f.run('export', 'audit', '--year', '2030', '--out', made);
    expect([r.code, r.err]).toEqual([2, 'samkost: bokföringen har inget för 2030: den omfattar 2024–2025\n']);
    expect(existsSync(made)).toBe(false);
    // The user's own directory, with a file of theirs in it, is not the export's to remove.
    const own = join(f.dir, 'mine');
    mkdirSync(own);
    writeFileSync(join(own, 'anteckningar.txt'), 'revisorns anteckningar\n');
    expect((await f.run('export', 'audit', '--year', '2030', '--out', own)).code).toBe(2);
    expect(readFileSync(join(own, 'anteckningar.txt'), 'utf8')).toBe('revisorns anteckningar\n');
    expect(existsSync(join(own, 'manifest.json'))).toBe(false);
  });

  test('export audit attaches to the one `export` command', async () => {
    const f = await billingFixture();
    const help = await f.run('export', '--help');
    expect(help.out).toContain('audit');
    expect((help.out.match(/^ {2}audit/gm) ?? []).length).toBe(1);
  });
});

describe('the trace of a leaving member\'s fee', () => {
  test('given a member that left in March, when its year\'s fee is billed in April, then the trace shows the exit beside the 12/12 months and that the leaving year\'s fee is not reduced', async () => {
    const f = await billingFixture();
    expect((await f.run('member', 'leave', '232100-0016', '--date', '2024-03-31', '--reason', 'ingen tjänst')).code).toBe(0);
    expect((await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20')).code).toBe(0);
    const invoices = await f.json<{ invoices: { number: string; buyerName: string }[] }>('invoices', '--year', '2024');
    const region = invoices.invoices.find((i) => i.buyerName === 'Region Stockholm')!;
    const trace = await f.json<{ lines: { figures: { name: string; value: string; note: string; event?: { type: string } }[] }[] }>('trace', region.number, '--format', 'json');
    const figures = trace.lines[0].figures;
    expect(figures.find((x) => x.name === 'månader')).toMatchObject({ value: '12/12', note: 'helt år; utträde 2024-03-31: årsavgiften för utträdesåret sätts inte ned' });
    expect(figures.find((x) => x.name === 'utträde')).toMatchObject({ value: '2024-03-31', event: { type: 'MemberLeft' } });
  });
});

describe('the trace of a credit note', () => {
  test('given a credit note issued with a reason, then its trace names the reason, in text, HTML and JSON', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    expect((await f.run('invoice', 'credit', 'T2024-0001', '--lines', '1', '--reason', 'Fel anslutningsdatum', '--date', '2024-02-01')).code).toBe(0);
    expect((await f.run('trace', 'TK2024-0001')).out).toContain('\nOrsak:       Fel anslutningsdatum\n');
    expect((await f.run('trace', 'TK2024-0001', '--format', 'html')).out).toContain('<p>Orsak: Fel anslutningsdatum</p>');
    const json = await f.json<{ lines: { document: { reason?: string } }[] }>('trace', 'TK2024-0001', '--format', 'json');
    expect(json.lines[0].document.reason).toBe('Fel anslutningsdatum');
  });
});
