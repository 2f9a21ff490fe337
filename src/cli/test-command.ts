// `leadroute test [--coverage] [--min PCT] [PATH…]`: run the test files beside
// rule files (src/ruletest, docs/TESTING.md). Exit 0 when every case and
// distribution passed (and coverage is at least --min); 1 on a failure or
// coverage under --min; 2 on usage, a bad test file or a rule file with errors.

import { findTargets, formatCoverage, formatRun, formatTally, percentCovered, runTargets, tally } from '../ruletest/index.js';
import type { TestOptions } from './commands.js';
import { UsageError, type Io } from './io.js';

export async function testCommand(positionals: string[], options: TestOptions, io: Io): Promise<number> {
  const minText = options.min;
  const min = minText === undefined ? null : Number(minText.replace(/%$/, ''));
  if (min !== null && !(Number.isFinite(min) && min >= 0 && min <= 100)) throw new UsageError(`--min \`${minText}\` is not a percentage from 0 to 100`);
  const coverage = options.coverage === true || min !== null;
  const targets = findTargets(positionals, io.cwd);
  if (targets.tests.length === 0 && targets.rules.length === 0) throw new UsageError(`no rule files or test files in ${positionals.join(', ') || 'rules/'}`);

  const runs = await runTargets(targets, { cwd: io.cwd, color: io.color, coverage });
  for (const run of runs) {
    const text = formatRun(run, io.color);
    if (run.problems.length > 0) io.err(text);
    else io.out(text);
  }
  const t = tally(runs);
  io.out('');
  io.out(formatTally(t, io.color));
  let under = false;
  if (coverage) {
    io.out(formatCoverage(runs, min, io.color));
    under = min !== null && percentCovered(runs.flatMap((r) => (r.coverage ? [r.coverage] : []))).percent < min;
  }
  if (t.badFiles > 0) return 2;
  return t.failed > 0 || under ? 1 : 0;
}
