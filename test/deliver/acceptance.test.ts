// A post with no accept rule takes any 2xx answer as a sale; the journal and
// the delivery record say it was assumed, so a report can tell such sales from
// those the buyer's answer confirmed (issue 14, safe acceptance). Real buyers
// on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../src/adapters/index.js';
import { Seller } from '../../src/auction/index.js';
import { ASSUMED_ACCEPTED } from '../../src/deliver/post.js';
import { Router } from '../../src/runtime/index.js';
import { accept, lead, Servers } from '../auction/helpers.js';
import { httpBuyer, post, sellPlan } from '../auction/rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

async function sellTo(accepted: boolean) {
  const srv = await servers.start(() => accept);
  const plan = sellPlan([httpBuyer('B', { price: 20, post: post(`${srv.url}/post`, { accepted }) })], 'route B');
  const journal = new MemoryJournal();
  const seller = new Seller(new Router(plan), { journal });
  sellers.push(seller);
  const sale = await seller.sell(lead());
  return { delivery: sale.deliveries[0]!, attempts: journal.attempts({ kind: 'post' }) };
}

describe('accepting a post', () => {
  it('without an accept rule, a 2xx is a sale recorded as assumed', async () => {
    const { delivery, attempts } = await sellTo(false);
    expect(delivery.status).toBe('accepted');
    expect(delivery.detail).toBe('assumed accepted (HTTP 2xx)');
    expect(attempts.map((a) => [a.outcome, a.detail])).toEqual([['accepted', ASSUMED_ACCEPTED]]);
  });

  it('with one, the answer confirmed it and nothing is assumed', async () => {
    const { delivery, attempts } = await sellTo(true);
    expect(delivery.status).toBe('accepted');
    expect(delivery.detail).toBeNull();
    expect(attempts.map((a) => [a.outcome, a.detail])).toEqual([['accepted', null]]);
  });
});
