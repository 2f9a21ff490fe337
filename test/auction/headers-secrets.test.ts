// Request headers (`header "Name" "value"` on a ping or a post) and secrets
// (`{{secret.NAME}}`, read from the Seller's secret source, never written in a
// rule file, a plan, a journal or a record): issue 14, part B. Real buyers on
// 127.0.0.1 that refuse a request without the right credential.

import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { MemoryJournal } from '../../src/adapters/memory-journal.js';
import { MissingSecretError, Secrets, secretsUsed } from '../../src/deliver/secrets.js';
import { Router } from '../../src/runtime/index.js';
import { accept, bid, lead, Servers, type Reply } from './helpers.js';
import { auction, httpBuyer, sellPlan } from './rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

const BID = 'bid accepted "status" == "accepted", price "bid.amount"';
const TOKEN = 'tok_9f8e7d6c5b4a';
const API_KEY = 'key-Zx81!q&w=e';

function sellerFor(plan: ReturnType<typeof sellPlan>, secrets: Record<string, string>, journal = new MemoryJournal()): Seller {
  const seller = new Seller(new Router(plan), { secrets, journal });
  sellers.push(seller);
  return seller;
}

/** A buyer that answers 401 unless the request carries `header: value`. */
const guarded = (header: string, value: string, ok: () => Reply) => (req: { headers: Record<string, string | string[] | undefined> }): Reply =>
  req.headers[header] === value ? ok() : { status: 401, json: { error: 'unauthorized' } };

describe('a buyer that needs a credential', () => {
  it('answers 401 without the right Authorization header, and bids and buys with it', async () => {
    const srv = await servers.start((req) =>
      guarded('authorization', `Bearer ${TOKEN}`, () => (req.url.startsWith('/ping') ? bid(14) : accept))(req),
    );
    const rule = (token: string) =>
      sellPlan(
        [
          httpBuyer('Solar', {
            ping: `ping "${srv.url}/ping" timeout 2s fields state header "Authorization" "Bearer {{secret.${token}}}"\n  ${BID}`,
            post: `post "${srv.url}/post" timeout 2s header "Authorization" "Bearer {{secret.${token}}}" accepted "result" == "success"`,
          }),
        ],
        auction({ tiers: [{ buyers: ['Solar'] }] }),
      );
    // The wrong credential: the ping is refused, nothing sold.
    const wrong = await sellerFor(rule('SOLAR_TOKEN'), { SOLAR_TOKEN: 'not-the-token' }).sell(lead());
    expect(wrong.decision.status).toBe('unrouted');
    expect(wrong.auction!.bids[0]).toMatchObject({ outcome: 'invalid', httpStatus: 401 });
    // The right one: a bid, a post, a sale.
    const right = await sellerFor(rule('SOLAR_TOKEN'), { SOLAR_TOKEN: TOKEN }).sell(lead());
    expect(right.decision.buyers).toEqual([{ name: 'Solar', price: 14 }]);
    expect(right.deliveries[0]).toMatchObject({ status: 'accepted' });
    const last = srv.received.slice(-2);
    expect(last.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/ping', `Bearer ${TOKEN}`],
      ['/post', `Bearer ${TOKEN}`],
    ]);
  });

  it('a GET ping with an API key header and the key in its query', async () => {
    const srv = await servers.start((req) => guarded('x-api-key', API_KEY, () => (req.url.startsWith('/ping') ? bid(7) : accept))(req));
    const plan = sellPlan(
      [
        httpBuyer('Keyed', {
          ping: `ping GET "${srv.url}/ping?key={{secret.KEYED_KEY}}" timeout 2s fields state header "X-Api-Key" "{{secret.KEYED_KEY}}" header "X-State" "{{lead.state}}"\n  ${BID}`,
          post: `post "${srv.url}/post" timeout 2s header "X-Api-Key" "{{secret.KEYED_KEY}}" accepted "result" == "success"`,
        }),
      ],
      auction({ tiers: [{ buyers: ['Keyed'] }] }),
    );
    const sale = await sellerFor(plan, { KEYED_KEY: API_KEY }).sell(lead());
    expect(sale.decision.buyers).toEqual([{ name: 'Keyed', price: 7 }]);
    const pinged = srv.received.find((r) => r.url.startsWith('/ping'))!;
    expect(pinged.method).toBe('GET');
    expect(pinged.headers['x-api-key']).toBe(API_KEY);
    expect(pinged.headers['x-state']).toBe('CA');
    expect(new URL(pinged.url, srv.url).searchParams.get('key')).toBe(API_KEY); // URL-encoded on the way, decoded here
    expect(pinged.body).toBe('');
  });

  it('a post sends its headers: written text, lead fields, the ping id, and one that replaces leadroute’s own', async () => {
    const srv = await servers.start((req) => (req.url.startsWith('/ping') ? bid(9) : accept));
    const plan = sellPlan(
      [
        httpBuyer('Poster', {
          ping: `ping "${srv.url}/ping" timeout 2s fields state\n  ${BID}`,
          post: `post "${srv.url}/post" timeout 2s header "X-Source" "web" header "X-Ref" "{{ping.id}}-{{lead.first_name}}" header "User-Agent" "acme-router/2" accepted "result" == "success"`,
        }),
      ],
      auction({ tiers: [{ buyers: ['Poster'] }] }),
    );
    const sale = await sellerFor(plan, {}).sell(lead({ first_name: 'Zoë' }));
    expect(sale.decision.buyers).toEqual([{ name: 'Poster', price: 9 }]);
    const posted = srv.received.find((r) => r.url === '/post')!;
    const pingId = (JSON.parse(srv.received.find((r) => r.url === '/ping')!.body) as { ping_id: string }).ping_id;
    expect(posted.headers['x-source']).toBe('web');
    expect(posted.headers['x-ref']).toBe(`${pingId}-Zoë`);
    expect(posted.headers['user-agent']).toBe('acme-router/2');
    expect(posted.headers['content-type']).toBe('application/json');
    // A plan without headers is unchanged, and the plan holds secret names only.
    expect(plan.buyers[0]!.ping!.headers).toBeUndefined();
    expect(plan.buyers[0]!.post!.headers).toEqual([
      { name: 'X-Source', value: 'web' },
      { name: 'X-Ref', value: '{{ping.id}}-{{lead.first_name}}' },
      { name: 'User-Agent', value: 'acme-router/2' },
    ]);
  });

  it('a routed (no auction) post with a secret in its body and URL', async () => {
    const srv = await servers.start(guarded('authorization', `Basic ${TOKEN}`, () => accept));
    const plan = sellPlan(
      [
        httpBuyer('Direct', {
          price: 20,
          post: `post "${srv.url}/post?k={{secret.DIRECT_TOKEN}}" timeout 2s header "Authorization" "Basic {{secret.DIRECT_TOKEN}}" accepted "result" == "success"`,
        }),
      ],
      'route Direct',
    );
    const sale = await sellerFor(plan, { DIRECT_TOKEN: TOKEN }).sell(lead());
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted' });
    expect(new URL(srv.received[0]!.url, srv.url).searchParams.get('k')).toBe(TOKEN);
  });
});

