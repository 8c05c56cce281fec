import { InvalidArgumentError } from 'commander';
import { IsoDate, Year } from '../../domain/primitives';

export function parseYear(v: string): number {
  const n = Number(v);
  if (!/^\d{4}$/.test(v) || !Year.safeParse(n).success) throw new InvalidArgumentError(`ska vara ett årtal mellan 1990 och 2100, inte "${v}"`);
  return n;
}

export function parseDate(v: string): string {
  if (!IsoDate.safeParse(v).success) throw new InvalidArgumentError(`ska vara ett datum ÅÅÅÅ-MM-DD, inte "${v}"`);
  return v;
}
