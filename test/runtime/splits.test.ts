// Split modes: fair (round robin, earliest due first, state in the store) and performance
// (weights from outcome metrics). The random mode is covered in router.test.ts.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Router, splitDraw } from '../../src/runtime/index.js';
import type { PlanAction } from '../../src/models/plan.js';
import { planOf, routerOf } from '../helpers/lang.js';
import { buyer, DAY, lead, makePlan, messages, rule, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const splitText = (entries: [string, number][]) => entries.map(([b, w]) => `${b} ${w}%`).join(', ');

/** A fair split over buyers that take every lead. Weights must sum to 100%, as
 *  the language demands; other weights go through fairPlanByHand. */
function fairRouter(entries: [string, number][], store = new TestStore()) {
  const buyers = entries.map(([b]) => `buyer ${b} {}`).join('\n');
  return routerOf(`${buyers}\nflow main { split fair { ${splitText(entries)} } }`, { store, journal: false });
}

// Hand-built: the checker requires split weights to sum to 100% written as
// decimals (LR400), so exact thirds (100/3) and weights such as 1/57/5/1/55
// or random ones exist only as plan JSON.
function fairRouterByHand(entries: [string, number][], store = new TestStore()) {
  const action: PlanAction = { kind: 'split', entries: entries.map(([b, weight]) => ({ buyer: b, weight })), mode: 'fair' };
  const plan = makePlan({ buyers: entries.map(([b]) => buyer(b)), rules: [rule('main#0', action)] });
  return new Router(plan, { store, journal: false });
}

/** Whether the language can write these weights: two decimals at most, summing to 100%. */
const writable = (entries: [string, number][]) =>
  Math.abs(entries.reduce((s, [, w]) => s + w, 0) - 100) < 1e-9 && entries.every(([, w]) => Math.abs(w * 100 - Math.round(w * 100)) < 1e-6);

/** Route n leads; after every one, every buyer's count is within one lead of its exact share. */
function checkPrefixes(entries: [string, number][], n: number): Record<string, number> {
  const r = writable(entries) ? fairRouter(entries) : fairRouterByHand(entries);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const counts: Record<string, number> = Object.fromEntries(entries.map(([b]) => [b, 0]));
  for (let i = 1; i <= n; i++) {
    const d = r.route(lead({ id: `f${i}` }), { now: NOW });
    counts[d.buyers[0]!.name]!++;
    for (const [b, w] of entries) {
      const exact = (w / total) * i;
      if (Math.abs(counts[b]! - exact) >= 1) throw new Error(`after ${i} leads ${b} has ${counts[b]}, exact share ${exact}`);
    }
  }
  return counts;
}

describe('fair split', () => {
  it('60/30/10 stays within one lead of target at every prefix of 10,000 leads', () => {
    expect(checkPrefixes([['A', 60], ['B', 30], ['C', 10]], 10_000)).toEqual({ A: 6000, B: 3000, C: 1000 });
  });

  it('50/50 alternates exactly', () => {
    const r = fairRouter([['A', 50], ['B', 50]]);
    const seq = Array.from({ length: 6 }, () => r.route(lead(), { now: NOW }).buyers[0]!.name);
    expect(seq).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
    expect(checkPrefixes([['A', 50], ['B', 50]], 10_000)).toEqual({ A: 5000, B: 5000 });
  });

  it('thirds (exact 100/3 and rounded 33.34/33.33/33.33) stay within one lead', () => {
    const third = 100 / 3;
    const exact = checkPrefixes([['A', third], ['B', third], ['C', third]], 10_000);
    expect(Object.values(exact).every((n) => Math.abs(n - 10_000 / 3) < 1)).toBe(true);
    const rounded = checkPrefixes([['A', 33.34], ['B', 33.33], ['C', 33.33]], 10_000);
    expect(rounded.A! + rounded.B! + rounded.C!).toBe(10_000);
  });

  it('60/30/10 runs A B A A B A C A B A: the earliest due first, declared order among equals', () => {
    const r = fairRouter([['A', 60], ['B', 30], ['C', 10]]);
    const seq = Array.from({ length: 20 }, () => r.route(lead(), { now: NOW }).buyers[0]!.name).join('');
    // With three entries an entry is released once it is 1/4 lead behind its share, and its next
    // lead is due by (taken + 3/4) / share: at lead 1 A and B are released (C is 0.1 behind) and
    // A is due soonest (1.25 against 2.5).
    expect(seq).toBe('ABAABACABA'.repeat(2));
  });

  it('weights 1/57/5/1/55 stay within one lead at every prefix (largest deficit first drifted past it at lead 65)', () => {
    checkPrefixes([['B0', 1], ['B1', 57], ['B2', 5], ['B3', 1], ['B4', 55]], 2_000);
  });

  it('keeps its state in the store: a second router on the same store continues the rotation', () => {
    const store = new TestStore();
    const r1 = fairRouter([['A', 50], ['B', 50]], store);
    expect(r1.route(lead(), { now: NOW }).buyers[0]!.name).toBe('A');
    const r2 = fairRouter([['A', 50], ['B', 50]], store);
    expect(r2.route(lead(), { now: NOW }).buyers[0]!.name).toBe('B');
    expect(store.get('fair|main#0|A')).toBe(1);
    expect(store.get('fair|main#0|B')).toBe(1);
    expect(store.get('fair|main#0|#')).toBe(2);
  });

  it('an entry that cannot take the lead is passed over; the next furthest behind gets it', () => {
    const r = routerOf('buyer A { accepts state == TX }  buyer B {}  flow main { split fair { A 50%, B 50% } }', { store: new TestStore(), trace: true });
    const d = r.route(lead({ state: 'CA' }), { now: NOW });
    expect(d.buyers[0]!.name).toBe('B');
    expect(messages(d)).toEqual([
      "rule 'split fair { A 50%, B 50% }' matched",
      'fair split offers A first: it has 0 of 0 leads, target 50%',
      'A skipped: accepts `state == TX` is false (state = CA)',
      'fair split offers B next: it has 0 of 0 leads, target 50%',
      'B takes the lead at $0.00',
    ]);
    // A is now behind: the next Texas lead goes to A.
    expect(r.route(lead({ state: 'TX' }), { now: NOW }).buyers[0]!.name).toBe('A');
  });

  it('property: within one lead of target for random weights while all can take', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 1, max: 300 }), (ws, n) => {
        const entries = ws.map((w, i) => [`B${i}`, w] as [string, number]);
        checkPrefixes(entries, n);
      }),
      { numRuns: 200 },
    );
  });

  it('a capped entry overflows; the entry of the buyer that took it is credited', () => {
    const store = new TestStore();
    const r = routerOf('buyer A { cap 1/h  overflow B }  buyer B {}  flow main { split fair { A 50%, B 50% } }', { store });
    const names = Array.from({ length: 4 }, () => r.route(lead(), { now: NOW }).buyers[0]!.name);
    expect(names).toEqual(['A', 'B', 'B', 'B']);
    expect(store.get('fair|main#0|A')).toBe(1);
    expect(store.get('fair|main#0|B')).toBe(3);
  });
});

