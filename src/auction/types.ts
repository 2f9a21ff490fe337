// The auction's view of the Router (the contract with src/runtime) and the
// records an auction produces.

import type { AnyPlan } from '../plan/index.js';
import type { Decision, PendingAuction, SoldTo } from '../runtime/decision.js';

/** What the router hands over for an `auction` rule (Decision.status === 'auction'). */
export type AuctionSpec = PendingAuction;

/** A Decision as `route` returns it: possibly an auction still to be run. */
export type RoutedDecision = Decision;

export type OutcomeKind = 'accepted' | 'rejected' | 'returned' | 'converted';

/** A sold buyer; `deliverAt` (ISO) defers its delivery. */
export type SoldToAt = SoldTo;

export interface RouteCall {
  now?: Date | number | string;
  seed?: string | number;
  flow?: string;
  trace?: boolean;
  /** Buyers that refused the lead at delivery (the cascade re-routes without them). */
  exclude?: readonly string[];
}

/** The Router as the seller uses it (src/runtime/router.ts implements it). */
export interface SellerRouter {
  route(lead: unknown, opts?: RouteCall): Decision;
  /** Count caps and record the sale of an auctioned lead; returns the final Decision (unrouted when nothing sold). */
  commit(decision: Decision, sold: SoldTo[], opts: { now?: Date | number | string; exclusive?: boolean }): Decision;
  /** route(), confirmed by a store several processes share (Router.routeConfirmed); used when present. */
  routeConfirmed?(lead: unknown, opts?: RouteCall): Promise<Decision>;
  /** commit(), confirmed the same way (Router.commitConfirmed). */
  commitConfirmed?(decision: Decision, sold: SoldTo[], opts: { now?: Date | number | string; exclusive?: boolean }): Promise<Decision>;
  recordOutcome?(leadId: string, buyer: string, kind: OutcomeKind): void;
  /** The loaded plan (`router.loaded.plan` is the plain Plan). */
  readonly loaded?: { readonly plan: AnyPlan };
  /** The same, under the Router's older name. */
  readonly plan?: { readonly plan: AnyPlan } | unknown;
}

/** The plain plan behind a router. */
export function planOf(router: SellerRouter): AnyPlan {
  const loaded = router.loaded ?? (router.plan as { plan?: AnyPlan } | undefined);
  const plan = loaded?.plan;
  if (!plan || !Array.isArray(plan.buyers)) throw new Error('the router exposes no loaded plan (router.loaded.plan)');
  return plan;
}

// ---------------------------------------------------------------- records

/** How a ping ended. */
export type PingOutcome =
  /** A usable bid. */
  | 'bid'
  /** The buyer declined (accepted test false, no price, 204). */
  | 'no-bid'
  /** An answer that is not a valid bid: not JSON, negative or non-numeric price, 4xx ... */
  | 'invalid'
  /** 5xx, connection reset or refused. */
  | 'error'
  /** No answer within the buyer's or the auction's timeout (a later answer is discarded). */
  | 'timeout'
  /** Not sent: the PII guard or the ping template refused it. */
  | 'refused'
  /** Not pinged: circuit open, no endpoint and no price. */
  | 'skipped';

/** What became of a bid. */
export type BidFate =
  | 'sold'
  | 'post-rejected'
  /** The buyer's post answer said it already has the lead. */
  | 'post-duplicate'
  | 'post-failed'
  | 'below-floor'
  | 'below-exclusive-min'
  | 'condition'
  | 'unranked'
  | 'outbid'
  | 'not-reached';

export interface BidRecord {
  buyer: string;
  /** 1-based tier. */
  tier: number;
  pingId: string;
  /** 'ping': a bid over HTTP; 'fixed': a fixed-price buyer (a `price`, no `ping`), not
   *  pinged (pingId ''), bidding its price on the lead (AuctionSpec.fixedPrices). */
  source: 'ping' | 'fixed';
  outcome: PingOutcome;
  /** Why it is not a bid, or what happened to it. */
  reason: string | null;
  /** The buyer's own words from its ping answer (`bid reason "path"`), when it gave any. */
  buyerReason: string | null;
  /** Values the bid carries to the post templates (`bid carry NAME "path"`), or null. */
  carried: Record<string, string> | null;
  httpStatus: number | null;
  durationMs: number;
  /** Bid fields (null unless outcome is 'bid'). */
  price: number | null;
  bidId: string | null;
  exclusive: boolean;
  states: string[] | null;
  maxAgeS: number | null;
  /** The rank score (the price when there is no rank expression). */
  score: number | null;
  fate: BidFate | null;
  postId: string | null;
}

export interface AuctionRecord {
  ruleId: string;
  leadId: string;
  startedAt: string;
  durationMs: number;
  /** Tiers pinged, 1-based, in order. */
  tiersPinged: number[];
  /** Every buyer pinged and every answer, bids and non-bids alike, in ping order. */
  bids: BidRecord[];
  /** Buyers that bought the lead. */
  winners: string[];
  exclusive: boolean;
  /** Total sale price. */
  price: number;
  /** Why nothing was sold (null on a sale). */
  reason: string | null;
}
