// The Seller: routes a lead with the Router, then sells it over HTTP.
// (Over 500 lines because the class holds the state every sale shares — router,
// breakers, the delivery scheduler, batches, pixels, secrets — and its methods are the
// steps of one sale, kept in the order they run; auction.ts and deliver/ hold
// the steps' own work.)
//
//   auction decision  → ping, pick, post (auction.ts), then router.commit with
//                       what was actually accepted, at the price the post's
//                       answer decided when it gave one (`sale price`);
//                       nothing accepted: unrouted.
//   routed decision   → plain delivery to each buyer: post now (retries, backoff,
//                       failover, breaker, at most `concurrency` posts at once),
//                       later (delivery.delayMs, or SoldTo.deliverAt), or in a
//                       batch (delivery.batch). Buyers without `post` are sold
//                       without HTTP. The router booked these sales before the
//                       post, so a post-time price (`sale price`) is the
//                       delivery record's price only; the caps keep the routed one.
//   pixels            → sold, delivered, rejected (and returned, via outcome()),
//                       fire-and-forget.
//
// `sell` resolves when the auction and the immediate posts are done; delayed and
// batched deliveries complete later (their DeliveryRecords are updated in place;
// `flush` sends them now and waits). Who runs what waits is the delivery
// scheduler (`options.deliveries`, src/deliver/scheduler.ts): this process by
// default, or BullMQ queues (src/adapters/bullmq-deliveries.ts), where a plain
// post's retries after its first try wait too.
//
// Secrets (`{{secret.NAME}}` in ping and post templates) are read once, here,
// from `options.secrets` (default: process.env) for the names the plan reads;
// one missing is a MissingSecretError from the constructor. Their values are
// redacted (src/deliver/secrets.ts) where a buyer's answer comes in (the HTTP
// client's redact option) and at each boundary the Seller hands text over:
// the journal (one wrapper every attempt goes through), the Sale and its
// records (when `sell` resolves), a finished delivery (before onDelivery), a
// pixel's record (before onPixel), and the error `sell` rejects with.

import { setMaxListeners } from 'node:events';
import type { Dispatcher } from 'undici';
import type { AnyPlan, PlanBuyer, PlanField } from '../plan/index.js';
import type { Decision } from '../runtime/decision.js';
import { leadShapeOf, trimLead, type LeadShape } from '../runtime/lead-guard.js';
import { Batcher } from '../deliver/batch.js';
import { HttpClient } from '../deliver/http.js';
import type { Journal } from '../deliver/journal.js';
import { MemoryJournal } from '../adapters/memory-journal.js';
import { Limiter } from '../deliver/limiter.js';
import { computeMetrics, type MetricsReport } from '../deliver/metrics.js';
import { PixelFirer, type PixelRecord } from '../deliver/pixels.js';
import { Breakers, newDeliveryRecord, Poster } from '../deliver/post.js';
import { deliveryRunner } from '../deliver/runner.js';
import { inProcessDeliveries, type DeliveryScheduler, type DeliverySchedulerFactory } from '../deliver/scheduler.js';
import { Secrets, type SecretSource } from '../deliver/secrets.js';
import { TemplateSet } from '../deliver/templates.js';
import type { DeliveryRecord, SaleContext } from '../deliver/types.js';
import { buyersByName, runAuction } from './auction.js';
import { newId } from './ids.js';
import { piiInPixelUrl } from './pii.js';
import { BuyerStats } from './rank.js';
import { planOf, type AuctionRecord, type OutcomeKind, type RouteCall, type SellerRouter, type SoldToAt } from './types.js';

/** Re-routes after a refused delivery, by default. */
const DEFAULT_CASCADE = 3;

