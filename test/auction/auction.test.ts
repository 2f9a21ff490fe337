import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { runAuction } from '../../src/auction/auction.js';
import { BuyerStats } from '../../src/auction/rank.js';
import { Breakers, HttpClient, Poster, TemplateSet, type Journal } from '../../src/deliver/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import type { Plan } from '../../src/models/plan.js';
import { accept, bid, f, lead, lit, noBid, reject, routerFor, Servers, type Reply, type TestServer } from './helpers.js';
import { auction, httpBuyer, ping, post, sellPlan } from './rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

/** A buyer server: /ping answers with `onPing`, /post with `onPost`. */
async function buyerServer(onPing: Reply | ((n: number) => Reply), onPost: Reply | ((n: number) => Reply) = accept): Promise<TestServer> {
  let pings = 0;
  let posts = 0;
  return servers.start((req) => {
    if (req.url.startsWith('/ping')) return typeof onPing === 'function' ? onPing(++pings) : onPing;
    if (req.url.startsWith('/post')) return typeof onPost === 'function' ? onPost(++posts) : onPost;
    return { status: 404 };
  });
}

function seller(plan: Plan, journal = new MemoryJournal()) {
  const s = new Seller(routerFor(plan), { journal });
  sellers.push(s);
  return { seller: s, journal };
}

const pings = (s: TestServer) => s.received.filter((r) => r.url.startsWith('/ping'));
const posts = (s: TestServer) => s.received.filter((r) => r.url.startsWith('/post'));

