import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile } from '../compile/index.js';
import { readSource, reportDiagnostics } from './check.js';
import { UsageError, parseOptions, type Io } from './io.js';

export function compileCommand(args: string[], io: Io): number {
  const { positionals, values } = parseOptions(args, { output: { type: 'string', short: 'o' } });
  if (values['no-color']) io.color = false;
  if (positionals.length !== 1) throw new UsageError('`compile` takes exactly one rule file');
  const file = positionals[0]!;
  const source = readSource(file, io);
  const { plan, diagnostics } = compile(source, { file, baseDir: resolve(io.cwd, file, '..') });
  reportDiagnostics(diagnostics, { [file]: source }, io);
  if (!plan) return 1;
  const json = `${JSON.stringify(plan, null, 2)}\n`;
  const out = values.output;
  if (typeof out === 'string') {
    writeFileSync(resolve(io.cwd, out), json);
    io.err(`wrote ${out} (${plan.buyers.length} buyers, ${plan.flows.length} flows)`);
  } else io.out(json);
  return 0;
}
