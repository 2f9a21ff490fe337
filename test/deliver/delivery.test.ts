import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/models/plan.js';
import { Seller, type Sale } from '../../src/auction/index.js';
import type { DeliveryRecord } from '../../src/deliver/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import { accept, httpBuyer as planBuyer, lead, makePlan, post as planPost, reject, routerFor, Servers, template as planTemplate, until, type Reply } from '../auction/helpers.js';
import { httpBuyer, post, sellPlan } from '../auction/rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leadroute-deliver-'));
});
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
  await rm(dir, { recursive: true, force: true });
});

const routeTo = (buyer: string): string => `route ${buyer}`;
const share = (buyers: string[], price = 10): string => `share max ${buyers.length} { ${buyers.map((b) => `${b} $${price}`).join(', ')} }`;

/** A seller over buyers and one rule, given as rule text (test/auction/rules.ts), or over a plan. */
function seller(buyers: string[] | Plan, action = '', opts: ConstructorParameters<typeof Seller>[1] = {}) {
  const journal = new MemoryJournal();
  const plan = Array.isArray(buyers) ? sellPlan(buyers, action) : buyers;
  const s = new Seller(routerFor(plan), { journal, baseDir: dir, ...opts });
  sellers.push(s);
  return { seller: s, journal };
}

/** Reply with each of `replies` in turn, then the last one forever. */
const sequence =
  (...replies: Reply[]) =>
  (_: unknown, n: number): Reply =>
    replies[Math.min(n, replies.length) - 1]!;