export interface SellerOptions {
  /** Where attempts are journalled. Default: a MemoryJournal. */
  journal?: Journal;
  /** Auction timeout when the decision carries none. Default 750 ms. */
  timeoutMs?: number;
  /** An undici dispatcher for every request (default: one keep-alive Pool per origin). */
  dispatcher?: Dispatcher;
  /** The HTTP client for every ping, post and pixel, instead of one made from
   *  `dispatcher`/`connections` (`leadroute sell --dry-run` passes a
   *  RecordingHttpClient, which writes requests down and sends none). */
  http?: HttpClient;
  /** Posts in flight at once (plain delivery). Default 16. */
  concurrency?: number;
  /** Connections per buyer origin (keep-alive pool). Default 64. */
  connections?: number;
  /** Sanity ceiling for a bid, dollars. Default 10,000. */
  maxBid?: number;
  /** Pixel timeout. Default 2 s. */
  pixelTimeoutMs?: number;
  /** Base directory for relative `file:` batch targets. Default: the working directory. */
  baseDir?: string;
  /** The lead field holding its creation time, for bid max-age conditions (default: a time field named created/submitted/received/timestamp…; none: the lead is as old as the sale). */
  leadTimeField?: string | null;
  /** Called when a delivery finishes (also delayed and batched ones). */
  onDelivery?: (record: DeliveryRecord) => void;
  /** Cascade: when the one buyer of an exclusive sale refuses the lead at
   *  delivery (rejected, or failed after retries and failover), route it again
   *  without that buyer, up to this many times. Default 3; 0 turns it off. */
  cascade?: number;
  /** Called with every pixel's outcome. */
  onPixel?: (record: PixelRecord) => void;
  /** Clock for circuit breakers (tests). Default Date.now. */
  clock?: () => number;
  /**
   * Where `{{secret.NAME}}` values come from: an environment or a lookup.
   * Default: `process.env`. Only the names the plan reads are looked up, once,
   * here; a missing one throws MissingSecretError. Pass your own (or a clean
   * environment) when the rule file is not yours: it can name any variable.
   */
  secrets?: SecretSource;
  /**
   * The post id of a lead's post to a buyer, sent as its Idempotency-Key
   * header. Default: a random id per post. A service that resumes deliveries
   * after a restart (src/serve) derives it from the lead and the buyer, so the
   * post sent again carries the key the buyer already saw.
   */
  postIdOf?: (leadId: string, buyer: string) => string;
  /**
   * Who runs the deliveries a sale leaves for later: delayed posts, the tries
   * after a post's failed first try, batches (src/deliver/scheduler.ts).
   * Default: this process (`inProcessDeliveries`: timers, retries inside the
   * sale). `bullmqDeliveries` (src/adapters) puts them on BullMQ queues in Redis.
   */
  deliveries?: DeliverySchedulerFactory;
}

export interface SellOptions extends RouteCall {}

export interface Sale {
  decision: Decision;
  auction: AuctionRecord | null;
  deliveries: DeliveryRecord[];
  /** Where the buyer that took the lead asks the consumer to be sent (its post
   *  answer's `sale redirect`): the first accepted delivery's, or null. */
  redirectUrl: string | null;
  /** That buyer's id for the lead (`sale id`), or null. */
  buyerLeadId: string | null;
  /** Set when the winners were posted but the store could not record the sale
   *  (after COMMIT_ATTEMPTS tries: a store locked by another process, say):
   *  the deliveries happened; the caps and the journal do not count them. */
  commitError?: string;
}

/** Tries at recording an auction's sale once its winners were posted. Each
 *  try is all or nothing (a store with atomic() commits a lead whole), so a
 *  retry never counts a sale twice; a SQLite store waits its busy timeout in each. */
const COMMIT_ATTEMPTS = 3;

const FLOW_MEMORY = 100_000;

function defaultTimeField(fields: PlanField[]): string | null {
  const times = fields.filter((f) => f.type.kind === 'time');
  const named = times.find((f) => /created|submitted|received|timestamp|captured|lead_time/i.test(f.name));
  return named?.name ?? null;
}

export class Seller {
  readonly journal: Journal;
  readonly http: HttpClient;
  readonly templates: TemplateSet;
  readonly breakers: Breakers;
  readonly stats = new BuyerStats();
  /** The secrets the plan reads, resolved once; `secrets.redact` is the redaction every boundary applies. */
  readonly secrets: Secrets;
  private readonly plan: AnyPlan;
  private readonly byName: Map<string, PlanBuyer>;
  private readonly poster: Poster;
  private readonly pixels: PixelFirer;
  private readonly batcher: Batcher;
  private readonly deliveries: DeliveryScheduler;
  private readonly limiter: Limiter;
  private readonly abort = new AbortController();
  private readonly active = new Set<Promise<unknown>>();
  private readonly flows = new Map<string, string>();
  private readonly timeField: string | null;
  private readonly leadShape: LeadShape;
  private closed = false;
  /** `journal` behind a guard that counts its failures instead of failing the sale. */
  private readonly safeJournal: Journal;
  /** Journal writes that failed (the sale went on). */
  journalErrors = 0;
  lastJournalError: Error | null = null;