describe('a header value from lead data', () => {
  it('that renders a line break is not sent: the ping is refused, nothing is smuggled', async () => {
    const srv = await servers.start(() => bid(5));
    const plan = sellPlan(
      [httpBuyer('A', { ping: `ping "${srv.url}/ping" timeout 2s fields state header "X-Lead" "{{lead.id}}"\n  ${BID}` })],
      auction({ tiers: [{ buyers: ['A'] }] }),
    );
    const sale = await sellerFor(plan, {}).sell(lead({ id: 'L1\r\nX-Evil: 1' }));
    expect(srv.received).toEqual([]);
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'refused' });
    expect(sale.auction!.bids[0]!.reason).toContain('rendered a line break or a control character into a header value');
  });
});

describe('the secret source', () => {
  const plan = () =>
    sellPlan(
      [
        httpBuyer('A', { ping: `ping "http://127.0.0.1:9/ping" fields state header "X-Api-Key" "{{secret.A_KEY}}"\n  ${BID}` }),
        httpBuyer('B', {
          ping: `ping "http://127.0.0.1:9/ping" fields state\n  ${BID}`,
          post: `post "http://127.0.0.1:9/post?t={{secret.B_TOKEN}}" header "Authorization" "Bearer {{secret.A_KEY}}"`,
        }),
      ],
      auction({ tiers: [{ buyers: ['A', 'B'] }] }),
    );

  it('reads only the names the plan reads, once, by buyer', () => {
    expect(secretsUsed(plan())).toEqual([
      { buyer: 'A', name: 'A_KEY' },
      { buyer: 'B', name: 'B_TOKEN' },
      { buyer: 'B', name: 'A_KEY' },
    ]);
    const asked: string[] = [];
    const seller = new Seller(new Router(plan()), { secrets: (name) => (asked.push(name), `value-of-${name}`) });
    sellers.push(seller);
    expect(asked).toEqual(['A_KEY', 'B_TOKEN', 'A_KEY']);
    expect(seller.secrets.values).toEqual({ A_KEY: 'value-of-A_KEY', B_TOKEN: 'value-of-B_TOKEN' });
  });

  it('a missing (or empty) one is an error when the Seller is made, naming buyer and variable', () => {
    const make = () => new Seller(new Router(plan()), { secrets: { A_KEY: 'k', B_TOKEN: '' } });
    expect(make).toThrow(MissingSecretError);
    expect(make).toThrow('buyer `B` reads {{secret.B_TOKEN}}, but the environment variable B_TOKEN is not set');
  });

  it('defaults to the process environment', () => {
    const before = process.env.A_KEY;
    process.env.A_KEY = 'from-the-env';
    process.env.B_TOKEN = 'also-from-the-env';
    try {
      const seller = new Seller(new Router(plan()));
      sellers.push(seller);
      expect(seller.secrets.values).toEqual({ A_KEY: 'from-the-env', B_TOKEN: 'also-from-the-env' });
    } finally {
      if (before === undefined) delete process.env.A_KEY;
      else process.env.A_KEY = before;
      delete process.env.B_TOKEN;
    }
  });
});