describe('plain delivery: posts', () => {
  it('retries with exponential backoff until accepted', async () => {
    const srv = await servers.start(sequence({ status: 503 }, 'reset', accept));
    const { seller: s, journal } = seller([httpBuyer('A', { price: 20, post: post(`${srv.url}/post`, { retries: 3, backoff: '60ms' }) })], routeTo('A'));
    const sale = await s.sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'A', price: 20 }]);
    const d = sale.deliveries[0]!;
    expect(d.status).toBe('accepted');
    expect(d.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'accepted']);
    expect(d.attempts[0]!.detail).toBe('HTTP 503');
    const [t1, t2, t3] = srv.received.map((r) => r.at);
    // waits of 60 ms then 120 ms (generous lower bounds; the second wait is the longer)
    expect(t2! - t1!).toBeGreaterThanOrEqual(50);
    expect(t3! - t2!).toBeGreaterThanOrEqual(100);
    // every attempt journalled; the idempotency key is the same on each
    expect(journal.attempts({ kind: 'post' }).map((a) => a.outcome)).toEqual(['error', 'error', 'accepted']);
    expect(new Set(srv.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(journal.attempts({ kind: 'post' })[2]!.price).toBe(20);
  });

  it('fails over to the backup endpoint when the primary is exhausted', async () => {
    const primary = await servers.start(() => ({ status: 500 }));
    const backup = await servers.start(() => accept);
    const { seller: s } = seller(
      [httpBuyer('A', { price: 20, post: post(`${primary.url}/post`, { retries: 1, backoff: '5ms' }), backupPost: post(`${backup.url}/leads`) })],
      routeTo('A'),
    );
    const d = (await s.sell(lead())).deliveries[0]!;
    expect(d.status).toBe('accepted');
    expect(d.endpoint).toBe('backup');
    expect(primary.received).toHaveLength(2);
    expect(backup.received).toHaveLength(1);
    expect(d.attempts.map((a) => `${a.endpoint}:${a.outcome}`)).toEqual(['primary:error', 'primary:error', 'backup:accepted']);
  });

  it('a rejection is final: no retry, no failover', async () => {
    const primary = await servers.start(() => reject);
    const backup = await servers.start(() => accept);
    const { seller: s } = seller(
      [httpBuyer('A', { price: 20, post: post(`${primary.url}/post`, { retries: 3 }), backupPost: post(`${backup.url}/leads`) })],
      routeTo('A'),
    );
    const d = (await s.sell(lead())).deliveries[0]!;
    expect(d.status).toBe('rejected');
    expect(d.detail).toBe('result is "duplicate", not "success"');
    expect(primary.received).toHaveLength(1);
    expect(backup.received).toHaveLength(0);
  });

  it('a timed-out post is retried', async () => {
    const srv = await servers.start(sequence('hang', accept));
    const { seller: s } = seller([httpBuyer('A', { price: 5, post: post(`${srv.url}/post`, { timeout: '100ms', retries: 1, backoff: '1ms' }) })], routeTo('A'));
    const d = (await s.sell(lead())).deliveries[0]!;
    expect(d.attempts.map((a) => a.outcome)).toEqual(['timeout', 'accepted']);
  });

  it('renders the buyer template (XML, form) and sends the matching content type', async () => {
    const srv = await servers.start(() => ({ status: 200, body: 'ok' }));
    // Hand-built: the checker refuses `post.id` in a post template (LR706); the renderer still fills it in.
    const xml = planTemplate('xml', '<lead id="{{lead.id}}"><name>{{lead.first_name}}</name><price>{{money sale.price}}</price><post>{{post.id}}</post></lead>');
    const form = planTemplate('form', 'name={{lead.first_name}}&email={{lead.email}}&price={{sale.price}}');
    const { seller: s } = seller(
      makePlan(
        [
          planBuyer('X', { price: 7, post: planPost(`${srv.url}/x`, { template: xml, accepted: null }) }),
          planBuyer('F', { price: 8, post: planPost(`${srv.url}/f`, { template: form, accepted: null }) }),
        ],
        { kind: 'share', max: 2, entries: ['X', 'F'].map((b) => ({ buyer: b, price: { op: 'lit', value: 9 } })) },
      ),
    );
    const sale = await s.sell(lead({ first_name: 'Ann <&> "Lee"', email: 'a+b@example.com' }));
    expect(sale.deliveries.map((d) => d.status)).toEqual(['accepted', 'accepted']);
    const x = srv.received.find((r) => r.url === '/x')!;
    expect(x.headers['content-type']).toMatch(/application\/xml/);
    expect(x.body).toContain('<name>Ann &lt;&amp;&gt; &quot;Lee&quot;</name><price>9.00</price>');
    expect(x.body).toContain(`<post>${sale.deliveries[0]!.postId}</post>`);
    const fm = srv.received.find((r) => r.url === '/f')!;
    expect(fm.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const params = new URLSearchParams(fm.body);
    expect(params.get('name')).toBe('Ann <&> "Lee"');
    expect(params.get('email')).toBe('a+b@example.com');
  });

  it('parallel delivery respects the concurrency limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const srv = await servers.start(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 60));
      inFlight--;
      return accept;
    });
    const names = ['A', 'B', 'C', 'D', 'E'];
    const { seller: s } = seller(
      names.map((n) => httpBuyer(n, { post: post(`${srv.url}/${n}`) })),
      share(names),
      { concurrency: 2 },
    );
    const sale = await s.sell(lead());
    expect(sale.deliveries.every((d) => d.status === 'accepted')).toBe(true);
    expect(srv.received).toHaveLength(5);
    expect(peak).toBe(2);
  });

  it('a buyer without a post endpoint is sold without HTTP', async () => {
    const { seller: s } = seller([httpBuyer('A', { price: 3 })], routeTo('A'));
    const sale = await s.sell(lead());
    expect(sale.decision.status).toBe('routed');
    expect(sale.deliveries[0]).toMatchObject({ status: 'none', mode: 'none' });
  });
});

