import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditReport, checkAudit } from '../../scripts/check-audit';
import { eventHash } from '../../src/store/hash-chain';
import { settledYear } from '../support/billing-fixture';
import { cliOn } from '../support/cli';
import { compiled, runNode } from '../support/processes';

/*
 * check-audit fails a package on what the package itself shows, even when every file is what the
 * manifest says and every hash chain is intact: a forger who edits the log and writes the stream's chain
 * anew (src/store/hash-chain.ts), or edits a file and re-hashes it into the manifest, leaves a package
 * whose chains check out. What it cannot make agree is the rest: the traces' recomputation, the
 * documents' own arithmetic, the gapless numbering of each series, and the events' places that every
 * reference names. The history is the billing fixture's settled year 2024 (M2024-0001…0004,
 * T2024-0001…, a correction note TK2024-0001).
 */

interface Line { lineNo: number; amount: string; vatCategory: string; vatRate: string }
interface Doc { number: string; series: string; sequence: number; lines: Line[]; vat: { category: string; rate: string; taxable: string; vat: string }[]; totalNet: string; totalVat: string; total: string }
interface Ref { streamId: string; revision: number; position: string; eventId: string; type: string; hash: string }
interface EventLine { position: string; streamId: string; revision: number; id: string; type: string; metadata: { hash: string } }
interface Manifest { files: Record<string, { sha256: string; bytes: number }> }

const ndjson = <T>(path: string): T[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const plus = (amount: string, d: number) => (Number(amount) + d).toFixed(2);

type Row = { position: number; stream_id: string; revision: number; event_id: string; type: string; schema_version: number; data: string; metadata: string };

/**
 * Writes the stream's hash chain anew as a forger would: each event's prevHash the hash before it, its hash
 * that of its content; a revision renumbered, and every reference to a renumbered or re-hashed event of the
 * stream in the later events' data made to agree.
 */
function rewriteChain(db: Database.Database, streamId: string): void {
  const rows = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision').all(streamId) as Row[];
  const renamed = new Map<string, { revision: number; hash: string }>();
  const fix = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(fix);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const to = typeof o.eventId === 'string' && o.streamId === streamId ? renamed.get(o.eventId) : undefined;
      if (to) Object.assign(o, to);
      Object.values(o).forEach(fix);
    }
  };
  const update = db.prepare('UPDATE events SET revision = ?, data = ?, metadata = ? WHERE position = ?');
  let prevHash: string | null = null;
  rows.forEach((r, revision) => {
    const data = JSON.parse(r.data) as unknown;
    fix(data);
    const { hash: _old, ...metadata } = JSON.parse(r.metadata) as { hash: string };
    const hash = eventHash({ streamId, revision, id: r.event_id, type: r.type, schemaVersion: r.schema_version, data, metadata: { ...metadata, prevHash } as never });
    update.run(revision, JSON.stringify(data), JSON.stringify({ ...metadata, prevHash, hash }), r.position);
    renamed.set(r.event_id, { revision, hash });
    prevHash = hash;
  });
}

