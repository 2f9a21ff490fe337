// `leadroute test`: test files beside rule files, run against the router (see
// docs/TESTING.md). The CLI (src/cli/test-command.ts) is the only caller.

export { findTargets, isTestFile, testFileFor, TEST_SUFFIXES } from './discover.js';
export { runTargets, type FileRun, type RunOptions } from './run.js';
export { formatRun, formatTally, formatCoverage, formatPercent, tally, type Tally } from './report.js';
export { percentCovered, coverageOf, type CoverageItem, type FileCoverage } from './coverage.js';
export { readTestFile, TestFileError, type TestFile } from './read.js';
export { testFileKeys, TestFileSchema, type TestFileJson } from './spec.js';
