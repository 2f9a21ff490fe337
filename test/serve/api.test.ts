// leadroute serve's HTTP API against real mock buyers on 127.0.0.1 and a real SQLite file.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeys } from '../../src/serve/keys.js';
import { get, lead, post, startHarness, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('POST /leads/:flow', () => {
  it('routes, delivers and answers with the decision, the deliveries and the trace; the lead is in the inbox and the buyer got it', async () => {
    h = await startHarness();
    const r = await post(`${h.url}/leads/solar`, lead('L1'));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ leadId: 'L1', flow: 'solar', status: 'routed', price: 20, buyers: [{ name: 'Alpha', price: 20 }] });
    expect(r.json.deliveries).toEqual([expect.objectContaining({ buyer: 'Alpha', status: 'accepted', mode: 'post' })]);
    expect((r.json.trace as { message: string }[]).map((t) => t.message).join('\n')).toMatch(/Alpha/);
    const alpha = h.mock.stats().buyers.find((b) => b.name === 'Alpha')!;
    expect(alpha.posts.accepted).toBe(1);
    expect(alpha.recent[0]!.body).toContain('l1@example.com');

    const db = new Database(h.store, { readonly: true });
    const row = db.prepare('SELECT state, lead, outcome FROM inbox WHERE lead_id = ?').get('L1') as { state: string; lead: string | null; outcome: string };
    db.close();
    expect(row.state).toBe('done');
    expect(row.lead).toBeNull(); // personal data not kept once the lead is finished
    expect(JSON.parse(row.outcome)).toMatchObject({ status: 'routed', buyers: ['Alpha'], deliveries: [{ buyer: 'Alpha', status: 'accepted' }] });
  });

  it('GET /leads/:id gives the state, the decisions and every attempt', async () => {
    h = await startHarness();
    await post(`${h.url}/leads/solar`, lead('L2', { state: 'TX' }));
    const r = await get(`${h.url}/leads/L2`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ leadId: 'L2', flow: 'solar', state: 'done', outcome: { status: 'routed', buyers: ['Beta'] } });
    expect(r.json.decisions).toEqual([expect.objectContaining({ status: 'routed', buyers: [expect.objectContaining({ name: 'Beta' })] })]);
    expect(r.json.attempts).toEqual([expect.objectContaining({ buyer: 'Beta', kind: 'post', outcome: 'accepted', status: 200 })]);
    const missing = await get(`${h.url}/leads/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: 'unknown-lead' });
  });

  it('answers every bad request with a 4xx naming the problem', async () => {
    h = await startHarness({ server: { bodyLimit: 2048 } });
    const cases: [string, unknown, number, string, RegExp][] = [
      ['unknown flow', lead('A1'), 404, 'unknown-flow', /no flow `wind`.*solar/],
      ['bad JSON', '{"id": "x", bob@example.com', 400, 'bad-json', /not valid JSON/],
      ['not an object', '[1, 2]', 400, 'bad-request', /object/],
      ['field errors', { id: 'A2', state: 'ZZ', email: 'not-an-email' }, 422, 'invalid-lead', /state.*email|email.*state/],
      ['too large', { ...lead('A3'), pad: 'x'.repeat(4096) }, 413, 'too-large', /2048 bytes/],
    ];
    for (const [what, body, status, error, message] of cases) {
      const flow = what === 'unknown flow' ? 'wind' : 'solar';
      const r = await post(`${h.url}/leads/${flow}`, body);
      expect(r.status, what).toBe(status);
      expect(r.json.error, what).toBe(error);
      expect(String(r.json.message), what).toMatch(message);
    }
    const invalid = await post(`${h.url}/leads/solar`, { id: 'A2', state: 'ZZ', email: 'not-an-email' });
    expect((invalid.json.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['email', 'state']);
    // The bad JSON's text (an e-mail address here) is not echoed back.
    const bad = await post(`${h.url}/leads/solar`, '{"id": "x", bob@example.com');
    expect(JSON.stringify(bad.json)).not.toContain('bob@example.com');
    const form = await fetch(`${h.url}/leads/solar`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'id=1' });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: 'not-json' });
    const nowhere = await get(`${h.url}/nowhere`);
    expect(nowhere).toMatchObject({ status: 404, json: { error: 'not-found' } });
  });

  it('refuses a lead received before with 409 and what became of it; the buyer gets it once', async () => {
    h = await startHarness();
    expect((await post(`${h.url}/leads/solar`, lead('D1'))).status).toBe(200);
    const again = await post(`${h.url}/leads/solar`, lead('D1'));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: 'duplicate-lead', leadId: 'D1', status: { state: 'done', outcome: { status: 'routed' } } });
    expect(h.mock.stats().buyers.find((b) => b.name === 'Alpha')!.posts.total).toBe(1);
  });
});

describe('POST /ping/:flow', () => {
  it('answers with a bid or a reason, creates no lead and counts no cap', async () => {
    h = await startHarness();
    const bid = await post(`${h.url}/ping/solar`, { state: 'CA', zip: '94105' });
    expect(bid).toMatchObject({ status: 200, json: { flow: 'solar', bid: true, price: 20, buyers: ['Alpha'] } });
    const pii = await post(`${h.url}/ping/solar`, { state: 'CA', email: 'x@example.com' });
    expect(pii.status).toBe(422);
    expect(pii.json).toMatchObject({ error: 'invalid-ping', fields: [{ field: 'email' }] });
    const badState = await post(`${h.url}/ping/solar`, { state: 'ZZ' });
    expect(badState).toMatchObject({ status: 422, json: { fields: [{ field: 'state' }] } });
    expect(h.app.leadroute.store.decisions()).toEqual([]);
    expect(h.app.leadroute.inbox.recent(10)).toEqual([]);
    expect(h.mock.stats().requests).toBe(0);
  });
});

describe('API keys and limits', () => {
  const KEYS = JSON.stringify({
    sources: [
      { name: 'acme', keyEnv: 'TEST_ACME_KEY', rate: { max: 3, window: '1 minute' }, pings: { max: 2, window: '1 minute' } },
      { name: 'bolt', key: 'bolt-key-123456', flows: ['other'] },
    ],
  });
  const keys = () => parseKeys(KEYS, { TEST_ACME_KEY: 'acme-secret-key-1' });

  it('asks for a key, refuses a wrong one, keeps a source to its flows and limits leads and pings per source', async () => {
    h = await startHarness({ server: { keys: keys() } });
    expect((await post(`${h.url}/leads/solar`, lead('K1'))).json).toMatchObject({ error: 'missing-key' });
    const wrong = await post(`${h.url}/leads/solar`, lead('K1'), { 'x-api-key': 'nope-nope-nope' });
    expect(wrong).toMatchObject({ status: 401, json: { error: 'wrong-key' } });
    expect(JSON.stringify(wrong.json)).not.toContain('nope-nope-nope');
    const bolt = await post(`${h.url}/leads/solar`, lead('K1'), { 'x-api-key': 'bolt-key-123456' });
    expect(bolt).toMatchObject({ status: 403, json: { error: 'flow-not-allowed' } });
    const acme = { 'x-api-key': 'acme-secret-key-1' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(`${h.url}/leads/solar`, lead(`K${i + 10}`), acme)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await post(`${h.url}/leads/solar`, lead('K99'), acme);
    expect(limited.json).toMatchObject({ error: 'rate-limited' });
    expect(String(limited.json.message)).toMatch(/acme: more than 3 requests/);
    // Pings have their own limit.
    const pings: number[] = [];
    for (let i = 0; i < 3; i++) pings.push((await post(`${h.url}/ping/solar`, { state: 'CA' }, acme)).status);
    expect(pings).toEqual([200, 200, 429]);
    // Another source's lead is unknown to this one.
    expect((await get(`${h.url}/leads/K10`, acme)).status).toBe(200);
    const other = await get(`${h.url}/leads/K10`, { 'x-api-key': 'bolt-key-123456' });
    expect(other.status).toBe(404);
    // Health, readiness, metrics and the description need no key.
    expect((await get(`${h.url}/health`)).status).toBe(200);
  });

  it('reads a keys file with clear errors', () => {
    expect(() => parseKeys('{}', {})).toThrow(/sources/);
    expect(() => parseKeys(JSON.stringify({ sources: [{ name: 'a', keyEnv: 'NOPE' }] }), {})).toThrow(/NOPE is not set/);
    expect(() => parseKeys(JSON.stringify({ sources: [{ name: 'a', key: 'k' }] }), {})).toThrow(/at least 8/);
    expect(() => parseKeys(JSON.stringify({ sources: [{ name: 'a', key: 'kkkkkkkk', rate: { max: 0 } }] }), {})).toThrow(/rate/);
  });
});

describe('health, readiness and the description', () => {
  it('/ready says plan and store; /openapi.json describes the routes with the schemas Fastify runs', async () => {
    h = await startHarness();
    expect(await get(`${h.url}/ready`)).toMatchObject({ status: 200, json: { ok: true, plan: true, store: true } });
    const doc = (await get(`${h.url}/openapi.json`)).json as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/dashboard', '/dashboard.json', '/feedback', '/health', '/leads/{flow}', '/leads/{id}', '/metrics', '/openapi.json', '/ping/{flow}', '/plan', '/ready']);
    expect(Object.keys(doc.paths['/leads/{flow}']!.post!.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '409', '413', '422', '429']));
  });
});

describe('group commit', () => {
  it('writes leads that arrive together in one inbox commit, each before it is routed', async () => {
    h = await startHarness();
    const service = h.app.leadroute.service;
    const before = service.commits;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => service.receive('solar', { id: `G${i}`, state: 'TX', email: `g${i}@example.com` }, 'anonymous')));
    expect(answers.map((a) => a.kind)).toEqual(Array(20).fill('sold'));
    // Twenty leads handed over in one turn of the event loop: one commit.
    expect(service.commits - before).toBe(1);
    expect(h.app.leadroute.inbox.recent(100)).toHaveLength(20);
    // Two of the same id in one group: the second is a duplicate.
    const pair = await Promise.all([0, 1].map(() => service.receive('solar', { id: 'G-same', state: 'TX', email: 'g@example.com' }, 'anonymous')));
    expect(pair.map((a) => a.kind).sort()).toEqual(['duplicate', 'sold']);
  });
});
