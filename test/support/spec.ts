import type { Command } from '../../domain/commands';
import { parseCommand } from '../../domain/commands';
import { decide, type DecideContext, type Decision } from '../../domain/decide';
import type { EventRef } from '../../domain/event-ref';
import type { DomainEvent } from '../../domain/events';
import { evolve, initialState, type State } from '../../domain/state';
import { DEFAULT_CONFIG, vatRatesOf } from '../../src/config';

let counter = 0;
/** A made-up but well-formed provenance reference for events given to a spec. */
export const fakeRef = (type: string, streamId = 'spec'): EventRef => {
  counter += 1;
  return { streamId, revision: counter, position: String(counter), eventId: `e-${counter}`, type, recordedAt: '2024-01-01T00:00:00Z', actor: 'spec', hash: 'h'.repeat(64) };
};

export const stateOf = (events: DomainEvent[]): State => events.reduce((s, e) => evolve(s, e, fakeRef(e.type)), initialState());

/**
 * Decider specifications in the given/when/then form: given these events, when this command (raw JSON,
 * parsed as a user's command would be), then these events or this error. The events are folded by
 * `fold` (stateOf: every event in one made-up stream).
 */
export function givenIn(fold: (events: DomainEvent[]) => State) {
  return (...events: DomainEvent[]) => ({
    /** `settings`: what the edge takes from the configuration (the default configuration's VAT rates unless given). */
    when(command: Record<string, unknown>, today = '2024-06-01', settings: Omit<DecideContext, 'today'> = { vatRates: vatRatesOf(DEFAULT_CONFIG) }) {
      const run = (): Decision => decide(parseCommand(command) as Command, fold(events), { ...settings, today });
      return {
        then(expected: DomainEvent[], stream?: string) {
          const d = run();
          expect(d.events).toEqual(expected);
          if (stream) expect(d.streamId).toBe(stream);
        },
        /** `type`: the class of error thrown (a NotFoundError), when it matters. */
        thenError(message: string | RegExp, type?: new (m: string) => Error) {
          if (type) expect(run).toThrow(type);
          expect(run).toThrow(message);
        },
      };
    },
  });
}

export const given = givenIn(stateOf);
