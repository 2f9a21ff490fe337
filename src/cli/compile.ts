import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile } from '../compile/index.js';
import { readSource, reportDiagnostics } from './check.js';
import type { CompileOptions } from './commands.js';
import { UsageError, type Io } from './io.js';

export function compileCommand([file]: string[], options: CompileOptions, io: Io): number {
  if (file === undefined) throw new UsageError('`compile` takes exactly one rule file');
  const source = readSource(file, io);
  const { plan, diagnostics } = compile(source, { file, baseDir: resolve(io.cwd, file, '..') });
  reportDiagnostics(diagnostics, { [file]: source }, io, options.maxErrors);
  if (!plan) return 1;
  const json = `${JSON.stringify(plan, null, 2)}\n`;
  const out = options.output;
  if (out !== undefined) {
    writeFileSync(resolve(io.cwd, out), json);
    io.err(`wrote ${out} (${plan.buyers.length} buyers, ${plan.flows.length} flows)`);
  } else io.out(json);
  return 0;
}
