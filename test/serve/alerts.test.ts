// Alerts in `leadroute serve`: a rule file whose alerts watch real mock buyers
// on 127.0.0.1 (one never bids, one answers slowly), leads sold through an
// auction, an evaluation run on demand (never a sleep), and the alert seen
// firing in /metrics, /dashboard.json and the log; a reload replaces the
// alerts with the new file's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMockBuyers, type MockBuyers } from '../../src/mock/index.js';
import { ServeAlerts } from '../../src/serve/alerts.js';
import { buildServer } from '../../src/serve/server.js';
import { scratchDir } from '../cli/helpers.js';
import { planOf } from '../helpers/lang.js';
import { get, lead, post, SERVE_LEAD } from './helpers.js';

let app: FastifyInstance | null = null;
let mock: MockBuyers | null = null;
afterEach(async () => {
  await app?.close();
  await mock?.close();
  app = null;
  mock = null;
});

const SLOW_MS = 150;

function rulesFor(m: MockBuyers, alerts: string): string {
  const url = (name: string) => m.buyers.find((b) => b.name === name)!.url;
  const bidder = (name: string) => `buyer ${name} {
  ping "${url(name)}/ping" timeout 5s fields state
  bid price "bid.amount", accepted "status" == "accepted"
  post "${url(name)}/post" timeout 10s accepted "result" == "success"
}`;
  return `${SERVE_LEAD}
${bidder('Never')}
${bidder('Slow')}
flow solar { auction { Never, Slow } timeout 5s }
${alerts}
`;
}

