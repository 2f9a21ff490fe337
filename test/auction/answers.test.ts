// Reading buyers' answers over real HTTP (issue 14): XML, form and JSON
// answers to pings and posts, accept sets ignoring case, the buyer's reason on
// a refusal, duplicates (a final outcome: the auction moves to the next bid),
// values carried from the ping's answer into the post's body, a redirect URL
// and a price decided at post time, and answers that do not parse. Buyers are
// node:http servers on 127.0.0.1.

import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../src/adapters/index.js';
import { Seller } from '../../src/auction/index.js';
import type { Plan } from '../../src/models/plan.js';
import { Router } from '../../src/runtime/index.js';
import { runCli, scratchDir, writeScratch } from '../cli/helpers.js';
import { planOf } from '../helpers/lang.js';
import { lead, Servers, type Reply } from './helpers.js';
import { SELL_LEAD } from './rules.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

const TEMPLATES: Record<string, string> = {
  'carry.json.hbs': '{"lead_id": {{json lead.id}}, "ping_id": {{json ping.id}}, "bid_id": {{json ping.bid_id}}, "token": {{json ping.token}}, "price": {{money sale.price}} }',
};

function planWith(buyers: string[], action: string): Plan {
  return planOf(`${SELL_LEAD}\n${buyers.join('\n')}\nflow main {\n  ${action}\n}\n`, {
    file: '/rules/sell.route',
    readFile: (p) => TEMPLATES[basename(p)],
  });
}

function sellerOf(plan: Plan) {
  const journal = new MemoryJournal();
  const seller = new Seller(new Router(plan), { journal });
  sellers.push(seller);
  return { seller, journal };
}

