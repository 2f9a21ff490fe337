// Deliveries on BullMQ queues in Redis: the DeliveryScheduler
// (src/deliver/scheduler.ts) that outlives its process and is shared by every
// instance pointed at the same Redis.
//
//   <prefix>:leadroute-posts    one job per post left for later: a delayed
//                               post, or a post whose first try failed. The
//                               job's delay is the `delay` clause's; its
//                               attempts are the tries left (the backup's
//                               included); between tries BullMQ waits the
//                               Poster's exponential backoff (backoff, 2×, 4×…)
//   <prefix>:leadroute-batches  one job per batch the Batcher collected: all
//                               its leads, sent as one request (or file write),
//                               with the buyer's retries as attempts
//   <prefix>:done:<post id>     a post's final answer, kept DONE_TTL_S
//
// A job holds plain data only: the buyer's name, the sale (lead id, post id,
// price, the lead's values the post is rendered from) and where the post
// stands in its policy. Never a rendered request: it is rendered when sent,
// by the worker's Seller, with the secrets that Seller read from its
// environment. A Worker in each process runs the jobs through that Seller's
// post path (DeliveryRunner), so journal rows, idempotency keys, breakers and
// onDelivery are those of a post sent in process.
//
// Not posting twice: a job's id is its post id (in `serve`, derived from the
// lead and the buyer), so instances queueing the same delivery make one job;
// BullMQ gives a job to one worker at a time; before each try the worker
// looks for the post's final answer in Redis (the done key) and in the
// journal, and sends nothing when one is there. What is left is BullMQ's
// at-least-once: a worker that stalls or dies between the buyer's answer and
// the done key may see its job run again, and the post then carries the same
// Idempotency-Key header.

import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { PlanBuyer } from '../plan/index.js';
import type {
  BatchConfig,
  BatchItem,
  Delivery,
  DeliveryRunner,
  DeliveryScheduler,
  DeliverySchedulerFactory,
  FinalPostOutcome,
  PostPosition,
} from '../deliver/scheduler.js';
import { batchStatusOf, FIRST_TRY } from '../deliver/scheduler.js';
import type { DeliveryRecord, SaleContext } from '../deliver/types.js';

export interface BullmqDeliveriesOptions {
  /** The Redis to queue on: `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** The prefix of every key (BullMQ's `prefix`). Default `leadroute`. */
  prefix?: string;
  /** Told of Redis and worker errors (a lost connection, say); they do not stop the Seller. */
  onError?: (err: Error) => void;
  /** How long a job may take to be stored before the delivery is given up as failed, ms. Default 5,000. */
  queueTimeoutMs?: number;
}

/** Redis that does not answer: BullMQ would wait for it forever. */
const DEFAULT_QUEUE_TIMEOUT_MS = 5_000;

/** How long a post's final answer is remembered in Redis: 7 days. */
export const DONE_TTL_S = 7 * 86_400;

export const POSTS_QUEUE = 'leadroute-posts';
export const BATCHES_QUEUE = 'leadroute-batches';

/** A post job: which buyer, the sale, and where the post stands. */
export interface PostJobData {
  buyer: string;
  mode: 'post' | 'delayed';
  sale: SaleContext;
  from: PostPosition;
}

/** A batch job: which buyer, and every sale in the batch. */
export interface BatchJobData {
  buyer: string;
  sales: SaleContext[];
}

/** What this process is waiting for, by job id, shared by the Sellers of one factory
 *  (a plan reload's new Seller finishes the old one's records). */
interface Local {
  posts: Map<string, Delivery>;
  batches: Map<string, { buyer: PlanBuyer; items: BatchItem[] }>;
  /** Jobs given up on when storing them timed out: skipped if they turn up. */
  abandoned: Set<string>;
}

/**
 * Deliveries on BullMQ: pass as `SellerOptions.deliveries`. One factory may
 * serve several Sellers in turn (a service reloading its plan): each gets its
 * own connection, queues and workers, closed with it.
 */
export function bullmqDeliveries(options: BullmqDeliveriesOptions): DeliverySchedulerFactory {
  const local: Local = { posts: new Map(), batches: new Map(), abandoned: new Set() };
  return (runner) => new BullmqScheduler(runner, options, local);
}

