// Every diagnostic code in the table has a corpus file that produces it (a
// `# expect: LRxxx@line:col` line, which the runner checks is really reported).
// A new code without a corpus file fails here, by name.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/index.js';
import { corpusFiles, expectedDiagnostics } from './files.js';

/**
 * Codes no rule file can produce, each with the reason: an internal-error code
 * (a crashed checker pass) or a code for a plan that the compiler's own
 * emitter got wrong would go here. Keep it short: a code belongs here only when
 * no source text, schema file or template can trigger it. Empty today: every
 * code in the table has a corpus file.
 */
const NOT_FROM_SOURCE: Readonly<Record<string, string>> = {
  LR900: 'a checker pass crashed: only a leadroute bug produces it (test/check/crash.test.ts makes passes crash)',
  LR901: 'the emitted plan failed verifyPlan: only a checker gap produces it (test/plan/verify.test.ts simulates one)',
};

describe('corpus coverage of the diagnostic table', () => {
  const expected = new Set(corpusFiles().flatMap((p) => expectedDiagnostics(readFileSync(p, 'utf8')).map((e) => e.split('@')[0]!)));

  it('has a corpus file expecting every code that source can produce', () => {
    const uncovered = Object.keys(DIAGNOSTIC_CODES).filter((code) => !expected.has(code) && !(code in NOT_FROM_SOURCE));
    expect(uncovered, `codes with no corpus file expecting them: ${uncovered.join(', ')}`).toEqual([]);
  });

  it('allows only codes that exist and that the corpus does not produce after all', () => {
    const stale = Object.keys(NOT_FROM_SOURCE).filter((code) => !(code in DIAGNOSTIC_CODES) || expected.has(code));
    expect(stale, `remove from NOT_FROM_SOURCE: ${stale.join(', ')}`).toEqual([]);
  });

  it('expects only codes in the table', () => {
    const unknown = [...expected].filter((code) => !(code in DIAGNOSTIC_CODES));
    expect(unknown, `corpus files expect codes the table does not have: ${unknown.join(', ')}`).toEqual([]);
  });
});
