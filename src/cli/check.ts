import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile, type Plan } from '../compile/index.js';
import { loadPlan, PlanError } from '../runtime/index.js';
import { formatDiagnostics, type Diagnostic } from '../lang/index.js';
import { UsageError, parseOptions, paint, type Io } from './io.js';

export function readSource(path: string, io: Io): string {
  const full = resolve(io.cwd, path);
  // A folder gets its own words, not the operating system's EISDIR.
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`\`${path}\` is a folder; name a rule file in it`);
  try {
    return readFileSync(full, 'utf8');
  } catch {
    throw new UsageError(`cannot read \`${path}\``);
  }
}

/** `check plan.json`: the plan verifier's problems, one line each; returns the number of errors. */
function checkPlanFile(file: string, source: string, io: Io): number {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (err) {
    io.err(`${file}: error: not valid JSON: ${(err as Error).message}`);
    return 1;
  }
  try {
    loadPlan(json);
    return 0;
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    for (const p of err.problems) io.err(`${file}: error: ${p.path}: ${p.message}`);
    return err.problems.length;
  }
}

/** Print diagnostics and a one-line tally; returns the number of errors. */
export function reportDiagnostics(diagnostics: Diagnostic[], sources: Record<string, string>, io: Io): number {
  if (diagnostics.length > 0) io.err(`${formatDiagnostics(diagnostics, sources, { color: io.color })}\n`);
  return diagnostics.filter((d) => d.severity === 'error').length;
}

/**
 * The plan a command runs: a rule file is compiled (errors reported, null
 * returned); a `.json` file is taken to be a compiled plan and loaded without
 * the parser.
 */
export function loadPlanArgument(file: string, io: Io): Plan | null {
  const source = readSource(file, io);
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch (err) {
      throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    return loadPlan(json).plan;
  }
  const { plan, diagnostics } = compile(source, { file, baseDir: resolve(io.cwd, file, '..') });
  reportDiagnostics(diagnostics.filter((d) => d.severity === 'error'), { [file]: source }, io);
  return plan;
}

export function checkCommand(args: string[], io: Io): number {
  const { positionals, values } = parseOptions(args, {});
  if (values['no-color']) io.color = false;
  if (positionals.length === 0) throw new UsageError('`check` needs at least one rule file');
  const c = paint(io.color);
  let errors = 0;
  let warnings = 0;
  for (const file of positionals) {
    const source = readSource(file, io);
    if (file.endsWith('.json')) {
      errors += checkPlanFile(file, source, io);
      continue;
    }
    const { diagnostics } = compile(source, { file, baseDir: resolve(io.cwd, file, '..') });
    errors += reportDiagnostics(diagnostics, { [file]: source }, io);
    warnings += diagnostics.filter((d) => d.severity === 'warning').length;
  }
  const files = `${positionals.length} file${positionals.length === 1 ? '' : 's'}`;
  const tally = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files}`;
  io.out(errors > 0 ? c.red(tally) : warnings > 0 ? c.yellow(tally) : c.green(`ok: ${tally}`));
  return errors > 0 ? 1 : 0;
}