const xml = (body: string, status = 200): Reply => ({ status, body, headers: { 'content-type': 'application/xml' } });
const form = (body: string): Reply => ({ body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const AUCTION = 'auction { A, B } timeout 3s shared max 1';

describe('XML answers', () => {
  it('a ping and a post answered in XML, accepted by status words in any case; two carried ids reach the post body; the post decides the price and the redirect', async () => {
    const pingA = await servers.start(() =>
      xml('<?xml version="1.0"?><response status="ACCEPTED"><price>12.50</price><bid_id>b-17</bid_id><token>t&amp;9</token></response>'),
    );
    const postA = await servers.start(() =>
      xml('<result><status>Accepted</status><redirect>https://a.example/thanks?lead=A-77</redirect><payout>15.25</payout><lead_id>A-77</lead_id></result>'),
    );
    const plan = planWith(
      [
        `buyer A {
  ping "${pingA.url}/ping" timeout 2s fields state
  bid xml price "response.price", accepted "response.@status" in ["accepted", "ok"] ignoring case,
    carry bid_id "response.bid_id", carry token "response.token"
  post "${postA.url}/post" json "templates/carry.json.hbs" timeout 2s
  sale xml accepted "result.status" in ["accepted"] ignoring case, redirect "result.redirect", price "result.payout", id "result.lead_id"
}`,
      ],
      'auction { A } timeout 3s',
    );
    const { seller, journal } = sellerOf(plan);
    const sale = await seller.sell(lead({ id: 'L-carry' }));

    const bidA = sale.auction!.bids.find((b) => b.buyer === 'A')!;
    expect([bidA.outcome, bidA.price, bidA.carried]).toEqual(['bid', 12.5, { bid_id: 'b-17', token: 't&9' }]);
    const body = JSON.parse(postA.received[0]!.body) as Record<string, unknown>;
    expect(body).toEqual({ lead_id: 'L-carry', ping_id: bidA.pingId, bid_id: 'b-17', token: 't&9', price: 12.5 });

    expect(sale.decision.status).toBe('routed');
    expect(sale.decision.buyers.map((b) => [b.name, b.price])).toEqual([['A', 15.25]]); // booked at the post-time price
    expect(sale.auction!.price).toBe(15.25);
    const d = sale.deliveries[0]!;
    expect([d.status, d.price, d.postPrice, d.redirectUrl, d.buyerLeadId]).toEqual(['accepted', 15.25, 15.25, 'https://a.example/thanks?lead=A-77', 'A-77']);
    expect([sale.redirectUrl, sale.buyerLeadId]).toEqual(['https://a.example/thanks?lead=A-77', 'A-77']);
    expect(journal.attempts({ kind: 'post' }).map((a) => [a.outcome, a.price])).toEqual([['accepted', 15.25]]);
  });

  it('HTTP 200 with <status>Rejected</status> and a reason is no sale, and the buyer\'s reason is kept', async () => {
    const postB = await servers.start(() => xml('<response><status>Rejected</status><reason>Duplicate phone number</reason></response>'));
    const plan = planWith(
      [`buyer B { price $20 post "${postB.url}/post" timeout 2s sale xml accepted "response.status" == "Accepted", reason "response.reason" }`],
      'route B',
    );
    const { seller, journal } = sellerOf(plan);
    const sale = await seller.sell(lead());
    const d = sale.deliveries[0]!;
    expect([d.status, d.reason]).toEqual(['rejected', 'Duplicate phone number']);
    expect(d.detail).toBe('response.status is "Rejected", not "Accepted": Duplicate phone number');
    expect(sale.redirectUrl).toBeNull();
    expect(journal.attempts({ kind: 'post' }).map((a) => a.outcome)).toEqual(['rejected']);
  });

  it('an answer that is not XML is never a bid and never a sale', async () => {
    const pingA = await servers.start(() => xml('<response><price>50</price>'));
    const pingB = await servers.start(() => xml('<response><price>10</price></response>'));
    const postB = await servers.start(() => xml('<result><status>accepted</status>'));
    const plan = planWith(
      [
        `buyer A { ping "${pingA.url}/ping" timeout 2s fields state bid xml price "response.price" post "http://127.0.0.1:9/never" accepted "ok" == true }`,
        `buyer B { ping "${pingB.url}/ping" timeout 2s fields state bid xml price "response.price"
  post "${postB.url}/post" timeout 2s retry 2 backoff 10ms sale xml accepted "result.status" == "accepted" }`,
      ],
      AUCTION,
    );
    const { seller } = sellerOf(plan);
    const sale = await seller.sell(lead());
    const byName = new Map(sale.auction!.bids.map((b) => [b.buyer, b]));
    expect([byName.get('A')!.outcome, byName.get('A')!.reason]).toEqual(['invalid', 'answer is not XML']);
    expect([byName.get('B')!.outcome, byName.get('B')!.fate]).toEqual(['bid', 'post-rejected']);
    expect(sale.deliveries.map((d) => [d.buyer, d.status, d.detail])).toEqual([['B', 'rejected', 'answer is not XML']]);
    expect(postB.received).toHaveLength(1); // a refusal: no retry
    expect(sale.decision.status).toBe('unrouted');
  });
});

describe('form and JSON answers', () => {
  it('a form answer to a ping and to a post; the accept set ignores case', async () => {
    const pingA = await servers.start(() => form('status=OK&price=9.5&id=p-1'));
    const postA = await servers.start(() => form('result=SUCCESS&lead_id=F-1&lead_id=F-2'));
    const plan = planWith(
      [
        `buyer A { ping "${pingA.url}/ping" timeout 2s fields state bid form price "price", accepted "status" == "ok" ignoring case, id "id"
  post "${postA.url}/post" timeout 2s accepted "result" in ["success", "queued"] ignoring case
  sale form id "lead_id.1" }`,
      ],
      'auction { A } timeout 3s',
    );
    const { seller } = sellerOf(plan);
    const sale = await seller.sell(lead());
    expect(sale.decision.buyers.map((b) => [b.name, b.price])).toEqual([['A', 9.5]]);
    expect([sale.deliveries[0]!.status, sale.buyerLeadId]).toEqual(['accepted', 'F-2']);
  });

  it('a case-sensitive accept set refuses the other case', async () => {
    const postB = await servers.start(() => ({ json: { result: 'SUCCESS' } }));
    const plan = planWith([`buyer B { price $20 post "${postB.url}/post" timeout 2s accepted "result" in ["success", "queued"] }`], 'route B');
    const { seller } = sellerOf(plan);
    const d = (await seller.sell(lead())).deliveries[0]!;
    expect([d.status, d.detail]).toEqual(['rejected', 'result is "SUCCESS", not one of "success", "queued"']);
  });

  it('rejection words beat an accept test', async () => {
    const postB = await servers.start(() => ({ json: { status: 'accepted', message: 'REJECTED: zip not covered' } }));
    const plan = planWith(
      [`buyer B { price $20 post "${postB.url}/post" timeout 2s sale accepted "status" == "accepted", reason "message", rejection_words ["Rejected", "Error"] }`],
      'route B',
    );
    const { seller } = sellerOf(plan);
    const d = (await seller.sell(lead())).deliveries[0]!;
    expect([d.status, d.reason]).toEqual(['rejected', 'REJECTED: zip not covered']);
    expect(d.detail).toMatch(/^the answer holds the rejection word "Rejected"/);
  });

  it('isValidPost=false is a duplicate: final for that buyer (no retry, no backup), and the auction sells to the next bid', async () => {
    const postA = await servers.start(() => ({ json: { isValidPost: 'false', message: 'we already have this lead' } }));
    const backupA = await servers.start(() => ({ json: { isValidPost: true } }));
    const postB = await servers.start(() => ({ json: { result: 'success' } }));
    const pingA = await servers.start(() => ({ json: { price: 30 } }));
    const pingB = await servers.start(() => ({ json: { price: 20 } }));
    const plan = planWith(
      [
        `buyer A { ping "${pingA.url}/ping" timeout 2s fields state bid price "price"
  post "${postA.url}/post" timeout 2s retry 2 backoff 10ms
  backup post "${backupA.url}/post" timeout 2s
  sale accepted "isValidPost" == true, duplicate "isValidPost" == false, reason "message" }`,
        `buyer B { ping "${pingB.url}/ping" timeout 2s fields state bid price "price" post "${postB.url}/post" timeout 2s accepted "result" == "success" }`,
      ],
      AUCTION,
    );
    const { seller, journal } = sellerOf(plan);
    const sale = await seller.sell(lead());
    expect(sale.deliveries.map((d) => [d.buyer, d.status, d.reason])).toEqual([
      ['A', 'duplicate', 'we already have this lead'],
      ['B', 'accepted', null],
    ]);
    expect([postA.received.length, backupA.received.length]).toEqual([1, 0]);
    expect(sale.auction!.bids.find((b) => b.buyer === 'A')!.fate).toBe('post-duplicate');
    expect(sale.decision.buyers.map((b) => [b.name, b.price])).toEqual([['B', 20]]);
    expect(journal.attempts({ kind: 'post', buyer: 'A' }).map((a) => a.outcome)).toEqual(['duplicate']);
  });

  it('a ping answer saying duplicate is no bid, with the buyer\'s reason', async () => {
    const pingA = await servers.start(() => ({ json: { price: 30, dup: true, why: 'seen it' } }));
    const plan = planWith(
      [
        `buyer A { ping "${pingA.url}/ping" timeout 2s fields state bid price "price", duplicate "dup" == true, reason "why" post "http://127.0.0.1:9/never" accepted "ok" == true }`,
      ],
      'auction { A } timeout 3s',
    );
    const { seller } = sellerOf(plan);
    const bidA = (await seller.sell(lead())).auction!.bids[0]!;
    expect([bidA.outcome, bidA.reason, bidA.buyerReason]).toEqual(['no-bid', 'duplicate (dup is true): seen it', 'seen it']);
  });

  it('a redirect that is not http(s) is ignored, with a note, and the sale stands', async () => {
    const postB = await servers.start(() => ({ json: { ok: true, next: 'javascript:alert(1)', payout: 'n/a' } }));
    const plan = planWith([`buyer B { price $20 post "${postB.url}/post" timeout 2s sale accepted "ok" == true, redirect "next", price "payout" }`], 'route B');
    const { seller } = sellerOf(plan);
    const sale = await seller.sell(lead());
    const d = sale.deliveries[0]!;
    expect([d.status, d.redirectUrl, d.price, d.postPrice, sale.redirectUrl]).toEqual(['accepted', null, 20, null, null]);
    expect(d.detail).toBe('redirect uses javascript: (only http and https); ignored; price "n/a" is not a price; the sale price stands');
  });
});

describe('leadroute check', () => {
  it('shows LR711 for a post without an accept rule, as a warning', async () => {
    const dir = scratchDir();
    const file = writeScratch(dir, 'w.route', 'lead { id: string }\nbuyer A { price $1\n  post "https://a.example/leads" }\nflow f { route A }\n');
    const r = await runCli(['check', file]);
    expect(r.code).toBe(0);
    expect(`${r.out}${r.err}`).toContain('warning LR711: post without an accept rule: any 2xx will be booked as a sale (assumed accepted)');
  });
});
