import { luhnDigit } from './luhn';

/**
 * Swedish organisationsnummer: ten digits, NNNNNN-NNNN, the last a Luhn check digit over the first nine.
 * The third digit is ≥ 2 for legal entities (it tells them from personnummer); municipalities and regions
 * are 21xxxx-xxxx. Accepts "2120000142", "212000-0142" and the 12-digit "16212000-0142" form.
 */
export class OrgnrError extends Error {
  constructor(input: string, reason: string) {
    super(`ogiltigt organisationsnummer "${input}": ${reason}`);
    this.name = 'OrgnrError';
  }
}

/** Validates and returns the canonical form NNNNNN-NNNN, or throws OrgnrError. */
export function normaliseOrgnr(input: string): string {
  let digits = input.trim().replace(/[-\s]/g, '');
  if (digits.length === 12 && digits.startsWith('16')) digits = digits.slice(2);
  if (!/^\d{10}$/.test(digits)) throw new OrgnrError(input, 'det ska vara tio siffror (NNNNNN-NNNN)');
  if (Number(digits[2]) < 2) throw new OrgnrError(input, 'tredje siffran måste vara 2 eller högre för en juridisk person');
  const check = luhnDigit(digits.slice(0, 9));
  if (check !== Number(digits[9])) throw new OrgnrError(input, `kontrollsiffran är ${digits[9]} men ska vara ${check}`);
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
