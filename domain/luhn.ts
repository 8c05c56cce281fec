/**
 * The Luhn (modulus-10) check digit of `payload`: from the right, every other digit doubled (its digits
 * summed), the total made up to a multiple of ten. The last digit of an organisationsnummer and of a
 * bankgiro number is this digit of the ones before it.
 */
export function luhnDigit(payload: string): number {
  let total = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    total += d;
  }
  return (10 - (total % 10)) % 10;
}
