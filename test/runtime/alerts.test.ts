// Alerts evaluated over windowed counts: thresholds each way, windows that
// count whole minutes, no data (no pings, no posts, a sum over a window not
// watched to its start), `since` kept while a state lasts, and the window's
// memory bound. Plans come from rule text; time is given, never read.
import { describe, expect, it } from 'vitest';
import { ALERT_BUCKET_MS, MAX_ALERT_WINDOW_MS } from '../../src/core/alert-metrics.js';
import { AlertWindow, evaluateAlerts, type AlertState } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';

const MIN = ALERT_BUCKET_MS;
const T0 = Date.parse('2026-03-02T12:00:00Z');

const BUYERS = `
buyer P {
  ping "https://p.example/ping" fields state
  bid price "price"
  post "https://p.example/leads" accepted "ok" == true
}
buyer Q {
  ping "https://q.example/ping" fields state
  bid price "price"
  post "https://q.example/leads" accepted "ok" == true
}
flow f { route P }
`;

const alertsOf = (lines: string) => planOf(`${BUYERS}\n${lines}`).alerts ?? [];
const byName = (states: AlertState[]) => new Map(states.map((s) => [s.name, s]));

/** `n` pings of a buyer at `at`, `bids` of them bids, each answered in `ms`. */
function pings(w: AlertWindow, buyer: string, at: number, n: number, bids: number, ms: number): void {
  w.add(buyer, at, { pings: n, bids, responseMs: n * ms });
}

