// Alerts evaluated: given the plan's alerts, the windowed counts and the time,
// each alert's state. Pure: the caller keeps the previous states (for when a
// state began) and does the logging, the metrics and the scheduling
// (src/serve/alerts.ts).
//
//   no-data  the measure has nothing to go on: a ratio whose denominator is
//            zero over the window (no pings, no posts), or a sum over a window
//            the service has not watched to its start (just after a restart)
//   firing   the value compares with the threshold as the alert says
//   ok       it does not

import { alertMetric, type AlertOp, type AlertUnit } from '../core/alert-metrics.js';
import type { PlanAlert } from '../plan/index.js';
import type { AlertCountsReader } from './alert-window.js';
import { compareValues } from './expr.js';

export type AlertStateKind = 'ok' | 'firing' | 'no-data';

export interface AlertState {
  name: string;
  /** The alert as written: `alert Slow when avg_response(Premium) > 600ms over 1h`. */
  text: string;
  metric: PlanAlert['metric'];
  buyer: string | null;
  op: AlertOp;
  unit: AlertUnit;
  threshold: number;
  windowMs: number;
  state: AlertStateKind;
  /** The measure over the window in its unit (percent, ms, dollars, count); null with no data. */
  value: number | null;
  /** When the alert entered this state (ms since the epoch). */
  since: number;
  /** When it was evaluated. */
  at: number;
}

/** Whether two alerts watch the same thing the same way (a reload that keeps an alert keeps its `since`). */
const sameAlert = (a: PlanAlert, s: AlertState): boolean =>
  a.text === s.text && a.metric === s.metric && a.buyer === s.buyer && a.op === s.op && a.threshold === s.threshold && a.windowMs === s.windowMs;

/** Whether an alert's value crosses its threshold: compared as a rule's `<`, `<=`, `>`, `>=` compare. */
export function compareAlert(value: number, op: AlertOp, threshold: number): boolean {
  return compareValues(op, value, threshold);
}

/** The measure over the alert's window, or null when there is nothing to go on. */
export function alertValue(alert: PlanAlert, counts: AlertCountsReader, now: number): number | null {
  const metric = alertMetric(alert.metric);
  if (metric.basis === 'sum' && counts.observedSince > now - alert.windowMs) return null;
  const value = metric.value(counts.totals(alert.buyer, alert.windowMs, now));
  return value === null || !Number.isFinite(value) ? null : value;
}

/**
 * Every alert's state at `now`. `previous` holds the last evaluation's states
 * by alert name: an alert still in the same state, watching the same thing,
 * keeps its `since`.
 */
export function evaluateAlerts(
  alerts: readonly PlanAlert[],
  counts: AlertCountsReader,
  now: number,
  previous: ReadonlyMap<string, AlertState> = new Map(),
): AlertState[] {
  return alerts.map((a) => {
    const value = alertValue(a, counts, now);
    const state: AlertStateKind = value === null ? 'no-data' : compareAlert(value, a.op, a.threshold) ? 'firing' : 'ok';
    const before = previous.get(a.name);
    const since = before !== undefined && before.state === state && sameAlert(a, before) ? before.since : now;
    return {
      name: a.name,
      text: a.text,
      metric: a.metric,
      buyer: a.buyer,
      op: a.op,
      unit: alertMetric(a.metric).unit,
      threshold: a.threshold,
      windowMs: a.windowMs,
      state,
      value,
      since,
      at: now,
    };
  });
}
