// GET /metrics: Prometheus metrics with prom-client, in a registry of the
// server's own (several servers in one process, as in tests, do not share
// counters). Counted as leads, pings and deliveries happen (the service's
// observer); cap usage and circuit-breaker states are read when scraped.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sale } from '../auction/index.js';
import type { DeliveryRecord } from '../deliver/types.js';
import type { RouterStore } from '../runtime/store.js';
import type { LeadService, PingAnswer, ServiceObserver } from './service.js';

const BREAKER_VALUE: Record<string, number> = { closed: 0, 'half-open': 1, open: 2 };

export class ServeMetrics implements ServiceObserver {
  readonly registry = new Registry();
  private readonly leads: Counter<'flow' | 'outcome'>;
  private readonly soldTo: Counter<'flow' | 'buyer'>;
  private readonly auctionSeconds: Histogram<'flow'>;
  private readonly saleSeconds: Histogram<'flow'>;
  private readonly bids: Counter<'buyer' | 'outcome'>;
  private readonly bidDollars: Histogram<'buyer'>;
  private readonly revenue: Counter<'buyer'>;
  private readonly deliveries: Counter<'buyer' | 'status'>;
  private readonly deliveryFailures: Counter<'buyer'>;
  private readonly pings: Counter<'flow' | 'answer'>;
  private readonly reloads: Counter<'result'>;
  private readonly resumedLeads: Counter<'how'>;
  private readonly feedbacks: Counter<'buyer' | 'kind'>;

  constructor(service: LeadService, store: RouterStore) {
    const registers = [this.registry];
    this.leads = new Counter({ name: 'leadroute_leads_total', help: 'Leads posted, by flow and outcome (a decision status, or invalid, duplicate, failed)', labelNames: ['flow', 'outcome'], registers });
    this.soldTo = new Counter({ name: 'leadroute_decisions_total', help: 'Buyers leads were sold to, by flow and buyer', labelNames: ['flow', 'buyer'], registers });
    this.auctionSeconds = new Histogram({ name: 'leadroute_auction_seconds', help: 'Auction duration (pings, pick, post)', labelNames: ['flow'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5], registers });
    this.saleSeconds = new Histogram({ name: 'leadroute_sale_seconds', help: 'Time from a lead received to its answer', labelNames: ['flow'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers });
    this.bids = new Counter({ name: 'leadroute_bids_total', help: 'Ping answers in auctions, by buyer and outcome (bid, no-bid, invalid, error, timeout, …)', labelNames: ['buyer', 'outcome'], registers });
    this.bidDollars = new Histogram({ name: 'leadroute_bid_dollars', help: 'Bid prices', labelNames: ['buyer'], buckets: [1, 5, 10, 20, 35, 50, 75, 100, 150, 250], registers });
    this.revenue = new Counter({ name: 'leadroute_revenue_dollars_total', help: 'Accepted deliveries, dollars', labelNames: ['buyer'], registers });
    this.deliveries = new Counter({ name: 'leadroute_deliveries_total', help: 'Finished deliveries by buyer and status', labelNames: ['buyer', 'status'], registers });
    this.deliveryFailures = new Counter({ name: 'leadroute_delivery_failures_total', help: 'Deliveries that failed (no answer after retries and failover, or circuit open)', labelNames: ['buyer'], registers });
    this.pings = new Counter({ name: 'leadroute_pings_total', help: 'Source pings answered, by flow and answer', labelNames: ['flow', 'answer'], registers });
    this.reloads = new Counter({ name: 'leadroute_plan_reloads_total', help: 'Rule file reloads, taken or refused', labelNames: ['result'], registers });
    this.resumedLeads = new Counter({ name: 'leadroute_resumed_total', help: 'Unfinished leads taken up again after a restart', labelNames: ['how'], registers });
    this.feedbacks = new Counter({ name: 'leadroute_feedback_total', help: 'Returns and conversions recorded (POST /feedback), by buyer', labelNames: ['buyer', 'kind'], registers });
    new Gauge({
      name: 'leadroute_cap_usage_ratio',
      help: "Each cap's count in its current window over its limit",
      labelNames: ['buyer', 'cap'],
      registers,
      collect() {
        this.reset();
        const loaded = service.router?.loaded;
        if (!loaded) return;
        const now = Date.now();
        for (const b of loaded.buyers) {
          const ids = b.clock.windows(now).ids;
          for (const c of b.counters) this.set({ buyer: b.name, cap: c.label() }, c.limit > 0 ? c.used(store, ids, now) / c.limit : 0);
        }
      },
    });
    new Gauge({
      name: 'leadroute_circuit_state',
      help: "Each buyer endpoint's circuit breaker: 0 closed, 1 half-open, 2 open",
      labelNames: ['buyer', 'endpoint'],
      registers,
      collect() {
        this.reset();
        const seller = service.seller;
        const plan = service.plan;
        if (!seller || !plan) return;
        for (const b of plan.buyers) {
          if (!b.delivery?.breaker) continue;
          for (const endpoint of ['primary', 'backup'] as const) this.set({ buyer: b.name, endpoint }, BREAKER_VALUE[seller.breakers.state(b, endpoint)] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'leadroute_leads_waiting',
      help: 'Leads sold whose delayed or batched deliveries are still to come',
      registers,
      collect() {
        this.set(service.pending);
      },
    });
  }

  lead(flow: string, outcome: string): void {
    this.leads.inc({ flow, outcome });
  }

  feedback(buyer: string, kind: string): void {
    this.feedbacks.inc({ buyer, kind });
  }

  reload(ok: boolean): void {
    this.reloads.inc({ result: ok ? 'taken' : 'refused' });
  }

  // ---------------------------------------------------------- the service's observer

  sold(flow: string, sale: Sale, ms: number): void {
    const d = sale.decision;
    this.leads.inc({ flow, outcome: d.status });
    this.saleSeconds.observe({ flow }, ms / 1000);
    for (const b of d.buyers) this.soldTo.inc({ flow, buyer: b.name });
    if (sale.auction) {
      this.auctionSeconds.observe({ flow }, sale.auction.durationMs / 1000);
      for (const bid of sale.auction.bids) {
        this.bids.inc({ buyer: bid.buyer, outcome: bid.outcome });
        if (bid.outcome === 'bid' && bid.price !== null) this.bidDollars.observe({ buyer: bid.buyer }, bid.price);
      }
    }
  }

  delivered(rec: DeliveryRecord): void {
    this.deliveries.inc({ buyer: rec.buyer, status: rec.status });
    if (rec.status === 'accepted') this.revenue.inc({ buyer: rec.buyer }, rec.price);
    if (rec.status === 'failed') this.deliveryFailures.inc({ buyer: rec.buyer });
  }

  pinged(flow: string, answer: PingAnswer): void {
    this.pings.inc({ flow, answer: answer.kind });
  }

  resumed(_leadId: string, how: string, error?: string): void {
    this.resumedLeads.inc({ how: error === undefined ? how : 'failed' });
  }
}
