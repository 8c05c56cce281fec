import { existsSync } from 'node:fs';
import { z } from 'zod';
import { SellerParty } from '../domain/events/billing';
import { isSwedishVatRate, SWEDISH_VAT_RATES } from '../domain/billing/seller';
import { firstIssue, swedishIssue } from '../domain/issue-words';
import { readJsonFile } from './cli/input-files';
import type { CliIo } from './cli/io';

/**
 * Settings that are configuration, not code: the seller on every invoice, payment terms and the VAT rate
 * for service charges. Read from $SAMKOST_CONFIG or ./samkost.config.json when present.
 */
export const Config = z.object({
  seller: SellerParty,
  paymentTermsDays: z.number().int().min(0).max(365),
  /** The rate service charges are invoiced at: a Swedish rate, or every run would be refused (domain/billing/seller.ts). */
  serviceVatRate: z.string().regex(/^0(\.\d{1,4})?$/, 'en momssats är ett decimaltal som "0.25"')
    .refine(isSwedishVatRate, { message: `ingen svensk momssats (${SWEDISH_VAT_RATES.join(', ')})` }),
  /**
   * The VAT rates in force (mervärdesskattelagen: 25, 12 and 6 %). A supplier invoice's input VAT may be at
   * most its amount excluding VAT × the highest of these and serviceVatRate.
   */
  vatRates: z.array(z.string().regex(/^0(\.\d{1,4})?$/, 'en momssats är ett decimaltal som "0.25"')).min(1),
  /** Years over which an over- or under-collection is evened out (self-cost, kommunallagen 2 kap. 6 §). */
  selfCostHorizonYears: z.number().int().min(1).max(10),
});
export type Config = z.infer<typeof Config>;

export const DEFAULT_CONFIG: Config = {
  // A placeholder identity (Luhn-valid, clearly not a real registration): set yours in samkost.config.json.
  seller: {
    orgnr: '802999-0002',
    name: 'Föreningen Sambruk',
    vatNumber: 'SE802999000201',
    address: { street: 'Box 1', postalCode: '811 80', city: 'Sandviken' },
  },
  paymentTermsDays: 30,
  serviceVatRate: '0.25',
  vatRates: ['0.25', '0.12', '0.06'],
  selfCostHorizonYears: 3,
};

/** Every VAT rate the configuration names: what a supplier invoice's input VAT is checked against. */
export const vatRatesOf = (config: Config): string[] => [...new Set([...config.vatRates, config.serviceVatRate])];

/** The configuration file does not validate: the operator's to mend, not the request's (HTTP answers 500). */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const path = env.SAMKOST_CONFIG ?? (existsSync('samkost.config.json') ? 'samkost.config.json' : undefined);
  if (!path) return DEFAULT_CONFIG;
  const parsed = Config.partial().safeParse(readJsonFile(path), { error: swedishIssue });
  if (!parsed.success) throw new ConfigError(`${path}: ${firstIssue(parsed.error)}`);
  return { ...DEFAULT_CONFIG, ...parsed.data };
}

/**
 * A warning while the seller is still the shipped placeholder: documents issued with it name an
 * organisation number that is no one's, which an invoice (mervärdesskattelagen 17 kap. 24 §) may not.
 */
export function placeholderSellerWarning(config: Config): string | undefined {
  const p = DEFAULT_CONFIG.seller;
  // Either one left as shipped names the placeholder on every document (a new orgnr with the old VAT number
  // is refused when documents are issued, rules 10).
  if (config.seller.orgnr !== p.orgnr && config.seller.vatNumber !== p.vatNumber) return undefined;
  return `varning: säljaren är platshållaren ${p.orgnr}, samkosts exempel; ange föreningens organisationsnummer, momsnummer och adress i samkost.config.json eller $SAMKOST_CONFIG`;
}

/** Warnings of each CLI run, said once it has succeeded: a refused command's one line stays its only line. */
const pending = new WeakMap<CliIo, Set<string>>();

/** A warning said once the CLI run has succeeded (once, however often it is queued). */
export function queueWarning(io: CliIo, warning: string): void {
  const set = pending.get(io) ?? new Set<string>();
  set.add(warning);
  pending.set(io, set);
}

/**
 * The placeholder seller warned of (once per run of the CLI, however many documents), when the run succeeds;
 * and, where documents are issued (`payable`), a seller without a bankgiro: its invoices say nowhere where
 * they are to be paid.
 */
export function warnOfPlaceholderSeller(config: Config, io: CliIo, payable = false): void {
  const warning = placeholderSellerWarning(config);
  if (warning) queueWarning(io, warning);
  if (payable && config.seller.bankgiro === undefined) {
    queueWarning(io, 'varning: säljaren har inget bankgiro (seller.bankgiro i samkost.config.json); fakturorna säger inte vart de ska betalas eller med vilket OCR-nummer');
  }
}

/** Writes the run's warnings on stderr, so that --json output stays one JSON text; `said` false drops them. */
export function flushWarnings(io: CliIo, said = true): void {
  const set = pending.get(io);
  pending.delete(io);
  if (said) for (const w of set ?? []) io.err(`samkost: ${w}\n`);
}

/** The commands that issue documents in the seller's name, and so take the configured seller, terms and rate. */
const ISSUING = new Set(['invoice.run', 'settlement.run']);

/**
 * An invoice run or settlement as a line of an `apply` file or an HTTP body may give it: the seller, payment
 * terms and VAT rate it leaves out are the configuration's, as `samkost invoice run` and `settle` fill them.
 * What the command gives wins; the configuration is read only for these commands, and the placeholder seller
 * warned of when it is used.
 */
export function withConfiguredDefaults(body: Record<string, unknown>, io: CliIo): Record<string, unknown> {
  if (!ISSUING.has(String(body.type)) || ('seller' in body && 'paymentTermsDays' in body && 'vatRate' in body)) return body;
  const config = loadConfig(io.env);
  if (!('seller' in body)) warnOfPlaceholderSeller(config, io, true);
  return { seller: config.seller, paymentTermsDays: config.paymentTermsDays, vatRate: config.serviceVatRate, ...body };
}
