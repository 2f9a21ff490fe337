// Ranking bids. Without a rank expression a bid's score is its price. With
// one, the expression is compiled by the runtime's evaluator (src/runtime/expr)
// and evaluated with the dotted variables
//
//   bid.price, bid.exclusive, bid.id     the bid
//   buyer.acceptance     the buyer's post accept rate, (accepted + 1) / (posts + 2)
//   buyer.conversion     conversions per accepted post, (converted + 1) / (accepted + 2)
//   buyer.bid_rate       bids per ping;  buyer.win_rate: wins per bid (same smoothing)
//   buyer.response_time  mean ping answer time, ms (0 before the first answer)
//   buyer.relationship   the buyer's declared relationship score (default 0.5)
//
// (counted by this Seller as it sells); undotted names are lead fields. A score
// that is not a finite number ranks the bid out (fate 'unranked').

import type { PlanBuyer, PlanExpr } from '../plan/index.js';
import { evaluatorFor } from '../runtime/index.js';

export interface BuyerCounters {
  pings: number;
  answered: number;
  bids: number;
  wins: number;
  posts: number;
  accepted: number;
  converted: number;
  answerMsSum: number;
}

/** Running per-buyer counters the seller updates as it goes; rank expressions read them. */
export class BuyerStats {
  private readonly map = new Map<string, BuyerCounters>();

  get(buyer: string): BuyerCounters {
    let c = this.map.get(buyer);
    if (!c) this.map.set(buyer, (c = { pings: 0, answered: 0, bids: 0, wins: 0, posts: 0, accepted: 0, converted: 0, answerMsSum: 0 }));
    return c;
  }

  metrics(buyer: PlanBuyer | undefined, name: string): Record<string, number> {
    const c = this.get(name);
    const smooth = (a: number, b: number) => (a + 1) / (b + 2);
    return {
      acceptance: smooth(c.accepted, c.posts),
      conversion: smooth(c.converted, c.accepted),
      bid_rate: smooth(c.bids, c.pings),
      win_rate: smooth(c.wins, c.bids),
      response_time: c.answered === 0 ? 0 : c.answerMsSum / c.answered,
      relationship: buyer?.relationship ?? 0.5,
    };
  }
}

/** A bid's score: its price, or the rank expression's value (null when not a finite number). */
export function scoreBid(
  rank: PlanExpr | null,
  bid: { price: number; exclusive: boolean; id?: string | null },
  metrics: Record<string, number>,
  lead: Record<string, unknown>,
  random: number,
  now: number,
): number | null {
  if (rank === null) return bid.price;
  let v: unknown;
  try {
    v = evaluatorFor(rank)({ lead, random, now, bid: { price: bid.price, exclusive: bid.exclusive, id: bid.id ?? null }, vars: { buyer: metrics } });
  } catch {
    return null;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
