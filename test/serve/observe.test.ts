// Observability: Prometheus metrics for what the service did, and logs
// without keys, secrets or personal data.
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeys } from '../../src/serve/keys.js';
import { writeFileSync } from 'node:fs';
import { get, lead, post, rulesFor, startHarness, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const metricValue = (text: string, line: string): number | null => {
  const m = new RegExp(`^${line.replace(/[{}"\\[\]().*+?|$^]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

describe('GET /metrics', () => {
  it('counts leads by outcome, sales by buyer, revenue, deliveries, pings and cap usage', async () => {
    h = await startHarness({ buyers: { post: { rejectRate: 0 } } });
    await post(`${h.url}/leads/solar`, lead('M1'));
    await post(`${h.url}/leads/solar`, lead('M2'));
    await post(`${h.url}/leads/solar`, lead('M3', { state: 'TX' }));
    await post(`${h.url}/leads/solar`, { id: 'M4', state: 'CA' }); // no email: invalid
    await post(`${h.url}/ping/solar`, { state: 'CA' });
    const res = await fetch(`${h.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(metricValue(text, 'leadroute_leads_total{flow="solar",outcome="routed"}')).toBe(3);
    expect(metricValue(text, 'leadroute_leads_total{flow="solar",outcome="invalid"}')).toBe(1);
    expect(metricValue(text, 'leadroute_decisions_total{flow="solar",buyer="Alpha"}')).toBe(2);
    expect(metricValue(text, 'leadroute_decisions_total{flow="solar",buyer="Beta"}')).toBe(1);
    expect(metricValue(text, 'leadroute_revenue_dollars_total{buyer="Alpha"}')).toBe(40);
    expect(metricValue(text, 'leadroute_deliveries_total{buyer="Beta",status="accepted"}')).toBe(1);
    expect(metricValue(text, 'leadroute_pings_total{flow="solar",answer="bid"}')).toBe(1);
    expect(metricValue(text, 'leadroute_sale_seconds_count{flow="solar"}')).toBe(3);
    expect(metricValue(text, 'leadroute_cap_usage_ratio{buyer="Alpha",cap="10/day"}')).toBe(0.2);
  });
});

describe('GET /metrics: buyer health', () => {
  it('shows a circuit breaker opened by failing posts, and the failures', async () => {
    h = await startHarness({ buyers: { post: { faults: { error: 1 } } } });
    writeFileSync(h.rules, rulesFor(h.mock).replace('  cap 10/day\n', '  cap 10/day\n  breaker 2 cooldown 1h\n'));
    expect(h.app.leadroute.watcher.reload()).toMatchObject({ ok: true });
    const closed = await (await fetch(`${h.url}/metrics`)).text();
    expect(metricValue(closed, 'leadroute_circuit_state{buyer="Alpha",endpoint="primary"}')).toBe(0);
    for (const id of ['B1', 'B2', 'B3']) await post(`${h.url}/leads/solar`, lead(id));
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(metricValue(text, 'leadroute_circuit_state{buyer="Alpha",endpoint="primary"}')).toBe(2);
    expect(metricValue(text, 'leadroute_delivery_failures_total{buyer="Alpha"}')).toBeGreaterThanOrEqual(2);
  });
});

describe('logs', () => {
  it('never hold the API key, the lead or its personal data, though they say what happened to each lead', async () => {
    const lines: string[] = [];
    const keys = parseKeys(JSON.stringify({ sources: [{ name: 'acme', key: 'acme-very-secret-key' }] }), {});
    h = await startHarness({ server: { keys }, logLines: lines });
    const k = { 'x-api-key': 'acme-very-secret-key' };
    await post(`${h.url}/leads/solar`, lead('P1', { email: 'pat.private@example.com', phone: '415-555-0199' }), k);
    await post(`${h.url}/leads/solar`, { id: 'P2', state: 'CA', email: 'not-an-email-pat.private' }, k);
    await post(`${h.url}/leads/solar`, '{"id":"P3","email":"pat.private@example.com"', k);
    await post(`${h.url}/leads/solar`, lead('P4'), { 'x-api-key': 'wrong-key-acme-very-secret' });
    await get(`${h.url}/leads/P1`, k);
    const log = lines.join('');
    expect(log).toMatch(/"leadId":"P1".*lead sold/);
    expect(log).toMatch(/"leadId":"P2".*"fields":\["email"\]/);
    for (const secret of ['acme-very-secret-key', 'pat.private', '415-555-0199', 'wrong-key-acme']) expect(log, secret).not.toContain(secret);
    // And whatever a later log call hands the logger, the redaction paths hold.
    h.app.log.info({ req: { headers: { 'x-api-key': 'acme-very-secret-key', authorization: 'Bearer t0ken-xyz' } }, lead: { email: 'pat.private@example.com' }, reply: { body: 'pat.private' } }, 'probe');
    const probe = lines.find((l) => l.includes('"probe"'))!;
    expect(probe).toContain('[redacted]');
    for (const secret of ['acme-very-secret-key', 't0ken-xyz', 'pat.private']) expect(probe, secret).not.toContain(secret);
  });
});
