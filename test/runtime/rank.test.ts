// `rank`: weighted scoring of the buyers that can take the lead.
import { describe, it, expect } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { DAY, lead, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z'); // Tuesday 11:00 New York

const FACTORS = 'price 40%, quality 25%, capacity 20%, relationship 15%';

/** `rank` is the rank rule's text; `after` is a rule after it. */
function plan(rank: string, after = '') {
  return planOf(`
buyer Premium {
  price $40
  prefers source == "google" weight 2
  prefers lead_score >= 80 weight 1
}
buyer Standard { price $20  cap 10/h  relationship 0.6 }
buyer Budget { price $10  relationship 0.9 }
buyer Closed { price $99  hours Sat,Sun 09:00-18:00 "America/New_York" }
flow main {
  when source == "seed" route Standard
  ${rank}
  ${after}
}`);
}

/** A router whose Standard has used 5 of its 10 leads this hour. */
function warmed(rank: string) {
  const r = new Router(plan(rank), { store: new TestStore(), trace: true });
  for (let i = 0; i < 5; i++) expect(r.route(lead({ source: 'seed' }), { now: NOW }).buyers[0]!.name).toBe('Standard');
  return r;
}

describe('rank', () => {
  it('scores each candidate: Σ weight × factor / Σ weight, and sells to the best', () => {
    const RANK = `rank { Premium, Standard, Budget, Closed } by ${FACTORS}`;
    const r = warmed(RANK);
    const d = r.route(lead({ source: 'google', lead_score: 50 }), { now: NOW });
    expect(d.status).toBe('routed');
    expect(d.buyers).toEqual([{ name: 'Premium', price: 40 }]);
    expect(d.exclusive).toBe(true);
    expect(messages(d)).toEqual([
      'rule \'when source == "seed" route Standard\' skipped: condition is false (source = google)',
      `rule '${RANK.slice(0, 78)} …' matched`, // a rule's text is cut at 80 characters in traces
      'Closed closed: outside Sat,Sun 09:00-18:00 America/New_York (it is Tue 11:00 there)',
      // price 1, quality 2/3 (lead_score >= 80 unmet), capacity 1, relationship 0.5
      'Premium score 0.84 (price 1.00×40%, quality 0.67×25%, capacity 1.00×20%, relationship 0.50×15%)',
      // price 10/40, quality 1 (no preferences), capacity 1, relationship 0.9
      'Budget score 0.69 (price 0.25×40%, quality 1.00×25%, capacity 1.00×20%, relationship 0.90×15%)',
      // price 20/40, capacity 5 of 10 left
      'Standard score 0.64 (price 0.50×40%, quality 1.00×25%, capacity 0.50×20%, relationship 0.60×15%)',
      'Premium takes the lead at $40.00',
    ]);
    expect(d.trace.find((e) => e.code === 'Scored')).toMatchObject({ buyer: 'Premium', rule: 'main#1' });
  });

  it('unmet preferences subtract their weight from quality', () => {
    const r = warmed('rank { Premium } by quality');
    const all = r.route(lead({ source: 'google', lead_score: 90 }), { now: NOW });
    expect(messages(all)).toContain('Premium score 1.00 (quality 1.00×100%)');
    const none = r.route(lead({ source: 'bing' }), { now: NOW });
    expect(messages(none)).toContain('Premium score 0.00 (quality 0.00×100%)');
  });

  it('drops candidates under min and sells to the top N as a shared sale', () => {
    const r = warmed(`rank { Premium, Standard, Budget } by ${FACTORS} min 0.65 top 3`);
    const d = r.route(lead({ source: 'google', lead_score: 50 }), { now: NOW });
    expect(d.buyers).toEqual([
      { name: 'Premium', price: 40 },
      { name: 'Budget', price: 10 },
    ]);
    expect(d.exclusive).toBe(false);
    expect(d.price).toBe(50);
    expect(messages(d)).toContain('Standard score 0.64 is below the minimum 0.65');
    expect(messages(d)).toContain('Budget takes a share of the lead at $10.00');
  });

  it('top 2 takes the two best even when more qualify', () => {
    const r = warmed(`rank { Premium, Standard, Budget } by ${FACTORS} top 2`);
    const d = r.route(lead({ source: 'google' }), { now: NOW });
    expect(d.buyers.map((b) => b.name)).toEqual(['Premium', 'Budget']);
  });

  it('no candidate above min: the rule places nothing and routing goes on', () => {
    const p = plan(`rank { Budget } by ${FACTORS} min 0.99`, 'route Standard'); // Budget alone scores 0.985
    const d = new Router(p, { store: new TestStore(), trace: true }).route(lead(), { now: NOW });
    expect(d.buyers[0]!.name).toBe('Standard');
    expect(d.rule?.id).toBe('main#2');
  });

  it('caps count for the buyers a rank sells to', () => {
    const r = warmed('rank { Standard } by price');
    const names = Array.from({ length: 7 }, () => r.route(lead(), { now: NOW }).status);
    expect(names).toEqual(['routed', 'routed', 'routed', 'routed', 'routed', 'unrouted', 'unrouted']);
  });

  it('expected value = predicted acceptance × price, relative to the best', () => {
    const store = new TestStore();
    for (let i = 0; i < 90; i++) {
      store.recordEvent({ kind: 'sold', buyer: 'Premium', leadId: `p${i}`, at: NOW - DAY, price: 40 });
      store.recordEvent({ kind: 'sold', buyer: 'Standard', leadId: `s${i}`, at: NOW - DAY, price: 20 });
    }
    for (let i = 0; i < 20; i++) store.recordEvent({ kind: 'accepted', buyer: 'Premium', leadId: `p${i}`, at: NOW - DAY });
    for (let i = 0; i < 85; i++) store.recordEvent({ kind: 'accepted', buyer: 'Standard', leadId: `s${i}`, at: NOW - DAY });
    const r = new Router(plan('rank { Premium, Standard } by expected_value'), { store, trace: true });
    const d = r.route(lead(), { now: NOW });
    // Premium: (20+5)/100 × 40 = 10; Standard: (85+5)/100 × 20 = 18.
    expect(d.buyers[0]!.name).toBe('Standard');
    expect(messages(d)).toContain('Standard score 1.00 (expected_value 1.00×100%)');
    expect(messages(d)).toContain('Premium score 0.56 (expected_value 0.56×100%)');
  });

  it('performance is the predicted conversion rate over the window', () => {
    const store = new TestStore();
    for (let i = 0; i < 30; i++) store.recordEvent({ kind: 'sold', buyer: 'Budget', leadId: `b${i}`, at: NOW - DAY, price: 10 });
    for (let i = 0; i < 30; i++) store.recordEvent({ kind: 'converted', buyer: 'Budget', leadId: `b${i}`, at: NOW - DAY });
    // Old history outside a 7-day window does not count.
    for (let i = 0; i < 30; i++) store.recordEvent({ kind: 'sold', buyer: 'Premium', leadId: `o${i}`, at: NOW - 30 * DAY, price: 40 });
    const r = new Router(plan('rank { Premium, Budget } by performance over 7d'), { store, trace: true });
    const d = r.route(lead(), { now: NOW });
    expect(d.buyers[0]!.name).toBe('Budget');
    expect(messages(d)).toContain('Budget score 0.88 (performance 0.88×100%)'); // (30+5)/(30+10)
    expect(messages(d)).toContain('Premium score 0.50 (performance 0.50×100%)');
  });
});
