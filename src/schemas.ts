import { z } from 'zod';
import { Command } from '../domain/commands';

/** JSON Schema (draft 2020-12) of every command, keyed by command type, generated from the zod schemas. */
export function commandJsonSchemas(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const option of Command.options) {
    const type = option.shape.type.value;
    const schema = z.toJSONSchema(option, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    out.set(type, { $id: `samkost/commands/${type}.json`, title: type, ...schema });
  }
  return out;
}
