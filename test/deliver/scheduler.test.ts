// The delivery-scheduler seam (src/deliver/scheduler.ts) without Redis: the
// Poster cut into tries (what a queue runs a job at a time), the lead fields a
// delivery left for later carries, and a Seller handing its deferred work to
// the scheduler it is given. Buyers are real HTTP servers on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import {
  Breakers,
  FIRST_TRY,
  HttpClient,
  inProcessDeliveries,
  Poster,
  TemplateSet,
  type DeliveryRecord,
  type DeliverySchedulerFactory,
  type PostPosition,
  type SaleContext,
} from '../../src/deliver/index.js';
import { leadFieldsRead, saleForLater } from '../../src/deliver/lead-fields.js';
import { newDeliveryRecord } from '../../src/deliver/post.js';
import type { Plan } from '../../src/models/plan.js';
import { accept, lead, routerFor, Servers, until, type Reply } from '../auction/helpers.js';
import { httpBuyer, post, sellPlan } from '../auction/rules.js';

const servers = new Servers();
const closing: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
  await servers.closeAll();
});

const sequence =
  (...replies: Reply[]) =>
  (_: unknown, k: number): Reply =>
    replies[Math.min(k, replies.length) - 1]!;

function posterFor(plan: Plan) {
  const http = new HttpClient({ connections: 4 });
  closing.push(http);
  const journal = new MemoryJournal();
  return { poster: new Poster({ http, journal, templates: TemplateSet.forPlan(plan), breakers: new Breakers() }), journal };
}

const saleOf = (buyer: string, lead: Record<string, unknown>): SaleContext => ({
  leadId: String(lead.id),
  lead,
  buyer,
  pingId: null,
  postId: `post-${String(lead.id)}`,
  price: 10,
  exclusive: true,
  random: 0.5,
  routedAt: Date.now(),
});

/** What a record says, apart from times. */
const gist = (r: DeliveryRecord) => ({ status: r.status, endpoint: r.endpoint, detail: r.detail, attempts: r.attempts.map((a) => [a.endpoint, a.attempt, a.outcome, a.detail]) });

describe('Poster.step: the post cut at its waits', () => {
  it('gives the next position and the backoff, and ends where post() ends', async () => {
    const replies = [{ status: 503 }, 'reset', { status: 500 }, { status: 502 }, accept] as Reply[];
    const primaryA = await servers.start(sequence(...replies.slice(0, 3)));
    const backupA = await servers.start(sequence(...replies.slice(3)));
    const primaryB = await servers.start(sequence(...replies.slice(0, 3)));
    const backupB = await servers.start(sequence(...replies.slice(3)));
    const buyer = (p: string, b: string) => httpBuyer('A', { price: 10, post: post(`${p}/post`, { retries: 2, backoff: '40ms' }), backupPost: post(`${b}/post`, { retries: 1, backoff: '25ms' }) });

    const planA = sellPlan([buyer(primaryA.url, backupA.url)], 'route A');
    const { poster: stepper } = posterFor(planA);
    const a = planA.buyers[0]!;
    const sale = saleOf('A', lead());
    const stepped = newDeliveryRecord(a, sale);
    const positions: (PostPosition & { waitMs: number })[] = [];
    let at = FIRST_TRY;
    for (;;) {
      const step = await stepper.step(a, sale, stepped, at);
      if (step.kind === 'final') break;
      positions.push({ ...step.next, waitMs: step.waitMs });
      at = step.next;
    }
    expect(positions.map(({ endpoint, attempt, waitMs }) => [endpoint, attempt, waitMs])).toEqual([
      ['primary', 2, 40],
      ['primary', 3, 80],
      ['backup', 2, 25], // the primary spent: failed over at once, its reason kept
    ]);
    expect(positions[2]!.failures).toEqual(['primary: HTTP 500']);

    const planB = sellPlan([buyer(primaryB.url, backupB.url)], 'route A');
    const { poster } = posterFor(planB);
    const whole = await poster.post(planB.buyers[0]!, saleOf('A', lead({ id: sale.leadId })));
    expect(gist(stepped)).toEqual(gist(whole));
    expect(stepped.status).toBe('accepted');
  });

  it('a spent buyer ends failed with the reason of each endpoint, as post() says it', async () => {
    const srv = await servers.start(() => ({ status: 503 }));
    const plan = sellPlan([httpBuyer('A', { price: 10, post: post(`${srv.url}/post`, { retries: 1, backoff: '1ms' }) })], 'route A');
    const { poster } = posterFor(plan);
    const a = plan.buyers[0]!;
    const sale = saleOf('A', lead());
    const rec = newDeliveryRecord(a, sale);
    const first = await poster.step(a, sale, rec, FIRST_TRY);
    expect(first).toMatchObject({ kind: 'retry', next: { endpoint: 'primary', attempt: 2 } });
    const last = await poster.step(a, sale, rec, first.kind === 'retry' ? first.next : FIRST_TRY);
    expect(last).toEqual({ kind: 'final' });
    expect(rec).toMatchObject({ status: 'failed', detail: 'primary: HTTP 503' });
  });
});

