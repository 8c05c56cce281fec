import type { z } from 'zod';

/*
 * What zod finds wrong with a command or a settings file, in the Swedish finance reads. Given to `safeParse`
 * as its error map, it words every issue a schema does not word itself (a schema's own message wins), so a
 * refused command reads e.g. `payment.record: invoice: saknas (ska vara en text)`. Field names stay as they are.
 */

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  string: 'en text',
  number: 'ett tal',
  int: 'ett heltal',
  bigint: 'ett heltal',
  boolean: 'true eller false',
  array: 'en lista',
  object: 'ett objekt',
  date: 'ett datum',
  null: 'null',
  nan: 'ett tal',
};

const typeWords = (expected: string): string => TYPE_WORDS[expected] ?? expected;

/** What was given instead, short enough for one line. */
function given(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'en lista';
  switch (typeof input) {
    case 'string':
      return `texten ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
    case 'number':
      return Number.isNaN(input) ? 'NaN' : `talet ${input}`;
    case 'boolean':
      return String(input);
    case 'object':
      return 'ett objekt';
    default:
      return typeof input;
  }
}

const quoted = (v: unknown): string => (typeof v === 'bigint' ? String(v) : JSON.stringify(v));

/** "a", "a eller b", "a, b eller c". */
function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} eller ${items[items.length - 1]}`;
}

const count = (n: number | bigint, one: string, many: string): string => `${n} ${Number(n) === 1 ? one : many}`;

const UNITS: Record<string, [string, string]> = { string: ['tecken', 'tecken'], array: ['post', 'poster'], set: ['post', 'poster'], file: ['byte', 'byte'] };

function tooBig(issue: Extract<RawIssue, { code: 'too_big' }>): string {
  const unit = UNITS[issue.origin];
  const max = issue.maximum as number | bigint;
  if (unit) {
    const n = count(max, ...unit);
    if (issue.exact) return `måste ha exakt ${n}`;
    return issue.inclusive ? `får ha högst ${n}` : `måste ha färre än ${n}`;
  }
  if (issue.origin === 'date') return issue.inclusive ? `får vara senast ${String(max)}` : `måste vara före ${String(max)}`;
  if (issue.exact) return `måste vara exakt ${max}`;
  return issue.inclusive ? `får vara högst ${max}` : `måste vara mindre än ${max}`;
}

function tooSmall(issue: Extract<RawIssue, { code: 'too_small' }>): string {
  const unit = UNITS[issue.origin];
  const min = issue.minimum as number | bigint;
  if (unit) {
    if (issue.origin === 'string' && Number(min) === 1 && issue.inclusive && !issue.exact) return 'får inte vara tom';
    const n = count(min, ...unit);
    if (issue.exact) return `måste ha exakt ${n}`;
    return issue.inclusive ? `måste ha minst ${n}` : `måste ha fler än ${n}`;
  }
  if (issue.origin === 'date') return issue.inclusive ? `får vara tidigast ${String(min)}` : `måste vara efter ${String(min)}`;
  if (issue.exact) return `måste vara exakt ${min}`;
  return issue.inclusive ? `måste vara minst ${min}` : `måste vara större än ${min}`;
}

function invalidFormat(issue: Extract<RawIssue, { code: 'invalid_format' }>): string {
  const i = issue as { format: string; pattern?: string; prefix?: string; suffix?: string; includes?: string };
  switch (i.format) {
    case 'regex':
      return `har fel form (ska matcha ${i.pattern})`;
    case 'starts_with':
      return `måste börja med "${i.prefix}"`;
    case 'ends_with':
      return `måste sluta med "${i.suffix}"`;
    case 'includes':
      return `måste innehålla "${i.includes}"`;
    default:
      return `har fel form (ska vara ${i.format})`;
  }
}

/** The error map: an issue in Swedish, one line. */
export const swedishIssue = (issue: RawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `saknas (ska vara ${typeWords(issue.expected)})`;
      return `ska vara ${typeWords(issue.expected)}, inte ${given(issue.input)}`;
    case 'invalid_value':
      return `ska vara ${orList(issue.values.map(quoted))}`;
    case 'too_big':
      return tooBig(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'invalid_format':
      return invalidFormat(issue);
    case 'not_multiple_of':
      return `måste vara en multipel av ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `${issue.keys.length > 1 ? 'okända nycklar' : 'okänd nyckel'}: ${issue.keys.join(', ')}`;
    case 'invalid_key':
      return `ogiltig nyckel i ${issue.origin}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) return `ska vara något av ${options.map((o) => `'${String(o)}'`).join(' | ')}`;
      if (issue.inclusive === false) return 'passar in på mer än ett alternativ';
      return 'ogiltigt värde';
    }
    case 'invalid_element':
      return `ogiltigt värde i ${issue.origin}`;
    default:
      return 'ogiltigt värde';
  }
};

/** The first issue as one line: the field's path, then what is wrong with it (`seller.orgnr: …`). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}
