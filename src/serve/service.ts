// The service behind `leadroute serve`, apart from HTTP: the plan it routes
// with (replaced whole on a reload), the inbox every lead is written to before
// it is sold, the Seller, and the resumption of what a crash cut off.
//
//   receive   validate → inbox (committed) → Seller.sell → the lead finished
//             once every delivery is final (delayed and batched ones later)
//   ping      a price for the fields a source offers, routed on a scratch copy
//             of the counters: no lead, no cap counted, nothing journalled
//   resume    every unfinished lead of the inbox: a routed decision already
//             journalled is delivered (to the buyers without a final answer)
//             without routing again; otherwise the lead is sold anew
//
// A post's idempotency key is derived from the lead and the buyer
// (postIdOf), so a post sent again after a restart carries the key the buyer
// saw before the crash, and a buyer that honours it takes the lead once.

import { createHash } from 'node:crypto';
import { Seller, type Sale } from '../auction/index.js';
import type { DeliveryRecord } from '../deliver/types.js';
import type { SecretSource } from '../deliver/secrets.js';
import type { DeliverySchedulerFactory } from '../deliver/scheduler.js';
import type { JournalStore } from '../adapters/index.js';
import type { Plan } from '../compile/index.js';
import { leadIdOf, Router } from '../runtime/index.js';
import type { Decision, LeadError } from '../runtime/decision.js';
import type { Feedback, InboxEntry, InboxLead, LeadInbox, LeadOutcome } from './inbox.js';
import { PeekStore, pingPlanOf } from './ping.js';

/** How a lead the service was given ended up (the HTTP layer turns each into a status). */
export type Receipt =
  | { kind: 'sold'; leadId: string; sale: Sale }
  | { kind: 'invalid'; leadId: string; errors: LeadError[] }
  | { kind: 'unknown-flow'; flow: string; flows: string[] }
  | { kind: 'duplicate'; leadId: string; lead: InboxLead }
  | { kind: 'not-ready' }
  /** The inbox could not write it (a locked or full disk): not taken, the source should retry. */
  | { kind: 'not-written'; leadId: string; error: string }
  | { kind: 'failed'; leadId: string; error: string };

/** A buyer's return or conversion of a lead, as POST /feedback takes it. */
export interface FeedbackInput {
  leadId: string;
  buyer: string;
  kind: 'returned' | 'converted';
  reason?: string;
}

export type FeedbackResult =
  | { kind: 'recorded'; feedback: Feedback }
  | { kind: 'unknown-lead'; leadId: string }
  | { kind: 'not-sold'; leadId: string; buyer: string; buyers: string[] }
  | { kind: 'bad-reason'; reason: string | null; allowed: readonly string[] }
  | { kind: 'window-closed'; soldAt: number; closedAt: number }
  | { kind: 'already'; feedback: Feedback };

/** Reasons a buyer may return a lead for, unless the service is given its own. */
export const DEFAULT_RETURN_REASONS: readonly string[] = ['invalid_phone', 'invalid_email', 'disconnected', 'wrong_person', 'duplicate', 'fraud', 'not_interested'];
/** How long after the sale a lead may be returned, unless the service is given its own: 7 days. */
export const DEFAULT_RETURN_WINDOW_MS = 7 * 86_400_000;

export type PingAnswer =
  | { kind: 'bid'; flow: string; price: number; buyers: string[]; rule: string | null }
  | { kind: 'no-bid'; flow: string; reason: string }
  | { kind: 'invalid'; errors: LeadError[] }
  | { kind: 'unknown-flow'; flow: string; flows: string[] }
  | { kind: 'not-ready' };

/** What the service tells whoever watches it (metrics, logs). */
export interface ServiceObserver {
  sold?(flow: string, sale: Sale, ms: number): void;
  delivered?(record: DeliveryRecord): void;
  pinged?(flow: string, answer: PingAnswer): void;
  resumed?(leadId: string, how: 'delivered' | 'sold' | 'finished', error?: string): void;
}

export interface ServiceOptions {
  store: JournalStore;
  inbox: LeadInbox;
  /** The routing seed (`random` and split draws). */
  seed?: string;
  /** Where `{{secret.NAME}}` values come from (default: process.env). */
  secrets?: SecretSource;
  observer?: ServiceObserver;
  /** Auction timeout when the plan gives none, ms. */
  timeoutMs?: number;
  /** Returns: the reasons allowed and how long after the sale (ms). */
  returnReasons?: readonly string[];
  returnWindowMs?: number;
  /** Who runs delayed posts, retries and batches (`--queue`: BullMQ); default in process. */
  deliveries?: DeliverySchedulerFactory;
}