describe('plain delivery: cascade', () => {
  const waterfall = (buyers: string[]): string => `waterfall { ${buyers.join('; ')} }`;

  /** Buyer A ($30) then B ($20) as waterfall tiers, each posting to its own server. */
  async function twoTiers(replyA: Reply, replyB: Reply, opts: ConstructorParameters<typeof Seller>[1] = {}) {
    const a = await servers.start(() => replyA);
    const b = await servers.start(() => replyB);
    const { seller: s } = seller(
      [httpBuyer('A', { price: 30, post: post(`${a.url}/post`) }), httpBuyer('B', { price: 20, post: post(`${b.url}/post`) })],
      waterfall(['A', 'B']),
      opts,
    );
    return { a, b, s };
  }

  it('a buyer that rejects the post passes the lead to the next tier', async () => {
    const { s } = await twoTiers(reject, accept);
    const sale = await s.sell(lead(), { trace: true });
    expect(sale.deliveries.map((d) => [d.buyer, d.status])).toEqual([['A', 'rejected'], ['B', 'accepted']]);
    expect(sale.decision.buyers).toEqual([{ name: 'B', price: 20 }]);
    expect(sale.decision.trace.some((t) => t.code === 'Excluded' && t.buyer === 'A')).toBe(true);
  });

  it('when every tier refuses, the lead is unsold and the reason names them', async () => {
    const { s } = await twoTiers(reject, { status: 500 });
    const sale = await s.sell(lead());
    expect(sale.deliveries.map((d) => [d.buyer, d.status])).toEqual([['A', 'rejected'], ['B', 'failed']]);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.decision.reason).toContain('A, B refused the lead at delivery');
  });

  it('cascade 0 keeps the first decision', async () => {
    const { b, s } = await twoTiers(reject, accept, { cascade: 0 });
    const sale = await s.sell(lead());
    expect(sale.deliveries.map((d) => d.buyer)).toEqual(['A']);
    expect(b.received).toHaveLength(0);
  });
});

