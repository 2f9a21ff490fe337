// A boberdoo buyer (Inquirly's pingPostConsent specification, docs/BUYERS.md):
// a GET ping with the API key in the query string, an XML reply whose status
// word is Matched or Unmatched and whose price is text, and a form post that
// carries two ids from the reply (the boberdoo lead id and the bid id).
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectContentType,
  expectNone,
  expectOnlyParams,
  expectParams,
  fixtureLead,
  openVendorSale,
  type VendorAnswer,
  type VendorRequest,
  type VendorSale,
} from './helpers.js';

const ORIGIN = 'https://app.inquirly.com';
const KEY = 'bbd-test-key-4f1c9a';
const lead = fixtureLead('boberdoo');
const PERSONAL = [lead.first_name, lead.last_name, lead.email, lead.phone, lead.address, lead.ip_address] as string[];

/** The parameters boberdoo's pingPostConsent documents for a ping, and leadroute's own ping_id. */
const PING_PARAMS = ['Key', 'API_Action', 'Mode', 'Return_Best_Price', 'SRC', 'TYPE', 'Landing_Page', 'Zip', 'Task', 'Owner', 'ping_id'];

const xml = (body: string): VendorAnswer => ({ contentType: 'text/xml; charset=UTF-8', body });

/** A Matched ping reply with one bid, in the shape of Inquirly's example reply. */
const matched = (bestBid: string): VendorAnswer =>
  xml(`<?xml version="1.0" encoding="UTF-8"?>
<response>
<status>Matched</status>
<lead_type>33</lead_type>
<lead_id>26635027</lead_id>
<process_information>
<total_bids>1</total_bids>
<total_bid_amount>${bestBid}</total_bid_amount>
<bid_mode>ping</bid_mode>
<unmatched_reason />
<mystamp>172331521066392300</mystamp>
<best_bid>${bestBid}</best_bid>
</process_information>
<bids>
<bid>
<bid_id>679</bid_id>
<seller_id>2</seller_id>
<seller_company_name>Testing Company</seller_company_name>
<seller_html />
<seller_lead_bid>${bestBid}</seller_lead_bid>
</bid>
</bids>
</response>`);

/** Checks a ping as boberdoo's specification describes it. */
function checkPing(req: VendorRequest, problem: (what: string) => void): void {
  expectParams(
    req.query,
    { Key: KEY, API_Action: 'pingPostConsent', Mode: 'ping', Return_Best_Price: '1', SRC: 'leadroute', TYPE: '33', Landing_Page: lead.landing_page as string, Zip: '60610', Task: 'Plumbing', Owner: 'Yes' },
    'the ping query',
    problem,
  );
  expectOnlyParams(req.query, PING_PARAMS, 'the ping query', problem);
  expectNone(req, PERSONAL, problem);
  if (req.body !== '') problem('a GET ping has a body');
}

/** Checks a post: a form body with the ping's two ids and the full lead. */
function checkPost(req: VendorRequest, problem: (what: string) => void): void {
  expectContentType(req, 'application/x-www-form-urlencoded', problem);
  const form = new URLSearchParams(req.body);
  expectParams(
    form,
    {
      Key: KEY,
      API_Action: 'pingPostConsent',
      Mode: 'post',
      SRC: 'leadroute',
      TYPE: '33',
      Lead_ID: '26635027',
      Match_With_Bid_ID: '679',
      Zip: '60610',
      Task: 'Plumbing',
      Owner: 'Yes',
      Landing_Page: lead.landing_page as string,
      IP_Address: lead.ip_address as string,
      Trusted_Form_URL: lead.trusted_form_url as string,
      Disclaimer: lead.disclaimer as string,
      First_Name: lead.first_name as string,
      Last_Name: lead.last_name as string,
      Address: lead.address as string,
      City: lead.city as string,
      State: lead.state as string,
      Email: lead.email as string,
      Phone: lead.phone as string,
    },
    'the post form',
    problem,
  );
  if (form.has('Return_Best_Price')) problem('the post form keeps Return_Best_Price (the ping only)');
}

