// Running test files: each is read and checked (a bad one is reported and not
// run), its rule file compiled as every command compiles one (errors: not run),
// its cases and distributions run, and what they routed kept for coverage.
// Rule files that no test file claims are listed as untested: with coverage,
// every branch of theirs counts as not exercised.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadPlanArgument } from '../cli/check.js';
import type { Io } from '../cli/io.js';
import { runCase, type CaseResult } from './case.js';
import { problem, type FileContext, type Observation } from './context.js';
import { applyIgnores, coverageOf, type FileCoverage } from './coverage.js';
import { defaultRulesFor, shown, type Targets } from './discover.js';
import { runDistribution, type DistributionResult } from './distribution.js';
import { readTestFile, TestFileError } from './read.js';

export interface FileRun {
  /** The test file as shown; null for a rule file without one. */
  test: string | null;
  rules: string;
  cases: CaseResult[];
  distributions: DistributionResult[];
  /** A bad test file, or a rule file with errors: positioned messages; nothing was run. */
  problems: string[];
  coverage: FileCoverage | null;
}

export interface RunOptions {
  cwd: string;
  color: boolean;
  coverage: boolean;
}

export async function runTargets(targets: Targets, opts: RunOptions): Promise<FileRun[]> {
  const runs: FileRun[] = [];
  const claimed = new Set<string>();
  for (const test of targets.tests) {
    const run = await runTestFile(test, opts);
    claimed.add(resolve(opts.cwd, run.rules));
    runs.push(run);
  }
  for (const rules of targets.rules) {
    if (claimed.has(rules)) continue;
    const shownRules = shown(rules, opts.cwd);
    const run: FileRun = { test: null, rules: shownRules, cases: [], distributions: [], problems: [], coverage: null };
    if (opts.coverage) {
      const plan = compileRules(shownRules, opts, run.problems);
      if (plan !== null) run.coverage = coverageOf(shownRules, plan, []);
    }
    runs.push(run);
  }
  return runs;
}

async function runTestFile(path: string, opts: RunOptions): Promise<FileRun> {
  const file = shown(path, opts.cwd);
  const fail = (rules: string, problems: string[]): FileRun => ({ test: file, rules, cases: [], distributions: [], problems, coverage: null });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return fail(shown(defaultRulesFor(path), opts.cwd), [`${file}: cannot read the test file`]);
  }
  let test;
  try {
    test = readTestFile(text, file);
  } catch (err) {
    if (err instanceof TestFileError) return fail(shown(defaultRulesFor(path), opts.cwd), err.problems);
    throw err;
  }
  const rulesPath = test.json.rules !== undefined ? resolve(dirname(path), test.json.rules) : defaultRulesFor(path);
  const rules = shown(rulesPath, opts.cwd);
  const problems: string[] = [];
  const plan = compileRules(rules, opts, problems);
  if (plan === null) return fail(rules, problems.length > 0 ? problems : [`${test.where(['rules'])}: ${rules} could not be compiled`]);

  const ctx: FileContext = { test, rulesFile: rules, plan, dir: dirname(path), problems: [] };
  const seen: Observation[] = [];
  const observe = (o: Observation) => seen.push(o);
  const cases: CaseResult[] = [];
  const distributions: DistributionResult[] = [];
  for (let i = 0; i < (test.json.cases ?? []).length; i++) {
    const r = await runCase(ctx, i, observe);
    if (r !== null) cases.push(r);
  }
  for (let i = 0; i < (test.json.distributions ?? []).length; i++) {
    const r = runDistribution(ctx, i, observe);
    if (r !== null) distributions.push(r);
  }
  const coverage = coverageOf(rules, plan, seen);
  const ignore = test.json.coverage?.ignore ?? [];
  for (const i of applyIgnores(coverage, ignore)) {
    problem(ctx, ['coverage', 'ignore', i, 'branch'], `no branch of ${rules} reads \`${ignore[i]!.branch}\` (\`leadroute test --coverage\` lists them)`);
  }
  if (ctx.problems.length > 0) return fail(rules, ctx.problems);
  return { test: file, rules, cases, distributions, problems: [], coverage: opts.coverage ? coverage : null };
}

/** The rule file compiled; its diagnostics (file:line:col, code) go to `problems`. */
function compileRules(rules: string, opts: RunOptions, problems: string[]) {
  const io: Io = { out: () => undefined, err: (t) => problems.push(t.replace(/\n$/, '')), color: opts.color, cwd: opts.cwd };
  try {
    return loadPlanArgument(rules, io);
  } catch (err) {
    problems.push(`${rules}: ${(err as Error).message}`);
    return null;
  }
}