describe('evaluateAlerts', () => {
  it('fires a rate alert under its threshold and not over it, per buyer', () => {
    const alerts = alertsOf('alert LowP when bid_rate(P) < 20% over 1h\nalert LowQ when bid_rate(Q) < 20% over 1h');
    const w = new AlertWindow(T0);
    pings(w, 'P', T0 + 5 * MIN, 10, 1, 100);
    pings(w, 'Q', T0 + 5 * MIN, 10, 5, 100);
    const s = byName(evaluateAlerts(alerts, w, T0 + 10 * MIN));
    expect(s.get('LowP')).toMatchObject({ state: 'firing', value: 10, threshold: 20, unit: 'rate', buyer: 'P', since: T0 + 10 * MIN });
    expect(s.get('LowQ')).toMatchObject({ state: 'ok', value: 50 });
  });

  it('compares with each operator, the threshold itself included or not', () => {
    const alerts = alertsOf([
      'alert Lt when bid_rate(P) < 50% over 1h',
      'alert Le when bid_rate(P) <= 50% over 1h',
      'alert Gt when bid_rate(P) > 50% over 1h',
      'alert Ge when bid_rate(P) >= 50% over 1h',
    ].join('\n'));
    const w = new AlertWindow(T0);
    pings(w, 'P', T0, 4, 2, 10);
    const s = byName(evaluateAlerts(alerts, w, T0));
    expect([...s.values()].map((x) => [x.name, x.state])).toEqual([['Lt', 'ok'], ['Le', 'firing'], ['Gt', 'ok'], ['Ge', 'firing']]);
  });

  it('averages response times in ms, and sums every buyer for an alert without one', () => {
    const alerts = alertsOf('alert SlowP when avg_response(P) > 600ms over 15m\nalert SlowAll when avg_response > 600ms over 15m');
    const w = new AlertWindow(T0);
    pings(w, 'P', T0, 2, 2, 900);
    pings(w, 'Q', T0, 6, 6, 100);
    const s = byName(evaluateAlerts(alerts, w, T0 + MIN));
    expect(s.get('SlowP')).toMatchObject({ state: 'firing', value: 900, unit: 'duration' });
    // (2 × 900 + 6 × 100) / 8 = 300
    expect(s.get('SlowAll')).toMatchObject({ state: 'ok', value: 300 });
  });

  it('counts only the minutes of the window: the current one and the whole minutes before it', () => {
    const alerts = alertsOf('alert Low when bid_rate(P) < 20% over 15m');
    const w = new AlertWindow(T0);
    pings(w, 'P', T0, 10, 0, 10); // minute 0: no bids
    pings(w, 'P', T0 + 20 * MIN, 10, 10, 10); // minute 20: all bids
    // At minute 14 the window is minutes 0..14: only the no-bids.
    expect(evaluateAlerts(alerts, w, T0 + 14 * MIN + 59_000)[0]).toMatchObject({ state: 'firing', value: 0 });
    // At minute 15 minute 0 has left the window, and nothing is in it.
    expect(evaluateAlerts(alerts, w, T0 + 15 * MIN)[0]).toMatchObject({ state: 'no-data', value: null });
    // At minute 20 only the bids are.
    expect(evaluateAlerts(alerts, w, T0 + 20 * MIN)[0]).toMatchObject({ state: 'ok', value: 100 });
  });

  it('has no data for a rate with nothing to divide by: no pings, no posts', () => {
    const alerts = alertsOf('alert Low when bid_rate(P) < 20% over 1h\nalert Fail when failure_rate(P) > 10% over 1h');
    const w = new AlertWindow(T0);
    w.add('Q', T0, { pings: 3, bids: 0, posts: 2, failed: 2 });
    const s = evaluateAlerts(alerts, w, T0 + MIN);
    expect(s.map((x) => [x.state, x.value])).toEqual([['no-data', null], ['no-data', null]]);
  });

  it('rates deliveries over the posts that ended', () => {
    const alerts = alertsOf('alert Fail when failure_rate(P) > 10% over 1h\nalert Acc when accept_rate(P) < 90% over 1h');
    const w = new AlertWindow(T0);
    w.add('P', T0, { posts: 4, accepted: 3, failed: 1, revenue: 30 });
    const s = byName(evaluateAlerts(alerts, w, T0));
    expect(s.get('Fail')).toMatchObject({ state: 'firing', value: 25 });
    expect(s.get('Acc')).toMatchObject({ state: 'firing', value: 75 });
  });

  it('has no data for a sum until the service has watched its whole window, then reads zero as zero', () => {
    const alerts = alertsOf('alert Quiet when sales(P) < 1 over 1h\nalert Poor when revenue < $50 over 1h');
    const w = new AlertWindow(T0);
    expect(evaluateAlerts(alerts, w, T0 + 59 * MIN).map((x) => x.state)).toEqual(['no-data', 'no-data']);
    w.add('P', T0 + 60 * MIN, { sales: 1, revenue: 20 });
    const s = byName(evaluateAlerts(alerts, w, T0 + 60 * MIN));
    expect(s.get('Quiet')).toMatchObject({ state: 'ok', value: 1, unit: 'count' });
    expect(s.get('Poor')).toMatchObject({ state: 'firing', value: 20, unit: 'money', threshold: 50 });
    expect(evaluateAlerts(alerts, w, T0 + 200 * MIN)[0]).toMatchObject({ state: 'firing', value: 0 });
  });

  it('keeps `since` while the state lasts, and starts it again on a change or a new definition', () => {
    const [alert] = alertsOf('alert Low when bid_rate(P) < 20% over 1h');
    const w = new AlertWindow(T0);
    pings(w, 'P', T0, 10, 0, 10);
    const first = evaluateAlerts([alert!], w, T0 + MIN);
    const second = evaluateAlerts([alert!], w, T0 + 2 * MIN, byName(first));
    expect(second[0]).toMatchObject({ state: 'firing', since: T0 + MIN, at: T0 + 2 * MIN });
    pings(w, 'P', T0 + 3 * MIN, 10, 10, 10);
    const third = evaluateAlerts([alert!], w, T0 + 3 * MIN, byName(second));
    expect(third[0]).toMatchObject({ state: 'ok', value: 50, since: T0 + 3 * MIN });
    // The same name watching something else (a reload that changed it) starts afresh.
    // `second` was firing since T0 + 1m; the changed alert fires too, but since now.
    const [changed] = alertsOf('alert Low when bid_rate(P) < 60% over 1h');
    expect(evaluateAlerts([changed!], w, T0 + 4 * MIN, byName(second))[0]).toMatchObject({ state: 'firing', since: T0 + 4 * MIN });
  });
});

describe('AlertWindow', () => {
  it('keeps at most a day of minutes however long it runs', () => {
    const w = new AlertWindow(T0);
    const day = MAX_ALERT_WINDOW_MS / MIN;
    for (let m = 0; m < 3 * day; m += 7) w.add('P', T0 + m * MIN, { pings: 1 });
    // Two series (P and every buyer), each at most a day and a minute of buckets.
    expect(w.size).toBeLessThanOrEqual(2 * (Math.ceil((day + 1) / 7) + 1));
    expect(w.totals('P', MAX_ALERT_WINDOW_MS, T0 + 3 * day * MIN).pings).toBeGreaterThan(day / 7 - 2);
    expect(w.totals('P', MAX_ALERT_WINDOW_MS, T0 + 3 * day * MIN).pings).toBeLessThan(day / 7 + 2);
  });

  it('ignores counts that are not finite numbers', () => {
    const w = new AlertWindow(T0);
    w.add('P', T0, { pings: 1, responseMs: Number.NaN });
    expect(w.totals('P', MIN, T0)).toMatchObject({ pings: 1, responseMs: 0 });
  });
});
