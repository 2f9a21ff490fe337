// The buyer side of routing, shared by every routing model: whether a buyer can
// take the lead now (each clause's refusal, src/clauses/: accepts, requires,
// hours, holidays, dedupe, caps; the engine keeps their caches), offering
// it along the overflow chain, taking it (caps, events, dedupe keys), holds,
// and trace notes. The Router (router.ts) extends it with the rule loop and the
// dispatch to the models (src/models/); the models call back into it through
// these methods, on the one reused Run (run.ts), so nothing here allocates per
// lead beyond what a trace or a sale needs.

import type { CapCounter } from './caps.js';
import type { SoldTo, TraceCode, TraceEntry } from './decision.js';
import type { Evaluator } from './expr.js';
import { holidayOn } from './holidays.js';
import { dedupeKeysOf, priceFor } from '../clauses/index.js';
import { OFF_SEND, type LoadedBuyer, type LoadedPlan } from './load.js';
import { computeMetrics, type BuyerMetrics } from './metrics.js';
import {
  DAY_MS,
  EMPTY,
  FAIL_CAP,
  FAIL_CLOSED,
  FAIL_EXCLUDED,
  FAIL_HOLIDAY,
  HOLD_MAX_DAYS,
  money,
  OK,
  priceProblem,
  type Outcome,
  type Premium,
  type Run,
} from './run.js';
import type { RouterStore } from './store.js';
import { DAY_NAMES, formatClock, isOpen, isoString, nextOpening } from './time.js';

export abstract class Engine {
  readonly plan: LoadedPlan;
  readonly store: RouterStore;
  /** tried[b] === run.stamp when buyer b was already offered the lead in the current action. */
  readonly tried: Float64Array;
  private stampCounter = 0;
  /** Whether sales are recorded as events (the journal, or metrics the plan reads). */
  readonly recordSales: boolean;
  /** Per buyer: the local day last checked for holidays and its answer. */
  private readonly holidayDay: Float64Array;
  private readonly holidayHit: ({ calendar: string; name: string } | null)[];
  /** Per buyer: a cached next opening, valid for routing times in [from, until). */
  private readonly openingCache: ({ from: number; until: number } | null)[];
  private readonly metricCache = new Map<string, { minute: number; version: number; m: BuyerMetrics }>();
  /** Bumped when an outcome is recorded: cached metrics are then stale. */
  protected metricVersion = 0;

  protected constructor(plan: LoadedPlan, store: RouterStore, recordSales: boolean) {
    this.plan = plan;
    this.store = store;
    this.recordSales = recordSales;
    const n = plan.buyers.length;
    this.tried = new Float64Array(n);
    this.holidayDay = new Float64Array(n).fill(NaN);
    this.holidayHit = new Array(n).fill(null);
    this.openingCache = new Array(n).fill(null);
  }

  /** Run another flow from inside an action (`flow`, a fallback step, a specialize fallback). */
  abstract enterFlow(run: Run, index: number, why: string): Outcome;

  /** A fresh stamp: every buyer may be offered the lead again. */
  newStamp(run: Run): void {
    run.stamp = ++this.stampCounter;
  }


  /** Metrics for routing: cached per buyer and window for one minute of routing time
   *  (and until recordOutcome is called on this router). */
  metricsAt(buyer: string, windowMs: number, now: number): BuyerMetrics {
    const key = `${buyer}|${windowMs}`;
    const minute = Math.floor(now / 60_000);
    const hit = this.metricCache.get(key);
    if (hit !== undefined && hit.minute === minute && hit.version === this.metricVersion) return hit.m;
    const m = computeMetrics(this.store, buyer, windowMs, now);
    this.metricCache.set(key, { minute, version: this.metricVersion, m });
    return m;
  }


  fail(run: Run, b: number, code: number, detail: unknown): void {
    const f = run.fails;
    const i = run.failCount;
    f[i] = b;
    f[i + 1] = code;
    f[i + 2] = detail;
    run.failCount = i + 3;
  }


  note(run: Run, code: TraceCode, message: string, buyer?: string): void {
    const e: TraceEntry = { code, message };
    if (buyer !== undefined) e.buyer = buyer;
    if (run.ruleId !== undefined) e.rule = run.ruleId;
    run.trace!.push(e);
  }


  /**
   * Whether buyer `b` can take the lead now: OK (run.price holds its price), or
   * the FAIL_* code of the first refusal (recorded, and traced). A closed buyer
   * with `off hours hold` registers a hold. Does not mark `tried`.
   */
  check(run: Run, b: number, counters: CapCounter[], override: Evaluator | null, premium: Premium | null): number {
    const buyer = this.plan.buyers[b]!;
    if (run.excluded !== null && run.excluded.has(buyer.name)) {
      this.fail(run, b, FAIL_EXCLUDED, null);
      if (run.trace) this.note(run, 'Excluded', `${buyer.name} skipped: it refused this lead at delivery`, buyer.name);
      return FAIL_EXCLUDED;
    }
    // The buyer's clauses' refusals (src/clauses/), chosen at load; the last, cap, sets run.price.
    const refusals = buyer.refusals;
    for (let i = 0; i < refusals.length; i++) {
      const code = refusals[i]!(this, run, buyer, counters, override, premium);
      if (code !== OK) return code;
    }
    return OK;
  }


  /** The public holiday closing the buyer at `t` (in its zone), or null. */
  holidayAt(buyer: LoadedBuyer, t: number): { calendar: string; name: string } | null {
    const day = Math.floor(buyer.clock.local(t) / DAY_MS);
    const i = buyer.index;
    if (this.holidayDay[i] === day) return this.holidayHit[i]!;
    const h = holidayOn(buyer.holidays, day);
    this.holidayDay[i] = day;
    this.holidayHit[i] = h;
    return h;
  }


