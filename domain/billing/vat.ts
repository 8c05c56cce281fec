import Decimal from 'decimal.js';
import { amountString, roundOre, sum } from '../money';

export interface VatLine {
  amount: string;
  vatCategory: 'O' | 'S';
  vatRate: string;
}

/**
 * VAT is computed per document and rate, on the sum of the lines at that rate, rounded to öre: the
 * way an e-invoice (EN 16931) states it, so line roundings never add up to a different VAT amount.
 */
export function vatBreakdown(lines: readonly VatLine[], known?: readonly Decimal[]) {
  const groups = new Map<string, { category: 'O' | 'S'; rate: string; taxable: Decimal }>();
  // Each amount parsed once, for its group and for the total; not at all where the caller has the
  // Decimals the amounts were written from (`known`, same order: equal values, as an amount is whole öre).
  const amounts = known ?? lines.map((l) => new Decimal(l.amount));
  lines.forEach((l, i) => {
    const key = `${l.vatCategory}/${l.vatRate}`;
    const g = groups.get(key) ?? { category: l.vatCategory, rate: l.vatRate, taxable: new Decimal(0) };
    g.taxable = g.taxable.plus(amounts[i]);
    groups.set(key, g);
  });
  const vat = [...groups.values()].map((g) => ({
    category: g.category, rate: g.rate, taxable: amountString(g.taxable), vat: amountString(roundOre(g.taxable.mul(g.rate))),
  }));
  const totalNet = sum(amounts);
  const totalVat = sum(vat.map((v) => new Decimal(v.vat)));
  return { vat, totalNet: amountString(totalNet), totalVat: amountString(totalVat), total: amountString(totalNet.plus(totalVat)) };
}

export const OUT_OF_SCOPE_BASIS =
  'Medlemsavgift och medlemsinsats omfattas inte av mervärdesskatt (utanför mervärdesskattelagens tillämpningsområde; Skatteverket 2004, HFD 2024 ref. 10).';
