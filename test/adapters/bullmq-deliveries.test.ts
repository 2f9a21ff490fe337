// Deliveries on BullMQ (src/adapters/bullmq-deliveries.ts) against a real
// redis-server started here on a free port, and buyers that are real HTTP
// servers on 127.0.0.1. Skipped, saying why, without redis-server.
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Seller, type Sale } from '../../src/auction/index.js';
import { MemoryJournal } from '../../src/adapters/memory-journal.js';
import { BATCHES_QUEUE, bullmqDeliveries, POSTS_QUEUE, type PostJobData } from '../../src/adapters/bullmq-deliveries.js';
import type { DeliveryRecord } from '../../src/deliver/index.js';
import { postIdOf } from '../../src/serve/service.js';
import { accept, lead, routerFor, Servers, until, type Reply } from '../auction/helpers.js';
import { httpBuyer, post, sellPlan } from '../auction/rules.js';
import { freePort, redisSkipReason, skipNote, startRedis, type RunningRedis } from '../helpers/redis.js';

const servers = new Servers();
const closing: { close(): Promise<unknown> }[] = [];
let redis: RunningRedis;
let inspect: Redis;
let n = 0;

/** Reply with each of `replies` in turn, then the last one forever. */
const sequence =
  (...replies: Reply[]) =>
  (_: unknown, k: number): Reply =>
    replies[Math.min(k, replies.length) - 1]!;

interface Instance {
  seller: Seller;
  journal: MemoryJournal;
  delivered: DeliveryRecord[];
  prefix: string;
}

/** A Seller on BullMQ deliveries, under `prefix` (a fresh one per test unless given: two instances share one). */
function instance(buyers: string[], action: string, o: { prefix?: string; secrets?: Record<string, string> } = {}): Instance {
  const prefix = o.prefix ?? `lrtest${++n}`;
  const journal = new MemoryJournal();
  const delivered: DeliveryRecord[] = [];
  const seller = new Seller(routerFor(sellPlan(buyers, action)), {
    journal,
    secrets: o.secrets ?? {},
    postIdOf,
    onDelivery: (r) => delivered.push(r),
    deliveries: bullmqDeliveries({ url: redis.url, prefix }),
  });
  closing.push(seller);
  return { seller, journal, delivered, prefix };
}

/** Connections the test's redis-server has open. */
async function clientCount(): Promise<number> {
  return String(await inspect.client('LIST')).trim().split('\n').length;
}

function queue(name: string, prefix: string): Queue {
  const q = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port }, prefix });
  closing.push(q);
  return q;
}

