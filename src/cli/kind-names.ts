import type { CreditNoteIssued, InvoiceIssued } from '../../domain/events/billing';

/* Member and invoice kinds as finance reads them in tables; --json keeps the codes. */

export { MEMBER_KIND_NAMES } from '../../domain/kind-words';

export const INVOICE_KIND_NAMES: Record<InvoiceIssued['kind'], string> = {
  membership: 'medlemsavgift',
  'a-conto': 'a conto',
  settlement: 'slutreglering',
};

export const CREDIT_NOTE_KIND_NAMES: Record<CreditNoteIssued['kind'], string> = {
  correction: 'rättelse',
  settlement: 'slutreglering',
};
