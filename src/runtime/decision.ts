// What routing one lead produces. Plain data: the CLI prints it, the server will
// return it, tests compare it.

import type { PlanExpr, PlanValue } from '../plan/index.js';

export type TraceCode =
  | 'LeadInvalid' // the lead failed schema validation
  | 'RuleMatched' // a rule's condition held
  | 'RuleSkipped' // a rule's condition was false
  | 'RuleUnplaced' // a rule matched but none of its buyers could take the lead
  | 'FilterFailed' // a buyer's `accepts` was false
  | 'Closed' // outside the buyer's business hours
  | 'CapExceeded' // a buyer or rule cap had no room
  | 'PriceInvalid' // the buyer's price for the lead is not finite, or negative: the buyer is skipped
  | 'Overflow' // a capped buyer handed the lead to its overflow target
  | 'SplitDraw' // which split entry the per-lead draw picked
  | 'TierSkipped' // a waterfall tier whose condition was false
  | 'ShareFull' // a share already has its maximum number of buyers
  | 'FlowEntered' // a `flow` action handed the lead to another flow
  | 'Taken' // the buyer takes the lead
  | 'Rejected' // a `reject` action stopped routing
  | 'NoRulePlaced' // the flow ended without placing the lead
  | 'Holiday' // the buyer is closed for a public holiday
  | 'MissingField' // a field the buyer `requires` is missing or empty
  | 'Duplicate' // the buyer already bought this email/phone within its dedupe window
  | 'Excluded' // the buyer refused this lead at delivery; a re-route passes it over
  | 'Held' // a closed buyer holds the lead until it opens (if no other rule places it)
  | 'OffHoursSend' // a closed buyer sends the lead to another buyer
  | 'Scored' // a `rank` candidate's factor scores and total
  | 'BelowMin' // a `rank` candidate scored under the minimum
  | 'Specialist' // a specialist that matched (or not) in `specialize`
  | 'FallbackStep' // a step of a fallback chain is tried
  | 'Rewrite' // a fallback step rewrote a lead field
  | 'Hybrid' // a hybrid's primary could not take the lead; sharing instead
  | 'FairPick' // a fair split's pick (earliest due among the entries behind their share)
  | 'PerformanceWeights' // the weights a performance split computed
  | 'Auction' // an auction rule's eligible buyers and floors
  | 'Committed'; // a buyer's sale committed after an auction (or dropped: no room)

export interface TraceEntry {
  code: TraceCode;
  /** The buyer the entry is about, if any. */
  buyer?: string;
  /** The rule id ("solar#0") the entry is about, if any. */
  rule?: string;
  /** A sentence a business user can read: "Premium skipped: cap 100/hour reached". */
  message: string;
}

export interface SoldTo {
  name: string;
  /** Dollars. */
  price: number;
  /** When the lead is to be delivered to this buyer (ISO 8601), for deferred
   *  (hybrid secondary) sales and held leads; absent means now. */
  deliverAt?: string;
}

/** An auction the router set up but does not run (it does no HTTP): who may bid, and the floors. */
export interface PendingAuction {
  /** The `auction` rule. */
  ruleId: string;
  /** Tiers in order: the buyers of each that can take the lead now, and the tier's floor (dollars) on this lead. */
  tiers: { buyers: string[]; floor: number | null }[];
  timeoutMs: number;
  /** The auction-wide floor on this lead (dollars). */
  floor: number | null;
  /** Minimum price for an exclusive sale. */
  exclusiveMin: number | null;
  /** Sell to up to this many bidders when no exclusive bid wins (1: never shared). */
  shared: number;
  /** How to rank bids (reads `bid.price`); null: highest price. */
  rank: PlanExpr | null;
  /** Duplicate-suppression keys (sha256, no PII) per buyer with `dedupe`, put when commit() sells to it. */
  dedupeKeys: Record<string, string[]>;
  /** The bid of each fixed-price buyer in the tiers (a `price` and no `ping`): its
   *  price on this lead, worked out as for any sale (an invalid one kept it out of
   *  the tiers). It is not pinged; its price competes with the pinged bids. Absent
   *  when the tiers hold none. */
  fixedPrices?: Record<string, number>;
}

/** A fixed-price buyer's bid in a pending auction, or undefined for a pinged one.
 *  Read as an own property: a buyer may be named `__proto__` or `constructor`. */
export function fixedPriceOf(auction: PendingAuction, buyer: string): number | undefined {
  const prices = auction.fixedPrices;
  return prices !== undefined && Object.hasOwn(prices, buyer) ? prices[buyer] : undefined;
}

export interface LeadError {
  field: string;
  message: string;
}

export interface Decision {
  leadId: string;
  flow: string;
  /** routed: sold. unrouted: no buyer (or `reject`). rejected: the lead failed validation.
   *  held: a closed buyer with `off hours hold` waits for it (see holdUntil).
   *  auction: an `auction` rule matched; run it and call Router.commit() with the winners. */
  status: 'routed' | 'unrouted' | 'rejected' | 'held' | 'auction';
  /** Empty unless routed; for a held lead, the buyer it waits for (deliverAt = holdUntil). */
  buyers: SoldTo[];
  /** True when sold to one buyer exclusively; false for a shared sale or no sale. */
  exclusive: boolean;
  /** Sum of the buyers' prices. */
  price: number;
  /** The rule that placed the lead. */
  rule: { id: string; text: string; line: number } | null;
  /** Why the lead was not routed (unrouted or rejected). */
  reason: string | null;
  /** For rejected leads: every field that failed validation. */
  errors: LeadError[];
  /** The lead's random number, 1..100. */
  random: number;
  /** Routing time, ISO 8601. */
  at: string;
  trace: TraceEntry[];
  /** For a held lead: when its buyer next opens (ISO 8601); route it again then. Null otherwise. */
  holdUntil: string | null;
  /** For status 'auction': the auction to run. Kept on the decision commit() returns. */
  auction: PendingAuction | null;
  /** Lead fields a fallback chain rewrote before the lead was placed (empty when none). */
  rewrites: Record<string, PlanValue>;
}
