// Records of deliveries: what a Sale reports for each buyer a lead went to.

import type { AttemptOutcome } from './journal.js';

export interface PostAttemptRecord {
  endpoint: 'primary' | 'backup' | 'batch';
  url: string;
  /** 1-based, per endpoint. */
  attempt: number;
  outcome: AttemptOutcome;
  status: number | null;
  detail: string | null;
  startedAt: number;
  durationMs: number;
}

export type DeliveryStatus =
  /** The buyer's endpoint accepted the lead (or the batch holding it was delivered). */
  | 'accepted'
  /** The buyer answered no. */
  | 'rejected'
  /** The buyer answered that it already has the lead (`sale duplicate …`): final, as a rejection. */
  | 'duplicate'
  /** No answer after retries and failover, or the circuit was open. */
  | 'failed'
  /** Waiting for its delivery time (delayed delivery), or, on a delivery queue, for its next try. */
  | 'scheduled'
  /** Waiting in a batch. */
  | 'queued'
  /** The buyer has no post endpoint: sold without HTTP. */
  | 'none';

export interface DeliveryRecord {
  buyer: string;
  leadId: string;
  postId: string;
  pingId: string | null;
  /** Dollars. */
  price: number;
  exclusive: boolean;
  mode: 'post' | 'delayed' | 'batch' | 'none';
  /** Updated in place when a delayed or batched delivery completes. */
  status: DeliveryStatus;
  /** Which endpoint answered last. */
  endpoint: 'primary' | 'backup' | 'batch' | null;
  detail: string | null;
  /** The buyer's own words from its post answer (`sale reason "path"`), when it gave any. */
  reason: string | null;
  /** Where the buyer asks the consumer to be sent (`sale redirect "path"`): an http(s) URL, or null. */
  redirectUrl: string | null;
  /** The buyer's id for the lead (`sale id "path"`), or null. */
  buyerLeadId: string | null;
  /** A price the buyer decided at post time (`sale price "path"`), when its answer gave a valid one;
   *  `price` is then this price. Null otherwise. */
  postPrice: number | null;
  attempts: PostAttemptRecord[];
  /** ISO time a delayed delivery (or, on a delivery queue, the next try) is due. */
  deliverAt?: string;
  /** Found done before (a delivery queue's record of it, or the journal) and not
   *  sent again: whoever sent it counted it, so observers do not count it again. */
  doneBefore?: true;
}

/** What a post needs to know about the sale. */
export interface SaleContext {
  leadId: string;
  lead: Record<string, unknown>;
  buyer: string;
  pingId: string | null;
  postId: string;
  price: number;
  exclusive: boolean;
  /** The lead's random number (for pixel conditions). */
  random: number;
  /** Routing time, ms. */
  routedAt: number;
  /** Values the winning bid carries to the post templates (`ping.NAME`); absent or null when none. */
  carried?: Readonly<Record<string, string>> | null;
}
