// `leadroute serve --queue redis://…`: the service's delayed deliveries on
// BullMQ, against a real redis-server (skipped, saying why, without one), real
// mock buyers on 127.0.0.1 and a real SQLite file.
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/compile/index.js';
import { POSTS_QUEUE } from '../../src/adapters/bullmq-deliveries.js';
import { buildServer } from '../../src/serve/server.js';
import { postIdOf } from '../../src/serve/service.js';
import { runCli } from '../cli/helpers.js';
import { until } from '../auction/helpers.js';
import { redisSkipReason, skipNote, startRedis, type RunningRedis } from '../helpers/redis.js';
import { lead, post, startHarness } from './helpers.js';

/** Alpha posts 400 ms after the sale (the rule file has no delay: set here, on the plan). */
const delayAlpha = (plan: Plan): Plan => ({
  ...plan,
  buyers: plan.buyers.map((b) => (b.name === 'Alpha' ? { ...b, delivery: { delayMs: 400, batch: null, breaker: null } } : b)),
});

/** A lead's state in the service's inbox, read from the file as another process would. */
function inboxState(store: string, leadId: string): string {
  const db = new Database(store, { readonly: true });
  try {
    return (db.prepare('SELECT state FROM inbox WHERE lead_id = ?').get(leadId) as { state: string }).state;
  } finally {
    db.close();
  }
}

describe.skipIf(redisSkipReason !== null)(`serve --queue ${skipNote()}`, () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a delayed delivery is a BullMQ job; the lead is finished when the worker posts it', async () => {
    const h = await startHarness({ server: { queue: redis.url, adaptPlan: delayAlpha } });
    const queue = new Queue(POSTS_QUEUE, { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'leadroute' });
    try {
      const r = await post(`${h.url}/leads/solar`, lead('Q1'));
      expect(r.status).toBe(200);
      expect(r.json.deliveries).toEqual([expect.objectContaining({ buyer: 'Alpha', mode: 'delayed', status: 'scheduled' })]);
      const job = await queue.getJob(`${postIdOf('Q1', 'Alpha')}.post`);
      expect(job?.data).toMatchObject({ buyer: 'Alpha', mode: 'delayed', sale: { leadId: 'Q1' } });
      const alpha = () => h.mock.stats().buyers.find((b) => b.name === 'Alpha')!;
      await until(() => alpha().posts.accepted === 1, 10_000);
      await until(() => inboxState(h.store, 'Q1') === 'done', 10_000);
    } finally {
      await queue.close();
      await h.close();
    }
  });

  it('a delayed job outlives the service; the next start resumes the lead, joins the job and posts once', async () => {
    const delay = (plan: Plan): Plan => ({
      ...plan,
      buyers: plan.buyers.map((b) => (b.name === 'Alpha' ? { ...b, delivery: { delayMs: 1500, batch: null, breaker: null } } : b)),
    });
    const h = await startHarness({ server: { queue: redis.url, adaptPlan: delay } });
    let second: Awaited<ReturnType<typeof buildServer>> | null = null;
    const queue = new Queue(POSTS_QUEUE, { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'leadroute' });
    try {
      const r = await post(`${h.url}/leads/solar`, lead('Q2'));
      expect(r.json.deliveries).toEqual([expect.objectContaining({ buyer: 'Alpha', status: 'scheduled' })]);
      await h.app.close(); // the service stops; the job stays in Redis
      const jobId = `${postIdOf('Q2', 'Alpha')}.post`;
      expect(await (await queue.getJob(jobId))?.getState()).toBe('delayed');
      second = await buildServer({ rules: h.rules, store: h.store, watch: false, logger: false, queue: redis.url, adaptPlan: delay });
      await second.ready(); // resuming starts when the app is ready
      expect(await second.leadroute.resumed).toEqual({ resumed: 1, failed: 0 });
      const alpha = () => h.mock.stats().buyers.find((b) => b.name === 'Alpha')!.posts;
      await until(() => alpha().accepted === 1, 10_000);
      await until(() => inboxState(h.store, 'Q2') === 'done', 10_000);
      expect(alpha()).toMatchObject({ total: 1, accepted: 1, replays: 0 });
    } finally {
      await queue.close();
      await second?.close();
      await h.mock.close();
    }
  });

  it('a delivery found done in Redis is not posted, finishes its lead, and is not counted again', async () => {
    const h = await startHarness({ server: { queue: redis.url, adaptPlan: delayAlpha } });
    const done = new Redis(redis.url);
    try {
      // Another instance delivered this lead to Alpha (its done key), as a resume after a crash finds it.
      await done.set(`leadroute:done:${postIdOf('Q3', 'Alpha')}`, 'accepted', 'EX', 60);
      const r = await post(`${h.url}/leads/solar`, lead('Q3'));
      expect(r.json.deliveries).toEqual([expect.objectContaining({ buyer: 'Alpha', status: 'scheduled' })]);
      await until(() => inboxState(h.store, 'Q3') === 'done', 10_000);
      expect(h.mock.stats().buyers.find((b) => b.name === 'Alpha')!.posts.total).toBe(0);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).not.toMatch(/^leadroute_deliveries_total\{buyer="Alpha"/m);
      expect(metrics).not.toMatch(/^leadroute_revenue_dollars_total\{buyer="Alpha"/m);
    } finally {
      done.disconnect();
      await h.close();
    }
  });
});

describe('serve --queue, the option', () => {
  it('takes a Redis URL only', async () => {
    const r = await runCli(['serve', 'rules/solar.route', '--queue', 'localhost:6379']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--queue takes a Redis URL, redis:\/\/host:port \(got `localhost:6379`\)/);
  });
});
