import type { Command } from './commands';
import {
  type Decision,
  decideAdoptSchedule,
  decideImportPopulation,
  decideJoin,
  decideLeave,
  decideLevy,
} from './deciders/membership';
import { assertNever } from './errors';
import type { State } from './state';

export type { Decision };

/** Context from the edge: "today" in Europe/Stockholm, never read from a clock here. */
export interface DecideContext {
  today: string;
}

/** decide(command, state) → the events to append to one stream, or a DomainError. */
export function decide(command: Command, state: State, _ctx: DecideContext): Decision {
  switch (command.type) {
    case 'member.join':
      return decideJoin(command, state);
    case 'member.leave':
      return decideLeave(command, state);
    case 'population.import':
      return decideImportPopulation(command);
    case 'schedule.adopt':
      return decideAdoptSchedule(command);
    case 'levy.decide':
      return decideLevy(command, state);
    default:
      return assertNever(command);
  }
}
