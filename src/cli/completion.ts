// `leadroute completion [bash|zsh|fish]`: a shell completion script written
// from the command declarations (src/cli/commands.ts): the commands, each
// command's options, the values of a choice option, and file names where an
// argument or option takes a file.

import { COMMANDS } from './commands.js';
import { UsageError, type Io } from './io.js';
import { longName, type CommandSpec, type OptionSpec } from './options.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** Options every command takes (program.ts). */
const COMMON = ['--help', '--no-color'];

const flagsOf = (spec: CommandSpec): string[] => [
  ...Object.entries(spec.options).flatMap(([key, o]) => [`--${longName(key)}`, ...(o.short ? [`-${o.short}`] : [])]),
  ...COMMON,
];

/** What follows an option: a file name, one of its choices, any text, or nothing (a flag). */
function valueOf(o: OptionSpec): 'file' | 'text' | 'none' | readonly string[] {
  switch (o.kind) {
    case 'flag':
      return 'none';
    case 'choice':
      return o.choices;
    case 'text':
      return o.file ? 'file' : 'text';
    case 'int':
      return 'text';
    default: {
      const never: never = o;
      return never;
    }
  }
}

/** A word list for the shell, safe inside single quotes (names are [a-z0-9-]). */
const words = (list: readonly string[]) => list.join(' ');

function bash(commands: readonly CommandSpec[]): string {
  const cases = commands.map((spec) => {
    const valued = Object.entries(spec.options).flatMap(([key, o]) => {
      const v = valueOf(o);
      if (v === 'none') return [];
      const names = [`--${longName(key)}`, ...(o.short ? [`-${o.short}`] : [])].join('|');
      const reply = v === 'file' ? 'COMPREPLY=( $(compgen -f -- "$cur") )' : v === 'text' ? 'COMPREPLY=()' : `COMPREPLY=( $(compgen -W '${words(v)}' -- "$cur") )`;
      return [`        ${names}) ${reply}; return ;;`];
    });
    const arg = spec.args[0]?.complete ?? 'none';
    const positional = arg === 'file' ? 'COMPREPLY=( $(compgen -f -- "$cur") )' : arg === 'none' ? 'COMPREPLY=()' : `COMPREPLY=( $(compgen -W '${words(arg)}' -- "$cur") )`;
    return [
      `    ${spec.name})`,
      ...(valued.length > 0 ? ['      case "$prev" in', ...valued, '      esac'] : []),
      `      if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W '${words(flagsOf(spec))}' -- "$cur") ); else ${positional}; fi`,
      '      ;;',
    ].join('\n');
  });
  return `# leadroute completion for bash. Load it with: eval "$(leadroute completion bash)"
_leadroute() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd" in
    "")
      COMPREPLY=( $(compgen -W '${words([...commands.map((c) => c.name), 'help', '--help', '--version', '--no-color'])}' -- "$cur") )
      ;;
    help)
      COMPREPLY=( $(compgen -W '${words(commands.map((c) => c.name))}' -- "$cur") )
      ;;
${cases.join('\n')}
  esac
}
complete -o filenames -o bashdefault -F _leadroute leadroute
`;
}

/** zsh runs the bash script through its bash-completion layer (bashcompinit). */
function zsh(commands: readonly CommandSpec[]): string {
  return `# leadroute completion for zsh. Load it with: eval "$(leadroute completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(commands).split('\n').slice(1).join('\n')}`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(commands: readonly CommandSpec[]): string {
  const lines = ['# leadroute completion for fish. Load it with: leadroute completion fish | source', 'complete -c leadroute -f'];
  const names = [...commands.map((c) => c.name), 'help'];
  lines.push(`complete -c leadroute -n 'not __fish_seen_subcommand_from ${words(names)}' -l version -s V -d 'print the version'`);
  lines.push(`complete -c leadroute -l no-color -d 'plain output'`);
  for (const spec of commands) {
    lines.push(`complete -c leadroute -n 'not __fish_seen_subcommand_from ${words(names)}' -a ${spec.name} -d ${fishQuote(spec.summary)}`);
    const when = `-n '__fish_seen_subcommand_from ${spec.name}'`;
    const arg = spec.args[0]?.complete ?? 'none';
    if (arg === 'file') lines.push(`complete -c leadroute ${when} -F`);
    else if (arg !== 'none') lines.push(`complete -c leadroute ${when} -a ${fishQuote(words(arg))}`);
    for (const [key, o] of Object.entries(spec.options)) {
      const v = valueOf(o);
      const value = v === 'none' ? '' : v === 'file' ? ' -r -F' : v === 'text' ? ' -r' : ` -r -a ${fishQuote(words(v))}`;
      lines.push(`complete -c leadroute ${when} -l ${longName(key)}${o.short ? ` -s ${o.short}` : ''}${value} -d ${fishQuote(o.description)}`);
    }
  }
  lines.push(`complete -c leadroute -n '__fish_seen_subcommand_from help' -a ${fishQuote(words(commands.map((c) => c.name)))}`);
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, commands: readonly CommandSpec[] = COMMANDS): string {
  switch (shell) {
    case 'bash':
      return bash(commands);
    case 'zsh':
      return zsh(commands);
    case 'fish':
      return fish(commands);
    default: {
      const never: never = shell;
      return never;
    }
  }
}

export function completionCommand([shell = 'bash']: string[], io: Io): number {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`no completion for \`${shell}\`; the shells: ${SHELLS.join(', ')}`);
  io.out(completionScript(shell as Shell));
  return 0;
}
