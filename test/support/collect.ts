import type { RecordedEvent } from '../../src/store/port';

/** Drains a stream of events into an array (tests only: the stores stream so production never has to). */
export async function collect(it: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}
