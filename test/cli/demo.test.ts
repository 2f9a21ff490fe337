import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/index.js';
import { mockBuyersCommand } from '../../src/cli/mock-buyers.js';
import { redirectPlan } from '../../src/cli/sell-buyers.js';
import { describeBids } from '../../src/cli/sell-report.js';
import type { BidRecord } from '../../src/auction/index.js';
import { compile } from '../../src/compile/index.js';
import type { MockBuyers } from '../../src/mock/index.js';
import { ROOT, runCli, scratchDir, writeScratch } from './helpers.js';

function captureIo(cwd = ROOT): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`), err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`), color: false, cwd };
  return { io, out: () => out, err: () => err };
}

async function busyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as { port: number }).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

describe('leadroute demo (ping-post auction)', () => {
  it('sells sample leads by real auctions over loopback and prints a line a lead and a per-buyer summary', async () => {
    const r = await runCli(['demo', '--ephemeral', '--limit', '40', '--concurrency', '10']);
    expect(r.err).not.toMatch(/error|already in use/i);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const leadLines = lines.filter((l) => /^L\d{5} /.test(l));
    expect(leadLines).toHaveLength(40);
    // In input order, whatever order the auctions finished in.
    expect(leadLines.map((l) => l.slice(0, 6))).toEqual(Array.from({ length: 40 }, (_, i) => `L${String(i + 1).padStart(5, '0')}`.slice(0, 6)));
    const sold = leadLines.filter((l) => /^L\d{5} +→ /.test(l));
    // Most leads sell (about nine in ten on a quiet machine); the bound is loose
    // because a loaded CI machine can push some auctions past their 750 ms timeout.
    expect(sold.length).toBeGreaterThanOrEqual(10);
    for (const l of sold) expect(l).toMatch(/→ [A-Za-z]+ \$\d+\.\d\d.* (exclusive|shared) +tier [\d→]+ +\d+ bids? of \d+ pinged/);
    // The per-buyer summary: pings, bids, wins, revenue, response-time percentiles.
    const header = lines.find((l) => l.startsWith('buyer') && l.includes('pings'))!;
    expect(header).toMatch(/pings +bids .* wins .* revenue .* p50 ms +p95 ms/);
    for (const name of ['SunPeak', 'BrightHome', 'Helios', 'WestRegional', 'EastRegional', 'Aggregator']) {
      expect(lines.some((l) => l.startsWith(name))).toBe(true);
    }
    expect(r.out).toMatch(/40 leads: \d+ sold \(\d+ exclusive, \d+ shared\), \d+ unsold, 0 rejected; revenue \$[\d,]+\.\d\d/);
    expect(r.out).toContain('what the mock buyers saw');
    // Pings never carried PII.
    expect(r.out).not.toContain('carried PII');
  });

  it('says clearly when a fixed port is busy, and how to get round it', async () => {
    const busy = await busyPort();
    try {
      const dir = scratchDir();
      const config = JSON.parse(readFileSync(join(ROOT, 'examples/mock-buyers.json'), 'utf8')) as { buyers: { port: number }[] };
      config.buyers[0]!.port = busy.port;
      for (const b of config.buyers.slice(1)) b.port = 0;
      writeScratch(dir, 'buyers.json', JSON.stringify(config));
      const r = await runCli(['demo', '--buyers', join(dir, 'buyers.json'), '--limit', '1']);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`port ${busy.port} (mock buyer SunPeak) is already in use on 127.0.0.1`);
      expect(r.err).toContain('--ephemeral');
    } finally {
      await busy.close();
    }
  });

  it('keeps the plain routing demo behind --plain', async () => {
    const r = await runCli(['demo', '--plain']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('rules/solar.route');
    expect(r.out).toMatch(/1000 leads, \d+ routed/);
  });

  it('rejects bad options as usage errors', async () => {
    expect((await runCli(['demo', '--concurrency', '0'])).code).toBe(2);
    expect((await runCli(['demo', 'extra.route'])).code).toBe(2);
  });

  it('points plan URLs at the ports the mock buyers got, and flags hosts off the machine', () => {
    const source = readFileSync(join(ROOT, 'rules/failover-cascade.route'), 'utf8');
    const { plan } = compile(source, { file: 'rules/failover-cascade.route', baseDir: join(ROOT, 'rules') });
    const { plan: moved, external } = redirectPlan(plan!, new Map([[17311, 50001], [17312, 50002]]));
    const summit = moved.buyers.find((b) => b.name === 'Summit')!;
    expect(summit.post!.url).toBe('http://127.0.0.1:50001/post');
    expect(summit.backupPost!.url).toBe('http://127.0.0.1:50002/post');
    expect(summit.pixels![0]!.url).toBe('http://127.0.0.1:50001/pixel?lead={{lead.id}}&amount={{sale.price}}');
    expect(moved.buyers.find((b) => b.name === 'Meridian')!.post!.url).toBe('http://127.0.0.1:17313/post'); // not remapped
    expect(plan!.buyers.find((b) => b.name === 'Summit')!.post!.url).toBe('http://127.0.0.1:17311/post'); // the original is untouched
    expect(external).toEqual([]);
    const off = structuredClone(plan!);
    off.buyers[0]!.post!.url = 'https://buyer.example/leads';
    expect(redirectPlan(off, new Map()).external).toEqual(['Summit post: https://buyer.example/leads']);
  });
});