  constructor(
    readonly router: SellerRouter,
    private readonly options: SellerOptions = {},
  ) {
    this.plan = planOf(router);
    this.byName = buyersByName(this.plan);
    // The edge of the selling side: the embedder's source, else the process's environment.
    this.secrets = Secrets.resolve(this.plan, options.secrets ?? process.env);
    this.journal = options.journal ?? new MemoryJournal();
    // A journal that fails (a locked database, say) must not fail a sale: its
    // errors are counted (journalErrors) and the last one kept (lastJournalError).
    // Every attempt goes through here, so here its secrets are redacted.
    const inner = this.journal;
    const guarded: Journal = {
      recordAttempt: (a) => {
        try {
          inner.recordAttempt(this.secrets.redactDeep(a));
        } catch (err) {
          this.journalErrors++;
          this.lastJournalError = err as Error;
        }
      },
      attempts: (f) => inner.attempts(f),
    };
    // Answers are redacted as they arrive: a buyer may echo a key back.
    const redact = this.secrets.isEmpty ? {} : { redact: (text: string) => this.secrets.redact(text) };
    this.http = options.http ?? new HttpClient(options.dispatcher ? { dispatcher: options.dispatcher, ...redact } : { connections: options.connections ?? 64, ...redact });
    this.templates = TemplateSet.forPlan(this.plan);
    this.breakers = new Breakers(options.clock ?? Date.now);
    this.limiter = new Limiter(options.concurrency ?? 16);
    const signal = this.abort.signal;
    setMaxListeners(0, signal); // every request in flight listens to it
    this.poster = new Poster({ http: this.http, journal: guarded, templates: this.templates, breakers: this.breakers, signal, secrets: this.secrets.values });
    this.safeJournal = guarded;
    this.pixels = new PixelFirer({
      http: this.http,
      journal: guarded,
      templates: this.templates,
      timeoutMs: options.pixelTimeoutMs,
      onPixel: options.onPixel && ((record) => options.onPixel!(this.secrets.redactDeep(record))),
      refuseUrl: (lead, url) => piiInPixelUrl(this.plan.lead.fields, lead, url),
    });
    this.batcher = new Batcher({
      http: this.http,
      journal: guarded,
      baseDir: options.baseDir,
      signal,
      onSent: (buyer, items) => {
        for (const it of items) this.afterPost(buyer, it.sale, it.record);
      },
      dispatch: (buyer, cfg, items) => this.deliveries.batch(buyer, cfg, items),
    });
    const runner = deliveryRunner({
      limiter: this.limiter,
      poster: this.poster,
      batcher: this.batcher,
      journal: this.journal,
      buyers: this.byName,
      finish: (buyer, sale, record) => this.afterPost(buyer, sale, record),
      report: (record) => this.delivered(record),
    });
    this.deliveries = (options.deliveries ?? inProcessDeliveries)(runner);
    this.leadShape = leadShapeOf(this.plan.lead.fields);
    this.timeField = options.leadTimeField === undefined ? defaultTimeField(this.plan.lead.fields) : options.leadTimeField;
  }

  /** Route and sell one lead. */
  sell(lead: unknown, opts: SellOptions = {}): Promise<Sale> {
    if (this.closed) return Promise.reject(new Error('the seller is closed'));
    return this.track(this.sellOne(lead, opts));
  }

  /** What leaves: the Sale and every record in it, or the error, with no secret in either; kept in `active` until settled, for close(). */
  private track(selling: Promise<SaleSoFar>): Promise<Sale> {
    const p = selling.then(withBuyerAnswer).then(
      (sale) => this.redactSale(sale),
      (err: unknown) => {
        throw this.redactError(err);
      },
    );
    this.active.add(p);
    void p.finally(() => this.active.delete(p)).catch(() => undefined);
    return p;
  }

