// Buyer outcome metrics over a time window, from the store's events.
//
// The router records a `sold` event whenever a buyer takes a lead; the caller
// records what happened next with Router.recordOutcome (accepted, rejected,
// returned, converted). Over a window:
//
//   acceptance rate = accepted / sold      return rate = returned / sold
//   conversion rate = converted / sold     (null when nothing was sold)
//
// Routing (rank's performance and expected_value, performance splits) uses a
// *predicted* rate instead, the mean of a Beta posterior with a prior of mean
// PRIOR_MEAN worth PRIOR_WEIGHT pseudo-observations:
//
//   predicted = (successes + PRIOR_WEIGHT × PRIOR_MEAN) / (sold + PRIOR_WEIGHT)
//
// so a buyer with no history scores 0.5, and its own record takes over as sales
// accumulate (after 10 sales it counts half). Clamped to 0..1 (outcomes can be
// recorded for sales made before the window began).

import type { RouterStore } from './store.js';

export const PRIOR_MEAN = 0.5;
export const PRIOR_WEIGHT = 10;

export interface BuyerMetrics {
  buyer: string;
  windowMs: number;
  /** Start of the window (ms since the epoch). */
  since: number;
  sold: number;
  accepted: number;
  rejected: number;
  returned: number;
  converted: number;
  /** Observed rates (null when nothing was sold in the window). */
  acceptanceRate: number | null;
  returnRate: number | null;
  conversionRate: number | null;
  /** Rates with the Beta prior; what routing uses. */
  predictedAcceptance: number;
  predictedReturn: number;
  predictedConversion: number;
}

/** Beta-prior estimate of successes / trials, in 0..1. */
export function predictedRate(successes: number, trials: number): number {
  const p = (successes + PRIOR_WEIGHT * PRIOR_MEAN) / (trials + PRIOR_WEIGHT);
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function rate(n: number, sold: number): number | null {
  return sold > 0 ? Math.min(1, n / sold) : null;
}

export function computeMetrics(store: RouterStore, buyer: string, windowMs: number, now: number): BuyerMetrics {
  const since = now - windowMs;
  const sold = store.countEvents(buyer, 'sold', since);
  const accepted = store.countEvents(buyer, 'accepted', since);
  const rejected = store.countEvents(buyer, 'rejected', since);
  const returned = store.countEvents(buyer, 'returned', since);
  const converted = store.countEvents(buyer, 'converted', since);
  return {
    buyer,
    windowMs,
    since,
    sold,
    accepted,
    rejected,
    returned,
    converted,
    acceptanceRate: rate(accepted, sold),
    returnRate: rate(returned, sold),
    conversionRate: rate(converted, sold),
    predictedAcceptance: predictedRate(accepted, sold),
    predictedReturn: predictedRate(returned, sold),
    predictedConversion: predictedRate(converted, sold),
  };
}

/**
 * Split shares (percent, summing to 100) proportional to `scores`, each kept
 * within [min, max]: shares above max are pinned to max (then, once none is
 * above, shares below min to min) and the rest re-spread in proportion over
 * what remains, until none moves. When
 * the bounds cannot all hold (n × min > 100 or n × max < 100) the pinned
 * shares are scaled to sum to 100. All-zero scores share equally.
 */
export function boundedShares(scores: readonly number[], min: number, max: number): number[] {
  const n = scores.length;
  const raw: number[] = scores.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  if (!raw.some((s) => s > 0)) raw.fill(1);
  const pinned: (number | null)[] = new Array<number | null>(n).fill(null);
  const shares = new Array<number>(n).fill(0);
  for (let round = 0; round <= 2 * n; round++) {
    let pinnedSum = 0;
    let freeRaw = 0;
    for (let i = 0; i < n; i++) {
      if (pinned[i] !== null) pinnedSum += pinned[i]!;
      else freeRaw += raw[i]!;
    }
    const left = 100 - pinnedSum;
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (pinned[i] !== null) {
        shares[i] = pinned[i]!;
        continue;
      }
      const s = freeRaw > 0 ? (raw[i]! / freeRaw) * left : 0;
      shares[i] = s;
    }
    // Pin the shares above max first (that only raises the others), then those below min.
    for (let i = 0; i < n; i++) {
      if (pinned[i] === null && shares[i]! > max + 1e-9) {
        pinned[i] = max;
        changed = true;
      }
    }
    if (!changed) {
      for (let i = 0; i < n; i++) {
        if (pinned[i] === null && shares[i]! < min - 1e-9) {
          pinned[i] = min;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const total = shares.reduce((a, b) => a + b, 0);
  return total > 0 ? shares.map((s) => (s * 100) / total) : shares.map(() => 100 / n);
}
