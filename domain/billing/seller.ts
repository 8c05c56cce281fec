import Decimal from 'decimal.js';
import type { SellerParty } from '../events/billing';

/**
 * The VAT rates a Swedish seller charges (mervärdesskattelagen 9 kap.; Peppol SE-R-006 rejects any other):
 * a run or settlement at another rate would issue invoices no buyer may accept.
 */
export const SWEDISH_VAT_RATES = ['0.25', '0.12', '0.06'] as const;

export const isSwedishVatRate = (rate: string): boolean => SWEDISH_VAT_RATES.some((r) => new Decimal(r).eq(rate));

/** A Swedish VAT registration number of an organisation: SE, its organisationsnummer's ten digits and 01. */
export const vatNumberOf = (orgnr: string): string => `SE${orgnr.replace('-', '')}01`;

/**
 * Why documents cannot be issued in this seller's name, if they cannot (in Swedish): an invoice names the
 * seller's address, and one that charges VAT the seller's VAT registration number (mervärdesskattelagen 17
 * kap. 24 §), which is the seller's own (SE + its organisationsnummer + 01, Peppol SE-R-001). Stored
 * documents cannot be changed, so a seller that fails here would leave them wrong for good.
 */
export function sellerProblem(seller: SellerParty, chargesVat: boolean): string | undefined {
  const own = vatNumberOf(seller.orgnr);
  if (seller.address === undefined) return 'säljaren saknar adress (seller.address); en faktura ska ange säljarens adress (mervärdesskattelagen 17 kap. 24 §)';
  if (seller.vatNumber !== undefined && seller.vatNumber !== own) {
    return `säljarens momsregistreringsnummer "${seller.vatNumber}" är inte säljarens egen (${own}: SE, organisationsnumret ${seller.orgnr} och 01)`;
  }
  if (chargesVat && seller.vatNumber === undefined) return `säljaren saknar momsregistreringsnummer (seller.vatNumber, ${own}); en faktura med moms ska ange det (mervärdesskattelagen 17 kap. 24 §)`;
  return undefined;
}
