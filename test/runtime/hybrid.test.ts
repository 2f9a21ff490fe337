// `hybrid`: exclusive to the primary when it can take the lead, else shared
// with secondaries, delivered after a delay.
import { describe, it, expect } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { lead, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const HYBRID = 'hybrid Primary then share max 2 { S1 $12, S2, S3 } after 5m';

const plan = () =>
  planOf(`
buyer Primary { price $50  cap 1/h }
buyer S1 { price $20 }
buyer S2 { accepts state == TX  price $15 }
buyer S3 { price $10 }
flow main { ${HYBRID} }
`);

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
      `rule '${HYBRID}' matched`,
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
