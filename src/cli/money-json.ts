import Decimal from 'decimal.js';
import { amountString } from '../../domain/money';

/** For --json: every Decimal becomes a two-decimal string, so tools never see a float. */
export function moneyToJson(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return (value as Decimal).mul(100).isInteger() ? amountString(value as Decimal) : (value as Decimal).toString();
  if (Array.isArray(value)) return value.map(moneyToJson);
  // Refs from the engine's ref table (src/app/ref-table.ts) are getters: their JSON form is the copy.
  if (value && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') return moneyToJson((value as { toJSON(): unknown }).toJSON());
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), moneyToJson(v)]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, moneyToJson(v)]));
  return value;
}
