// Juiced (docs/BUYERS.md): JSON both ways behind an Authorization header; a
// ping answered with a word and a list of bids; a post that names the ping and
// the bid it accepts (two carried ids) and answers with the lead's status —
// `duplicate` among them — and the price paid.
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

const ORIGIN = 'https://usejuiced.com';
const TOKEN = 'jcd_test_token_7Q2x9LkP';
const PING_ID = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const BID_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const lead = fixtureLead('juiced');
const PERSONAL = [lead.first_name, lead.last_name, lead.email, lead.phone, lead.address_1] as string[];

const json = (value: unknown, status = 200): VendorAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(value) });

/** A ping answer: the ping id, the result word, the bids (empty unless matched). */
const pingAnswer = (message: 'Match found' | 'No match found' | 'Duplicate' | 'Rejected', prices: number[] = []): VendorAnswer =>
  json({
    ping_id: PING_ID,
    message,
    bids: prices.map((price, i) => ({ id: i === 0 ? BID_ID : `a3bb189e-8bf9-3888-9912-ace4e654300${i}`, price, tcpa_name: `Roofer ${i + 1}`, customer_id: 100 + i })),
  });

/** A post answer: the lead's status and the price paid (zero unless assigned). */
const leadAnswer = (status: 'pending' | 'assigned' | 'duplicate' | 'unassigned' | 'marketplace', price: number): VendorAnswer =>
  json({ lead_uuid: '0b9e3c1e-2f4a-4c2e-9a51-3d7f0e2b6c44', lead_public_id: 'lead_01hq3ndektsv4rrffq69g5fav', status, price }, 201);

/** Every Juiced request: the JSON headers and the bearer token. */
function checkHeaders(req: VendorRequest, problem: (what: string) => void): void {
  expectHeader(req, 'Authorization', `Bearer ${TOKEN}`, problem);
  expectHeader(req, 'Accept', 'application/json', problem);
  expectContentType(req, 'application/json', problem);
}

function checkPing(req: VendorRequest, problem: (what: string) => void): void {
  checkHeaders(req, problem);
  expectNone(req, PERSONAL, problem);
  const body = jsonBody(req, problem);
  // zip is the one field the ping requires
  if (body && body.zip !== lead.zip) problem(`zip is ${JSON.stringify(body.zip)}`);
}

function checkPost(req: VendorRequest, problem: (what: string) => void): void {
  checkHeaders(req, problem);
  const body = jsonBody(req, problem);
  if (!body) return;
  if (body.ping_id !== PING_ID) problem(`ping_id is ${JSON.stringify(body.ping_id)}, not the ping's`);
  if (body.bid_id !== BID_ID) problem(`bid_id is ${JSON.stringify(body.bid_id)}, not the bid's`);
  for (const k of ['zip', 'first_name', 'last_name', 'email', 'phone', 'address_1', 'city', 'state']) if (body[k] !== lead[k]) problem(`${k} is ${JSON.stringify(body[k])}`);
}

let sale: VendorSale | null = null;
afterEach(async () => {
  await sale?.close();
  sale = null;
});

async function setUp(ping: VendorAnswer, post: VendorAnswer) {
  sale = await openVendorSale('juiced', ORIGIN, {
    'POST /api/ping': (req, problem) => {
      checkPing(req, problem);
      return ping;
    },
    'POST /api/leads': (req, problem) => {
      checkPost(req, problem);
      return post;
    },
  }, { JUICED_TOKEN: TOKEN });
  return sale;
}

describe('Juiced: bearer auth header, status words, duplicate outcomes, ping id and bid id carried', () => {
  it('compiles without warnings: the token is a secret', async () => {
    const { diagnostics } = await setUp(pingAnswer('Match found', [45]), leadAnswer('assigned', 45));
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('Match found is a bid at the first bid\'s price; the post names the ping and the bid; assigned is a sale at the price paid', async () => {
    const { vendor: v, seller: s, journal } = await setUp(pingAnswer('Match found', [45, 38.5]), leadAnswer('assigned', 45));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests.map((r) => r.path)).toEqual(['/api/ping', '/api/leads']);
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'bid', price: 45, bidId: BID_ID, fate: 'sold', carried: { ping_id: PING_ID, bid_id: BID_ID } });
    expect(sale.decision.status).toBe('routed');
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted', price: 45, buyerLeadId: 'lead_01hq3ndektsv4rrffq69g5fav' });
    const kept = JSON.stringify({ sale, rows: journal.attempts() });
    expect(kept).not.toContain(TOKEN);
  });

  it('the price Juiced reports at post time is the sale price', async () => {
    const { seller: s } = await setUp(pingAnswer('Match found', [45]), leadAnswer('assigned', 41.75));
    const sale = await s.sell(lead);
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted', price: 41.75, postPrice: 41.75 });
    expect(sale.decision.buyers).toEqual([{ name: 'Juiced', price: 41.75 }]);
  });

  it('a ping answered Duplicate is the duplicate outcome: no bid, no post', async () => {
    const { vendor: v, seller: s } = await setUp(pingAnswer('Duplicate'), leadAnswer('assigned', 45));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests).toHaveLength(1);
    expect(sale.decision.status).toBe('unrouted');
    const bid = sale.auction!.bids[0]!;
    expect(bid.outcome).not.toBe('bid');
    expect(bid.reason).toMatch(/^duplicate/);
    expect(bid).toHaveProperty('buyerReason', 'Duplicate');
  });

  it('No match found is no bid, Juiced\'s word kept as its reason', async () => {
    const { seller: s } = await setUp(pingAnswer('No match found'), leadAnswer('assigned', 45));
    const sale = await s.sell(lead);
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'no-bid', buyerReason: 'No match found' });
  });

  it('a post answered duplicate is final: no retry, the duplicate outcome recorded', async () => {
    const { vendor: v, seller: s } = await setUp(pingAnswer('Match found', [45]), leadAnswer('duplicate', 0));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    // retry 2 in the rule file: a duplicate is not retried
    expect(v.requests.map((r) => r.path)).toEqual(['/api/ping', '/api/leads']);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'duplicate', reason: 'duplicate' });
    expect(sale.auction!.bids[0]!.fate).toBe('post-duplicate');
  });

  it('a post answered unassigned is a rejection', async () => {
    const { seller: s } = await setUp(pingAnswer('Match found', [45]), leadAnswer('unassigned', 0));
    const sale = await s.sell(lead);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'rejected', reason: 'unassigned' });
  });
});
