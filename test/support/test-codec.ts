import type { EventCodec } from '../../src/store/port';

/** The contract suite's own tiny event catalogue: it tests the store, not the domain. */
export const testCodec: EventCodec = {
  check(type, schemaVersion, data) {
    if (type !== 'Noted' || schemaVersion !== 1) throw new Error(`unknown event type "${type}"`);
    const d = data as { text?: unknown };
    if (typeof d?.text !== 'string') throw new Error('invalid data at text: expected a string');
    return data;
  },
};

export const noted = (id: string, text: string, commandId = `cmd-${id}`) => ({
  id,
  type: 'Noted',
  schemaVersion: 1,
  data: { text },
  metadata: { actor: 'test', commandId, correlationId: commandId, causationId: commandId, recordedAt: '2024-01-01T00:00:00.000Z' },
});
