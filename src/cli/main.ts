import { Command, CommanderError } from 'commander';
import { commanderRefusal, isShownByCommander, refuseRepeatedOptions, reportUnknownOptionsFirst } from './commander-errors';
import { collect, kommunCodes, list } from './options';
import { swedishHelp } from './help-words';
import { registerEventCommands } from './events-commands';
import { type CliIo, processIo } from './io';
import { errorLine, isRefusal } from './refusals';
import { flushWarnings } from '../config';
import { registerMembershipCommands } from './membership-commands';
import { registerReferenceCommands } from './reference-commands';
import { registerServiceCommands } from './service-commands';
import { registerBillingCommands } from './billing-commands';
import { registerTraceCommands } from './trace-commands';
import { registerLedgerCommands } from './ledger-commands';
import { registerServeCommand } from './serve-command';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  // The help in Swedish first: the subcommands added below inherit it (help-words.ts).
  const program = swedishHelp(new Command('samkost'))
    .description('Självkostnadsfakturering för kommunala föreningar: fakturor, avgifter och bokföring härledda ur sparade händelser')
    .option('--store <location>', 'SQLite-fil eller esdb://-adress (standard: $SAMKOST_STORE eller ./data/samkost.db)')
    .option('--json', 'maskinläsbar utdata (JSON)')
    .option('--actor <name>', 'vem som agerar; registreras på varje händelse (standard: $SAMKOST_ACTOR eller $USER)')
    .exitOverride()
    // Commander's own refusals are printed by main, in Swedish, like every other refusal (commander-errors.ts).
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => undefined })
    .showHelpAfterError(false);
  registerEventCommands(program, io, setExit);
  registerMembershipCommands(program, io, setExit);
  registerReferenceCommands(program, io);
  registerServiceCommands(program, io);
  registerBillingCommands(program, io, setExit);
  registerTraceCommands(program, io, setExit);
  registerLedgerCommands(program, io);
  registerServeCommand(program, io, (argv, requestIo) => main(argv, requestIo));
  // Last, once every command and its options are registered.
  return refuseRepeatedOptions(reportUnknownOptionsFirst(program), collect, new Set([list, kommunCodes]));
}

/** Runs the CLI; returns the exit code (0 ok, 1 a check failed, 2 refused input or error). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => { code = Math.max(code, c); });
  try {
    await program.parseAsync(argv);
    flushWarnings(io);
    return code;
  } catch (err) {
    flushWarnings(io, false);
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      if (!isShownByCommander(err)) io.err(`samkost: ${commanderRefusal(err)}\n`);
      return 2;
    }
    io.err(`samkost: ${errorLine(err)}\n`);
    io.failed?.(err);
    if (!isRefusal(err) && io.env.SAMKOST_DEBUG) io.err(`${(err as Error).stack}\n`);
    return 2;
  }
}
