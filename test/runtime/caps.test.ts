import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Router } from '../../src/runtime/index.js';
import { MemoryStore } from '../../src/adapters/index.js';
import { CapCounter, makeCounters } from '../../src/runtime/caps.js';
import type { PlanCapUnit } from '../../src/plan/index.js';
import { planOf, routerOf } from '../helpers/lang.js';
import { dollarsCap, lead, leadsCap, NY } from './helpers.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-10T14:00:00Z');

function premiumStandard(premiumCaps = '100/h') {
  return planOf(`
buyer Premium { price $45  cap ${premiumCaps}  overflow Standard }
buyer Standard { price $20 }
flow main { route Premium }`);
}

/** Always open, in `zone`: in the language a buyer's zone is the zone of its hours. */
const openAllDay = (zone: string) => `hours daily 00:00-24:00 "${zone}"`;

function tally(decisions: { buyers: { name: string }[] }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of decisions) for (const b of d.buyers) out[b.name] = (out[b.name] ?? 0) + 1;
  return out;
}

describe('lead caps', () => {
  it('250 leads in one hour with cap 100/h: exactly 100 to Premium, the rest overflow', () => {
    const r = new Router(premiumStandard());
    const ds = Array.from({ length: 250 }, (_, i) => r.route(lead(), { now: T0 + i * 10_000 }));
    expect(tally(ds)).toEqual({ Premium: 100, Standard: 150 });
    expect(ds.slice(0, 100).every((d) => d.buyers[0]!.name === 'Premium')).toBe(true);
    expect(ds.slice(100).every((d) => d.buyers[0]!.name === 'Standard' && d.status === 'routed')).toBe(true);
  });

  it('the window resets at the top of the next hour', () => {
    const r = new Router(premiumStandard('2/h'));
    const at = (ms: number) => r.route(lead(), { now: ms }).buyers[0]!.name;
    expect([at(T0), at(T0 + 1000), at(T0 + HOUR - 1)]).toEqual(['Premium', 'Premium', 'Standard']);
    expect([at(T0 + HOUR), at(T0 + HOUR + 5), at(T0 + HOUR + 6)]).toEqual(['Premium', 'Premium', 'Standard']);
  });

  it('every cap must have room, and a take counts against all of them', () => {
    const r = new Router(premiumStandard('3/h, 4/day'));
    const names = Array.from({ length: 6 }, (_, i) => r.route(lead(), { now: T0 + (i < 3 ? 0 : HOUR) }).buyers[0]!.name);
    // hour 1: 3 (hour cap); hour 2: 1 more (day cap 4), then overflow
    expect(names).toEqual(['Premium', 'Premium', 'Premium', 'Premium', 'Standard', 'Standard']);
  });

  it('a day cap resets at midnight in the buyer zone, not UTC', () => {
    const plan = planOf(`
buyer Premium { price $1  cap 1/day  ${openAllDay(NY)}  overflow Standard }
buyer Standard {}
flow main { route Premium }`);
    const r = new Router(plan);
    const at = (iso: string) => r.route(lead(), { now: iso }).buyers[0]!.name;
    expect(at('2026-03-10T03:00:00Z')).toBe('Premium'); // 23:00 on the 9th in New York
    expect(at('2026-03-10T03:59:00Z')).toBe('Standard'); // still the 9th there
    expect(at('2026-03-10T04:00:00Z')).toBe('Premium'); // midnight, the 10th
    expect(at('2026-03-10T23:00:00Z')).toBe('Standard'); // the 10th still (UTC day changed at 00:00Z)
  });

  it('week caps reset on Monday and month caps on the 1st', () => {
    const plan = planOf(`
buyer W { cap 1/week  overflow M }
buyer M { cap 1/month  overflow X }
buyer X {}
flow main { route W }`);
    const r = new Router(plan);
    const at = (iso: string) => r.route(lead(), { now: iso }).buyers[0]!.name;
    expect(at('2026-03-29T12:00:00Z')).toBe('W'); // Sunday
    expect(at('2026-03-29T13:00:00Z')).toBe('M');
    expect(at('2026-03-29T14:00:00Z')).toBe('X');
    expect(at('2026-03-30T00:00:00Z')).toBe('W'); // Monday
    expect(at('2026-03-31T00:00:00Z')).toBe('X'); // W full this week, M full this month
    expect(at('2026-04-01T00:00:00Z')).toBe('M'); // new month
  });
});

describe('dollar caps', () => {
  it('count the price of each lead taken', () => {
    const r = new Router(premiumStandard('$100/day'));
    const names = Array.from({ length: 4 }, () => r.route(lead(), { now: T0 }).buyers[0]!.name);
    // $45 + $45 = $90; a third would make $135 > $100
    expect(names).toEqual(['Premium', 'Premium', 'Standard', 'Standard']);
  });

  it('a lead-dependent price is what counts', () => {
    const plan = planOf(`
buyer P { price credit_score / 10  cap $150/day  overflow S }
buyer S {}
flow main { route P }`);
    const r = new Router(plan);
    const d1 = r.route(lead({ credit_score: 800 }), { now: T0 }); // $80
    const d2 = r.route(lead({ credit_score: 800 }), { now: T0 }); // $160 > 150: no
    const d3 = r.route(lead({ credit_score: 700 }), { now: T0 }); // $150: fits exactly
    expect([d1.buyers[0], d2.buyers[0]!.name, d3.buyers[0]]).toEqual([{ name: 'P', price: 80 }, 'S', { name: 'P', price: 70 }]);
  });

  it('cents do not drift: 10 leads at $0.10 fit a $1 cap', () => {
    const r = routerOf('buyer P { price $0.10  cap $1/h  overflow S }  buyer S {}  flow main { route P }');
    const t = tally(Array.from({ length: 11 }, () => r.route(lead(), { now: T0 })));
    expect(t).toEqual({ P: 10, S: 1 });
  });
});

