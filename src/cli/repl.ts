// `leadroute repl FILE`: try rules against leads typed by hand (src/repl).

import { resolve } from 'node:path';
import { createRepl, runShell, SessionError } from '../repl/index.js';
import { UsageError, parseOptions, str, type Io } from './io.js';

const OPTIONS = {
  flow: { type: 'string' },
  at: { type: 'string' },
  seed: { type: 'string' },
  buyers: { type: 'string' },
} as const;

export async function replCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseOptions(args, OPTIONS);
  if (parsed.values['no-color'] === true) io.color = false;
  if (parsed.positionals.length !== 1) throw new UsageError('`repl` takes exactly one rule file or plan');
  const file = parsed.positionals[0]!;
  let repl;
  try {
    repl = await createRepl({
      file,
      cwd: io.cwd,
      color: io.color,
      ...optional('flow', str(parsed.values.flow)),
      ...optional('at', str(parsed.values.at)),
      ...optional('seed', str(parsed.values.seed)),
      ...optional('buyers', str(parsed.values.buyers)),
    });
  } catch (err) {
    if (err instanceof SessionError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  const s = repl.session;
  io.out(`leadroute repl: ${file} (${s.plan.buyers.length} buyers, flow ${s.flow ?? s.plan.defaultFlow}). Type a lead, or :help.`);
  try {
    await runShell(repl, {
      input: process.stdin,
      output: process.stdout,
      terminal: Boolean(process.stdin.isTTY),
      watch: resolve(io.cwd, file),
    });
  } finally {
    await repl.close();
  }
  return 0;
}

const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
