// Auctions in the REPL: a dry run by default (pings shown, none sent: a real
// server on 127.0.0.1 that the plan pings receives nothing), or a real sale to
// mock buyers started on 127.0.0.1 with `:mock CONFIG`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepl, type Repl } from '../../src/repl/index.js';
import { scratchDir, writeScratch } from '../cli/helpers.js';
import { MONDAY } from './helpers.js';

const rules = (host: string) => `lead {
  id: string
  state: state
  zip: zip optional
  email: email pii optional
}

buyer Solo {
  ping "http://${host}/ping" timeout 5s fields state, zip3
  bid price "bid.amount", id "ping_id", exclusive "exclusive", accepted "status" == "accepted"
  post "http://${host}/post" timeout 5s accepted "result" == "success"
}

flow main {
  auction { Solo } floor $10 timeout 5s
}
`;

/** One mock buyer that always bids $40 and accepts every post, on the port the rules name. */
const MOCK_CONFIG = JSON.stringify({
  seed: 1,
  buyers: [{ name: 'Solo', port: 17391, latency: 1, bid: { price: { dist: 'fixed', value: 40 }, noBidRate: 0 }, post: { rejectRate: 0 } }],
});

const LEAD = 'id=L9 state=CA zip=94105 email=pat@example.com';

let repl: Repl | null = null;
let server: Server | null = null;
afterEach(async () => {
  await repl?.close();
  repl = null;
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = null;
});

describe('an auction in the REPL', () => {
  it('is a dry run by default: the pings are shown and the buyer receives no request', async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.end('{"status":"accepted","bid":{"amount":99}}');
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = scratchDir();
    writeScratch(dir, 'auction.route', rules(host));
    repl = await createRepl({ file: 'auction.route', cwd: dir, clock: () => MONDAY });

    const out = await repl.evaluate(LEAD);
    expect(out).toMatch(/^L9 +random +\d+ +auction: Solo/);
    expect(out).toContain('dry run: these pings are shown, not sent');
    expect(out).toContain(`Solo: POST http://${host}/ping {"state":"CA","zip3":"941","ping_id":"dry-run"}`);
    expect(out).not.toContain('pat@example.com');
    expect(out).toContain('no bids arrive in a dry run');
    writeScratch(dir, 'leads.jsonl', '{"id":"L1","state":"TX"}\n{"id":"L2","state":"NY","zip":"10001"}\n');
    expect(await repl.evaluate(':load leads.jsonl')).toContain('2 matched an auction rule (not sold here: no HTTP)');
    await repl.evaluate(':explain Solo');
    // Give a stray request every chance to arrive before counting.
    await new Promise((done) => setTimeout(done, 50));
    expect(requests).toBe(0);
    expect(await repl.evaluate(':caps')).toBe('no caps in this plan');
  });

  it('routes a plain sale without posting it', async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.end('{"result":"success"}');
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = scratchDir();
    const plain = rules(host).replace(/  ping .*\n  bid .*\n/, '  price $20\n').replace(/auction \{ Solo \}.*/, 'route Solo');
    writeScratch(dir, 'plain.route', plain);
    repl = await createRepl({ file: 'plain.route', cwd: dir, clock: () => MONDAY });
    const out = await repl.evaluate(LEAD);
    expect(out).toMatch(/→ Solo \$20\.00 exclusive/);
    expect(out).toContain('not delivered to Solo: the REPL posts only to mock buyers');
    await new Promise((done) => setTimeout(done, 50));
    expect(requests).toBe(0);
  });

  it('sells to mock buyers started with :mock, on 127.0.0.1', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'auction.route', rules('127.0.0.1:17391'));
    writeScratch(dir, 'mock.json', MOCK_CONFIG);
    repl = await createRepl({ file: 'auction.route', cwd: dir, clock: () => MONDAY });

    const started = await repl.evaluate(':mock mock.json');
    expect(started).toMatch(/^mock buyers of mock\.json on 127\.0\.0\.1: Solo :\d+/);
    const out = await repl.evaluate(LEAD);
    expect(out).toMatch(/^L9 +random +\d+ +→ Solo \$40\.00 exclusive/);
    expect(out).toContain('Solo (tier 1): bid $40.00 → sold');
    expect(out).toContain('post to Solo: accepted');
    expect(repl.session.mock!.requests()).toBe(2); // the ping and the post

    expect(await repl.evaluate(':mock off')).toBe('mock buyers stopped; auctions are dry runs again');
    expect(await repl.evaluate(LEAD)).toContain('dry run');
  });

  it('--buyers starts the mock buyers with the REPL', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'auction.route', rules('127.0.0.1:17391'));
    writeScratch(dir, 'mock.json', MOCK_CONFIG);
    repl = await createRepl({ file: 'auction.route', cwd: dir, clock: () => MONDAY, buyers: 'mock.json' });
    expect(await repl.evaluate(LEAD)).toMatch(/→ Solo \$40\.00/);
  });

  it('refuses mock buyers for rules that name another host', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'auction.route', rules('buyer.example.com'));
    writeScratch(dir, 'mock.json', MOCK_CONFIG);
    repl = await createRepl({ file: 'auction.route', cwd: dir, clock: () => MONDAY });
    const out = await repl.evaluate(':mock mock.json');
    expect(out).toContain('the REPL only sends to mock buyers on 127.0.0.1, but the rules name other hosts');
    expect(out).toContain('Solo ping: http://buyer.example.com/ping');
    expect(repl.session.mock).toBeNull();
    expect(await repl.evaluate(LEAD)).toContain('dry run');
    expect(await repl.evaluate(':mock nope.json')).toBe('cannot read `nope.json`');
  });
});
