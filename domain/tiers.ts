import { z } from 'zod';

/**
 * A population band or the organisation tier. Bounds are inclusive integers; a missing `min` is 0 and a
 * missing `max` is unbounded. The organisation band (organisation: true) holds every non-municipal member.
 * The same shape serves fee schedules, levies and the tier-weighted and price-list pricing rules.
 */
export const TierBand = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'nivåns id: gemener, siffror och bindestreck'),
  label: z.string().min(1),
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().nonnegative().optional(),
  organisation: z.literal(true).optional(),
});
export type TierBand = z.infer<typeof TierBand>;

export interface TierSubject {
  organisation: boolean;
  population: number | null;
}

export function bandMatches(band: TierBand, s: TierSubject): boolean {
  if (band.organisation) return s.organisation;
  if (s.organisation || s.population === null) return false;
  return (band.min ?? 0) <= s.population && s.population <= (band.max ?? Number.POSITIVE_INFINITY);
}

export function bandOf<B extends TierBand>(bands: readonly B[], s: TierSubject): B | undefined {
  return bands.find((b) => bandMatches(b, s));
}

/**
 * A schedule must place every population in exactly one band: sorted by `min`, the bands start at 0,
 * each starts right after the previous one ends, and only the last is open-ended. Returns the problems.
 */
export function bandCoverageProblems(bands: readonly TierBand[], requireFullCoverage: boolean): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const b of bands) {
    if (ids.has(b.id)) problems.push(`nivån "${b.id}" förekommer två gånger`);
    ids.add(b.id);
    if (b.organisation && (b.min !== undefined || b.max !== undefined)) problems.push(`organisationsnivån "${b.id}" kan inte ha gränser för folkmängd`);
    if (b.min !== undefined && b.max !== undefined && b.max < b.min) problems.push(`nivån "${b.id}" slutar (${b.max}) innan den börjar (${b.min})`);
  }
  if (bands.filter((b) => b.organisation).length > 1) problems.push('mer än en organisationsnivå');
  const ranged = bands.filter((b) => !b.organisation).sort((a, b) => (a.min ?? 0) - (b.min ?? 0));
  let expectedStart = 0;
  ranged.forEach((b, i) => {
    const start = b.min ?? 0;
    if (start < expectedStart) problems.push(`nivåerna överlappar: "${b.id}" börjar vid ${start}, inom "${ranged[i - 1].id}"`);
    else if (requireFullCoverage && start > expectedStart) problems.push(`lucka mellan nivåerna: ingen nivå täcker ${expectedStart}–${start - 1}`);
    if (b.max === undefined && i < ranged.length - 1) problems.push(`nivån "${b.id}" saknar övre gräns men är inte den sista`);
    expectedStart = b.max === undefined ? Number.POSITIVE_INFINITY : b.max + 1;
  });
  if (requireFullCoverage && ranged.length > 0 && expectedStart !== Number.POSITIVE_INFINITY)
    problems.push(`lucka mellan nivåerna: ingen nivå täcker folkmängder över ${expectedStart - 1}`);
  if (requireFullCoverage && ranged.length === 0) problems.push('inga nivåer för folkmängd');
  return problems;
}
