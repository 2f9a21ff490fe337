// Source → plan: parse, check, emit. The only entry point most callers need.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { check } from '../check/index.js';
import { hasErrors, parse, sortDiagnostics, type Diagnostic, type RuleFile } from '../lang/index.js';
import { emitPlan } from './emit.js';
import type { Plan } from './plan.js';

export type * from './plan.js';
export { PLAN_VERSION } from './plan.js';
export { PLAN_JSON_SCHEMA } from './plan-schema.js';
export { emitPlan, leadJsonSchema, fieldJsonSchema } from './emit.js';

export interface CompileOptions {
  /** The file name diagnostics and traces cite. */
  file?: string;
  /** Reads files the rule file refers to (`lead from "…"`); defaults to the file system. */
  readFile?: (path: string) => string | undefined;
  /** Directory relative paths are resolved against; defaults to the rule file's. */
  baseDir?: string;
}

export interface CompileResult {
  /** Null when there are errors. */
  plan: Plan | null;
  /** Every diagnostic, errors and warnings, sorted by position. */
  diagnostics: Diagnostic[];
  ast: RuleFile;
}

const readFromDisk = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

function readOnce(read: (path: string) => string | undefined): (path: string) => string | undefined {
  const seen = new Map<string, string | undefined>();
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
  const readFile = readOnce(options.readFile ?? readFromDisk);
  const baseDir = options.baseDir ?? (options.file ? dirname(resolve(options.file)) : process.cwd());
  const checked = check(parsed.ast, { readFile, baseDir });
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]);
  if (hasErrors(diagnostics)) return { plan: null, diagnostics, ast: parsed.ast };
  // Templates are embedded in the plan, so a plan file runs without the rule file's folder.
  const plan = emitPlan({
    ast: parsed.ast,
    source,
    fields: checked.fields,
    bindings: checked.bindings,
    readTemplate: (path) => readFile(resolve(baseDir, path)),
  });
  return { plan, diagnostics, ast: parsed.ast };
}
