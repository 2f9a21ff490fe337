// `leadroute repl FILE`: try rules against leads typed by hand (src/repl).

import { resolve } from 'node:path';
import { createRepl, runShell, SessionError } from '../repl/index.js';
import type { ReplOptions } from './commands.js';
import { UsageError, type Io } from './io.js';

export async function replCommand([file]: string[], o: ReplOptions, io: Io): Promise<number> {
  if (file === undefined) throw new UsageError('`repl` takes exactly one rule file or plan');
  let repl;
  try {
    repl = await createRepl({
      file,
      cwd: io.cwd,
      color: io.color,
      ...optional('flow', o.flow),
      ...optional('at', o.at),
      ...optional('seed', o.seed),
      ...optional('buyers', o.buyers),
      maxErrors: o.maxErrors,
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
