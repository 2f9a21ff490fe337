// The seam between a sale and the deliveries it leaves for later: delayed
// posts, the retries after a post's failed try, and the sending of a batch.
// The Seller hands these to a DeliveryScheduler, built by a factory from a
// DeliveryRunner: the Seller's own post path (the Poster, the Batcher, the
// limiter, and what follows a final answer: stats, outcome, pixels,
// onDelivery), so a scheduler decides only when and where work runs.
//
//   in process (the default)  delays on timers (DelayQueue), retries inside
//                             the Poster's loop (a sale waits for them), a
//                             batch sent at once; lost if the process dies
//   BullMQ on Redis           src/adapters/bullmq-deliveries.ts: jobs that
//                             survive the process, run by any instance

import type { PlanBuyer } from '../plan/index.js';
import type { BatchConfig, BatchItem, BatchTry } from './batch.js';
import { DelayQueue } from './delay.js';
import { FIRST_TRY, type PostPosition, type PostStep } from './post.js';
import type { DeliveryRecord, SaleContext } from './types.js';

export type { BatchConfig, BatchItem, BatchTry, PostPosition, PostStep };
export { FIRST_TRY };
/** What a batch's last try makes of its leads (a queue remembers it before it reports it). */
export { batchStatusOf } from './batch.js';

/** A sale's delivery to one buyer: the buyer as the plan has it now, the sale, and its record (updated in place). */
export interface Delivery {
  buyer: PlanBuyer;
  sale: SaleContext;
  record: DeliveryRecord;
}

/** The post outcomes that end a delivery: the buyer answered. */
export type FinalPostOutcome = 'accepted' | 'rejected' | 'duplicate';

/** What a scheduler may ask of the Seller. */
export interface DeliveryRunner {
  /** Posts in flight at once (the Seller's `concurrency`). */
  readonly concurrency: number;
  /** The buyer of that name in the plan in use, if it still has one. */
  buyer(name: string): PlanBuyer | undefined;
  /** The sale as a queued post carries it: the lead cut to the fields the buyer's post and pixels read (./lead-fields.ts). */
  forLater(buyer: PlanBuyer, sale: SaleContext): SaleContext;
  /** A fresh record for a delivery this process did not start (a job queued by another instance). */
  record(buyer: PlanBuyer, sale: SaleContext, mode: DeliveryRecord['mode']): DeliveryRecord;
  /** Post with the Poster's in-process retries and failover, then finish the delivery. */
  post(d: Delivery): Promise<void>;
  /**
   * One try at `from` (failing over to the backup at once when the endpoint is
   * spent). Final: `remember` (a queue's record that the post is done, kept
   * where another instance sees it) and then the delivery is finished, so
   * whoever hears of it finds it remembered. Retry: the record says
   * `scheduled`, due `waitMs` from now.
   */
  step(d: Delivery, from: PostPosition, remember?: (record: DeliveryRecord) => Promise<void>): Promise<PostStep>;
  /** Tries left from `from` on, the backup's included. */
  triesLeft(buyer: PlanBuyer, from: PostPosition): number;
  /** Send a batch in process, retries included; its records settled and finished. */
  sendBatch(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[]): Promise<void>;
  /** One try at a batch (`attempt` 1-based). */
  tryBatch(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[], attempt: number): Promise<BatchTry>;
  /** How many tries a batch gets. */
  batchTries(buyer: PlanBuyer, cfg: BatchConfig): number;
  /** A batch after its last try: records settled, deliveries finished. */
  settleBatch(buyer: PlanBuyer, items: BatchItem[], last: BatchTry): void;
  /** The final answer the journal holds for a post of this lead to this buyer since `since` (the sale's routing, ms), if any. */
  journalled(leadId: string, buyer: string, since: number): FinalPostOutcome | null;
  /** A delivery whose record is final (set by the scheduler): stats, outcome, pixels, onDelivery. */
  finish(d: Delivery): void;
  /** A delivery found done before (a done key, the journal): its record to
   *  onDelivery only. Whoever did it counted it, recorded its outcome and fired
   *  its pixels; doing so again would count one post twice. */
  report(d: Delivery): void;
}

export interface DeliveryScheduler {
  /**
   * Deliver now. Resolves when the sale's part is done: in process, every
   * try; on a queue, the first try, with the retries queued.
   */
  now(d: Delivery): Promise<void>;
  /** Deliver at `at` (ms since the epoch): a delayed post. Resolves once it is
   *  scheduled (on a queue: stored), not when it is sent. */
  at(d: Delivery, at: number): Promise<void>;
  /** Send a batch the Batcher collected. */
  batch(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[]): Promise<void>;
  /** What waits on this scheduler: posts (delayed, or between tries) and leads in batches handed over and not yet sent. */
  readonly pending: { delayed: number; batched: number };
  /** Run what waits now, and wait for it. */
  flush(): Promise<void>;
  /** Stop. In process what waits is sent now (nothing else would send it); a durable queue leaves it queued. */
  close(): Promise<void>;
}

export type DeliverySchedulerFactory = (runner: DeliveryRunner) => DeliveryScheduler;

/** The default: everything in this process, as `leadroute sell` has always delivered. */
export const inProcessDeliveries: DeliverySchedulerFactory = (runner) => new InProcessScheduler(runner);

class InProcessScheduler implements DeliveryScheduler {
  private readonly delayed = new DelayQueue();

  constructor(private readonly runner: DeliveryRunner) {}

  now(d: Delivery): Promise<void> {
    return this.runner.post(d);
  }

  at(d: Delivery, at: number): Promise<void> {
    this.delayed.schedule(at, () => this.runner.post(d));
    return Promise.resolve();
  }

  batch(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[]): Promise<void> {
    return this.runner.sendBatch(buyer, cfg, items);
  }

  get pending(): { delayed: number; batched: number } {
    // A batch handed over is being sent, not waiting.
    return { delayed: this.delayed.size, batched: 0 };
  }

  flush(): Promise<void> {
    return this.delayed.flush();
  }

  close(): Promise<void> {
    return this.delayed.flush();
  }
}
