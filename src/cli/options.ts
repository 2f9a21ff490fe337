// How a command declares its arguments and options (src/cli/commands.ts), and
// the typed values a command module receives. One declaration feeds the parser
// and `--help` (commander, src/cli/program.ts) and the completion scripts
// (src/cli/completion.ts).

import { InvalidArgumentError, Option } from 'commander';
import { MAX_DIAGNOSTICS_SHOWN } from '../core/limits.js';
import type { Io } from './io.js';

interface OptionBase {
  description: string;
  /** A one-letter alias: `o` for `-o`. */
  short?: string;
}
/** `--json`: true when given. */
export interface FlagSpec extends OptionBase {
  kind: 'flag';
}
/** `--leads FILE`: a string; `file` makes the shell complete file names for it. */
export interface TextSpec extends OptionBase {
  kind: 'text';
  value: string;
  required?: boolean;
  file?: boolean;
}
/** `--limit N`: a whole number of at least `min`. */
export interface IntSpec extends OptionBase {
  kind: 'int';
  value: string;
  min: number;
  default?: number;
}
/** `--format text|json`: one of `choices`. */
export interface ChoiceSpec extends OptionBase {
  kind: 'choice';
  value: string;
  choices: readonly string[];
  default: string;
}
export type OptionSpec = FlagSpec | TextSpec | IntSpec | ChoiceSpec;
/** A command's options by attribute name (`dryRun` is `--dry-run`). */
export type Options = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends { kind: 'flag' }
  ? boolean
  : S extends { kind: 'int'; default: number }
    ? number
    : S extends { kind: 'int' }
      ? number | undefined
      : S extends { kind: 'choice'; choices: readonly (infer C)[] }
        ? C
        : S extends { kind: 'text'; required: true }
          ? string
          : string | undefined;

/** The parsed values of a command's options, typed by its declaration. */
export type OptionValues<O extends Options> = { [K in keyof O]: ValueOf<O[K]> };

/** A positional argument: `FILE`, `FILE...` (many), `[FILE]` (optional). */
export interface ArgSpec {
  name: string;
  description: string;
  many?: boolean;
  optional?: boolean;
  /** What the shell completes for it. */
  complete: 'file' | 'none' | readonly string[];
}

export interface CommandSpec<O extends Options = Options> {
  name: string;
  /** One line, for the command list of `leadroute --help`. */
  summary: string;
  /** Text after the options in `leadroute NAME --help` (at most 80 columns a line). */
  notes?: string;
  args: readonly ArgSpec[];
  options: O;
  /** The command's module, with the positional arguments and the parsed options; returns the exit code. */
  run(args: string[], options: OptionValues<O>, io: Io): number | Promise<number>;
}

/** A command declaration, its option types kept for `run`. */
export const defineCommand = <const O extends Options>(spec: CommandSpec<O>): CommandSpec<O> => spec;

/** `dryRun` → `dry-run`. */
export const longName = (key: string): string => key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);

/** The option as commander's: flags, description, parser, default. */
export function commanderOption(key: string, spec: OptionSpec): Option {
  const value = spec.kind === 'flag' ? '' : ` <${spec.value}>`;
  const option = new Option(`${spec.short ? `-${spec.short}, ` : ''}--${longName(key)}${value}`, spec.description);
  switch (spec.kind) {
    case 'flag':
      return option;
    case 'text':
      return spec.required ? option.makeOptionMandatory() : option;
    case 'int': {
      option.argParser((text: string) => wholeNumber(text, spec.min));
      return spec.default === undefined ? option : option.default(spec.default);
    }
    case 'choice':
      return option.choices(spec.choices).default(spec.default);
    default: {
      const never: never = spec;
      return never;
    }
  }
}

function wholeNumber(text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
  return n;
}

/** commander's values made whole: an absent flag is false. */
export function optionValues(options: Options, parsed: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(options)) {
    // commander keeps a `--no-watch` flag as `watch: false`.
    const negated = spec.kind === 'flag' && /^no[A-Z]/.test(key) ? key[2]!.toLowerCase() + key.slice(3) : null;
    out[key] = spec.kind !== 'flag' ? parsed[key] : negated !== null ? parsed[negated] === false : parsed[key] === true;
  }
  return out;
}

/** `--max-errors N`: every command that prints diagnostics has it; the cap itself lives in formatDiagnostics. */
export const MAX_ERRORS_OPTION = {
  kind: 'int',
  value: 'N',
  min: 0,
  default: MAX_DIAGNOSTICS_SHOWN,
  description: 'show at most N diagnostics, then count the rest (0: all)',
} as const satisfies IntSpec;
