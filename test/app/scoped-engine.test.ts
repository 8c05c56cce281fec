import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../domain/canonical-json';
import { type Command, parseCommand } from '../../domain/commands';
import { decide } from '../../domain/decide';
import { openBalance } from '../../domain/state';
import { documentsRead } from '../../domain/documents-read';
import type { DomainEvent } from '../../domain/events';
import { domainCodec } from '../../src/app/codec';
import { feesForYear } from '../../projections/fees';
import { invoiceShown, invoiceSummaries, receivables, renderDocument, renderPayments } from '../../projections/invoices';
import { peppolXml } from '../../src/export/peppol';
import Decimal from 'decimal.js';
import { bookedCostRefs, DEFAULT_CHART, journal, ledger } from '../../projections/ledger';
import { sieDocumentFor } from '../../src/cli/ledger-commands';
import { writeSie } from '../../src/export/sie';
import { selfCost } from '../../projections/selfcost';
import { InvoiceReplay } from '../../projections/replay';
import { checkSplits, checkVouchers } from '../../src/app/verify';
import { simulate } from '../../projections/simulate';
import { splitForYear } from '../../projections/splits';
import { documentFilter } from '../../src/app/document-filter';
import { Engine, type EngineScope, refOf, scopeOfCommands } from '../../src/app/engine';
import { foldDocuments, traceDocuments } from '../../src/app/trace';
import { main as cliMain } from '../../src/cli/main';
import { checkAudit } from '../../scripts/check-audit';
import { balancesOf, BOOKS_SCOPE, RECEIVABLES_SCOPE, withEngineFor } from '../../src/cli/context';
import { type LineTrace, TraceCache, traceDocument } from '../../projections/trace';
import { SqliteEventStore } from '../../src/store/sqlite';
import { generate, syntheticOrgnr } from '../../scripts/generate';
import { RULES_VERSION } from '../../domain/rules';

const clock = { now: () => new Date('2024-02-10T09:00:00Z') };
const ctx = { today: '2024-02-10' };
const seller = { orgnr: '802999-0002', name: 'Föreningen Sambruk', vatNumber: 'SE802999000201', address: { street: 'Box 1', postalCode: '811 80', city: 'Sandviken' } };