describe.skipIf(redisSkipReason !== null)(`deliveries on BullMQ ${skipNote()}`, () => {
  beforeAll(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close();
    await servers.closeAll();
  });
  afterAll(async () => {
    await inspect?.quit();
    await redis?.stop();
  });

  it('a delayed post waits as a BullMQ job and is posted after its delay', async () => {
    const srv = await servers.start(() => accept);
    const { seller, delivered, prefix } = instance([httpBuyer('A', { price: 5, post: post(`${srv.url}/post`), clauses: ['delay 1s'] })], 'route A');
    const sale = await seller.sell(lead());
    const rec = sale.deliveries[0]!;
    expect(rec).toMatchObject({ mode: 'delayed', status: 'scheduled' });
    const job = await queue(POSTS_QUEUE, prefix).getJob(`${rec.postId}.post`);
    expect(job).toBeDefined();
    expect(await job!.getState()).toBe('delayed');
    expect(srv.received).toHaveLength(0);
    expect(seller.pending.delayed).toBe(1);
    await until(() => delivered.length === 1, 10_000);
    expect(rec.status).toBe('accepted'); // the Sale's record, updated in place by the worker
    expect(srv.received).toHaveLength(1);
    expect(srv.received[0]!.headers['idempotency-key']).toBe(postIdOf(sale.decision.leadId, 'A'));
    expect(seller.pending.delayed).toBe(0);
  });

  it('a post failing twice is retried by BullMQ attempts, then accepted once', async () => {
    const srv = await servers.start(sequence({ status: 503 }, { status: 503 }, accept));
    const { seller, journal, delivered } = instance([httpBuyer('A', { price: 7, post: post(`${srv.url}/post`, { retries: 3, backoff: '30ms' }) })], 'route A');
    const sale = await seller.sell(lead());
    const rec = sale.deliveries[0]!;
    // The sale waited for the first try only: the rest is on the queue.
    expect(rec).toMatchObject({ mode: 'post', status: 'scheduled', detail: 'HTTP 503' });
    expect(rec.attempts.map((a) => a.outcome)).toEqual(['error']);
    await until(() => delivered.length === 1, 10_000);
    expect(rec.status).toBe('accepted');
    expect(rec.attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'error'], [2, 'error'], [3, 'accepted']]);
    expect(journal.attempts({ kind: 'post' }).map((a) => a.outcome)).toEqual(['error', 'error', 'accepted']);
    expect(srv.received).toHaveLength(3);
    expect(new Set(srv.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(delivered).toEqual([rec]); // one delivery, finished once
  });

  it('a queued retry carries the tries left; flush runs it now', async () => {
    const srv = await servers.start(sequence({ status: 503 }, accept));
    const { seller, prefix } = instance([httpBuyer('A', { price: 7, post: post(`${srv.url}/post`, { retries: 2, backoff: '10s' }) })], 'route A');
    const sale = await seller.sell(lead());
    const rec = sale.deliveries[0]!;
    const job = await queue(POSTS_QUEUE, prefix).getJob(`${rec.postId}.post`);
    expect(await job!.getState()).toBe('delayed');
    expect(job!.opts.attempts).toBe(2); // 3 tries, the first made in the sale
    expect((job!.data as PostJobData).from).toEqual({ endpoint: 'primary', attempt: 2, failures: [] });
    await seller.flush();
    expect(rec.status).toBe('accepted');
    expect(srv.received).toHaveLength(2);
  });

  it('failover: the primary spent on the queue, the backup is posted', async () => {
    const primary = await servers.start(() => ({ status: 500 }));
    const backup = await servers.start(() => accept);
    const { seller, delivered } = instance(
      [httpBuyer('A', { price: 3, post: post(`${primary.url}/post`, { retries: 1, backoff: '20ms' }), backupPost: post(`${backup.url}/post`) })],
      'route A',
    );
    const sale = await seller.sell(lead());
    await until(() => delivered.length === 1, 10_000);
    const rec = sale.deliveries[0]!;
    expect(rec).toMatchObject({ status: 'accepted', endpoint: 'backup' });
    expect(rec.attempts.map((a) => `${a.endpoint} ${a.attempt} ${a.outcome}`)).toEqual(['primary 1 error', 'primary 2 error', 'backup 1 accepted']);
    expect(primary.received).toHaveLength(2);
    expect(backup.received).toHaveLength(1);
  });

  it('a batch is sent as one job, retried by its attempts', async () => {
    const srv = await servers.start(sequence({ status: 503 }, { status: 200, body: 'ok' }));
    const { seller, journal, delivered, prefix } = instance(
      [httpBuyer('A', { price: 4, post: post(`${srv.url}/unused`, { retries: 2, backoff: '20ms', accepted: false }), clauses: [`batch 3 json to "${srv.url}/batch"`] })],
      'route A',
    );
    const events = new QueueEvents(BATCHES_QUEUE, { connection: { host: '127.0.0.1', port: redis.port }, prefix });
    closing.push(events);
    await events.waitUntilReady();
    const completed: string[] = [];
    events.on('completed', ({ jobId }) => completed.push(jobId));
    const sales: Sale[] = [];
    for (const name of ['Ann', 'Bo', 'Cy']) sales.push(await seller.sell(lead({ first_name: name })));
    await until(() => delivered.length === 3, 10_000);
    await until(() => completed.length === 1, 10_000);
    expect(completed[0]).toMatch(/^batch\./);
    expect(sales.map((s) => s.deliveries[0]!.status)).toEqual(['accepted', 'accepted', 'accepted']);
    // Two requests (a 503, then the retry), each the whole batch.
    expect(srv.received).toHaveLength(2);
    for (const r of srv.received) expect((JSON.parse(r.body) as { first_name: string }[]).map((row) => row.first_name)).toEqual(['Ann', 'Bo', 'Cy']);
    expect(journal.attempts({ kind: 'post' })).toHaveLength(6); // two tries, journalled per lead
  });

  it('leads of a batch delivered before are not sent again, counted again or pixelled again, and are reported', async () => {
    const srv = await servers.start(() => ({ status: 200, body: 'ok' }));
    const pix = await servers.start(() => ({ status: 200, body: '' }));
    const clauses = [`batch 2 json to "${srv.url}/batch"`, `pixel "${pix.url}/px?state={{lead.state}}" on delivered`];
    const { seller, delivered } = instance([httpBuyer('A', { price: 4, clauses })], 'route A');
    const leads = [lead(), lead()];
    const sales: Sale[] = [];
    for (const l of leads) sales.push(await seller.sell(l));
    await until(() => delivered.length === 2, 10_000);
    expect(srv.received).toHaveLength(1);
    // The same deliveries again (as a resume would): the same post ids, one batch job, nothing sent.
    const again: Sale[] = [];
    for (const [i, l] of leads.entries()) again.push(await seller.deliver(l, sales[i]!.decision));
    await seller.flush();
    expect(srv.received).toHaveLength(1);
    expect(again.map((s) => s.deliveries[0])).toEqual([
      expect.objectContaining({ status: 'accepted', detail: 'accepted before (recorded in Redis): not sent again' }),
      expect.objectContaining({ status: 'accepted', detail: 'accepted before (recorded in Redis): not sent again' }),
    ]);
    // Reported, so a service waiting for them finishes the leads; fired and counted once.
    expect(delivered.map((r) => r.detail)).toEqual([
      'delivered in a batch of 2',
      'delivered in a batch of 2',
      'accepted before (recorded in Redis): not sent again',
      'accepted before (recorded in Redis): not sent again',
    ]);
    await seller.flush();
    expect(pix.received).toHaveLength(2);
    expect(seller.stats.get('A')).toMatchObject({ posts: 2, accepted: 2 });
  });

  it("a job holds no secret, and of the lead only the fields the buyer's post reads", async () => {
    const secret = 'sk-live-7f3a9c1e55d04b2b';
    const srv = await servers.start(() => accept);
    const { seller, prefix } = instance(
      [
        httpBuyer('A', {
          price: 9,
          post: `post GET "${srv.url}/post?state={{lead.state}}&email={{lead.email}}" timeout 2s header "X-Api-Key" "{{secret.QUEUE_BUYER_KEY}}" accepted "result" == "success"`,
          clauses: ['delay 60s'],
        }),
      ],
      'route A',
      { secrets: { QUEUE_BUYER_KEY: secret } },
    );
    const sale = await seller.sell(lead({ first_name: 'Jane' }));
    const rec = sale.deliveries[0]!;
    const raw = await inspect.hgetall(`${prefix}:${POSTS_QUEUE}:${rec.postId}.post`);
    expect(Object.keys(raw)).toContain('data');
    expect(JSON.stringify(raw)).not.toContain(secret);
    const data = JSON.parse(raw.data!) as PostJobData;
    // The post sends state and e-mail: those, and not the phone, the name or the score.
    expect(data.sale.lead).toEqual({ state: 'CA', email: 'jane.doe@example.com' });
    expect(data).toMatchObject({ buyer: 'A', mode: 'delayed', from: { endpoint: 'primary', attempt: 1 } });
    for (const pii of ['(415) 555-0142', 'Jane', '720']) expect(raw.data).not.toContain(pii);
    // The secret is read when the post is sent, by the worker's Seller.
    await seller.flush();
    expect(rec.status).toBe('accepted');
    expect(srv.received[0]!.headers['x-api-key']).toBe(secret);
    expect(srv.received[0]!.url).toBe('/post?state=CA&email=jane.doe%40example.com');
  });

  it('two instances queueing one delivery post it once; a delivery done before is not posted again', async () => {
    const srv = await servers.start(() => accept);
    const buyers = [httpBuyer('A', { price: 5, post: post(`${srv.url}/post`), clauses: ['delay 60s'] })];
    const one = instance(buyers, 'route A');
    const two = instance(buyers, 'route A', { prefix: one.prefix }); // another process: its own connection and workers
    const sold = lead();
    const sale = await one.seller.sell(sold);
    // The other instance resumes the same decision (as `serve` does after a restart): the same job id.
    const again = await two.seller.deliver(sold, sale.decision);
    expect(again.deliveries[0]!.postId).toBe(sale.deliveries[0]!.postId);
    expect(await queue(POSTS_QUEUE, one.prefix).getJobCounts('delayed')).toMatchObject({ delayed: 1 });
    await one.seller.flush();
    await two.seller.flush();
    expect(srv.received).toHaveLength(1);
    // Once more, after the job is gone (and with one instance left, so the job is
    // surely run by it): the done key in Redis says it was accepted.
    await one.seller.close();
    const third = await two.seller.deliver(sold, sale.decision);
    await two.seller.flush();
    expect(srv.received).toHaveLength(1);
    expect(third.deliveries[0]).toMatchObject({ status: 'accepted', detail: 'accepted before (recorded in Redis or the journal): not posted again' });
    // Reported to the instance that asked (a service finishes the lead on it).
    expect(two.delivered.at(-1)).toMatchObject({ postId: sale.deliveries[0]!.postId, detail: 'accepted before (recorded in Redis or the journal): not posted again' });
  });

  it('close leaves the delayed job queued and no connection open; the next Seller sends it', async () => {
    const srv = await servers.start(() => accept);
    const buyers = [httpBuyer('A', { price: 5, post: post(`${srv.url}/post`), clauses: ['delay 1500ms'] })];
    const clientsBefore = await clientCount();
    const first = instance(buyers, 'route A');
    const sale = await first.seller.sell(lead());
    await first.seller.close();
    // Only this test's own inspection connection (and none of the Seller's) is left.
    expect(await clientCount()).toBe(clientsBefore);
    expect(srv.received).toHaveLength(0);
    const job = await queue(POSTS_QUEUE, first.prefix).getJob(`${sale.deliveries[0]!.postId}.post`);
    expect(await job!.getState()).toBe('delayed');
    // A restarted instance picks it up when it is due.
    const next = instance(buyers, 'route A', { prefix: first.prefix });
    await until(() => next.delivered.length === 1, 10_000);
    expect(next.delivered[0]).toMatchObject({ leadId: sale.decision.leadId, status: 'accepted', mode: 'delayed' });
    expect(srv.received).toHaveLength(1);
  });
});

describe('deliveries on BullMQ with Redis unreachable', () => {
  it('a delayed delivery fails after the queue timeout, saying why; close does not wait for Redis', async () => {
    const port = await freePort(); // nothing listens there
    const errors: Error[] = [];
    const delivered: DeliveryRecord[] = [];
    const seller = new Seller(routerFor(sellPlan([httpBuyer('A', { price: 5, post: post('http://127.0.0.1:9/post'), clauses: ['delay 1s'] })], 'route A')), {
      onDelivery: (r) => delivered.push(r),
      deliveries: bullmqDeliveries({ url: `redis://127.0.0.1:${port}`, queueTimeoutMs: 300, onError: (e) => errors.push(e) }),
    });
    try {
      const sale = await seller.sell(lead());
      expect(sale.deliveries[0]).toMatchObject({ mode: 'delayed', status: 'failed', detail: 'not queued: Redis did not store the job in 300 ms' });
      expect(delivered).toEqual(sale.deliveries); // finished, so a service does not wait for it
      expect(errors.some((e) => /ECONNREFUSED/.test(e.message))).toBe(true);
    } finally {
      await seller.close();
    }
  });
});
