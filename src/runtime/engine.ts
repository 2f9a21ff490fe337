// The buyer side of routing, shared by every routing model: whether a buyer can
// take the lead now (accepts, requires, hours, holidays, dedupe, caps), offering
// it along the overflow chain, taking it (caps, events, dedupe keys), holds,
// and trace notes. The Router (router.ts) extends it with the rule loop and the
// dispatch to the models (src/models/); the models call back into it through
// these methods, on the one reused Run (run.ts), so nothing here allocates per
// lead beyond what a trace or a sale needs.

import type { CapCounter } from './caps.js';
import type { SoldTo, TraceCode, TraceEntry } from './decision.js';
import type { EvalContext, Evaluator } from './expr.js';
import { holidayOn } from './holidays.js';
import { OFF_HOLD, OFF_SEND, type LoadedBuyer, type LoadedPlan } from './load.js';
import { computeMetrics, type BuyerMetrics } from './metrics.js';
import {
  DAY_MS,
  dedupeKey,
  EMPTY,
  FAIL_CAP,
  FAIL_CLOSED,
  FAIL_DUPLICATE,
  FAIL_EXCLUDED,
  FAIL_FILTER,
  FAIL_HOLIDAY,
  FAIL_MISSING,
  formatDuration,
  HOLD_MAX_DAYS,
  isPresent,
  money,
  normaliseForDedupe,
  OK,
  priceOf,
  round2,
  condFailed,
  type Outcome,
  type Premium,
  type Run,
} from './run.js';
import type { RouterStore } from './store.js';
import { DAY_NAMES, describeClosed, formatClock, isOpen, isoString, nextOpening } from './time.js';

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
    const ctx = run.ctx;
    const now = ctx.now;
    const buyer = this.plan.buyers[b]!;

    if (run.excluded !== null && run.excluded.has(buyer.name)) {
      this.fail(run, b, FAIL_EXCLUDED, null);
      if (run.trace) this.note(run, 'Excluded', `${buyer.name} skipped: it refused this lead at delivery`, buyer.name);
      return FAIL_EXCLUDED;
    }
    const accepts = buyer.accepts;
    for (let i = 0; i < accepts.length; i++) {
      const c = accepts[i]!;
      if (!c.test(ctx)) {
        this.fail(run, b, FAIL_FILTER, c);
        if (run.trace) this.note(run, 'FilterFailed', `${buyer.name} skipped: accepts ${condFailed(c, ctx)}`, buyer.name);
        return FAIL_FILTER;
      }
    }
    if (buyer.gated) {
      const requires = buyer.requires;
      for (let i = 0; i < requires.length; i++) {
        if (!isPresent(ctx.lead[requires[i]!])) {
          this.fail(run, b, FAIL_MISSING, requires[i]);
          if (run.trace) this.note(run, 'MissingField', `${buyer.name} skipped: missing ${requires[i]}`, buyer.name);
          return FAIL_MISSING;
        }
      }
    }
    if (buyer.hours.length > 0 && !isOpen(buyer.hours, now)) {
      this.fail(run, b, FAIL_CLOSED, null);
      if (run.trace) this.note(run, 'Closed', `${buyer.name} closed: ${describeClosed(buyer.hours, now)}`, buyer.name);
      if (buyer.offHours === OFF_HOLD) this.registerHold(run, buyer, override, premium);
      return FAIL_CLOSED;
    }
    if (buyer.gated) {
      if (buyer.holidays.length > 0) {
        const h = this.holidayAt(buyer, now);
        if (h !== null) {
          this.fail(run, b, FAIL_HOLIDAY, h);
          if (run.trace) this.note(run, 'Holiday', `${buyer.name} closed: ${h.name} (${h.calendar} holiday)`, buyer.name);
          if (buyer.offHours === OFF_HOLD) this.registerHold(run, buyer, override, premium);
          return FAIL_HOLIDAY;
        }
      }
      const dd = buyer.dedupe;
      if (dd !== null) {
        for (const fld of dd.fields) {
          const v = normaliseForDedupe(ctx.lead[fld.name], fld.norm);
          if (v === '') continue;
          if (this.store.hasKey(dedupeKey(buyer.name, fld.name, v), now)) {
            this.fail(run, b, FAIL_DUPLICATE, fld.name);
            if (run.trace) {
              this.note(run, 'Duplicate', `${buyer.name} skipped: duplicate (${fld.name} sold to ${buyer.name} within ${formatDuration(dd.windowMs)})`, buyer.name);
            }
            return FAIL_DUPLICATE;
          }
        }
      }
    }

    const price = this.priceFor(buyer, override, premium, ctx);
    if (counters.length > 0 || buyer.counters.length > 0) {
      const store = this.store;
      const ids = buyer.clock.windows(now).ids;
      let full: CapCounter | null = null;
      let ruleCap = false;
      for (let i = 0; i < counters.length; i++) {
        if (!counters[i]!.hasRoom(store, ids, now, price)) {
          full = counters[i]!;
          ruleCap = true;
          break;
        }
      }
      if (full === null) {
        const own = buyer.counters;
        for (let i = 0; i < own.length; i++) {
          if (!own[i]!.hasRoom(store, ids, now, price)) {
            full = own[i]!;
            break;
          }
        }
      }
      if (full !== null) {
        run.full = full;
        this.fail(run, b, FAIL_CAP, full);
        if (run.trace) this.noteCapped(run, buyer, full, ruleCap, price);
        return FAIL_CAP;
      }
    }
    run.price = price;
    return OK;
  }


  private priceFor(buyer: LoadedBuyer, override: Evaluator | null, premium: Premium | null, ctx: EvalContext): number {
    const base = priceOf(override ?? buyer.price, ctx);
    if (premium === null) return base;
    return round2(premium.kind === 'percent' ? base * (1 + premium.amount / 100) : base + premium.amount);
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
    run.hold = { buyer, until, price: this.priceFor(buyer, override, premium, run.ctx), rule: run.current };
    if (run.trace) {
      const z = buyer.clock;
      const local = `${DAY_NAMES[z.weekday(until)]} ${formatClock(z.minuteOfDay(until))} ${z.zone}`;
      this.note(run, 'Held', `${buyer.name} holds the lead until ${isoString(until)} (${local}) unless another rule places it`, buyer.name);
    }
  }


  dedupeKeysOf(buyer: LoadedBuyer, lead: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const fld of buyer.dedupe!.fields) {
      const v = normaliseForDedupe(lead[fld.name], fld.norm);
      if (v !== '') out.push(dedupeKey(buyer.name, fld.name, v));
    }
    return out;
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


  private noteCapped(run: Run, buyer: LoadedBuyer, full: CapCounter, ruleCap: boolean, price: number): void {
    let msg = `${buyer.name} skipped: ${ruleCap ? 'rule cap' : 'cap'} ${full.label()} reached`;
    if (full.measure === 'dollars') {
      const used = full.used(this.store, buyer.clock.windows(run.ctx.now).ids, run.ctx.now);
      msg += ` (${money(used)} used, price ${money(price)})`;
    }
    this.note(run, 'CapExceeded', msg, buyer.name);
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
      for (const k of this.dedupeKeysOf(buyer, run.ctx.lead)) this.store.putKey(k, expires);
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
