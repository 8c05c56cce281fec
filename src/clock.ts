/** "Today" is a Stockholm date, taken here at the edge and passed into the domain. */
export function stockholmDate(at: Date): string {
  // sv-SE formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
