// Fixed-price buyers in auction tiers (a `price`, no `ping`): not pinged, their
// price on the lead is their bid, and from there the same floor, ranking,
// shared/exclusive and post-with-fallback rules as pinged bids. Real HTTP on
// 127.0.0.1: two pinged buyers and one fixed-price buyer per tier.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import type { Plan } from '../../src/models/plan.js';
import { accept, bid, lead, noBid, reject, routerFor, Servers, type Reply, type TestServer } from './helpers.js';
import { auction, httpBuyer, ping, post, sellPlan, type AuctionText } from './rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

/** A buyer server: /ping answers with `onPing()`, /post with `onPost()` (read at each request). */
function buyerServer(onPing: () => Reply, onPost: () => Reply = () => accept): Promise<TestServer> {
  return servers.start((req) => {
    if (req.url.startsWith('/ping')) return onPing();
    if (req.url.startsWith('/post')) return onPost();
    return { status: 404 };
  });
}

function seller(plan: Plan) {
  const journal = new MemoryJournal();
  const s = new Seller(routerFor(plan), { journal });
  sellers.push(s);
  return { seller: s, journal };
}

const pings = (s: TestServer) => s.received.filter((r) => r.url.startsWith('/ping'));
const posts = (s: TestServer) => s.received.filter((r) => r.url.startsWith('/post'));

interface Market {
  a: TestServer;
  b: TestServer;
  f: TestServer;
  /** What each server answers next; change them between sales. */
  answers: { a: Reply; b: Reply; aPost: Reply; bPost: Reply; fPost: Reply };
}

/** Pinged buyers A and B, and F, who bids `fPrice` (rule text) without a ping. */
async function market(fPrice: string, action: (names: string[]) => AuctionText, fClauses: string[] = []): Promise<Market & { plan: Plan }> {
  const answers: Market['answers'] = { a: bid(20), b: bid(25), aPost: accept, bPost: accept, fPost: accept };
  const a = await buyerServer(() => answers.a, () => answers.aPost);
  const b = await buyerServer(() => answers.b, () => answers.bPost);
  const f = await buyerServer(() => ({ status: 500 }), () => answers.fPost);
  const plan = sellPlan(
    [
      httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) }),
      httpBuyer('B', { ping: ping(`${b.url}/ping`), post: post(`${b.url}/post`) }),
      httpBuyer('F', { post: post(`${f.url}/post`), clauses: [`price ${fPrice}`, ...fClauses] }),
    ],
    auction(action(['A', 'B', 'F'])),
  );
  return { a, b, f, answers, plan };
}

const oneTier = (names: string[]): AuctionText => ({ tiers: [{ buyers: names }] });
const fates = (sale: Awaited<ReturnType<Seller['sell']>>) => Object.fromEntries(sale.auction!.bids.map((x) => [x.buyer, x.fate]));

