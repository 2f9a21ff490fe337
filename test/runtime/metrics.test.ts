import { describe, it, expect } from 'vitest';
import { boundedShares, predictedRate, PRIOR_MEAN, PRIOR_WEIGHT, Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { DAY, HOUR, lead, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const BUYERS = 'buyer A { price $30 }\nbuyer B { price $20 }';
const plan = () => planOf(`${BUYERS}\nflow main { route A }`);

describe('recordOutcome and metrics', () => {
  it('a sale records a sold event; outcomes are recorded against the buyer', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store });
    const d = r.route(lead({ id: 'x1' }), { now: NOW });
    expect(store.events).toEqual([{ kind: 'sold', buyer: 'A', leadId: 'x1', at: NOW, price: 30 }]);
    r.recordOutcome(d.leadId, 'A', 'accepted', { at: NOW + 1000 });
    r.recordOutcome(d.leadId, 'A', 'converted', { at: new Date(NOW + 2000) });
    r.recordOutcome(d.leadId, 'A', 'returned', { at: '2026-03-10T15:00:03Z' });
    expect(store.events.slice(1).map((e) => [e.kind, e.at])).toEqual([
      ['accepted', NOW + 1000],
      ['converted', NOW + 2000],
      ['returned', NOW + 3000],
    ]);
    expect(() => r.recordOutcome('x1', 'Nobody', 'accepted')).toThrow("unknown buyer 'Nobody'");
    expect(() => r.recordOutcome('x1', 'A', 'lost' as never)).toThrow(/unknown outcome 'lost'/);
  });

  it('rates over the window, with the Beta prior (mean 0.5, weight 10)', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store });
    // 20 sales in the last day; 15 accepted, 4 converted, 2 returned. Older events are outside a 1-day window.
    for (let i = 0; i < 20; i++) r.route(lead({ id: `m${i}` }), { now: NOW - i * HOUR });
    for (let i = 0; i < 15; i++) r.recordOutcome(`m${i}`, 'A', 'accepted', { at: NOW - i * HOUR + 1 });
    for (let i = 0; i < 4; i++) r.recordOutcome(`m${i}`, 'A', 'converted', { at: NOW - i * HOUR + 2 });
    for (let i = 0; i < 2; i++) r.recordOutcome(`m${i}`, 'A', 'returned', { at: NOW - i * HOUR + 3 });
    r.route(lead({ id: 'old' }), { now: NOW - 3 * DAY });
    r.recordOutcome('old', 'A', 'rejected', { at: NOW - 3 * DAY });

    const m = r.metrics('A', DAY, NOW + 10);
    expect(m).toMatchObject({ buyer: 'A', windowMs: DAY, sold: 20, accepted: 15, rejected: 0, returned: 2, converted: 4 });
    expect(m.acceptanceRate).toBe(0.75);
    expect(m.conversionRate).toBe(0.2);
    expect(m.returnRate).toBe(0.1);
    expect(m.predictedAcceptance).toBeCloseTo((15 + 5) / 30, 12);
    expect(m.predictedConversion).toBeCloseTo((4 + 5) / 30, 12);
    const week = r.metrics('A', 7 * DAY, NOW + 10);
    expect(week.sold).toBe(21);
    expect(week.rejected).toBe(1);
  });

  it('a buyer with no history gets the prior mean', () => {
    const r = new Router(plan(), { store: new TestStore() });
    const m = r.metrics('B', DAY, NOW);
    expect(m.sold).toBe(0);
    expect(m.acceptanceRate).toBeNull();
    expect(m.conversionRate).toBeNull();
    expect(m.predictedAcceptance).toBe(0.5);
    expect(m.predictedConversion).toBe(0.5);
  });

  it('predictedRate is (successes + 10 × 0.5) / (trials + 10), kept within 0..1', () => {
    expect(PRIOR_MEAN).toBe(0.5);
    expect(PRIOR_WEIGHT).toBe(10);
    expect(predictedRate(0, 0)).toBe(0.5);
    expect(predictedRate(10, 10)).toBe(0.75);
    expect(predictedRate(0, 10)).toBe(0.25);
    expect(predictedRate(1000, 1000)).toBeCloseTo(1005 / 1010, 12);
    expect(predictedRate(50, 0)).toBe(1); // outcomes of sales older than the window
  });
});

describe('journal', () => {
  it('records every decision (rejected leads too) unless journal is false', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store });
    r.route(lead(), { now: NOW });
    r.route({ state: 'CA' }, { now: NOW }); // missing credit_score: rejected
    expect(store.decisions.map((d) => d.status)).toEqual(['routed', 'rejected']);
  });

  it('journal: false makes no event or journal calls for a plan without metrics', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store, journal: false });
    for (let i = 0; i < 10; i++) r.route(lead(), { now: NOW });
    expect(store.calls.recordDecision).toBe(0);
    expect(store.calls.recordEvent).toBe(0);
    expect(store.calls.countEvents).toBe(0);
    expect(store.calls.hasKey + store.calls.putKey).toBe(0);
  });

  it('journal: false still records sales when the plan reads metrics', () => {
    const store = new TestStore();
    const p = planOf(`${BUYERS}\nflow main { split by performance acceptance over 1d min 10% max 90% { A, B } }`);
    const r = new Router(p, { store, journal: false });
    r.route(lead(), { now: NOW });
    expect(store.calls.recordEvent).toBe(1);
    expect(store.calls.recordDecision).toBe(0);
  });

  it('a store that only keeps caps is refused with a clear error', () => {
    const capsOnly = { get: () => 0, add: () => undefined };
    expect(() => new Router(plan(), { store: capsOnly as never })).toThrow(/needs a RouterStore/);
  });
});

describe('boundedShares', () => {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  it('is proportional when no bound binds', () => {
    const s = boundedShares([0.6, 0.3, 0.1], 5, 80);
    expect(s.map((x) => Math.round(x * 1000) / 1000)).toEqual([60, 30, 10]);
  });

  it('pins to max and re-spreads the rest in proportion', () => {
    const s = boundedShares([0.9, 0.05, 0.05], 10, 50);
    expect(s[0]).toBeCloseTo(50, 9);
    expect(s[1]).toBeCloseTo(25, 9);
    expect(s[2]).toBeCloseTo(25, 9);
    expect(sum(s)).toBeCloseTo(100, 9);
  });

  it('pins to min', () => {
    const s = boundedShares([0.5, 0.45, 0.01], 10, 80);
    expect(s[2]).toBeCloseTo(10, 9);
    expect(s[0]! / s[1]!).toBeCloseTo(0.5 / 0.45, 9);
    expect(sum(s)).toBeCloseTo(100, 9);
  });

  it('all-zero scores share equally; infeasible bounds still sum to 100', () => {
    expect(boundedShares([0, 0], 0, 100)).toEqual([50, 50]);
    const s = boundedShares([1, 1, 1], 40, 100);
    expect(sum(s)).toBeCloseTo(100, 9);
  });
});
