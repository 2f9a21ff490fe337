// What alerts are evaluated over: a bounded, time-bucketed record of
// AlertCounts (src/core/alert-metrics.ts), one bucket per buyer per minute,
// and one per minute for every buyer together (so an alert across all
// buyers sums one series, not one per buyer). Buckets older than the longest
// window an alert may have (a day) are dropped as time moves on, so memory is
// bounded by buyers × 1,441 buckets whatever the traffic.
//
// Pure data: the caller says what time it is; nothing here reads a clock.

import { ALERT_BUCKET_MS, ALERT_COUNT_KEYS, emptyAlertCounts, MAX_ALERT_WINDOW_MS, type AlertCounts } from '../core/alert-metrics.js';

/** What the evaluator reads of a window. */
export interface AlertCountsReader {
  /** When recording began (ms since the epoch): a sum over a window that started earlier is partial. */
  readonly observedSince: number;
  /**
   * The counts of the buckets in the window ending at `now` for one buyer, or
   * every buyer together (null): the current minute and the whole minutes
   * before it, `windowMs / 1 minute` buckets in all.
   */
  totals(buyer: string | null, windowMs: number, now: number): AlertCounts;
}

type Series = Map<number, AlertCounts>;

export class AlertWindow implements AlertCountsReader {
  private readonly series = new Map<string | null, Series>();
  /** The oldest minute kept; buckets before it are gone. */
  private floor = -Infinity;

  constructor(readonly observedSince: number) {}

  /** Add `change` to the buyer's bucket for the minute of `at` (and to every buyer's). */
  add(buyer: string, at: number, change: Partial<AlertCounts>): void {
    const minute = Math.floor(at / ALERT_BUCKET_MS);
    this.dropBefore(minute - MAX_ALERT_WINDOW_MS / ALERT_BUCKET_MS);
    if (minute < this.floor) return;
    for (const key of [buyer, null]) {
      let s = this.series.get(key);
      if (s === undefined) this.series.set(key, (s = new Map()));
      let bucket = s.get(minute);
      if (bucket === undefined) s.set(minute, (bucket = emptyAlertCounts()));
      for (const k of ALERT_COUNT_KEYS) {
        const v = change[k];
        if (v !== undefined && Number.isFinite(v)) bucket[k] += v;
      }
    }
  }

  totals(buyer: string | null, windowMs: number, now: number): AlertCounts {
    const sum = emptyAlertCounts();
    const s = this.series.get(buyer);
    if (s === undefined) return sum;
    const last = Math.floor(now / ALERT_BUCKET_MS);
    const first = last - Math.max(1, Math.floor(windowMs / ALERT_BUCKET_MS)) + 1;
    for (let m = first; m <= last; m++) {
      const bucket = s.get(m);
      if (bucket === undefined) continue;
      for (const k of ALERT_COUNT_KEYS) sum[k] += bucket[k];
    }
    return sum;
  }

  /** Buckets held, for tests of the bound. */
  get size(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.size;
    return n;
  }

  private dropBefore(minute: number): void {
    if (minute <= this.floor) return;
    this.floor = minute;
    for (const [key, s] of this.series) {
      for (const m of s.keys()) if (m < minute) s.delete(m);
      if (s.size === 0) this.series.delete(key);
    }
  }
}