describe('fixed-price buyers in an auction', () => {
  it('wins when its price is the highest bid: not pinged, posted the lead at its price', async () => {
    const m = await market('$30', oneTier);
    const { seller: s, journal } = seller(m.plan);
    const sale = await s.sell(lead(), { trace: true });
    expect(sale.decision.buyers).toEqual([{ name: 'F', price: 30 }]);
    expect(sale.decision.exclusive).toBe(true);
    expect(fates(sale)).toEqual({ A: 'outbid', B: 'outbid', F: 'sold' });
    const f = sale.auction!.bids.find((x) => x.buyer === 'F')!;
    expect(f).toMatchObject({ source: 'fixed', outcome: 'bid', price: 30, pingId: '', exclusive: false, reason: 'fixed price $30.00: no ping sent' });
    // F's server got the post and nothing else; A and B were pinged, not posted.
    expect(pings(m.f)).toHaveLength(0);
    expect(posts(m.f)).toHaveLength(1);
    const body = JSON.parse(posts(m.f)[0]!.body) as Record<string, unknown>;
    expect(body.price).toBe(30);
    expect((body.lead as Record<string, unknown>).email).toBe('jane.doe@example.com');
    expect([pings(m.a).length, pings(m.b).length, posts(m.a).length, posts(m.b).length]).toEqual([1, 1, 0, 0]);
    // The journal has pings for A and B only, and F's post.
    expect(journal.attempts({ kind: 'ping' }).map((r) => r.buyer).sort()).toEqual(['A', 'B']);
    expect(journal.attempts({ buyer: 'F' }).map((r) => [r.kind, r.outcome])).toEqual([['post', 'accepted']]);
    // The router's trace says F bids a fixed price and is not pinged.
    const note = sale.decision.trace.find((t) => t.code === 'Auction')!;
    expect(note.message).toContain('tier 1: A, B, F (fixed price $30.00, not pinged)');
  });

  it('loses when its price is lower than a pinged bid: outbid, never posted', async () => {
    const m = await market('$30', oneTier);
    m.answers.a = bid(40);
    const { seller: s } = seller(m.plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'A', price: 40 }]);
    expect(fates(sale)).toEqual({ A: 'sold', B: 'outbid', F: 'outbid' });
    expect(m.f.received).toHaveLength(0);
  });

  it('is floored out below the floor, as a pinged bid is', async () => {
    const m = await market('$30', (names) => ({ tiers: [{ buyers: names, floor: '$35' }] }));
    m.answers.a = bid(40);
    const { seller: s } = seller(m.plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'A', price: 40 }]);
    expect(fates(sale)).toMatchObject({ B: 'below-floor', F: 'below-floor' });
    expect(sale.auction!.bids.find((x) => x.buyer === 'F')!.reason).toBe('bid $30.00 is below the floor $35.00');

    // Nothing at the floor: no sale, nothing posted, and the reason counts F's bid.
    m.answers.a = noBid;
    const none = await s.sell(lead());
    expect(none.decision.status).toBe('unrouted');
    expect(none.decision.reason).toBe('auction: tier 1: no acceptable bid (2 bids, 2 below the floor $35.00)');
    expect(m.f.received).toHaveLength(0);
  });

  it('when its post is rejected, the next bid is posted to', async () => {
    const m = await market('$50', oneTier);
    m.answers.a = bid(40);
    m.answers.fPost = reject;
    const { seller: s } = seller(m.plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'A', price: 40 }]);
    expect(fates(sale)).toEqual({ A: 'sold', B: 'outbid', F: 'post-rejected' });
    expect(sale.deliveries.map((d) => [d.buyer, d.status])).toEqual([
      ['F', 'rejected'],
      ['A', 'accepted'],
    ]);
    expect(posts(m.f)).toHaveLength(1);
    expect(posts(m.a)).toHaveLength(1);
  });

  it('shares a shared sale with the pinged bids: non-exclusive, among the best `shared max`', async () => {
    const m = await market('$30', (names) => ({ tiers: [{ buyers: names }], shared: 2 }));
    m.answers.a = bid(40);
    const { seller: s } = seller(m.plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers.map((x) => [x.name, x.price]).sort()).toEqual([
      ['A', 40],
      ['F', 30],
    ]);
    expect(sale.decision.exclusive).toBe(false);
    expect(fates(sale)).toEqual({ A: 'sold', B: 'outbid', F: 'sold' });
  });

  it('is ranked by `rank by` as a pinged bid is, its posts counting in its acceptance', async () => {
    const m = await market('$30', (names) => ({ tiers: [{ buyers: names }], rank: 'bid.price * buyer.acceptance' }));
    m.answers.a = bid(50);
    const { seller: s } = seller(m.plan);
    Object.assign(s.stats.get('A'), { posts: 10, accepted: 2 }); // (2+1)/12 = 0.25 → 12.5
    Object.assign(s.stats.get('B'), { posts: 10, accepted: 2 }); // 25 × 0.25 → 6.25
    Object.assign(s.stats.get('F'), { posts: 10, accepted: 9 }); // (9+1)/12 = 0.83 → 25
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'F', price: 30 }]);
    expect(sale.auction!.bids.find((x) => x.buyer === 'F')!.score).toBeCloseTo(25, 5);
    expect(s.stats.get('F')).toMatchObject({ posts: 11, accepted: 10, pings: 0 });
  });

  it('an exclusive pinged bid at the exclusive minimum comes first, whatever the fixed price (a fixed price is never exclusive)', async () => {
    const m = await market('$60', (names) => ({ tiers: [{ buyers: names }], exclusiveMin: '$40', shared: 3 }));
    m.answers.a = bid(45, { exclusive: true });
    const { seller: s } = seller(m.plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'A', price: 45 }]);
    expect(sale.decision.exclusive).toBe(true);
    expect(m.f.received).toHaveLength(0);
  });

  it('its price is worked out on the lead, as for any sale; an invalid one keeps it out of the auction', async () => {
    // $0.10 per credit point, less $50: negative below a score of 500.
    const m = await market('$0.10 * credit_score - $50', oneTier);
    const { seller: s } = seller(m.plan);
    const high = await s.sell(lead({ credit_score: 800 }));
    expect(high.decision.buyers).toEqual([{ name: 'F', price: 30 }]);
    const low = await s.sell(lead({ credit_score: 400 }), { trace: true });
    expect(low.auction!.bids.map((x) => x.buyer)).toEqual(['A', 'B']);
    expect(low.decision.buyers).toEqual([{ name: 'B', price: 25 }]);
    const skipped = low.decision.trace.find((t) => t.code === 'PriceInvalid')!;
    expect(skipped).toMatchObject({ buyer: 'F', message: 'F skipped: its price -10 is negative' });
    expect(posts(m.f)).toHaveLength(1);
  });

  it('a fixed-price buyer whose cap is full is not in the auction', async () => {
    const m = await market('$50', oneTier, ['cap 1/day']);
    const { seller: s } = seller(m.plan);
    const now = Date.parse('2026-03-10T15:00:00Z');
    const first = await s.sell(lead(), { now });
    expect(first.decision.buyers).toEqual([{ name: 'F', price: 50 }]);
    const second = await s.sell(lead(), { now: now + 1000, trace: true });
    expect(second.auction!.bids.map((x) => x.buyer)).toEqual(['A', 'B']);
    expect(second.decision.buyers).toEqual([{ name: 'B', price: 25 }]);
    expect(second.decision.trace.some((t) => t.code === 'CapExceeded' && t.buyer === 'F')).toBe(true);
    expect(posts(m.f)).toHaveLength(1);
  });

  it('in a later tier it bids only when the earlier tiers sold nothing', async () => {
    const m = await market('$30', () => ({ tiers: [{ buyers: ['A', 'B'], floor: '$45' }, { buyers: ['F'] }] }));
    const { seller: s } = seller(m.plan);
    const sale = await s.sell(lead());
    expect(sale.auction!.tiersPinged).toEqual([1, 2]);
    expect(sale.decision.buyers).toEqual([{ name: 'F', price: 30 }]);
    m.answers.a = bid(50);
    const sale2 = await s.sell(lead());
    expect(sale2.auction!.tiersPinged).toEqual([1]);
    expect(sale2.decision.buyers).toEqual([{ name: 'A', price: 50 }]);
    expect(posts(m.f)).toHaveLength(1);
  });

  it('property: the winner is the highest bid at or above the floor, fixed or pinged', async () => {
    // F's price is $1 per 10 credit points, so each lead sets it; A and B answer the drawn bids.
    const m = await market('$0.10 * credit_score', (names) => ({ tiers: [{ buyers: names, floor: '$20' }] }));
    const { seller: s } = seller(m.plan);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 80 }), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        async ([a, b, f], bDeclines) => {
          m.answers.a = bid(a);
          m.answers.b = bDeclines ? noBid : bid(b);
          const offers: [string, number][] = [['A', a!], ['F', f!]];
          if (!bDeclines) offers.push(['B', b!]);
          const eligible = offers.filter(([, price]) => price >= 20).sort((x, y) => y[1] - x[1]);
          const sale = await s.sell(lead({ credit_score: f! * 10 }));
          if (eligible.length === 0) expect(sale.decision.status).toBe('unrouted');
          else expect(sale.decision.buyers).toEqual([{ name: eligible[0]![0], price: eligible[0]![1] }]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
