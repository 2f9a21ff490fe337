// The pipeline property shared by generated.test.ts and mutated.test.ts: a
// program with no error diagnostic compiles to a plan that loadPlan accepts
// (as JSON, as a plan file would arrive), and routing schema-valid leads
// through every flow of it never throws and never rejects them.

import fc from 'fast-check';
import { expect } from 'vitest';
import { compile, hasErrors, loadPlan, MemoryStore, Router, type Plan } from '../../src/index.js';
import { leadFor, TEMPLATES } from './programs.js';

/** 10,000 programs a run in all (the two files together). Shrinking a failing
 *  program of this size takes minutes, so a failure is reported unshrunk, with
 *  the seed that replays it. */
export const GENERATED_RUNS = 3_000;
export const MUTATED_RUNS = 7_000;
/** Generous: a CI machine running the rest of the suite beside it is slower. */
export const PIPELINE_TIMEOUT_MS = 600_000;

const COMPILE_OPTIONS = { file: 'p.route', baseDir: '/', readFile: (p: string) => TEMPLATES[p] };
/** Routing times: a weekday morning, a US holiday, a Saturday night. */
const ROUTING_TIMES = ['2026-11-23T15:00:00Z', '2026-07-04T18:00:00Z', '2026-11-28T04:30:00Z'];

/** Compiles `source`; when it has no error, loads the plan's JSON and routes schema-valid leads through every flow. */
export function pipeline(source: string, g: fc.GeneratorValue): 'plan' | 'errors' {
  const { plan, diagnostics } = compile(source, COMPILE_OPTIONS);
  if (hasErrors(diagnostics)) return 'errors';
  expect(plan, 'no error diagnostic, yet no plan').not.toBeNull();
  const json = JSON.parse(JSON.stringify(plan)) as Plan;
  const router = new Router(loadPlan(json), { store: new MemoryStore(), seed: g(fc.nat) });
  const leads = g(() => fc.array(leadFor(json.lead.fields), { minLength: 1, maxLength: 2 }));
  for (const [i, lead] of leads.entries()) {
    for (const flow of json.flows) {
      const decision = router.route(lead, { flow: flow.name, now: ROUTING_TIMES[i % ROUTING_TIMES.length] });
      expect(decision.status, JSON.stringify(decision.errors)).not.toBe('rejected');
    }
  }
  return 'plan';
}
