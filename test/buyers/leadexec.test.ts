// LeadExec's lead receiver (docs/BUYERS.md): a direct post with the API
// password in the query and a token header, answered with an XML PostResponse
// that says whether the post was valid, why not (ResponseType Duplicate_Lead
// among the reasons), and may name the price paid and a redirect URL.
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectContentType,
  expectHeader,
  expectParams,
  fixtureLead,
  openVendorSale,
  type VendorAnswer,
  type VendorRequest,
  type VendorSale,
} from './helpers.js';

const ORIGIN = 'https://leads.leadexec.net';
const PASSWORD = 'lx-pass-93kd02';
const TOKEN = 'lx-token-Zt81qP';
const lead = fixtureLead('leadexec');

interface PostResponse {
  valid: boolean;
  type: string;
  details: string;
  leadIdentifier?: string;
  price?: string;
  redirect?: string;
}

/** The XML PostResponse of LeadExec's response examples, its elements in their order. */
const postResponse = (r: PostResponse): VendorAnswer => ({
  contentType: 'text/xml; charset=utf-8',
  body: `<?xml version="1.0" encoding="utf-8"?>
<PostResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <PostID>3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f</PostID>
  <isValidPost>${r.valid}</isValidPost>
  <ResponseType>${r.type}</ResponseType>
  <ResponseDetails>${r.details}</ResponseDetails>
  <LeadIdentifier>${r.leadIdentifier ?? '0'}</LeadIdentifier>
  <VendorAccountAssigned>0</VendorAccountAssigned>
  <PendingQCReview>false</PendingQCReview>
  <Price>${r.price ?? ''}</Price>
  <RedirectURL>${r.redirect ?? ''}</RedirectURL>
</PostResponse>`,
});

function checkPost(req: VendorRequest, problem: (what: string) => void): void {
  expectParams(req.query, { vid: '6031', lid: '3984', aid: '13806', password: PASSWORD }, 'the query', problem);
  expectHeader(req, 'access_token', TOKEN, problem);
  expectContentType(req, 'application/x-www-form-urlencoded', problem);
  const form = new URLSearchParams(req.body);
  expectParams(
    form,
    {
      FirstName: lead.first_name as string,
      LastName: lead.last_name as string,
      Email: lead.email as string,
      Phone: lead.phone as string,
      State: lead.state as string,
      Zip: lead.zip as string,
      DebtAmount: String(lead.debt_amount),
    },
    'the form',
    problem,
  );
}

let sale: VendorSale | null = null;
afterEach(async () => {
  await sale?.close();
  sale = null;
});

async function setUp(answer: VendorAnswer) {
  sale = await openVendorSale('leadexec', ORIGIN, {
    'POST /processor/insert/general': (req, problem) => {
      checkPost(req, problem);
      return answer;
    },
  }, { LEADEXEC_PASSWORD: PASSWORD, LEADEXEC_TOKEN: TOKEN });
  return sale;
}

describe('LeadExec: direct post, XML PostResponse, duplicates, price and redirect at post time', () => {
  it('compiles without warnings: the password and the token are secrets', async () => {
    const { diagnostics } = await setUp(postResponse({ valid: true, type: 'No_Error', details: 'Lead was accepted' }));
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('a valid post is a sale at the Price the answer names, with its LeadIdentifier and RedirectURL', async () => {
    const redirect = 'https://offers.leadexec.example/thanks?lead=123456789';
    const { vendor: v, seller: s, journal } = await setUp(
      postResponse({ valid: true, type: 'No_Error', details: 'Lead was accepted', leadIdentifier: '123456789', price: '32.50', redirect }),
    );
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests).toHaveLength(1);
    expect(sale.decision.status).toBe('routed');
    expect(sale.deliveries[0]).toMatchObject({ buyer: 'LeadExec', status: 'accepted', price: 32.5, postPrice: 32.5, buyerLeadId: '123456789', redirectUrl: redirect, reason: 'Lead was accepted' });
    expect(sale).toMatchObject({ redirectUrl: redirect, buyerLeadId: '123456789' });
    const kept = JSON.stringify({ sale, rows: journal.attempts() });
    expect(kept).not.toContain(PASSWORD);
    expect(kept).not.toContain(TOKEN);
  });

  it('an empty Price keeps the rule file\'s price', async () => {
    const { seller: s } = await setUp(postResponse({ valid: true, type: 'No_Error', details: 'Lead was accepted', leadIdentifier: '123456790' }));
    const sale = await s.sell(lead);
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted', price: 30, postPrice: null, redirectUrl: null });
  });

  it('ResponseType Duplicate_Lead is the duplicate outcome: final, not retried, the details kept', async () => {
    const { vendor: v, seller: s } = await setUp(postResponse({ valid: false, type: 'Duplicate_Lead', details: 'Lead is a duplicate of 123456701' }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    // retry 1 in the rule file: a duplicate is not retried
    expect(v.requests).toHaveLength(1);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'duplicate', reason: 'Lead is a duplicate of 123456701' });
  });

  it('another ResponseType (Outside_Criteria) is a rejection with the details as the reason', async () => {
    const { vendor: v, seller: s } = await setUp(postResponse({ valid: false, type: 'Outside_Criteria', details: 'Zip not in coverage area' }));
    const sale = await s.sell(lead);
    expect(v.requests).toHaveLength(1);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'rejected', reason: 'Zip not in coverage area' });
  });
});
