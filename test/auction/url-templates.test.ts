// Ping and post URLs may hold `{{…}}` in their path and query, filled in and
// URL-encoded when the request is made, and checked like a pixel URL: the host
// is fixed, and no personal data goes in a ping URL (issue 14: `{{lead.zip}}`
// in a ping URL passed check and was sent literally). Real buyers on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { compile } from '../../src/compile/index.js';
import { Router } from '../../src/runtime/index.js';
import { accept, bid, lead, Servers } from './helpers.js';
import { auction, httpBuyer, post, sellPlan, SELL_LEAD } from './rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

const BID = 'bid accepted "status" == "accepted", price "bid.amount"';

describe('placeholders in ping and post URLs', () => {
  it('are filled in and URL-encoded when the ping and the post are sent', async () => {
    const srv = await servers.start((req) => (req.url.startsWith('/ping') ? bid(11) : accept));
    const plan = sellPlan(
      [
        httpBuyer('B', {
          ping: `ping "${srv.url}/ping/{{lead.state}}?zip={{lead.zip}}" timeout 2s fields state\n  ${BID}`,
          post: post(`${srv.url}/post/{{lead.state}}?ref={{ping.id}}&n={{lead.first_name}}`),
        }),
      ],
      auction({ tiers: [{ buyers: ['B'] }] }),
    );
    const seller = new Seller(new Router(plan));
    sellers.push(seller);
    const sale = await seller.sell(lead({ first_name: 'Zoë & Co' }));
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 11 }]);
    const pinged = srv.received.find((r) => r.url.startsWith('/ping'))!;
    const pingUrl = new URL(pinged.url, srv.url);
    expect(pingUrl.pathname).toBe('/ping/CA');
    expect(pingUrl.searchParams.get('zip')).toBe('94107');
    const pingId = (JSON.parse(pinged.body) as { ping_id: string }).ping_id;
    expect(pingId).toMatch(/.+/);
    const posted = new URL(srv.received.find((r) => r.url.startsWith('/post'))!.url, srv.url);
    expect(posted.pathname).toBe('/post/CA');
    expect(posted.searchParams.get('ref')).toBe(pingId);
    expect(posted.searchParams.get('n')).toBe('Zoë & Co'); // a post carries the lead, encoded
  });
});

describe('checked like a pixel URL', () => {
  const rules = (pingUrl: string) =>
    compile(`${SELL_LEAD}\nbuyer B {\n  ping "${pingUrl}" fields state\n  ${BID}\n  post "http://127.0.0.1:9/post" accepted "ok" == true }\nflow main { auction { B } }\n`);
  const found = (r: ReturnType<typeof compile>) => r.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`);

  it('personal data in a ping URL is LR708 at the variable', () => {
    const r = rules('http://127.0.0.1:9/ping?e={{lead.email}}');
    expect(found(r)).toEqual(['LR708@13:37']);
    expect(r.plan).toBeNull();
  });

  it('a host from lead data is LR700; an unknown field is LR706', () => {
    expect(found(rules('http://{{lead.state}}.example/ping'))).toEqual(['LR700@13:8']);
    expect(found(rules('http://127.0.0.1:9/ping?z={{lead.zipp}}'))).toEqual(['LR706@13:37']);
  });

  it('a plan edited to put personal data in a ping URL is refused on load', () => {
    const r = rules('http://127.0.0.1:9/ping?z={{lead.zip}}');
    expect(found(r)).toEqual([]);
    const plan = structuredClone(r.plan!);
    plan.buyers[0]!.ping!.url = 'http://127.0.0.1:9/ping?e={{lead.email}}';
    expect(() => new Router(plan)).toThrow(/buyers\/0\/ping\/url: the ping template reads personal data: lead\.email/);
  });
});

describe('HTTP methods', () => {
  it('a GET ping sends its fields and ping id in the query and no body; a PUT post sends its body with PUT', async () => {
    const srv = await servers.start((req) => (req.url.startsWith('/ping') ? bid(9) : accept));
    const plan = sellPlan(
      [
        httpBuyer('B', {
          ping: `ping GET "${srv.url}/ping?src=lr" timeout 2s fields state, zip3\n  ${BID}`,
          post: post(`${srv.url}/post`).replace('post "', 'post PUT "'),
        }),
      ],
      auction({ tiers: [{ buyers: ['B'] }] }),
    );
    expect(plan.buyers[0]!.ping!.method).toBe('GET');
    const seller = new Seller(new Router(plan));
    sellers.push(seller);
    const sale = await seller.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 9 }]);
    const pinged = srv.received.find((r) => r.url.startsWith('/ping'))!;
    expect(pinged.method).toBe('GET');
    expect(pinged.body).toBe('');
    const q = new URL(pinged.url, srv.url).searchParams;
    expect([q.get('src'), q.get('state'), q.get('zip3')]).toEqual(['lr', 'CA', '941']);
    expect(q.get('ping_id')).toMatch(/.+/);
    const posted = srv.received.find((r) => r.url.startsWith('/post'))!;
    expect(posted.method).toBe('PUT');
    expect(JSON.parse(posted.body)).toMatchObject({ lead: { state: 'CA' } });
  });

  it('a plan without a method is unchanged (POST is not written out)', () => {
    const plan = sellPlan([httpBuyer('B', { ping: `ping "http://127.0.0.1:9/ping" fields state\n  ${BID}`, post: post('http://127.0.0.1:9/post') })], auction({ tiers: [{ buyers: ['B'] }] }));
    expect('method' in plan.buyers[0]!.ping!).toBe(false);
    expect('method' in plan.buyers[0]!.post!).toBe(false);
  });
});
