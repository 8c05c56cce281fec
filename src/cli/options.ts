import { InvalidArgumentError } from 'commander';
import { IsoDate, Year } from '../../domain/primitives';

export function parseYear(v: string): number {
  const n = Number(v);
  if (!/^\d{4}$/.test(v) || !Year.safeParse(n).success) throw new InvalidArgumentError(`"${v}" is not a year between 1990 and 2100`);
  return n;
}

export function parseDate(v: string): string {
  if (!IsoDate.safeParse(v).success) throw new InvalidArgumentError(`"${v}" is not a date YYYY-MM-DD`);
  return v;
}
