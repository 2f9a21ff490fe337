// Alerts in a plan: what the compiler emits, and what the verifier (and so
// loadPlan) refuses in a plan written by hand (a plan file may not come from
// the compiler, so every rule the checker holds is held again here).
import { describe, expect, it } from 'vitest';
import { verifyPlan, type Plan } from '../../src/models/plan.js';
import { loadPlan, PlanError } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';

const base = (): Plan => planOf('buyer A { price $1 }\nflow f { route A }\nalert Low when revenue(A) < $5 over 1h\nalert Slow when avg_response > 2s over 15m');

const withAlert = (change: Record<string, unknown>, i = 0): unknown => {
  const p = structuredClone(base()) as unknown as { alerts: Record<string, unknown>[] };
  p.alerts[i] = { ...p.alerts[i], ...change };
  return p;
};

describe('alerts in the plan', () => {
  it('are emitted in the units of their measure, with their text and place', () => {
    expect(base().alerts).toEqual([
      { name: 'Low', metric: 'revenue', buyer: 'A', op: '<', threshold: 5, windowMs: 3_600_000, text: 'alert Low when revenue(A) < $5 over 1h', source: expect.objectContaining({ line: expect.any(Number), col: 1 }) },
      { name: 'Slow', metric: 'avg_response', buyer: null, op: '>', threshold: 2000, windowMs: 900_000, text: 'alert Slow when avg_response > 2s over 15m', source: expect.objectContaining({ col: 1 }) },
    ]);
    expect(verifyPlan(base())).toEqual([]);
  });

  it('are left out of a plan whose file declares none', () => {
    expect('alerts' in planOf('buyer A { price $1 }\nflow f { route A }')).toBe(false);
  });

  it('are refused by loadPlan when a hand-written plan gets one wrong, naming where', () => {
    const problems = (json: unknown) => {
      try {
        loadPlan(json);
      } catch (e) {
        expect(e).toBeInstanceOf(PlanError);
        return (e as PlanError).problems.map((p) => p.path);
      }
      return [];
    };
    expect(problems(withAlert({ buyer: 'Nobody' }))).toEqual(['/alerts/0/buyer']);
    expect(problems(withAlert({ name: 'Low' }, 1))).toEqual(['/alerts/1/name']);
    expect(problems(withAlert({ metric: 'happiness' }))).toEqual(expect.arrayContaining([expect.stringMatching(/^\/alerts\/0\/metric/)]));
    expect(problems(withAlert({ windowMs: 90_000 }))).toEqual(['/alerts/0/windowMs']);
    expect(problems(withAlert({ windowMs: 2 * 86_400_000 }))).toEqual(['/alerts/0/windowMs']);
    expect(problems(withAlert({ op: '==' }))).toEqual(expect.arrayContaining([expect.stringMatching(/^\/alerts\/0\/op/)]));
    expect(problems(withAlert({ metric: 'bid_rate', threshold: 150 }))).toEqual(['/alerts/0/threshold']);
    expect(problems(withAlert({ threshold: -1 }))).toEqual(['/alerts/0/threshold']);
    expect(problems(withAlert({ extra: 1 }))).toEqual(expect.arrayContaining([expect.stringMatching(/^\/alerts\/0/)]));
  });
});
