// A LeadConduit flow (docs/BUYERS.md): form-encoded requests, an XML answer
// chosen by the Accept header, the status words success / failure / error and
// a reason on every failure.
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectContentType,
  expectHeader,
  expectNone,
  expectOnlyParams,
  expectParams,
  fixtureLead,
  openVendorSale,
  type VendorAnswer,
  type VendorRequest,
  type VendorSale,
} from './helpers.js';

const ORIGIN = 'https://app.leadconduit.com';
const FLOW = '/flows/64b7f0c2a1d3e4f5a6b7c8d9/sources/64b7f0d5e6f7a8b9c0d1e2f3';
const LEAD_ID = '55c8e255a56b8d5f2e69e1d9';
const lead = fixtureLead('leadconduit');
const PERSONAL = [lead.first_name, lead.last_name, lead.email, lead.phone_1, lead.address_1] as string[];

/** LeadConduit's XML answer: `<result>` holding outcome, reason, lead.id (not on a ping) and price. */
const result = (o: { outcome: 'success' | 'failure' | 'error'; reason?: string; leadId?: string; price: number | string }): VendorAnswer => ({
  // a submit answers 201, a ping 200 (lib/inbound.js)
  status: o.leadId === undefined ? 200 : 201,
  contentType: 'application/xml',
  body: [
    '<?xml version="1.0"?>',
    '<result>',
    `  <outcome>${o.outcome}</outcome>`,
    o.reason === undefined ? '  <reason/>' : `  <reason>${o.reason}</reason>`,
    o.leadId === undefined ? '' : `  <lead>\n    <id>${o.leadId}</id>\n  </lead>`,
    `  <price>${o.price}</price>`,
    '</result>',
  ]
    .filter((l) => l !== '')
    .join('\n'),
});

function checkForm(req: VendorRequest, expected: Record<string, string>, problem: (what: string) => void): void {
  // both headers are required on a POST; Accept asks for XML
  expectHeader(req, 'Accept', 'application/xml', problem);
  expectContentType(req, 'application/x-www-form-urlencoded', problem);
  const form = new URLSearchParams(req.body);
  expectParams(form, expected, 'the form', problem);
  expectOnlyParams(form, Object.keys(expected), 'the form', problem);
}

const pingFields = (): Record<string, string> => ({
  state: lead.state as string,
  postal_code: lead.postal_code as string,
  loan_purpose: lead.loan_purpose as string,
  trustedform_cert_url: lead.trustedform_cert_url as string,
});

let sale: VendorSale | null = null;
afterEach(async () => {
  await sale?.close();
  sale = null;
});

async function setUp(ping: VendorAnswer, submit: VendorAnswer) {
  sale = await openVendorSale('leadconduit', ORIGIN, {
    [`POST ${FLOW}/ping`]: (req, problem) => {
      checkForm(req, pingFields(), problem);
      expectNone(req, PERSONAL, problem);
      return ping;
    },
    [`POST ${FLOW}/submit`]: (req, problem) => {
      checkForm(
        req,
        {
          ...pingFields(),
          first_name: lead.first_name as string,
          last_name: lead.last_name as string,
          email: lead.email as string,
          phone_1: lead.phone_1 as string,
          address_1: lead.address_1 as string,
          city: lead.city as string,
        },
        problem,
      );
      return submit;
    },
  }, {});
  return sale;
}

describe('LeadConduit: form requests, XML answers, outcome words and reasons', () => {
  it('compiles without warnings', async () => {
    const { diagnostics } = await setUp(result({ outcome: 'success', price: 12.5 }), result({ outcome: 'success', leadId: LEAD_ID, price: 0 }));
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('a ping answered success is a bid at its price (XML text, read as a number); a submit answered success is a sale with LeadConduit\'s lead id', async () => {
    const { vendor: v, seller: s } = await setUp(result({ outcome: 'success', price: 12.5 }), result({ outcome: 'success', leadId: LEAD_ID, price: 0 }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests.map((r) => r.path)).toEqual([`${FLOW}/ping`, `${FLOW}/submit`]);
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'bid', price: 12.5, fate: 'sold' });
    expect(sale.decision.buyers).toEqual([{ name: 'LendingFlow', price: 12.5 }]);
    // the submit's <price>0</price> is not read as the sale price: the rule file reads no sale price
    expect(sale.deliveries[0]).toMatchObject({ status: 'accepted', price: 12.5, buyerLeadId: LEAD_ID, reason: null });
  });

  it('a ping with no price is a failure with the reason "no bid": no bid, the reason kept', async () => {
    const { vendor: v, seller: s } = await setUp(result({ outcome: 'failure', reason: 'no bid', price: 0 }), result({ outcome: 'success', leadId: LEAD_ID, price: 0 }));
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(v.requests).toHaveLength(1);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.auction!.bids[0]).toMatchObject({ outcome: 'no-bid', buyerReason: 'no bid' });
  });

  it('a submit answered failure is a rejection with LeadConduit\'s reason', async () => {
    const { vendor: v, seller: s } = await setUp(
      result({ outcome: 'success', price: 12.5 }),
      result({ outcome: 'failure', reason: 'Failed email validation', leadId: LEAD_ID, price: 0 }),
    );
    const sale = await s.sell(lead);
    expect(v.problems).toEqual([]);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'rejected', reason: 'Failed email validation' });
  });

  it('a submit answered error (a malformed request) is no sale either', async () => {
    const { seller: s } = await setUp(
      result({ outcome: 'success', price: 12.5 }),
      result({ outcome: 'error', reason: 'missing a required parameter', leadId: LEAD_ID, price: 0 }),
    );
    const sale = await s.sell(lead);
    expect(sale.decision.status).toBe('unrouted');
    expect(sale.deliveries[0]).toMatchObject({ status: 'rejected', reason: 'missing a required parameter' });
  });
});
