// `hybrid`: exclusive to the primary when it can take the lead, else shared
// with secondaries, delivered after a delay.
import { describe, it, expect } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import type { PlanAction } from '../../src/plan/index.js';
import { buyer, cmp, f, lead, leadsCap, lit, makePlan, messages, rule, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const hybrid: PlanAction = {
  kind: 'hybrid',
  primary: 'Primary',
  secondaries: [
    { buyer: 'S1', price: lit(12) },
    { buyer: 'S2', price: null },
    { buyer: 'S3', price: null },
  ],
  max: 2,
  delayMs: 5 * 60_000,
};

function plan() {
  return makePlan({
    buyers: [
      buyer('Primary', { price: 50, caps: [leadsCap(1, 'hour')] }),
      buyer('S1', { price: 20 }),
      buyer('S2', { price: 15, accepts: [{ expr: cmp('==', f('state'), lit('TX')), text: 'state == TX' }] }),
      buyer('S3', { price: 10 }),
    ],
    rules: [rule('main#0', hybrid, null, 'hybrid Primary then share max 2 {S1 $12, S2, S3} after 5m')],
  });
}

describe('hybrid', () => {
  it('the primary takes the lead exclusively when it can', () => {
    const d = new Router(plan(), { store: new TestStore() }).route(lead(), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'Primary', price: 50 }]);
    expect(d.exclusive).toBe(true);
  });

  it('otherwise up to max secondaries share it, each delivered at now + delay', () => {
    const r = new Router(plan(), { store: new TestStore(), trace: true });
    r.route(lead(), { now: NOW });
    const d = r.route(lead({ state: 'CA' }), { now: NOW });
    expect(d.status).toBe('routed');
    expect(d.exclusive).toBe(false);
    expect(d.buyers).toEqual([
      { name: 'S1', price: 12, deliverAt: '2026-03-10T15:05:00.000Z' },
      { name: 'S3', price: 10, deliverAt: '2026-03-10T15:05:00.000Z' },
    ]);
    expect(d.price).toBe(22);
    expect(messages(d)).toEqual([
      "rule 'hybrid Primary then share max 2 {S1 $12, S2, S3} after 5m' matched",
      'Primary skipped: cap 1/hour reached',
      'Primary cannot take the lead; sharing it with up to 2 secondaries, delivered after 5m (2026-03-10T15:05:00.000Z)',
      'S1 takes a share of the lead at $12.00, delivered at 2026-03-10T15:05:00.000Z',
      'S2 skipped: accepts `state == TX` is false (state = CA)',
      'S3 takes a share of the lead at $10.00, delivered at 2026-03-10T15:05:00.000Z',
    ]);
  });

  it('stops at max', () => {
    const r = new Router(plan(), { store: new TestStore() });
    r.route(lead(), { now: NOW });
    const d = r.route(lead({ state: 'TX' }), { now: NOW });
    expect(d.buyers.map((b) => b.name)).toEqual(['S1', 'S2']);
  });
});