  private async sellOne(original: unknown, opts: SellOptions): Promise<SaleSoFar> {
    const sellStart = Date.now();
    // The lead as the router validates and routes it (e-mail and phone trimmed):
    // pings, posts and pixels send that one, not the caller's padded values.
    const lead = trimLead(original, this.leadShape);
    const call: RouteCall = {};
    if (opts.now !== undefined) call.now = opts.now;
    if (opts.seed !== undefined) call.seed = opts.seed;
    if (opts.flow !== undefined) call.flow = opts.flow;
    if (opts.trace !== undefined) call.trace = opts.trace;
    const decision = await this.routeLead(lead, call);
    this.rememberFlow(decision.leadId, decision.flow);
    const routedAt = Date.parse(decision.at);
    const leadObj = lead as Record<string, unknown>;

    if (decision.status === 'auction' && decision.auction) {
      let leadTime: number | null = null;
      if (this.timeField) {
        const v = leadObj[this.timeField];
        const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
        if (Number.isFinite(t)) leadTime = t;
      }
      const ageS = () => ((leadTime !== null ? routedAt - leadTime : 0) + (Date.now() - sellStart)) / 1000;
      const result = await runAuction(
        {
          plan: this.plan,
          http: this.http,
          journal: this.safeJournal,
          templates: this.templates,
          poster: this.poster,
          breakers: this.breakers,
          stats: this.stats,
          maxBid: this.options.maxBid,
          defaultTimeoutMs: this.options.timeoutMs,
          secrets: this.secrets.values,
          ...(this.options.postIdOf ? { postIdOf: this.options.postIdOf } : {}),
          // No abort signal: close() waits for the sales in progress before it
          // aborts anything, and linking every tier's deadline to a signal costs
          // an event listener added and removed per auction (A/B: ~5 % of the
          // overhead at 50 buyers).
        },
        { leadId: decision.leadId, lead: asRewritten(leadObj, decision), spec: decision.auction, random: decision.random, routedAt, ageS },
      );
      const sold = result.sold.map((s) => ({ name: s.buyer.name, price: s.sale.price }));
      const committed = await this.commitSale(decision, sold, { now: opts.now ?? routedAt, exclusive: result.exclusive });
      if ('error' in committed) {
        // The buyers have the lead: say so, with what went wrong, rather than lose the sale's record.
        for (const d of result.deliveries) this.delivered(d);
        const reason = `sold at auction but not recorded: ${committed.error}`;
        return { decision: { ...decision, reason }, auction: result.record, deliveries: result.deliveries, commitError: committed.error };
      }
      let final = committed.decision;
      if (final.status !== 'routed' && result.record.reason !== null) final = { ...final, reason: `auction: ${result.record.reason}` };
      if (result.sold.length > 0) {
        // A winner the router dropped at commit (its cap filled meanwhile) keeps its
        // delivery record; it is not counted as sold.
        const committed = new Set(final.buyers.map((b) => b.name));
        for (const s of result.sold) {
          if (!committed.has(s.buyer.name)) continue;
          this.pixels.fire(s.buyer, 'sold', s.sale);
          if (s.delivery.status === 'accepted') {
            this.router.recordOutcome?.(decision.leadId, s.buyer.name, 'accepted');
            this.pixels.fire(s.buyer, 'delivered', s.sale);
          }
        }
      }
      for (const r of result.rejected) this.pixels.fire(r.buyer, 'rejected', r.sale);
      for (const d of result.deliveries) this.delivered(d);
      return { decision: final, auction: result.record, deliveries: result.deliveries };
    }

    if (decision.status === 'routed') return this.deliverWithCascade(lead, call, decision, leadObj, routedAt);
    return { decision, auction: null, deliveries: [] };
  }

  /**
   * Deliver a routed sale; when its single exclusive buyer refuses the lead at
   * delivery, route the lead again without the buyers that refused it (the
   * seed's cascade: the next buyer the rules allow gets it). Every decision is
   * journalled by the router, and every delivery is returned.
   */
  private async deliverWithCascade(
    lead: unknown,
    call: RouteCall,
    first: Decision,
    leadObj: Record<string, unknown>,
    routedAt: number,
  ): Promise<SaleSoFar> {
    const limit = this.options.cascade ?? DEFAULT_CASCADE;
    const deliveries: DeliveryRecord[] = [];
    const refused: string[] = [];
    let decision = first;
    for (;;) {
      const records = await this.deliverRouted(decision, asRewritten(leadObj, decision), routedAt);
      deliveries.push(...records);
      const only = records.length === 1 ? records[0]! : null;
      const refusedNow =
        decision.exclusive && only !== null && only.mode === 'post' && (only.status === 'rejected' || only.status === 'duplicate' || only.status === 'failed');
      if (!refusedNow || refused.length >= limit) return { decision, auction: null, deliveries };
      refused.push(only.buyer);
      const next = await this.routeLead(lead, { ...call, exclude: refused });
      if (next.status !== 'routed') {
        const why = `${refused.join(', ')} refused the lead at delivery; ${next.reason ?? 'no other buyer could take it'}`;
        return { decision: { ...next, reason: why }, auction: null, deliveries };
      }
      decision = next;
    }
  }

