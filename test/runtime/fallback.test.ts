// Fallback chains: flows in order, rewriting the lead before each later step.
import { describe, it, expect } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { lead, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const CHAIN = 'fallback purchase -> refinance with product = "refinance" -> personal with product = "personal_loan", lead_score = lead_score - 10';

/** LoanCo and Other accept every lead unless `loanCo`/`other` says otherwise. */
function plan(o: { loanCo?: string; other?: string } = {}) {
  return planOf(`
buyer PurchaseCo { accepts product == "purchase" and credit_score >= 740  price $40 }
buyer RefiCo { accepts product == "refinance" and credit_score >= 680  price $25 }
buyer LoanCo { accepts ${o.loanCo ?? 'product == "personal_loan"'}  price $8 }
buyer Other { ${o.other === undefined ? '' : `accepts ${o.other}`}  price $1 }
flow main {
  ${CHAIN}
  route Other
}
flow purchase { route PurchaseCo }
flow refinance { route RefiCo }
flow personal { route LoanCo }
`);
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
      // A rule's text is cut at 80 characters in traces.
      `rule '${CHAIN.slice(0, 78)} …' matched`,
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
    // Other accepts only the un-rewritten lead.
    const p = plan({ loanCo: 'state == TX', other: 'product == "purchase"' });
    const d = new Router(p, { store: new TestStore(), trace: true }).route(lead({ product: 'purchase', credit_score: 600 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'Other', price: 1 }]);
    expect(d.rewrites).toEqual({});
    expect(d.rule?.id).toBe('main#1');
    expect(messages(d)).toContain("flow 'personal' placed nothing; the fallback chain is exhausted");
  });
});