describe('plain delivery: delayed, batched, breaker', () => {
  it('delayed delivery: sell resolves at once, the post goes out after the delay', async () => {
    const srv = await servers.start(() => accept);
    const done: DeliveryRecord[] = [];
    const { seller: s } = seller([httpBuyer('A', { price: 1, post: post(`${srv.url}/post`), clauses: ['delay 150ms'] })], routeTo('A'), {
      onDelivery: (r) => done.push(r),
    });
    const t0 = Date.now();
    const sale = await s.sell(lead());
    const d = sale.deliveries[0]!;
    expect(d).toMatchObject({ mode: 'delayed', status: 'scheduled' });
    expect(srv.received).toHaveLength(0);
    expect(s.pending.delayed).toBe(1);
    await until(() => done.length === 1);
    expect(srv.received[0]!.at - t0).toBeGreaterThanOrEqual(140);
    expect(d.status).toBe('accepted'); // updated in place
  });

  it('flush sends delayed deliveries now', async () => {
    const srv = await servers.start(() => accept);
    const { seller: s } = seller([httpBuyer('A', { price: 1, post: post(`${srv.url}/post`), clauses: ['delay 60s'] })], routeTo('A'));
    const sale = await s.sell(lead());
    await s.flush();
    expect(sale.deliveries[0]!.status).toBe('accepted');
    expect(srv.received).toHaveLength(1);
  });

  it('batch by count as CSV to a file', async () => {
    const to = `file:${join(dir, 'out', 'a.csv')}`;
    const { seller: s, journal } = seller(
      [httpBuyer('A', { price: 12, clauses: [`batch 3 csv to "${to}"`] })],
      routeTo('A'),
    );
    const sales: Sale[] = [];
    for (const name of ['Ann', 'Bo, Jr.', '=HYPERLINK("x")']) sales.push(await s.sell(lead({ first_name: name })));
    expect(sales[0]!.deliveries[0]!.mode).toBe('batch');
    await until(() => sales.every((x) => x.deliveries[0]!.status === 'accepted'));
    const text = await readFile(join(dir, 'out', 'a.csv'), 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('id,state,zip,credit_score,homeowner,email,phone,first_name,sale_buyer,sale_price,sale_post_id,sale_at');
    expect(lines[2]).toContain('"Bo, Jr."');
    expect(lines[3]).toContain(`"'=HYPERLINK(""x"")"`); // formula defused
    expect(lines[1]).toContain(',A,12,');
    // more leads append to the same file under the same header
    for (let i = 0; i < 3; i++) await s.sell(lead());
    await s.flush();
    expect((await readFile(join(dir, 'out', 'a.csv'), 'utf8')).trimEnd().split('\r\n')).toHaveLength(7);
    expect(journal.attempts({ kind: 'post' }).filter((a) => a.outcome === 'accepted')).toHaveLength(6);
  });

  it('batch by time as a JSON array, one file a batch in a directory', async () => {
    const to = `file:${join(dir, 'batches')}/`;
    const { seller: s } = seller(
      [httpBuyer('A', { price: 2, clauses: [`batch 80ms json to "${to}"`] })],
      routeTo('A'),
    );
    const a = await s.sell(lead({ first_name: 'One' }));
    const b = await s.sell(lead({ first_name: 'Two' }));
    expect(a.deliveries[0]!.status).toBe('queued');
    await until(() => b.deliveries[0]!.status === 'accepted');
    const files = await readdir(join(dir, 'batches'));
    expect(files).toHaveLength(1);
    const rows = JSON.parse(await readFile(join(dir, 'batches', files[0]!), 'utf8')) as Record<string, unknown>[];
    expect(rows.map((r) => r.first_name)).toEqual(['One', 'Two']);
    expect(rows[0]!.sale_price).toBe(2);
  });

  it('batch to an http URL as JSON', async () => {
    const srv = await servers.start(() => ({ status: 202 }));
    const { seller: s } = seller(
      [httpBuyer('A', { price: 2, clauses: [`batch 2 json to "${srv.url}/bulk"`] })],
      routeTo('A'),
    );
    await s.sell(lead());
    await s.sell(lead());
    await until(() => srv.received.length === 1);
    expect(srv.received[0]!.headers['content-type']).toBe('application/json');
    expect((JSON.parse(srv.received[0]!.body) as unknown[]).length).toBe(2);
  });

  it('circuit breaker: opens after N consecutive failures, probes after the cooldown, closes on success', async () => {
    let healthy = false;
    const srv = await servers.start(() => (healthy ? accept : { status: 500 }));
    let clock = 1_000_000;
    const { seller: s } = seller(
      [httpBuyer('A', { price: 1, post: post(`${srv.url}/post`), clauses: ['breaker 2 cooldown 30s'] })],
      routeTo('A'),
      { clock: () => clock },
    );
    const buyer = s.router.loaded!.plan.buyers[0]!;
    expect((await s.sell(lead())).deliveries[0]!.status).toBe('failed');
    expect(s.breakers.state(buyer)).toBe('closed');
    expect((await s.sell(lead())).deliveries[0]!.status).toBe('failed');
    expect(s.breakers.state(buyer)).toBe('open');
    // open: no request at all
    const skipped = (await s.sell(lead())).deliveries[0]!;
    expect(skipped.status).toBe('failed');
    expect(skipped.detail).toMatch(/^primary: circuit open until/);
    expect(srv.received).toHaveLength(2);
    // after the cooldown one probe goes; it fails: open again
    clock += 30_000;
    expect(s.breakers.state(buyer)).toBe('half-open');
    await s.sell(lead());
    expect(srv.received).toHaveLength(3);
    expect(s.breakers.state(buyer)).toBe('open');
    // the buyer recovers: the next probe succeeds and closes the breaker
    healthy = true;
    clock += 30_000;
    expect((await s.sell(lead())).deliveries[0]!.status).toBe('accepted');
    expect(s.breakers.state(buyer)).toBe('closed');
    expect((await s.sell(lead())).deliveries[0]!.status).toBe('accepted');
  });
});

describe('pixels', () => {
  it('fire on sold with URL-encoded values, honour conditions, never delay the sale', async () => {
    const px = await servers.start(() => ({ status: 204 }));
    const slowPx = await servers.start(() => 'hang');
    const srv = await servers.start(() => accept);
    const { seller: s, journal } = seller(
      [
        httpBuyer('A', {
          price: 45,
          post: post(`${srv.url}/post`),
          clauses: [
            `pixel "${px.url}/p?name={{lead.id}}&e={{hash lead.email}}&amt={{sale.price}}&raw={{{lead.id}}}" on sold`,
            `pixel "${px.url}/d?lead={{lead.id}}" on delivered`,
            `pixel "${px.url}/hi?lead={{lead.id}}" on sold when credit_score > 800`,
            `pixel "${slowPx.url}/slow" on sold`,
          ],
        }),
      ],
      routeTo('A'),
      { pixelTimeoutMs: 500 },
    );
    const sale = await s.sell(lead({ id: 'Zoë & Co?/#=' }));
    expect(sale.decision.status).toBe('routed');
    // the sale resolved while the hanging pixel was still out
    expect(s.pending.pixels).toBeGreaterThanOrEqual(1);
    await until(() => px.received.length === 2);
    const sold = px.received.find((r) => r.url.startsWith('/p?'))!;
    const q = new URL(sold.url, px.url).searchParams;
    expect(q.get('name')).toBe('Zoë & Co?/#=');
    expect(q.get('raw')).toBe('Zoë & Co?/#=');
    expect(q.get('amt')).toBe('45');
    expect(q.get('e')).toMatch(/^[0-9a-f]{64}$/);
    expect(sold.url).not.toContain('jane.doe');
    expect(px.received.some((r) => r.url.startsWith('/d?lead='))).toBe(true);
    expect(px.received.some((r) => r.url.startsWith('/hi'))).toBe(false); // credit 720 ≤ 800
    await s.flush();
    const rows = journal.attempts({ kind: 'pixel' });
    expect(rows.map((r) => r.outcome).sort()).toEqual(['fired', 'fired', 'timeout']);
    expect(rows.every((r) => !r.url.includes('Zo'))).toBe(true); // the journal keeps no query
  });

  it('a pixel URL holding a PII value is not sent, even through a field that is not PII', async () => {
    const px = await servers.start(() => ({ status: 204 }));
    const srv = await servers.start(() => accept);
    const { seller: s, journal } = seller(
      [httpBuyer('A', { post: post(`${srv.url}/post`), clauses: [`pixel "${px.url}/p?n={{lower lead.id}}" on sold`] })],
      routeTo('A'),
    );
    // `id` is no PII field, but here it holds the lead's first name
    expect((await s.sell(lead({ first_name: 'Jane', id: 'JANE' }))).decision.status).toBe('routed');
    await s.flush();
    expect(px.received).toHaveLength(0);
    const rows = journal.attempts({ kind: 'pixel' });
    expect(rows.map((r) => [r.outcome, r.detail])).toEqual([['skipped', "on sold: not sent: the URL contains the value of PII field 'first_name'"]]);
  });

  it('fire on rejected and returned', async () => {
    const px = await servers.start(() => ({ status: 200 }));
    const srv = await servers.start(() => ({ status: 422 }));
    const { seller: s } = seller(
      [
        httpBuyer('A', {
          price: 5,
          post: post(`${srv.url}/post`),
          clauses: [`pixel "${px.url}/rej?lead={{lead.id}}" on rejected`, `pixel "${px.url}/ret?lead={{lead.id}}&p={{sale.price}}" on returned`],
        }),
      ],
      routeTo('A'),
    );
    const l = lead();
    const sale = await s.sell(l);
    expect(sale.deliveries[0]!.status).toBe('rejected');
    s.outcome(sale.decision.leadId, 'A', 'returned', { lead: l, price: 5 });
    await s.flush();
    expect(px.received.map((r) => r.url).sort()).toEqual([`/rej?lead=${l.id}`, `/ret?lead=${l.id}&p=5`]);
  });
});
