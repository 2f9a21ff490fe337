// Alerts in `leadroute serve`: the service's observer feeds the per-minute
// counts (src/runtime/alert-window.ts) as auctions, sales and deliveries
// happen; every `everyMs` the plan's alerts are evaluated
// (src/runtime/alerts.ts) and a line is logged for each alert that changes
// state; the last states are Prometheus gauges and part of /dashboard.json.
// A reload brings the new plan's alerts in at the next evaluation (the server
// runs one right after a reload); the counts, about buyers, are kept.
//
// Log lines carry alert and buyer names and numbers only: no lead data.

import { Gauge, type Registry } from 'prom-client';
import type { Sale } from '../auction/index.js';
import type { AlertUnit } from '../core/alert-metrics.js';
import type { DeliveryRecord } from '../deliver/types.js';
import type { PlanAlert } from '../plan/index.js';
import { AlertWindow, evaluateAlerts, type AlertState } from '../runtime/index.js';

/** Default time between evaluations. */
export const DEFAULT_ALERT_EVERY_MS = 30_000;

/** Ping outcomes that mean a ping was sent (a skipped or refused buyer was not pinged). */
const SENT: ReadonlySet<string> = new Set(['bid', 'no-bid', 'invalid', 'error', 'timeout']);
/** Delivery statuses that end a post. */
const ENDED: ReadonlySet<string> = new Set(['accepted', 'rejected', 'duplicate', 'failed']);

export interface AlertLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ServeAlertsOptions {
  /** The alerts in service now (the plan's, read at each evaluation). */
  alerts: () => readonly PlanAlert[];
  registry: Registry;
  log: () => AlertLog;
  everyMs?: number;
  /** The clock; tests may give their own. */
  now?: () => number;
}

export class ServeAlerts {
  private readonly window: AlertWindow;
  private readonly now: () => number;
  private states: AlertState[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  readonly everyMs: number;

  constructor(private readonly options: ServeAlertsOptions) {
    this.now = options.now ?? Date.now;
    this.window = new AlertWindow(this.now());
    this.everyMs = options.everyMs ?? DEFAULT_ALERT_EVERY_MS;
    const registers = [options.registry];
    const current = () => this.states;
    new Gauge({
      name: 'leadroute_alert_firing',
      help: 'Each alert of the rule file: 1 firing, 0 ok or no data (as of the last evaluation)',
      labelNames: ['alert'],
      registers,
      collect() {
        this.reset();
        for (const s of current()) this.set({ alert: s.name }, s.state === 'firing' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'leadroute_alert_value',
      help: "Each alert's measure over its window, in its unit (percent, ms, dollars or a count); absent with no data",
      labelNames: ['alert'],
      registers,
      collect() {
        this.reset();
        for (const s of current()) if (s.value !== null) this.set({ alert: s.name }, s.value);
      },
    });
  }

  /** The states of the last evaluation. */
  get last(): readonly AlertState[] {
    return this.states;
  }

  // ---------------------------------------------------------- what the service observes

  sold(sale: Sale): void {
    const at = this.now();
    for (const bid of sale.auction?.bids ?? []) {
      if (bid.source !== 'ping' || !SENT.has(bid.outcome)) continue;
      this.window.add(bid.buyer, at, {
        pings: 1,
        bids: bid.outcome === 'bid' ? 1 : 0,
        timeouts: bid.outcome === 'timeout' ? 1 : 0,
        responseMs: bid.durationMs,
      });
    }
    const d = sale.decision;
    if (d.status === 'routed') for (const b of d.buyers) this.window.add(b.name, at, { sales: 1 });
  }

  delivered(rec: DeliveryRecord): void {
    if (!ENDED.has(rec.status)) return;
    const accepted = rec.status === 'accepted';
    this.window.add(rec.buyer, this.now(), { posts: 1, accepted: accepted ? 1 : 0, failed: rec.status === 'failed' ? 1 : 0, revenue: accepted ? rec.price : 0 });
  }

  // ---------------------------------------------------------- evaluation

  /** Evaluate every alert now, log the changes, and keep the states for the gauges and the dashboard. */
  evaluate(): readonly AlertState[] {
    const previous = new Map(this.states.map((s) => [s.name, s]));
    const next = evaluateAlerts(this.options.alerts(), this.window, this.now(), previous);
    for (const s of next) {
      const before = previous.get(s.name);
      if (before === undefined ? s.state !== 'firing' : before.state === s.state && before.since === s.since) continue;
      this.logChange(s, before);
    }
    this.states = next;
    return next;
  }

  start(): void {
    if (this.timer !== null) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** A scheduled evaluation: a failure is logged, never thrown out of the timer (it would end the process). */
  private tick(): void {
    try {
      this.evaluate();
    } catch (err) {
      this.options.log().warn({ err: (err as Error).message }, `alerts could not be evaluated: ${(err as Error).message}`);
    }
  }

  private logChange(s: AlertState, before: AlertState | undefined): void {
    const fields = { alert: s.name, state: s.state, from: before?.state ?? null, value: s.value, threshold: s.threshold, unit: s.unit, buyer: s.buyer };
    const line = `alert ${s.name} ${s.state === 'no-data' ? 'has no data' : s.state}: ${s.text.replace(/^alert \S+ when /, '')}${s.value === null ? '' : ` (now ${formatAlertValue(s.value, s.unit)})`}`;
    if (s.state === 'firing') this.options.log().warn(fields, line);
    else this.options.log().info(fields, line);
  }
}

/** A measure as a rule file would write it: `12.5%`, `640ms`, `$20.00`, `3`. */
export function formatAlertValue(v: number, unit: AlertUnit): string {
  const round = (x: number) => String(Math.round(x * 10) / 10);
  switch (unit) {
    case 'rate':
      return `${round(v)}%`;
    case 'duration':
      return `${Math.round(v)}ms`;
    case 'money':
      return `$${v.toFixed(2)}`;
    case 'count':
      return round(v);
    default: {
      const never: never = unit;
      return never;
    }
  }
}