describe('leadroute mock-buyers', () => {
  it('starts the configured buyers, prints their URLs, and prints what they saw when stopped', async () => {
    const { io, out } = captureIo();
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    let ready!: MockBuyers;
    const done = mockBuyersCommand(['examples/mock-buyers.json'], { ephemeral: true, seed: undefined }, io, {
      until,
      onReady: (m) => {
        ready = m;
        const a = m.buyers.find((b) => b.name === 'Aggregator')!;
        void fetch(`${a.url}/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"state":"CA","homeowner":true}' })
          .then((r) => r.text())
          .then(() => fetch(`${a.url}/pixel?x=1`))
          .then((r) => r.arrayBuffer())
          .finally(stop);
      },
    });
    expect(await done).toBe(0);
    const text = out();
    for (const b of ready.buyers) expect(text).toContain(`${b.name.padEnd(12)}  ${b.url}`);
    expect(text).toMatch(/Aggregator +2 +1 +1 /); // requests, pings, bids
    expect(text).toMatch(/2 requests/);
  });

  it('reports an invalid configuration with every problem, exit 1', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'bad.json', JSON.stringify({ buyers: [{ name: 'A', bid: { noBidRate: 2 } }, { name: 'A', latency: 'slow' }] }));
    const r = await runCli(['mock-buyers', 'bad.json'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.json: invalid mock buyer configuration');
    expect(r.err).toContain('buyers[0] (A).bid.noBidRate: must be <= 1');
    expect(r.err).toContain('buyers[1] (A).latency: must be a number, or');
    const missing = await runCli(['mock-buyers', 'nope.json'], dir);
    expect(missing.code).toBe(2);
    expect((await runCli(['mock-buyers'], dir)).code).toBe(2);
  });

  it('says which port is busy', async () => {
    const busy = await busyPort();
    try {
      const dir = scratchDir();
      writeScratch(dir, 'b.json', JSON.stringify({ buyers: [{ name: 'Solo', port: busy.port }] }));
      const r = await runCli(['mock-buyers', 'b.json'], dir);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`mock buyer Solo cannot start: port ${busy.port} on 127.0.0.1 is already in use`);
    } finally {
      await busy.close();
    }
  });

  it('is listed in the help', async () => {
    const c = captureIo();
    expect(await main(['help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^ {2}mock-buyers CONFIG +run mock buyer/m);
  });
});

describe('describeBids', () => {
  const record = (buyer: string, o: Partial<BidRecord>): BidRecord => ({
    buyer, tier: 1, pingId: 'p', source: 'ping', outcome: 'bid', reason: null, buyerReason: null, carried: null, httpStatus: 200, durationMs: 3, price: 10,
    bidId: null, exclusive: false, states: null, maxAgeS: null, score: 10, fate: 'outbid', postId: null, ...o,
  });
  it('counts a fixed-price bid among the bids but not among the pinged', () => {
    const bids = [
      record('A', { fate: 'sold' }),
      record('B', { outcome: 'no-bid', price: null, fate: null }),
      record('F', { source: 'fixed', pingId: '', httpStatus: null, durationMs: 0, fate: 'below-floor' }),
    ];
    expect(describeBids(bids)).toBe('2 bids of 2 pinged + 1 fixed price, 1 discarded (1 below floor)');
    expect(describeBids(bids.slice(0, 2))).toBe('1 bid of 2 pinged');
  });
});
