import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile, type Plan } from '../compile/index.js';
import { loadPlan, PlanError } from '../runtime/index.js';
import { formatDiagnostics, sortDiagnostics, type Diagnostic } from '../lang/index.js';
import type { CheckOptions } from './commands.js';
import { UsageError, paint, type Io } from './io.js';

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

/** One problem `check` found, in the shape `check --format json` prints (see README). */
export interface CheckFinding {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  suggestion: string | null;
  file: string;
  /** Where in the rule file; null for a plan.json problem, which has a JSON `path` instead. */
  span: { start: { line: number; col: number; offset: number }; end: { line: number; col: number; offset: number } } | null;
  path?: string;
}

const findingOf = (d: Diagnostic): CheckFinding => ({
  code: d.code,
  severity: d.severity,
  message: d.message,
  suggestion: d.suggestion ?? null,
  file: d.span.file,
  span: { start: { line: d.span.line, col: d.span.col, offset: d.span.start }, end: { line: d.span.endLine, col: d.span.endCol, offset: d.span.end } },
});

/** `check plan.json`: the plan verifier's problems (code PLAN, no span). */
function checkPlanFile(file: string, source: string): CheckFinding[] {
  const planFinding = (message: string, path?: string): CheckFinding => ({ code: 'PLAN', severity: 'error', message, suggestion: null, file, span: null, ...(path !== undefined ? { path } : {}) });
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (err) {
    return [planFinding(`not valid JSON: ${(err as Error).message}`)];
  }
  try {
    loadPlan(json);
    return [];
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    return err.problems.map((p) => planFinding(`${p.path}: ${p.message}`, p.path));
  }
}

/** Print diagnostics (at most `maxShown`, see formatDiagnostics) and return the number of errors. */
export function reportDiagnostics(diagnostics: Diagnostic[], sources: Record<string, string>, io: Io, maxShown?: number): number {
  if (diagnostics.length > 0) io.err(`${formatDiagnostics(diagnostics, sources, { color: io.errColor ?? io.color, ...(maxShown !== undefined ? { maxShown } : {}) })}\n`);
  return diagnostics.filter((d) => d.severity === 'error').length;
}

/**
 * The plan a command runs: a rule file is compiled (errors reported, null
 * returned); a `.json` file is taken to be a compiled plan and loaded without
 * the parser.
 */
export function loadPlanArgument(file: string, io: Io, maxErrors?: number): Plan | null {
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
  reportDiagnostics(diagnostics.filter((d) => d.severity === 'error'), { [file]: source }, io, maxErrors);
  return plan;
}

export function checkCommand(files: string[], options: CheckOptions, io: Io): number {
  let diagnostics: Diagnostic[] = [];
  const sources: Record<string, string> = {};
  const planFindings: CheckFinding[] = [];
  for (const file of files) {
    const source = readSource(file, io);
    if (file.endsWith('.json')) {
      planFindings.push(...checkPlanFile(file, source));
      continue;
    }
    sources[file] = source;
    // concat, not push(...): a file of 100,000 bad lines has more diagnostics than a call takes arguments.
    diagnostics = diagnostics.concat(compile(source, { file, baseDir: resolve(io.cwd, file, '..') }).diagnostics);
  }
  const errors = planFindings.length + diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (options.format === 'json') {
    const findings = [...planFindings, ...sortDiagnostics(diagnostics).map(findingOf)];
    io.out(JSON.stringify({ files: files.length, errors, warnings, diagnostics: findings }, null, 2));
    return errors > 0 ? 1 : 0;
  }
  for (const p of planFindings) io.err(`${p.file}: error: ${p.message}`);
  reportDiagnostics(diagnostics, sources, io, options.maxErrors);
  const c = paint(io.color);
  const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
  const tally = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${count}`;
  io.out(errors > 0 ? c.red(tally) : warnings > 0 ? c.yellow(tally) : c.green(`ok: ${tally}`));
  return errors > 0 ? 1 : 0;
}
