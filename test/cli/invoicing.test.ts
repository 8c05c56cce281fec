import Decimal from 'decimal.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocrOf } from '../../domain/ocr';
import Database from 'better-sqlite3';
import { canonicalJson } from '../../domain/canonical-json';
import { formatSek } from '../../domain/money';
import { billingFixture, establishService } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';
import { compiled, runNode, spawnNode } from '../support/processes';

interface Doc {
  number: string; series: string; issueDate: string; dueDate: string; sequence: number; kind: string; buyer: { orgnr: string; name: string }; total: string; totalNet: string; totalVat: string;
  lines: { lineNo: number; amount: string; vatCategory: string; vatRate: string; kind: string; serviceId?: string; provenance: { refs: unknown[] } }[];
  vat: { category: string; rate: string; taxable: string; vat: string }[]; credits?: string[]; references?: string[];
}

const ore = (s: string) => Math.round(Number(s) * 100);

/** The billing fixture with its first quarter invoiced (issued 15 January, due 14 February). */
async function billedQ1() {
  const f = await billingFixture();
  await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
  return f;
}

function documents(store: string, type = 'InvoiceIssued'): Doc[] {
  const db = new Database(store, { readonly: true });
  const rows = db.prepare('SELECT data FROM events WHERE type = ? ORDER BY position').all(type) as { data: string }[];
  db.close();
  return rows.map((r) => JSON.parse(r.data) as Doc);
}