  private isOpenAt(buyer: LoadedBuyer, t: number): boolean {
    if (buyer.hours.length > 0 && !isOpen(buyer.hours, t)) return false;
    return buyer.holidays.length === 0 || holidayOn(buyer.holidays, Math.floor(buyer.clock.local(t) / DAY_MS)) === null;
  }


  /** The buyer's next opening after `now` (within HOLD_MAX_DAYS), cached while it stays closed. */
  private nextOpen(buyer: LoadedBuyer, now: number): number | null {
    const c = this.openingCache[buyer.index];
    if (c !== null && c !== undefined && now >= c.from && now < c.until) return c.until;
    const t = nextOpening(buyer.hours, buyer.clock, (x) => this.isOpenAt(buyer, x), now, HOLD_MAX_DAYS);
    this.openingCache[buyer.index] = t === null ? null : { from: now, until: t };
    return t;
  }


  registerHold(run: Run, buyer: LoadedBuyer, override: Evaluator | null, premium: Premium | null): void {
    const now = run.ctx.now;
    const until = this.nextOpen(buyer, now);
    if (until === null) {
      if (run.trace) this.note(run, 'Held', `${buyer.name} does not open within ${HOLD_MAX_DAYS} days; the lead is not held`, buyer.name);
      return;
    }
    if (run.hold !== null) return;
    const price = priceFor(buyer, override, premium, run.ctx);
    const problem = priceProblem(price);
    if (problem !== null) {
      if (run.trace) this.note(run, 'PriceInvalid', `${buyer.name} does not hold the lead: its ${problem}`, buyer.name);
      return;
    }
    run.hold = { buyer, until, price, rule: run.current };
    if (run.trace) {
      const z = buyer.clock;
      const local = `${DAY_NAMES[z.weekday(until)]} ${formatClock(z.minuteOfDay(until))} ${z.zone}`;
      this.note(run, 'Held', `${buyer.name} holds the lead until ${isoString(until)} (${local}) unless another rule places it`, buyer.name);
    }
  }


  /** The keys a sale stores (the auction records them per bidder). */
  dedupeKeysOf(buyer: LoadedBuyer, lead: Record<string, unknown>): string[] {
    return dedupeKeysOf(buyer, lead);
  }


  /**
   * Offer the lead to buyer `b` (with the rule's caps, if any) and, when caps
   * turn it away, along the overflow chain (a closed buyer with `off hours send`
   * passes it on the same way). True when someone takes it.
   */
  offer(run: Run, b: number, ruleCounters: CapCounter[], ruleOverflow: number, priceOverride: Evaluator | null): boolean {
    const tried = this.tried;
    let counters = ruleCounters;
    let override = priceOverride;
    let first = true;
    for (;;) {
      if (tried[b] === run.stamp) {
        if (!first && run.trace) {
          const name = this.plan.buyers[b]!.name;
          this.note(run, 'Overflow', `${name} was already offered the lead; the overflow chain stops`, name);
        }
        return false;
      }
      tried[b] = run.stamp;
      const buyer = this.plan.buyers[b]!;
      const code = this.check(run, b, counters, override, null);
      if (code === OK) {
        this.take(run, buyer, counters, run.price);
        return true;
      }
      let next: number;
      if (code === FAIL_CAP) {
        next = first && ruleOverflow >= 0 ? ruleOverflow : buyer.overflow;
        if (next < 0) return false;
        if (run.trace) this.note(run, 'Overflow', `${buyer.name} capped, overflow to ${this.plan.buyers[next]!.name}`, buyer.name);
      } else if ((code === FAIL_CLOSED || code === FAIL_HOLIDAY) && buyer.offHours === OFF_SEND) {
        next = buyer.offHoursSend;
        if (run.trace) this.note(run, 'OffHoursSend', `${buyer.name} is closed; sending the lead to ${this.plan.buyers[next]!.name}`, buyer.name);
      } else {
        return false;
      }
      b = next;
      counters = EMPTY;
      override = null;
      first = false;
    }
  }


  take(run: Run, buyer: LoadedBuyer, ruleCounters: CapCounter[], price: number): void {
    const now = run.ctx.now;
    if (ruleCounters.length > 0 || buyer.counters.length > 0) {
      const w = buyer.clock.windows(now);
      for (let i = 0; i < ruleCounters.length; i++) ruleCounters[i]!.take(this.store, w, price);
      const own = buyer.counters;
      for (let i = 0; i < own.length; i++) own[i]!.take(this.store, w, price);
    }
    if (this.recordSales) this.store.recordEvent({ kind: 'sold', buyer: buyer.name, leadId: run.leadId, at: now, price });
    if (buyer.dedupe !== null) {
      const expires = now + buyer.dedupe.windowMs;
      for (const k of dedupeKeysOf(buyer, run.ctx.lead)) this.store.putKey(k, expires);
    }
    const sold: SoldTo = { name: buyer.name, price };
    if (run.deliverAt !== null) sold.deliverAt = run.deliverAt;
    run.sold.push(sold);
    if (run.trace) {
      const msg = run.shared
        ? `${buyer.name} takes a share of the lead at ${money(price)}${run.deliverAt !== null ? `, delivered at ${run.deliverAt}` : ''}`
        : `${buyer.name} takes the lead at ${money(price)}`;
      this.note(run, 'Taken', msg, buyer.name);
    }
  }
}
