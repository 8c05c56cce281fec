import { grouped } from './money';

/** A count of things in Swedish, singular or plural by the count: "1 kommun", "290 kommuner", "1 234 verifikationer". */
export const counted = (n: number, one: string, many: string): string => `${grouped(n)} ${n === 1 ? one : many}`;

/** The first `max` items named, the rest counted: "a, b, c och 5 till" (all of them when no more than `max`). */
export const namedFirst = (items: readonly string[], max: number): string =>
  `${items.slice(0, max).join(', ')}${items.length > max ? ` och ${grouped(items.length - max)} till` : ''}`;

/** Items as a Swedish sentence lists them: "a", "a och b", "a, b och c". */
export const listed = (items: readonly string[]): string =>
  (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} och ${items[items.length - 1]}`);
