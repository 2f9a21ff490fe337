// PX's API 2.0 ping-post (docs/BUYERS.md): JSON both ways, the API token in
// the body, the ping's TransactionId repeated in the post, and a post answer
// that may set the price the lead sold for (Payout) and a page to send the
// consumer to (RedirectUrl).
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectContentType,
  expectHeader,
  expectNone,
  fixtureLead,
  openVendorSale,
  jsonBody,
  type VendorAnswer,
  type VendorRequest,
  type VendorSale,
} from './helpers.js';

const ORIGIN = 'https://leadapi.px.com';
const TOKEN = '6f1d2a3b-0c4d-4e5f-8a9b-px-test-token';
const TRANSACTION = 'D0447C7B-452B-4F2A-9D7B-F3F72848EEE9';
const lead = fixtureLead('px');
const PERSONAL = [lead.first_name, lead.last_name, lead.email, lead.phone, lead.address, lead.ip_address] as string[];

const json = (value: unknown): VendorAnswer => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) });

/** PX's answer envelope: every field present, null when it has nothing to say. */
const answer = (o: { success: boolean; payout?: number | null; message?: string | null; errors?: string[] | null; redirect?: string | null }): VendorAnswer =>
  json({
    TransactionId: TRANSACTION,
    Success: o.success,
    Payout: o.payout ?? null,
    Message: o.message ?? null,
    Errors: o.errors ?? null,
    Sold: null,
    RedirectUrl: o.redirect ?? null,
    BuyerRawResponse: null,
    Environment: 'Testing',
    Legs: null,
  });

/** The envelope fields every PX request carries. */
function checkEnvelope(body: Record<string, unknown>, problem: (what: string) => void): void {
  const expected: Record<string, unknown> = {
    ApiToken: TOKEN,
    Vertical: 'Windows',
    SubId: 'leadroute',
    UserAgent: lead.user_agent,
    OriginalUrl: lead.original_url,
    Source: 'Organic',
    SessionLength: lead.session_length,
    TcpaText: lead.tcpa_text,
  };
  for (const [k, v] of Object.entries(expected)) if (body[k] !== v) problem(`${k} is ${JSON.stringify(body[k])}, not ${JSON.stringify(v)}`);
}

function checkRequest(req: VendorRequest, problem: (what: string) => void): Record<string, unknown> | null {
  // PX: Content-Type is required (JSON or XML); Accept picks the answer's format
  expectContentType(req, 'application/json', problem);
  expectHeader(req, 'Accept', 'application/json', problem);
  const body = jsonBody(req, problem);
  if (body) checkEnvelope(body, problem);
  return body;
}

function checkPing(req: VendorRequest, problem: (what: string) => void): void {
  const body = checkRequest(req, problem);
  expectNone(req, PERSONAL, problem);
  const contact = body?.ContactData as Record<string, unknown> | undefined;
  if (contact?.ZipCode !== lead.zip || contact?.State !== lead.state) problem(`ContactData is ${JSON.stringify(contact)}`);
  if (body && 'TransactionId' in body) problem('a ping has a TransactionId');
}

function checkPost(req: VendorRequest, problem: (what: string) => void): void {
  const body = checkRequest(req, problem);
  if (body?.TransactionId !== TRANSACTION) problem(`TransactionId is ${JSON.stringify(body?.TransactionId)}, not the ping's`);
  const contact = (body?.ContactData ?? {}) as Record<string, unknown>;
  const expected = { FirstName: lead.first_name, LastName: lead.last_name, Email: lead.email, PhoneNumber: lead.phone, ZipCode: lead.zip, IpAddress: lead.ip_address };
  for (const [k, v] of Object.entries(expected)) if (contact[k] !== v) problem(`ContactData.${k} is ${JSON.stringify(contact[k])}`);
}

let sale: VendorSale | null = null;
afterEach(async () => {
  await sale?.close();
  sale = null;
});

async function setUp(ping: VendorAnswer, post: VendorAnswer) {
  sale = await openVendorSale('px', ORIGIN, {
    'POST /api/lead/ping': (req, problem) => {
      checkPing(req, problem);
      return ping;
    },
    'POST /api/lead/post': (req, problem) => {
      checkPost(req, problem);
      return post;
    },
  }, { PX_API_TOKEN: TOKEN });
  return sale;
}

describe('PX: JSON ping-post, TransactionId carried, price and redirect decided at post time', () => {
  it('compiles without warnings', async () => {
    const { diagnostics } = await setUp(answer({ success: true, payout: 8.5 }), answer({ success: true }));
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('a Success ping is a bid at its Payout; the post repeats the TransactionId; the post\'s Payout and RedirectUrl are the sale\'s', async () => {
    const redirect = 'https://offers.px.example/thank-you?t=D0447C7B';
    const { vendor: v, seller: s, journal } = await setUp(answer({ success: true, payout: 8.5 }), answer({ success: true, payout: 9.25, redirect }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests.map((r) => r.path)).toEqual(['/api/lead/ping', '/api/lead/post']);

    const bid = sale.auction!.bids[0]!;
    expect(bid).toMatchObject({ buyer: 'PX', outcome: 'bid', price: 8.5, bidId: TRANSACTION, fate: 'sold' });
    expect(bid).toHaveProperty('carried', { transaction_id: TRANSACTION });

    expect(sale.decision.status).toBe('routed');
    const delivery = sale.deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'accepted', redirectUrl: redirect, buyerLeadId: TRANSACTION, postPrice: 9.25, price: 9.25 });
    // booked at the post-time price; the redirect is the Sale's, for the caller to send the consumer to
    expect(sale.decision.buyers).toEqual([{ name: 'PX', price: 9.25 }]);
    expect(sale).toHaveProperty('redirectUrl', redirect);

    const kept = JSON.stringify({ sale, rows: journal.attempts() });
    expect(kept).not.toContain(TOKEN);
  });

  it('a post answer with Payout null keeps the ping\'s price', async () => {
    const { vendor: v, seller: s } = await setUp(answer({ success: true, payout: 8.5 }), answer({ success: true, payout: null }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted', price: 8.5, postPrice: null, redirectUrl: null });
  });

  it('a ping answered Success false is no bid; PX\'s Message is kept as the buyer\'s reason', async () => {
    const refused = answer({ success: false, message: 'BadRequest', errors: ["'TcpaText' must not be empty."] });
    const { vendor: v, seller: s } = await setUp(refused, answer({ success: true }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests).toHaveLength(1);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'no-bid', buyerReason: 'BadRequest' });
  });

  it('a post answered Success false is a rejection with PX\'s Message as the reason', async () => {
    const { vendor: v, seller: s } = await setUp(answer({ success: true, payout: 8.5 }), answer({ success: false, message: 'BadRequest', errors: ["'ContactData.Email' is not valid."] }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'rejected', reason: 'BadRequest', redirectUrl: null });
  });

  it('a RedirectUrl that is not http(s) is not kept', async () => {
    const { seller: s } = await setUp(answer({ success: true, payout: 8.5 }), answer({ success: true, payout: 8.5, redirect: 'javascript:alert(1)' }));
    const sale = await s.sell(lead);
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted', redirectUrl: null });
  });
});