let sale: VendorSale | null = null;
afterEach(async () => {
  await sale?.close();
  sale = null;
});

async function setUp(ping: VendorAnswer, post: VendorAnswer) {
  sale = await openVendorSale('boberdoo', ORIGIN, {
    'GET /new_api/api.php': (req, problem) => {
      checkPing(req, problem);
      return ping;
    },
    'POST /new_api/api.php': (req, problem) => {
      checkPost(req, problem);
      return post;
    },
  }, { INQUIRLY_KEY: KEY });
  return sale;
}

describe('boberdoo (Inquirly pingPostConsent): GET ping, XML answers, two ids carried', () => {
  it('compiles without warnings: the API key is a secret, the accept rules are the status words', async () => {
    const { diagnostics } = await setUp(matched('12.50'), xml('<response><status>Matched</status><lead_id>26635027</lead_id></response>'));
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('a Matched reply is a bid at its text price; the post carries Lead_ID and the bid id and is a sale', async () => {
    const { vendor: v, seller: s, journal } = await setUp(matched('12.50'), xml('<response><status>Matched</status><lead_id>26635027</lead_id></response>'));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests.map((r) => r.method)).toEqual(['GET', 'POST']);

    expect(sale.decision.status).toBe('routed');
    expect(sale.decision.buyers).toEqual([{ name: 'Inquirly', price: 12.5 }]);
    const bid = sale.auction!.bids[0]!;
    expect(bid).toMatchObject({ buyer: 'Inquirly', outcome: 'bid', price: 12.5, bidId: '679', fate: 'sold' });
    expect(bid).toHaveProperty('carried', { lead_id: '26635027', bid_id: '679' });
    // leadroute's own ping id rides along in the GET query
    expect(v.requests[0]!.query.get('ping_id')).toBe(bid.pingId);

    const delivery = sale.deliveries[0]!;
    expect(delivery).toMatchObject({ buyer: 'Inquirly', status: 'accepted', price: 12.5, buyerLeadId: '26635027', redirectUrl: null });

    // the key is sent, never kept
    const kept = JSON.stringify({ sale, rows: journal.attempts() });
    expect(kept).not.toContain(KEY);
  });

  it('an Unmatched reply is no bid, with boberdoo\'s unmatched_reason kept; nothing is posted', async () => {
    const unmatched = xml(`<response>
<status>Unmatched</status>
<lead_type>33</lead_type>
<process_information>
<total_bids>0</total_bids>
<total_bid_amount>0</total_bid_amount>
<bid_mode>ping</bid_mode>
<unmatched_reason>No buyer covers this Zip</unmatched_reason>
<best_bid>0.00</best_bid>
</process_information>
<bids />
</response>`);
    const { vendor: v, seller: s } = await setUp(unmatched, xml('<response><status>Matched</status></response>'));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests.map((r) => r.method)).toEqual(['GET']);
    expect(sale.decision.status).toBe('unrouted');
    const bid = sale.auction!.bids[0]!;
    expect(bid.outcome).toBe('no-bid');
    expect(bid).toHaveProperty('buyerReason', 'No buyer covers this Zip');
  });

  it('a post answered Unmatched with an error is a rejection, the error kept as the buyer\'s reason', async () => {
    const refused = xml('<response><status>Unmatched</status><error>Lead_ID 26635027 has expired</error></response>');
    const { vendor: v, seller: s } = await setUp(matched('12.50'), refused);
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.auction!.bids[0]!.fate).toBe('post-rejected');
    expect(sale.deliveries[0]).toMatchObject({ status: 'rejected', reason: 'Lead_ID 26635027 has expired' });
  });

  it('a reply that is not XML is never a bid', async () => {
    const { vendor: v, seller: s } = await setUp({ contentType: 'text/plain', body: 'Service Unavailable' }, xml('<response/>'));
    const sale = await s.sell(lead);
    expect(v.requests.map((r) => r.method)).toEqual(['GET']);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/not XML/) });
  });
});
