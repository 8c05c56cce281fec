import { userInfo } from 'node:os';
import type { Command } from '../../domain/commands';
import type { DecideContext } from '../../domain/decide';
import { loadConfig, vatRatesOf } from '../config';
import { Engine, type EngineScope, scopeOfCommands } from '../app/engine';
import { stockholmDate, systemClock } from '../clock';
import { domainCodec } from '../app/codec';
import { openStore, storeLocation } from '../store/open';
import type { EventCodec, EventStore, StoreAccess } from '../store/port';
import type { CliIo } from './io';

export interface GlobalOptions {
  store?: string;
  json?: boolean;
  actor?: string;
}

export function actorOf(opts: GlobalOptions, io: CliIo): string {
  return opts.actor ?? io.env.SAMKOST_ACTOR ?? io.env.USER ?? systemUser() ?? 'unknown';
}

/**
 * The operating system's name for who runs samkost, where $USER is not set (a cron job, a container): an
 * audit trail attributing events to "unknown" tells an auditor nothing.
 */
function systemUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    // No account entry for the process's uid (a container run under an arbitrary uid).
    return undefined;
  }
}

/**
 * Opens the store named by --store / SAMKOST_STORE, runs `fn`, and always closes it. Reads (the default)
 * need the store to exist; only what appends may create it.
 */
export async function withStore<T>(opts: GlobalOptions, io: CliIo, fn: (store: EventStore) => Promise<T>, codec: EventCodec = domainCodec, access: StoreAccess = 'read'): Promise<T> {
  const store = openStore(storeLocation(opts.store, io.env), codec, access);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Opens the store and folds it into an engine for `fn`. With a scope, only the documents of those years
 * are folded (with everything else): what deciding a command needs, see `withEngineFor`.
 */
export async function withEngine<T>(
  opts: GlobalOptions, io: CliIo, fn: (engine: Engine) => Promise<T>, scope?: EngineScope, access: StoreAccess = 'read', settings: Pick<DecideContext, 'vatRates'> = {},
): Promise<T> {
  return withStore(opts, io, async (store) => {
    const engine = new Engine(store, actorOf(opts, io), io.clock, scope, settings);
    await engine.catchUp();
    return fn(engine);
  }, domainCodec, access);
}

/**
 * An engine to decide `commands` on, creating the store if it does not exist yet. It folds only the
 * invoices and credit notes of the years their decisions read (domain/documents-read.ts), all of them
 * where one cannot be told, and those cut to what the decisions read of them (domain/documents-read.ts#documentDepth).
 * On a national history of ten invoiced years those documents are most of the store, and folding them
 * was most of every command's time.
 */
export async function withEngineFor<T>(opts: GlobalOptions, io: CliIo, commands: readonly Command[], fn: (engine: Engine) => Promise<T>): Promise<T> {
  // The configuration is read only where a decision takes from it: a cost with input VAT is checked against
  // the configured VAT rates.
  const withVat = commands.some((c) => c.type === 'cost.record' && c.vat !== undefined);
  return withEngine(opts, io, fn, scopeOfCommands(commands), 'write', withVat ? { vatRates: vatRatesOf(loadConfig(io.env)) } : {});
}

/**
 * The scope of a read that shows these years' invoices and credit notes by their headers and balances (the
 * invoice list, or one document to be read whole after): their documents without lines, no other year's.
 */
export const balancesOf = (years: readonly number[]): EngineScope => ({ documentYears: [], cutYears: { years, cut: 'lines' } });

/**
 * The scope of a read that shows no invoice or credit note (members, fees, services, splits):
 * projections/fees.ts and splits.ts read no document, so leaving them out changes nothing. (simulate reads
 * its year's a-conto lines: service-commands.ts#whatIfScope.)
 */
export const NO_DOCUMENTS: EngineScope = { documentYears: [] };

/**
 * The scope of open balances (receivables): every document, without its lines. A balance is the
 * invoice's total less the credit notes that name it first (their totals) and its payments
 * (projections/invoices.ts#receivables); lines are most of a document's bytes and none is read.
 */
export const RECEIVABLES_SCOPE: EngineScope = { documentYears: [], otherDocuments: 'lines' };

/**
 * The scope of the books (ledger, SIE, self-cost): every document, its lines without their provenance.
 * projections/ledger.ts, selfcost.ts and src/export/sie.ts read each line's amount, kind, service and VAT,
 * never how it was derived, which is most of a line's bytes.
 */
export const BOOKS_SCOPE: EngineScope = { documentYears: [], otherDocuments: 'provenance' };

/** Today in Stockholm by the CLI's clock: a command's default date, known before anything is folded. */
export const todayOf = (io: CliIo): string => stockholmDate((io.clock ?? systemClock).now());