  /**
   * Deliver a decision the router made earlier (its caps already counted): the
   * posts of a `routed` decision, with the cascade, without routing the lead
   * again. For a service resuming after a restart the deliveries a crash cut
   * off; pass only the buyers still to be delivered to.
   */
  deliver(lead: unknown, decision: Decision): Promise<Sale> {
    if (this.closed) return Promise.reject(new Error('the seller is closed'));
    if (decision.status !== 'routed') return Promise.reject(new Error(`only a routed decision is delivered; this one is ${decision.status}`));
    const trimmed = trimLead(lead, this.leadShape);
    this.rememberFlow(decision.leadId, decision.flow);
    const call: RouteCall = { flow: decision.flow };
    return this.track(this.deliverWithCascade(trimmed, call, decision, trimmed as Record<string, unknown>, Date.parse(decision.at)));
  }

  /** Record an auction's sale with the router, trying again when the store refuses (see COMMIT_ATTEMPTS). */
  private async commitSale(decision: Decision, sold: SoldToAt[], at: { now?: Date | number | string; exclusive?: boolean }): Promise<{ decision: Decision } | { error: string }> {
    let error = '';
    for (let attempt = 1; attempt <= COMMIT_ATTEMPTS; attempt++) {
      try {
        const router = this.router;
        return { decision: router.commitConfirmed ? await router.commitConfirmed(decision, sold, at) : router.commit(decision, sold, at) };
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    return { error };
  }

  /** Route through the router, confirmed by a store shared by several processes when it is one. */
  private routeLead(lead: unknown, call: RouteCall): Promise<Decision> {
    const router = this.router;
    return router.routeConfirmed ? router.routeConfirmed(lead, call) : Promise.resolve(router.route(lead, call));
  }

  private rememberFlow(leadId: string, flow: string): void {
    this.flows.delete(leadId);
    this.flows.set(leadId, flow);
    if (this.flows.size > FLOW_MEMORY) this.flows.delete(this.flows.keys().next().value!);
  }

  private async deliverRouted(decision: Decision, lead: Record<string, unknown>, routedAt: number): Promise<DeliveryRecord[]> {
    const records: DeliveryRecord[] = [];
    const now: Promise<unknown>[] = [];
    for (const s of decision.buyers as SoldToAt[]) {
      const buyer = this.byName.get(s.name);
      if (!buyer) continue;
      const sale: SaleContext = {
        leadId: decision.leadId,
        lead,
        buyer: buyer.name,
        pingId: null,
        postId: this.options.postIdOf?.(decision.leadId, buyer.name) ?? newId(),
        price: s.price,
        exclusive: decision.exclusive,
        random: decision.random,
        routedAt,
      };
      const rec = newDeliveryRecord(buyer, sale);
      records.push(rec);
      this.pixels.fire(buyer, 'sold', sale);

      const batch = buyer.delivery?.batch ?? null;
      if (batch) {
        this.batcher.add(buyer, batch, { sale, record: rec });
        continue;
      }
      if (!buyer.post && !buyer.backupPost) {
        rec.mode = 'none';
        rec.status = 'none';
        rec.detail = 'no post endpoint: sold without HTTP';
        continue;
      }
      let due = Date.now() + Math.max(0, buyer.delivery?.delayMs ?? 0);
      if (s.deliverAt !== undefined && s.deliverAt !== null) {
        const at = Date.parse(s.deliverAt);
        if (Number.isFinite(at)) due = Math.max(due, Date.now() + (at - routedAt));
      }
      if (due > Date.now()) {
        rec.mode = 'delayed';
        rec.status = 'scheduled';
        rec.deliverAt = new Date(due).toISOString();
        now.push(this.deliveries.at({ buyer, sale, record: rec }, due));
        continue;
      }
      now.push(this.deliveries.now({ buyer, sale, record: rec }));
    }
    await Promise.all(now);
    return records;
  }

  private afterPost(buyer: PlanBuyer, sale: SaleContext, rec: DeliveryRecord): void {
    const stats = this.stats.get(buyer.name);
    if (rec.status === 'accepted') {
      stats.posts++;
      stats.accepted++;
      this.router.recordOutcome?.(sale.leadId, buyer.name, 'accepted');
      this.pixels.fire(buyer, 'delivered', sale);
    } else if (rec.status === 'rejected' || rec.status === 'duplicate') {
      stats.posts++;
      this.router.recordOutcome?.(sale.leadId, buyer.name, 'rejected');
      this.pixels.fire(buyer, 'rejected', sale);
    } else if (rec.status === 'failed') {
      stats.posts++;
    }
    this.delivered(rec);
  }

  /** A delivery is done: its record, redacted, to onDelivery (a delayed or
   *  batched record is redacted here, when its delivery completes). */
  private delivered(rec: DeliveryRecord): void {
    this.secrets.redactDeep(rec);
    this.options.onDelivery?.(rec);
  }

  /**
   * A Sale as it leaves the Seller: the text selling added (the auction's bid
   * records, the deliveries, the decision's reason and trace, a commit error)
   * without secrets. The rest of the decision is the router's, which never
   * sees a secret, and partly the plan's own objects, which are not rewritten.
   */
  private redactSale(sale: Sale): Sale {
    if (this.secrets.isEmpty) return sale;
    const { decision } = sale;
    this.secrets.redactDeep([sale.auction, sale.deliveries, decision.trace]);
    const reason = decision.reason === null ? null : this.secrets.redact(decision.reason);
    if (reason !== decision.reason) decision.reason = reason;
    if (sale.commitError !== undefined) sale.commitError = this.secrets.redact(sale.commitError);
    return sale;
  }

  /** An error as it leaves the Seller: its message without secrets. */
  private redactError(err: unknown): unknown {
    if (!(err instanceof Error)) return typeof err === 'string' ? this.secrets.redact(err) : err;
    const message = this.secrets.redact(err.message);
    if (message !== err.message) err.message = message;
    if (err.stack) err.stack = this.secrets.redact(err.stack);
    return err;
  }

  /**
   * Record a later outcome of a sold lead (returned, converted, ...): forwarded
   * to the router, counted for rank metrics, and, for 'returned' with the lead
   * at hand, the buyer's 'returned' pixels fire.
   */
  outcome(leadId: string, buyer: string, kind: OutcomeKind, sale?: { lead: Record<string, unknown>; price?: number; random?: number }): void {
    this.router.recordOutcome?.(leadId, buyer, kind);
    if (kind === 'converted') this.stats.get(buyer).converted++;
    const b = this.byName.get(buyer);
    if (kind === 'returned' && b && sale) {
      this.pixels.fire(b, 'returned', {
        leadId,
        lead: sale.lead,
        buyer,
        pingId: null,
        postId: '',
        price: sale.price ?? 0,
        exclusive: false,
        random: sale.random ?? 0,
        routedAt: Date.now(),
      });
    }
  }

  /** Selling metrics from the journal, per buyer and per flow. */
  metrics(): MetricsReport {
    return computeMetrics(this.journal.attempts(), { flowOf: (id) => this.flows.get(id) });
  }

  /** Leads waiting: delayed deliveries (and, on a queue, posts between tries) and batched leads. */
  get pending(): { delayed: number; batched: number; pixels: number } {
    const queued = this.deliveries.pending;
    return { delayed: queued.delayed, batched: this.batcher.size + queued.batched, pixels: this.pixels.inFlight };
  }

  /** Send waiting batches and delayed deliveries now, and wait for them (and for pixels in flight). */
  async flush(): Promise<void> {
    await this.batcher.flush();
    await this.deliveries.flush();
    await this.pixels.flush();
  }

  /**
   * Wait for sales in progress, hand waiting batches over, close the delivery
   * scheduler (in process: delayed deliveries are sent now; on a durable queue
   * they stay queued), then close the connection pools.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.active]);
    await this.batcher.flush();
    await this.deliveries.close();
    await this.pixels.flush();
    this.abort.abort();
    await this.http.close();
  }
}

/** A Sale before the buyer's answer is lifted from its deliveries. */
type SaleSoFar = Omit<Sale, 'redirectUrl' | 'buyerLeadId'>;

/** The Sale, with the redirect URL and lead id of the first accepted delivery that gave them. */
function withBuyerAnswer(sale: SaleSoFar): Sale {
  const accepted = sale.deliveries.filter((d) => d.status === 'accepted');
  return {
    ...sale,
    redirectUrl: accepted.find((d) => d.redirectUrl !== null)?.redirectUrl ?? null,
    buyerLeadId: accepted.find((d) => d.buyerLeadId !== null)?.buyerLeadId ?? null,
  };
}

/** The lead as the decision's rules left it: a fallback chain's rewrites
 *  (`with tier = "C"`) are what pings, posts and pixels see, as the trace says. */
function asRewritten(lead: Record<string, unknown>, decision: Decision): Record<string, unknown> {
  const rewrites = decision.rewrites;
  return rewrites && Object.keys(rewrites).length > 0 ? { ...lead, ...rewrites } : lead;
}