async function start(alerts: string, lines: string[]): Promise<{ url: string; rules: string }> {
  mock = await startMockBuyers({
    seed: 1,
    keep: 100,
    buyers: [
      { name: 'Never', port: 0, bid: { noBidRate: 1 } },
      { name: 'Slow', port: 0, latency: SLOW_MS, bid: { price: 30 } },
    ],
  });
  const dir = scratchDir();
  const rules = join(dir, 'alerts.route');
  writeFileSync(rules, rulesFor(mock, alerts));
  app = await buildServer({ rules, store: join(dir, 'serve.db'), watch: false, logger: { level: 'info', stream: { write: (l: string) => void lines.push(l) } } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, rules };
}

const ALERTS = `alert NoBids when bid_rate(Never) < 20% over 15m
alert SlowPings when avg_response(Slow) > 100ms over 15m
alert Failing when failure_rate > 50% over 15m
alert Quiet when sales < 1 over 1h`;

function gauge(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('alerts in leadroute serve', () => {
  it('fires an alert on a buyer that never bids and one that answers slowly, in /metrics, /dashboard.json and the log', async () => {
    const lines: string[] = [];
    const { url } = await start(ALERTS, lines);
    for (let i = 0; i < 4; i++) {
      const r = await post(`${url}/leads/solar`, lead(`A${i}`));
      expect(r.status).toBe(200);
      expect(r.json.buyers).toEqual([expect.objectContaining({ name: 'Slow' })]);
    }
    const states = app!.leadroute.alerts.evaluate();
    const byName = new Map(states.map((s) => [s.name, s]));
    expect(byName.get('NoBids')).toMatchObject({ state: 'firing', value: 0, threshold: 20 });
    expect(byName.get('SlowPings')).toMatchObject({ state: 'firing', threshold: 100 });
    expect(byName.get('SlowPings')!.value!).toBeGreaterThanOrEqual(SLOW_MS);
    // Four posts accepted by Slow: 0% failed.
    expect(byName.get('Failing')).toMatchObject({ state: 'ok', value: 0 });
    // A sum over an hour the service has not watched yet: no data rather than a false "quiet".
    expect(byName.get('Quiet')).toMatchObject({ state: 'no-data', value: null });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(gauge(metrics, 'leadroute_alert_firing{alert="NoBids"}')).toBe(1);
    expect(gauge(metrics, 'leadroute_alert_firing{alert="SlowPings"}')).toBe(1);
    expect(gauge(metrics, 'leadroute_alert_firing{alert="Failing"}')).toBe(0);
    expect(gauge(metrics, 'leadroute_alert_firing{alert="Quiet"}')).toBe(0);
    expect(gauge(metrics, 'leadroute_alert_value{alert="NoBids"}')).toBe(0);
    expect(gauge(metrics, 'leadroute_alert_value{alert="SlowPings"}')).toBeGreaterThanOrEqual(SLOW_MS);
    expect(gauge(metrics, 'leadroute_alert_value{alert="Quiet"}')).toBeUndefined();

    const dash = await get(`${url}/dashboard.json`);
    const shown = dash.json.alerts as { name: string; state: string; value: number | null; unit: string; text: string; since: string }[];
    expect(shown.map((a) => [a.name, a.state, a.unit])).toEqual([
      ['NoBids', 'firing', 'rate'],
      ['SlowPings', 'firing', 'duration'],
      ['Failing', 'ok', 'rate'],
      ['Quiet', 'no-data', 'count'],
    ]);
    expect(shown[0]!.text).toBe('alert NoBids when bid_rate(Never) < 20% over 15m');
    expect(Number.isNaN(Date.parse(shown[0]!.since))).toBe(false);

    // One log line per alert that changed state since the evaluation at start
    // (all no data then): the two firing, and Failing now ok; Quiet unchanged.
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; alert?: string; state?: string; from?: string }).filter((l) => l.alert !== undefined);
    expect(logged.map((l) => [l.alert, l.from, l.state])).toEqual([['NoBids', 'no-data', 'firing'], ['SlowPings', 'no-data', 'firing'], ['Failing', 'no-data', 'ok']]);
    expect(logged[0]!.msg).toBe('alert NoBids firing: bid_rate(Never) < 20% over 15m (now 0%)');
    expect(lines.join('\n')).not.toMatch(/a0@example\.com|415-555/);

    // Evaluated again with nothing new: no new line, and `since` kept.
    app!.leadroute.alerts.evaluate();
    expect(lines.filter((l) => l.includes('"alert"'))).toHaveLength(3);
    expect((await get(`${url}/dashboard.json`)).json.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'NoBids', since: shown[0]!.since })]));
  }, 60_000);

  it('replaces the alerts with the new plan\'s on a reload', async () => {
    const lines: string[] = [];
    const { url, rules } = await start(ALERTS, lines);
    await post(`${url}/leads/solar`, lead('R1'));
    app!.leadroute.alerts.evaluate();
    writeFileSync(rules, rulesFor(mock!, 'alert Bidding when bid_rate(Slow) >= 50% over 5m'));
    expect(app!.leadroute.watcher.reload().ok).toBe(true);
    // The reload evaluated the new alerts at once; the counts from before it are kept.
    const dash = await get(`${url}/dashboard.json`);
    expect(dash.json.alerts).toEqual([expect.objectContaining({ name: 'Bidding', state: 'firing', value: 100 })]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(gauge(metrics, 'leadroute_alert_firing{alert="Bidding"}')).toBe(1);
    expect(gauge(metrics, 'leadroute_alert_firing{alert="NoBids"}')).toBeUndefined();
  }, 60_000);

  it('shows an empty list for a rule file without alerts', async () => {
    const { url } = await start('', []);
    app!.leadroute.alerts.evaluate();
    expect((await get(`${url}/dashboard.json`)).json.alerts).toEqual([]);
    expect(await (await fetch(`${url}/metrics`)).text()).not.toMatch(/^leadroute_alert_firing\{/m);
  }, 60_000);
});

describe('ServeAlerts on a schedule', () => {
  it('evaluates at start and every `everyMs`, and not after stop', () => {
    const plan = planOf('buyer A { price $1 }\nflow f { route A }\nalert Quiet when sales(A) < 1 over 1m');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let now = Date.parse('2026-03-02T12:00:00Z');
      const logged: string[] = [];
      const log = { info: (_: unknown, m: string) => void logged.push(m), warn: (_: unknown, m: string) => void logged.push(m) };
      const alerts = new ServeAlerts({ alerts: () => plan.alerts ?? [], registry: new Registry(), log: () => log, everyMs: 10_000, now: () => now });
      alerts.start();
      expect(alerts.last.map((s) => [s.state, s.at])).toEqual([['no-data', now]]);
      // Two minutes on, with no sale: the window (1m) has been watched whole, and nothing sold.
      now += 120_000;
      vi.advanceTimersByTime(10_000);
      expect(alerts.last.map((s) => [s.state, s.value, s.at])).toEqual([['firing', 0, now]]);
      expect(logged).toEqual(['alert Quiet firing: sales(A) < 1 over 1m (now 0)']);
      alerts.stop();
      now += 120_000;
      vi.advanceTimersByTime(60_000);
      expect(alerts.last[0]!.at).toBe(now - 120_000);
    } finally {
      vi.useRealTimers();
    }
  });
});