describe('rule-scoped caps', () => {
  it('count only leads the rule sent, on top of the buyer caps', () => {
    const plan = planOf(`
lead { id: string optional  hot: bool }
buyer Premium { price $45  cap 5/h  overflow Backup }
buyer Standard { price $20 }
buyer Backup { price $5 }
flow main {
  when hot route Premium cap 2/h overflow Standard
  otherwise route Premium
}`);
    const r = new Router(plan, { trace: true });
    const go = (hot: boolean) => r.route({ id: `x${Math.random()}`, hot }, { now: T0 });
    const hot = [go(true), go(true), go(true)];
    // the rule cap (2/h) sends the third hot lead to the rule's overflow
    expect(hot.map((d) => d.buyers[0]!.name)).toEqual(['Premium', 'Premium', 'Standard']);
    expect(hot[2]!.trace.map((e) => e.message)).toContain('Premium skipped: rule cap 2/hour reached');
    expect(hot[2]!.trace.map((e) => e.message)).toContain('Premium capped, overflow to Standard');
    // the otherwise rule has no rule cap: Premium takes 3 more (buyer cap 5/h counts all 5)
    const cold = [go(false), go(false), go(false), go(false)];
    expect(cold.map((d) => d.buyers[0]!.name)).toEqual(['Premium', 'Premium', 'Premium', 'Backup']);
    expect(cold[3]!.trace.map((e) => e.message)).toContain('Premium skipped: cap 5/hour reached');
    // now the buyer cap is full: a hot lead overflows by the rule's overflow
    expect(go(true).buyers[0]!.name).toBe('Standard');
  });

  it('the same rule cap on two rules is two counters', () => {
    const plan = planOf(`
lead { hot: bool }
buyer P {}
buyer S {}
flow main {
  when hot route P cap 1/h
  route P cap 1/h
  otherwise route S
}`);
    const r = new Router(plan);
    const ids = ['a', 'b', 'c', 'd'].map((id, i) => r.route({ id, hot: i % 2 === 0 }, { now: T0 }));
    // a: rule 0 (its counter 1/1); b: rule 1 (its counter 1/1); c: rule 0 full, falls
    // through to rule 1, full too, so the otherwise rule; d: rule 1 full.
    expect(ids.map((d) => `${d.buyers[0]!.name}@${d.rule!.id}`)).toEqual(['P@main#0', 'P@main#1', 'S@main#2', 'S@main#2']);
  });
});

describe('counters', () => {
  it('caps with the same measure and unit share one counter at the tightest limit', () => {
    const cs = makeCounters('buyer|X', [leadsCap(100, 'hour'), leadsCap(50, 'hour'), dollarsCap(10, 'hour')]);
    expect(cs.map((c) => c.label())).toEqual(['50/hour', '$10/hour']);
  });
  it('labels', () => {
    expect(new CapCounter('p', 'dollars', 'day', 5000).label()).toBe('$5000/day');
    expect(new CapCounter('p', 'dollars', 'day', 12.5).label()).toBe('$12.50/day');
    expect(new CapCounter('p', 'leads', 'minute', 3).label()).toBe('3/minute');
  });
});

describe('property: the number taken never exceeds the cap', () => {
  it('for random limits, units, lead counts and arrival times', () => {
    const units: PlanCapUnit[] = ['minute', 'hour', 'day', 'week', 'month'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom(...units),
        fc.constantFrom('UTC', NY, 'Asia/Kolkata'),
        fc.integer({ min: 1, max: 30_000 }),
        (limit, count, unit, zone, stepMs) => {
          const r = routerOf(`buyer P { cap ${limit}/${unit}  ${openAllDay(zone)}  overflow S }  buyer S {}  flow main { route P }`, { store: new MemoryStore() });
          const taken = new Map<number, number>();
          const arrived = new Map<number, number>();
          const clock = r.plan.buyers[0]!.clock;
          const ui = units.indexOf(unit);
          for (let i = 0; i < count; i++) {
            const now = T0 + i * stepMs;
            const d = r.route(lead(), { now });
            expect(d.status).toBe('routed');
            const w = clock.windows(now).ids[ui]!;
            arrived.set(w, (arrived.get(w) ?? 0) + 1);
            if (d.buyers[0]!.name === 'P') taken.set(w, (taken.get(w) ?? 0) + 1);
          }
          // never over the cap, and exactly the cap whenever enough leads arrived
          for (const [w, n] of arrived) expect(taken.get(w) ?? 0).toBe(Math.min(limit, n));
        },
      ),
      { numRuns: 150 },
    );
  });
  it('for random dollar caps and prices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }).map((c) => c / 100), { maxLength: 80 }),
        (limit, prices) => {
          const r = routerOf(`lead { id: string optional  bid: money }  buyer P { price bid  cap $${limit}/day  overflow S }  buyer S {}  flow main { route P }`);
          let spent = 0;
          prices.forEach((bid, i) => {
            const d = r.route({ id: `b${i}`, bid }, { now: T0 });
            if (d.buyers[0]!.name === 'P') spent += d.price;
            else expect(spent + bid).toBeGreaterThan(limit); // refused only when it would not fit
          });
          expect(spent).toBeLessThanOrEqual(limit + 1e-6);
        },
      ),
      { numRuns: 150 },
    );
  });
});
