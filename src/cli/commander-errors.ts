import { type Command, type CommanderError, InvalidArgumentError, type Option } from 'commander';
import { argumentName, requiredInHelp } from './help-words';

/*
 * Commander's own refusals (an unknown option or command, a missing option or argument, a value its parser
 * refused) in Swedish, on one line. Commander 14 words them in English, e.g. "error: unknown option '--yeer'
 * \n(Did you mean --year?)"; the error's code says which refusal it is and the names are taken from its
 * message (lib/command.js words them), an argument by its Swedish name (help-words.ts#ARGUMENT_NAMES, as the
 * help names it). A message not recognised keeps commander's words, on one line.
 */

/** Commander's errors that are no refusal: the help or version it has already written. */
const ALREADY_SHOWN = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

export const isShownByCommander = (err: CommanderError): boolean => ALREADY_SHOWN.has(err.code);

/** "--year" of the flags "-y, --year <year>"; the flags as they are when there is no long name. */
const optionName = (flags: string): string => /--[^\s,<[]+/.exec(flags)?.[0] ?? flags;

/** "\n(Did you mean --year?)" or "\n(Did you mean one of a, b?)" after an unknown name. */
function suggestion(rest: string | undefined): string | undefined {
  const m = /^\s*\(Did you mean (one of )?(.*)\?\)\s*$/s.exec(rest ?? '');
  if (!m) return undefined;
  return m[1] ? `menade du någon av ${m[2]}?` : `menade du ${m[2]}?`;
}

/** "option '--a <x>'" or "environment variable 'A'", as commander names the two sides of a conflict. */
function conflictSide(side: string): string {
  const option = /^option '(.*)'$/.exec(side);
  if (option) return `flaggan ${optionName(option[1])}`;
  const env = /^environment variable '(.*)'$/.exec(side);
  return env ? `miljövariabeln ${env[1]}` : side;
}

function swedish(code: string, message: string): string | undefined {
  let m: RegExpExecArray | null;
  switch (code) {
    case 'commander.unknownOption':
      if (!(m = /^unknown option '(.*?)'(\n.*)?$/s.exec(message))) return undefined;
      return `okänd flagga ${m[1]}; ${suggestion(m[2]) ?? 'se --help för tillgängliga flaggor'}`;
    case 'commander.unknownCommand':
      if (!(m = /^unknown command '(.*?)'(\n.*)?$/s.exec(message))) return undefined;
      return `okänt kommando ${m[1]}; ${suggestion(m[2]) ?? 'se samkost --help för tillgängliga kommandon'}`;
    case 'commander.missingMandatoryOptionValue':
      if (!(m = /^required option '(.*)' not specified$/.exec(message))) return undefined;
      return `flaggan ${m[1]} måste anges`;
    case 'commander.optionMissingArgument':
      if (!(m = /^option '(.*)' argument missing$/.exec(message))) return undefined;
      return `flaggan ${m[1]} saknar värde`;
    case 'commander.missingArgument':
      if (!(m = /^missing required argument '(.*)'$/.exec(message))) return undefined;
      return `argumentet ${argumentName(m[1])} måste anges`;
    case 'commander.excessArguments':
      if (!(m = /^too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(message))) return undefined;
      return `för många argument${m[1] ? ` till ${m[1]}` : ''}: ${m[2]} väntades men ${m[3]} angavs`;
    case 'commander.conflictingOption':
      if (!(m = /^(.*) cannot be used with (.*)$/.exec(message))) return undefined;
      return `${conflictSide(m[1])} kan inte användas tillsammans med ${conflictSide(m[2])}`;
    case 'commander.invalidArgument':
      // The parsers of src/cli word why ("ska vara ett årtal …, inte "x""), to follow the option's name.
      if ((m = /^option '(.*?)' argument '.*' is invalid\. (.*)$/s.exec(message))) return `${optionName(m[1])} ${m[2]}`;
      if ((m = /^option '(.*?)' value '.*' from env '(.*?)' is invalid\. (.*)$/s.exec(message))) return `${optionName(m[1])} (från miljövariabeln ${m[2]}) ${m[3]}`;
      if ((m = /^command-argument value '.*' is invalid for argument '(.*?)'\. (.*)$/s.exec(message))) return `argumentet ${argumentName(m[1])} ${m[2]}`;
      return undefined;
    default:
      return undefined;
  }
}

/** What to print after `samkost: ` for a refusal of commander's: Swedish, one line. */
export function commanderRefusal(err: CommanderError): string {
  const message = err.message.replace(/^error: /, '');
  return (swedish(err.code, message) ?? message).replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Commander checks a command's required options before it looks for options it does not know, so `fees --yeer
 * 2024` was refused as lacking --year rather than as the mistyped --yeer it is, and the suggestion was lost.
 * Every required option of `program` and its subcommands (all registered by now) is made optional to
 * commander and checked instead before the action runs, which is after commander has refused an unknown
 * option (and a missing or excess argument), with the error commander would have given. Returns `program`.
 */
export function reportUnknownOptionsFirst(program: Command): Command {
  const required = new Set<Option>();
  const collect = (cmd: Command): void => {
    for (const option of cmd.options) {
      if (!option.mandatory) continue;
      required.add(option);
      // Still "(krävs)" in the help, which reads commander's mandatory flag no longer.
      requiredInHelp(option);
      option.makeOptionMandatory(false);
    }
    cmd.commands.forEach(collect);
  };
  collect(program);
  program.hook('preAction', (_program, action) => {
    // As commander does: the command run first, then its parents; each one's options in the order declared.
    for (let cmd: Command | null = action; cmd; cmd = cmd.parent) {
      for (const option of cmd.options) {
        if (required.has(option) && cmd.getOptionValue(option.attributeName()) === undefined)
          cmd.error(`error: required option '${option.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
      }
    }
  });
  return program;
}

/**
 * Commander keeps the last value of an option given twice, so `simulate --remove 1280 --remove 1281` removed
 * Lund alone and answered as if both were gone. Every option that takes a value and is not one that collects
 * its values (`parseArg === collect`) is refused the second time it is given, with the way to give several.
 * Called once every command is registered. `lists`: the parsers of options that take a comma-separated list.
 * Only the subcommands' options: the program's own (--store, --actor) may be overridden by a later one.
 */
export function refuseRepeatedOptions(program: Command, collects: (value: string, previous: string[]) => string[], lists: ReadonlySet<unknown>): Command {
  const given = new Set<Option>();
  const guard = (cmd: Command): void => {
    for (const option of cmd.options) {
      if (!(option.required || option.optional) || option.parseArg === collects) continue;
      const parse = option.parseArg as ((value: string, previous: unknown) => unknown) | undefined;
      const several = lists.has(parse) ? `, flera värden med komma emellan (${optionName(option.flags)} a,b)` : '';
      option.parseArg = ((value: string, previous: unknown) => {
        if (given.has(option)) throw new InvalidArgumentError(`angavs mer än en gång, och bara den sista hade gällt; ange den en gång${several}`);
        given.add(option);
        return parse === undefined ? value : parse(value, previous);
      }) as Option['parseArg'];
    }
    cmd.commands.forEach(guard);
  };
  // The program's own options (--store, --actor) are left as commander has them: a later one overrides an
  // earlier, as a shell alias that names a store is overridden by the --store typed after it.
  program.commands.forEach(guard);
  return program;
}
