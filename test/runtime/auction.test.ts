// `auction`: the router sets the auction up (who may bid, floors) and commits
// its result; the HTTP part lives in src/auction.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fixedPriceOf, loadPlan, Router, type Decision, type SoldTo } from '../../src/runtime/index.js';
import type { PlanExpr } from '../../src/plan/index.js';
import type { Plan } from '../../src/models/plan.js';
import { planOf } from '../helpers/lang.js';
import { arith, cmp, f, lead, lit, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const RANK: PlanExpr = arith('*', f('bid.price'), lit(2));
const AUCTION_OPTIONS = 'timeout 300ms exclusive min $50 shared max 3 rank by bid.price * 2';
// An auction's buyers need a ping (LR702); the router never sends it.
const ping = (name: string) => `ping "https://${name.toLowerCase()}.example/ping"`;

/** The plan of `text`, its auctions given an auction-wide floor of $10: the
 *  language has only per-tier floors (it emits `floor: null`), the runtime
 *  still honours a plan's own. */
function withAuctionFloor(text: string): Plan {
  const p = planOf(text);
  for (const flow of p.flows) for (const r of flow.rules) if (r.action.kind === 'auction') r.action.floor = lit(10);
  return p;
}

const plan = (auction = `auction { A, B, C } floor credit_score / 20 then { D } ${AUCTION_OPTIONS}`) =>
  withAuctionFloor(`
buyer A { price $40  cap 2/hour  ${ping('A')} }
buyer B { price $30  cap 1/hour  dedupe email within 30d  ${ping('B')} }
buyer C { price $20  accepts state == TX  ${ping('C')} }
buyer D { price $5  ${ping('D')} }
buyer Z { price $1 }
flow main {
  ${auction}
  route Z
}
`);

describe('auction', () => {
  it('returns the pending auction: eligible buyers per tier and floors on the lead; takes no caps', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store, trace: true });
    const d = r.route(lead({ id: 'a1', credit_score: 720, email: 'x@y.z' }), { now: NOW });
    expect(d.status).toBe('auction');
    expect(d.buyers).toEqual([]);
    expect(d.price).toBe(0);
    expect(d.rule?.id).toBe('main#0');
    expect(d.auction).toEqual({
      ruleId: 'main#0',
      tiers: [
        { buyers: ['A', 'B'], floor: 36 },
        { buyers: ['D'], floor: null },
      ],
      timeoutMs: 300,
      floor: 10,
      exclusiveMin: 50,
      shared: 3,
      rank: RANK,
      dedupeKeys: { B: [expect.stringMatching(/^[0-9a-f]{64}$/)] },
    });
    expect(messages(d)).toContain('C skipped: accepts `state == TX` is false (state = CA)');
    expect(messages(d)).toContain('auction for tier 1: A, B (floor $36.00); tier 2: D; floor $10.00; timeout 300ms');
    expect(store.calls.add).toBe(0);
    expect(store.events).toEqual([]);
    expect(store.decisions.map((x) => x.status)).toEqual(['auction']);
  });

  it('commit sells to the winners: caps counted, sales and dedupe keys recorded, decision routed', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store, trace: true });
    const pending = r.route(lead({ id: 'a2', email: 'x@y.z' }), { now: NOW });
    const d = r.commit(pending, [{ name: 'B', price: 52.5 }], { now: NOW + 250 });
    expect(d).toMatchObject({ status: 'routed', buyers: [{ name: 'B', price: 52.5 }], exclusive: true, price: 52.5, leadId: 'a2', reason: null });
    expect(d.auction?.ruleId).toBe('main#0');
    expect(messages(d).at(-1)).toBe('B wins the auction at $52.50');
    expect(store.events).toEqual([{ kind: 'sold', buyer: 'B', leadId: 'a2', at: NOW + 250, price: 52.5 }]);
    expect(store.keys.size).toBe(1);
    expect(store.decisions.map((x) => x.status)).toEqual(['auction', 'routed']);
    // B's cap (1/hour) is now full: the next auction does not include B.
    const next = r.route(lead({ email: 'other@y.z' }), { now: NOW + 1000 });
    expect(next.auction!.tiers[0]!.buyers).toEqual(['A']);
    // The same email is a duplicate for B even in another hour.
    const later = r.route(lead({ email: 'x@y.z' }), { now: NOW + 2 * 3_600_000 });
    expect(later.auction!.tiers[0]!.buyers).toEqual(['A']);
  });

  it('a shared sale is not exclusive unless told; an empty result is unrouted', () => {
    const r = new Router(plan(), { store: new TestStore() });
    const two = r.commit(r.route(lead(), { now: NOW }), [
      { name: 'A', price: 30 },
      { name: 'D', price: 12 },
    ]);
    expect(two).toMatchObject({ status: 'routed', exclusive: false, price: 42 });
    const forced = r.commit(r.route(lead(), { now: NOW }), [{ name: 'D', price: 3 }], { exclusive: false });
    expect(forced.exclusive).toBe(false);
    const none = r.commit(r.route(lead(), { now: NOW }), []);
    expect(none).toMatchObject({ status: 'unrouted', buyers: [], price: 0, reason: 'no bid won the auction' });
  });

  it('a winner whose cap filled up meanwhile is dropped, so caps are never exceeded', () => {
    const r = new Router(plan(), { store: new TestStore(), trace: true });
    const p1 = r.route(lead(), { now: NOW });
    const p2 = r.route(lead(), { now: NOW });
    expect(r.commit(p1, [{ name: 'B', price: 31 }], { now: NOW }).status).toBe('routed');
    const d = r.commit(p2, [{ name: 'B', price: 33 }], { now: NOW });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('no auction winner could be sold to');
    expect(messages(d).at(-1)).toBe('B won at $33.00 but cap 1/hour is reached; not sold');
  });

  it('refuses buyers that were not offered the lead and decisions that are not auctions', () => {
    const r = new Router(plan(), { store: new TestStore() });
    const p = r.route(lead(), { now: NOW });
    expect(() => r.commit(p, [{ name: 'C', price: 10 }])).toThrow('C was not offered lead');
    expect(() => r.commit(p, [{ name: 'Nobody', price: 10 }])).toThrow("unknown buyer 'Nobody'");
    const routed = r.commit(p, [{ name: 'A', price: 10 }]);
    expect(() => r.commit(routed, [])).toThrow('commit() takes an auction decision (this one is routed)');
  });

  it('an auction nobody can bid in places nothing; routing goes on', () => {
    const p = plan(`auction { C } ${AUCTION_OPTIONS}`);
    const d = new Router(p, { store: new TestStore(), trace: true }).route(lead(), { now: NOW });
    expect(d.status).toBe('routed');
    expect(d.buyers[0]!.name).toBe('Z');
    expect(messages(d)).toContain('no buyer in any auction tier can take the lead');
  });

  it('a fixed-price buyer (a price, no ping) bids its price on the lead, whatever its name', () => {
    const p = planOf(`
lead { id: string  score: int }
buyer __proto__ { price $1 * score }
buyer constructor { price $7 }
buyer P { ${ping('P')} bid price "amount" }
flow main { auction { P, __proto__, constructor } }
`);
    const r = new Router(p, { store: new TestStore(), trace: true });
    const d = r.route(lead({ id: 'f1', score: 12 }), { now: NOW });
    expect(d.auction!.tiers).toEqual([{ buyers: ['P', '__proto__', 'constructor'], floor: null }]);
    expect(Object.entries(d.auction!.fixedPrices!)).toEqual([
      ['__proto__', 12],
      ['constructor', 7],
    ]);
    expect(fixedPriceOf(d.auction!, '__proto__')).toBe(12);
    expect(fixedPriceOf(d.auction!, 'P')).toBeUndefined();
    // As the journal keeps it: JSON, read back with both keys its own.
    const kept = (JSON.parse(JSON.stringify(d.auction)) as typeof d.auction)!;
    expect([fixedPriceOf(kept, '__proto__'), fixedPriceOf(kept, 'constructor'), fixedPriceOf(kept, 'P')]).toEqual([12, 7, undefined]);
    expect(messages(d)).toContain('auction for tier 1: P, __proto__ (fixed price $12.00, not pinged), constructor (fixed price $7.00, not pinged); timeout 750ms');
    // No fixed-price buyer in the tiers: no fixedPrices at all (plan goldens and journals unchanged).
    expect(new Router(plan(), { store: new TestStore() }).route(lead({ id: 'f2', credit_score: 720 }), { now: NOW }).auction).not.toHaveProperty('fixedPrices');
  });

  it('evaluate() runs plan expressions with a bid context', () => {
    const r = new Router(plan(), { store: new TestStore() });
    expect(r.evaluate(RANK, { bid: { price: 21 } })).toBe(42);
    expect(r.evaluate(RANK, {})).toBeUndefined();
    expect(r.evaluate(cmp('>=', f('bid.price'), f('credit_score')), { bid: { price: 700 }, lead: { credit_score: 650 } })).toBe(true);
    expect(r.evaluate(f('buyer.acceptance'), { vars: { buyer: { acceptance: 0.8 } } })).toBe(0.8);
    expect(r.loaded.buyers.map((b) => b.name)).toEqual(['A', 'B', 'C', 'D', 'Z']);
  });
});

