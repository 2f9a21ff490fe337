// An auction's winners are posted before the sale is recorded; a store that
// refuses the record (another process holds its lock past the wait) must
// neither lose the sale nor count it twice (issue 13: no crash loses a lead or
// breaks a cap). Real buyers on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/adapters/index.js';
import { Seller } from '../../src/auction/index.js';
import { Router } from '../../src/runtime/index.js';
import { accept, bid, lead, Servers } from '../auction/helpers.js';
import { auction, httpBuyer, ping, post, sellPlan } from '../auction/rules.js';

/** A store whose atomic() refuses its next `refusals` units after the first `pass` (the lead's routing unit). */
class RefusingStore extends MemoryStore {
  units = 0;
  constructor(
    private readonly pass: number,
    private refusals: number,
  ) {
    super();
  }
  atomic<T>(fn: () => T): T {
    if (++this.units > this.pass && this.refusals > 0) {
      this.refusals--;
      throw new Error('the store file is locked by another process');
    }
    return fn();
  }
}

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

async function sellOnce(store: RefusingStore) {
  const srv = await servers.start((req) => (req.url.startsWith('/ping') ? bid(12) : accept));
  const plan = sellPlan([httpBuyer('B', { ping: ping(`${srv.url}/ping`), post: post(`${srv.url}/post`), cap: '5/day' })], auction({ tiers: [{ buyers: ['B'] }] }));
  const router = new Router(plan, { store });
  const seller = new Seller(router);
  sellers.push(seller);
  return { sale: await seller.sell(lead(), { now: Date.parse('2026-11-23T15:00:00Z') }), srv, router };
}

describe('recording an auction sale after its posts', () => {
  it('a refusal is tried again: the sale is recorded once', async () => {
    const store = new RefusingStore(1, 2);
    const { sale, srv } = await sellOnce(store);
    expect(sale.commitError).toBeUndefined();
    expect(sale.decision.status).toBe('routed');
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 12 }]);
    expect(srv.received.filter((r) => r.url.startsWith('/post'))).toHaveLength(1);
    expect(store.events({ kind: 'sold' }).length).toBe(1);
  });

  it('a store that keeps refusing loses nothing: the sale resolves with the posts and says it was not recorded', async () => {
    const store = new RefusingStore(1, 100);
    const { sale } = await sellOnce(store);
    expect(sale.commitError).toBe('the store file is locked by another process');
    expect(sale.decision.reason).toBe('sold at auction but not recorded: the store file is locked by another process');
    expect(sale.deliveries.map((d) => [d.buyer, d.status])).toEqual([['B', 'accepted']]);
    expect(store.events({ kind: 'sold' }).length).toBe(0);
  });
});