/** Sets a package file's hash and size in its manifest, as a forger who edited the file would. */
function rehashFile(dir: string, name: string): void {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  m.files[name] = { sha256: sha(join(dir, name)), bytes: readFileSync(join(dir, name)).length };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

function editFile(dir: string, name: string, edit: (text: string) => string): void {
  const before = readFileSync(join(dir, name), 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(join(dir, name), after);
  rehashFile(dir, name);
}

/**
 * What check-audit says of a trace that is not what the package's events give (worked out again from
 * events.ndjson by the code that wrote it), with the fields that differ.
 */
const notFromEvents = (n: number, number: string, fields: string) => `traces.ndjson rad ${n}: ${number}: spårningen är inte den som händelserna i events.ndjson ger: ${fields}`;

/** check-audit finds `problem` in `dir` and nothing else, and the script fails with exit code 1 printing it. */
async function expectOnlyProblem(dir: string, problem: string): Promise<void> {
  expect(checkAudit(dir).problems).toEqual([problem]);
  const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(`FEL: ${problem}\n`);
}

describe('check-audit: what a package shows of itself must hold, even where every chain is intact', () => {
  let f: Awaited<ReturnType<typeof settledYear>>;
  let copies = 0;
  beforeAll(async () => {
    f = await settledYear();
  });

  /** A copy of the fixture's store, forged by `forge` (with the billing stream's chain written anew), exported as the year's package. */
  async function forgedPackage(forge: (db: Database.Database) => void): Promise<string> {
    copies += 1;
    const store = join(f.dir, `forged-${copies}.db`);
    copyFileSync(f.store, store);
    const db = new Database(store);
    try {
      forge(db);
    } finally {
      db.close();
    }
    const dir = join(f.dir, `audit-${copies}`);
    const r = await cliOn(store, '2025-02-01T10:00:00Z')('export', 'audit', '--year', '2024', '--out', dir);
    expect(r.err).toBe('');
    return dir;
  }

  /** Edits the stored document `number` and writes the billing stream's chain anew. */
  const forgeDocument = (number: string, edit: (d: Doc) => void) => (db: Database.Database) => {
    const row = db.prepare("SELECT position, data FROM events WHERE stream_id = 'billing-2024' AND json_extract(data, '$.number') = ?").get(number) as { position: number; data: string };
    const d = JSON.parse(row.data) as Doc;
    edit(d);
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(d), row.position);
    rewriteChain(db, 'billing-2024');
  };

  const rowOf = (dir: string, file: string, number: string) => ndjson<{ number?: string; document?: { number: string } }>(join(dir, file)).findIndex((r) => (r.number ?? r.document?.number) === number) + 1;

  test('given an unforged package, then check-audit passes', async () => {
    const dir = await forgedPackage(() => undefined);
    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [] });
  });

  test('given an invoice whose VAT rate and due date were rewritten with its chain, but not the command it records, then check-audit names each against the command', async () => {
    const dir = await forgedPackage(forgeDocument('T2024-0001', (d) => {
      const doc = d as unknown as { lines: { vatRate: string }[]; vat: { rate: string }[]; dueDate: string };
      for (const l of doc.lines) l.vatRate = '0.12';
      for (const v of doc.vat) v.rate = '0.12';
      doc.dueDate = '2024-12-31';
    }));
    const at = `documents.ndjson rad ${rowOf(dir, 'documents.ndjson', 'T2024-0001')}: T2024-0001`;
    expect(checkAudit(dir).problems).toEqual([
      `${at}: rad 1 har en annan momssats än kommandot dokumentet beslutades med (0.25)`,
      `${at}: momsspecifikationen anger 0.12, kommandot 0.25`,
      `${at}: förfallodagen 2024-12-31 är inte fakturadatumet + kommandots 30 dagar (2024-02-14)`,
    ]);
  });

  describe('what check-audit says of a row or file that is not what the package holds', () => {
    test('given the row {} appended to vouchers.ndjson, then it is named as no voucher, by file, line and the fields it lacks, never as "verifikation undefined undefined"', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = readFileSync(join(dir, 'vouchers.ndjson'), 'utf8').trim().split('\n').length + 1;
      appendFileSync(join(dir, 'vouchers.ndjson'), '{}\n');
      const r = checkAudit(dir);
      // Named once, as no voucher; then the file's hash and size, which are no longer the manifest's. The
      // voucher count is still the manifest's: {} is no voucher.
      expect(r.problems).toEqual([
        `vouchers.ndjson rad ${n}: ingen verifikation: saknar series, number, date, transactions och source`,
        expect.stringMatching(/^vouchers\.ndjson: SHA-256 [0-9a-f]{64} skiljer sig från manifestets [0-9a-f]{64}$/),
        expect.stringMatching(/^vouchers\.ndjson: [\d ]+ byte, manifestet anger [\d ]+$/),
      ]);
    });

    test('given a voucher row without a date and with transactions that are no list, then it names both', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = readFileSync(join(dir, 'vouchers.ndjson'), 'utf8').trim().split('\n').length + 1;
      appendFileSync(join(dir, 'vouchers.ndjson'), `${JSON.stringify({ series: 'A', number: '99', transactions: 5, source: {} })}\n[]\n`);
      expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([
        `vouchers.ndjson rad ${n}: ingen verifikation: saknar date; transactions är ingen lista`,
        `vouchers.ndjson rad ${n + 1}: ingen verifikation: raden är en lista, inget JSON-objekt`,
      ]));
    });

    test.each([
      ['events.ndjson', 'ingen händelse', 'saknar streamId, revision, id, type, data och metadata'],
      ['splits.ndjson', 'ingen fördelningstabell', 'saknar id och participants'],
      ['documents.ndjson', 'inget dokument', 'saknar type, event och document'],
      ['traces.ndjson', 'ingen spårning', 'saknar number, type, event och lines'],
    ])('given the row {} appended to %s, then it is named as %s by what it lacks, and no problem says "undefined"', async (file, what, lacks) => {
      const dir = await forgedPackage(() => undefined);
      const n = readFileSync(join(dir, file), 'utf8').trim().split('\n').length + 1;
      appendFileSync(join(dir, file), '{}\n');
      const r = checkAudit(dir);
      expect(r.ok).toBe(false);
      expect(r.problems).toContain(`${file} rad ${n}: ${what}: ${lacks}`);
      expect(r.problems.filter((p) => p.includes('undefined'))).toEqual([]);
    });

    test.each([
      ['documents.ndjson', 'traces.ndjson: spårningarna kan inte jämföras med sina dokument utan documents.ndjson'],
      ['events.ndjson', 'hänvisningarna i dokument, spårningar och tabeller kan inte kontrolleras utan events.ndjson'],
    ])('given %s deleted, then its absence is named once and what cannot be checked without it once, not once per row', async (file, once) => {
      const dir = await forgedPackage(() => undefined);
      rmSync(join(dir, file));
      const problems = checkAudit(dir).problems;
      expect(problems.filter((p) => p === `${file}: saknas`)).toHaveLength(1);
      expect(problems).toContain(once);
      expect(problems.filter((p) => p.includes(`finns inte i ${file}`))).toEqual([]);
    });

    test('given a row that is not JSON, then it is named by file and line in Swedish', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = readFileSync(join(dir, 'splits.ndjson'), 'utf8').trim().split('\n').length + 1;
      appendFileSync(join(dir, 'splits.ndjson'), 'not json\n');
      expect(checkAudit(dir).problems).toContain(`splits.ndjson rad ${n}: raden är inte JSON`);
    });

    test('given splits.ndjson deleted, then its absence is named once', async () => {
      const dir = await forgedPackage(() => undefined);
      rmSync(join(dir, 'splits.ndjson'));
      const problems = checkAudit(dir).problems;
      expect(problems.filter((p) => p === 'splits.ndjson: saknas')).toHaveLength(1);
      expect(problems).toContain('traces.ndjson: fördelningstabellerna kan inte kontrolleras utan splits.ndjson');
    });
  });

  describe('a line its own trace does not recompute', () => {
    test('given a line\'s amount altered with its document\'s totals, and the stream re-hashed, then check-audit fails naming the document and line, and the manifest\'s count of recomputed lines', async () => {
      const dir = await forgedPackage(forgeDocument('M2024-0001', (d) => {
        d.lines[0].amount = plus(d.lines[0].amount, -1000);
        d.vat[0].taxable = plus(d.vat[0].taxable, -1000);
        d.totalNet = plus(d.totalNet, -1000);
        d.total = plus(d.total, -1000);
      }));
      const trace = ndjson<{ number: string; lines: { line: { lineNo: number }; amount: string; recomputed: string; matches: boolean; problems: string[] }[] }>(join(dir, 'traces.ndjson'));
      const line = trace.find((t) => t.number === 'M2024-0001')!.lines[0];
      expect(line).toMatchObject({ matches: false, problems: [] });
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { lines: number; linesRecomputed: number };
      expect(manifest.linesRecomputed).toBe(manifest.lines - 1);

      const n = rowOf(dir, 'traces.ndjson', 'M2024-0001');
      const r = checkAudit(dir);
      expect(r.problems).toEqual([
        `traces.ndjson rad ${n}: M2024-0001 rad 1: räknas inte fram till sitt belopp: omräkningen ger ${line.recomputed}, raden anger ${line.amount}`,
        `manifest.json: ${manifest.linesRecomputed} av ${manifest.lines} rader räknas fram till sitt belopp (linesRecomputed): spårningarna i traces.ndjson visar var de övriga skiljer sig`,
      ]);
      const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`FEL: traces.ndjson rad ${n}: M2024-0001 rad 1: räknas inte fram till sitt belopp`);
    });

    test('given a trace that names a problem on a line whose amount still recomputes, then check-audit fails naming the line and the problem', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = rowOf(dir, 'traces.ndjson', 'T2024-0002');
      editFile(dir, 'traces.ndjson', (t) => t.split('\n').map((l, i) => (i === n - 1 ? l.replace('"problems":[]', '"problems":["månad 1: lagrad andel 1.00, omräknad 2.00"]') : l)).join('\n'));
      expect(checkAudit(dir).problems).toEqual([
        `traces.ndjson rad ${n}: T2024-0002 rad 1: spårningen anger ett problem: månad 1: lagrad andel 1.00, omräknad 2.00`,
        notFromEvents(n, 'T2024-0002', 'rad 1: problems[0] anger "månad 1: lagrad andel 1.00, omräknad 2.00", händelserna ger inget'),
      ]);
    });
  });

  describe('a line whose own figures do not give its amount, though its trace says it recomputes', () => {
    interface Month { month: number; share: string; denominator: string }
    interface TracedLine { line: { lineNo: number; kind: string }; amount: string; recomputed: string | null; difference: string | null; matches: boolean; problems: string[]; months?: Month[]; settlement?: { actualShare: string; billed: string } }
    interface Traced { number: string; lines: TracedLine[] }

    /** Edits line `lineNo` of `number`'s trace as a forger would, re-hashing traces.ndjson into the manifest; returns the line as it was. */
    function forgeTrace(dir: string, number: string, lineNo: number, edit: (l: TracedLine) => void): TracedLine {
      let before: TracedLine | undefined;
      editFile(dir, 'traces.ndjson', (t) => t.split('\n').map((row) => {
        if (!row.startsWith('{')) return row;
        const d = JSON.parse(row) as Traced;
        if (d.number !== number) return row;
        const l = d.lines.find((x) => x.line.lineNo === lineNo)!;
        before = structuredClone(l);
        edit(l);
        return JSON.stringify(d);
      }).join('\n'));
      return before!;
    }
    /** What a forger makes the trace say of a line whose amount was altered: recomputed to it, matching, no problem; and the manifest's count to agree. */
    const saysItRecomputes = (dir: string) => (l: TracedLine) => {
      l.recomputed = l.amount;
      l.difference = '0.00';
      l.matches = true;
      l.problems = [];
      const path = join(dir, 'manifest.json');
      const m = JSON.parse(readFileSync(path, 'utf8')) as { linesRecomputed: number };
      m.linesRecomputed += 1;
      writeFileSync(path, JSON.stringify(m));
    };
    /** Adds `d` to line `lineNo` of a document's amount and its totals, as the existing forgery does. */
    const plusOnLine = (lineNo: number, d: number) => (doc: Doc) => {
      const line = doc.lines.find((l) => l.lineNo === lineNo)!;
      line.amount = plus(line.amount, d);
      const rate = doc.vat.find((v) => v.rate === line.vatRate && v.category === line.vatCategory)!;
      rate.taxable = plus(rate.taxable, d);
      doc.totalNet = plus(doc.totalNet, d);
      doc.total = plus(doc.total, d);
    };

    test('given an a-conto line\'s amount altered with its document\'s totals, the stream re-hashed, and its trace made to say it recomputes (recomputed, matches, the manifest\'s linesRecomputed), then check-audit fails: its months\' shares sum to the amount it had', async () => {
      const dir = await forgedPackage(forgeDocument('T2024-0002', plusOnLine(1, 100)));
      const before = forgeTrace(dir, 'T2024-0002', 1, saysItRecomputes(dir));
      expect(before).toMatchObject({ line: { kind: 'a-conto' }, matches: false });
      const shares = before.months!.reduce((a, m) => a + Number(m.share), 0).toFixed(2);
      expect(before.recomputed).toBe(shares);
      const months = before.months!.map((m) => m.month);
      const n = rowOf(dir, 'traces.ndjson', 'T2024-0002');
      const message = `traces.ndjson rad ${n}: T2024-0002 rad 1: andelarna för månad ${months[0]}–${months[months.length - 1]} summerar till ${shares}, raden anger ${plus(shares, 100)}`;
      const problems = checkAudit(dir).problems;
      // Of the forged line, only that, and what its recomputation from the events says (a settlement that
      // bills it no longer recomputes, which is said of the settlement).
      expect(problems.filter((p) => p.startsWith(`traces.ndjson rad ${n}:`))).toEqual([
        message,
        notFromEvents(n, 'T2024-0002', `rad 1: difference anger "0.00", händelserna ger "-100.00"; rad 1: matches anger true, händelserna ger false; rad 1: recomputed anger "${plus(shares, 100)}", händelserna ger "${shares}"`),
      ]);
      const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`FEL: ${message}`);
    });

    test('given a settlement line\'s amount altered the same way, then check-audit fails: its share of the actual cost less what it was billed is another amount', async () => {
      const dir = await forgedPackage(() => undefined);
      const settled = ndjson<Traced>(join(dir, 'traces.ndjson')).find((d) => d.lines.some((l) => l.line.kind === 'settlement'))!;
      const lineNo = settled.lines.find((l) => l.line.kind === 'settlement')!.line.lineNo;
      const forged = await forgedPackage(forgeDocument(settled.number, plusOnLine(lineNo, 100)));
      const before = forgeTrace(forged, settled.number, lineNo, saysItRecomputes(forged));
      const s = before.settlement!;
      const sign = settled.number.includes('K') ? -1 : 1;
      const words = sign === 1 ? `andelen av utfallet ${s.actualShare} − fakturerat ${s.billed}` : `fakturerat ${s.billed} − andelen av utfallet ${s.actualShare}`;
      const n = rowOf(forged, 'traces.ndjson', settled.number);
      expect(checkAudit(forged).problems).toEqual([
        `traces.ndjson rad ${n}: ${settled.number} rad ${lineNo}: ${words} är ${plus(before.amount, -100)}, raden anger ${before.amount}`,
        notFromEvents(n, settled.number, `rad ${lineNo}: difference anger "0.00", händelserna ger "-100.00"; rad ${lineNo}: matches anger true, händelserna ger false; rad ${lineNo}: recomputed anger "${before.amount}", händelserna ger "${plus(before.amount, -100)}"`),
      ]);
    });

    test('given a settlement line\'s amount altered, and its trace made to count more of a billed line as credited so that it adds up, then check-audit names what the credit notes credited of that line', async () => {
      const dir = await forgedPackage(() => undefined);
      // A settlement that counts the fixture's credited line (T2024-0001 line 1, credited before the settlement).
      const settled = ndjson<Traced>(join(dir, 'traces.ndjson')).find((d) => d.lines.some((l) => l.line.kind === 'settlement'
        && (l.settlement as unknown as { billedLines: { document: string; lineNo: number }[] }).billedLines.some((b) => b.document === 'T2024-0001' && b.lineNo === 1)))!;
      const lineNo = settled.lines.find((l) => l.line.kind === 'settlement')!.line.lineNo;
      const sign = settled.number.includes('K') ? -1 : 1;
      const forged = await forgedPackage(forgeDocument(settled.number, plusOnLine(lineNo, 100)));
      let credited = '';
      const before = forgeTrace(forged, settled.number, lineNo, (l) => {
        saysItRecomputes(forged)(l);
        // 100 more credited of the billed line is 100 less billed: the line's forged amount then adds up.
        const s = l.settlement as unknown as { billed: string; billedLines: { document: string; lineNo: number; credited: string; net: string }[] };
        const b = s.billedLines.find((x) => x.document === 'T2024-0001' && x.lineNo === 1)!;
        credited = b.credited;
        b.credited = plus(b.credited, 100 * sign);
        b.net = plus(b.net, -100 * sign);
        s.billed = plus(s.billed, -100 * sign);
      });
      expect(Number(credited)).toBeGreaterThan(0);
      expect(before.matches).toBe(false);
      const n = rowOf(forged, 'traces.ndjson', settled.number);
      expect(checkAudit(forged).problems).toEqual([
        `traces.ndjson rad ${n}: ${settled.number} rad ${lineNo}: fakturerat T2024-0001 rad 1: krediterat anges till ${plus(credited, 100 * sign)}, kreditfakturorna före slutregleringen krediterar ${credited} av raden`,
        // Three of the six fields the forger changed are shown, the rest counted.
        notFromEvents(n, settled.number, `rad ${lineNo}: difference anger "0.00", händelserna ger "-100.00"; rad ${lineNo}: matches anger true, händelserna ger false; rad ${lineNo}: recomputed anger "${before.amount}", händelserna ger "${plus(before.amount, -100)}" och 3 skillnader till`),
      ]);
    });

    test('given a month\'s denominator in a trace that is not its table\'s Σ weights, then check-audit names the document, line and month', async () => {
      const dir = await forgedPackage(() => undefined);
      const before = forgeTrace(dir, 'T2024-0002', 1, (l) => {
        l.months![0].denominator = plus(l.months![0].denominator, 1).replace('.00', '');
      });
      const m = before.months![0];
      const n = rowOf(dir, 'traces.ndjson', 'T2024-0002');
      expect(checkAudit(dir).problems).toEqual([
        `traces.ndjson rad ${n}: T2024-0002 rad 1 månad ${m.month}: månadens nämnare ${Number(m.denominator) + 1} är inte tabellens Σ vikter ${m.denominator}`,
        notFromEvents(n, 'T2024-0002', `rad 1: months[0].denominator anger "${Number(m.denominator) + 1}", händelserna ger "${m.denominator}"`),
      ]);
    });
  });

  describe('a trace\'s words, worked out again from the package\'s events by the code that wrote them', () => {
    interface Figure { name: string; value: string; note: string }
    interface WordedLine { rule: string; figures: Figure[] }

    test('given a budget figure\'s value and note and a line\'s rule edited in traces.ndjson, and the file re-hashed into the manifest, then check-audit fails with exit code 1, naming the document, its line and each field with what the events give', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = rowOf(dir, 'traces.ndjson', 'T2024-0002');
      let before: WordedLine | undefined;
      editFile(dir, 'traces.ndjson', (text) => text.split('\n').map((row, i) => {
        if (i !== n - 1) return row;
        const d = JSON.parse(row) as { lines: WordedLine[] };
        const l = d.lines[0];
        before = structuredClone(l);
        const budget = l.figures.find((x) => x.name === 'förvaltningsrådets budget')!;
        budget.value = '1 500 000,00 kr';
        budget.note = 'FR EGIL 2024-05-30 §4, beslutad 2024-05-30';
        l.rule = l.rule.replace('vikt 4 av 6', 'vikt 5 av 6');
        return JSON.stringify(d);
      }).join('\n'));
      const i = before!.figures.findIndex((x) => x.name === 'förvaltningsrådets budget');
      const budget = before!.figures[i];
      expect(budget).toMatchObject({ value: '1 200 000,00 kr', note: 'FR EGIL 2023-11-15 §4, beslutad 2023-11-15' });
      expect(before!.rule).toContain('vikt 4 av 6');

      const problems = checkAudit(dir).problems;
      expect(problems).toEqual([expect.stringMatching(/./)]);
      const words = notFromEvents(n, 'T2024-0002', `rad 1: figures[${i}].note anger "FR EGIL 2024-05-30 §4, beslutad 2024-05-30", händelserna ger "${budget.note}"; `
        + `rad 1: figures[${i}].value anger "1 500 000,00 kr", händelserna ger "${budget.value}"; rad 1: rule anger `);
      expect(problems[0].startsWith(words)).toBe(true);
      // The rule is long: each text is shown from a little before where they differ.
      expect(problems[0].slice(words.length)).toMatch(/^…[^;]*vikt 5 av 6[^;]*, händelserna ger …[^;]*vikt 4 av 6[^;]*$/);
      const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`FEL: ${problems[0]}\n`);
    });

    test('given a trace line whose content is unchanged but whose keys are written in another order, then check-audit names it as not the canonical JSON the export writes', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = rowOf(dir, 'traces.ndjson', 'M2024-0002');
      editFile(dir, 'traces.ndjson', (text) => text.split('\n').map((row, i) => {
        if (i !== n - 1) return row;
        const { number, ...rest } = JSON.parse(row) as Record<string, unknown>;
        return JSON.stringify({ ...rest, number });
      }).join('\n'));
      expect(checkAudit(dir).problems).toEqual([notFromEvents(n, 'M2024-0002', 'samma innehåll, men inte som kanonisk JSON')]);
    });
  });

  describe('a document missing from a file, the file re-hashed into the manifest: named by number and event', () => {
    type DocumentRow = { event: Ref; document: { number: string } };
    /** Deletes the rows of the given document numbers from a package file. */
    const deleteRows = (dir: string, file: string, numbers: readonly string[]) => editFile(dir, file, (text) => `${text.trimEnd().split('\n')
      .filter((row) => !numbers.includes((JSON.parse(row) as { number?: string; document?: { number: string } }).number ?? (JSON.parse(row) as { document: { number: string } }).document.number)).join('\n')}\n`);

    test('given one document\'s trace deleted, then check-audit names that document and its event, besides the counts', async () => {
      const dir = await forgedPackage(() => undefined);
      const docs = ndjson<DocumentRow>(join(dir, 'documents.ndjson'));
      const gone = docs.find((d) => d.document.number === 'T2024-0003')!;
      deleteRows(dir, 'traces.ndjson', ['T2024-0003']);
      expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([
        `traces.ndjson: ${docs.length - 1} dokument, documents.ndjson har ${docs.length}: spårningen saknas för T2024-0003 (billing-2024@${gone.event.revision})`,
      ]));
    });

    test('given seven documents\' traces deleted, then the first five are named and the rest counted', async () => {
      const dir = await forgedPackage(() => undefined);
      const docs = ndjson<DocumentRow>(join(dir, 'documents.ndjson'));
      const gone = docs.slice(0, 7);
      deleteRows(dir, 'traces.ndjson', gone.map((d) => d.document.number));
      const named = gone.slice(0, 5).map((d) => `${d.document.number} (billing-2024@${d.event.revision})`).join(', ');
      expect(checkAudit(dir).problems).toContain(`traces.ndjson: ${docs.length - 7} dokument, documents.ndjson har ${docs.length}: spårningen saknas för ${named} och 2 till`);
    });

    test('given a document deleted from documents.ndjson and traces.ndjson, then check-audit names it by number and by its event in events.ndjson', async () => {
      const dir = await forgedPackage(() => undefined);
      const gone = ndjson<DocumentRow>(join(dir, 'documents.ndjson')).find((d) => d.document.number === 'T2024-0008')!;
      deleteRows(dir, 'documents.ndjson', ['T2024-0008']);
      deleteRows(dir, 'traces.ndjson', ['T2024-0008']);
      const problems = checkAudit(dir).problems;
      expect(problems).toContain(`documents.ndjson: 1 av fakturorna och kreditfakturorna i billing-2024 (events.ndjson) saknas: T2024-0008 (billing-2024@${gone.event.revision})`);
      // Both files agree with each other: no trace is said to be missing.
      expect(problems.filter((p) => p.includes('spårningen saknas'))).toEqual([]);
    });
  });

  describe('a document\'s own arithmetic', () => {
    test('given an invoice whose totalNet is not the sum of its lines (its lines and traces untouched), then check-audit names the sum and the total that no longer adds up', async () => {
      const dir = await forgedPackage(forgeDocument('M2024-0001', (d) => {
        d.totalNet = plus(d.totalNet, 1000);
      }));
      const d = ndjson<{ document: Doc }>(join(dir, 'documents.ndjson')).find((x) => x.document.number === 'M2024-0001')!.document;
      const n = rowOf(dir, 'documents.ndjson', 'M2024-0001');
      expect(checkAudit(dir).problems).toEqual([
        `documents.ndjson rad ${n}: M2024-0001: raderna summerar till ${plus(d.totalNet, -1000)}, totalNet anger ${d.totalNet}`,
        `documents.ndjson rad ${n}: M2024-0001: totalNet ${d.totalNet} + totalVat ${d.totalVat} är ${plus(d.totalNet, Number(d.totalVat))}, total anger ${d.total}`,
      ]);
    });

    test('given an invoice whose VAT breakdown and totalVat disagree with its lines and each other, then check-audit names each', async () => {
      let before: Doc | undefined;
      const dir = await forgedPackage(forgeDocument('T2024-0003', (d) => {
        before = structuredClone(d);
        d.vat[0].taxable = plus(d.vat[0].taxable, 100);
        d.totalVat = plus(d.totalVat, 1);
      }));
      const v = before!.vat[0];
      const n = rowOf(dir, 'documents.ndjson', 'T2024-0003');
      expect(checkAudit(dir).problems).toEqual([
        `documents.ndjson rad ${n}: T2024-0003: momsunderlaget för ${v.category} ${v.rate} anger ${plus(v.taxable, 100)}, raderna med ${v.category} ${v.rate} summerar till ${v.taxable}`,
        `documents.ndjson rad ${n}: T2024-0003: momsspecifikationens moms summerar till ${before!.totalVat}, totalVat anger ${plus(before!.totalVat, 1)}`,
        `documents.ndjson rad ${n}: T2024-0003: totalNet ${before!.totalNet} + totalVat ${plus(before!.totalVat, 1)} är ${plus(before!.total, 1)}, total anger ${before!.total}`,
        expect.stringMatching(/^vouchers\.ndjson rad \d+: verifikation F T2024-0003: balanserar inte/),
      ]);
    });

    test('given a credit note whose lines are taxed at a rate its VAT breakdown does not have, then check-audit names the lines missing from the breakdown and the rate without lines', async () => {
      let before: Doc | undefined;
      const dir = await forgedPackage(forgeDocument('TK2024-0001', (d) => {
        before = structuredClone(d);
        d.vat[0].rate = '0.12';
      }));
      const v = before!.vat[0];
      const n = rowOf(dir, 'documents.ndjson', 'TK2024-0001');
      expect(checkAudit(dir).problems).toEqual([
        `documents.ndjson rad ${n}: TK2024-0001: momsunderlaget för ${v.category} 0.12 anger ${v.taxable}, raderna med ${v.category} 0.12 summerar till 0.00`,
        `documents.ndjson rad ${n}: TK2024-0001: raderna med ${v.category} ${v.rate} summerar till ${v.taxable}, som momsspecifikationen saknar`,
      ]);
    });
  });

  describe('gapless numbers in each series of the year', () => {
    test('given an invoice deleted from the log, the later revisions renumbered and the stream re-hashed, then check-audit names the missing number', async () => {
      const dir = await forgedPackage((db) => {
        db.prepare("DELETE FROM events WHERE stream_id = 'billing-2024' AND json_extract(data, '$.number') = 'M2024-0002'").run();
        rewriteChain(db, 'billing-2024');
      });
      const numbers = ndjson<{ document: Doc }>(join(dir, 'documents.ndjson')).map((d) => d.document.number);
      expect(numbers.filter((x) => x.startsWith('M'))).toEqual(['M2024-0001', 'M2024-0003', 'M2024-0004']);
      expect(checkAudit(dir).problems).toEqual(['nummerserien M2024 saknar M2024-0002']);
    });

    test('given two invoices renumbered into one number, and a number that is not its series, year and sequence, then check-audit names the duplicate, the gap and the number', async () => {
      const dir = await forgedPackage((db) => {
        forgeDocument('M2024-0003', (d) => { d.number = 'M2024-0002'; d.sequence = 2; })(db);
        forgeDocument('M2024-0004', (d) => { d.number = 'M2024-0005'; })(db);
      });
      const n = rowOf(dir, 'documents.ndjson', 'M2024-0005');
      expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([
        `documents.ndjson rad ${n}: M2024-0005: numret är inte serie M, år 2024 och löpnummer 4 (M2024-0004)`,
        'nummerserien M2024 har M2024-0002 2 gånger',
        'nummerserien M2024 saknar M2024-0003, M2024-0004',
      ]));
      expect(checkAudit(dir).problems.filter((p) => !p.startsWith('vouchers.ndjson'))).toHaveLength(3);
    });
  });

  describe('every reference is to the event in the package, at its place, before the document', () => {
    test('given an event\'s position changed in the store (every chain intact), then check-audit names each reference to it and each document that now comes before it', async () => {
      const dir = await forgedPackage((db) => {
        db.prepare("UPDATE events SET position = 10000 + revision WHERE stream_id = 'member-212000-1124'").run();
      });
      const moved = ndjson<EventLine>(join(dir, 'events.ndjson')).find((e) => e.streamId === 'member-212000-1124' && e.revision === 0)!;
      expect(moved.position).toBe('10000');
      const problems = checkAudit(dir).problems;
      expect(problems).toEqual(expect.arrayContaining([
        expect.stringMatching(/^documents\.ndjson rad \d+: [MT]2024-\d{4}: hänvisningen till member-212000-1124@0 anger position \d+, händelsen i events\.ndjson har position 10000$/),
        expect.stringMatching(/^traces\.ndjson rad \d+: [MT]2024-\d{4}: hänvisningen till member-212000-1124@0 anger position \d+, händelsen i events\.ndjson har position 10000$/),
        expect.stringMatching(/^documents\.ndjson rad \d+: [MT]2024-\d{4}: hänvisar till member-212000-1124@0 \(position 10000\), som ligger efter dokumentets händelse billing-2024@\d+ \(position \d+\): ett dokument bygger bara på tidigare händelser$/),
      ]));
      const run = await runNode(compiled('scripts/check-audit.js'), [dir]);
      expect(run.code).toBe(1);
    });

    test('given an enrolment\'s position changed in events.ndjson alone (a position is not hashed), then check-audit names each file\'s reference to it, each document before it, and each split table a later document\'s trace names', async () => {
      const dir = await forgedPackage(() => undefined);
      const events = ndjson<EventLine & { data: { member?: string; serviceId?: string } }>(join(dir, 'events.ndjson'));
      // Malmö's EGIL enrolment (from April): in the split tables of Stockholm's and Göteborg's a-conto lines too.
      const malmo = events.find((e) => e.type === 'EnrolmentStarted' && e.data.member === '212000-1124')!;
      const later = String(Number(events[events.length - 1].position) + 1);
      editFile(dir, 'events.ndjson', (t) => t.replace(`"position":"${malmo.position}","revision":${malmo.revision},"schemaVersion"`, `"position":"${later}","revision":${malmo.revision},"schemaVersion"`));
      const at = `${malmo.streamId}@${malmo.revision}`;
      const problems = checkAudit(dir).problems;
      const kinds = [
        new RegExp(`^(documents|traces)\\.ndjson rad \\d+: [MT]K?2024-\\d{4}: hänvisningen till ${at} anger position ${malmo.position}, händelsen i events\\.ndjson har position ${later}$`),
        new RegExp(`^splits\\.ndjson rad \\d+: hänvisningen till ${at} anger position ${malmo.position}, händelsen i events\\.ndjson har position ${later}$`),
        new RegExp(`^(documents|traces)\\.ndjson rad \\d+: [MT]K?2024-\\d{4}: hänvisar till ${at} \\(position ${later}\\), som ligger efter dokumentets händelse billing-2024@\\d+ \\(position \\d+\\): ett dokument bygger bara på tidigare händelser$`),
        new RegExp(`^traces\\.ndjson rad \\d+: [MT]K?2024-\\d{4} rad \\d+ månad \\d+: tabellen [0-9a-f]{12}… hänvisar till ${at} \\(position ${later}\\), som ligger efter dokumentets händelse billing-2024@\\d+ \\(position \\d+\\): ett dokument bygger bara på tidigare händelser$`),
        // Worked out again from events.ndjson, the traces that refer to it name its new position, and the tables it is in differ.
        /^traces\.ndjson rad \d+: [MT]K?2024-\d{4}: spårningen är inte den som händelserna i events\.ndjson ger: rad \d+: (months\[\d+\]\.table|figures\[\d+\]\.event\.position) anger /,
      ];
      // Each kind is there, and nothing else is.
      for (const kind of kinds) expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(kind)]));
      expect(problems.filter((p) => !kinds.some((k) => k.test(p)))).toEqual([]);
      // The documents of a member without EGIL (the region) rest on nothing after them.
      const region = rowOf(dir, 'traces.ndjson', ndjson<{ document: { number: string; buyer: { orgnr: string } } }>(join(dir, 'documents.ndjson')).find((d) => d.document.buyer.orgnr === '232100-0016')!.document.number);
      expect(problems.filter((p) => p.startsWith(`traces.ndjson rad ${region}:`))).toEqual([]);
    });

    test('given a reference\'s revision and type, or a voucher source\'s position, changed in the package\'s files, each re-hashed into the manifest, then check-audit names each field that differs', async () => {
      const dir = await forgedPackage(() => undefined);
      const ref = ndjson<{ document: { lines: { provenance: { refs: Ref[] } }[] } }>(join(dir, 'documents.ndjson'))[0].document.lines[0].provenance.refs[0];
      editFile(dir, 'traces.ndjson', (t) => t.replace(
        `"revision":${ref.revision},"streamId":"${ref.streamId}","type":"${ref.type}"`,
        `"revision":${ref.revision + 1},"streamId":"${ref.streamId}","type":"PopulationCorrected"`,
      ));
      const vouchers = ndjson<{ series: string; number: string; source: Ref }>(join(dir, 'vouchers.ndjson'));
      const source = vouchers[0].source;
      editFile(dir, 'vouchers.ndjson', (t) => t.replace(`"position":"${source.position}"`, '"position":"1"'));
      expect(checkAudit(dir).problems).toEqual([
        `traces.ndjson rad 1: M2024-0001: hänvisningen till ${ref.streamId}@${ref.revision + 1} anger revision ${ref.revision + 1} och typ PopulationCorrected, händelsen i events.ndjson har revision ${ref.revision} och typ ${ref.type}`,
        notFromEvents(1, 'M2024-0001', `rad 1: decisions[0].event.revision anger ${ref.revision + 1}, händelserna ger ${ref.revision}; rad 1: decisions[0].event.type anger "PopulationCorrected", händelserna ger "${ref.type}"`),
        `vouchers.ndjson rad 1: verifikation ${vouchers[0].series} ${vouchers[0].number}: källan ${source.type} ${source.streamId}@${source.revision} anges med position 1, händelsen i events.ndjson har position ${source.position}`,
      ]);
    });

    test('given an event in events.ndjson whose position is no decimal position, then check-audit names it, as order cannot be told by it', async () => {
      const dir = await forgedPackage(() => undefined);
      const e = ndjson<EventLine>(join(dir, 'events.ndjson'))[0];
      editFile(dir, 'events.ndjson', (t) => t.replace(`"position":"${e.position}"`, `"position":"0${e.position}"`));
      expect(checkAudit(dir).problems).toEqual(expect.arrayContaining([`events.ndjson rad 1: ström ${e.streamId} revision ${e.revision}: "0${e.position}" är ingen position`]));
    });

    test('given a reference\'s hash that differs from its event\'s in the last digit only, then check-audit shows both hashes far enough to see where they differ', async () => {
      const dir = await forgedPackage(() => undefined);
      const ref = ndjson<{ document: { lines: { provenance: { refs: Ref[] } }[] } }>(join(dir, 'documents.ndjson'))[0].document.lines[0].provenance.refs[0];
      const last = ref.hash.slice(-1) === '0' ? '1' : '0';
      const forged = `${ref.hash.slice(0, -1)}${last}`;
      editFile(dir, 'traces.ndjson', (t) => t.replace(`"hash":"${ref.hash}"`, `"hash":"${forged}"`));
      expect(checkAudit(dir).problems).toEqual([
        `traces.ndjson rad 1: M2024-0001: hänvisar till ${ref.streamId}@${ref.revision} med hash ${forged}, händelsens är ${ref.hash}`,
        // The differing text is shown from a little before where it differs: the last digits of the hash.
        notFromEvents(1, 'M2024-0001', `rad 1: decisions[0].event.hash anger …${forged.slice(-22)}", händelserna ger …${ref.hash.slice(-22)}"`),
      ]);
    });
  });

  describe('an invoice\'s or credit note\'s voucher edited so that it still balances, vouchers.ndjson re-hashed into the manifest', () => {
    interface Transaction { account: string; amount: string }
    interface VoucherLine { series: string; number: string; source: Ref; transactions: Transaction[] }
    const vouchersOf = (dir: string) => ndjson<VoucherLine>(join(dir, 'vouchers.ndjson'));
    /** Rewrites the transactions of the file's voucher on line `n`, and its hash into the manifest. */
    const editVoucher = (dir: string, n: number, edit: (ts: Transaction[]) => Transaction[]) => editFile(dir, 'vouchers.ndjson', (text) => {
      const lines = text.trimEnd().split('\n');
      const v = JSON.parse(lines[n - 1]) as VoucherLine;
      lines[n - 1] = JSON.stringify({ ...v, transactions: edit(v.transactions) });
      return `${lines.join('\n')}\n`;
    });
    const amountOf = (ts: Transaction[], account: string) => ts.find((t) => t.account === account)!.amount;
    const income = (ts: Transaction[]) => ts.find((t) => t.account.startsWith('3'))!.account;
    const shift = (ts: Transaction[], by: Record<string, number>) => ts.map((t) => (t.account in by ? { ...t, amount: plus(t.amount, by[t.account]) } : t));

    test.each([
      ['an invoice\'s receivable and income, by the same 100 kr', 'F', (ts: Transaction[]) => ({ '1510': 100, [income(ts)]: -100 }), (ts: Transaction[]) => [['1510', 100], [income(ts), -100]] as const],
      ['100 kr of an invoice\'s VAT moved to its income', 'F', (ts: Transaction[]) => ({ [income(ts)]: -100, '2611': 100 }), (ts: Transaction[]) => [[income(ts), -100], ['2611', 100]] as const],
      ['a credit note\'s receivable and income, by the same 100 kr', 'K', (ts: Transaction[]) => ({ '1510': -100, [income(ts)]: 100 }), (ts: Transaction[]) => [['1510', -100], [income(ts), 100]] as const],
    ])('given %s, then check-audit fails with exit code 1, naming the voucher, its document and each account that differs', async (_what, series, by, named) => {
      const dir = await forgedPackage(() => undefined);
      const n = vouchersOf(dir).findIndex((v) => v.series === series && v.transactions.some((t) => t.account === '2611')) + 1;
      expect(n).toBeGreaterThan(0);
      const { number, source, transactions } = vouchersOf(dir)[n - 1];
      editVoucher(dir, n, (ts) => shift(ts, by(ts)));
      const differences = named(transactions).map(([account, d]) => `konto ${account} ${plus(amountOf(transactions, account), d)} där dokumentet ger ${amountOf(transactions, account)}`).join(', ');
      const problem = `vouchers.ndjson rad ${n}: verifikation ${series} ${number}: stämmer inte med dokumentet ${number} (${source.type} billing-2024@${source.revision}): ${differences}`;
      await expectOnlyProblem(dir, problem);
    });

    test('given an invoice\'s income booked to another account, then check-audit fails naming the account booked and the one the document gives', async () => {
      const dir = await forgedPackage(() => undefined);
      const n = vouchersOf(dir).findIndex((v) => v.number === 'M2024-0001') + 1;
      const { source, transactions } = vouchersOf(dir)[n - 1];
      const account = income(transactions);
      editVoucher(dir, n, (ts) => ts.map((t) => (t.account === account ? { ...t, account: '3990' } : t)));
      expect(checkAudit(dir).problems).toEqual([
        `vouchers.ndjson rad ${n}: verifikation F M2024-0001: stämmer inte med dokumentet M2024-0001 (InvoiceIssued billing-2024@${source.revision}): `
          + `konto 3990 ${amountOf(transactions, account)} där dokumentet ger inget, konto ${account} saknas där dokumentet ger ${amountOf(transactions, account)}`,
      ]);
    });

    test('given the manifest\'s chart, then the vouchers are checked by it: one from before the manifest recorded it is checked by BAS and noted', async () => {
      const dir = await forgedPackage(() => undefined);
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { chart?: Record<string, string> };
      expect(m.chart).toMatchObject({ receivables: '1510', outputVat25: '2611', serviceIncome: '3001', membershipIncome: '3890' });
      delete m.chart;
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
      expect(checkAudit(dir)).toMatchObject({
        ok: true, problems: [], notices: ['manifestet anger ingen kontoplan (chart): verifikationerna i serie F och K, och periodiseringarna av dokument, kontrolleras mot BAS'],
      });
      // A chart that says otherwise than the vouchers: every voucher with membership income fails.
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, chart: { membershipIncome: '3899' } }));
      const problems = checkAudit(dir).problems;
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => /: stämmer inte med dokumentet M2024-\d{4} .*konto 3890 -?[\d.]+ där dokumentet ger inget, konto 3899 saknas där dokumentet ger/.test(p))).toBe(true);
    });
  });

  describe('documents.ndjson out of the order the documents were issued, re-hashed into the manifest', () => {
    const swapRows = (dir: string, a: number, b: number) => editFile(dir, 'documents.ndjson', (text) => {
      const lines = text.trimEnd().split('\n');
      [lines[a - 1], lines[b - 1]] = [lines[b - 1], lines[a - 1]];
      return `${lines.join('\n')}\n`;
    });
    type DocumentRow = { event: Ref; document: { number: string } };

    test('given two documents swapped, then check-audit fails with exit code 1, naming the first out of place by its event\'s position', async () => {
      const dir = await forgedPackage(() => undefined);
      const [, second, third] = ndjson<DocumentRow>(join(dir, 'documents.ndjson'));
      swapRows(dir, 2, 3);
      const problem = `documents.ndjson rad 3: ${second.document.number}: står efter ${third.document.number} men utfärdades före det `
        + `(billing-2024@${second.event.revision}, position ${second.event.position}, mot billing-2024@${third.event.revision}, position ${third.event.position}): `
        + 'documents.ndjson ska hålla dokumenten i den ordning de utfärdades';
      await expectOnlyProblem(dir, problem);
    });

    test('given two documents of a series swapped and no events to place them by, then the series\' order names the first out of place', async () => {
      const dir = await forgedPackage(() => undefined);
      const [first, second] = ndjson<DocumentRow>(join(dir, 'documents.ndjson'));
      expect([first.document.number, second.document.number]).toEqual(['M2024-0001', 'M2024-0002']);
      swapRows(dir, 1, 2);
      rmSync(join(dir, 'events.ndjson'));
      expect(checkAudit(dir).problems).toContain('documents.ndjson rad 2: M2024-0001: står efter M2024-0002 i nummerserien M2024: documents.ndjson ska hålla dokumenten i den ordning de utfärdades');
    });
  });
});

