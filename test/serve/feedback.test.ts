// POST /feedback: returns (allowed reasons, within the return window) and
// conversions of sold leads, feeding the buyer metrics routing reads.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { get, lead, post, rulesFor, startHarness, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const DAY = 86_400_000;

describe('POST /feedback', () => {
  it('records a return for an allowed reason and a conversion, once each, into the metrics routing reads', async () => {
    h = await startHarness({ server: { returnReasons: ['invalid_phone', 'duplicate'] } });
    await post(`${h.url}/leads/solar`, lead('F1'));
    await post(`${h.url}/leads/solar`, lead('F2'));

    const noReason = await post(`${h.url}/feedback`, { leadId: 'F1', buyer: 'Alpha', kind: 'returned' });
    expect(noReason).toMatchObject({ status: 422, json: { error: 'bad-reason', fields: [{ field: 'reason' }], allowed: ['invalid_phone', 'duplicate'] } });
    const badReason = await post(`${h.url}/feedback`, { leadId: 'F1', buyer: 'Alpha', kind: 'returned', reason: 'changed_mind' });
    expect(String(badReason.json.message)).toMatch(/`changed_mind` is not a return reason; allowed: invalid_phone, duplicate/);
    const notSold = await post(`${h.url}/feedback`, { leadId: 'F1', buyer: 'Beta', kind: 'converted' });
    expect(notSold).toMatchObject({ status: 422, json: { error: 'not-sold' } });
    expect(String(notSold.json.message)).toMatch(/not sold to Beta; it was sold to Alpha/);
    expect((await post(`${h.url}/feedback`, { leadId: 'nope', buyer: 'Alpha', kind: 'converted' })).status).toBe(404);
    expect((await post(`${h.url}/feedback`, { leadId: 'F1', buyer: 'Alpha', kind: 'lost' })).status).toBe(400);

    const returned = await post(`${h.url}/feedback`, { leadId: 'F1', buyer: 'Alpha', kind: 'returned', reason: 'invalid_phone' });
    expect(returned).toMatchObject({ status: 200, json: { leadId: 'F1', buyer: 'Alpha', kind: 'returned', reason: 'invalid_phone', source: 'anonymous' } });
    const again = await post(`${h.url}/feedback`, { leadId: 'F1', buyer: 'Alpha', kind: 'returned', reason: 'duplicate' });
    expect(again).toMatchObject({ status: 409, json: { error: 'feedback-recorded-before' } });
    expect((await post(`${h.url}/feedback`, { leadId: 'F2', buyer: 'Alpha', kind: 'converted' })).status).toBe(200);

    // The buyer metrics a performance split or `rank by` reads.
    const m = h.app.leadroute.service.router!.metrics('Alpha', 30 * DAY);
    expect(m).toMatchObject({ sold: 2, returned: 1, converted: 1 });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/^leadroute_feedback_total\{buyer="Alpha",kind="returned"\} 1$/m);
    expect(metrics).toMatch(/^leadroute_feedback_total\{buyer="Alpha",kind="converted"\} 1$/m);
    expect((await get(`${h.url}/leads/F1`)).json.feedback).toEqual([expect.objectContaining({ buyer: 'Alpha', kind: 'returned', reason: 'invalid_phone' })]);
  });

  it("fires the buyer's `returned` pixels on a return, from the lead's fields kept without its personal data", async () => {
    h = await startHarness();
    const alpha = h.mock.buyers.find((b) => b.name === 'Alpha')!;
    // Alpha gets a pixel on returns; the rule file is reloaded with it.
    writeFileSync(h.rules, rulesFor(h.mock).replace('  cap 10/day\n', `  cap 10/day\n  pixel "${alpha.url}/pixel?lead={{lead.id}}&state={{lead.state}}&amount={{sale.price}}" on returned\n`));
    expect(h.app.leadroute.watcher.reload().ok).toBe(true);
    await post(`${h.url}/leads/solar`, lead('R1'));
    const finished = (await get(`${h.url}/leads/R1`)).json;
    expect(finished).toMatchObject({ state: 'done', outcome: { fields: { id: 'R1', state: 'CA', zip: '94105', credit_score: 700 } } });
    // The inbox keeps no personal data of a finished lead.
    expect(JSON.stringify(finished)).not.toMatch(/r1@example\.com|415-555-0100/);
    const pixels = () => h!.mock.stats().buyers.find((b) => b.name === 'Alpha')!.pixels;
    expect(pixels()).toBe(0);
    expect((await post(`${h.url}/feedback`, { leadId: 'R1', buyer: 'Alpha', kind: 'returned', reason: 'duplicate' })).status).toBe(200);
    for (let i = 0; i < 200 && pixels() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pixels()).toBe(1);
    const hit = h.mock.stats().buyers.find((b) => b.name === 'Alpha')!.recent.find((r) => r.path.startsWith('/pixel'));
    expect(hit?.query).toBe('lead=R1&state=CA&amount=20');
  });

  it('refuses a return after the return window', async () => {
    h = await startHarness({ server: { returnWindowMs: 2 * DAY } });
    await post(`${h.url}/leads/solar`, lead('W1'));
    const soldAt = h.app.leadroute.store.events({ leadId: 'W1', kind: 'sold' })[0]!.at;
    const service = h.app.leadroute.service;
    const late = service.feedback({ leadId: 'W1', buyer: 'Alpha', kind: 'returned', reason: 'duplicate' }, 'anonymous', soldAt + 2 * DAY + 1);
    expect(late).toEqual({ kind: 'window-closed', soldAt, closedAt: soldAt + 2 * DAY });
    const inTime = service.feedback({ leadId: 'W1', buyer: 'Alpha', kind: 'returned', reason: 'duplicate' }, 'anonymous', soldAt + 2 * DAY);
    expect(inTime.kind).toBe('recorded');
  });
});