describe('auction: pinging', () => {
  it('a hanging buyer costs only its timeout; the others still win', async () => {
    const hang = await buyerServer('hang');
    const good = await buyerServer(bid(30));
    const plan = sellPlan(
      [
        httpBuyer('Hang', { ping: ping(`${hang.url}/ping`, { timeout: '150ms' }), post: post(`${hang.url}/post`) }),
        httpBuyer('Good', { ping: ping(`${good.url}/ping`), post: post(`${good.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['Hang', 'Good'] }], timeout: '5s' }),
    );
    const { seller: s } = seller(plan);
    const t0 = Date.now();
    const sale = await s.sell(lead());
    const elapsed = Date.now() - t0;
    expect(sale.decision.status).toBe('routed');
    expect(sale.decision.buyers).toEqual([{ name: 'Good', price: 30 }]);
    const h = sale.auction!.bids.find((b) => b.buyer === 'Hang')!;
    expect(h.outcome).toBe('timeout');
    expect(h.reason).toMatch(/no answer within 150ms .*discarded/);
    // generous: the 5 s auction timeout was not waited for
    expect(elapsed).toBeLessThan(4000);
  });

  it('the auction timeout bounds the whole tier, whatever the buyers\' own timeouts', async () => {
    const slow = await buyerServer({ ...(bid(99) as object), delayMs: 6000 } as Reply);
    const fast = await buyerServer(bid(20));
    const plan = sellPlan(
      [
        httpBuyer('Slow', { ping: ping(`${slow.url}/ping`, { timeout: '10s' }), post: post(`${slow.url}/post`) }),
        httpBuyer('Fast', { ping: ping(`${fast.url}/ping`, { timeout: '10s' }), post: post(`${fast.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['Slow', 'Fast'] }], timeout: '200ms' }),
    );
    const { seller: s, journal } = seller(plan);
    const t0 = Date.now();
    const sale = await s.sell(lead());
    expect(Date.now() - t0).toBeLessThan(4000); // not the slow buyer's 6 s
    expect(sale.decision.buyers.map((b) => b.name)).toEqual(['Fast']);
    const slowBid = sale.auction!.bids.find((b) => b.buyer === 'Slow')!;
    expect(slowBid.outcome).toBe('timeout');
    expect(slowBid.reason).toMatch(/auction timeout/);
    expect(journal.attempts({ buyer: 'Slow', kind: 'ping' })[0]!.outcome).toBe('timeout');
  });

  it('500s, connection resets, garbage JSON, negative and non-numeric prices are discarded with reasons; every answer is kept', async () => {
    const replies: Record<string, Reply> = {
      E500: { status: 500, body: 'oops' },
      Reset: 'reset',
      Garbage: { body: '{"status": "accepted", "bid": {"amount": 4', headers: { 'content-type': 'application/json' } },
      Negative: bid(-5),
      Text: bid('lots'),
      Huge: bid(1e9),
      Declines: noBid,
      Good: bid(12.5),
    };
    const buyers = [];
    for (const [name, reply] of Object.entries(replies)) {
      const srv = await buyerServer(reply);
      buyers.push(httpBuyer(name, { ping: ping(`${srv.url}/ping`), post: post(`${srv.url}/post`) }));
    }
    const plan = sellPlan(buyers, auction({ tiers: [{ buyers: Object.keys(replies) }] }));
    const { seller: s, journal } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'Good', price: 12.5 }]);
    const by = Object.fromEntries(sale.auction!.bids.map((b) => [b.buyer, b]));
    expect(Object.keys(by).sort()).toEqual(Object.keys(replies).sort());
    expect(by.E500).toMatchObject({ outcome: 'error', reason: 'HTTP 500', httpStatus: 500 });
    expect(by.Reset!.outcome).toBe('error');
    expect(by.Reset!.reason).toMatch(/reset|closed/);
    expect(by.Garbage).toMatchObject({ outcome: 'invalid', reason: 'answer is not JSON' });
    expect(by.Negative!.outcome).toBe('invalid');
    expect(by.Negative!.reason).toMatch(/negative/);
    expect(by.Text!.outcome).toBe('invalid');
    expect(by.Text!.reason).toMatch(/not a number/);
    expect(by.Huge!.reason).toMatch(/ceiling/);
    expect(by.Declines).toMatchObject({ outcome: 'no-bid' });
    expect(by.Good).toMatchObject({ outcome: 'bid', price: 12.5, fate: 'sold' });
    // the journal has one ping row a buyer, with the same outcomes
    const rows = journal.attempts({ kind: 'ping' });
    expect(rows).toHaveLength(8);
    expect(rows.find((r) => r.buyer === 'Negative')!.outcome).toBe('invalid');
  });

  it('reuses one keep-alive connection per origin across auctions', async () => {
    const srv = await buyerServer(bid(10));
    const plan = sellPlan([httpBuyer('A', { ping: ping(`${srv.url}/ping`), post: post(`${srv.url}/post`) })], auction({ tiers: [{ buyers: ['A'] }] }));
    const { seller: s } = seller(plan);
    for (let i = 0; i < 20; i++) expect((await s.sell(lead())).decision.status).toBe('routed');
    expect(srv.received).toHaveLength(40);
    // 40 requests over one or two connections (a post can start while the ping's
    // connection is still being handed back to the pool)
    expect(srv.connections).toBeLessThanOrEqual(2);
    expect(s.http.poolCount).toBe(1);
  });
});