describe('performance split', () => {
  const perf = (min: number, max: number) =>
    planOf(`buyer A {}  buyer B {}  buyer C {}  flow main { split by performance conversion over 7d min ${min}% max ${max}% { A, B, C } }`);

  /** A: 65% predicted conversion, B: 25%, C: 10% (each 90 sales in the window). */
  function seeded(min: number, max: number) {
    const store = new TestStore();
    const conv = { A: 60, B: 20, C: 5 } as const;
    for (const [b, c] of Object.entries(conv)) {
      for (let i = 0; i < 90; i++) store.recordEvent({ kind: 'sold', buyer: b, leadId: `${b}${i}`, at: NOW - DAY, price: 1 });
      for (let i = 0; i < c; i++) store.recordEvent({ kind: 'converted', buyer: b, leadId: `${b}${i}`, at: NOW - DAY });
    }
    return new Router(perf(min, max), { store, trace: true });
  }

  it('weights follow the predicted metric, bounded to [min, max] and renormalised; the trace shows them', () => {
    const r = seeded(15, 60);
    const d = r.route(lead({ id: 'p0' }), { now: NOW });
    expect(d.trace.find((e) => e.code === 'PerformanceWeights')!.message).toBe(
      'performance weights by conversion over 7d, kept within 15%-60%: A 60% (conversion 0.65), B 25% (conversion 0.25), C 15% (conversion 0.10)',
    );
    const draw = splitDraw(0, 'p0', 'main#0');
    expect(d.buyers[0]!.name).toBe(draw < 60 ? 'A' : draw < 85 ? 'B' : 'C');
  });

  it('unbounded weights are proportional: 65/25/10', () => {
    const r = seeded(0, 100);
    const d = r.route(lead(), { now: NOW });
    expect(d.trace.find((e) => e.code === 'PerformanceWeights')!.message).toContain('A 65% (conversion 0.65), B 25% (conversion 0.25), C 10% (conversion 0.10)');
  });

  it('10,000 leads follow the computed weights within 2 points', () => {
    const r = seeded(15, 60);
    const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
    for (let i = 0; i < 10_000; i++) counts[r.route(lead({ id: `q${i}` }), { now: NOW, trace: false }).buyers[0]!.name]!++;
    expect(Math.abs(counts.A! / 10_000 - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts.B! / 10_000 - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(counts.C! / 10_000 - 0.15)).toBeLessThan(0.02);
  });

  it('with no history every buyer has the prior and the split is even', () => {
    const d = new Router(perf(10, 80), { store: new TestStore(), trace: true }).route(lead(), { now: NOW });
    expect(messages(d)[1]).toBe(
      'performance weights by conversion over 7d, kept within 10%-80%: A 33.3% (conversion 0.50), B 33.3% (conversion 0.50), C 33.3% (conversion 0.50)',
    );
  });

  it('a recorded outcome changes the weights at once', () => {
    const r = seeded(0, 100);
    r.route(lead(), { now: NOW });
    for (let i = 0; i < 50; i++) r.recordOutcome(`C${i}`, 'C', 'converted', { at: NOW - DAY });
    const d = r.route(lead(), { now: NOW });
    expect(d.trace.find((e) => e.code === 'PerformanceWeights')!.message).not.toContain('C 10%');
  });
});