describe('the lead a delivery left for later carries', () => {
  it("a templated post: the fields it and the buyer's pixels read; the default body: the whole lead", () => {
    const plan = sellPlan(
      [
        httpBuyer('T', {
          price: 5,
          post: 'post GET "http://127.0.0.1:9/p?e={{lead.email}}" timeout 2s header "X-Zip" "{{lead.zip}}" accepted "result" == "success"',
          clauses: ['pixel "http://127.0.0.1:9/px?s={{lead.state}}" on delivered when credit_score > 600'],
        }),
        httpBuyer('D', { price: 5, post: post('http://127.0.0.1:9/post') }),
      ],
      'route T',
    );
    const [t, d] = plan.buyers;
    expect([...leadFieldsRead(t!)!].sort()).toEqual(['credit_score', 'email', 'state', 'zip']);
    expect(leadFieldsRead(d!)).toBeNull();
    const sale = saleOf('T', lead());
    expect(saleForLater(t!, sale).lead).toEqual({ email: 'jane.doe@example.com', zip: '94107', state: 'CA', credit_score: 720 });
    expect(saleForLater(d!, sale)).toBe(sale);
  });
});

describe('the Seller hands deferred work to its scheduler', () => {
  it('immediate, delayed and batched deliveries go through the one it is given', async () => {
    const srv = await servers.start(() => accept);
    const calls: string[] = [];
    const recording: DeliverySchedulerFactory = (runner) => {
      const inner = inProcessDeliveries(runner);
      return {
        now: (d) => (calls.push(`now ${d.buyer.name}`), inner.now(d)),
        at: (d, at) => (calls.push(`at ${d.buyer.name}`), inner.at(d, at)),
        batch: (buyer, cfg, items) => (calls.push(`batch ${buyer.name} ${items.length}`), inner.batch(buyer, cfg, items)),
        get pending() {
          return inner.pending;
        },
        flush: () => inner.flush(),
        close: () => (calls.push('close'), inner.close()),
      };
    };
    const plan = sellPlan(
      [
        httpBuyer('N', { price: 5, post: post(`${srv.url}/now`) }),
        httpBuyer('L', { price: 5, post: post(`${srv.url}/later`), clauses: ['delay 50ms'] }),
        httpBuyer('B', { price: 5, clauses: [`batch 2 json to "${srv.url}/batch"`] }),
      ],
      'share max 3 { N $5, L $5, B $5 }',
    );
    const done: DeliveryRecord[] = [];
    const seller = new Seller(routerFor(plan), { deliveries: recording, onDelivery: (r) => done.push(r) });
    await seller.sell(lead());
    await seller.sell(lead());
    await until(() => done.length === 6);
    await seller.close();
    expect(calls.sort()).toEqual(['at L', 'at L', 'batch B 2', 'close', 'now N', 'now N']);
    expect(srv.received.map((r) => r.url).sort()).toEqual(['/batch', '/later', '/later', '/now', '/now']);
  });
});
