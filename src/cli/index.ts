// The `leadroute` command line. Every command returns an exit code instead of
// calling process.exit, so tests can run it in-process.

import { parseArgs } from 'node:util';
import { checkCommand } from './check.js';
import { compileCommand } from './compile.js';
import { routeCommand, demoCommand } from './route.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, type Io, packageRoot, processIo } from './io.js';

export { type Io } from './io.js';

const HELP = `leadroute — declarative lead routing

Usage:
  leadroute check FILE...                      check rule files (or compiled plan.json files); exit 0 clean, 1 on errors, 2 on usage
  leadroute compile FILE [-o plan.json]        compile a rule file to a routing plan
  leadroute route FILE (--lead JSON | --leads FILE.jsonl)
                  [--flow NAME] [--at ISO-TIME] [--seed N] [--json] [--trace]
                                               route leads through a rule file or a plan.json
  leadroute simulate FILE (--leads FILE.jsonl | --count N) [--seed S] [--from TIME] [--rate N/h] [--flow F] [--store DB] [--report R.html] [--json]   shares, caps and revenue on a simulated clock
  leadroute sell FILE --leads FILE.jsonl [--buyers CONFIG [--ephemeral]] [--store DB] [--dry-run] [--json]
                  [--flow NAME] [--at ISO-TIME] [--seed S] [--limit N] [--concurrency N] [--quiet]
                                               sell leads through a rule file over HTTP: pings, auctions, posts, pixels;
                                               --buyers starts mock buyers first, --dry-run prints the requests and sends none;
                                               exit 0 ok, 1 unreadable line or failed delivery, 2 usage or rule errors
  leadroute demo [--plain] [--ephemeral]       \`sell\` on the sample files: the sample leads sold by auction to mock buyers on loopback (--plain: routing only)
  leadroute fmt [--check] [FILE|DIR...]        rewrite rule files in the canonical layout (no FILE: stdin to stdout); --check: list the unformatted, exit 1
  leadroute mock-buyers CONFIG [--ephemeral]   run mock buyer HTTP servers (e.g. examples/mock-buyers.json) until Ctrl-C
  leadroute repl FILE [--flow F] [--at TIME] [--seed S] [--buyers CONFIG]   try leads by hand (:help inside); reloads when FILE changes
  leadroute serve FILE [--port N] [--host H] [--store DB] [--buyers CONFIG] [--keys FILE]   the HTTP service: POST /leads/:flow, POST /ping/:flow, GET /leads/:id, POST /feedback, /health, /ready, /plan, /metrics, /openapi.json (docs/SERVE.md)
  leadroute help                               this text

Options:
  --no-color     plain output even on a terminal (NO_COLOR, FORCE_COLOR and TERM=dumb are honoured too)
`;

/** The commands `help` knows: every `leadroute NAME` usage line of HELP. */
const COMMANDS = [...HELP.matchAll(/^ {2}leadroute ([a-z-]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');

/** One command's part of HELP: its usage lines and their continuation lines. */
export function commandHelp(command: string): string | null {
  const lines = HELP.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  leadroute ${command} `) || l === `  leadroute ${command}`);
  if (start < 0) return null;
  const own = [lines[start]!];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('  leadroute ') || l.trim() === '') break;
    own.push(l);
  }
  return `Usage:\n${own.join('\n')}\n\nRun \`leadroute help\` for every command.`;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  // `--no-color` is taken before the command as well as after it.
  while (argv[0] === '--no-color') {
    io.color = false;
    argv = argv.slice(1);
  }
  const [command, ...rest] = argv;
  // `leadroute CMD --help` and `leadroute help CMD`: that command's usage, exit 0.
  const wantsHelp = command !== undefined && COMMANDS.includes(command) && rest.some((a) => a === '--help' || a === '-h');
  const topic = command === 'help' ? rest[0] : wantsHelp ? command : undefined;
  if (topic !== undefined) {
    const text = commandHelp(topic);
    if (text === null) {
      io.err(`leadroute: no command \`${topic}\`; the commands: ${COMMANDS.join(', ')}`);
      return 2;
    }
    io.out(text);
    return 0;
  }
  try {
    switch (command) {
      case '--version':
      case '-V':
      case 'version':
        io.out(packageVersion());
        return 0;
      case 'check':
        return checkCommand(rest, io);
      case 'compile':
        return compileCommand(rest, io);
      case 'route':
        return await routeCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'sell':
        return await (await import('./sell.js')).sellCommand(rest, io);
      case 'mock-buyers': return await (await import('./mock-buyers.js')).mockBuyersCommand(rest, io);
      case 'simulate': return await (await import('./simulate.js')).simulateCommand(rest, io);
      case 'repl': return await (await import('./repl.js')).replCommand(rest, io);
      case 'fmt': return (await import('./fmt.js')).fmtCommand(rest, io);
      case 'serve': return await (await import('./serve.js')).serveCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command \`${command}\``);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`leadroute: ${err.message}\nRun \`leadroute help\` for usage.`);
      return 2;
    }
    // Anything else is a bug or an environment problem: one line, no stack trace.
    io.err(`leadroute: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}

export { parseArgs };
