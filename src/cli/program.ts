// The command line as a commander program built from the declarations of
// src/cli/commands.ts: parsing, every `--help`, `--version` and the usage
// errors (with commander's did-you-mean). Commander never exits the process
// and never writes to it directly: everything goes through Io, and every
// outcome becomes an exit code (0 ok, 1 findings, 2 usage).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Argument, Command, CommanderError } from 'commander';
import { closestName } from '../core/suggest.js';
import { UsageError, packageRoot, type Io } from './io.js';
import { commanderOption, optionValues, type ArgSpec, type CommandSpec } from './options.js';

/** Help is laid out for 80 columns whatever the terminal. */
const HELP_WIDTH = 80;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** `FILE`, `FILE...`, `[FILE...]`: the argument as a command list shows it. */
export const argUsage = (a: ArgSpec): string => {
  const name = `${a.name}${a.many ? '...' : ''}`;
  return a.optional ? `[${name}]` : name;
};

function commanderArgument(a: ArgSpec): Argument {
  const name = `${a.name}${a.many ? '...' : ''}`;
  return new Argument(a.optional ? `[${name}]` : `<${name}>`, a.description);
}

/** Where the outcome of a run is kept: commander's actions return nothing. */
interface Outcome {
  code: number;
}

function build(commands: readonly CommandSpec[], io: Io, outcome: Outcome): Command {
  const write = (to: (t: string) => void) => (text: string) => to(text.replace(/\n$/, ''));
  const program = new Command('leadroute')
    .description('leadroute — declarative lead routing')
    .usage('[--no-color] COMMAND [options]')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--no-color', 'plain output even on a terminal (NO_COLOR, FORCE_COLOR and TERM=dumb are honoured too)')
    .helpOption('-h, --help', 'print this help')
    .helpCommand(false)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: write(io.out),
      writeErr: write(io.err),
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
      outputError: (message, to) => to(`leadroute: ${message.replace(/^error: /, '')}Run \`leadroute help\` for usage.\n`),
    })
    .configureHelp({
      helpWidth: HELP_WIDTH,
      minWidthToWrap: 20,
      showGlobalOptions: true,
      subcommandTerm: (cmd) => [cmd.name(), ...(cmd.registeredArguments.map((a) => `${a.required ? '' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '' : ']'}`))].join(' '),
    })
    .addHelpText('after', '\nRun `leadroute help COMMAND` (or `leadroute COMMAND --help`) for its options.\nExit codes: 0 ok, 1 findings, 2 usage.');

  for (const spec of commands) {
    const cmd = program.command(spec.name).summary(spec.summary).description(spec.summary);
    for (const a of spec.args) cmd.addArgument(commanderArgument(a));
    for (const [key, option] of Object.entries(spec.options)) cmd.addOption(commanderOption(key, option));
    if (spec.notes) cmd.addHelpText('after', `\n${spec.notes}`);
    cmd.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command;
      if (program.opts().color === false) {
        io.color = false;
        io.errColor = false;
      }
      const args = self.processedArgs.flat().filter((a): a is string => typeof a === 'string');
      outcome.code = await spec.run(args, optionValues(spec.options, self.opts()) as never, io);
    });
  }

  program
    .command('help')
    .summary('a command\'s help, or this text')
    .description('a command\'s help, or this text')
    .argument('[COMMAND]')
    .action((topic: string | undefined) => {
      if (topic === undefined) {
        program.outputHelp();
        return;
      }
      const cmd = program.commands.find((c) => c.name() === topic);
      if (cmd) {
        cmd.outputHelp();
        return;
      }
      const names = commands.map((c) => c.name);
      const near = closestName(topic, names);
      io.err(`leadroute: no command \`${topic}\`${near ? `; did you mean \`${near}\`?` : ''} The commands: ${names.join(', ')}`);
      outcome.code = 2;
    });
  return program;
}

/** Run the command line `argv` (without node and the script) against `commands`; returns the exit code. */
export async function runProgram(argv: string[], io: Io, commands: readonly CommandSpec[]): Promise<number> {
  const outcome: Outcome = { code: 0 };
  const program = build(commands, io, outcome);
  // No command at all: the overview, and the usage exit code.
  if (argv.every((a) => a === '--no-color')) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      io.err(`leadroute: ${err.message}\nRun \`leadroute help\` for usage.`);
      return 2;
    }
    // Anything else is a bug or an environment problem: one line, no stack trace.
    io.err(`leadroute: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
