import { parseCommand } from '../../domain/commands';
import type { ExecuteResult } from '../app/engine';
import { withConfiguredDefaults } from '../config';
import { type GlobalOptions, withEngineFor } from './context';
import { type CliIo, toJson } from './io';

/**
 * Validates one command object, executes it on an engine that folded what deciding it reads, and reports
 * what was stored (or that it was a retry). A command that does not parse opens no store.
 */
export async function executeAndReport(input: Record<string, unknown>, g: GlobalOptions, io: CliIo): Promise<ExecuteResult> {
  const { commandId, ...body } = input;
  const command = parseCommand(withConfiguredDefaults(body, io));
  return withEngineFor(g, io, [command], async (engine) => {
    const result = await engine.execute(command, { commandId: typeof commandId === 'string' ? commandId : undefined });
    if (g.json) io.out(`${toJson(result)}\n`);
    else io.out(describeResult(command.type, result));
    return result;
  });
}

export function describeResult(type: string, r: ExecuteResult): string {
  if (r.duplicate) return `${type}: redan registrerat av kommando ${r.commandId}; inget nytt sparat\n`;
  return r.events.map((e) => `${type}: sparade ${e.type} i ${e.streamId}@${e.revision} (position ${e.position})\n`).join('');
}
