// Cap counters. A cap counts leads or dollars per calendar window (minute, hour,
// day, week, month) in the buyer's zone; the counter for one window lives in a
// CapStore under a key that names the window, so a new window starts at zero
// and old windows are simply never read again (stores drop them once expired).

import type { PlanCap, PlanCapUnit } from '../plan/index.js';
import { UNIT_INDEX, type Windows } from './time.js';

/**
 * Where cap counters live. Synchronous, so the in-memory and SQLite stores can
 * both implement it and routing stays synchronous.
 */
export interface CapStore {
  /** Current value of a counter (0 when absent). `now` (ms), when given, lets the
   *  store treat an expired counter as absent and drop it. */
  get(key: string, now?: number): number;
  /** Add `amount` to a counter, creating it; it may be forgotten after `expiresAt` (ms). */
  add(key: string, amount: number, expiresAt: number): void;
}

/** Counts below this much over a dollar limit are float noise, not overruns. */
const DOLLAR_EPSILON = 1e-9;

/** One counter: every cap of a buyer (or rule) with the same measure and unit shares it. */
export class CapCounter {
  readonly measure: 'leads' | 'dollars';
  readonly unit: PlanCapUnit;
  /** The tightest limit among the caps sharing this counter. */
  readonly limit: number;
  private readonly unitIndex: number;
  private readonly prefix: string;
  private lastId = NaN;
  private lastKey = '';

  constructor(prefix: string, measure: 'leads' | 'dollars', unit: PlanCapUnit, limit: number) {
    this.measure = measure;
    this.unit = unit;
    this.limit = limit;
    this.unitIndex = UNIT_INDEX[unit];
    this.prefix = `${prefix}|${measure}|${unit}|`;
  }

  key(windowId: number): string {
    if (windowId !== this.lastId) {
      this.lastId = windowId;
      this.lastKey = this.prefix + windowId;
    }
    return this.lastKey;
  }

  /** `100/hour`, `$5000/day`. */
  label(): string {
    return this.measure === 'dollars' ? `$${formatAmount(this.limit)}/${this.unit}` : `${this.limit}/${this.unit}`;
  }

  /** True when the counter has room for one more lead at `price`; `ids` are the window ids at `now`. */
  hasRoom(store: CapStore, ids: number[], now: number, price: number): boolean {
    const used = store.get(this.key(ids[this.unitIndex]!), now);
    return this.measure === 'leads' ? used + 1 <= this.limit : used + price <= this.limit + DOLLAR_EPSILON;
  }

  /** Current count in the window with these ids. */
  used(store: CapStore, ids: number[], now: number): number {
    return store.get(this.key(ids[this.unitIndex]!), now);
  }

  /** Count one lead at `price` in the windows `w`. */
  take(store: CapStore, w: Windows, price: number): void {
    const i = this.unitIndex;
    store.add(this.key(w.ids[i]!), this.measure === 'leads' ? 1 : price, w.expires[i]!);
  }
}

/** `45`, `4.5` → `4.50`: a dollar amount without a currency sign. */
export function formatAmount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** Group caps into counters (one per measure + unit), keyed under `prefix`. */
export function makeCounters(prefix: string, caps: PlanCap[]): CapCounter[] {
  const byKey = new Map<string, { measure: 'leads' | 'dollars'; unit: PlanCapUnit; limit: number }>();
  for (const c of caps) {
    const k = `${c.measure}|${c.unit}`;
    const prev = byKey.get(k);
    if (prev === undefined) byKey.set(k, { measure: c.measure, unit: c.unit, limit: c.limit });
    else prev.limit = Math.min(prev.limit, c.limit);
  }
  return [...byKey.values()].map((c) => new CapCounter(prefix, c.measure, c.unit, c.limit));
}

/** Store key prefix for a buyer's own caps. */
export function buyerCapPrefix(buyer: string): string {
  return `buyer|${buyer}`;
}

/** Store key prefix for the rule-scoped caps of `rule` on `buyer`. */
export function ruleCapPrefix(ruleId: string, buyer: string): string {
  return `rule|${ruleId}|${buyer}`;
}
