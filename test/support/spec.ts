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
 * parsed as a user's command would be), then these events or this error.
 */
export function given(...events: DomainEvent[]) {
  return {
    /** `settings`: what the edge takes from the configuration (the default configuration's VAT rates unless given). */
    when(command: Record<string, unknown>, today = '2024-06-01', settings: Omit<DecideContext, 'today'> = { vatRates: vatRatesOf(DEFAULT_CONFIG) }) {
      const run = (): Decision => decide(parseCommand(command) as Command, stateOf(events), { ...settings, today });
      return {
        then(expected: DomainEvent[], stream?: string) {
          const d = run();
          expect(d.events).toEqual(expected);
          if (stream) expect(d.streamId).toBe(stream);
        },
        thenError(message: string | RegExp) {
          expect(run).toThrow(message);
        },
      };
    },
  };
}