/** A try that failed and has a next one: BullMQ waits `waitMs` (the custom backoff below). */
class TryAgain extends Error {
  constructor(readonly waitMs: number) {
    super('the buyer did not answer; tried again later');
  }
}

/** Every job: waits between tries from the worker's backoff strategy (the Poster's formula), gone once
 *  done (the done key remembers it), kept a while when it failed for a reason of its own (a buyer gone). */
const JOB_OPTIONS = { backoff: { type: 'leadroute' }, removeOnComplete: true, removeOnFail: { age: DONE_TTL_S } } as const;

class BullmqScheduler implements DeliveryScheduler {
  private readonly redis: Redis;
  private readonly posts: Queue<PostJobData>;
  private readonly batches: Queue<BatchJobData>;
  private readonly workers: Worker[];
  private readonly prefix: string;
  /** Job ids this scheduler queued and still waits for (for flush). */
  private readonly mine = new Set<string>();
  private readonly adding = new Set<Promise<void>>();

  constructor(
    private readonly runner: DeliveryRunner,
    private readonly options: BullmqDeliveriesOptions,
    private readonly local: Local,
  ) {
    this.prefix = options.prefix ?? 'leadroute';
    // Workers block on Redis: BullMQ wants no per-request retry limit.
    this.redis = new Redis(options.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (err: Error) => this.options.onError?.(err));
    const connection = this.redis;
    const prefix = this.prefix;
    this.posts = new Queue<PostJobData>(POSTS_QUEUE, { connection, prefix });
    this.batches = new Queue<BatchJobData>(BATCHES_QUEUE, { connection, prefix });
    const settings = { backoffStrategy: (_made: number, _type?: string, err?: Error) => (err instanceof TryAgain ? err.waitMs : 0) };
    this.workers = [
      new Worker<PostJobData>(POSTS_QUEUE, (job) => this.runPost(job), { connection, prefix, concurrency: runner.concurrency, settings }),
      new Worker<BatchJobData>(BATCHES_QUEUE, (job) => this.runBatch(job), { connection, prefix, concurrency: 4, settings }),
    ];
    for (const w of this.workers) w.on('error', (err: Error) => this.options.onError?.(err));
    for (const q of [this.posts, this.batches]) q.on('error', (err: Error) => this.options.onError?.(err));
  }

  // ---------------------------------------------------------------- queueing

  async now(d: Delivery): Promise<void> {
    const step = await this.runner.step(d, FIRST_TRY);
    if (step.kind === 'final') return;
    await this.track(this.queuePost(d, 'post', step.next, step.waitMs));
  }

  at(d: Delivery, at: number): Promise<void> {
    return this.track(this.queuePost(d, 'delayed', FIRST_TRY, Math.max(0, at - Date.now())));
  }

  /** An add in progress, which flush and close wait for. */
  private track(adding: Promise<void>): Promise<void> {
    this.adding.add(adding);
    void adding.finally(() => this.adding.delete(adding));
    return adding;
  }

  async batch(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[]): Promise<void> {
    // The same leads make the same job: queued twice, it is one job.
    const id = `batch.${createHash('sha256').update(items.map((it) => it.sale.postId).join('\u0000')).digest('hex').slice(0, 32)}`;
    this.local.batches.set(id, { buyer, items });
    this.mine.add(id);
    const data: BatchJobData = { buyer: buyer.name, sales: items.map((it) => it.sale) };
    try {
      await this.store(id, this.batches.add('batch', data, { jobId: id, attempts: this.runner.batchTries(buyer, cfg), ...JOB_OPTIONS }));
    } catch (err) {
      this.forget(id);
      this.runner.settleBatch(buyer, items, { ok: false, retry: false, detail: `not queued: ${messageOf(err)}`, waitMs: 0 });
    }
  }

  /** Queue a post from `from`, `delayMs` from now; a post that cannot be queued is failed, saying why. */
  private async queuePost(d: Delivery, mode: PostJobData['mode'], from: PostPosition, delayMs: number): Promise<void> {
    const id = `${d.sale.postId}.post`;
    this.local.posts.set(id, d);
    this.mine.add(id);
    const data: PostJobData = { buyer: d.buyer.name, mode, sale: this.runner.forLater(d.buyer, d.sale), from };
    try {
      await this.store(id, this.posts.add('post', data, { jobId: id, delay: delayMs, attempts: this.runner.triesLeft(d.buyer, from), ...JOB_OPTIONS }));
    } catch (err) {
      this.forget(id);
      d.record.status = 'failed';
      d.record.detail = `${d.record.detail === null ? '' : `${d.record.detail}; `}not queued: ${messageOf(err)}`;
      this.runner.finish(d);
    }
  }

