import type { InvoiceLine } from './events/billing';
import type { MemberKind } from './events/membership';

/* Member and line kinds as finance and auditors read them in Swedish; stored events and --json keep the codes. */

export const MEMBER_KIND_NAMES: Record<MemberKind, string> = {
  municipality: 'kommun',
  region: 'region',
  federation: 'kommunalförbund',
  organisation: 'organisation',
};

export const LINE_KIND_NAMES: Record<InvoiceLine['kind'], string> = {
  'annual-fee': 'årsavgift',
  'joining-contribution': 'medlemsinsats',
  levy: 'extra utdebitering',
  'a-conto': 'a conto',
  settlement: 'slutreglering',
};
