/** A command refused by the rules: the message is shown to the user as is, in one line. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * A refusal because what was named is not there, though it was named well: an invoice number no document
 * has, the orgnr or kommunkod of no member, a service never established. Kept apart from a malformed name
 * (a DomainError or a usage error) so that the HTTP server can answer a read of it 404, not 400.
 */
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * SCB's year-end table a fee year counts by is not recorded yet: normal between a decision for next year
 * (a budget in November, a supplier invoice in January) and SCB's figures in February–March. What cannot
 * be worked out before it waits for it; nothing is wrong with the log.
 */
export class PopulationPendingError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'PopulationPendingError';
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
