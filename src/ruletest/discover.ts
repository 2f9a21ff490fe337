// Which files `leadroute test` runs: PATHs that are folders (every rule file
// and test file under them), rule files (the test file beside each) or test
// files. A test file NAME.test.yaml (or .yml, .json) belongs to NAME.route
// beside it unless its `rules` key names another.

import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UsageError } from '../cli/io.js';

export const TEST_SUFFIXES = ['.test.yaml', '.test.yml', '.test.json'] as const;
export const RULE_SUFFIX = '.route';

/** What to run: test files, and the rule files found (for those no test file claims). Paths absolute. */
export interface Targets {
  tests: string[];
  rules: string[];
}

export const isTestFile = (path: string) => TEST_SUFFIXES.some((s) => path.endsWith(s));

/** The test file beside a rule file, or null; two of them is a usage error. */
export function testFileFor(rules: string): string | null {
  const stem = rules.slice(0, -RULE_SUFFIX.length);
  const found = TEST_SUFFIXES.map((s) => stem + s).filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
  if (found.length > 1) throw new UsageError(`${found.map((f) => basename(f)).join(' and ')} both test ${basename(rules)}: keep one`);
  return found[0] ?? null;
}

/** The rule file a test file names by default: NAME.route beside NAME.test.yaml. */
export function defaultRulesFor(test: string): string {
  const suffix = TEST_SUFFIXES.find((s) => test.endsWith(s))!;
  return test.slice(0, -suffix.length) + RULE_SUFFIX;
}

export function findTargets(paths: readonly string[], cwd: string): Targets {
  const tests = new Set<string>();
  const rules = new Set<string>();
  for (const given of paths.length === 0 ? ['rules'] : paths) {
    const full = resolve(cwd, given);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (stat === undefined) {
      throw new UsageError(paths.length === 0 ? 'no `rules/` folder here: name a folder, rule file or test file' : `no such file or folder: \`${given}\``);
    }
    if (stat.isDirectory()) {
      for (const f of filesUnder(full)) {
        if (isTestFile(f)) tests.add(f);
        else if (f.endsWith(RULE_SUFFIX)) rules.add(f);
      }
    } else if (isTestFile(full)) tests.add(full);
    else if (full.endsWith(RULE_SUFFIX)) {
      const test = testFileFor(full);
      if (test === null) throw new UsageError(`\`${given}\` has no test file: write ${basename(full, RULE_SUFFIX)}.test.yaml beside it (docs/TESTING.md)`);
      tests.add(test);
    } else throw new UsageError(`\`${given}\` is neither a folder, a rule file (.route) nor a test file (${TEST_SUFFIXES.join(', ')})`);
  }
  return { tests: [...tests].sort(), rules: [...rules].sort() };
}

/** Every file under a folder, in a stable order; dot-folders and node_modules skipped. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      if (e.name.startsWith('.') || e.name === 'node_modules') return [];
      const path = join(dir, e.name);
      return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : [];
    });
}

/** A path as shown: relative to the working directory when under it. */
export function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