describe('seller basics', () => {
  it('sends through a caller-supplied undici dispatcher', async () => {
    const srv = await buyerServer(bid(10));
    const plan = sellPlan([httpBuyer('A', { ping: ping(`${srv.url}/ping`), post: post(`${srv.url}/post`) })], auction({ tiers: [{ buyers: ['A'] }] }));
    const agent = new Agent({ keepAliveTimeout: 1000 });
    const s = new Seller(routerFor(plan), { dispatcher: agent });
    sellers.push(s);
    expect((await s.sell(lead())).decision.status).toBe('routed');
    expect(s.http.poolCount).toBe(0);
    await s.close();
    await agent.close();
  });

  it('an auction winner without a post endpoint is sold without HTTP', async () => {
    const srv = await buyerServer((n) => bid(10 + n));
    const plan = sellPlan([httpBuyer('A', { ping: ping(`${srv.url}/ping?a`) }), httpBuyer('B', { ping: ping(`${srv.url}/ping?b`) })], auction({ tiers: [{ buyers: ['A', 'B'] }] }));
    const s = new Seller(routerFor(plan));
    sellers.push(s);
    const sale = await s.sell(lead());
    expect(sale.decision.status).toBe('routed');
    expect(sale.deliveries).toHaveLength(1);
    expect(sale.deliveries[0]).toMatchObject({ status: 'none', detail: 'no post endpoint: sold without HTTP', attempts: [] });
    expect(srv.received.map((r) => r.url.split('?')[0])).toEqual(['/ping', '/ping']); // two pings, no post
  });

  it('a failing journal does not fail the sale', async () => {
    const srv = await buyerServer(bid(10));
    const plan = sellPlan([httpBuyer('A', { ping: ping(`${srv.url}/ping`), post: post(`${srv.url}/post`) })], auction({ tiers: [{ buyers: ['A'] }] }));
    const broken = { recordAttempt: () => { throw new Error('database is locked'); }, attempts: () => [] };
    const s = new Seller(routerFor(plan), { journal: broken });
    sellers.push(s);
    expect((await s.sell(lead())).decision.status).toBe('routed');
    expect(s.journalErrors).toBe(2);
    expect(s.lastJournalError!.message).toBe('database is locked');
  });

  it('a ping that fails inside leadroute is recorded as an error, and the auction goes on without it', async () => {
    const srv = await buyerServer(bid(10));
    const plan = sellPlan(
      [httpBuyer('A', { ping: ping(`${srv.url}/ping?a`) }), httpBuyer('B', { ping: ping(`${srv.url}/ping?b`) })],
      auction({ tiers: [{ buyers: ['A', 'B'] }] }),
    );
    const decision = routerFor(plan).route(lead());
    // A journal that breaks on A's ping only: runAuction's callers guard theirs, this one is bare.
    const journal: Journal = { recordAttempt: (a) => { if (a.buyer === 'A') throw new Error('journal broke'); }, attempts: () => [] };
    const http = new HttpClient();
    const templates = TemplateSet.forPlan(plan);
    const breakers = new Breakers();
    try {
      const result = await runAuction(
        { plan, http, journal, templates, breakers, stats: new BuyerStats(), poster: new Poster({ http, journal, templates, breakers }) },
        { leadId: decision.leadId, lead: lead(), spec: decision.auction!, random: decision.random, routedAt: Date.now(), ageS: () => 0 },
      );
      const a = result.record.bids.find((b) => b.buyer === 'A')!;
      expect([a.outcome, a.reason]).toEqual(['error', 'internal error: journal broke']);
      expect(result.record.winners).toEqual(['B']);
    } finally {
      await http.destroy();
    }
  });

  it("runAuction's signal cuts off the pings in flight: a hanging buyer is recorded as aborted, not timed out", async () => {
    const hang = await buyerServer('hang');
    const plan = sellPlan([httpBuyer('Hang', { ping: ping(`${hang.url}/ping`, { timeout: '5s' }) })], auction({ tiers: [{ buyers: ['Hang'] }], timeout: '5s' }));
    const decision = routerFor(plan).route(lead());
    const journal = new MemoryJournal();
    const http = new HttpClient();
    const templates = TemplateSet.forPlan(plan);
    const breakers = new Breakers();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    try {
      const result = await runAuction(
        { plan, http, journal, templates, breakers, stats: new BuyerStats(), poster: new Poster({ http, journal, templates, breakers }), signal: stop.signal },
        { leadId: decision.leadId, lead: lead(), spec: decision.auction!, random: decision.random, routedAt: Date.now(), ageS: () => 0 },
      );
      const b = result.record.bids.find((x) => x.buyer === 'Hang')!;
      expect([b.outcome, b.reason]).toEqual(['error', 'request aborted']);
      expect(result.record.winners).toEqual([]);
    } finally {
      await http.destroy();
    }
  });

  it('an invalid lead is not sold and nothing is sent', async () => {
    const srv = await buyerServer(bid(10));
    const plan = sellPlan([httpBuyer('A', { ping: ping(`${srv.url}/ping`), post: post(`${srv.url}/post`) })], auction({ tiers: [{ buyers: ['A'] }] }));
    const { seller: s } = seller(plan);
    const sale = await s.sell({ id: 'bad' }); // no state
    expect(sale.decision.status).toBe('rejected');
    expect(sale).toMatchObject({ auction: null, deliveries: [] });
    expect(srv.received).toHaveLength(0);
    await s.close();
    await expect(s.sell(lead())).rejects.toThrow(/closed/);
  });
});

