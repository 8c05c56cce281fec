import type { Command } from './commands';
import { documentNumberYear } from './billing/numbers';
import { paymentIdYear } from './billing/payment-id';
import { parsePeriod } from './billing/periods';
import { assertNever } from './errors';
import { LEAVE_READS_YEARS } from './deciders/membership';

/**
 * The billing years whose invoices and credit notes a command's decision reads, told from the command
 * alone, before anything is folded; `'all'` where it cannot be told. Invoices and credit notes are most
 * of a long history's bytes (1.6 of the 1.85 GB of ten invoiced years at national scale), so an edge that
 * decides one command (the CLI) folds only these years' documents, and everything else in the log.
 *
 * What each decider reads, in domain/deciders/: membership and service commands read no document but a
 * leave, which reads the three years after its exit's (whether the member is invoiced for them) (the
 * year guard reads YearClosed, which is not a document); every billing decision reads one year's billing
 * stream: the run's, the settlement's, the closed year's, or that of the invoice it credits or pays
 * (credit notes and payments are appended to the invoice's year, which its number carries; a number
 * not in our format, e.g. another writer's, cannot be placed and reads every year's), or that of the
 * payment a reversal names by its stream (named by its event id, it reads every year's).
 * test/app/scoped-engine.test.ts decides commands of each kind on both folds and requires the same events
 * or the same error.
 */
export function documentsRead(command: Command): { years: number[] } | 'all' {
  switch (command.type) {
    case 'member.leave': {
      // Whether the member is invoiced for a year after its exit (deciders/membership.ts#decideLeave).
      const exitYear = Number(command.date.slice(0, 4));
      return { years: Array.from({ length: LEAVE_READS_YEARS }, (_, i) => exitYear + 1 + i) };
    }
    case 'member.join':
    case 'member.details':
    case 'population.import':
    case 'schedule.adopt':
    case 'levy.decide':
    case 'service.establish':
    case 'budget.decide':
    case 'cost.record':
    case 'cost.pay':
    case 'enrolment.start':
    case 'enrolment.end':
    case 'ledger.opening.correct': // the recorded set, and whether its year is closed: YearClosed is no document
      return { years: [] };
    case 'ledger.opening':
      // It asks which year the books begin in (projections/ledger.ts#firstYear), which any year's document may tell.
      return 'all';
    case 'invoice.run': {
      // A malformed period is refused before the decider reads anything: no document needs folding for it.
      const year = parsePeriodYear(command.period);
      return { years: year === undefined ? [] : [year] };
    }
    case 'settlement.run':
      return { years: [command.year] };
    case 'year.close':
      // Years close in order: whether an earlier year with documents is still open, any earlier year's tell.
      return 'all';
    case 'invoice.credit':
    case 'payment.record':
    case 'payment.refund':
      return documentsOfNumber(command.invoice);
    case 'payment.import': {
      const read = command.payments.map((p) => documentsOfNumber(p.invoice));
      return read.some((r) => r === 'all') ? 'all' : { years: [...new Set(read.flatMap((r) => (r === 'all' ? [] : r.years)))] };
    }
    case 'payment.reverse': {
      const year = paymentIdYear(command.payment);
      return year === undefined ? 'all' : { years: [year] };
    }
    default:
      return assertNever(command);
  }
}

/**
 * How much of each document it reads a decision reads: `headers` (parties, dates, totals; with the credit
 * notes' totals and the payments they carry) or `lines` (and every line's due key, amount, service and
 * VAT, but not how the line was derived: its provenance). Lines, and in them their provenance, are
 * nearly all of a document's bytes, so an edge folds a year's documents cut to what its decision reads.
 * - A payment is checked against its invoice's open balance (the total less its credit notes and
 *   payments) and issue date (deciders/billing.ts#paymentProblem); a reversal reads the payment it undoes.
 * - An invoice run bills what is due and not yet billed: it reads the due keys of the year's lines and the
 *   numbering. A credit note credits what is left of lines (their amounts less what credit notes' lines
 *   took) and gives each credit line a provenance of its own. A settlement compares what the lines billed
 *   of a service with the actual split, whose refs it cites. Closing a year reads which services the
 *   lines bill. None reads an earlier line's provenance.
 * - A command that reads no document reads none of one: `headers`, the least.
 *
 * No decision reads how a line was derived, and both the engine's scopes and the lean replay
 * (projections/replay.ts) rest on that: one that did would need a third depth, its year's documents folded
 * whole and replays keeping provenance. test/app/scoped-engine.test.ts decides commands of each kind on both folds and requires
 * the same events or the same error.
 */
export type DocumentDepth = 'headers' | 'lines';

/** Every command's depth; a Record, so that a new command cannot be left without one. */
const DEPTH: Record<Command['type'], DocumentDepth> = {
  // Commands that read no document (documentsRead gives them no year) read none of one: the least.
  'member.join': 'headers', 'member.leave': 'headers', 'member.details': 'headers', 'population.import': 'headers',
  'schedule.adopt': 'headers', 'levy.decide': 'headers', 'service.establish': 'headers', 'budget.decide': 'headers',
  'cost.record': 'headers', 'cost.pay': 'headers', 'enrolment.start': 'headers', 'enrolment.end': 'headers',
  'payment.record': 'headers', 'payment.import': 'headers', 'payment.reverse': 'headers', 'payment.refund': 'headers', 'ledger.opening': 'headers', 'ledger.opening.correct': 'headers',
  'invoice.run': 'lines', 'invoice.credit': 'lines', 'settlement.run': 'lines', 'year.close': 'lines',
};

export const documentDepth = (command: Command): DocumentDepth => DEPTH[command.type];

/**
 * A document as a decision of depth `lines` reads it, and as the books do: its lines without how each was
 * derived. The cut a store makes for ReadFilter.cut 'provenance', and what a lean replay keeps.
 */
export function withoutProvenance<D extends { lines: readonly { provenance?: unknown }[] }>(doc: D): D {
  return { ...doc, lines: doc.lines.map(({ provenance: _, ...line }) => line) };
}

/** The deepest of `depths`: what a fold for all of their decisions must keep. */
export function deepest(depths: readonly DocumentDepth[]): DocumentDepth {
  return depths.includes('lines') ? 'lines' : 'headers';
}

/** What showing, crediting or paying the document `number` reads: its year's documents, every year's if the number has none. */
export function documentsOfNumber(number: string): { years: number[] } | 'all' {
  const year = documentNumberYear(number);
  return year === undefined ? 'all' : { years: [year] };
}

function parsePeriodYear(period: string): number | undefined {
  try {
    return parsePeriod(period).year;
  } catch {
    return undefined;
  }
}

/** The document event types a fold may leave out for a decision that reads only some years'. */
export const DOCUMENT_TYPES: readonly string[] = ['InvoiceIssued', 'CreditNoteIssued'];