describe('redaction', () => {
  it('replaces a value, as written and as JSON, URLs, forms and XML escape it', () => {
    const value = 'a"b c&d<e>/f+g%';
    const s = Secrets.resolve(
      sellPlan([httpBuyer('A', { price: 1, post: 'post "https://a.example/p" header "X-Api-Key" "{{secret.K}}"' })], 'route A'),
      { K: value },
    );
    const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), 'a&quot;b c&amp;d&lt;e&gt;/f+g%'];
    for (const form of forms) expect(s.redact(`before ${form} after`)).toBe('before [secret K] after');
    expect(s.redactDeep({ a: [`x${value}`], b: { c: value }, n: 3 })).toEqual({ a: ['x[secret K]'], b: { c: '[secret K]' }, n: 3 });
  });

  it('a buyer that echoes the key back: journal rows, bid and delivery records hold `[secret NAME]`', async () => {
    const srv = await servers.start((req) =>
      req.url === '/ping'
        ? { status: 403, body: `key ${String(req.headers['x-api-key'])} is not allowed here` }
        : req.url === '/ping2'
          ? bid(3)
          : { json: { result: `rejected: ${String(req.headers['x-api-key'])}` } },
    );
    const plan = sellPlan(
      [
        httpBuyer('Echo', { ping: `ping "${srv.url}/ping" timeout 2s fields state header "X-Api-Key" "{{secret.ECHO_KEY}}"\n  ${BID}` }),
        httpBuyer('Echo2', {
          ping: `ping "${srv.url}/ping2" timeout 2s fields state\n  ${BID}`,
          post: `post "${srv.url}/post" timeout 2s header "X-Api-Key" "{{secret.ECHO_KEY}}" accepted "result" == "success"`,
        }),
      ],
      auction({ tiers: [{ buyers: ['Echo', 'Echo2'] }] }),
    );
    const journal = new MemoryJournal();
    const delivered: string[] = [];
    const seller = new Seller(new Router(plan), { secrets: { ECHO_KEY: API_KEY }, journal, onDelivery: (d) => delivered.push(JSON.stringify(d)) });
    sellers.push(seller);
    const sale = await seller.sell(lead(), { trace: true });
    expect(srv.received.filter((r) => r.url !== '/ping2').map((r) => r.headers['x-api-key'])).toEqual([API_KEY, API_KEY]); // it was sent
    const everything = JSON.stringify([sale, journal.attempts(), delivered]);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(encodeURIComponent(API_KEY));
    expect(everything).toContain('[secret ECHO_KEY]');
    expect(sale.deliveries[0]!.detail).toContain('[secret ECHO_KEY]');
  });
});

describe('a plan edited by hand is refused on load', () => {
  const base = () =>
    sellPlan(
      [
        httpBuyer('A', {
          ping: `ping "http://127.0.0.1:9/ping" fields state header "X-Api-Key" "{{secret.A_KEY}}"\n  ${BID}`,
          post: 'post "http://127.0.0.1:9/post"',
          clauses: ['pixel "http://t.example/px?id={{lead.id}}" on sold'],
        }),
      ],
      auction({ tiers: [{ buyers: ['A'] }] }),
    );
  const loading = (edit: (p: ReturnType<typeof base>) => void) => () => {
    const plan = structuredClone(base());
    edit(plan);
    return new Router(plan);
  };

  it('as it compiled, it loads', () => {
    expect(loading(() => undefined)).not.toThrow();
  });

  it('a secret in a pixel, or read whole', () => {
    expect(loading((p) => (p.buyers[0]!.pixels![0]!.url = 'http://t.example/px?k={{secret.A_KEY}}'))).toThrow(
      /buyers\/0\/pixels\/0\/url: the pixel template reads a secret; secrets go only in a ping or a post/,
    );
    expect(loading((p) => (p.buyers[0]!.ping!.headers![0]!.value = '{{json secret}}'))).toThrow(/buyers\/0\/ping\/headers\/0\/value: the template reads 'secret'/);
  });

  it('personal data in a ping header', () => {
    expect(loading((p) => (p.buyers[0]!.ping!.headers![0]!.value = '{{lead.email}}'))).toThrow(/ping\/headers\/0\/value: the ping template reads personal data: lead\.email/);
  });

  it('a header the client sets, one set twice, a bad name, a line break', () => {
    expect(loading((p) => (p.buyers[0]!.ping!.headers![0]!.name = 'Content-Length'))).toThrow(/ping\/headers\/0\/name: the header 'Content-Length' is set by the HTTP client/);
    expect(loading((p) => p.buyers[0]!.ping!.headers!.push({ name: 'x-api-key', value: 'again' }))).toThrow(/ping\/headers\/1\/name: the header 'x-api-key' is set twice/);
    expect(loading((p) => (p.buyers[0]!.ping!.headers![0]!.name = 'X Api'))).toThrow(/ping\/headers\/0\/name/);
    expect(loading((p) => (p.buyers[0]!.ping!.headers![0]!.value = 'a\r\nHost: evil'))).toThrow(/ping\/headers\/0\/value: a header value holds a line break/);
  });
});
