// Fallback chains: flows in order, rewriting the lead before each later step.
import { describe, it, expect } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import type { PlanAction } from '../../src/plan/index.js';
import { arith, buyer, cmp, f, lead, lit, makePlan, messages, route, rule, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const accepts = (field: string, value: string) => [{ expr: cmp('==', f(field), lit(value)), text: `${field} == "${value}"` }];

const chain: PlanAction = {
  kind: 'fallback',
  steps: [
    { flow: 'purchase', rewrites: [] },
    { flow: 'refinance', rewrites: [{ field: 'product', value: lit('refinance'), text: 'product = "refinance"' }] },
    {
      flow: 'personal',
      rewrites: [
        { field: 'product', value: lit('personal_loan'), text: 'product = "personal_loan"' },
        { field: 'lead_score', value: arith('-', f('lead_score'), lit(10)), text: 'lead_score = lead_score - 10' },
      ],
    },
  ],
};

function plan() {
  return makePlan({
    buyers: [
      buyer('PurchaseCo', { price: 40, accepts: [...accepts('product', 'purchase'), { expr: cmp('>=', f('credit_score'), lit(740)), text: 'credit_score >= 740' }] }),
      buyer('RefiCo', { price: 25, accepts: [...accepts('product', 'refinance'), { expr: cmp('>=', f('credit_score'), lit(680)), text: 'credit_score >= 680' }] }),
      buyer('LoanCo', { price: 8, accepts: accepts('product', 'personal_loan') }),
      buyer('Other', { price: 1 }),
    ],
    flows: [
      { name: 'main', rules: [rule('main#0', chain, null, 'fallback purchase, refinance, personal'), rule('main#1', route('Other'), null, 'route Other')] },
      { name: 'purchase', rules: [rule('purchase#0', route('PurchaseCo'), null, 'route PurchaseCo')] },
      { name: 'refinance', rules: [rule('refinance#0', route('RefiCo'), null, 'route RefiCo')] },
      { name: 'personal', rules: [rule('personal#0', route('LoanCo'), null, 'route LoanCo')] },
    ],
  });
}

describe('fallback chains', () => {
  it('the first flow that places the lead decides; no rewrites when it is the first', () => {
    const d = new Router(plan(), { store: new TestStore() }).route(lead({ product: 'purchase', credit_score: 760 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'PurchaseCo', price: 40 }]);
    expect(d.rewrites).toEqual({});
    expect(d.rule?.id).toBe('purchase#0');
  });

  it('rewrites apply before a later step, on a copy of the lead; the decision lists them', () => {
    const original = lead({ product: 'purchase', credit_score: 700 });
    const copy = structuredClone(original);
    const d = new Router(plan(), { store: new TestStore(), trace: true }).route(original, { now: NOW });
    expect(d.buyers).toEqual([{ name: 'RefiCo', price: 25 }]);
    expect(d.rewrites).toEqual({ product: 'refinance' });
    expect(original).toEqual(copy);
    expect(messages(d)).toEqual([
      "rule 'fallback purchase, refinance, personal' matched",
      "fallback step 1 of 3: trying flow 'purchase'",
      "entering flow 'purchase'",
      "rule 'route PurchaseCo' matched",
      'PurchaseCo skipped: accepts `credit_score >= 740` is false (credit_score = 700)',
      "rule 'route PurchaseCo' could not place the lead; trying the next rule",
      "no rule in flow 'purchase' placed the lead",
      "flow 'purchase' placed nothing; next fallback step",
      "fallback step 2 of 3: trying flow 'refinance'",
      'rewrote product: purchase → refinance (product = "refinance")',
      "entering flow 'refinance'",
      "rule 'route RefiCo' matched",
      'RefiCo takes the lead at $25.00',
    ]);
  });

  it('rewrites accumulate and values are computed from the current lead', () => {
    const d = new Router(plan(), { store: new TestStore(), trace: true }).route(lead({ product: 'purchase', credit_score: 600, lead_score: 55 }), {
      now: NOW,
    });
    expect(d.buyers).toEqual([{ name: 'LoanCo', price: 8 }]);
    expect(d.rewrites).toEqual({ product: 'personal_loan', lead_score: 45 });
    expect(messages(d)).toContain('rewrote lead_score: 55 → 45 (lead_score = lead_score - 10)');
  });

  it('an exhausted chain places nothing; the next rule sees the original lead', () => {
    const p = plan();
    p.buyers[2]!.accepts = [{ expr: cmp('==', f('state'), lit('TX')), text: 'state == TX' }];
    p.buyers[3]!.accepts = accepts('product', 'purchase'); // only the un-rewritten lead
    const d = new Router(p, { store: new TestStore(), trace: true }).route(lead({ product: 'purchase', credit_score: 600 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'Other', price: 1 }]);
    expect(d.rewrites).toEqual({});
    expect(d.rule?.id).toBe('main#1');
    expect(messages(d)).toContain("flow 'personal' placed nothing; the fallback chain is exhausted");
  });
});
