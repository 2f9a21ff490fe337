// Source → plan: parse, check, emit. The only entry point most callers need.

import { dirname, resolve } from 'node:path';
import { diskReader } from '../check/disk.js';
import { readNamedFile, rootOf, type FileReader } from '../check/files.js';
import { check } from '../check/index.js';
import { diagnostic, hasErrors, parse, sortDiagnostics, type Diagnostic, type RuleFile } from '../lang/index.js';
import type { Span } from '../lang/ast.js';
import type { PlanProblem, PlanSource } from '../plan/index.js';
import { verifyPlan, type Plan } from '../models/plan.js';
import { emitPlan } from './emit.js';

export type * from '../plan/declaration.js';
export type { Plan, PlanAction, PlanFlow, PlanRule } from '../models/plan.js';
export type { PerformanceMetric, RankFactor } from '../models/index.js';
export { PLAN_VERSION } from '../plan/index.js';
export { PLAN_JSON_SCHEMA } from '../models/plan.js';
export { emitPlan, leadJsonSchema, fieldJsonSchema } from './emit.js';

export interface CompileOptions {
  /** The file name diagnostics and traces cite. */
  file?: string;
  /** Reads files the rule file refers to (`lead from "…"`, templates) by
   *  resolved path; defaults to the file system, confined to `root`. */
  readFile?: FileReader;
  /** Directory relative paths are resolved against; defaults to the rule file's. */
  baseDir?: string;
  /** Folder every file the rule file names must be inside; defaults to `baseDir`.
   *  An absolute path, or one that leaves it, is an error (LR215). */
  root?: string;
}

export interface CompileResult {
  /** Null when there are errors. */
  plan: Plan | null;
  /** Every diagnostic, errors and warnings, sorted by position. */
  diagnostics: Diagnostic[];
  ast: RuleFile;
}

function readOnce(read: FileReader): FileReader {
  const seen = new Map<string, ReturnType<FileReader>>();
  return (path) => {
    if (!seen.has(path)) seen.set(path, read(path));
    return seen.get(path);
  };
}

export function compile(source: string, options: CompileOptions = {}): CompileResult {
  const file = options.file ?? '<input>';
  const parsed = parse(source, file);
  // The checker and the emitter both read the files a rule file names (the lead
  // schema, templates); each is read once per compile.
  const baseDir = options.baseDir ?? (options.file ? dirname(resolve(options.file)) : process.cwd());
  const files = { baseDir, root: rootOf({ baseDir, root: options.root }, file) };
  const readFile = readOnce(options.readFile ?? diskReader(files.root));
  const checked = check(parsed.ast, { ...files, readFile });
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]);
  if (hasErrors(diagnostics)) return { plan: null, diagnostics, ast: parsed.ast };
  // Templates are embedded in the plan, so a plan file runs without the rule file's folder.
  let plan: Plan;
  try {
    plan = emitPlan({
      ast: parsed.ast,
      source,
      fields: checked.fields,
      bindings: checked.bindings,
      readTemplate: (path) => {
        const read = readNamedFile({ ...files, readFile }, file, path);
        return 'text' in read ? read.text : undefined;
      },
    });
  } catch (err) {
    const internal = diagnostic('LR901.emit', spanAt(source, file, null), (err as Error).message);
    return { plan: null, diagnostics: sortDiagnostics([...diagnostics, internal]), ast: parsed.ast };
  }
  // The checker accepted the file, so every problem here is a leadroute bug:
  // reported, and no plan is handed on, rather than one loadPlan would refuse.
  const problems = verifyPlan(plan);
  if (problems.length === 0) return { plan, diagnostics, ast: parsed.ast };
  const internal = problems.map((p) =>
    diagnostic('LR901', spanAt(source, file, sourceOf(plan, p)), p.path, p.message),
  );
  return { plan: null, diagnostics: sortDiagnostics([...diagnostics, ...internal]), ast: parsed.ast };
}

/** The source position of the buyer, flow or rule a plan problem's path lies in, if any. */
function sourceOf(plan: Plan, problem: PlanProblem): PlanSource | null {
  const m = /^\/(buyers|flows)\/(\d+)(?:\/rules\/(\d+))?/.exec(problem.path);
  if (m === null) return null;
  if (m[1] === 'buyers') return plan.buyers[Number(m[2])]?.source ?? null;
  const flow = plan.flows[Number(m[2])];
  return (m[3] === undefined ? flow?.source : flow?.rules[Number(m[3])]?.source) ?? null;
}

/** A zero-width span at a line and column of the source (its start when null). */
function spanAt(source: string, file: string, at: Pick<PlanSource, 'line' | 'col'> | null): Span {
  const line = Math.max(1, at?.line ?? 1);
  const col = Math.max(1, at?.col ?? 1);
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  offset = Math.min(source.length, offset + col - 1);
  return { file, line, col, endLine: line, endCol: col, start: offset, end: offset };
}
