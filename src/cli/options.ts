import { InvalidArgumentError } from 'commander';
import { CommandDate, IsoDate, Year } from '../../domain/primitives';
import { excessDigits, isAmountString } from '../../domain/money';

/** An option that may be given more than once (`--line` of a budget): each value, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** A comma-separated list (`--kommun 0180,1480`), given once. */
export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** A comma-separated list of kommunkoder (`--kommun 0180,1480`): four digits each. */
export function kommunCodes(v: string): string[] {
  const codes = list(v);
  const bad = codes.find((c) => !/^\d{4}$/.test(c));
  if (bad !== undefined || codes.length === 0) throw new InvalidArgumentError(`ska vara kommunkoder med fyra siffror, som 0180,1480, inte "${bad ?? v}"`);
  return codes;
}

export function parseYear(v: string): number {
  const n = Number(v);
  if (!/^\d{4}$/.test(v) || !Year.safeParse(n).success) throw new InvalidArgumentError(`ska vara ett årtal mellan 1990 och 2100, inte "${v}"`);
  return n;
}

/** A position or revision: a whole number 0 or more that a JavaScript number holds exactly. */
export function parseNonNegativeInteger(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`ska vara ett heltal 0 eller större, inte "${v}"`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`ska vara ett heltal högst ${Number.MAX_SAFE_INTEGER}, inte "${v}"`);
  return n;
}

/** A date option, of a command or a read (`--at`): in the years `--year` takes, as a command's dates are (CommandDate). */
export function parseDate(v: string): string {
  if (!IsoDate.safeParse(v).success) throw new InvalidArgumentError(`ska vara ett datum ÅÅÅÅ-MM-DD, inte "${v}"`);
  if (!CommandDate.safeParse(v).success) throw new InvalidArgumentError(`ska vara ett datum mellan 1990-01-01 och 2100-12-31, inte "${v}"`);
  return v;
}

/**
 * An amount as a Swedish user may type it: "131 572,00", "131572,5" or "131572.50" (spaces or non-breaking
 * spaces between groups of three digits, a decimal comma). Given to the command as "131572.00"-style text,
 * which the command's schema then checks; anything else is passed on (trimmed) for the schema to take or refuse.
 * With at most two decimals a comma is never a thousands separator, so "1,000" is not read as 1000.
 */
export function amountInput(v: string): string {
  const text = amountText(v);
  // Refused here, in the words of the command line, not by the schema, whose example ("1234.50") is a
  // file's or an HTTP body's form: typed, "1 234,50" is taken too.
  if (!isAmountString(text)) {
    // The form right but too long: said so, not that it should look like what it looks like.
    const digits = excessDigits(text);
    throw new InvalidArgumentError(digits !== undefined
      ? `får ha högst 15 siffror före decimaltecknet, inte ${digits} ("${v}")`
      : `ska vara ett belopp som "1 234,50" eller "1234.50", inte "${v}"`);
  }
  return text;
}

/** amountInput's reading, for a file's column: what it cannot read is passed on for the schema to refuse. */
export function amountText(v: string): string {
  const text = v.trim();
  const m = /^(-?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(\d{1,2}))?$/.exec(text);
  if (!m) return text;
  const whole = m[2].replace(/[ \u00a0\u202f]/g, '');
  return `${m[1]}${whole}.${(m[3] ?? '').padEnd(2, '0')}`;
}