interface Installed {
  plan: Plan;
  router: Router;
  seller: Seller;
  /** Routes pings: the plan with every field optional, on a scratch view of the counters. */
  pinger: Router;
}

const FINAL: ReadonlySet<string> = new Set(['accepted', 'rejected', 'duplicate', 'failed', 'none']);
const FINAL_POST_OUTCOMES: ReadonlySet<string> = new Set(['accepted', 'rejected', 'duplicate']);

/** A post's idempotency key: the same for the same lead and buyer, in every process. */
export function postIdOf(leadId: string, buyer: string): string {
  const h = createHash('sha256').update(`${leadId}\u0000${buyer}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export class LeadService {
  private current: Installed | null = null;
  /** Leads sold whose delayed or batched deliveries are still to come. */
  private readonly waiting = new Map<string, { sale: Sale; fields: Record<string, unknown> }>();
  private readonly retiring = new Set<Promise<void>>();
  private readonly batch: { entry: InboxEntry; lead: unknown; resolve: (written: boolean) => void; reject: (err: unknown) => void }[] = [];
  /** Inbox commits made (each a group of leads). */
  commits = 0;

  constructor(private readonly options: ServiceOptions) {}

  get plan(): Plan | null {
    return this.current?.plan ?? null;
  }

  get router(): Router | null {
    return this.current?.router ?? null;
  }

  get seller(): Seller | null {
    return this.current?.seller ?? null;
  }

  /**
   * Route with `plan` from now on. Builds everything first: a plan that cannot
   * run (a secret missing, say) throws and the old one stays. The old Seller
   * finishes its sales and deliveries before it closes.
   */
  install(plan: Plan): void {
    const { store, seed = '7' } = this.options;
    const router = new Router(plan, { store, seed });
    const seller = new Seller(router, {
      journal: store,
      secrets: this.options.secrets ?? process.env,
      postIdOf,
      onDelivery: (rec) => this.delivered(rec),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.deliveries ? { deliveries: this.options.deliveries } : {}),
    });
    const pinger = new Router(pingPlanOf(plan), { store: new PeekStore(store), seed, journal: false });
    const old = this.current;
    this.current = { plan, router, seller, pinger };
    if (old) {
      const closing = old.seller.close().catch(() => undefined);
      this.retiring.add(closing);
      void closing.finally(() => this.retiring.delete(closing));
    }
  }

  flows(): string[] {
    return this.current?.plan.flows.map((f) => f.name) ?? [];
  }

  async receive(flow: string, lead: unknown, source: string): Promise<Receipt> {
    const now = this.current;
    if (!now) return { kind: 'not-ready' };
    if (!now.plan.flows.some((f) => f.name === flow)) return { kind: 'unknown-flow', flow, flows: this.flows() };
    const loaded = now.router.loaded;
    const trimmed = loaded.trimLead(lead);
    const leadId = leadIdOf(trimmed);
    const errors = loaded.validateLead(trimmed);
    if (errors !== null) return { kind: 'invalid', leadId, errors };
    let written: boolean;
    try {
      written = await this.write({ leadId, flow, source, receivedAt: Date.now() }, lead);
    } catch (err) {
      return { kind: 'not-written', leadId, error: err instanceof Error ? err.message : String(err) };
    }
    if (!written) {
      return { kind: 'duplicate', leadId, lead: this.options.inbox.get(leadId)! };
    }
    const receipt = await this.sell(now, leadId, flow, lead);
    // A store that commits a turn of the event loop at once (SQLite's `tick`
    // mode) has the lead's routing and finish on disk only then: the answer waits.
    try {
      await this.options.store.committed?.();
    } catch (err) {
      return { kind: 'failed', leadId, error: `the routing was not committed: ${err instanceof Error ? err.message : String(err)}` };
    }
    return receipt;
  }

  /**
   * Group commit: the leads that arrive in one turn of the event loop are
   * written in one transaction, committed before any of them is answered or
   * routed. One commit for many leads (and, with synchronous=FULL, one fsync).
   */
  private write(entry: InboxEntry, lead: unknown): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.batch.push({ entry, lead, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => this.commitBatch());
    });
  }

  private commitBatch(): void {
    const batch = this.batch.splice(0);
    try {
      const written = this.options.inbox.receiveAll(batch);
      this.commits++;
      batch.forEach((b, i) => b.resolve(written[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  private async sell(now: Installed, leadId: string, flow: string, lead: unknown): Promise<Receipt> {
    const t0 = performance.now();
    let sale: Sale;
    try {
      sale = await now.seller.sell(lead, { flow, trace: true });
    } catch (err) {
      // The lead stays unfinished in the inbox: the next start resumes it.
      return { kind: 'failed', leadId, error: err instanceof Error ? err.message : String(err) };
    }
    this.options.observer?.sold?.(flow, sale, performance.now() - t0);
    this.settle(sale, lead);
    return { kind: 'sold', leadId, sale };
  }

  /** Finish the lead now if every delivery is final, else when the last one is (delivered). */
  private settle(sale: Sale, lead: unknown): void {
    const fields = this.withoutPii(lead);
    if (sale.deliveries.every((d) => FINAL.has(d.status))) this.finish(sale.decision.leadId, outcomeOf(sale.decision, sale.deliveries, fields));
    else this.waiting.set(sale.decision.leadId, { sale, fields });
  }

  /** The lead's fields the plan does not mark `pii`: what the inbox keeps of a finished lead. */
  private withoutPii(lead: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const plan = this.current?.plan;
    if (plan === undefined || lead === null || typeof lead !== 'object') return out;
    for (const f of plan.lead.fields) {
      if (!f.pii && Object.hasOwn(lead, f.name)) out[f.name] = (lead as Record<string, unknown>)[f.name];
    }
    return out;
  }

  private delivered(rec: DeliveryRecord): void {
    // Metrics and alerts count what this instance delivered; one done before was counted where it was.
    if (!rec.doneBefore) this.options.observer?.delivered?.(rec);
    const waiting = this.waiting.get(rec.leadId);
    if (!waiting || !waiting.sale.deliveries.every((d) => FINAL.has(d.status))) return;
    this.waiting.delete(rec.leadId);
    this.finish(rec.leadId, outcomeOf(waiting.sale.decision, waiting.sale.deliveries, waiting.fields));
  }

  private finish(leadId: string, outcome: LeadOutcome): void {
    this.options.inbox.finish(leadId, outcome, Date.now());
  }

  ping(flow: string, fields: unknown): PingAnswer {
    const now = this.current;
    if (!now) return { kind: 'not-ready' };
    if (!now.plan.flows.some((f) => f.name === flow)) return { kind: 'unknown-flow', flow, flows: this.flows() };
    const offered = fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? Object.keys(fields) : [];
    const pii = now.plan.lead.fields.filter((f) => f.pii && offered.includes(f.name)).map((f) => f.name);
    if (pii.length > 0) {
      return { kind: 'invalid', errors: pii.map((field) => ({ field, message: 'is personal data: a ping carries none (post the lead to /leads/{flow})' })) };
    }
    const loaded = now.pinger.loaded;
    const errors = loaded.validateLead(loaded.trimLead(fields));
    let answer: PingAnswer;
    if (errors !== null) answer = { kind: 'invalid', errors };
    else {
      const d = now.pinger.route(fields, { flow });
      answer = pingAnswerOf(flow, d);
    }
    this.options.observer?.pinged?.(flow, answer);
    return answer;
  }

  /**
   * Record a return or a conversion: for a buyer the lead was sold to, a
   * return within the return window and for an allowed reason, each once. The
   * event goes to the router's store (recordOutcome), where buyer metrics read
   * it (performance splits, `rank by`); the record, with its reason, to the inbox.
   */
  feedback(input: FeedbackInput, source: string, at = Date.now()): FeedbackResult {
    const { inbox, store } = this.options;
    const lead = inbox.get(input.leadId);
    if (!lead) return { kind: 'unknown-lead', leadId: input.leadId };
    const sales = store.events({ leadId: input.leadId, kind: 'sold' });
    const sale = sales.find((e) => e.buyer === input.buyer);
    if (!sale) return { kind: 'not-sold', leadId: input.leadId, buyer: input.buyer, buyers: [...new Set(sales.map((e) => e.buyer))] };
    const before = inbox.feedback(input.leadId).find((f) => f.buyer === input.buyer && f.kind === input.kind);
    if (before) return { kind: 'already', feedback: before };
    let reason: string | null = null;
    if (input.kind === 'returned') {
      const allowed = this.options.returnReasons ?? DEFAULT_RETURN_REASONS;
      reason = input.reason ?? null;
      if (reason === null || !allowed.includes(reason)) return { kind: 'bad-reason', reason, allowed };
      const closedAt = sale.at + (this.options.returnWindowMs ?? DEFAULT_RETURN_WINDOW_MS);
      if (at > closedAt) return { kind: 'window-closed', soldAt: sale.at, closedAt };
    }
    const feedback: Feedback = { leadId: input.leadId, buyer: input.buyer, kind: input.kind, reason, at, source };
    // Through the Seller: the router's event, the rank stats (conversions), and
    // for a return the buyer's `returned` pixels, rendered from the fields kept.
    if (this.current?.plan.buyers.some((b) => b.name === input.buyer)) {
      const fields = lead.outcome?.fields ?? (lead.lead !== null ? this.withoutPii(lead.lead) : null);
      const forPixels = input.kind === 'returned' && fields !== null ? { lead: fields, ...(sale.price !== undefined ? { price: sale.price } : {}) } : undefined;
      this.current.seller.outcome(input.leadId, input.buyer, input.kind, forPixels);
    }
    else store.recordEvent({ kind: input.kind, buyer: input.buyer, leadId: input.leadId, at });
    inbox.recordFeedback(feedback);
    return { kind: 'recorded', feedback };
  }

  /** Sell or deliver every lead the inbox holds unfinished; resolves when each has been tried. */
  async resume(): Promise<{ resumed: number; failed: number }> {
    const now = this.current;
    if (!now) return { resumed: 0, failed: 0 };
    let failed = 0;
    const leads = this.options.inbox.unfinished();
    await Promise.all(
      leads.map(async (entry) => {
        const error = await this.resumeOne(now, entry);
        if (error !== null) failed++;
      }),
    );
    return { resumed: leads.length - failed, failed };
  }

  /** Null when done, else why not. */
  private async resumeOne(now: Installed, entry: InboxLead): Promise<string | null> {
    const { store, observer } = this.options;
    const { leadId } = entry;
    if (!now.plan.flows.some((f) => f.name === entry.flow)) {
      const why = `flow ${entry.flow} is not in the current plan`;
      observer?.resumed?.(leadId, 'finished', why);
      return why;
    }
    const decisions = store.decisions({ leadId });
    const last = decisions.at(-1);
    const auctioned = decisions.some((d) => d.status === 'auction');
    const answered = new Set(store.attempts({ leadId, kind: 'post' }).filter((a) => FINAL_POST_OUTCOMES.has(a.outcome)).map((a) => a.buyer));
    try {
      if (last && last.status === 'routed' && !auctioned) {
        const rest = last.buyers.filter((b) => !answered.has(b.name));
        if (rest.length === 0) {
          this.finish(leadId, outcomeOf(last, [], this.withoutPii(entry.lead)));
          observer?.resumed?.(leadId, 'finished');
          return null;
        }
        const sale = await now.seller.deliver(entry.lead, { ...last, buyers: rest });
        this.settle(sale, entry.lead);
        observer?.resumed?.(leadId, 'delivered');
        return null;
      }
      if (last && last.status !== 'auction' && (auctioned || last.status !== 'routed')) {
        // Unrouted, rejected or held; or an auction already committed (its posts come before the commit).
        this.finish(leadId, outcomeOf(last, [], this.withoutPii(entry.lead)));
        observer?.resumed?.(leadId, 'finished');
        return null;
      }
      // Never routed, or an auction the crash cut off: sold anew (a buyer posted
      // to before the crash sees the same idempotency key again).
      const receipt = await this.sell(now, leadId, entry.flow, entry.lead);
      if (receipt.kind === 'failed') throw new Error(receipt.error);
      observer?.resumed?.(leadId, 'sold');
      return null;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      observer?.resumed?.(leadId, 'sold', why);
      return why;
    }
  }

  /** Leads whose delayed or batched deliveries are still to come. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Send what waits (delays and batches), finish the sales in progress, close the pools. */
  async close(): Promise<void> {
    const now = this.current;
    this.current = null;
    await now?.seller.close();
    await Promise.all([...this.retiring]);
  }
}

function outcomeOf(decision: Decision, deliveries: readonly DeliveryRecord[], fields: Record<string, unknown>): LeadOutcome {
  return {
    status: decision.status,
    buyers: decision.buyers.map((b) => b.name),
    price: decision.price,
    reason: decision.reason,
    deliveries: deliveries.map((d) => ({ buyer: d.buyer, status: d.status })),
    fields,
  };
}

function pingAnswerOf(flow: string, d: Decision): PingAnswer {
  switch (d.status) {
    case 'routed':
      return { kind: 'bid', flow, price: d.price, buyers: d.buyers.map((b) => b.name), rule: d.rule?.text ?? null };
    case 'auction':
      return { kind: 'no-bid', flow, reason: `flow ${flow} sells by auction: the price is known only when the lead is posted` };
    case 'held':
      return { kind: 'no-bid', flow, reason: d.reason ?? 'the buyers are closed now; the lead would be held' };
    case 'unrouted':
    case 'rejected':
      return { kind: 'no-bid', flow, reason: d.reason ?? 'no buyer would take the lead' };
    default: {
      const never: never = d.status;
      return never;
    }
  }
}
