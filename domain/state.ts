import type { DomainEvent } from './events';
import type {
  ExtraLevyDecided,
  FeeScheduleAdopted,
  MemberJoined,
  MemberKind,
  PopulationRecorded,
} from './events/membership';
import type { EventRef } from './event-ref';
import { assertNever } from './errors';

export interface MembershipPeriod {
  from: string;
  /** Last day of membership, absent while current. */
  to?: string;
  rejoin: boolean;
  decisionRef: string;
  joinedRef: EventRef;
  leftRef?: EventRef;
  leaveReason?: string;
}

export interface MemberState {
  orgnr: string;
  kind: MemberKind;
  name: string;
  kommunkod?: string;
  covers?: string[];
  address?: MemberJoined['address'];
  periods: MembershipPeriod[];
}

export interface PopulationTable {
  table: PopulationRecorded;
  byCode: Map<string, number>;
  ref: EventRef;
}

export interface Adopted<T> {
  value: T;
  ref: EventRef;
}

/**
 * Everything the deciders and projections need, folded from the events. `evolve` updates it in place
 * and returns it (a full replay of a national history would otherwise copy maps a million times); a
 * what-if simulation folds its own copy and never shares one with the live state.
 */
export interface State {
  members: Map<string, MemberState>;
  /** kommunkod → orgnr of the municipality member that carries it. */
  byKommunkod: Map<string, string>;
  /** SCB tables by the year their figures refer to (31 December); a later table for a year replaces it. */
  populations: Map<number, PopulationTable>;
  schedules: Map<number, Adopted<FeeScheduleAdopted>>;
  levies: Map<number, Map<string, Adopted<ExtraLevyDecided>>>;
}

export const initialState = (): State => ({
  members: new Map(),
  byKommunkod: new Map(),
  populations: new Map(),
  schedules: new Map(),
  levies: new Map(),
});

export function evolve(state: State, event: DomainEvent, ref: EventRef): State {
  switch (event.type) {
    case 'MemberJoined': {
      const d = event.data;
      const existing = state.members.get(d.member);
      const period: MembershipPeriod = { from: d.date, rejoin: d.rejoin, decisionRef: d.decisionRef, joinedRef: ref };
      if (existing) {
        Object.assign(existing, { kind: d.kind, name: d.name, kommunkod: d.kommunkod, covers: d.covers, address: d.address });
        existing.periods.push(period);
      } else {
        state.members.set(d.member, {
          orgnr: d.member, kind: d.kind, name: d.name, kommunkod: d.kommunkod, covers: d.covers, address: d.address, periods: [period],
        });
      }
      if (d.kommunkod) state.byKommunkod.set(d.kommunkod, d.member);
      return state;
    }
    case 'MemberLeft': {
      const m = state.members.get(event.data.member);
      const current = m?.periods[m.periods.length - 1];
      if (current && current.to === undefined) {
        current.to = event.data.date;
        current.leftRef = ref;
        current.leaveReason = event.data.reason;
      }
      return state;
    }
    case 'PopulationRecorded': {
      const byCode = new Map(event.data.rows.map((r) => [r.code, r.population] as const));
      state.populations.set(event.data.year, { table: event.data, byCode, ref });
      return state;
    }
    case 'FeeScheduleAdopted':
      state.schedules.set(event.data.year, { value: event.data, ref });
      return state;
    case 'ExtraLevyDecided': {
      const ofYear = state.levies.get(event.data.year) ?? new Map<string, Adopted<ExtraLevyDecided>>();
      ofYear.set(event.data.levyId, { value: event.data, ref });
      state.levies.set(event.data.year, ofYear);
      return state;
    }
    default:
      return assertNever(event);
  }
}

/** The membership period in force on `date`, if any. */
export function periodOn(m: MemberState, date: string): MembershipPeriod | undefined {
  return m.periods.find((p) => p.from <= date && (p.to === undefined || date <= p.to));
}

export const isCurrentMember = (m: MemberState): boolean => m.periods[m.periods.length - 1]?.to === undefined;
