import { DomainError, PopulationPendingError } from './errors';
import { counted } from './swedish-list';
import type { EventRef } from './event-ref';
import type { MemberState, State } from './state';

/** A count of municipalities as a Swedish reader reads it: "1 kommun", "290 kommuner". */
export const municipalityCount = (n: number): string => counted(n, 'kommun', 'kommuner');

/**
 * THE rule for which population counts for a fee year: SCB's figure at 31 December of the previous year
 * (folkmängd 31 december, year − 1). Every fee, tier and per-capita split asks this one function.
 */
export const populationYearFor = (feeYear: number): number => feeYear - 1;

export interface PopulationUsed {
  value: number;
  /** The year the figure refers to (31 December of it). */
  year: number;
  referenceDate: string;
  source: string;
  /** For a federation: the kommunkoder summed. */
  codes: string[];
  ref: EventRef;
}

/**
 * The population counted for a member in a fee year, or null for a member in the organisation tier
 * (regions and other organisations). A municipality or federation without a figure is an error naming
 * the member and the year, never a silent zero.
 */
export function populationFor(state: State, m: MemberState, feeYear: number): PopulationUsed | null {
  if (m.kind === 'region' || m.kind === 'organisation') return null;
  const year = populationYearFor(feeYear);
  const table = state.populations.get(year);
  if (!table) throw new PopulationPendingError(`ingen befolkningstabell för ${year} finns registrerad (avgifterna för ${feeYear} bygger på SCB:s folkmängd 31 december ${year}); importera en med \`samkost population import\``);
  const codes = m.kind === 'federation' ? (m.covers ?? []) : [m.kommunkod as string];
  let value = 0;
  for (const code of codes) {
    const p = table.byCode.get(code);
    if (p === undefined) throw new DomainError(`ingen folkmängd registrerad för ${m.name} (${m.orgnr}, kommunkod ${code}) för avgiftsåret ${feeYear} (SCB ${year})`);
    value += p;
  }
  return { value, year, referenceDate: table.table.referenceDate, source: table.table.source, codes, ref: table.ref };
}

/** The population of an enrolment that covers listed municipalities: the sum of their figures. */
export function populationOfCodes(state: State, codes: readonly string[], feeYear: number, who: string): PopulationUsed {
  const year = populationYearFor(feeYear);
  const table = state.populations.get(year);
  if (!table) throw new PopulationPendingError(`ingen befolkningstabell för ${year} finns registrerad (${feeYear} bygger på SCB:s folkmängd 31 december ${year}); importera en med \`samkost population import\``);
  let value = 0;
  for (const code of codes) {
    const p = table.byCode.get(code);
    if (p === undefined) throw new DomainError(`ingen folkmängd registrerad för kommunkod ${code} (som omfattas av ${who}) för ${feeYear} (SCB ${year})`);
    value += p;
  }
  return { value, year, referenceDate: table.table.referenceDate, source: table.table.source, codes: [...codes], ref: table.ref };
}
