// Alerts: unique names, a known measure (src/core/alert-metrics.ts), a
// declared buyer, a threshold written in the measure's unit and a window the
// service can count (whole minutes up to a day); a warning when the buyer
// watched can never produce the measure (a ping measure on a buyer without a
// `ping`, a delivery measure on one without a `post`).

import {
  ALERT_BUCKET_MS, ALERT_METRIC_NAMES, ALERT_UNIT_EXAMPLE, alertMetric, isAlertMetric, MAX_ALERT_WINDOW_MS,
  type AlertUnit,
} from '../core/alert-metrics.js';
import type { AlertDecl, AlertThreshold } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { checkBuyerRef } from './buyers.js';
import { type CheckContext, lineOf } from './context.js';

/** The unit a threshold literal is written in. */
const UNIT_OF: Record<AlertThreshold['kind'], AlertUnit> = { percent: 'rate', duration: 'duration', money: 'money', number: 'count' };
const UNIT_NOUN: Record<AlertUnit, string> = { rate: 'a rate', duration: 'a duration', money: 'an amount of money', count: 'a count' };

export function checkAlerts(ctx: CheckContext, alerts: readonly AlertDecl[]): void {
  const first = new Map<string, AlertDecl>();
  for (const a of alerts) {
    const prev = first.get(a.name.name);
    if (prev) ctx.report('LR802', a.name.span, a.name.name, lineOf(prev.name.span));
    else first.set(a.name.name, a);
    checkAlert(ctx, a);
  }
}

function checkAlert(ctx: CheckContext, a: AlertDecl): void {
  const known = a.buyer === undefined || checkBuyerRef(ctx, a.buyer);
  const w = a.window.ms;
  if (!(w >= ALERT_BUCKET_MS && w <= MAX_ALERT_WINDOW_MS && w % ALERT_BUCKET_MS === 0)) ctx.report('LR803', a.window.span, a.window.text);
  const name = a.metric.name;
  if (!isAlertMetric(name)) {
    const best = didYouMean(name, ALERT_METRIC_NAMES);
    if (best === undefined) ctx.report('LR800.list', a.metric.span, name, ALERT_METRIC_NAMES.map((m) => `\`${m}\``).join(', '));
    else ctx.report('LR800', a.metric.span, name, best);
    return;
  }
  const metric = alertMetric(name);
  const written = thresholdText(a.threshold);
  if (UNIT_OF[a.threshold.kind] !== metric.unit) {
    ctx.report('LR801', a.threshold.span, name, UNIT_NOUN[metric.unit], written, ALERT_UNIT_EXAMPLE[metric.unit]);
  } else if (metric.unit === 'rate' && a.threshold.kind === 'percent' && a.threshold.value > 100) {
    ctx.report('LR803.rate', a.threshold.span, written);
  }
  if (known && a.buyer !== undefined && metric.source !== null) {
    const decl = ctx.buyerDecls.get(a.buyer.name);
    const has = decl?.clauses.some((c) => c.kind === metric.source && (c.kind !== 'post' || !c.backup)) ?? true;
    if (!has) ctx.report('LR804', a.metric.span, name, metric.source === 'ping' ? 'pings' : 'posts', a.buyer.name, metric.source);
  }
}

/** The threshold as the file writes it, for messages. */
function thresholdText(t: AlertThreshold): string {
  switch (t.kind) {
    case 'percent':
      return `${t.value}%`;
    case 'duration':
      return t.text;
    case 'money':
      return `$${t.value}`;
    case 'number':
      return String(t.value);
    default: {
      const never: never = t;
      return never;
    }
  }
}