describe('check-audit: a payment reversal in a forged log, its stream re-hashed', () => {
  test('given a reversal whose amount is altered, then its voucher (the payment\'s amount taken back) no longer matches it, and it no longer matches the payment it names', async () => {
    const f = await settledYear();
    const later = cliOn(f.store, '2025-02-01T10:00:00Z');
    expect((await later('payment', 'record', '--invoice', 'M2024-0001', '--amount', '10000.00', '--date', '2024-02-10', '--reference', 'BG 1')).code).toBe(0);
    const { payments } = JSON.parse((await later('--json', 'invoice', 'show', 'M2024-0001')).out) as { payments: { id: string }[] };
    expect((await later('payment', 'reverse', payments[0].id, '--date', '2024-03-01', '--reason', 'Fel belopp')).code).toBe(0);
    const db = new Database(f.store);
    try {
      const row = db.prepare("SELECT position, data FROM events WHERE type = 'PaymentReversed'").get() as { position: number; data: string };
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...JSON.parse(row.data), amount: '9000.00' }), row.position);
      rewriteChain(db, 'billing-2024');
    } finally {
      db.close();
    }
    const dir = join(f.dir, 'audit-reversal');
    expect((await later('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
    const vouchers = ndjson<{ series: string; number: string; source: Ref }>(join(dir, 'vouchers.ndjson'));
    const n = vouchers.findIndex((v) => v.source.type === 'PaymentReversed') + 1;
    const { number, source } = vouchers[n - 1];
    expect(checkAudit(dir).problems).toEqual([
      `vouchers.ndjson rad ${n}: verifikation B ${number}: debet 10000.00, källan anger 9000.00 (PaymentReversed ${source.streamId}@${source.revision})`,
      `vouchers.ndjson rad ${n}: verifikation B ${number}: återför 9000.00, inbetalningen ${payments[0].id} var 10000.00 (PaymentReversed ${source.streamId}@${source.revision})`,
    ]);
  });
});

describe('check-audit\'s report', () => {
  const result = { ok: true, problems: [], notices: [], files: 5, events: 12345, streams: 1450, references: 19398, splitTables: 1354, vouchers: 2345 };

  test('given a package that holds, then its counts are grouped as Swedish reports print them, with a plain space', () => {
    expect(auditReport(result, 'audit-2023')).toBe('OK: 5 filer stämmer med manifestet; 12 345 händelser i 1 450 strömmar, varje hashkedja obruten; '
      + '19 398 hänvisningar hittade; 1 354 fördelningstabeller stämmer med spårningarna; 2 345 verifikationer balanserar och har sin källa i händelserna\n');
  });

  test('given problems and notices, then one FEL line each, the OBS lines, and the count of problems', () => {
    expect(auditReport({ ...result, ok: false, problems: ['a', 'b'], notices: ['c'] }, 'audit-2023')).toBe('FEL: a\nFEL: b\nOBS: c\n2 fel i audit-2023\n');
  });
});
