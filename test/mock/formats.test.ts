// Mock buyers answering in real formats, checked at the HTTP level: XML, form
// and text answers, status words, prices as text, a post-time price, a redirect,
// two ids, duplicates, and a required header (401 without it).

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { XMLParser } from 'fast-xml-parser';
import { MockBuyersError, startMockBuyers, type MockBuyers, type MockBuyersConfig } from '../../src/mock/index.js';

const running: MockBuyers[] = [];
const agent = new Agent({ connections: 8 });
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});
afterAll(() => agent.close());

async function start(config: MockBuyersConfig): Promise<string> {
  const m = await startMockBuyers(config);
  running.push(m);
  return m.buyers[0]!.url;
}

async function call(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await request(url, { dispatcher: agent, method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: r.statusCode, contentType: String(r.headers['content-type']), body: await r.body.text() };
}

const PING = { state: 'CA', lead_score: 70 };

describe('mock buyer answer formats', () => {
  it('answers XML with status words, a price as text and two ids; a post quoting the bid id gets a post-time price and a redirect', async () => {
    const url = await start({
      buyers: [
        {
          name: 'SolarCo',
          bid: {
            price: 42.5,
            answer: {
              format: 'xml',
              priceAsText: true,
              paths: { status: 'response.status', price: 'response.price', reason: 'response.reason', id: 'response.ping_id', bidId: 'response.bid_id', exclusive: null },
              words: { bid: 'Accepted', noBid: 'Rejected', duplicate: 'Duplicate' },
            },
          },
          post: {
            requirePing: true, // a post must quote a ping it bid on: here, by its second id
            price: 40,
            redirectUrl: 'https://solarco.example/thanks/{leadId}',
            answer: {
              format: 'xml',
              paths: { status: 'response.status', reason: 'response.reason', leadId: 'response.lead_id', redirect: 'response.redirect', price: 'response.price' },
              words: { accepted: 'Accepted', rejected: 'Rejected', duplicate: 'Duplicate' },
            },
          },
        },
      ],
    });
    const bid = await call(`${url}/ping`, PING);
    expect(bid.status).toBe(200);
    expect(bid.contentType).toBe('application/xml');
    expect(bid.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<response>\n  <status>Accepted<\/status>\n  <price>42\.50<\/price>\n  <ping_id>(sola-[a-z0-9]+)<\/ping_id>\n  <bid_id>\1-b<\/bid_id>\n<\/response>\n$/,
    );
    // Well-formed XML, as a reader of the answer sees it.
    const parsed = new XMLParser({ parseTagValue: false }).parse(bid.body) as { response: Record<string, string> };
    expect(parsed.response).toMatchObject({ status: 'Accepted', price: '42.50' });
    const bidId = parsed.response.bid_id!;
    const unknown = await call(`${url}/post`, { ping_id: 'never-pinged', email: 'a@example.com' });
    expect(unknown.body).toContain('<status>Rejected</status>\n  <reason>unknown_ping</reason>');
    const post = await call(`${url}/post`, { ping_id: bidId, email: 'a@example.com' });
    expect(post.body).toMatch(
      /^<\?xml[^>]*\?>\n<response>\n  <status>Accepted<\/status>\n  <lead_id>(sola-L-[a-z0-9]+)<\/lead_id>\n  <price>40<\/price>\n  <redirect>https:\/\/solarco\.example\/thanks\/\1<\/redirect>\n<\/response>\n$/,
    );
  });

  it('answers a form or plain text, with booleans as status words', async () => {
    const form = await start({
      buyers: [{ name: 'F', bid: { price: 20, answer: { format: 'form', paths: { status: 'ok', price: 'amount' }, words: { bid: true, noBid: false } } } }],
    });
    const a = await call(`${form}/ping`, PING);
    expect(a.contentType).toBe('application/x-www-form-urlencoded');
    const params = new URLSearchParams(a.body);
    expect(params.get('ok')).toBe('true');
    expect(params.get('amount')).toBe('20');
    expect(params.get('ping_id')).toMatch(/^f-/);
    expect(params.get('exclusive')).toBe('false');

    const text = await start({ buyers: [{ name: 'T', bid: { price: 0, answer: { format: 'text', words: { noBid: 'NO' } } } }] });
    const t = await call(`${text}/ping`, PING);
    expect(t.contentType).toBe('text/plain; charset=utf-8');
    // A $0 price is no demand.
    expect(t.body).toMatch(/^status=NO\nreason=no_demand\nping_id=t-[a-z0-9]+\n$/);
  });

  it('answers "duplicate" at the duplicate rates, with a reason', async () => {
    const url = await start({
      buyers: [{ name: 'D', bid: { price: 30, duplicateRate: 1, answer: { words: { duplicate: 'Duplicate' } } }, post: { duplicateRate: 1, answer: { words: { duplicate: 'Duplicate' } } } }],
    });
    expect(JSON.parse((await call(`${url}/ping`, PING)).body)).toEqual({ status: 'Duplicate', reason: 'duplicate', ping_id: expect.stringMatching(/^d-/) });
    expect(JSON.parse((await call(`${url}/post`, { lead_id: 'L1' })).body)).toEqual({ result: 'Duplicate', reason: 'duplicate' });
  });

  it('keeps the default JSON answers, with no premium on an exclusive bid unless one is set', async () => {
    const url = await start({ buyers: [{ name: 'J', bid: { price: 60, exclusiveRate: 1 } }] });
    expect(JSON.parse((await call(`${url}/ping`, PING)).body)).toEqual({ status: 'accepted', bid: { amount: 60 }, ping_id: expect.any(String), exclusive: true });
    expect(JSON.parse((await call(`${url}/post`, { lead_id: 'L1' })).body)).toEqual({ result: 'success', lead_id: expect.stringMatching(/^j-L-/) });
  });
});

describe('mock buyer required header', () => {
  const config = (env: string): MockBuyersConfig => ({ buyers: [{ name: 'Locked', requireHeader: { name: 'Authorization', valueFromEnv: env, prefix: 'Bearer ' }, bid: { price: 25 } }] });

  it('answers 401 to pings and posts without the header or with a wrong one, and normally with it; pixels need none', async () => {
    process.env.LR_TEST_MOCK_TOKEN = 's3cret-token';
    try {
      const m = await startMockBuyers(config('LR_TEST_MOCK_TOKEN'));
      running.push(m);
      const url = m.buyers[0]!.url;
      const none = await call(`${url}/ping`, PING);
      expect(none.status).toBe(401);
      expect(JSON.parse(none.body)).toMatchObject({ error: 'unauthorized' });
      expect(none.body).not.toContain('s3cret');
      expect((await call(`${url}/ping`, PING, { authorization: 's3cret-token' })).status).toBe(401); // no "Bearer "
      expect((await call(`${url}/post`, { lead_id: 'L1' }, { authorization: 'Bearer wrong' })).status).toBe(401);
      const ok = await call(`${url}/ping`, PING, { authorization: 'Bearer s3cret-token' });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ status: 'accepted', bid: { amount: 25 } });
      expect((await call(`${url}/post`, { lead_id: 'L1' }, { Authorization: 'Bearer s3cret-token' })).status).toBe(200);
      expect((await request(`${url}/pixel?x=1`, { dispatcher: agent }).then(async (r) => (await r.body.arrayBuffer(), r.statusCode)))).toBe(200);
      const s = m.stats().buyers[0]!;
      expect(s.pings.unauthorized).toBe(2);
      expect(s.posts.unauthorized).toBe(1);
      expect(s.recent.filter((r) => r.outcome === 'unauthorized')).toHaveLength(3);
    } finally {
      delete process.env.LR_TEST_MOCK_TOKEN;
    }
  });

  it('will not start when the variable is not set, naming the buyer and the variable', async () => {
    delete process.env.LR_TEST_MOCK_UNSET;
    const err = await startMockBuyers(config('LR_TEST_MOCK_UNSET')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MockBuyersError);
    expect((err as Error).message).toContain('mock buyer Locked requires the header Authorization');
    expect((err as Error).message).toContain('LR_TEST_MOCK_UNSET, which is not set');
  });
});
