import type { Argument, Command, Help, HelpConfiguration, Option } from 'commander';

/*
 * Commander's help in the Swedish finance reads. Commander 14 writes its own words into the help: the
 * headings ("Usage:", "Options:", …, literals in Help#formatHelp), "[options]" and "[command]" in the
 * usage line and the list of subcommands, "(default: …)" after a description, and the help option's and
 * help command's descriptions. The hooks commander offers for each are used here: `.helpOption()` and
 * `.helpCommand()` for the built-in option and command, and `configureHelp()` overriding the Help methods
 * that word the rest. Set on the program before its subcommands are added, all three are inherited by every
 * subcommand (Command#copyInheritedSettings). Command names and flags stay as they are; an argument is named
 * in Swedish (ARGUMENT_NAMES), as commander's refusal of a missing one names it (commander-errors.ts), and a
 * required option is marked "(krävs)" (requiredInHelp).
 */

export const HELP_FLAGS = '-h, --help';
export const HELP_OPTION_DESCRIPTION = 'visa hjälp för kommandot';
export const HELP_COMMAND = 'help [kommando]';
export const HELP_COMMAND_DESCRIPTION = 'visa hjälp för ett kommando';

/** The description of every --command-id: what an idempotency key does, in the words of its user. */
export const COMMAND_ID = 'id som hindrar att samma kommando registreras två gånger';

const HEADINGS = {
  usage: 'Användning:',
  arguments: 'Argument:',
  options: 'Flaggor:',
  globalOptions: 'Globala flaggor:',
  commands: 'Kommandon:',
};

/**
 * A command's arguments as the help and a refusal name them: the commands define them by their English names
 * (the action's parameters), which finance would read as `samkost: argumentet number måste anges`.
 */
export const ARGUMENT_NAMES: Readonly<Record<string, string>> = {
  number: 'fakturanummer',
  invoice: 'fakturanummer',
  payment: 'inbetalnings-id',
  file: 'fil',
  member: 'medlem',
  year: 'år',
};

/** An argument's name in Swedish: "number" is "fakturanummer"; a name not listed as it is ("katalog"). */
export const argumentName = (name: string): string => ARGUMENT_NAMES[name] ?? name;

/** "<fakturanummer>", "[fakturanummer]", "<fil...>", as commander writes an argument in usage, named in Swedish. */
function argumentUsage(argument: Argument): string {
  const name = argumentName(argument.name()) + (argument.variadic ? '...' : '');
  return argument.required ? `<${name}>` : `[${name}]`;
}

/**
 * The options the help marks "(krävs)": every requiredOption, registered here as commander-errors.ts
 * (reportUnknownOptionsFirst) makes it optional to commander and checks it itself, and an option a command
 * requires in its action (`ledger opening --year`, which commander would give to `ledger`'s own --year).
 */
const REQUIRED = new WeakSet<Option>();

export function requiredInHelp<T extends Option>(option: T): T {
  REQUIRED.add(option);
  return option;
}

/** The "(standard: …, miljövariabel: …)" commander adds after a description, in Swedish. */
function withExtras(description: string, extras: string[]): string {
  if (extras.length === 0) return description;
  const extra = `(${extras.join(', ')})`;
  return description ? `${description} ${extra}` : extra;
}

const choices = (values: readonly string[] | undefined): string[] =>
  values ? [`val: ${values.map((v) => JSON.stringify(v)).join(', ')}`] : [];

const defaultOf = (item: Option | Argument): string =>
  `standard: ${item.defaultValueDescription || JSON.stringify(item.defaultValue)}`;

