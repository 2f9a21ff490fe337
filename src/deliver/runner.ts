// The DeliveryRunner (./scheduler.ts) built from the selling parts a Seller
// holds: its limiter, Poster, Batcher and journal, and what it does once a
// delivery is final (`finish`: stats, outcome, pixels, onDelivery). Every
// scheduler, in process or on a queue, posts through this one path.

import type { PlanBuyer } from '../plan/index.js';
import { batchTriesOf, type Batcher } from './batch.js';
import type { Journal } from './journal.js';
import { saleForLater } from './lead-fields.js';
import type { Limiter } from './limiter.js';
import { newDeliveryRecord, triesLeft, type Poster } from './post.js';
import type { DeliveryRunner, FinalPostOutcome } from './scheduler.js';
import type { DeliveryRecord, SaleContext } from './types.js';

export interface RunnerParts {
  limiter: Limiter;
  poster: Poster;
  batcher: Batcher;
  journal: Journal;
  /** The plan's buyers by name. */
  buyers: ReadonlyMap<string, PlanBuyer>;
  /** A delivery is final (its record says how). */
  finish(buyer: PlanBuyer, sale: SaleContext, record: DeliveryRecord): void;
  /** A delivery found done before: its record reported (onDelivery), nothing counted again. */
  report(record: DeliveryRecord): void;
}

export function deliveryRunner(p: RunnerParts): DeliveryRunner {
  return {
    concurrency: p.limiter.max,
    buyer: (name) => p.buyers.get(name),
    forLater: saleForLater,
    record: (buyer, sale, mode) => ({ ...newDeliveryRecord(buyer, sale), mode }),
    post: async ({ buyer, sale, record }) => {
      await p.limiter.run(() => p.poster.post(buyer, sale, record));
      p.finish(buyer, sale, record);
    },
    step: async ({ buyer, sale, record }, from, remember) => {
      const step = await p.limiter.run(() => p.poster.step(buyer, sale, record, from));
      if (step.kind === 'final') {
        await remember?.(record);
        p.finish(buyer, sale, record);
      } else {
        record.status = 'scheduled';
        record.deliverAt = new Date(Date.now() + step.waitMs).toISOString();
      }
      return step;
    },
    triesLeft,
    sendBatch: (buyer, cfg, items) => p.batcher.deliver(buyer, cfg, items),
    tryBatch: (buyer, cfg, items, attempt) => p.batcher.tryOnce(buyer, cfg, items, attempt),
    batchTries: batchTriesOf,
    settleBatch: (buyer, items, last) => p.batcher.settle(buyer, items, last),
    journalled: (leadId, buyer, since) => journalled(p.journal, leadId, buyer, since),
    finish: ({ buyer, sale, record }) => p.finish(buyer, sale, record),
    report: ({ record }) => p.report(record),
  };
}

/**
 * The last final answer the journal holds for a post of this lead to this
 * buyer since the sale was routed (an earlier sale of a reused lead id is not
 * this one); a journal that fails: none.
 */
function journalled(journal: Journal, leadId: string, buyer: string, since: number): FinalPostOutcome | null {
  let rows;
  try {
    rows = journal.attempts({ leadId, buyer, kind: 'post', since: Math.floor(since) });
  } catch {
    return null;
  }
  for (let i = rows.length - 1; i >= 0; i--) {
    const outcome = rows[i]!.outcome;
    if (outcome === 'accepted' || outcome === 'rejected' || outcome === 'duplicate') return outcome;
  }
  return null;
}
