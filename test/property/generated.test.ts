import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERATED_RUNS, pipeline, PIPELINE_TIMEOUT_MS } from './pipeline.js';
import { program } from './programs.js';

describe('the pipeline never throws', () => {
  it(`on ${GENERATED_RUNS} generated programs: no error diagnostic => loadPlan accepts the plan, routing never throws`, () => {
    let plans = 0;
    fc.assert(
      fc.property(program, fc.gen(), (source, g) => {
        if (pipeline(source, g) === 'plan') plans++;
      }),
      { numRuns: GENERATED_RUNS, endOnFailure: true },
    );
    // The generator must keep producing valid programs, or the property says little.
    expect(plans).toBeGreaterThan(GENERATED_RUNS / 2);
  }, PIPELINE_TIMEOUT_MS);
});
