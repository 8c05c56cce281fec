import { billingStream } from '../../domain/deciders/billing';
import { DOCUMENT_TYPES } from '../../domain/documents-read';
import type { ReadFilter } from '../store/port';

/**
 * A read of the log without the invoices and credit notes of other years: every event but documents
 * outside the billing streams of `years` (and outside `streams`). Documents are most of a long history's
 * bytes, and whatever concerns one year's documents (deciding, replaying, tracing them) reads no other
 * year's: the deciders append a year's documents to that year's billing stream.
 */
export const documentFilter = (years: readonly number[], streams: readonly string[] = []): ReadFilter => ({
  types: DOCUMENT_TYPES,
  exceptStreams: [...years.map(billingStream), ...streams],
});