  /**
   * A job stored, or an error once the queue timeout passes (Redis down: BullMQ
   * waits for it forever, and a sale must not). A job stored after that is
   * removed when Redis answers, and this process's workers skip it meanwhile:
   * its delivery was already given up as failed.
   */
  private async store(id: string, adding: Promise<Job>): Promise<void> {
    const ms = this.options.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not store the job in ${ms} ms`)), ms);
    });
    try {
      await Promise.race([adding, late]);
    } catch (err) {
      const { abandoned } = this.local;
      abandoned.add(id);
      adding.then(
        (job) => job.remove().then(() => abandoned.delete(id), () => undefined),
        () => abandoned.delete(id), // never stored
      );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- working

  private async runPost(job: Job<PostJobData>): Promise<void> {
    const id = job.id!;
    if (this.local.abandoned.has(id)) throw new UnrecoverableError('given up on when Redis did not store it in time');
    const { buyer: name, sale, mode, from } = job.data;
    const buyer = this.runner.buyer(name);
    const known = this.local.posts.get(id);
    if (!buyer) {
      const why = `buyer ${name} is no longer in the plan`;
      if (known) {
        known.record.status = 'failed';
        known.record.detail = why;
        this.runner.finish(known);
        this.forget(id);
      }
      throw new UnrecoverableError(why);
    }
    const d: Delivery = { buyer, sale, record: known?.record ?? this.runner.record(buyer, sale, mode) };
    const before = (await this.doneBefore(sale.postId)) ?? this.runner.journalled(sale.leadId, name, sale.routedAt);
    if (before !== null) {
      d.record.status = before;
      d.record.detail = `${before} before (recorded in Redis or the journal): not posted again`;
      d.record.doneBefore = true;
      this.runner.report(d);
      return this.finished(id, d);
    }
    // Remembered in Redis before it is reported (as a batch's leads are).
    const step = await this.runner.step(d, from, (record) => this.markDone(sale.postId, record.status));
    if (step.kind === 'retry') {
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
        await job.updateData({ ...job.data, from: step.next });
        throw new TryAgain(step.waitMs);
      }
      // BullMQ's attempts are spent (the plan gave fewer tries since): final.
      d.record.status = 'failed';
      d.record.detail = [...step.next.failures, `${step.next.endpoint}: ${d.record.detail ?? 'failed'}`].join('; ');
      this.runner.finish(d);
    }
    this.forget(id);
  }

  private async runBatch(job: Job<BatchJobData>): Promise<void> {
    const id = job.id!;
    if (this.local.abandoned.has(id)) throw new UnrecoverableError('given up on when Redis did not store it in time');
    const { buyer: name, sales } = job.data;
    const buyer = this.runner.buyer(name);
    const cfg = buyer?.delivery?.batch ?? null;
    const known = this.local.batches.get(id);
    if (!buyer || !cfg) {
      const why = `buyer ${name} ${buyer ? 'no longer batches' : 'is no longer in the plan'}`;
      if (known) this.runner.settleBatch(known.buyer, known.items, { ok: false, retry: false, detail: why, waitMs: 0 });
      this.forget(id);
      throw new UnrecoverableError(why);
    }
    const all = known?.items ?? sales.map((sale) => ({ sale, record: this.runner.record(buyer, sale, 'batch') }));
    const items = await this.notDoneBefore(buyer, all);
    if (items.length === 0) return this.forget(id);
    const attempt = job.attemptsMade + 1;
    const result = await this.runner.tryBatch(buyer, cfg, items, attempt);
    if (result.retry && attempt < (job.opts.attempts ?? 1)) throw new TryAgain(result.waitMs);
    // Remembered in Redis before anyone is told (settleBatch calls onDelivery),
    // so a delivery sent again once it is reported finds it done.
    const status = batchStatusOf(items, result);
    await Promise.all(items.map((it) => this.markDone(it.sale.postId, status)));
    this.runner.settleBatch(buyer, items, result);
    this.forget(id);
  }

  /** A batch's items without those whose answer a done key holds: those are finished, not sent again. */
  private async notDoneBefore(buyer: PlanBuyer, items: BatchItem[]): Promise<BatchItem[]> {
    const done = await this.redis.mget(items.map((it) => this.doneKey(it.sale.postId)));
    const rest: BatchItem[] = [];
    items.forEach((it, i) => {
      const before = done[i];
      if (before !== 'accepted' && before !== 'rejected' && before !== 'duplicate') return void rest.push(it);
      it.record.status = before;
      it.record.detail = `${before} before (recorded in Redis): not sent again`;
      it.record.doneBefore = true;
      this.runner.report({ buyer, sale: it.sale, record: it.record });
    });
    return rest;
  }

  /** A post's delivery is final: remembered in Redis, and no longer waited for here. */
  private async finished(id: string, d: Delivery): Promise<void> {
    this.forget(id);
    await this.markDone(d.sale.postId, d.record.status);
  }

  private async markDone(postId: string, status: DeliveryRecord['status']): Promise<void> {
    if (status !== 'accepted' && status !== 'rejected' && status !== 'duplicate') return;
    await this.redis.set(this.doneKey(postId), status, 'EX', DONE_TTL_S);
  }

  private async doneBefore(postId: string): Promise<FinalPostOutcome | null> {
    const v = await this.redis.get(this.doneKey(postId));
    return v === 'accepted' || v === 'rejected' || v === 'duplicate' ? v : null;
  }

  private doneKey(postId: string): string {
    return `${this.prefix}:done:${postId}`;
  }

  private forget(id: string): void {
    this.local.posts.delete(id);
    this.local.batches.delete(id);
    this.mine.delete(id);
  }

  // ---------------------------------------------------------------- waiting

  get pending(): { delayed: number; batched: number } {
    let delayed = 0;
    let batched = 0;
    for (const id of this.mine) {
      if (this.local.posts.has(id)) delayed++;
      batched += this.local.batches.get(id)?.items.length ?? 0;
    }
    return { delayed, batched };
  }

  /**
   * Run what this scheduler queued now (delayed jobs promoted) and wait until
   * each is done: here, or by another instance (the job is gone).
   */
  async flush(): Promise<void> {
    await this.added();
    while (this.mine.size > 0) {
      for (const id of [...this.mine]) {
        const queue = this.local.posts.has(id) ? this.posts : this.batches;
        const job = await queue.getJob(id);
        if (!job) {
          // Run by another instance: a job this process runs is forgotten before it is removed.
          await this.doneElsewhere(id);
          continue;
        }
        const state = await job.getState();
        if (state === 'delayed') await job.promote().catch(() => undefined);
        else if (state === 'failed' || state === 'completed') this.forget(id);
      }
      if (this.mine.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** A job another instance ran: the records it finished (by the done keys) are finished here too, saying so. */
  private async doneElsewhere(id: string): Promise<void> {
    const post = this.local.posts.get(id);
    const batch = this.local.batches.get(id);
    this.forget(id);
    const deliveries: Delivery[] = post ? [post] : batch ? batch.items.map((it) => ({ buyer: batch.buyer, sale: it.sale, record: it.record })) : [];
    for (const d of deliveries) {
      const status = await this.doneBefore(d.sale.postId);
      if (status === null) continue;
      d.record.status = status;
      d.record.detail = `${status} by another instance`;
      this.runner.finish(d);
    }
  }

  private async added(): Promise<void> {
    while (this.adding.size > 0) await Promise.all([...this.adding]);
  }

  /**
   * Stop the workers (a job in progress finishes) and disconnect. What waits
   * stays queued in Redis. With Redis unreachable the connection is dropped
   * first, so nothing waits for it.
   */
  async close(): Promise<void> {
    await this.added();
    const reachable = this.redis.status === 'ready';
    if (!reachable) this.redis.disconnect();
    await Promise.all(this.workers.map((w) => w.close(!reachable).catch(() => undefined)));
    await Promise.all([this.posts.close(), this.batches.close()].map((p) => p.catch(() => undefined)));
    if (reachable) await this.redis.quit().catch(() => undefined);
    else this.redis.disconnect();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