describe('invoice runs', () => {
  test('membership fees and service charges never share an invoice; lines, VAT and totals add up; numbers run 1..n per series', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    expect((await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20')).code).toBe(0);
    const docs = documents(f.store);
    for (const d of docs) {
      const categories = new Set(d.lines.map((l) => l.vatCategory));
      expect(categories.size).toBe(1);
      expect(d.series).toBe(categories.has('O') ? 'M' : 'T');
      expect(d.lines.reduce((a, l) => a + ore(l.amount), 0)).toBe(ore(d.totalNet));
      expect(d.vat.reduce((a, v) => a + ore(v.vat), 0)).toBe(ore(d.totalVat));
      for (const v of d.vat) expect(ore(v.vat)).toBe(Math.round(ore(v.taxable) * Number(v.rate)));
      expect(ore(d.totalNet) + ore(d.totalVat)).toBe(ore(d.total));
      for (const l of d.lines) expect(l.provenance.refs.length).toBeGreaterThan(0);
    }
    for (const series of ['M', 'T']) {
      expect(docs.filter((d) => d.series === series).map((d) => d.sequence)).toEqual(docs.filter((d) => d.series === series).map((_, i) => i + 1));
    }
    // A-conto for the whole year sums to the service's cost exactly.
    const egil = docs.flatMap((d) => d.lines).filter((l) => l.serviceId === 'egil');
    expect(egil.reduce((a, l) => a + ore(l.amount), 0)).toBe(126000000);
    // Malmö (5 000 inhabitants) joined 2024-04-15: its fee, 5 000 × 9/12, falls due in April and is billed by the later run.
    const malmo = docs.find((d) => d.series === 'M' && d.buyer.name === 'Malmö stad')!;
    expect(malmo.lines.map((l) => [l.kind, l.amount])).toEqual([['annual-fee', '3750.00'], ['joining-contribution', '5000.00']]);
  });

  test('given Malmö joining on 2024-04-15, when the year is run on 2024-01-15, then the run names Malmö as billed later (rules 10), and a run dated on its join bills it', async () => {
    const f = await billingFixture();
    const early = await f.run('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    expect(early.out).toContain('Ej fakturerade, medlemskapet börjar efter fakturadatumet 2024-01-15: Malmö stad (från 2024-04-15); det som förfaller för dem faktureras av en körning daterad den dagen eller senare\n');
    expect(documents(f.store).some((d) => d.buyer.name === 'Malmö stad')).toBe(false);
    const json = await f.json<{ awaitingJoin: unknown[] }>('invoice', 'run', '--period', '2024', '--date', '2024-02-01');
    expect(json.awaitingJoin).toEqual([{ member: '212000-1124', name: 'Malmö stad', from: '2024-04-15' }]);
    const onJoin = await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-15');
    expect(onJoin.out).not.toContain('Ej fakturerade');
    expect(documents(f.store).filter((d) => d.buyer.name === 'Malmö stad').map((d) => [d.series, d.issueDate])).toEqual([['M', '2024-04-15'], ['T', '2024-04-15']]);
  });

  test('given a service billed yearly in advance and Malmö joining on 2024-04-15, when the first quarter is run on 2024-01-15, then Malmö\'s year of it is held for a run dated on its join (rules 11), not billed before it is a member', async () => {
    const f = await billingFixture();
    await establishService(f, { serviceId: 'tw', name: 'Tillgänglighetswebb', area: 'Webb', pricing: { kind: 'equal' }, overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2023-01-01' });
    const setup = [
      { type: 'budget.decide', serviceId: 'tw', year: 2024, lines: [{ text: 'Drift', amount: '120000.00' }], decidedOn: '2023-11-15', minutesRef: 'FR TW 2023-11-15 §2' },
      { type: 'enrolment.start', serviceId: 'tw', member: '0180', from: '2024-01-01' },
      { type: 'enrolment.start', serviceId: 'tw', member: '1280', from: '2024-04-15' },
    ];
    writeFileSync(join(f.dir, 'tw.ndjson'), setup.map((l) => JSON.stringify(l)).join('\n'));
    expect((await f.run('apply', join(f.dir, 'tw.ndjson'))).code).toBe(0);
    const q1 = await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    expect(q1.out).toContain('Ej fakturerade, medlemskapet börjar efter fakturadatumet 2024-01-15: Malmö stad (från 2024-04-15)');
    expect(documents(f.store).filter((d) => d.buyer.name === 'Malmö stad')).toEqual([]);
    expect((await f.run('year', 'close', '2024', '--date', '2025-01-20')).err).toContain('Malmö stad');
    expect((await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-15')).code).toBe(0);
    const tw = documents(f.store).filter((d) => d.buyer.name === 'Malmö stad' && d.series === 'T').flatMap((d) => d.lines.filter((l) => l.serviceId === 'tw'));
    expect(tw.map((l) => l.amount)).toHaveLength(1);
    expect(documents(f.store).flatMap((d) => d.lines).filter((l) => l.serviceId === 'tw').reduce((a, l) => a + ore(l.amount), 0)).toBe(12000000);
  });

  test('given Göteborg leaving on 2024-06-15 and rejoining on 2024-06-20, when Q2 is run on 2024-04-10, then its re-entry is held for a run dated on the rejoin (rules 11), not billed before it left', async () => {
    const f = await billingFixture();
    for (const args of [
      ['enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1355-2024-01-01', '--to', '2024-06-15'],
      ['member', 'leave', '1480', '--date', '2024-06-15', '--reason', 'Omorganisation'],
      ['member', 'join', '--orgnr', '212000-1355', '--kind', 'municipality', '--name', 'Göteborgs Stad', '--kommunkod', '1480', '--date', '2024-06-20', '--decision', 'S 2'],
    ]) expect((await f.run(...args)).err).not.toContain('samkost:');
    const q2 = await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-10');
    expect(q2.out).toContain('Ej fakturerade, medlemskapet börjar efter fakturadatumet 2024-04-10: Göteborgs Stad (från 2024-06-20)');
    const gbg = () => documents(f.store).filter((d) => d.buyer.name === 'Göteborgs Stad' && d.series === 'M').flatMap((d) => d.lines.map((l) => [d.issueDate, l.kind]));
    expect(gbg().filter(([, kind]) => kind === 'joining-contribution')).toEqual([]);
    expect((await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-06-20')).code).toBe(0);
    expect(gbg().filter(([, kind]) => kind === 'joining-contribution')).toEqual([['2024-06-20', 'joining-contribution']]);
  });

  test('given Malmö joining on 2024-04-15 (its fee 9/12 from the month of entry), when its membership invoice is shown and exported, then its period is April–December, the months its fee bills; a member of the whole year keeps the year', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-20')).code).toBe(0);
    const member = (name: string) => documents(f.store).find((d) => d.series === 'M' && d.buyer.name === name)!;
    const malmo = member('Malmö stad');
    expect((await f.run('invoice', 'show', malmo.number)).out).toContain('\nPeriod: april–december 2024\n');
    expect((await f.run('export', 'peppol', malmo.number)).out).toContain('<cbc:StartDate>2024-04-01</cbc:StartDate>\n    <cbc:EndDate>2024-12-31</cbc:EndDate>');
    const stockholm = member('Stockholms stad');
    expect((await f.run('invoice', 'show', stockholm.number)).out).toContain('\nPeriod: 2024\n');
    expect((await f.run('export', 'peppol', stockholm.number)).out).toContain('<cbc:StartDate>2024-01-01</cbc:StartDate>\n    <cbc:EndDate>2024-12-31</cbc:EndDate>');
  });

  test('given invoices of a Q2 run, when shown with --json, then `period` is the run\'s period as stored, and `periodOfSupply` beside it the first and last day of what each bills, as the text and Peppol state it', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-20')).code).toBe(0);
    type Shown = { period: string; periodOfSupply: { start: string; end: string } };
    const shown = async (series: string, name: string) => {
      const number = documents(f.store).find((d) => d.series === series && d.buyer.name === name)!.number;
      const json = await f.json<Shown>('invoice', 'show', number);
      const xml = (await f.run('export', 'peppol', number)).out;
      // The same days as the Peppol document's InvoicePeriod.
      expect(json.periodOfSupply).toEqual({ start: /<cbc:StartDate>(.*)</.exec(xml)![1], end: /<cbc:EndDate>(.*)</.exec(xml)![1] });
      return [json.period, json.periodOfSupply];
    };
    // Malmö's first-year fee, from its month of entry; Stockholm's fee, the year; Stockholm's a-conto from January, what fell due and was not billed (rules 4).
    expect(await shown('M', 'Malmö stad')).toEqual(['2024-Q2', { start: '2024-04-01', end: '2024-12-31' }]);
    expect(await shown('M', 'Stockholms stad')).toEqual(['2024-Q2', { start: '2024-01-01', end: '2024-12-31' }]);
    expect(await shown('T', 'Stockholms stad')).toEqual(['2024-Q2', { start: '2024-01-01', end: '2024-06-30' }]);
  });

  test('re-running a period bills nothing already billed', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    const n = documents(f.store).length;
    const again = await f.run('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    expect(again.out).toContain('redan genomförd');
    const later = await f.run('invoice', 'run', '--period', '2024', '--date', '2024-02-01');
    expect(later.out).toContain('inget nytt att fakturera');
    expect(documents(f.store)).toHaveLength(n);
  });

  test('given a run, when a member joins and the same run is given again that day, then the new member is billed by it', async () => {
    const f = await billingFixture();
    const run = ['invoice', 'run', '--period', '2024-01', '--date', '2024-01-15'];
    expect((await f.run(...run)).code).toBe(0);
    const n = documents(f.store).length;
    expect((await f.run('member', 'join', '--orgnr', '232100-0255', '--kind', 'region', '--name', 'Region Skåne', '--date', '2024-01-10', '--decision', 'S3')).code).toBe(0);
    const again = await f.run(...run);
    expect(again.code).toBe(0);
    const billed = documents(f.store).slice(n);
    expect(billed.map((d) => d.buyer.name)).toEqual(['Region Skåne']);
    // And once more: nothing left to bill, so it is answered as the run recorded.
    expect((await f.run(...run)).out).toContain('Fakturakörning 2024-01: redan genomförd');
    expect(documents(f.store)).toHaveLength(n + 1);
  });

  test('two processes running the same period at once make one set of invoices', async () => {
    const f = await billingFixture();
    const cli = compiled('src/cli/main.js').replace(/dist\/src\/cli\/main\.js$/, 'bin/samkost.js');
    const args = ['--store', f.store, 'invoice', 'run', '--period', '2024', '--date', '2024-01-15'];
    const [a, b] = await Promise.all([runNode(cli, args), runNode(cli, [...args.slice(0, 6), '--date', '2024-01-16'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const docs = documents(f.store);
    const keys = docs.flatMap((d) => d.lines.map((l) => (l as unknown as { dueKey: string }).dueKey));
    expect(docs.length).toBeGreaterThan(0);
    expect(new Set(docs.map((d) => d.number)).size).toBe(docs.length);
    // One run billed everything; the other found nothing left (or was the same command).
    expect(new Set(docs.map((d) => (d as unknown as { issueDate: string }).issueDate)).size).toBe(1);
    expect(keys.length).toBe(new Set(keys).size);
  });

  test('a run killed with SIGKILL, then run again, ends with exactly the invoices of one clean run', async () => {
    const clean = await billingFixture();
    await clean.run('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    const f = await billingFixture();
    const cli = compiled('src/cli/main.js').replace(/dist\/src\/cli\/main\.js$/, 'bin/samkost.js');
    const child = spawnNode(cli, ['--store', f.store, 'invoice', 'run', '--period', '2024', '--date', '2024-01-15']);
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect([0, documents(clean.store).length]).toContain(documents(f.store).length);
    const rerun = await runNode(cli, ['--store', f.store, 'invoice', 'run', '--period', '2024', '--date', '2024-01-15']);
    expect(rerun.code).toBe(0);
    expect(canonicalJson(documents(f.store))).toBe(canonicalJson(documents(clean.store)));
  });

  test('replay --verify reproduces every invoice of the year, and fails when one was altered', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    await f.run('invoice', 'credit', 'T2024-0001', '--reason', 'Fel period', '--date', '2024-02-01');
    const ok = await f.run('replay', '--year', '2024', '--verify');
    expect(ok.code).toBe(0);
    const n = documents(f.store).length + documents(f.store, 'CreditNoteIssued').length;
    expect(ok.out).toContain(`${n} av ${n} fakturor och kreditfakturor 2024 återskapade`);
    const db = new Database(f.store);
    const row = db.prepare("SELECT position, data FROM events WHERE type = 'InvoiceIssued' ORDER BY position LIMIT 1").get() as { position: number; data: string };
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('"dueDate":"2024-02-14"', '"dueDate":"2024-03-14"'), row.position);
    db.close();
    const bad = await f.run('replay', '--year', '2024', '--verify');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/AVVIKELSE M2024-0001: dueDate: lagrat "2024-03-14", omräknat "2024-02-14"/);
    expect(bad.out).toContain(`${n - 1} av ${n} fakturor och kreditfakturor 2024 återskapade`);
  });
});

describe('credit notes, payments and receivables', () => {
  test('a credit note refers to its invoice; payments reduce what is open', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const inv = documents(f.store).find((d) => d.series === 'T' && d.buyer.name === 'Stockholms stad')!;
    const cn = await f.run('invoice', 'credit', inv.number, '--reason', 'Felaktig vikt', '--date', '2024-01-20');
    expect(cn.code).toBe(0);
    const note = documents(f.store, 'CreditNoteIssued')[0];
    expect(note).toMatchObject({ number: 'TK2024-0001', credits: [inv.number], total: inv.total });
    // Said as finance reads it: the credit note's number and what it credits.
    expect(cn.out).toMatch(new RegExp(`^Kreditfaktura TK2024-0001 utfärdad 2024-01-20: [\\d ]+,\\d\\d kr som krediterar ${inv.number} \\(billing-2024@\\d+, position \\d+\\)\n$`));
    const again = await f.run('invoice', 'credit', inv.number, '--reason', 'Igen', '--date', '2024-01-21');
    expect(again.code).toBe(2);
    expect(again.err).toBe(`samkost: invoice.credit: allt på ${inv.number} är redan krediterat; inget återstår att kreditera\n`);
    const m = documents(f.store).find((d) => d.series === 'M' && d.buyer.name === 'Stockholms stad')!;
    const paid = await f.run('payment', 'record', '--invoice', m.number, '--amount', '30000.00', '--date', '2024-02-10', '--reference', 'BG 123');
    expect(paid.code).toBe(0);
    expect(paid.out).toMatch(new RegExp(`^Inbetalning registrerad: 30 000,00 kr på ${m.number}, betald 2024-02-10, referens BG 123 \\(billing-2024@\\d+, position \\d+\\)\n$`));
    const rec = await f.json<{ receivables: { name: string; open: string }[] }>('receivables');
    expect(rec.receivables.find((r) => r.name === 'Stockholms stad')!.open).toBe('50000.00');
    const text = await f.run('invoice', 'show', note.number);
    expect(text.out).toContain('KREDITFAKTURA TK2024-0001');
    expect(text.out).toContain(`Avser faktura: ${inv.number}`);
    expect((await f.run('invoice', 'show', inv.number)).out).toContain('Period: kvartal 1 2024');
    // A membership invoice bills the fee year, whichever run issued it (a member of the whole year: Stockholm).
    const fee = documents(f.store).find((d) => d.series === 'M')!;
    expect((await f.run('invoice', 'show', fee.number)).out).toContain('Period: 2024\n');
    expect((await f.run('export', 'peppol', fee.number)).out).toContain('<cbc:StartDate>2024-01-01</cbc:StartDate>\n    <cbc:EndDate>2024-12-31</cbc:EndDate>');
    // A credit note is no invoice to pay or credit, and is named as what it is.
    for (const args of [['payment', 'record', '--invoice', note.number, '--amount', '1.00', '--date', '2024-02-10', '--reference', 'x'], ['invoice', 'credit', note.number, '--reason', 'x', '--date', '2024-02-10']]) {
      expect(await f.run(...args)).toMatchObject({ code: 2, err: `samkost: TK2024-0001 är en kreditfaktura (den krediterar ${inv.number}), inte en faktura\n` });
    }
    // The year's list shows the credit note beside the invoices, with what it credits.
    const listed = await f.json<{ creditNotes: { number: string; kind: string; credits: string[]; total: string }[] }>('invoices', '--year', '2024');
    expect(listed.creditNotes).toEqual([expect.objectContaining({ number: 'TK2024-0001', kind: 'correction', credits: [inv.number], total: inv.total })]);
    expect((await f.run('invoices', '--year', '2024')).out).toMatch(/Kreditfakturor 2024: 1\n[^]*TK2024-0001 │ rättelse/);
  });

  test('given a year with a credit note and a payment, when its invoices are listed, then a Summa row and --json totals give the sum, credited, paid and open of its invoices, and the credit notes\' total', async () => {
    // given the first quarter invoiced, one invoice credited whole and another paid in part
    const f = await billedQ1();
    const before = (await f.json<{ invoices: { number: string; buyerName: string; total: string }[] }>('invoices', '--year', '2024')).invoices;
    const credited = before.find((i) => i.number.startsWith('T') && i.buyerName === 'Stockholms stad')!;
    const paid = before.find((i) => i.number.startsWith('M') && i.buyerName === 'Stockholms stad')!;
    expect((await f.run('invoice', 'credit', credited.number, '--reason', 'Fel vikt', '--date', '2024-01-20')).code).toBe(0);
    expect((await f.run('payment', 'record', '--invoice', paid.number, '--amount', '30000.00', '--date', '2024-02-10', '--reference', 'BG 1')).code).toBe(0);

    // when
    const json = await f.json<{ invoices: { total: string; credited: string; paid: string; open: string }[]; creditNotes: { total: string }[]; totals: Record<string, string> }>('invoices', '--year', '2024');
    const text = (await f.run('invoices', '--year', '2024')).out;

    // then --json's totals (two decimals, as strings) are the sums of the listed columns, the rows as they were
    const sumOf = (xs: string[]) => (xs.reduce((a, x) => a + ore(x), 0) / 100).toFixed(2);
    expect(json.totals).toEqual({
      total: sumOf(json.invoices.map((i) => i.total)), credited: credited.total, paid: '30000.00', refunded: '0.00', open: sumOf(json.invoices.map((i) => i.open)),
      creditNotesTotal: credited.total,
    });
    expect(Number(json.totals.open)).toBeCloseTo(Number(json.totals.total) - Number(credited.total) - 30000, 2);
    expect(Object.keys(json)).toEqual(['year', 'invoices', 'creditNotes', 'totals']);
    // and the text ends each table with a Summa row of the same figures
    const kr = (amount: string) => formatSek(new Decimal(amount));
    expect(text).toMatch(new RegExp(`│ Summa +│ +│ +│ +│ +│ ${kr(json.totals.total)} +│ ${kr(json.totals.credited)} +│ ${kr(json.totals.paid)} +│ ${kr(json.totals.open)} +│\n└`));
    expect(text).toMatch(new RegExp(`Kreditfakturor 2024: 1\n[^]*│ Summa +│ +│ +│ +│ +│ ${kr(json.totals.creditNotesTotal)} +│\n└`));
  });

  test('given a line number named twice (--lines 1,1 or an apply line), when crediting, then it is refused naming the line, and nothing is stored', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const inv = documents(f.store).find((d) => d.series === 'T')!;
    const before = eventCount(f.store);
    const twice = await f.run('invoice', 'credit', inv.number, '--lines', '1,1', '--reason', 'Fel', '--date', '2024-01-20');
    expect(twice).toMatchObject({ code: 2, err: `samkost: invoice.credit: rad 1 på ${inv.number} anges mer än en gång; varje rad krediteras en gång, med det som återstår av den\n` });
    const file = join(f.dir, 'credit.ndjson');
    writeFileSync(file, `${JSON.stringify({ type: 'invoice.credit', invoice: inv.number, reason: 'x', lines: [1, 1, 1], issueDate: '2024-01-20' })}\n`);
    expect((await f.run('apply', file)).code).toBe(2);
    expect(eventCount(f.store)).toBe(before);
    // Each line once is the credit it always was.
    expect((await f.run('invoice', 'credit', inv.number, '--lines', '1', '--reason', 'Fel', '--date', '2024-01-20')).code).toBe(0);
    const note = documents(f.store, 'CreditNoteIssued')[0];
    expect((note.lines as unknown as { credits: { lineNo: number } }[]).map((l) => l.credits.lineNo)).toEqual([1]);
    expect(note.total).toBe(new Decimal(inv.lines[0].amount).mul('1.25').toFixed(2));
  });

  test('receivables at a date: documents issued and payments made by then; what is past due, and by how many days', async () => {
    const f = await billedQ1();
    const inv = documents(f.store).find((d) => d.series === 'T' && d.buyer.name === 'Stockholms stad')!;
    const m = documents(f.store).find((d) => d.series === 'M' && d.buyer.name === 'Stockholms stad')!;
    expect(m.dueDate).toBe('2024-02-14');
    expect((await f.run('payment', 'record', '--invoice', m.number, '--amount', '30000.00', '--date', '2024-03-10', '--reference', 'BG 1')).code).toBe(0);
    expect((await f.run('invoice', 'credit', inv.number, '--reason', 'Felaktig vikt', '--date', '2024-04-02')).code).toBe(0);
    type Rec = { at: string | null; overdueOn: string; open: string; overdue: string; receivables: { name: string; open: string; overdue: string; invoices: { number: string; open: string; daysOverdue: number }[] }[] };
    const stockholm = (r: Rec) => r.receivables.find((x) => x.name === 'Stockholms stad');

    // Before the run nothing was issued; on the due date nothing is late yet.
    expect((await f.json<Rec>('receivables', '--at', '2024-01-14')).receivables).toEqual([]);
    expect(stockholm(await f.json<Rec>('receivables', '--at', '2024-02-14'))).toMatchObject({ open: new Decimal(inv.total).plus(m.total).toFixed(2), overdue: '0.00' });
    // At the end of February both are late by 15 days; the payment of 10 March and the credit of 2 April are not yet made.
    const feb = await f.json<Rec>('receivables', '--at', '2024-02-29', '--member', '0180');
    expect(feb).toMatchObject({ at: '2024-02-29', overdueOn: '2024-02-29' });
    expect(stockholm(feb)!.invoices).toEqual([
      { number: m.number, issueDate: '2024-01-15', dueDate: '2024-02-14', open: m.total, daysOverdue: 15 },
      { number: inv.number, issueDate: '2024-01-15', dueDate: '2024-02-14', open: inv.total, daysOverdue: 15 },
    ]);
    // In March the membership invoice is part paid; after 2 April the a-conto invoice is credited in full and gone.
    const march = stockholm(await f.json<Rec>('receivables', '--at', '2024-03-31'))!;
    expect(march.invoices.map((i) => [i.number, i.open, i.daysOverdue])).toEqual([[m.number, new Decimal(m.total).minus(30000).toFixed(2), 46], [inv.number, inv.total, 46]]);
    const april = await f.json<Rec>('receivables', '--at', '2024-04-30', '--overdue');
    expect(stockholm(april)!.invoices.map((i) => i.number)).toEqual([m.number]);
    // Without --at: everything recorded, late counted to today (the CLI's clock, 1 March 2025: what is left of the membership invoice is late).
    const left = new Decimal(m.total).minus(30000).toFixed(2);
    expect(stockholm(await f.json<Rec>('receivables'))).toMatchObject({ open: left, overdue: left });
    const text = await f.run('receivables', '--at', '2024-02-29', '--overdue', '--member', '0180');
    expect(text.out).toContain(`Kundfordringar, per 2024-02-29; förfallet räknat till 2024-02-29\n`);
    expect(text.out).toContain(`${m.number} (15), ${inv.number} (15)`);
  });

  test('a member whose credit on one invoice nets out another that is overdue is still listed, with what is overdue', async () => {
    const f = await billedQ1();
    const m = documents(f.store).find((d) => d.series === 'M' && d.buyer.name === 'Göteborgs Stad')!;
    const t = documents(f.store).find((d) => d.series === 'T' && d.buyer.name === 'Göteborgs Stad')!;
    const overpay = new Decimal(m.total).plus(t.total).toFixed(2);
    expect((await f.run('payment', 'record', '--invoice', m.number, '--amount', overpay, '--date', '2024-02-01', '--reference', 'BG 7', '--overpayment')).code).toBe(0);
    type Rec = { receivables: { name: string; open: string; overdue: string; invoices: { number: string; open: string }[] }[] };
    const all = (await f.json<Rec>('receivables', '--at', '2024-03-31')).receivables.find((r) => r.name === 'Göteborgs Stad');
    expect(all).toMatchObject({ open: '0.00', overdue: t.total, invoices: [{ number: m.number, open: `-${t.total}` }, { number: t.number, open: t.total }] });
    const late = (await f.json<Rec>('receivables', '--at', '2024-03-31', '--overdue')).receivables.find((r) => r.name === 'Göteborgs Stad');
    expect(late).toMatchObject({ open: t.total, overdue: t.total, invoices: [{ number: t.number }] });
  });

  test('an amount typed the Swedish way (30 000,00) is the amount 30000.00: the same payment, recorded once', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const m = documents(f.store).find((d) => d.series === 'M')!;
    const pay = (amount: string) => f.run('payment', 'record', '--invoice', m.number, '--amount', amount, '--date', '2024-02-10', '--reference', 'BG 1');
    expect((await pay('30 000,00')).out).toContain(`Inbetalning registrerad: 30 000,00 kr på ${m.number}`);
    const before = eventCount(f.store);
    expect((await pay('30000.00')).out).toContain('redan registrerat av kommando');
    expect((await pay(' 30000.00 ')).out).toContain('redan registrerat av kommando');
    expect(eventCount(f.store)).toBe(before);
    // A comma with three digits after it is no decimal comma: refused, never read as thirty thousand.
    expect(await pay('30,000')).toMatchObject({ code: 2, err: 'samkost: --amount ska vara ett belopp som "1 234,50" eller "1234.50", inte "30,000"\n' });
  });

  test('a command id given again to another command is refused and nothing stored; the same payment under another id is recorded once', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const m = documents(f.store).find((d) => d.series === 'M')!;
    const t = documents(f.store).find((d) => d.series === 'T')!;
    expect((await f.run('payment', 'record', '--invoice', m.number, '--amount', '100.00', '--date', '2024-02-10', '--reference', 'BG 1', '--command-id', 'k1')).code).toBe(0);
    const before = eventCount(f.store);
    for (const args of [
      ['payment', 'record', '--invoice', m.number, '--amount', '700.00', '--date', '2024-02-10', '--reference', 'BG 2', '--command-id', 'k1'],
      ['invoice', 'credit', t.number, '--reason', 'Fel', '--date', '2024-02-10', '--command-id', 'k1'],
    ]) {
      const r = await f.run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^samkost: kommando-id k1 användes redan för ett annat kommando \(PaymentRecorded i billing-2024@\d+\); ge detta kommando ett eget id\n$/);
    }
    const same = await f.run('payment', 'record', '--invoice', m.number, '--amount', '100.00', '--date', '2024-02-10', '--reference', 'BG 1', '--command-id', 'k2');
    expect(same).toMatchObject({ code: 0, out: expect.stringMatching(/^payment\.record: redan registrerat; inget nytt sparat \(inbetalningen billing-2024@\d+\)\n$/) });
    expect(eventCount(f.store)).toBe(before);
  });

  test('a bank file of payments is recorded once, however often it is imported; a bad row records nothing', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const file = join(f.dir, 'bank.csv');
    writeFileSync(file, 'date,amount,reference\n2024-02-01,80000.00,M2024-0003\n2024-02-03,10000.00,M2024-0001\n');
    const first = await f.run('payment', 'import', file);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${file}: 2 rader; 2 inbetalningar registrerade (90 000,00 kr)`);
    const before = eventCount(f.store);
    // Imported again: nothing recorded twice, and the counts say so.
    expect(await f.json('payment', 'import', file)).toMatchObject({ ok: true, rows: 2, recorded: 0, alreadyRecorded: 2, amountRecorded: '0.00' });
    expect(eventCount(f.store)).toBe(before);
    // The same payments as a Swedish spreadsheet writes them (a decimal comma, quoted; digits grouped) are the same payments.
    const swedish = join(f.dir, 'bank-sv.csv');
    writeFileSync(swedish, 'date,amount,reference\n2024-02-01,"80 000,00",M2024-0003\n2024-02-03,"10000,00",M2024-0001\n');
    expect(await f.json('payment', 'import', swedish)).toMatchObject({ ok: true, rows: 2, recorded: 0, alreadyRecorded: 2 });
    expect(eventCount(f.store)).toBe(before);
    const bad = join(f.dir, 'bad.csv');
    writeFileSync(bad, 'date,amount,reference\n2024-02-05,5.00,M2024-0001\n2024-02-05,5.00,M2099-0001\n');
    const r = await f.run('payment', 'import', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad} rad 3: okänd faktura M2099-0001`);
    expect(eventCount(f.store)).toBe(before);
    const inv = await f.json<{ invoices: { number: string; paid: string }[] }>('invoices', '--year', '2024');
    expect(inv.invoices.find((i) => i.number === 'M2024-0001')!.paid).toBe('10000.00');
    // A file that is not ours says what is wrong with it, in the user's words, and records nothing.
    for (const [name, text, message] of [
      ['semikolon.csv', 'date;amount;reference\n2024-02-05;5.00;M2024-0001\n', 'rubrikraden ska vara date,amount,reference (komma mellan fälten, små bokstäver; bankReference får finnas också), men saknar date, amount, reference: den är "date;amount;reference"'],
      ['versaler.csv', 'Date,Amount,Reference\n2024-02-05,5.00,M2024-0001\n', 'men saknar date, amount, reference: den är "Date,Amount,Reference"'],
      ['kommatecken.csv', 'date,amount,reference\n2024-02-05,5,00,M2024-0001\n', 'ingen läsbar CSV-fil: rad 2: raden har ett annat antal fält än rubrikraden (ett kommatecken för mycket, eller ett belopp med decimalkomma utan citattecken: skriv 1000.00 eller "1000,00")'],
    ]) {
      const path = join(f.dir, name);
      writeFileSync(path, text);
      const refused = await f.run('payment', 'import', path);
      expect(refused.code).toBe(2);
      expect(refused.err).toBe(`samkost: ${path}: ${message.startsWith('men') ? `rubrikraden ska vara date,amount,reference (komma mellan fälten, små bokstäver; bankReference får finnas också), ${message}` : message}\n`);
    }
    expect(await f.run('payment', 'import', join(f.dir, 'saknas.csv'))).toMatchObject({ code: 2, err: `samkost: kan inte läsa ${join(f.dir, 'saknas.csv')}: filen eller katalogen finns inte\n` });
    expect(await f.run('payment', 'import', f.dir)).toMatchObject({ code: 2, err: `samkost: kan inte läsa ${f.dir}: det är en katalog, inte en fil\n` });
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a payment imported from an export without bank references, when an overlapping export with them is imported (or the other way round), then the payment is not recorded again', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const plain = join(f.dir, 'v1.csv');
    const referenced = join(f.dir, 'v2.csv');
    writeFileSync(plain, 'date,amount,reference\n2024-02-20,100.00,M2024-0001\n2024-02-21,50.00,M2024-0002\n');
    writeFileSync(referenced, 'date,amount,reference,bankReference\n2024-02-20,100.00,M2024-0001,BGC 000000000777\n2024-02-22,70.00,M2024-0001,BGC 000000000778\n');
    expect(await f.json('payment', 'import', plain)).toMatchObject({ recorded: 2 });
    expect(await f.json('payment', 'import', referenced)).toMatchObject({ recorded: 1, alreadyRecorded: 1, amountRecorded: '70.00' });
    // The other way round: the first export had the bank's references, the later one not.
    const later = join(f.dir, 'v3.csv');
    writeFileSync(later, 'date,amount,reference\n2024-02-22,70.00,M2024-0001\n');
    expect(await f.json('payment', 'import', later)).toMatchObject({ recorded: 0, alreadyRecorded: 1 });
    const paid = (await f.json<{ invoices: { number: string; paid: string }[] }>('invoices', '--year', '2024')).invoices.find((i) => i.number === 'M2024-0001')!.paid;
    expect(paid).toBe('170.00');
  });

  test('a bank file whose later row pays more than is left of an invoice (with the rows before it) records it all, the excess the member\'s credit, and says so; a row before its invoice was issued records nothing; the same row twice is two payments, recorded once each however often the file is imported', async () => {
    const f = await billedQ1();
    const m = documents(f.store).find((d) => d.number === 'M2024-0001')!;
    const half = new Decimal(m.total).div(2).toFixed(2);
    const before = eventCount(f.store);
    const early = join(f.dir, 'early.csv');
    writeFileSync(early, `date,amount,reference\n2024-02-01,${half},M2024-0001\n2024-01-10,1.00,M2024-0001\n`);
    expect(await f.run('payment', 'import', early)).toMatchObject({ code: 2, err: `samkost: ${early} rad 3: payment.record: betald 2024-01-10, innan M2024-0001 utfärdades (2024-01-15)\n` });
    expect(eventCount(f.store)).toBe(before);
    const over = join(f.dir, 'over.csv');
    // Each row alone is within the open balance; the third, after the first two, is not.
    writeFileSync(over, `date,amount,reference\n2024-02-01,${half},M2024-0001\n2024-02-02,${half},M2024-0001\n2024-02-03,1.00,M2024-0001\n`);
    const r = await f.run('payment', 'import', over);
    expect(r.code).toBe(0);
    expect(r.out).toContain('M2024-0001: överbetald med 1,00 kr (rad 4); överskottet blir medlemmens tillgodohavande\n');
    expect(eventCount(f.store)).toBe(before + 3);
    const rec = await f.json<{ receivables: { invoices: { number: string; open: string }[] }[] }>('receivables');
    expect(rec.receivables.flatMap((x) => x.invoices).find((i) => i.number === 'M2024-0001')?.open).toBe('-1.00');
    // Typed by hand, the same excess is refused unless declared.
    const typed = ['payment', 'record', '--invoice', 'M2024-0001', '--amount', '5.00', '--date', '2024-02-04', '--reference', 'BG 9'];
    expect((await f.run(...typed)).err).toBe('samkost: payment.record: inget är obetalt på M2024-0001, som är betald eller krediterad i sin helhet med 1,00 kr tillgodo, så 5,00 kr kan inte registreras som betalning av den; är pengarna redan mottagna, registrera dem som överbetalning (--overpayment; i ett kommando "overpayment": true)\n');
    expect((await f.run(...typed, '--overpayment')).code).toBe(0);
    const twice = join(f.dir, 'twice.csv');
    const t = documents(f.store).find((d) => d.number === 'T2024-0001')!;
    writeFileSync(twice, `date,amount,reference\n2024-02-01,${t.total},T2024-0001\n2024-02-01,${t.total},T2024-0001\n`);
    const n = eventCount(f.store);
    expect((await f.run('payment', 'import', twice))).toMatchObject({ code: 0, err: '' });
    expect(eventCount(f.store)).toBe(n + 2);
    expect((await f.run('payment', 'import', twice)).code).toBe(0);
    expect(eventCount(f.store)).toBe(n + 2);
  });

  test('given a bank file without bank references repeating a row (two payments of the same amount, day and invoice), when it is imported, then each row is a payment; imported again, or after a file with the first of them alone, nothing is recorded twice', async () => {
    const f = await billedQ1();
    const row = '2024-02-02,100.00,M2024-0002\n';
    const file = (name: string, rows: number) => {
      const path = join(f.dir, name);
      writeFileSync(path, `date,amount,reference\n${row.repeat(rows)}`);
      return path;
    };
    const [one, dup, three] = [file('one.csv', 1), file('dup.csv', 2), file('three.csv', 3)];
    const paid = async () => (await f.json<{ paid: string }>('invoice', 'show', 'M2024-0002')).paid;
    const references = () => documents(f.store, 'PaymentRecorded').map((p) => (p as unknown as { reference: string }).reference);

    // Given a file with the row once, imported before the file repeating it: its identity is what it always was.
    expect(await f.json('payment', 'import', one)).toMatchObject({ recorded: 1, alreadyRecorded: 0 });
    expect(references()).toEqual(['M2024-0002']);
    // When the file with the row twice is imported: the first row is that payment, the second another.
    const r = await f.run('payment', 'import', dup);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`${dup}: 2 rader; 1 inbetalning registrerad (100,00 kr), 1 fanns redan och registrerades inte igen\n`);
    expect(references()).toEqual(['M2024-0002', 'M2024-0002 #2']);
    expect(await paid()).toBe('200.00');
    // Then imported again nothing is recorded; a file with it three times records the third.
    const before = eventCount(f.store);
    expect(await f.json('payment', 'import', dup)).toMatchObject({ recorded: 0, alreadyRecorded: 2, typedByHand: 0 });
    expect(eventCount(f.store)).toBe(before);
    expect(await f.json('payment', 'import', three)).toMatchObject({ recorded: 1, alreadyRecorded: 2, amountRecorded: '100.00' });
    expect(await paid()).toBe('300.00');

    // A payment typed by hand answers for one row of the same amount and day; the file's second row is money of its own.
    expect((await f.run('payment', 'record', '--invoice', 'M2024-0003', '--amount', '50.00', '--date', '2024-02-03', '--reference', 'BG 7')).code).toBe(0);
    const typed = join(f.dir, 'typed.csv');
    writeFileSync(typed, 'date,amount,reference\n2024-02-03,50.00,M2024-0003\n2024-02-03,50.00,M2024-0003\n');
    expect(await f.json('payment', 'import', typed)).toMatchObject({ recorded: 1, typedByHand: 1 });
    expect(await f.json('payment', 'import', typed)).toMatchObject({ recorded: 0, typedByHand: 1, alreadyRecorded: 1 });
    expect((await f.json<{ paid: string }>('invoice', 'show', 'M2024-0003')).paid).toBe('100.00');
  });

  test('a bank file with a row dated after today is refused whole, naming the row: nothing of it is recorded', async () => {
    const f = await billedQ1();
    const file = join(f.dir, 'future.csv');
    writeFileSync(file, 'date,amount,reference\n2024-02-03,10.00,M2024-0001\n2027-02-03,10.00,M2024-0002\n');
    const before = eventCount(f.store);
    expect(await f.run('payment', 'import', file)).toMatchObject({ code: 2, err: `samkost: ${file} rad 3: payment.record M2024-0002: valutadagen 2027-02-03 ligger efter i dag (2025-03-01); ange dagen det hände\n` });
    expect(eventCount(f.store)).toBe(before);
  });

  test('a bank file giving OCR numbers pays the invoices they stand for; without a bank reference of its own a payment is known by its invoice, so a file giving the invoice number instead is the same payment', async () => {
    const f = await billedQ1();
    const file = join(f.dir, 'bank.csv');
    writeFileSync(file, `date,amount,reference\n2024-02-03,10000.00,${ocrOf('M2024-0001')}\n`);
    expect((await f.run('payment', 'import', file))).toMatchObject({ code: 0 });
    const paid = JSON.parse((await f.run('--json', 'events', '--stream', 'billing-2024')).out) as { type: string; data: { invoice: string; reference: string } }[];
    expect(paid.filter((e) => e.type === 'PaymentRecorded').map((e) => e.data)).toEqual([{ invoice: 'M2024-0001', amount: '10000.00', date: '2024-02-03', reference: 'M2024-0001', fromBank: true }]);
    const before = eventCount(f.store);
    const byNumber = join(f.dir, 'bank2.csv');
    writeFileSync(byNumber, 'date,amount,reference\n2024-02-03,10000,M2024-0001\n');
    expect((await f.run('payment', 'import', byNumber)).code).toBe(0);
    // Typed by hand with the same reference, it is the same command too.
    expect((await f.run('payment', 'record', '--invoice', ocrOf('M2024-0001') as string, '--amount', '10000.00', '--date', '2024-02-03', '--reference', 'M2024-0001')).code).toBe(0);
    const typo = await f.run('payment', 'record', '--invoice', '1202400000131', '--amount', '5.00', '--date', '2024-02-03', '--reference', 'x');
    expect(typo).toMatchObject({ code: 2, err: 'samkost: payment.record: --invoice: ogiltigt OCR-nummer "1202400000131": kontrollsiffran stämmer inte (felskrivet?)\n' });
    expect(eventCount(f.store)).toBe(before);
  });

  test('a bank file with no payment in it is refused, naming it', async () => {
    const f = await billedQ1();
    const file = join(f.dir, 'empty.csv');
    for (const text of ['', 'date,amount,reference\n']) {
      writeFileSync(file, text);
      expect(await f.run('payment', 'import', file)).toMatchObject({ code: 2, err: `samkost: ${file}: inga betalningar i filen (en CSV-fil ska ha rubrikraden date,amount,reference och en rad per betalning)\n` });
    }
  });

  test('an invoice credited and not paid shows what the credit notes took and what is left to pay, not only what it billed', async () => {
    const f = await billedQ1();
    expect((await f.run('invoice', 'credit', 'T2024-0001', '--lines', '1', '--reason', 'Fel vikt', '--date', '2024-02-01')).code).toBe(0);
    const shown = await f.json<{ total: string; credited: string; open: string }>('invoice', 'show', 'T2024-0001');
    const out = (await f.run('invoice', 'show', 'T2024-0001')).out;
    expect(out).toContain(`\nKrediterat: ${formatSek(new Decimal(shown.credited))} (TK2024-0001)\nBetalt: 0,00 kr\nKvar att betala: ${formatSek(new Decimal(shown.open))}\n`);
    expect(ore(shown.open)).toBe(ore(shown.total) - ore(shown.credited));
  });

  test('a bank file with blank lines names the line of a bad row as the file has it', async () => {
    const f = await billedQ1();
    const file = join(f.dir, 'gaps.csv');
    writeFileSync(file, 'date,amount,reference\n\n\n2024-02-03,5.00,M2099-0001\n');
    expect((await f.run('payment', 'import', file)).err).toBe(`samkost: ${file} rad 4: okänd faktura M2099-0001\n`);
  });

  test.each([
    [['invoice', 'credit', 'T2024-9999', '--reason', 'x'], 'okänd faktura T2024-9999'],
    [['payment', 'record', '--invoice', 'M2024-0099', '--amount', '100.00', '--date', '2024-02-01', '--reference', 'x'], 'okänd faktura M2024-0099'],
    [['payment', 'record', '--invoice', 'M2024-0001', '--amount', '999999.00', '--date', '2024-02-01', '--reference', 'x'], 'överstiger det obetalda beloppet på M2024-0001'],
    [['invoice', 'credit', 'M2024-0001', '--lines', '7', '--reason', 'x'], 'faktura M2024-0001 har ingen rad 7'],
    [['invoice', 'run', '--period', '2024-13'], 'perioden "2024-13" är inte ett år'],
    // Typed, an amount is taken as "1 234,50" too, so the refusal says so, not only the stored form.
    [['payment', 'record', '--invoice', 'M2024-0001', '--amount', '12x', '--date', '2024-02-01', '--reference', 'x'], 'samkost: --amount ska vara ett belopp som "1 234,50" eller "1234.50", inte "12x"'],
    [['payment', 'record', '--invoice', 'M2024-0001', '--amount', '9999999999999999', '--date', '2024-02-01', '--reference', 'x'], 'samkost: --amount får ha högst 15 siffror före decimaltecknet, inte 16 ("9999999999999999")'],
    [['budget', 'decide', '--service', 'egil', '--year', '2025', '--line', 'Drift=12,345', '--decided-on', '2024-11-01', '--minutes', 'x'], 'samkost: --line "Drift=12,345": ska vara ett belopp som "1 234,50" eller "1234.50", inte "12,345"'],
    // Dated after today (the fixture's clock, 2025-03-01): a year mistyped would book them in a year not begun.
    [['payment', 'record', '--invoice', 'M2024-0001', '--amount', '100.00', '--date', '2027-02-03', '--reference', 'x'], 'payment.record M2024-0001: valutadagen 2027-02-03 ligger efter i dag (2025-03-01); ange dagen det hände'],
    [['invoice', 'credit', 'M2024-0001', '--reason', 'x', '--date', '2027-06-01'], 'invoice.credit M2024-0001: kreditfakturans datum 2027-06-01 ligger efter i dag (2025-03-01)'],
    [['cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '10.00', '--supplier', 'X AB', '--reference', 'FUT', '--date', '2027-06-01'], 'cost.record egil: kostnadens datum 2027-06-01 ligger efter i dag (2025-03-01)'],
    // An invoice dated ahead would also stop every run dated before it until then (a series is in date order).
    [['invoice', 'run', '--period', '2024-Q2', '--date', '2027-04-01'], 'invoice.run 2024-Q2: fakturadatumet 2027-04-01 ligger efter i dag (2025-03-01); en faktura dateras den dag den utfärdas, i dag eller tidigare'],
    [['settle', '--service', 'egil', '--year', '2024', '--date', '2027-01-20'], 'settlement.run egil 2024: fakturadatumet 2027-01-20 ligger efter i dag (2025-03-01)'],
  ])('refused: samkost %j', async (args, message) => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const before = eventCount(f.store);
    const r = await f.run(...args);
    expect(r.err).toContain(message);
    expect(r.code).toBe(2);
    expect(eventCount(f.store)).toBe(before);
  });
});

describe('year-end settlement and closing', () => {
  test('actual cost equal to the budget: no settlement documents', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1200000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
    const before = documents(f.store).length;
    const r = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
    expect(r.code).toBe(0);
    expect(documents(f.store)).toHaveLength(before);
    expect(documents(f.store, 'CreditNoteIssued')).toHaveLength(0);
  });

  test('actual cost 10 % over budget: supplementary invoices sum exactly to the 10 % plus overhead, referencing the a-conto invoices', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '320000.00', '--supplier', 'Leverantör AB', '--reference', 'F-2', '--date', '2024-12-31');
    const r = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^samkost: varning: säljaren är platshållaren 802999-0002/);
    const settlement = documents(f.store).filter((d) => d.kind === 'settlement');
    expect(settlement.length).toBeGreaterThan(0);
    expect(settlement.reduce((a, d) => a + ore(d.totalNet), 0)).toBe(12600000);
    for (const d of settlement) expect(d.references?.length).toBeGreaterThan(0);
    const replay = await f.run('replay', '--year', '2024', '--verify');
    expect(replay.code).toBe(0);
  });

  test('actual cost under budget: settlement credit notes refer to the a-conto invoices', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1080000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20')).code).toBe(0);
    const notes = documents(f.store, 'CreditNoteIssued');
    expect(notes.reduce((a, d) => a + ore(d.totalNet), 0)).toBe(12600000);
    for (const n of notes) expect(n.credits!.length).toBeGreaterThan(0);
  });

  test('a settlement credit note goes to the invoices it names, each taking what is unpaid of it, not all to the first: a paid invoice is not left below zero beside open ones', async () => {
    const f = await billingFixture();
    for (const [period, date] of [['2024-Q1', '2024-01-15'], ['2024-Q2', '2024-04-15'], ['2024-Q3', '2024-07-15'], ['2024-Q4', '2024-10-15']]) {
      expect((await f.run('invoice', 'run', '--period', period, '--date', date)).code).toBe(0);
    }
    type Listed = { invoices: { number: string; buyerName: string; total: string; open: string }[] };
    const stockholm = (await f.json<Listed>('invoices', '--year', '2024')).invoices.filter((i) => i.number.startsWith('T') && i.buyerName === 'Stockholms stad');
    expect(stockholm).toHaveLength(4);
    // The last quarter's invoice, which the settlement's note names first, paid in full.
    const last = stockholm[stockholm.length - 1];
    expect((await f.run('payment', 'record', '--invoice', last.number, '--amount', last.total, '--date', '2024-10-20', '--reference', 'BG 1')).code).toBe(0);
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '900000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20')).code).toBe(0);
    const note = documents(f.store, 'CreditNoteIssued').find((d) => d.buyer.name === 'Stockholms stad')!;
    expect(note.credits![0]).toBe(last.number);
    const after = (await f.json<Listed>('invoices', '--year', '2024')).invoices.filter((i) => i.number.startsWith('T') && i.buyerName === 'Stockholms stad');
    const open = Object.fromEntries(after.map((i) => [i.number, ore(i.open)]));
    // Paid, it takes nothing; the third quarter's takes the note up to its total, and so on back.
    expect(open[last.number]).toBe(0);
    expect(Object.values(open).every((o) => o >= 0)).toBe(true);
    const billed = stockholm.slice(0, 3).reduce((a, i) => a + ore(i.total), 0);
    expect(Object.values(open).reduce((a, o) => a + o, 0)).toBe(billed - ore(note.total));
    // The third quarter's, which took the note's credit, is then credited whole: the note's part moves to the
    // quarters still open, so that no invoice is credited beyond its total while another is open.
    const third = stockholm[2];
    // What was open the day before the correction is what a reminder sent that day named, before and after it.
    const dayBefore = async () => JSON.stringify(await f.json('receivables', '--member', '0180', '--at', '2025-01-24'));
    const asItStood = await dayBefore();
    expect((await f.run('invoice', 'credit', third.number, '--reason', 'Fel period', '--date', '2025-01-25')).code).toBe(0);
    expect(await dayBefore()).toBe(asItStood);
    const later = (await f.json<Listed>('invoices', '--year', '2024')).invoices.filter((i) => i.number.startsWith('T') && i.buyerName === 'Stockholms stad');
    const opens = later.map((i) => ore(i.open));
    expect(opens.every((o) => o >= 0)).toBe(true);
    expect(opens.reduce((a, o) => a + o, 0)).toBe(billed - ore(note.total) - ore(third.total));
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(0);
  });

  test('an a-conto invoice a settlement credit note names can still be credited whole, and settling again brings the member\'s net back to its share', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1080000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20')).code).toBe(0);
    const [note] = documents(f.store, 'CreditNoteIssued');
    const invoice = note.credits![0];
    // The settlement's credit is carried by this invoice's open amount; it used to count against a correction too.
    const credited = await f.run('invoice', 'credit', invoice, '--reason', 'Fakturerad fel mottagare', '--date', '2025-01-25');
    expect([credited.code, credited.err]).toEqual([0, '']);
    const whole = documents(f.store, 'CreditNoteIssued').at(-1)!;
    expect(whole.totalNet).toBe(documents(f.store).find((d) => d.number === invoice)!.totalNet);
    // The member's enrolment still stands, so its share of the actual cost is what it was: settling again
    // bills what the credit took off it, and the member's net for the year is its share again.
    const share = ore(whole.totalNet) - ore(note.totalNet);
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-26')).code).toBe(0);
    const again = documents(f.store).filter((d) => d.kind === 'settlement');
    expect(again).toHaveLength(1);
    expect(ore(whole.totalNet) - ore(note.totalNet) - ore(whole.totalNet) + ore(again[0].totalNet)).toBe(share);
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-27')).err).toContain('redan slutreglerad, och inget har ändrats sedan');
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(0);
  });

  test('a close cannot be undone, so a mistyped year or date is refused: a date inside the year or after today, a year before which one with invoices is open, a year with something unbilled', async () => {
    const f = await billingFixture();
    const inMarch = cliOn(f.store, '2025-03-01T10:00:00Z');
    const before = eventCount(f.store);
    for (const [args, message] of [
      [['year', 'close', '2024', '--date', '2024-12-31'], 'year.close 2024: stängningsdatumet 2024-12-31 ligger inte efter årets slut; ett år stängs när det har slutat (tidigast 2025-01-01)'],
      [['year', 'close', '2030', '--date', '2031-01-10'], 'year.close 2030: stängningsdatumet 2031-01-10 ligger efter i dag (2025-03-01)'],
      // A command's dates lie in 1990–2100, as --year's years do: 2101 is refused before anything is decided.
      [['year', 'close', '2100', '--date', '2101-01-10'], '--date ska vara ett datum mellan 1990-01-01 och 2100-12-31, inte "2101-01-10"'],
      [['year', 'close', '2024', '--date', '2025-02-01'], 'year.close 2024: 16 poster av året är inte fakturerade (Göteborgs Stad, Malmö stad, Region Stockholm och 1 till); kör samkost invoice run för året först'],
    ] as const) {
      const r = await inMarch(...args);
      expect([r.code, r.err]).toEqual([2, `samkost: ${message}\n`]);
    }
    expect(eventCount(f.store)).toBe(before);
    // 2024 billed and settled, then 2025 closed before it: refused, years close in order.
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1100000.00', '--supplier', 'L', '--reference', 'F', '--date', '2024-12-31');
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20')).code).toBe(0);
    const in2026 = cliOn(f.store, '2026-03-01T10:00:00Z');
    const r = await in2026('year', 'close', '2025', '--date', '2026-02-01');
    expect([r.code, r.err]).toEqual([2, 'samkost: year.close 2025: stäng först 2024, som har fakturor; år stängs i ordning, eftersom ett års utgående balanser är nästa års ingående\n']);
    // Its settlement was issued on 2025-01-20: a close dated before it would record the year final before it.
    const early = await in2026('year', 'close', '2024', '--date', '2025-01-10');
    expect([early.code, early.err]).toEqual([2, expect.stringMatching(/^samkost: year\.close 2024: stängningsdatumet 2025-01-10 ligger före TK2024-0001 \(utfärdad 2025-01-20\); ett år stängs tidigast den dag dess sista faktura eller kreditfaktura utfärdades\n$/)]);
    expect((await in2026('year', 'close', '2024', '--date', '2025-01-20')).code).toBe(0);
  });

  test('a closed year refuses an invoice run and anything else that would change its figures', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    // The close is made in March 2025, after the year has ended.
    const inMarch = cliOn(f.store, '2025-03-01T10:00:00Z');
    const early = await inMarch('year', 'close', '2024', '--date', '2025-02-01');
    expect(early.code).toBe(2);
    expect(early.err).toContain('slutreglera först dessa tjänster: egil');
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1200000.00', '--supplier', 'L', '--reference', 'F', '--date', '2024-12-31');
    await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
    expect((await inMarch('year', 'close', '2024', '--date', '2025-02-01')).code).toBe(0);
    const before = eventCount(f.store);
    for (const args of [
      ['invoice', 'run', '--period', '2024-Q4', '--date', '2025-02-02'],
      ['budget', 'decide', '--service', 'egil', '--year', '2024', '--line', 'x=1.00', '--decided-on', '2025-02-02', '--minutes', 'x'],
      ['enrolment', 'start', '--service', 'egil', '--member', '232100-0016', '--from', '2024-06-01'],
    ]) {
      const r = await f.run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('året 2024 stängdes 2025-02-01');
    }
    // A document or payment is booked on its date, whatever year it bills or pays: dated in the closed year,
    // it would change that year's receivables, VAT and SIE file after the close.
    const invoice = documents(f.store).find((d) => d.number.startsWith('T2024-'))!;
    for (const [args, message] of [
      [['invoice', 'run', '--period', '2025-Q1', '--date', '2024-12-15'], 'invoice.run 2025-Q1: daterad 2024-12-15, men året 2024 stängdes 2025-02-01'],
      [['payment', 'record', '--invoice', invoice.number, '--amount', '1.00', '--date', '2024-12-31', '--reference', 'sent'], `payment.record ${invoice.number}: daterad 2024-12-31, men året 2024 stängdes 2025-02-01`],
    ]) {
      const r = await f.run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
    }
    expect(eventCount(f.store)).toBe(before);
    // Paid after the close, the same invoice's payment is booked in the open year.
    expect((await f.run('payment', 'record', '--invoice', invoice.number, '--amount', '1.00', '--date', '2025-02-03', '--reference', 'i tid')).code).toBe(0);
  });

  test('a credit note dated before its invoice, and a run or settlement dated before an invoice its series already has, are refused', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const invoice = documents(f.store)[0];
    const before = eventCount(f.store);
    for (const [args, message] of [
      [['invoice', 'credit', invoice.number, '--reason', 'Fel', '--date', '2024-01-10'], `invoice.credit ${invoice.number}: daterad 2024-01-10, innan fakturan utfärdades (2024-01-15)`],
      [['invoice', 'run', '--period', '2024-Q2', '--date', '2024-01-14'], 'invoice.run 2024-Q2: daterad 2024-01-14, före'],
    ]) {
      const r = await f.run(...args);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain(message);
    }
    expect(eventCount(f.store)).toBe(before);
    // Credit notes are numbered apart: a credit dated later does not hold back a run dated before it.
    expect((await f.run('invoice', 'credit', invoice.number, '--reason', 'Fel', '--date', '2024-04-05')).code).toBe(0);
    expect((await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-01')).code).toBe(0);
    // A settlement that would issue invoices is held to the same order.
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '2000000.00', '--supplier', 'L', '--reference', 'F', '--date', '2024-12-31');
    const early = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2024-03-01');
    expect(early.code).toBe(2);
    expect(early.err).toContain('settlement.run egil 2024: daterad 2024-03-01, före T2024-');
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20')).code).toBe(0);
  });

  test('rules 9: a settlement whose credit notes would be dated before a note its series (TK) already has is refused; dated on or after it, it is issued', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    const t = documents(f.store).find((d) => d.number.startsWith('T'))!;
    expect((await f.run('invoice', 'credit', t.number, '--lines', '1', '--reason', 'Fel', '--date', '2025-01-24')).code).toBe(0);
    // Less actual cost than billed: the settlement credits every member the difference, in the TK series.
    await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '10000.00', '--supplier', 'L', '--reference', 'F', '--date', '2024-12-31');
    const before = eventCount(f.store);
    const early = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-22');
    expect(early.code).toBe(2);
    expect(early.err).toMatch(/^samkost: settlement\.run egil 2024: daterad 2025-01-22, före kreditfakturan TK2024-0001 \(2025-01-24\); kreditfakturorna numreras i datumordning/);
    expect(eventCount(f.store)).toBe(before);
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-24')).code).toBe(0);
  });
});
