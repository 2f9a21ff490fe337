// The measures an `alert` may watch, declared once: the checker reads their
// names, units and what a buyer needs to produce them; the runtime's evaluator
// computes them from windowed counts; grammar/REFERENCE.md's table is checked
// against this one (test/core/alert-metrics.test.ts).
//
// A measure is worked out from the sums of AlertCounts over the alert's
// window, for one buyer or for every buyer together. Values are in their
// unit as a rule file writes it: a rate in percent (0..100), a duration in
// milliseconds, money in dollars, a count as a number.

/** What the service counts per buyer per minute for alerts. */
export interface AlertCounts {
  /** Pings sent in auctions (answered or not; a buyer skipped or refused is not pinged). */
  pings: number;
  /** Pings answered with a usable bid. */
  bids: number;
  /** Pings with no answer within the timeout. */
  timeouts: number;
  /** The pings' response times added up, ms (a timed-out ping counts the time waited). */
  responseMs: number;
  /** Posts that ended: accepted, rejected, duplicate or failed. */
  posts: number;
  accepted: number;
  /** Posts with no answer after retries and failover, or a circuit open. */
  failed: number;
  /** Dollars of accepted posts. */
  revenue: number;
  /** Leads sold to the buyer (exclusively or shared). */
  sales: number;
}

export const ALERT_COUNT_KEYS = ['pings', 'bids', 'timeouts', 'responseMs', 'posts', 'accepted', 'failed', 'revenue', 'sales'] as const satisfies readonly (keyof AlertCounts)[];

export const emptyAlertCounts = (): AlertCounts => ({ pings: 0, bids: 0, timeouts: 0, responseMs: 0, posts: 0, accepted: 0, failed: 0, revenue: 0, sales: 0 });

/** How a measure is written and compared: `20%`, `600ms`, `$500`, `10`. */
export type AlertUnit = 'rate' | 'duration' | 'money' | 'count';

/**
 * What a buyer must declare for a measure ever to have data: a `ping` (the
 * auction measures), a `post` (the delivery measures), or nothing.
 */
export type AlertSource = 'ping' | 'post' | null;

export interface AlertMetric {
  unit: AlertUnit;
  source: AlertSource;
  /**
   * `ratio`: no data while the denominator is zero (no pings, no posts);
   * `sum`: no data until the service has watched the whole window, since a sum
   * over part of it would read low after every restart.
   */
  basis: 'ratio' | 'sum';
  /** For the reference's table. */
  doc: string;
  /** The value over the window's counts, in the unit's terms, or null for no data. */
  value(c: AlertCounts): number | null;
}

const ratio = (n: number, d: number, scale: number): number | null => (d > 0 ? (n / d) * scale : null);

export const ALERT_METRICS = {
  bid_rate: {
    unit: 'rate', source: 'ping', basis: 'ratio',
    doc: 'pings answered with a usable bid, of the pings sent',
    value: (c) => ratio(c.bids, c.pings, 100),
  },
  timeout_rate: {
    unit: 'rate', source: 'ping', basis: 'ratio',
    doc: 'pings not answered within their timeout, of the pings sent',
    value: (c) => ratio(c.timeouts, c.pings, 100),
  },
  avg_response: {
    unit: 'duration', source: 'ping', basis: 'ratio',
    doc: 'mean ping response time (a timed-out ping counts the time waited)',
    value: (c) => ratio(c.responseMs, c.pings, 1),
  },
  accept_rate: {
    unit: 'rate', source: 'post', basis: 'ratio',
    doc: 'posts accepted, of the posts that ended (accepted, rejected, duplicate, failed)',
    value: (c) => ratio(c.accepted, c.posts, 100),
  },
  failure_rate: {
    unit: 'rate', source: 'post', basis: 'ratio',
    doc: 'posts failed (no answer after retries and failover, or circuit open), of the posts that ended',
    value: (c) => ratio(c.failed, c.posts, 100),
  },
  revenue: {
    unit: 'money', source: null, basis: 'sum',
    doc: 'dollars of accepted posts',
    value: (c) => c.revenue,
  },
  sales: {
    unit: 'count', source: null, basis: 'sum',
    doc: 'leads sold (exclusively or shared)',
    value: (c) => c.sales,
  },
} as const satisfies Record<string, AlertMetric>;

export type AlertMetricName = keyof typeof ALERT_METRICS;
export const ALERT_METRIC_NAMES = Object.keys(ALERT_METRICS) as AlertMetricName[];

export function isAlertMetric(name: string): name is AlertMetricName {
  return Object.prototype.hasOwnProperty.call(ALERT_METRICS, name);
}

export function alertMetric(name: AlertMetricName): AlertMetric {
  return ALERT_METRICS[name];
}

/** The comparisons an alert may make. */
export const ALERT_OPS = ['<', '<=', '>', '>='] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

/** Alerts count in whole minutes, and remember at most a day. */
export const ALERT_BUCKET_MS = 60_000;
export const MAX_ALERT_WINDOW_MS = 24 * 3_600_000;

/** How each unit is written, for messages: "a percentage like 20%". */
export const ALERT_UNIT_EXAMPLE: Record<AlertUnit, string> = {
  rate: 'a percentage like 20%',
  duration: 'a duration like 600ms',
  money: 'an amount like $500',
  count: 'a number like 10',
};
