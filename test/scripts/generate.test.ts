import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../domain/canonical-json';
import { isValidOrgnr } from '../../domain/orgnr';
import { feesForYear } from '../../projections/fees';
import { InvoiceReplay } from '../../projections/replay';
import { replayYear } from '../../src/app/replay-year';
import type { DomainEvent } from '../../domain/events';
import { splitForYear } from '../../projections/splits';
import { domainCodec } from '../../src/app/codec';
import { Engine, refOf } from '../../src/app/engine';
import { verifyAll, verifyChains } from '../../src/app/verify';
import { SqliteEventStore } from '../../src/store/sqlite';
import { generate, syntheticOrgnr } from '../../scripts/generate';
import { RULES_VERSION } from '../../domain/rules';

const tiny = { scale: 0.05, years: 2, fromYear: 2022, progressEvery: 0, log: () => undefined };

interface Row {
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

function rows(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT stream_id, revision, type, data, metadata FROM events ORDER BY position').all() as Row[];
  } finally {
    db.close();
  }
}

/** What must not vary between two runs with the same seed: every event's place, type and data. */
const content = (rs: Row[]) => rs.map((r) => canonicalJson({ stream: r.stream_id, revision: r.revision, type: r.type, data: JSON.parse(r.data) }));

describe('scripts/generate: a deterministic synthetic history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samkost-generate-'));

  test('given the same seed twice, when generated, then the events are identical and every hash chain verifies', async () => {
    const a = await generate({ ...tiny, store: join(dir, 'a.db'), seed: 7 });
    const b = await generate({ ...tiny, store: join(dir, 'b.db'), seed: 7 });
    expect(a.events).toBeGreaterThan(50);
    expect(b.events).toBe(a.events);
    expect(a.duplicates).toBe(0);
    const ra = rows(a.store);
    const rb = rows(b.store);
    expect(ra).toHaveLength(a.events);
    expect(content(rb)).toEqual(content(ra));
    // The clock is simulated too, so even the metadata (recorded time, hashes) is the same.
    expect(rb.map((r) => (JSON.parse(r.metadata) as { hash: string }).hash)).toEqual(ra.map((r) => (JSON.parse(r.metadata) as { hash: string }).hash));

    for (const file of [a.store, b.store]) {
      const store = new SqliteEventStore(file, domainCodec);
      try {
        const report = await verifyChains(store);
        expect(report.firstBreak).toBeUndefined();
        expect(report.events).toBe(a.events);
      } finally {
        await store.close();
      }
    }
  });

  test('given another seed, when generated, then the history differs', async () => {
    const a = await generate({ ...tiny, store: join(dir, 'c.db'), seed: 1 });
    const b = await generate({ ...tiny, store: join(dir, 'd.db'), seed: 2 });
    expect(content(rows(b.store))).not.toEqual(content(rows(a.store)));
  });

  test('given a generated history, when read back, then fees and the split of every service compute for every year', async () => {
    const r = await generate({ ...tiny, store: join(dir, 'e.db'), seed: 3 });
    expect(r.eventsByType.MemberJoined).toBeGreaterThanOrEqual(r.members.municipalities + r.members.regions + r.members.organisations);
    const store = new SqliteEventStore(r.store, domainCodec);
    try {
      const engine = new Engine(store, 'test');
      await engine.catchUp();
      for (let year = r.fromYear; year <= r.toYear; year++) {
        expect(feesForYear(engine.state, year).members.length).toBeGreaterThan(0);
        for (const svc of engine.state.services.values()) {
          if (!svc.budgets.has(year) && svc.service.pricing.kind !== 'price-list') continue;
          if (Number(svc.service.date.slice(0, 4)) > year) continue;
          expect(splitForYear(engine.state, svc.service.serviceId, year, 'budget', RULES_VERSION).serviceId).toBe(svc.service.serviceId);
        }
      }
    } finally {
      await store.close();
    }
  });

  test('given a generated history, when read back, then every year is invoiced monthly, paid, settled and closed, and verify passes', async () => {
    const r = await generate({ ...tiny, store: join(dir, 'g.db'), seed: 5 });
    expect(r.eventsByType.InvoiceIssued).toBeGreaterThan(0);
    expect(r.eventsByType.PaymentRecorded).toBeGreaterThan(0);
    expect(r.eventsByType.ServiceSettled).toBeGreaterThan(0);
    expect(r.eventsByType.YearClosed).toBe(r.toYear - r.fromYear + 1);
    const store = new SqliteEventStore(r.store, domainCodec);
    try {
      const engine = new Engine(store, 'test');
      await engine.catchUp();
      for (let year = r.fromYear; year <= r.toYear; year++) {
        const billing = engine.state.billing.get(year);
        expect(billing?.closed).toBeDefined();
        const invoices = [...(billing?.invoices.values() ?? [])];
        const periods = new Set(invoices.filter((i) => i.invoice.origin.command === 'invoice.run').map((i) => i.invoice.period));
        expect([...periods].sort()).toEqual(Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`));
        expect(invoices.some((i) => i.invoice.series === 'M')).toBe(true);
        expect(invoices.some((i) => i.invoice.kind === 'settlement') || (billing?.creditNotes.size ?? 0) > 0).toBe(true);
        // Most invoices are paid, some are not: the history has open receivables too.
        const paid = invoices.filter((i) => i.payments.length > 0).length;
        expect(paid).toBeGreaterThan(invoices.length / 2);
        expect(paid).toBeLessThan(invoices.length);
        for (const svc of engine.state.services.values()) {
          if (Number(svc.service.date.slice(0, 4)) <= year) expect(billing?.settled.has(svc.service.serviceId)).toBe(true);
        }
      }
      const report = await verifyAll(store);
      expect(report.checks.invoices.checked).toBeGreaterThan(0);
      expect(report.ok).toBe(true);

      // A replay of one year folds only what that year's documents are decided from, and finds what a
      // replay of every year finds for it.
      const all = new InvoiceReplay();
      const first = new InvoiceReplay(r.fromYear);
      let events = 0;
      for await (const e of store.readAll()) {
        for (const replay of [all, first]) replay.feed({ type: e.type, data: e.data } as DomainEvent, refOf(e), e.metadata.commandId);
        events += 1;
      }
      const strip = (d: { number: string; reproduced: boolean; difference?: string }) => ({ number: d.number, reproduced: d.reproduced, difference: d.difference });
      const ofFirst = first.finish().map(strip);
      expect(ofFirst.length).toBeGreaterThan(0);
      expect(ofFirst).toEqual(all.finish().filter((d) => d.year === r.fromYear).map(strip));
      expect(ofFirst.every((d) => d.reproduced)).toBe(true);
      expect(first.state.billing.has(r.toYear)).toBe(false);
      // So `replayYear`, which does not even read the other years' invoices and credit notes, finds the same.
      const everyYear = all.finish();
      for (const year of [r.fromYear, r.toYear]) {
        const { eventsRead, documents } = await replayYear(store, year);
        expect(documents.map(strip)).toEqual(everyYear.filter((d) => d.year === year).map(strip));
        const ofOtherYears = everyYear.filter((d) => d.year !== year);
        expect(ofOtherYears.filter((d) => d.type === 'InvoiceIssued').length).toBeGreaterThan(0);
        expect(ofOtherYears.filter((d) => d.type === 'CreditNoteIssued').length).toBeGreaterThan(0);
        expect(eventsRead).toBe(events - ofOtherYears.length);
      }
    } finally {
      await store.close();
    }
  });

  test('given an existing store file, when generated without force, then it is refused', async () => {
    const file = join(dir, 'f.db');
    await generate({ ...tiny, years: 1, store: file, seed: 1 });
    await expect(generate({ ...tiny, years: 1, store: file, seed: 1 })).rejects.toThrow(/exists; give --force/);
  });

  test('synthetic organisationsnummer carry a valid Luhn check digit in the requested ranges', () => {
    for (const [prefix, n] of [['2120', 2000], ['2321', 200], ['8020', 1000]] as const) {
      for (let i = 0; i < n; i++) {
        const orgnr = syntheticOrgnr(prefix, i);
        expect(isValidOrgnr(orgnr)).toBe(true);
        expect(orgnr.replace('-', '').startsWith(prefix)).toBe(true);
      }
    }
    expect(syntheticOrgnr('2120', 0)).toBe('212000-5000');
  });
});
