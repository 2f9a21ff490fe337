import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MUTATED_RUNS, pipeline, PIPELINE_TIMEOUT_MS } from './pipeline.js';
import { mutatedProgram } from './programs.js';

describe('the pipeline never throws', () => {
  it(`on ${MUTATED_RUNS} mutated programs (tokens deleted, duplicated, swapped; truncated; characters inserted)`, () => {
    let plans = 0;
    fc.assert(
      fc.property(mutatedProgram, fc.gen(), (source, g) => {
        if (pipeline(source, g) === 'plan') plans++;
      }),
      { numRuns: MUTATED_RUNS, endOnFailure: true },
    );
    expect(plans).toBeGreaterThan(0);
  }, PIPELINE_TIMEOUT_MS);
});
