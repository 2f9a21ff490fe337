// The Seller sends the lead as the router validated it: e-mail and phone trimmed.
import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { startServer, type TestServer } from '../auction/helpers.js';
import { routerOf } from '../helpers/lang.js';

let server: TestServer | null = null;
let seller: Seller | null = null;
afterEach(async () => {
  await seller?.close();
  await server?.close();
  seller = null;
  server = null;
});

describe('selling a lead with padded contact fields', () => {
  it('posts the trimmed e-mail and phone, and leaves the caller\'s lead as it was', async () => {
    server = await startServer(() => ({ status: 200, json: { result: 'success' } }));
    const router = routerOf(`lead {
  id: string
  email: email pii
  phone: phone pii
}

buyer B {
  price $10
  post "${server.url}/leads"
}

flow default {
  route B
}
`);
    seller = new Seller(router);
    const lead = { id: 'p1', email: '  pat@example.com\t', phone: ' 480-555-0164 ' };
    const sale = await seller.sell(lead, { now: '2026-11-23T15:00:00Z' });
    expect(sale.decision.status).toBe('routed');
    expect(server.received).toHaveLength(1);
    const body = (JSON.parse(server.received[0]!.body) as { lead: Record<string, unknown> }).lead;
    expect(body.email).toBe('pat@example.com');
    expect(body.phone).toBe('480-555-0164');
    expect(lead.phone).toBe(' 480-555-0164 ');
  });
});
