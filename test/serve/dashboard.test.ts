// The dashboard page in Debian's headless chromium (playwright-core): what it
// shows is what the service did, read from the page as a user sees it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lead, post, SERVE_LEAD, startHarness, type Harness } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

let browser: BrowserContext | null = null;
let profile: string | null = null;
let h: Harness | null = null;
/** The test's page, closed before the server (a polling page keeps a connection open). */
let opened: Page | null = null;

beforeAll(async () => {
  if (!haveChromium) return;
  profile = mkdtempSync(join(tmpdir(), 'leadroute-chromium-'));
  // A fresh profile (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
}, 60_000);
afterEach(async () => {
  await opened?.close();
  opened = null;
  await h?.close();
  h = null;
}, 60_000);

/** An alert that fires once Beta has made any sale, and one that has no data (Alpha has no ping). */
const ALERTS = `
alert BetaSelling when accept_rate(Beta) >= 50% over 15m
alert AlphaPings when bid_rate(Alpha) < 20% over 15m
`;

const splitRules = (h: Harness, broken = false) => {
  const url = (name: string) => h.mock.buyers.find((b) => b.name === name)!.url;
  return `${SERVE_LEAD}
buyer Alpha {
  price $20
  cap 100/day
  post "${url('Alpha')}/post" timeout 10s accepted "result" == "success"
}
buyer Beta {
  price $12
  post "${url('Beta')}/post" timeout 10s accepted "result" == "success"
}
flow solar {
  split { Alpha 60%, ${broken ? 'Betta' : 'Beta'} 40% }
}
${ALERTS}`;
};

describe.skipIf(!haveChromium)('GET /dashboard in headless chromium', () => {
  it('shows distribution against targets, revenue, caps, alerts, recent leads with traces, and a refused reload with its errors', async () => {
    h = await startHarness({ server: { watch: true } });
    writeFileSync(h.rules, splitRules(h));
    for (let i = 0; i < 50; i++) if (h.app.leadroute.watcher.reloads === 0) await new Promise((r) => setTimeout(r, 50));
    expect(h.app.leadroute.service.plan!.flows[0]!.rules[0]!.action.kind).toBe('split');
    const got = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      const r = await post(`${h.url}/leads/solar`, lead(`S${i}`));
      const buyer = (r.json.buyers as { name: string }[])[0]!.name;
      got.set(buyer, (got.get(buyer) ?? 0) + 1);
    }

    expect(got.get('Beta') ?? 0).toBeGreaterThan(0);
    h.app.leadroute.alerts.evaluate();

    const page = await browser!.newPage();
    opened = page;
    await page.goto(`${h.url}/dashboard`);
    await page.waitForSelector('#distribution tbody tr');
    const distribution = await page.$$eval('#distribution tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent)));
    const alpha = got.get('Alpha') ?? 0;
    const beta = got.get('Beta') ?? 0;
    expect(distribution).toEqual(
      expect.arrayContaining([
        ['solar', 'Alpha', String(alpha), `${((alpha / 12) * 100).toFixed(1)}%`, '60.0%'],
        ['solar', 'Beta', String(beta), `${((beta / 12) * 100).toFixed(1)}%`, '40.0%'],
      ]),
    );
    const buyers = await page.$$eval('#buyers tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const alphaRow = buyers.find((r) => r[0] === 'Alpha')!;
    expect(alphaRow[6]).toBe(`$${(alpha * 20).toFixed(2)}`);
    expect(alphaRow[7]).toBe(`100/day: ${alpha} used`);
    const alerts = await page.$$eval('#alerts tbody tr', (trs) => trs.map((tr) => [tr.className, ...[...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)]));
    expect(alerts).toEqual([
      ['alert-firing', 'BetaSelling', 'firing', '100%', 'accept_rate(Beta) >= 50% over 15m'],
      ['alert-no-data', 'AlphaPings', 'no-data', '–', 'bid_rate(Alpha) < 20% over 15m'],
    ]);
    expect(await page.$eval('#alerts tbody tr.alert-firing td:nth-child(2)', (td) => td.className)).toBe('bad');
    const recent = await page.$$eval('#recent tbody tr', (trs) => trs.map((tr) => tr.querySelector('td')!.textContent));
    expect(recent).toHaveLength(12);
    expect(recent[0]).toBe('S11'); // newest first
    const trace = await page.$eval('#recent tbody tr details', (d) => d.textContent ?? '');
    expect(trace).toMatch(/split|Alpha|Beta/);

    // A broken rule file: the page says the reload was refused and shows the errors.
    writeFileSync(h.rules, splitRules(h, true));
    await page.waitForSelector('#reload.bad', { timeout: 15_000 });
    const diagnostics = await page.$$eval('pre.diagnostic', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(diagnostics.join('\n')).toMatch(/solar\.route:\d+:\d+.*Betta/s);
  }, 120_000);
});

if (!haveChromium) console.warn(`dashboard test skipped: ${CHROMIUM} is not installed`);
