/**
 * Swedish organisationsnummer: ten digits, NNNNNN-NNNN, the last a Luhn check digit over the first nine.
 * The third digit is ≥ 2 for legal entities (it tells them from personnummer); municipalities and regions
 * are 21xxxx-xxxx. Accepts "2120000142", "212000-0142" and the 12-digit "16212000-0142" form.
 */
export class OrgnrError extends Error {
  constructor(input: string, reason: string) {
    super(`invalid organisationsnummer "${input}": ${reason}`);
    this.name = 'OrgnrError';
  }
}

export function luhnCheckDigit(nineDigits: string): number {
  let total = 0;
  for (let i = 0; i < nineDigits.length; i++) {
    let d = Number(nineDigits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    total += d;
  }
  return (10 - (total % 10)) % 10;
}

/** Validates and returns the canonical form NNNNNN-NNNN, or throws OrgnrError. */
export function normaliseOrgnr(input: string): string {
  let digits = input.trim().replace(/[-\s]/g, '');
  if (digits.length === 12 && digits.startsWith('16')) digits = digits.slice(2);
  if (!/^\d{10}$/.test(digits)) throw new OrgnrError(input, 'expected ten digits (NNNNNN-NNNN)');
  if (Number(digits[2]) < 2) throw new OrgnrError(input, 'the third digit must be 2 or more for a legal entity');
  const check = luhnCheckDigit(digits.slice(0, 9));
  if (check !== Number(digits[9])) throw new OrgnrError(input, `check digit is ${digits[9]}, expected ${check}`);
  return `${digits.slice(0, 6)}-${digits.slice(6)}`;
}

export function isValidOrgnr(input: string): boolean {
  try {
    normaliseOrgnr(input);
    return true;
  } catch {
    return false;
  }
}
