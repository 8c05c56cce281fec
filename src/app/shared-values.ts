import type { EventRef } from '../../domain/event-ref';
import type { CreditNoteIssued, InvoiceIssued, Provenance } from '../../domain/events/billing';

/*
 * Invoices are most of a billed history's bytes: every line carries its rule in words, its figures per
 * month and the refs of the events it came from, and the same budget decision, population table, seller
 * and run parameters recur on thousands of lines. Parsed as they are, a ten-year national history held
 * over 2 GB of copies. Before the engine folds a document, its recurring parts are replaced by one shared
 * copy of each equal value; nothing changes but identity (the folded state is never mutated in place by
 * anything that reads it, and every value stays equal to what was stored).
 */

const sameRef = (a: EventRef, b: EventRef): boolean =>
  a.hash === b.hash && a.eventId === b.eventId && a.position === b.position && a.revision === b.revision &&
  a.streamId === b.streamId && a.type === b.type && a.recordedAt === b.recordedAt && a.actor === b.actor;

export class SharedValues {
  private readonly texts = new Map<string, string>();
  /** By hash, the distinct refs that carry it: one, unless a ref was forged. */
  private readonly refs = new Map<unknown, EventRef[]>();
  private readonly objects = new Map<string, unknown>();

  text(s: string): string {
    const known = this.texts.get(s);
    if (known !== undefined) return known;
    this.texts.set(s, s);
    return s;
  }

  /** One object per distinct ref; equal only when every field is (a forged copy keeps its own object). */
  ref(r: EventRef): EventRef {
    // Found by its hash and compared field by field: a key joined from all eight fields, made for every
    // ref on every line, was an eighth of folding a ten-year invoiced history.
    const known = this.refs.get(r.hash);
    if (known === undefined) {
      this.refs.set(r.hash, [r]);
      return r;
    }
    for (const k of known) if (sameRef(k, r)) return k;
    known.push(r);
    return r;
  }

  /** One object per distinct JSON value, for small parts that recur whole (parties, run parameters). */
  whole<T>(value: T): T {
    if (value === undefined) return value;
    const key = JSON.stringify(value);
    const known = this.objects.get(key);
    if (known !== undefined) return known as T;
    this.objects.set(key, value);
    return value;
  }

  /** Shares the recurring parts of an invoice or credit note, in place, and returns it. */
  /** `provenance` false: the lines' provenance is left as it is (a replay that folds documents without it). */
  document<T extends InvoiceIssued | CreditNoteIssued>(doc: T, provenance = true): T {
    doc.seller = this.whole(doc.seller);
    doc.buyer = this.whole(doc.buyer);
    doc.origin = this.whole(doc.origin);
    if (doc.legalBasis !== undefined) doc.legalBasis = this.text(doc.legalBasis);
    for (const line of doc.lines) {
      line.description = this.text(line.description);
      line.vatRate = this.text(line.vatRate);
      if (line.serviceId !== undefined) line.serviceId = this.text(line.serviceId);
      // A document read for the books comes without its lines' provenance (ReadFilter.cut).
      if (provenance && line.provenance !== undefined) this.provenance(line.provenance);
    }
    return doc;
  }

  private provenance(p: Provenance): void {
    p.rule = this.text(p.rule);
    for (let i = 0; i < p.refs.length; i++) p.refs[i] = this.ref(p.refs[i]);
    for (const m of p.months ?? []) {
      m.weight = this.text(m.weight);
      m.denominator = this.text(m.denominator);
    }
  }
}
