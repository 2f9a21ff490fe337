import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { readBid } from '../../src/auction/index.js';
import {
  MockBuyersError,
  MockConfigError,
  Rng,
  parseMockConfig,
  sample,
  startMockBuyers,
  validateMockConfig,
  withEphemeralPorts,
  type Distribution,
  type MockBuyers,
  type MockBuyersConfig,
} from '../../src/mock/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const running: MockBuyers[] = [];

async function start(config: MockBuyersConfig): Promise<MockBuyers> {
  const m = await startMockBuyers(config);
  running.push(m);
  return m;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});
afterAll(() => agent.close());

/** A minimal HTTP client over undici (global fetch is several times slower, and these tests send thousands of requests). */
const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
interface Answer {
  status: number;
  contentType: string;
  body: string;
  json<T = Record<string, unknown>>(): T;
}
async function call(url: string, opts: { method?: 'GET' | 'POST'; body?: string; contentType?: string; signal?: AbortSignal } = {}): Promise<Answer> {
  const r = await request(url, {
    dispatcher: agent,
    method: opts.method ?? 'GET',
    ...(opts.body !== undefined ? { body: opts.body, headers: { 'content-type': opts.contentType ?? 'application/json' } } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const body = await r.body.text();
  return { status: r.statusCode, contentType: String(r.headers['content-type'] ?? ''), body, json: <T,>() => JSON.parse(body) as T };
}
const ping = (url: string, body: unknown, signal?: AbortSignal) => call(`${url}/ping`, { method: 'POST', body: JSON.stringify(body), ...(signal ? { signal } : {}) });
const post = (url: string, body: unknown) => call(`${url}/post`, { method: 'POST', body: JSON.stringify(body) });

/** A ping body that differs per i (so each gets its own draw). */
const pingBody = (i: number) => ({ state: 'CA', zip3: '945', homeowner: true, electric_bill: '200-300', credit_score: 600 + (i % 250), lead_score: i % 100, n: i });

/** Run `fn` over 0..n-1, `width` at a time. */
async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe('startMockBuyers', () => {
  it('starts one server per buyer on ephemeral loopback ports and stops them', async () => {
    const m = await startMockBuyers({ buyers: [{ name: 'A' }, { name: 'B', port: 0 }, { name: 'C' }] });
    expect(m.buyers.map((b) => b.name)).toEqual(['A', 'B', 'C']);
    for (const b of m.buyers) {
      expect(b.port).toBeGreaterThan(0);
      expect(b.url).toBe(`http://127.0.0.1:${b.port}`);
    }
    expect(new Set(m.buyers.map((b) => b.port)).size).toBe(3);
    const r = await ping(m.buyers[0]!.url, pingBody(1));
    expect(r.status).toBe(200);
    await m.close();
    await m.close(); // twice is fine
    await expect(call(`${m.buyers[0]!.url}/pixel`)).rejects.toThrow();
  });

  it('answers pings and posts the way the solar rules read them', async () => {
    const m = await start({ seed: 3, buyers: [{ name: 'SunPeak', bid: { price: { dist: 'uniform', min: 40, max: 60 } } }] });
    const url = m.buyers[0]!.url;
    const res = await ping(url, pingBody(1));
    const text = res.body;
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json).toMatchObject({ status: 'accepted', exclusive: false });
    expect(typeof (json.bid as { amount: unknown }).amount).toBe('number');
    expect(json.ping_id).toMatch(/^sunp-/);

    // The bid mapping of rules/solar-pingpost.route reads it as a bid.
    const source = readFileSync(`${ROOT}rules/solar-pingpost.route`, 'utf8');
    const { plan } = compile(source, { file: 'rules/solar-pingpost.route', baseDir: `${ROOT}rules` });
    const mapping = plan!.buyers.find((b) => b.name === 'SunPeak')!.ping!.bid;
    const reading = readBid({ ok: true, status: 200, headers: {}, body: text, startedAt: 0, durationMs: 1 }, mapping);
    expect(reading.outcome).toBe('bid');
    if (reading.outcome === 'bid') {
      expect(reading.bid.price).toBeGreaterThanOrEqual(40);
      expect(reading.bid.price).toBeLessThanOrEqual(60);
      expect(reading.bid.id).toBe(json.ping_id);
    }

    const p = await post(url, { ping_id: json.ping_id, price: 50, lead: { id: 'L1', email: 'a@example.com' } });
    expect(p.json()).toMatchObject({ result: 'success', lead_id: expect.stringMatching(/^sunp-L-/) });
    const form = await call(`${url}/post`, { method: 'POST', contentType: 'application/x-www-form-urlencoded', body: 'lead_id=L1&email=a%40example.com' });
    expect(form.json()).toMatchObject({ result: 'success' });
    const px = await call(`${url}/pixel?lead=L1&price=50`);
    expect(px.status).toBe(200);
    expect(px.contentType).toBe('image/gif');
    expect((await call(`${url}/nope`)).status).toBe(404);
    expect((await call(`${url}/ping`)).status).toBe(405);

    const s = m.stats().buyers[0]!;
    expect(s.requests).toBe(6);
    expect(s.pings).toMatchObject({ total: 2, bids: 1, badRequests: 1 });
    expect(s.posts).toMatchObject({ total: 2, accepted: 2, matchedPing: 1 });
    expect(s.pixels).toBe(1);
    expect(s.other).toBe(1);
    expect(s.recent.map((r) => `${r.method} ${r.path} ${r.outcome}`)).toEqual([
      'POST /ping bid',
      'POST /post accepted',
      'POST /post accepted',
      'GET /pixel pixel',
      'GET /nope not-found',
      'GET /ping bad-request',
    ]);
    expect(s.recent[3]!.query).toBe('lead=L1&price=50');
    expect(JSON.parse(s.recent[0]!.body)).toEqual(pingBody(1));
  });

  it('keeps only the last N requests, and resetStats forgets them', async () => {
    const m = await start({ keep: 3, buyers: [{ name: 'A' }] });
    for (let i = 0; i < 5; i++) await ping(m.buyers[0]!.url, pingBody(i));
    const s = m.stats();
    expect(s.requests).toBe(5);
    expect(s.buyers[0]!.recent.map((r) => (JSON.parse(r.body) as { n: number }).n)).toEqual([2, 3, 4]);
    m.resetStats();
    expect(m.stats().requests).toBe(0);
    expect(m.stats().buyers[0]!.recent).toEqual([]);
  });

  it('respects the bid distribution, no-bid and exclusive rates (statistically)', async () => {
    const m = await start({
      seed: 11,
      keep: 5000,
      buyers: [
        { name: 'U', bid: { price: { dist: 'uniform', min: 20, max: 40 }, noBidRate: 0.3, exclusiveRate: 0.2, exclusivePremium: 1 } },
        { name: 'N', bid: { price: { dist: 'normal', mean: 50, sd: 5 } } },
      ],
    });
    const n = 1000;
    const [u, nn] = m.buyers;
    await pool(n, 32, async (i) => {
      await ping(u!.url, pingBody(i));
      await ping(nn!.url, pingBody(i));
    });
    const su = m.stats().buyers[0]!;
    expect(su.pings.total).toBe(n);
    expect(su.pings.noBids / n).toBeGreaterThan(0.25);
    expect(su.pings.noBids / n).toBeLessThan(0.35);
    expect(su.pings.exclusiveBids / su.pings.bids).toBeGreaterThan(0.15);
    expect(su.pings.exclusiveBids / su.pings.bids).toBeLessThan(0.25);
    const amounts = su.recent.filter((r) => r.bid).map((r) => r.bid!.amount);
    expect(amounts.length).toBe(su.pings.bids);
    expect(Math.min(...amounts)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...amounts)).toBeLessThanOrEqual(40);
    expect(mean(amounts)).toBeGreaterThan(29);
    expect(mean(amounts)).toBeLessThan(31);

    const normal = m.stats().buyers[1]!.recent.map((r) => r.bid!.amount);
    expect(normal.length).toBe(n);
    expect(mean(normal)).toBeGreaterThan(49.3);
    expect(mean(normal)).toBeLessThan(50.7);
    expect(sd(normal)).toBeGreaterThan(4.5);
    expect(sd(normal)).toBeLessThan(5.5);
  });

  it('applies states, multipliers, scaleBy and the exclusive premium', async () => {
    const m = await start({
      buyers: [
        {
          name: 'M',
          bid: {
            price: 40,
            states: ['CA', 'TX'],
            multipliers: { electric_bill: { '300+': 1.5 }, homeowner: { false: 0.5 } },
            scaleBy: { field: 'credit_score', pivot: 700 },
          },
        },
        { name: 'X', bid: { price: 40, exclusiveRate: 1, exclusivePremium: 1.5 } },
      ],
    });
    const [mm, x] = m.buyers;
    const amount = async (url: string, body: unknown) => {
      const j = (await ping(url, body)).json<{ status: string; reason?: string; bid?: { amount: number } }>();
      return j.status === 'accepted' ? j.bid!.amount : j.reason;
    };
    expect(await amount(mm!.url, { state: 'CA', electric_bill: '100-200', homeowner: true, credit_score: 700 })).toBe(40);
    expect(await amount(mm!.url, { state: 'CA', electric_bill: '300+', homeowner: true, credit_score: 700 })).toBe(60);
    expect(await amount(mm!.url, { state: 'TX', electric_bill: '300+', homeowner: false, credit_score: 700 })).toBe(30);
    expect(await amount(mm!.url, { state: 'TX', electric_bill: '0-100', homeowner: true, credit_score: 770 })).toBe(44);
    expect(await amount(mm!.url, { state: 'NY', electric_bill: '300+', homeowner: true, credit_score: 700 })).toBe('out_of_area');
    const ex = (await ping(x!.url, { state: 'NY' })).json();
    expect(ex).toMatchObject({ exclusive: true, bid: { amount: 60 } });
  });

  it('draws latency from its distribution (the drawn delays, not wall-clock)', async () => {
    const m = await start({
      seed: 5,
      keep: 5000,
      buyers: [
        { name: 'F', latency: { dist: 'fixed', value: 1 } },
        { name: 'U', latency: { dist: 'uniform', min: 0, max: 2 } },
        { name: 'L', latency: { dist: 'lognormal', median: 1, sigma: 0.5, max: 3 } },
      ],
    });
    const n = 600;
    await pool(n, 32, async (i) => {
      await Promise.all(m.buyers.map((b) => ping(b.url, pingBody(i))));
    });
    const delays = (i: number) => m.stats().buyers[i]!.recent.map((r) => r.delayMs!);
    expect(new Set(delays(0))).toEqual(new Set([1]));
    const u = delays(1);
    expect(u.length).toBe(n);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThanOrEqual(2);
    expect(mean(u)).toBeGreaterThan(0.9);
    expect(mean(u)).toBeLessThan(1.1);
    const l = [...delays(2)].sort((a, b) => a - b);
    expect(l[n / 2]!).toBeGreaterThan(0.9);
    expect(l[n / 2]!).toBeLessThan(1.1);
    expect(Math.max(...l)).toBeLessThanOrEqual(3);
    // The service time the server measured includes the drawn latency.
    expect(m.stats().buyers[0]!.pingLatency.count).toBe(n);
    expect(m.stats().buyers[0]!.pingLatency.p50).toBeGreaterThanOrEqual(0.9);
  });

  it('misbehaves at the configured rates: 500s, garbage, resets and hangs', async () => {
    const m = await start({
      seed: 9,
      hangMs: 50,
      keep: 5000,
      buyers: [{ name: 'Flaky', bid: { price: 30 }, faults: { error: 0.1, garbage: 0.15, reset: 0.05, timeout: 0.05 } }],
    });
    const url = m.buyers[0]!.url;
    const n = 1000;
    const seen = await pool(n, 32, async (i) => {
      try {
        const r = await ping(url, pingBody(i), AbortSignal.timeout(5000));
        const text = r.body;
        if (r.status === 500) return 'error';
        let j: { bid?: { amount?: unknown } };
        try {
          j = JSON.parse(text) as typeof j;
        } catch {
          return 'not-json';
        }
        const a = j.bid?.amount;
        if (typeof a === 'string') return 'string-price';
        if (typeof a === 'number' && a < 0) return 'negative-price';
        return 'ok';
      } catch {
        return 'dropped'; // reset, or a hang whose connection was dropped
      }
    });
    const count = (k: string) => seen.filter((s) => s === k).length;
    const s = m.stats().buyers[0]!.pings;
    expect(s.total).toBe(n);
    expect(count('error')).toBe(s.errors);
    expect(count('not-json') + count('string-price') + count('negative-price')).toBe(s.garbage);
    expect(count('dropped')).toBe(s.resets + s.timeouts);
    expect(count('ok')).toBe(s.bids);
    expect(s.errors / n).toBeGreaterThan(0.07);
    expect(s.errors / n).toBeLessThan(0.13);
    expect(s.garbage / n).toBeGreaterThan(0.11);
    expect(s.garbage / n).toBeLessThan(0.19);
    expect(s.resets / n).toBeGreaterThan(0.03);
    expect(s.resets / n).toBeLessThan(0.07);
    expect(s.timeouts / n).toBeGreaterThan(0.03);
    expect(s.timeouts / n).toBeLessThan(0.07);
    for (const k of ['not-json', 'string-price', 'negative-price']) expect(count(k)).toBeGreaterThan(0);
  });

  it('rejects posts at the configured rate, with reasons, and can require a known ping', async () => {
    const m = await start({
      seed: 2,
      buyers: [
        { name: 'R', post: { rejectRate: 0.25, reasons: ['duplicate', 'invalid_phone'] } },
        { name: 'P', bid: { price: 20 }, post: { requirePing: true } },
      ],
    });
    const [r, p] = m.buyers;
    const answers = await pool(800, 32, async (i) => (await post(r!.url, { lead_id: `L${i}`, price: 20 })).json<{ result: string; reason?: string }>());
    const rejected = answers.filter((a) => a.result === 'rejected');
    expect(rejected.length / 800).toBeGreaterThan(0.2);
    expect(rejected.length / 800).toBeLessThan(0.3);
    expect(new Set(rejected.map((a) => a.reason))).toEqual(new Set(['duplicate', 'invalid_phone']));
    expect(answers.filter((a) => a.result === 'success').length).toBe(800 - rejected.length);

    // requirePing: the buyer's own ping_id, or the seller's (body ping_id), is known; anything else is not.
    const bid = (await ping(p!.url, { state: 'CA', ping_id: 'seller-ping-1' })).json<{ ping_id: string }>();
    expect((await post(p!.url, { ping_id: bid.ping_id })).json()).toMatchObject({ result: 'success' });
    expect((await post(p!.url, { ping_id: 'seller-ping-1' })).json()).toMatchObject({ result: 'success' });
    expect((await post(p!.url, { ping_id: 'never-pinged' })).json()).toEqual({ result: 'rejected', reason: 'unknown_ping' });
    expect(m.stats().buyers[1]!.posts).toMatchObject({ total: 3, accepted: 2, rejected: 1, matchedPing: 2 });
  });

  it('gives the same answers to the same requests, whatever their order; another seed differs', async () => {
    const config = (seed: number): MockBuyersConfig => ({
      seed,
      buyers: [{ name: 'D', latency: 0, bid: { price: { dist: 'normal', mean: 40, sd: 10 }, noBidRate: 0.3, exclusiveRate: 0.3 }, faults: { error: 0.1 } }],
    });
    const run = async (seed: number, order: number[]) => {
      const m = await start(config(seed));
      const out = new Map<number, string>();
      for (const i of order) {
        const r = await ping(m.buyers[0]!.url, { ...pingBody(i), ping_id: `seller-${Math.random()}` });
        out.set(i, `${r.status} ${r.body}`);
      }
      return [...out.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    };
    const ids = Array.from({ length: 60 }, (_, i) => i);
    const a = await run(4, ids);
    const b = await run(4, [...ids].reverse());
    const c = await run(5, ids);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // Repeating one identical request does not give one answer forever.
    const m = await start(config(4));
    const same = await pool(40, 1, async () => (await ping(m.buyers[0]!.url, pingBody(1))).body);
    expect(new Set(same).size).toBeGreaterThan(5);
  });

  it('counts pings that carry what looks like PII', async () => {
    const m = await start({ buyers: [{ name: 'A' }] });
    await ping(m.buyers[0]!.url, { state: 'CA', ping_id: '1234567890123' });
    await ping(m.buyers[0]!.url, { state: 'CA', email: 'x@example.com' });
    await ping(m.buyers[0]!.url, { state: 'CA', phone: '(480) 555-0164' });
    expect(m.stats().buyers[0]!.pings.withPii).toBe(2);
  });

  it('a hanging request does not hold up close()', async () => {
    const m = await startMockBuyers({ hangMs: 60_000, buyers: [{ name: 'H', faults: { timeout: 1 } }] });
    const pending = ping(m.buyers[0]!.url, pingBody(1)).then(
      () => 'answered',
      () => 'dropped',
    );
    while (m.stats().buyers[0]!.pings.timeouts === 0) await new Promise((r) => setTimeout(r, 5));
    await m.close();
    expect(await pending).toBe('dropped');
  });

  it('says which buyer cannot start on a busy port, and releases the ports it took', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as { port: number }).port;
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const free = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    try {
      const err = await startMockBuyers({ buyers: [{ name: 'First', port: free }, { name: 'Second', port: busy }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MockBuyersError);
      expect(err).toMatchObject({ code: 'EADDRINUSE', buyer: 'Second', port: busy });
      expect((err as Error).message).toContain(`port ${busy} on 127.0.0.1 is already in use`);
      const again = await start({ buyers: [{ name: 'First', port: free }] });
      expect(again.buyers[0]!.port).toBe(free);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});

describe('mock buyer configuration', () => {
  it('accepts examples/mock-buyers.json, whose ports are the ones the rule files use', () => {
    const config = parseMockConfig(readFileSync(`${ROOT}examples/mock-buyers.json`, 'utf8'));
    const ports = new Set(config.buyers.map((b) => b.port));
    for (const file of ['rules/solar-pingpost.route', 'rules/failover-cascade.route']) {
      const text = readFileSync(`${ROOT}${file}`, 'utf8');
      const used = [...text.matchAll(/http:\/\/127\.0\.0\.1:(\d+)\//g)].map((m) => Number(m[1]));
      expect(used.length).toBeGreaterThan(0);
      for (const p of used) expect(ports.has(p), `${file} uses port ${p}`).toBe(true);
    }
    expect(withEphemeralPorts(config).buyers.every((b) => b.port === 0)).toBe(true);
  });

  it('lists every problem, by path and buyer name', () => {
    const bad = {
      seed: 1,
      colour: 'red',
      buyers: [
        { name: 'A', port: 70000, latency: { dist: 'gamma', k: 2 } },
        { name: 'B', bid: { price: { dist: 'uniform', min: 50, max: 10 }, noBidRate: 1.5 } },
        { name: 'A', faults: { error: 0.6, timeout: 0.6 } },
        { port: 1 },
      ],
    };
    let err: unknown;
    try {
      validateMockConfig(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MockConfigError);
    const problems = (err as MockConfigError).problems;
    expect(problems).toContain('the configuration: unknown key `colour`');
    expect(problems).toContain('buyers[0] (A).port: must be <= 65535');
    expect(problems.some((p) => p.startsWith('buyers[0] (A).latency: must be a number, or {"dist": "fixed"'))).toBe(true);
    expect(problems).toContain('buyers[1] (B).bid.noBidRate: must be <= 1');
    expect(problems).toContain('buyers[3]: missing `name`');

    // Past the schema: the checks it cannot make.
    const semantic = { buyers: [{ name: 'A', port: 47001 }, { name: 'B', port: 47001, bid: { price: { dist: 'uniform', min: 50, max: 10 } } }, { name: 'A', faults: { error: 0.6, timeout: 0.6 } }] };
    expect(() => validateMockConfig(semantic)).toThrow(MockConfigError);
    try {
      validateMockConfig(semantic);
    } catch (e) {
      expect((e as MockConfigError).problems).toEqual([
        'buyers[1] (B): port 47001 is already used by A',
        'buyers[1] (B).bid.price: min 50 is above max 10',
        'buyers[2] (A): the name `A` is already used by buyers[0]',
        'buyers[2] (A).faults: the fault rates add up to 1.2, more than 1',
      ]);
    }
    expect(() => parseMockConfig('{"buyers": [', 'x.json')).toThrow(/x\.json is not valid JSON/);
  });
});

describe('distributions', () => {
  const draws = (d: Distribution, n = 20000, seed = 'x') => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => sample(d, rng));
  };

  it('fixed, uniform, normal and lognormal have the configured centre and spread', () => {
    expect(new Set(draws(7, 10))).toEqual(new Set([7]));
    expect(new Set(draws({ dist: 'fixed', value: 3 }, 10))).toEqual(new Set([3]));
    const u = draws({ dist: 'uniform', min: 10, max: 20 });
    expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...u)).toBeLessThan(20);
    expect(mean(u)).toBeCloseTo(15, 0);
    const n = draws({ dist: 'normal', mean: 100, sd: 15 });
    expect(mean(n)).toBeCloseTo(100, 0);
    expect(sd(n)).toBeGreaterThan(14.5);
    expect(sd(n)).toBeLessThan(15.5);
    const clamped = draws({ dist: 'normal', mean: 5, sd: 10 });
    expect(Math.min(...clamped)).toBe(0); // never negative
    const l = draws({ dist: 'lognormal', median: 40, sigma: 0.5 }).sort((a, b) => a - b);
    expect(l[l.length / 2]!).toBeGreaterThan(38.5);
    expect(l[l.length / 2]!).toBeLessThan(41.5);
    expect(sd(l.map(Math.log))).toBeCloseTo(0.5, 1);
    expect(Math.max(...draws({ dist: 'lognormal', median: 40, sigma: 1, max: 100 }))).toBeLessThanOrEqual(100);
  });

  it('is deterministic per seed', () => {
    expect(draws({ dist: 'uniform', min: 0, max: 1 }, 50, 'a')).toEqual(draws({ dist: 'uniform', min: 0, max: 1 }, 50, 'a'));
    expect(draws({ dist: 'uniform', min: 0, max: 1 }, 50, 'a')).not.toEqual(draws({ dist: 'uniform', min: 0, max: 1 }, 50, 'b'));
  });
});