describe('property: caps are never exceeded under any interleaving of routes and commits', () => {
  const capPlan = () =>
    withAuctionFloor(`
buyer A { price $40  cap 3/hour  ${ping('A')} }
buyer B { price $30  cap 2/hour, $100/hour  ${ping('B')} }
buyer C { price $20  cap 4/day  ${ping('C')} }
flow main {
  when random <= 50 auction { A, B, C } ${AUCTION_OPTIONS}
  when random <= 80 route A cap 2/hour overflow B
  waterfall { C; B; A }
}
`);
  const LIMITS = { A: 3, B: 2, C: 4 } as const;

  type Op = { kind: 'route'; id: number } | { kind: 'commit'; pick: number; winners: number; prices: number[] };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('route' as const), id: fc.nat(10_000) }),
    fc.record({
      kind: fc.constant('commit' as const),
      pick: fc.nat(),
      winners: fc.integer({ min: 0, max: 7 }),
      prices: fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 3, maxLength: 3 }),
    }),
  );

  it('holds', () => {
    const loaded = loadPlan(capPlan());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const r = new Router(loaded, { store: new TestStore(), journal: false });
        const pending: Decision[] = [];
        const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
        let dollarsB = 0;
        const tally = (buyers: SoldTo[]) => {
          for (const b of buyers) {
            counts[b.name]!++;
            if (b.name === 'B') dollarsB += b.price;
          }
        };
        ops.forEach((o, i) => {
          const now = NOW + i * 1000; // all within one hour
          if (o.kind === 'route') {
            const d = r.route(lead({ id: `p${o.id}-${i}` }), { now });
            if (d.status === 'auction') pending.push(d);
            else tally(d.buyers);
          } else if (pending.length > 0) {
            const d = pending.splice(o.pick % pending.length, 1)[0]!;
            const offered = d.auction!.tiers[0]!.buyers;
            const sold = offered.filter((_, k) => (o.winners >> k) & 1).map((name, k) => ({ name, price: o.prices[k]! }));
            tally(r.commit(d, sold, { now }).buyers);
          }
          for (const [b, limit] of Object.entries(LIMITS)) if (counts[b]! > limit) throw new Error(`${b} took ${counts[b]} > ${limit}`);
          if (dollarsB > 100 + 1e-9) throw new Error(`B took $${dollarsB} > $100`);
        });
      }),
      { numRuns: 300 },
    );
  });
});
