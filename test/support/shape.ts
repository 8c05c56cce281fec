import Decimal from 'decimal.js';

/**
 * Exactly what a caller can see: every key in order (present or not), and each Decimal's sign, exponent and
 * digits, so a Decimal of the same value but another form (-0, say) would differ.
 */
export function shape(x: unknown): unknown {
  if (x instanceof Decimal) return `D ${x.s} ${x.e} ${x.d?.join('.')}`;
  if (Array.isArray(x)) return x.map(shape);
  if (x !== null && typeof x === 'object') return Object.entries(x).map(([k, v]) => [k, shape(v)]);
  return Object.is(x, -0) ? '-0' : x;
}

/** The shape of what `f` returns, or the error it throws: two implementations compared outcome for outcome. */
export const outcome = (f: () => unknown): unknown => {
  try {
    return shape(f());
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
};