describe('auction: selection', () => {
  it('the highest bid wins; every bid is kept in the record with its fate', async () => {
    const a = await buyerServer(bid(20));
    const b = await buyerServer(bid(35, { ping_id: 'B-77' }));
    const c = await buyerServer(bid(25));
    const plan = sellPlan(
      [
        httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) }),
        httpBuyer('B', { ping: ping(`${b.url}/ping`), post: post(`${b.url}/post`) }),
        httpBuyer('C', { ping: ping(`${c.url}/ping`), post: post(`${c.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['A', 'B', 'C'] }] }),
    );
    const { seller: s } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 35 }]);
    expect(sale.decision.exclusive).toBe(true);
    expect(sale.auction!.winners).toEqual(['B']);
    expect(Object.fromEntries(sale.auction!.bids.map((x) => [x.buyer, x.fate]))).toEqual({ A: 'outbid', B: 'sold', C: 'outbid' });
    expect(sale.auction!.bids.find((x) => x.buyer === 'B')!.bidId).toBe('B-77');
    expect(posts(a)).toHaveLength(0);
    expect(posts(c)).toHaveLength(0);
    // the post carries the full lead, the ping id, a post id and the price
    const body = JSON.parse(posts(b)[0]!.body) as Record<string, unknown>;
    expect(body.price).toBe(35);
    expect((body.lead as Record<string, unknown>).email).toBe('jane.doe@example.com');
    // the post names the buyer's own id for its bid, which it expects back
    expect(body.ping_id).toBe('B-77');
    expect(typeof body.post_id).toBe('string');
    const pingBody = JSON.parse(pings(b)[0]!.body) as Record<string, unknown>;
    expect(pingBody.ping_id).toBe(sale.auction!.bids.find((x) => x.buyer === 'B')!.pingId);
  });

  it('a rejected post falls through to the next best bid; router.commit sells only what was accepted', async () => {
    const a = await buyerServer(bid(50), reject);
    const b = await buyerServer(bid(40), { status: 503 });
    const c = await buyerServer(bid(30), accept);
    const plan = sellPlan(
      [
        httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) }),
        httpBuyer('B', { ping: ping(`${b.url}/ping`), post: post(`${b.url}/post`) }),
        httpBuyer('C', { ping: ping(`${c.url}/ping`), post: post(`${c.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['A', 'B', 'C'] }] }),
    );
    const { seller: s } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'C', price: 30 }]);
    const fates = Object.fromEntries(sale.auction!.bids.map((x) => [x.buyer, x.fate]));
    expect(fates).toEqual({ A: 'post-rejected', B: 'post-failed', C: 'sold' });
    expect(sale.deliveries.map((d) => [d.buyer, d.status])).toEqual([
      ['A', 'rejected'],
      ['B', 'failed'],
      ['C', 'accepted'],
    ]);
    expect(sale.auction!.bids.find((x) => x.buyer === 'A')!.reason).toMatch(/result is "duplicate"/);
    expect(posts(a)).toHaveLength(1);
    expect(posts(c)).toHaveLength(1);
  });

  it('no acceptable bid: unrouted with the reason, nothing posted', async () => {
    const a = await buyerServer(noBid);
    const plan = sellPlan([httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) })], auction({ tiers: [{ buyers: ['A'] }] }));
    const { seller: s } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.decision.reason).toMatch(/auction: tier 1: no bids/);
    expect(posts(a)).toHaveLength(0);
  });

  it('floor: a bid below the auction floor (or the tier floor) is discarded', async () => {
    const a = await buyerServer(bid(45));
    const b = await buyerServer(bid(55));
    const c = await buyerServer(bid(60));
    const plan = sellPlan(
      [
        httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) }),
        httpBuyer('B', { ping: ping(`${b.url}/ping`), post: post(`${b.url}/post`, { accepted: false }) }),
        httpBuyer('C', { ping: ping(`${c.url}/ping`), post: post(`${c.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['A', 'B'], floor: '$50' }] }),
      { auctionFloor: lit(10) },
    );
    const { seller: s } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 55 }]);
    const a1 = sale.auction!.bids.find((x) => x.buyer === 'A')!;
    expect(a1.fate).toBe('below-floor');
    expect(a1.reason).toBe('bid $45.00 is below the floor $50.00');

    // the floor comes from an expression of the lead: $50 × credit_score / 700
    const plan2 = sellPlan(
      [httpBuyer('C', { ping: ping(`${c.url}/ping`), post: post(`${c.url}/post`) })],
      auction({ tiers: [{ buyers: ['C'] }] }),
      { auctionFloor: { op: 'arith', fn: '*', left: lit(50), right: { op: 'arith', fn: '/', left: f('credit_score'), right: lit(700) } } },
    );
    const { seller: s2 } = seller(plan2);
    expect((await s2.sell(lead({ credit_score: 700 }))).decision.buyers).toEqual([{ name: 'C', price: 60 }]);
    const high = await s2.sell(lead({ credit_score: 850 })); // floor 60.71
    expect(high.decision.status).toBe('unrouted');
    expect(high.auction!.bids[0]!.fate).toBe('below-floor');
  });

  it('bid conditions: the lead\'s state must be in the bid\'s states, and the lead no older than its max age', async () => {
    const tx = await buyerServer(bid(90, { states: ['TX', 'FL'] }));
    const fresh = await buyerServer(bid(80, { max_age: 60 }));
    const any = await buyerServer(bid(10));
    const plan = sellPlan(
      [
        httpBuyer('TexasOnly', { ping: ping(`${tx.url}/ping`), post: post(`${tx.url}/post`) }),
        httpBuyer('FreshOnly', { ping: ping(`${fresh.url}/ping`), post: post(`${fresh.url}/post`) }),
        httpBuyer('Any', { ping: ping(`${any.url}/ping`), post: post(`${any.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['TexasOnly', 'FreshOnly', 'Any'] }] }),
    );
    const { seller: s } = seller(plan);
    const now = Date.parse('2026-03-10T15:00:00Z');
    const old = await s.sell(lead({ state: 'CA', created_at: '2026-03-10T14:00:00Z' }), { now });
    expect(old.decision.buyers).toEqual([{ name: 'Any', price: 10 }]);
    const by = Object.fromEntries(old.auction!.bids.map((x) => [x.buyer, x]));
    expect(by.TexasOnly!.fate).toBe('condition');
    expect(by.TexasOnly!.reason).toMatch(/states TX, FL; the lead's state is CA/);
    expect(by.FreshOnly!.fate).toBe('condition');
    expect(by.FreshOnly!.reason).toMatch(/up to 60s old; the lead is 36\d\d\.\ds old/);

    const young = await s.sell(lead({ state: 'TX', created_at: '2026-03-10T14:59:50Z' }), { now });
    expect(young.decision.buyers).toEqual([{ name: 'TexasOnly', price: 90 }]);
    const freshOk = await s.sell(lead({ state: 'CA', created_at: '2026-03-10T14:59:50Z' }), { now });
    expect(freshOk.decision.buyers).toEqual([{ name: 'FreshOnly', price: 80 }]);
  });

  it('exclusive: an exclusive bid at or above the exclusive minimum wins outright', async () => {
    const ex = await buyerServer(bid(70, { exclusive: true }));
    const s1 = await buyerServer(bid(40));
    const s2 = await buyerServer(bid(35));
    const mk = (exPrice: number) =>
      sellPlan(
        [
          httpBuyer('Ex', { ping: ping(`${ex.url}/ping`), post: post(`${ex.url}/post`) }),
          httpBuyer('S1', { ping: ping(`${s1.url}/ping`), post: post(`${s1.url}/post`) }),
          httpBuyer('S2', { ping: ping(`${s2.url}/ping`), post: post(`${s2.url}/post`) }),
        ],
        auction({ tiers: [{ buyers: ['Ex', 'S1', 'S2'] }], exclusiveMin: `$${exPrice}`, shared: 3 }),
      );
    const { seller: s } = seller(mk(60));
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'Ex', price: 70 }]);
    expect(sale.decision.exclusive).toBe(true);
    expect(JSON.parse(posts(ex)[0]!.body).exclusive).toBe(true);
    expect(posts(s1)).toHaveLength(0);

    // with the minimum above the exclusive bid, the lead is shared among the others
    const { seller: t } = seller(mk(80));
    const shared = await t.sell(lead());
    expect(shared.decision.buyers).toEqual([
      { name: 'S1', price: 40 },
      { name: 'S2', price: 35 },
    ]);
    expect(shared.decision.exclusive).toBe(false);
    expect(shared.decision.price).toBe(75);
    expect(shared.auction!.bids.find((x) => x.buyer === 'Ex')!.fate).toBe('below-exclusive-min');
    expect(JSON.parse(posts(s1)[0]!.body).exclusive).toBe(false);
  });

  it('shared: the top K non-exclusive bids; a rejected share passes to the next bid', async () => {
    const prices = [50, 45, 40, 35, 30];
    const srvs: TestServer[] = [];
    for (const p of prices) srvs.push(await buyerServer(bid(p), p === 45 ? reject : accept));
    const names = prices.map((p) => `B${p}`);
    const plan = sellPlan(
      names.map((n, i) => httpBuyer(n, { ping: ping(`${srvs[i]!.url}/ping`), post: post(`${srvs[i]!.url}/post`) })),
      auction({ tiers: [{ buyers: names }], shared: 3 }),
    );
    const { seller: s } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.decision.buyers.map((b) => b.name).sort()).toEqual(['B35', 'B40', 'B50']);
    expect(sale.decision.exclusive).toBe(false);
    expect(posts(srvs[4]!)).toHaveLength(0); // B30 never posted
    expect(sale.auction!.bids.find((x) => x.buyer === 'B30')!.fate).toBe('outbid');
    expect(sale.auction!.bids.find((x) => x.buyer === 'B45')!.fate).toBe('post-rejected');
  });

  it('multi-tier: tier 2 is pinged only when tier 1 produced no acceptable bid', async () => {
    const t1 = await buyerServer(bid(20)); // below tier 1's floor
    const t2 = await buyerServer(bid(25));
    const plan = sellPlan(
      [
        httpBuyer('Premium', { ping: ping(`${t1.url}/ping`), post: post(`${t1.url}/post`) }),
        httpBuyer('Standard', { ping: ping(`${t2.url}/ping`), post: post(`${t2.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['Premium'], floor: '$40' }, { buyers: ['Standard'], floor: '$15' }] }),
    );
    const { seller: s } = seller(plan);
    const sale = await s.sell(lead());
    expect(sale.auction!.tiersPinged).toEqual([1, 2]);
    expect(sale.decision.buyers).toEqual([{ name: 'Standard', price: 25 }]);
    expect(pings(t1)).toHaveLength(1);
    expect(pings(t2)).toHaveLength(1);

    // a good tier-1 bid: tier 2 is never pinged
    t1.setHandler((req) => (req.url.startsWith('/ping') ? bid(60) : accept));
    const sale2 = await s.sell(lead());
    expect(sale2.auction!.tiersPinged).toEqual([1]);
    expect(sale2.decision.buyers).toEqual([{ name: 'Premium', price: 60 }]);
    expect(pings(t2)).toHaveLength(1);
  });

  it('rank by an expression of bid.price and buyer metrics', async () => {
    const a = await buyerServer(bid(50));
    const b = await buyerServer(bid(45));
    const plan = sellPlan(
      [
        httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) }),
        httpBuyer('B', { ping: ping(`${b.url}/ping`), post: post(`${b.url}/post`) }),
      ],
      auction({
        tiers: [{ buyers: ['A', 'B'] }],
        // price × acceptance: B's record is better
        rank: 'bid.price * buyer.acceptance',
      }),
    );
    const { seller: s } = seller(plan);
    Object.assign(s.stats.get('A'), { posts: 10, accepted: 2 }); // (2+1)/12 = 0.25 → 12.5
    Object.assign(s.stats.get('B'), { posts: 10, accepted: 9 }); // (9+1)/12 = 0.83 → 37.5
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 45 }]);
    expect(sale.auction!.bids.find((x) => x.buyer === 'B')!.score).toBeCloseTo(37.5, 5);
  });

  it('a buyer whose caps are full is not offered the lead by the router; caps are counted only at commit', async () => {
    const a = await buyerServer(bid(30));
    const plan = sellPlan(
      [httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`), cap: '1/day' })],
      auction({ tiers: [{ buyers: ['A'] }] }),
    );
    const { seller: s } = seller(plan);
    const now = Date.parse('2026-03-10T15:00:00Z');
    expect((await s.sell(lead(), { now })).decision.status).toBe('routed');
    const second = await s.sell(lead(), { now: now + 1000 });
    expect(second.decision.status).toBe('unrouted');
    expect(pings(a)).toHaveLength(1);
  });
});