export const SWEDISH_HELP: HelpConfiguration = {
  /** "samkost invoice run [flaggor]": commander's Command#usage() with its "[options]" and "[command]" in Swedish. */
  commandUsage(this: Help, cmd: Command): string {
    const names: string[] = [];
    for (let ancestor = cmd.parent; ancestor; ancestor = ancestor.parent) names.unshift(ancestor.name());
    names.push(cmd.name() + (cmd.alias() ? `|${cmd.alias()}` : ''));
    const usage = [
      // Commander's test: options of its own, or the help option (which visibleOptions lists unless disabled).
      ...(cmd.options.length > 0 || this.visibleOptions(cmd).length > 0 ? ['[flaggor]'] : []),
      ...(cmd.commands.length > 0 ? ['[kommando]'] : []),
      ...cmd.registeredArguments.map(argumentUsage),
    ];
    return [...names, ...usage].join(' ');
  },

  /** "run [flaggor]" in the list of a command's subcommands. */
  subcommandTerm(cmd: Command): string {
    const args = cmd.registeredArguments.map(argumentUsage).join(' ');
    return cmd.name() + (cmd.alias() ? `|${cmd.alias()}` : '') + (cmd.options.length > 0 ? ' [flaggor]' : '') + (args ? ` ${args}` : '');
  },

  /** As commander's, with its "choices", "default", "preset" and "env" in Swedish. */
  optionDescription(option: Option): string {
    const showDefault = option.defaultValue !== undefined
      && (option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === 'boolean'));
    return withExtras(option.description, [
      ...(option.mandatory || REQUIRED.has(option) ? ['krävs'] : []),
      ...choices(option.argChoices),
      ...(showDefault ? [defaultOf(option)] : []),
      ...(option.presetArg !== undefined && option.optional ? [`förval: ${JSON.stringify(option.presetArg)}`] : []),
      ...(option.envVar !== undefined ? [`miljövariabel: ${option.envVar}`] : []),
    ]);
  },

  argumentTerm(argument: Argument): string {
    return argumentName(argument.name());
  },

  argumentDescription(argument: Argument): string {
    return withExtras(argument.description, [
      ...choices(argument.argChoices),
      ...(argument.defaultValue !== undefined ? [defaultOf(argument)] : []),
    ]);
  },

  /** Commander's Help#formatHelp with Swedish headings: the layout, wrapping and styling are commander's. */
  formatHelp(cmd, helper): string {
    const termWidth = helper.padWidth(cmd, helper);
    const helpWidth = helper.helpWidth ?? 80;
    const item = (term: string, description: string) => helper.formatItem(term, termWidth, description, helper);
    const optionItem = (option: Option) =>
      item(helper.styleOptionTerm(helper.optionTerm(option)), helper.styleOptionDescription(helper.optionDescription(option)));

    const output = [`${helper.styleTitle(HEADINGS.usage)} ${helper.styleUsage(helper.commandUsage(cmd))}`, ''];

    const description = helper.commandDescription(cmd);
    if (description.length > 0) output.push(helper.boxWrap(helper.styleCommandDescription(description), helpWidth), '');

    const argumentList = helper.visibleArguments(cmd).map((argument) =>
      item(helper.styleArgumentTerm(helper.argumentTerm(argument)), helper.styleArgumentDescription(helper.argumentDescription(argument))));
    output.push(...helper.formatItemList(HEADINGS.arguments, argumentList, helper));

    const optionGroups = helper.groupItems(cmd.options as Option[], helper.visibleOptions(cmd), (option) => option.helpGroupHeading ?? HEADINGS.options);
    for (const [heading, options] of optionGroups) output.push(...helper.formatItemList(heading, options.map(optionItem), helper));

    if (helper.showGlobalOptions) {
      output.push(...helper.formatItemList(HEADINGS.globalOptions, helper.visibleGlobalOptions(cmd).map(optionItem), helper));
    }

    const commandGroups = helper.groupItems(cmd.commands as Command[], helper.visibleCommands(cmd), (sub) => sub.helpGroup() || HEADINGS.commands);
    for (const [heading, commands] of commandGroups) {
      const commandList = commands.map((sub) =>
        item(helper.styleSubcommandTerm(helper.subcommandTerm(sub)), helper.styleSubcommandDescription(helper.subcommandDescription(sub))));
      output.push(...helper.formatItemList(heading, commandList, helper));
    }

    return output.join('\n');
  },
};

/** Commander's help words in Swedish on `program`, before its subcommands are added (they inherit them). */
export function swedishHelp(program: Command): Command {
  return program
    .helpOption(HELP_FLAGS, HELP_OPTION_DESCRIPTION)
    .helpCommand(HELP_COMMAND, HELP_COMMAND_DESCRIPTION)
    .configureHelp(SWEDISH_HELP);
}
