// Selling metrics computed from the journal, per buyer, per flow and overall.
//
//   ping response rate   pings answered in time (bid, no-bid or an unusable answer) / pings sent
//   bid rate             bids / pings sent
//   average bid          mean bid price
//   win rate             bids that were posted to / bids
//   post accept rate     (lead, buyer) deliveries with an accepted post / deliveries attempted
//   revenue              sum of accepted post prices
//   revenue per ping     revenue / pings sent;   revenue per lead: revenue / leads seen
//   response times       p50/p95/p99 of answered attempts (nearest rank), pings and posts apart

import type { AttemptRow } from './journal.js';

export interface LatencyStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SellMetrics {
  /** Distinct leads with an attempt. */
  leads: number;
  /** Pings sent (refused and skipped pings were not sent). */
  pings: number;
  /** Pings the PII guard or a template refused. */
  refused: number;
  responses: number;
  pingResponseRate: number | null;
  bids: number;
  bidRate: number | null;
  avgBid: number | null;
  wins: number;
  winRate: number | null;
  /** (lead, buyer) deliveries attempted. */
  posts: number;
  accepted: number;
  postAcceptRate: number | null;
  revenue: number;
  revenuePerPing: number | null;
  revenuePerLead: number | null;
  pixelsFired: number;
  pixelsFailed: number;
  pingTime: LatencyStats;
  postTime: LatencyStats;
  /** Pings and posts together. */
  responseTime: LatencyStats;
}

export interface MetricsReport {
  overall: SellMetrics;
  buyers: Record<string, SellMetrics>;
  flows: Record<string, SellMetrics>;
}

export interface MetricsOptions {
  /** The flow a lead was sold in (attempts of unknown leads go to "(unknown)"). */
  flowOf?: (leadId: string) => string | undefined;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

function latency(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : null;
  return { count: s.length, mean: mean === null ? null : round2(mean), p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const rate = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10000) / 10000);

const ANSWERED_PING = new Set(['bid', 'no-bid', 'invalid']);
const SENT_PING_EXCLUDED = new Set(['refused', 'skipped']);

/** Metrics for one group of attempts. */
export function summarize(rows: AttemptRow[]): SellMetrics {
  const leads = new Set<string>();
  let pings = 0;
  let refused = 0;
  let responses = 0;
  let bids = 0;
  let bidSum = 0;
  const bidKeys = new Set<string>();
  const postKeys = new Set<string>();
  const acceptedKeys = new Set<string>();
  let revenue = 0;
  let pixelsFired = 0;
  let pixelsFailed = 0;
  const pingTimes: number[] = [];
  const postTimes: number[] = [];
  for (const r of rows) {
    leads.add(r.leadId);
    const key = r.leadId + '\u0000' + r.buyer;
    if (r.kind === 'ping') {
      if (SENT_PING_EXCLUDED.has(r.outcome)) {
        if (r.outcome === 'refused') refused++;
        continue;
      }
      pings++;
      if (ANSWERED_PING.has(r.outcome)) responses++;
      if (r.status !== null && r.outcome !== 'timeout' && r.outcome !== 'late') pingTimes.push(r.durationMs);
      if (r.outcome === 'bid') {
        bids++;
        bidSum += r.price ?? 0;
        bidKeys.add(key);
      }
    } else if (r.kind === 'post') {
      postKeys.add(key);
      if (r.status !== null && r.outcome !== 'timeout') postTimes.push(r.durationMs);
      if (r.outcome === 'accepted' && !acceptedKeys.has(key)) {
        acceptedKeys.add(key);
        revenue += r.price ?? 0;
      }
    } else {
      if (r.outcome === 'fired') pixelsFired++;
      else pixelsFailed++;
    }
  }
  let wins = 0;
  for (const k of bidKeys) if (postKeys.has(k)) wins++;
  revenue = round2(revenue);
  return {
    leads: leads.size,
    pings,
    refused,
    responses,
    pingResponseRate: rate(responses, pings),
    bids,
    bidRate: rate(bids, pings),
    avgBid: bids === 0 ? null : round2(bidSum / bids),
    wins,
    winRate: rate(wins, bids),
    posts: postKeys.size,
    accepted: acceptedKeys.size,
    postAcceptRate: rate(acceptedKeys.size, postKeys.size),
    revenue,
    revenuePerPing: pings === 0 ? null : round2(revenue / pings),
    revenuePerLead: leads.size === 0 ? null : round2(revenue / leads.size),
    pixelsFired,
    pixelsFailed,
    pingTime: latency(pingTimes),
    postTime: latency(postTimes),
    responseTime: latency([...pingTimes, ...postTimes]),
  };
}

/** Metrics overall, per buyer and per flow. */
export function computeMetrics(rows: AttemptRow[], options: MetricsOptions = {}): MetricsReport {
  const byBuyer = new Map<string, AttemptRow[]>();
  const byFlow = new Map<string, AttemptRow[]>();
  for (const r of rows) {
    let b = byBuyer.get(r.buyer);
    if (!b) byBuyer.set(r.buyer, (b = []));
    b.push(r);
    if (options.flowOf) {
      const flow = options.flowOf(r.leadId) ?? '(unknown)';
      let f = byFlow.get(flow);
      if (!f) byFlow.set(flow, (f = []));
      f.push(r);
    }
  }
  const buyers: Record<string, SellMetrics> = {};
  for (const [k, v] of [...byBuyer].sort((a, b) => a[0].localeCompare(b[0]))) buyers[k] = summarize(v);
  const flows: Record<string, SellMetrics> = {};
  for (const [k, v] of [...byFlow].sort((a, b) => a[0].localeCompare(b[0]))) flows[k] = summarize(v);
  return { overall: summarize(rows), buyers, flows };
}