describe('auction: metrics', () => {
  it('per buyer and per flow, from the journal', async () => {
    const a = await buyerServer((n) => (n % 2 ? bid(40) : noBid));
    const b = await buyerServer(bid(30), reject);
    const plan = sellPlan(
      [
        httpBuyer('A', { ping: ping(`${a.url}/ping`), post: post(`${a.url}/post`) }),
        httpBuyer('B', { ping: ping(`${b.url}/ping`), post: post(`${b.url}/post`) }),
      ],
      auction({ tiers: [{ buyers: ['A', 'B'] }] }),
    );
    const { seller: s } = seller(plan);
    for (let i = 0; i < 4; i++) await s.sell(lead());
    const m = s.metrics();
    const A = m.buyers.A!;
    expect(A.pings).toBe(4);
    expect(A.pingResponseRate).toBe(1);
    expect(A.bids).toBe(2);
    expect(A.bidRate).toBe(0.5);
    expect(A.avgBid).toBe(40);
    expect(A.winRate).toBe(1);
    expect(A.postAcceptRate).toBe(1);
    expect(A.revenue).toBe(80);
    expect(A.revenuePerPing).toBe(20);
    expect(A.pingTime.p50).not.toBeNull();
    const B = m.buyers.B!;
    expect(B.bids).toBe(4);
    expect(B.wins).toBe(2); // posted to when A did not bid
    expect(B.postAcceptRate).toBe(0);
    expect(B.revenue).toBe(0);
    expect(m.flows.main!.revenue).toBe(80);
    expect(m.flows.main!.leads).toBe(4);
    expect(m.flows.main!.revenuePerLead).toBe(20);
  });
});