/** A decision, or the error it gave, as comparable text. */
function outcome(command: Command, engine: Engine): string {
  try {
    return canonicalJson(decide(command, engine.state, ctx));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

async function folded(file: string, scope?: EngineScope): Promise<Engine> {
  const engine = new Engine(new SqliteEventStore(file, domainCodec), 'test', clock, scope);
  await engine.catchUp();
  return engine;
}

/** `use` on the fold of `file` (with `scope`), the store closed after it whatever happens. */
async function withFold<T>(file: string, scope: EngineScope | undefined, use: (engine: Engine) => T | Promise<T>): Promise<T> {
  const engine = await folded(file, scope);
  try {
    return await use(engine);
  } finally {
    await engine.store.close();
  }
}

describe('documentsRead: the billing years a decision reads, from the command alone', () => {
  test.each([
    [{ type: 'member.leave', member: '212000-0142', date: '2024-12-31', decisionRef: 'S', reason: 'x' }, { years: [2025, 2026, 2027] }],
    [{ type: 'enrolment.end', serviceId: 'egil', enrolmentId: 'e1', to: '2024-12-31' }, { years: [] }],
    [{ type: 'invoice.run', period: '2024-Q2', issueDate: '2024-04-01', paymentTermsDays: 30, vatRate: '0.25', seller }, { years: [2024] }],
    [{ type: 'invoice.run', period: '2024-13', issueDate: '2024-04-01', paymentTermsDays: 30, vatRate: '0.25', seller }, { years: [] }],
    [{ type: 'payment.record', invoice: 'T2023-0012', amount: '10.00', date: '2024-01-10', reference: 'r' }, { years: [2023] }],
    [{ type: 'invoice.credit', invoice: 'MK2022-0001', reason: 'r', issueDate: '2024-01-10' }, { years: [2022] }],
    [{ type: 'payment.record', invoice: 'faktura 12', amount: '10.00', date: '2024-01-10', reference: 'r' }, 'all'],
    [{ type: 'year.close', year: 2023, date: '2024-02-01', decisionRef: 'S' }, 'all'],
    // A payment is reversed in its invoice's year, which the stream its id names tells; its event id alone does not.
    [{ type: 'payment.reverse', payment: 'billing-2023@17', date: '2024-01-10', reason: 'r' }, { years: [2023] }],
    [{ type: 'payment.reverse', payment: '0d6a7f5e-3b1c-5a2e-9f4d-1c2b3a4d5e6f', date: '2024-01-10', reason: 'r' }, 'all'],
    // Whether the books already begin before the opening year is told by any year's document.
    [{ type: 'ledger.opening', year: 2023, balances: [{ account: '1930', amount: '1.00' }, { account: '2091', amount: '-1.00' }], reference: 'UB 2022' }, 'all'],
    // A correction reads the recorded set and whether its year is closed, neither of them a document.
    [{ type: 'ledger.opening.correct', year: 2023, balances: [{ account: '1930', amount: '2.00' }, { account: '2091', amount: '-2.00' }], reference: 'UB 2022', reason: 'r' }, { years: [] }],
  ])('given %j, then it reads %j', (input, expected) => {
    expect(documentsRead(parseCommand(input))).toEqual(expected);
  });
});

describe('Engine with a scope: only the documents of the years a command reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-scoped-'));
  let file: string;
  let full: Engine;

  beforeAll(async () => {
    // Two invoiced years (2022 and 2023) with settlements, credit notes and payments, cut before the
    // invoice run of June 2023: 2022 is closed, 2023 open with five months billed.
    const whole = (await generate({ scale: 0.05, years: 2, fromYear: 2022, progressEvery: 0, log: () => undefined, seed: 5, store: join(dir, 'whole.db') })).store;
    file = join(dir, 'history.db');
    await new SqliteEventStore(file, domainCodec).close();
    const db = new Database(file);
    try {
      db.prepare('ATTACH DATABASE ? AS src').run(whole);
      const cut = db.prepare("SELECT min(position) AS p FROM src.events WHERE stream_id = 'billing-2023' AND type = 'InvoiceIssued' AND json_extract(data, '$.period') = '2023-06'").get() as { p: number };
      db.prepare('INSERT INTO main.events SELECT * FROM src.events WHERE position < ? ORDER BY position').run(cut.p);
    } finally {
      db.close();
    }
    full = await folded(file);
  }, 120_000);

  afterAll(async () => {
    await full.store.close();
  });

  test('given a two-year history, when each command is decided on the whole fold and on the scoped one, then the events or the error are the same', async () => {
    const invoices = (year: number) => [...(full.state.billing.get(year)?.invoices.values() ?? [])];
    const open2023 = invoices(2023).find((i) => openBalance(i).gt(1));
    const credited2023 = invoices(2023).find((i) => i.invoice.series === 'T' && i.creditedNet.size === 0);
    const closed2022 = invoices(2022)[0];
    const service = [...full.state.services.values()][0].service.serviceId;
    const paid2023 = invoices(2023).flatMap((i) => i.payments)[0];
    expect(open2023 && credited2023 && closed2022 && paid2023).toBeTruthy();
    const run = { issueDate: '2024-02-10', paymentTermsDays: 30, vatRate: '0.25', seller };
    const inputs = [
      { type: 'member.join', orgnr: syntheticOrgnr('8020', 999), kind: 'organisation', name: 'Ny förening', date: '2024-02-01', decisionRef: 'S' },
      { type: 'payment.record', invoice: open2023!.invoice.number, amount: '1.00', date: '2024-02-10', reference: 'bank 1' },
      { type: 'payment.record', invoice: open2023!.invoice.number, amount: '99999999.00', date: '2024-02-10', reference: 'bank 2' },
      { type: 'payment.record', invoice: 'T2023-9999', amount: '1.00', date: '2024-02-10', reference: 'bank 3' },
      { type: 'payment.reverse', payment: `${paid2023.ref.streamId}@${paid2023.ref.revision}`, date: '2024-02-10', reason: 'Fel faktura' },
      { type: 'payment.reverse', payment: 'billing-2023@999999', date: '2024-02-10', reason: 'Fel faktura' },
      { type: 'invoice.credit', invoice: credited2023!.invoice.number, lines: [1], reason: 'Fel belopp', issueDate: '2023-06-20' },
      { type: 'invoice.credit', invoice: closed2022.invoice.number, reason: 'Fel belopp', issueDate: '2023-06-20' },
      { type: 'invoice.run', period: '2023-06', ...run },
      { type: 'invoice.run', period: '2023', ...run },
      { type: 'invoice.run', period: '2022-Q4', ...run },
      { type: 'invoice.run', period: '2024-01', ...run },
      { type: 'invoice.run', period: '2023-13', ...run },
      { type: 'settlement.run', serviceId: service, year: 2023, ...run },
      { type: 'settlement.run', serviceId: service, year: 2022, ...run },
      { type: 'year.close', year: 2023, date: '2024-02-10', decisionRef: 'Styrelsen §1' },
      { type: 'year.close', year: 2022, date: '2024-02-10', decisionRef: 'Styrelsen §1' },
      { type: 'ledger.opening.correct', year: 2022, balances: [{ account: '1930', amount: '2.00' }, { account: '2091', amount: '-2.00' }], reference: 'UB 2021', reason: 'r' },
    ];
    const outcomes: string[] = [];
    for (const input of inputs) {
      const command = parseCommand(input);
      const scope = scopeOfCommands([command]);
      // A command that reads every year's documents (a close asks whether an earlier year is still open) is
      // decided on the whole fold: there is no scoped one to compare.
      if (scope === undefined && documentsRead(command) === 'all') continue;
      if (scope === undefined) throw new Error(`${command.type}: expected a scope`);
      // A payment is decided on its year's documents without their lines, every other billing decision on
      // their lines without provenance.
      const reads = documentsRead(command);
      const cut = reads !== 'all' && reads.years.length > 0 ? { 'payment.record': 'lines', 'payment.reverse': 'lines', 'invoice.run': 'provenance', 'invoice.credit': 'provenance', 'settlement.run': 'provenance', 'year.close': 'provenance' }[command.type as string] : undefined;
      expect(scope.cutYears?.cut).toBe(cut);
      await withFold(file, scope, async (scoped) => {
        expect({ command: command.type, outcome: outcome(command, scoped) }).toEqual({ command: command.type, outcome: outcome(command, full) });
        outcomes.push(outcome(command, full));
      });
    }
    // Not only errors: the comparison covers decisions that append invoices, credit notes and payments.
    expect(outcomes.filter((o) => o.includes('"InvoiceIssued"')).length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o.includes('"CreditNoteIssued"')).length).toBeGreaterThanOrEqual(1);
    expect(outcomes.filter((o) => o.includes('"MemberJoined"'))).toHaveLength(1);
    expect(outcomes.filter((o) => o.includes('"PaymentRecorded"'))).toHaveLength(1);
    expect(outcomes.filter((o) => o.includes('"PaymentReversed"'))).toHaveLength(1);
    // The scoped fold did leave documents out.
    await withFold(file, { documentYears: [] }, (none) => {
      expect(none.state.billing.get(2023)?.invoices.size ?? 0).toBe(0);
      expect(full.state.billing.get(2023)?.invoices.size).toBeGreaterThan(0);
    });
  }, 120_000);

  test('given reads that show no document (members, fees, services, splits, what-if), then the fold without documents holds the same for them, and they never touch billing', async () => {
    await withFold(file, { documentYears: [] }, async (none) => {
      const view = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x));
      const { billing: _b, documentYear: _d, ...rest } = full.state;
      const { billing: _nb, documentYear: _nd, ...noneRest } = none.state;
      expect(view(noneRest)).toBe(view(rest));
      // The projections those reads show, on a state whose billing throws when touched.
      const untouchable = new Proxy(new Map(), { get: () => { throw new Error('a read of billing'); } });
      const state = { ...none.state, billing: untouchable, documentYear: untouchable };
      const service = [...state.services.values()][0].service.serviceId;
      for (const year of [2022, 2023]) {
        expect(view(feesForYear(state, year))).toBe(view(feesForYear(full.state, year)));
        expect(view(splitForYear(state, service, year, 'budget', RULES_VERSION))).toBe(view(splitForYear(full.state, service, year, 'budget', RULES_VERSION)));
        const scenario = { hypothetical: { count: 3, population: 12000 } };
        expect(view(simulate(state, service, year, 'budget', scenario))).toBe(view(simulate(full.state, service, year, 'budget', scenario)));
      }
    });
  });

  test('given one year\'s invoice list or one invoice, then the fold of that year\'s documents shows the same as the whole fold', async () => {
    await withFold(file, { documentYears: [2023] }, async (only2023) => {
      const view = (v: unknown) => JSON.stringify(v);
      expect(invoiceSummaries(only2023.state, 2023).length).toBeGreaterThan(0);
      expect(view(invoiceSummaries(only2023.state, 2023))).toBe(view(invoiceSummaries(full.state, 2023)));
      // The list reads no line: the year's documents without theirs list the same.
      await withFold(file, balancesOf([2023]), (balances) => {
        expect(view(invoiceSummaries(balances.state, 2023))).toBe(view(invoiceSummaries(full.state, 2023)));
        expect(balances.state.billing.get(2022)?.invoices.size ?? 0).toBe(0);
      });
      for (const inv of full.state.billing.get(2023)?.invoices.values() ?? []) {
        const scoped = only2023.state.billing.get(2023)?.invoices.get(inv.invoice.number);
        expect(view(scoped && { ...scoped, creditedNet: [...scoped.creditedNet] })).toBe(view({ ...inv, creditedNet: [...inv.creditedNet] }));
      }
    });
  });

  test('given payments, then their engine folds their years\' documents without lines and no other year\'s, records them as the whole fold does, and refuses what reads a line', async () => {
    const inv2023 = [...(full.state.billing.get(2023)?.invoices.values() ?? [])].find((i) => openBalance(i).gt(2))!;
    const inv2022 = [...(full.state.billing.get(2022)?.invoices.values() ?? [])][0];
    let n = 0;
    const pay = (invoice: string, amount: string) => parseCommand({ type: 'payment.record', invoice, amount, date: '2024-02-10', reference: `bank ${(n += 1)}` });
    const payments = [pay(inv2023.invoice.number, '1.00'), pay(inv2023.invoice.number, '1.00')];
    expect(scopeOfCommands(payments)).toEqual({ documentYears: [], cutYears: { years: [2023], cut: 'lines' } });
    expect(scopeOfCommands([...payments, pay(inv2022.invoice.number, '1.00')])).toEqual({ documentYears: [], cutYears: { years: [2022, 2023], cut: 'lines' } });
    // A payment beside a command that reads lines folds them; to a number of no known year, everything whole.
    const credit = parseCommand({ type: 'invoice.credit', invoice: inv2023.invoice.number, reason: 'r', issueDate: '2024-02-10' });
    expect(scopeOfCommands([payments[0], credit])).toEqual({ documentYears: [], cutYears: { years: [2023], cut: 'provenance' } });
    expect(scopeOfCommands([pay('faktura 12', '1.00')])).toBeUndefined();
    // A command that reads no document beside them asks nothing more of the cut.
    const joining = parseCommand({ type: 'member.join', orgnr: syntheticOrgnr('8020', 998), kind: 'organisation', name: 'Ny', date: '2024-02-01', decisionRef: 'S' });
    expect(scopeOfCommands([joining, ...payments])).toEqual({ documentYears: [], cutYears: { years: [2023], cut: 'lines' } });
    expect(scopeOfCommands([joining])).toEqual({ documentYears: [] });
    const copy = join(dir, 'payments.db');
    copyFileSync(file, copy);
    await withFold(copy, scopeOfCommands(payments), async (scoped) => {
      expect(scoped.state.billing.get(2022)?.invoices.size ?? 0).toBe(0);
      const b = scoped.state.billing.get(2023)!;
      expect(b.invoices.size).toBe(full.state.billing.get(2023)!.invoices.size);
      for (const inv of b.invoices.values()) expect(inv.invoice.lines).toEqual([]);
      expect(openBalance(b.invoices.get(inv2023.invoice.number)!).toFixed(2)).toBe(openBalance(inv2023).toFixed(2));
      for (const c of payments) expect((await scoped.execute(c)).events.map((e) => e.type)).toEqual(['PaymentRecorded']);
      expect(openBalance(b.invoices.get(inv2023.invoice.number)!).toFixed(2)).toBe(openBalance(inv2023).minus(2).toFixed(2));
      await expect(scoped.execute(credit)).rejects.toThrow('invoice.credit: this engine holds the documents of no year whole (cut to no lines: 2023) only, and the command reads 2023 lines');
      await expect(scoped.execute(pay(inv2022.invoice.number, '1.00'))).rejects.toThrow('payment.record: this engine holds the documents of no year whole (cut to no lines: 2023) only, and the command reads 2022 headers');
    });
    // What the payments appended is what the whole fold then reads.
    await withFold(copy, undefined, (after) => {
      expect(openBalance(after.state.billing.get(2023)!.invoices.get(inv2023.invoice.number)!).toFixed(2)).toBe(openBalance(inv2023).minus(2).toFixed(2));
    });
  });

  test('given actual costs recorded, when a service is settled and an invoice credited on the fold of their year\'s lines without provenance, then the documents are those of the whole fold', async () => {
    const copy = join(dir, 'settle.db');
    copyFileSync(file, copy);
    const service = [...full.state.services.values()].find((s) => s.budgets.has(2023))!.service.serviceId;
    await withFold(copy, undefined, async (whole) => {
      await whole.execute(parseCommand({ type: 'cost.record', serviceId: service, year: 2023, amount: '1234567.89', supplier: 'Leverantör AB', reference: 'F-9', date: '2023-06-30' }));
    });
    const settle = parseCommand({ type: 'settlement.run', serviceId: service, year: 2023, issueDate: '2024-02-10', paymentTermsDays: 30, vatRate: '0.25', seller });
    const credited = [...full.state.billing.get(2023)!.invoices.values()].find((i) => i.invoice.lines.length > 1 && i.creditNotes.length === 0)!;
    const credit = parseCommand({ type: 'invoice.credit', invoice: credited.invoice.number, lines: [2], reason: 'Fel', issueDate: '2023-06-20' });
    for (const command of [settle, credit]) {
      const scope = scopeOfCommands([command]);
      expect(scope?.cutYears).toEqual({ years: [2023], cut: 'provenance' });
      const expected = await withFold(copy, undefined, (whole) => outcome(command, whole));
      expect(expected).toContain(command === settle ? '"ServiceSettled"' : '"CreditNoteIssued"');
      expect(expected).toContain('"provenance"');
      await withFold(copy, scope, (cut) => {
        expect(outcome(command, cut)).toBe(expected);
      });
    }
  });

  test('given an invoice run decided on its year\'s lines without provenance, then its new documents are folded cut alike: the state is what a fresh fold of the same scope reads', async () => {
    const copy = join(dir, 'run-cut.db');
    copyFileSync(file, copy);
    const run = parseCommand({ type: 'invoice.run', period: '2023-06', issueDate: '2023-06-01', paymentTermsDays: 30, vatRate: '0.25', seller });
    const scope = scopeOfCommands([run])!;
    const view = (e: Engine) => JSON.stringify([...e.state.billing.get(2023)!.invoices.values()].map((i) => i.invoice));
    let after = '';
    await withFold(copy, scope, async (engine) => {
      const before = engine.state.billing.get(2023)!.invoices.size;
      // The appended events are folded as the append returned them (one read, the catch-up before deciding),
      // not read back: the cut is the engine's own, not the store's.
      const store = engine.store as SqliteEventStore;
      const readAllPages = store.readAllPages.bind(store);
      let reads = 0;
      store.readAllPages = (...args) => {
        reads += 1;
        return readAllPages(...args);
      };
      expect((await engine.execute(run)).events.length).toBeGreaterThan(0);
      expect(reads).toBe(1);
      const invoices = [...engine.state.billing.get(2023)!.invoices.values()];
      expect(invoices.length).toBeGreaterThan(before);
      expect(invoices.every((i) => i.invoice.lines.every((l) => l.provenance === undefined))).toBe(true);
      after = view(engine);
    });
    await withFold(copy, scope, (fresh) => expect(view(fresh)).toBe(after));
    // The store holds them whole.
    await withFold(copy, undefined, (whole) => {
      expect([...whole.state.billing.get(2023)!.invoices.values()].every((i) => i.invoice.lines.every((l) => l.provenance !== undefined))).toBe(true);
    });
  });

  test('given a document shown or exported alone, then it is what the whole fold shows: the document whole, with its year\'s credits and payments', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => { out.push(t); }, err: () => undefined, env: {}, clock, isTty: false };
    const cli = async (...args: string[]) => {
      out.length = 0;
      expect(await cliMain(['node', 'samkost', '--store', file, ...args], io)).toBe(0);
      return out.join('');
    };
    const shown = { credited: 0, paid: 0 };
    for (const year of [2022, 2023]) {
      const b = full.state.billing.get(year)!;
      const invoices = [...b.invoices.values()];
      // Credited ones, paid ones, and a few more; a few credit notes.
      const picked = [...invoices.filter((i) => i.creditNotes.length > 0).slice(0, 3), ...invoices.filter((i) => i.payments.length > 0).slice(0, 3), ...invoices.slice(-2)];
      shown.credited += picked.filter((i) => i.creditNotes.length > 0).length;
      shown.paid += picked.filter((i) => i.payments.length > 0).length;
      for (const inv of picked) {
        const n = inv.invoice.number;
        const paid = inv.payments.reduce((a, p) => a.plus(p.amount), new Decimal(0)).toFixed(2);
        const shown = JSON.parse(await cli('--json', 'invoice', 'show', n)) as { paid: string };
        expect(shown).toEqual(JSON.parse(JSON.stringify(invoiceShown(inv))));
        expect(shown.paid).toBe(paid);
        expect(await cli('invoice', 'show', n)).toBe(`${renderDocument(inv.invoice, 'invoice')}${renderPayments(inv)}`);
        expect(await cli('export', 'peppol', n)).toBe(`${peppolXml(inv.invoice).trimEnd()}\n`);
      }
      for (const cn of [...b.creditNotes.values()].slice(0, 3)) {
        expect(await cli('invoice', 'show', cn.value.number)).toBe(renderDocument(cn.value, 'credit'));
      }
    }
    expect(shown.credited).toBeGreaterThan(0);
    expect(shown.paid).toBeGreaterThan(0);
  }, 60_000);

  test('given open balances, then the fold of every document without its lines gives the same receivables as the whole fold, and decides nothing that reads a document', async () => {
    await withFold(file, RECEIVABLES_SCOPE, async (headers) => {
      const view = (v: unknown) => JSON.stringify(v);
      const rows = receivables(full.state);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.some((r) => r.invoices.length > 0)).toBe(true);
      expect(view(receivables(headers.state))).toBe(view(rows));
      // Every document is there, with its totals and credits and payments, and no line.
      for (const [year, b] of full.state.billing) {
        for (const inv of b.invoices.values()) {
          const cut = headers.state.billing.get(year)?.invoices.get(inv.invoice.number);
          expect(cut?.invoice.lines).toEqual([]);
          expect(view(cut && { ...cut.invoice, lines: undefined })).toBe(view({ ...inv.invoice, lines: undefined }));
          expect(view([cut?.creditedGross, cut?.payments])).toBe(view([inv.creditedGross, inv.payments]));
        }
      }
      const open = rows.find((r) => r.invoices.length > 0)!.invoices[0].number;
      await expect(headers.execute(parseCommand({ type: 'payment.record', invoice: open, amount: '1.00', date: '2024-02-10', reference: 'r' })))
        .rejects.toThrow('payment.record: this engine holds the documents of no year whole only, and the command reads');
    });
  });

  test('given the books (journal, ledger, self-cost, SIE), then the fold of every document without its lines\' provenance gives the same as the whole fold', async () => {
    await withFold(file, BOOKS_SCOPE, async (books) => {
      const view = (v: unknown) => JSON.stringify(v);
      for (const year of [2022, 2023, 2024]) {
        if (year < 2024) expect(journal(full.state, year).length).toBeGreaterThan(0);
        expect(view(journal(books.state, year))).toBe(view(journal(full.state, year)));
        expect(view(ledger(books.state, year))).toBe(view(ledger(full.state, year)));
        expect(view(selfCost(books.state, year))).toBe(view(selfCost(full.state, year)));
        const sie = (state: typeof full.state) => writeSie(sieDocumentFor(state, year, '4E', { company: seller, generated: '2024-02-10', chart: DEFAULT_CHART }));
        expect(sie(books.state)).toBe(sie(full.state));
      }
      const someLine = [...books.state.billing.get(2023)!.invoices.values()][0].invoice.lines[0];
      expect(someLine.amount).toBeDefined();
      expect(someLine.provenance).toBeUndefined();
    });
  });

  test('given one year\'s documents, when traced without the other years\' documents, then every trace is the same as from the whole log', async () => {
    const ofYear = (year: number) => (doc: { year: number }) => doc.year === year;
    for (const year of [2022, 2023]) {
      const whole = await traceDocuments(full.store.readAll(), ofYear(year));
      const scoped = await traceDocuments(full.store.readAll(undefined, documentFilter([year])), ofYear(year));
      expect(whole.documents.length).toBeGreaterThan(0);
      expect(JSON.stringify(scoped.documents)).toBe(JSON.stringify(whole.documents));
    }
  });

  test('given every document of two years, when traced with splits, decisions and billed documents worked out once per epoch, then every trace is the one worked out afresh for the document', async () => {
    const cache = new TraceCache();
    let documents = 0;
    const epochs = new Set<number>();
    await foldDocuments(full.store.readAll(), () => true, (d) => {
      documents += 1;
      epochs.add(d.epoch);
      const shared = traceDocument(d.state, d.doc, d.ref, { cache, epoch: d.epoch });
      expect(JSON.stringify(shared)).toBe(JSON.stringify(traceDocument(d.state, d.doc, d.ref)));
    });
    expect(documents).toBeGreaterThan(100);
    // Documents share epochs (a run's documents, and runs with nothing but billing in between), but not all one.
    expect(epochs.size).toBeGreaterThan(1);
    expect(epochs.size).toBeLessThan(documents / 4);
  });

  test('given a year\'s audit export, then it holds its own streams whole (a closed year\'s billing stream up to its close) and every stream a line or voucher refers to, or with a supplier cost of the year, up to the last event referred to, and check-audit passes', async () => {
    const io = { out: () => undefined, err: () => undefined, env: {}, clock, isTty: false };
    for (const year of [2022, 2023]) {
      const out = join(dir, `audit-${year}`);
      expect(await cliMain(['node', 'samkost', '--store', file, 'export', 'audit', '--year', String(year), '--out', out], io)).toBe(0);
      expect(checkAudit(out)).toMatchObject({ ok: true, problems: [] });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { documents: number; lines: number; linesRecomputed: number };
      const b = full.state.billing.get(year);
      expect(manifest.documents).toBe((b?.invoices.size ?? 0) + (b?.creditNotes.size ?? 0));
      expect(manifest.documents).toBeGreaterThan(0);
      expect(manifest.linesRecomputed).toBe(manifest.lines);
      // What the export must hold, worked out from the whole log: the year's own streams, and each other
      // stream from revision 0 up to the last revision a document or voucher of the year refers to, or the
      // last supplier cost or payment the year's books rest on.
      const upTo = new Map<string, number>();
      const refs = (v: unknown): void => {
        if (Array.isArray(v)) return v.forEach(refs);
        if (v === null || typeof v !== 'object') return;
        const r = v as { streamId?: unknown; revision?: unknown; hash?: unknown };
        if (typeof r.streamId === 'string' && typeof r.revision === 'number' && typeof r.hash === 'string') upTo.set(r.streamId, Math.max(upTo.get(r.streamId) ?? -1, r.revision));
        Object.values(v).forEach(refs);
      };
      for (const name of ['traces.ndjson', 'documents.ndjson', 'splits.ndjson']) readFileSync(join(out, name), 'utf8').trim().split('\n').forEach((l) => refs(JSON.parse(l)));
      const byLines = new Set(upTo.keys());
      readFileSync(join(out, 'vouchers.ndjson'), 'utf8').trim().split('\n').forEach((l) => refs(JSON.parse(l)));
      refs(bookedCostRefs(full.state, year).map((r) => ({ streamId: r.streamId, revision: r.revision, hash: r.hash })));
      const own = new Set([`billing-${year}`, `schedule-${year}`, `levy-${year}`]);
      // A closed year's billing stream ends at its close, or at what the package refers to after it: what is
      // appended later (a payment of its invoice dated in the next year) is the next year's.
      const closedAt = full.state.billing.get(year)?.closed?.ref.revision;
      const ownUpTo = (e: { streamId: string; revision: number }) =>
        e.streamId !== `billing-${year}` || closedAt === undefined || e.revision <= Math.max(closedAt, upTo.get(e.streamId) ?? -1);
      const expected: string[] = [];
      for await (const e of full.store.readAll()) if ((own.has(e.streamId) && ownUpTo(e)) || e.revision <= (upTo.get(e.streamId) ?? -1)) expected.push(`${e.streamId}@${e.revision}`);
      const written = readFileSync(join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { streamId: string; revision: number }).map((e) => `${e.streamId}@${e.revision}`);
      expect(written).toEqual(expected);
      // No line refers to another year's billing stream; a voucher of the year does where it comes from
      // another year's document or payment (a settlement issued in January, a payment of last year's invoice).
      const other = `billing-${year === 2022 ? 2023 : 2022}`;
      expect(byLines.has(other)).toBe(false);
      expect(written.some((w) => w.startsWith(`${other}@`))).toBe(upTo.has(other));
    }
  }, 60_000);

  test('given the commands a CLI action executes, then its engine folds the documents of the years they read, or every year\'s', async () => {
    const io = { out: () => undefined, err: () => undefined, env: {}, clock, isTty: false };
    const pay = (invoice: string) => parseCommand({ type: 'payment.record', invoice, amount: '1.00', date: '2024-02-10', reference: 'r' });
    const scopeOf = (commands: Command[]) => withEngineFor({ store: file }, io, commands, async (engine) => ({ scope: engine.scope, invoices: engine.state.billing.get(2022)?.invoices.size ?? 0 }));
    expect(await scopeOf([pay('T2023-0001'), pay('M2022-0002'), pay('T2023-0002')])).toEqual({ scope: { documentYears: [], cutYears: { years: [2022, 2023], cut: 'lines' } }, invoices: full.state.billing.get(2022)?.invoices.size });
    expect(await scopeOf([pay('T2023-0001')])).toEqual({ scope: { documentYears: [], cutYears: { years: [2023], cut: 'lines' } }, invoices: 0 });
    expect(await scopeOf([pay('T2023-0001'), pay('okänd')])).toEqual({ scope: undefined, invoices: full.state.billing.get(2022)?.invoices.size });
  });

  test('given an apply file, then its engine folds the documents its lines read: a payment finds its invoice, and a line refused by what is stored (an invoice that does not exist) still stops it at its turn', async () => {
    const copy = join(dir, 'apply.db');
    copyFileSync(file, copy);
    const open = [...(full.state.billing.get(2023)?.invoices.values() ?? [])].find((i) => openBalance(i).gt(1))!;
    const lines = join(dir, 'lines.ndjson');
    writeFileSync(lines, [
      JSON.stringify({ type: 'member.join', orgnr: syntheticOrgnr('8020', 998), kind: 'organisation', name: 'Ännu en förening', date: '2024-02-01', decisionRef: 'S' }),
      JSON.stringify({ type: 'payment.record', invoice: open.invoice.number, amount: '1.00', date: '2024-02-10', reference: 'apply' }),
      JSON.stringify({ type: 'payment.record', invoice: 'T2023-9999', amount: '1.00', date: '2024-02-10', reference: 'apply 2' }),
    ].join('\n'));
    const out: string[] = [];
    const io = { out: (t: string) => { out.push(t); }, err: () => undefined, env: {}, clock, isTty: false };
    expect(await cliMain(['node', 'samkost', '--store', copy, 'apply', lines], io).catch(() => 2)).toBe(2);
    expect(out.join('')).toContain('2 kommandon utförda, 0 redan registrerade, före rad 3');
    await withFold(copy, undefined, async (after) => {
      const paid = after.state.billing.get(2023)?.invoices.get(open.invoice.number)?.payments.map((p) => p.reference);
      expect(paid).toEqual([...open.payments.map((p) => p.reference), 'apply']);
    });
  });

  test('given a year\'s audit export, then each split table is stored once, however many lines name it, and every line\'s month names one', async () => {
    const io = { out: () => undefined, err: () => undefined, env: {}, clock, isTty: false };
    const out = join(dir, 'tables-2023');
    expect(await cliMain(['node', 'samkost', '--store', file, 'export', 'audit', '--year', '2023', '--out', out], io)).toBe(0);
    const ids = readFileSync(join(out, 'splits.ndjson'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    const named: string[] = [];
    for (const l of readFileSync(join(out, 'traces.ndjson'), 'utf8').trim().split('\n')) {
      for (const line of (JSON.parse(l) as { lines: LineTrace[] }).lines) {
        for (const m of line.months ?? []) {
          expect(m.participants).toBeUndefined();
          named.push(m.table as string);
        }
      }
    }
    expect(new Set(named)).toEqual(new Set(ids));
    expect(named.length).toBeGreaterThan(3 * ids.length);
  });

  test('given a run\'s documents stored in another stream than their year\'s, then a replay reports each as not reproduced, naming both streams', async () => {
    const moved = [...(full.state.billing.get(2023)?.invoices.values() ?? [])][0].ref;
    const commandOf = new Map<string, string>();
    const replay = new InvoiceReplay();
    let movedCommand: string | undefined;
    for await (const e of full.store.readAll()) {
      if (e.id === moved.eventId) movedCommand = e.metadata.commandId;
      commandOf.set(e.id, e.metadata.commandId);
    }
    for await (const e of full.store.readAll()) {
      const ref = refOf(e);
      replay.feed({ type: e.type, data: e.data } as DomainEvent, e.metadata.commandId === movedCommand ? { ...ref, streamId: 'billing-2099' } : ref, e.metadata.commandId);
    }
    const documents = replay.finish();
    const bad = documents.filter((d) => !d.reproduced);
    expect(bad.length).toBeGreaterThan(0);
    expect(new Set(bad.map((d) => d.difference))).toEqual(new Set(['lagrad i strömmen billing-2099, beslutad på nytt i billing-2023']));
    expect(bad.map((d) => d.ref.eventId).every((id) => commandOf.get(id) === movedCommand)).toBe(true);
    expect(documents.filter((d) => d.reproduced).length).toBe(documents.length - bad.length);
  });

  test('given every year replayed lean (as samkost verify and replay --year do), then documents are kept without provenance and every check comes out the same', async () => {
    const whole = new InvoiceReplay();
    const lean = new InvoiceReplay(undefined, true);
    for await (const e of full.store.readAll()) {
      for (const r of [whole, lean]) r.feed({ type: e.type, data: e.data } as DomainEvent, refOf(e), e.metadata.commandId);
    }
    const documents = whole.finish();
    expect(lean.finish()).toEqual(documents);
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.every((d) => d.reproduced)).toBe(true);
    expect(full.state.billing.get(2022)?.closed).toBeDefined();
    const lines = (r: InvoiceReplay, year: number): { provenance?: unknown }[] => {
      const b = r.state.billing.get(year)!;
      return [...[...b.invoices.values()].flatMap((i) => i.invoice.lines), ...[...b.creditNotes.values()].flatMap((c) => c.value.lines)];
    };
    expect(lines(lean, 2022).length).toBeGreaterThan(0);
    for (const year of [2022, 2023]) {
      expect(lines(lean, year).every((l) => l.provenance === undefined)).toBe(true);
      expect(lines(whole, year).every((l) => l.provenance !== undefined)).toBe(true);
    }
    expect(checkVouchers(lean.state)).toEqual(checkVouchers(whole.state));
    expect(checkSplits(lean.state)).toEqual(checkSplits(whole.state));
    expect(checkVouchers(lean.state).checked).toBeGreaterThan(0);
  });

  test('given an engine scoped to 2023, when a command reads 2022 or cannot tell, then it is refused and nothing is appended', async () => {
    await withFold(file, { documentYears: [2023] }, async (scoped) => {
      const before = await scoped.store.streamRevision('billing-2022');
      await expect(scoped.execute(parseCommand({ type: 'payment.record', invoice: 'T2022-0001', amount: '1.00', date: '2024-02-10', reference: 'r' })))
        .rejects.toThrow('payment.record: this engine holds the documents of 2023 whole only, and the command reads 2022 headers');
      await expect(scoped.execute(parseCommand({ type: 'payment.record', invoice: 'nr 1', amount: '1.00', date: '2024-02-10', reference: 'r' })))
        .rejects.toThrow("reads every year's");
      expect(await scoped.store.streamRevision('billing-2022')).toBe(before);
    });
  });
});
