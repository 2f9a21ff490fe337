import { describe, expect, it } from 'vitest';
import { readBid } from '../../src/auction/index.js';
import type { HttpResult } from '../../src/deliver/index.js';
import { ping } from './helpers.js';

const mapping = ping('http://127.0.0.1:1/ping').bid;
const ok = (body: unknown, status = 200): HttpResult => ({
  ok: true,
  status,
  headers: {},
  body: typeof body === 'string' ? body : JSON.stringify(body),
  startedAt: 0,
  durationMs: 1,
});

describe('readBid', () => {
  it('reads a bid by dotted paths', () => {
    const r = readBid(ok({ status: 'accepted', bid: { amount: 45.005 }, ping_id: 77, exclusive: true, states: ['ca', 'TX'], max_age: 300 }), mapping);
    expect(r).toEqual({ outcome: 'bid', bid: { price: 45.01, id: '77', exclusive: true, states: ['CA', 'TX'], maxAgeS: 300 } });
  });

  it('the accepted test decides whether there is a bid', () => {
    expect(readBid(ok({ status: 'declined', bid: { amount: 45 } }), mapping)).toEqual({ outcome: 'no-bid', reason: 'status is "declined", not "accepted"' });
  });

  it('without an accepted test, a positive price is a bid and a missing or zero price is none', () => {
    const m = { ...mapping, accepted: null };
    expect(readBid(ok({ bid: { amount: 3 } }), m).outcome).toBe('bid');
    expect(readBid(ok({ bid: { amount: 0 } }), m)).toEqual({ outcome: 'no-bid', reason: 'bid.amount is 0' });
    expect(readBid(ok({}), m)).toEqual({ outcome: 'no-bid', reason: 'no bid.amount in the answer' });
  });

  it('reads a price (and a max age) given as a plain decimal string, as many buyers answer', () => {
    const got = readBid(ok({ status: 'accepted', bid: { amount: ' 6.66 ' }, max_age: '300' }), mapping);
    expect(got).toMatchObject({ outcome: 'bid', bid: { price: 6.66, maxAgeS: 300 } });
    expect(readBid(ok({ status: 'accepted', bid: { amount: '-2' } }), mapping)).toEqual({ outcome: 'invalid', reason: 'price (bid.amount) is negative' });
    expect(readBid(ok({ bid: { amount: '0' } }), { ...mapping, accepted: null })).toEqual({ outcome: 'no-bid', reason: 'bid.amount is 0' });
  });

  it('validates the bid with ajv', () => {
    const bad = (bid: Record<string, unknown>) => readBid(ok({ status: 'accepted', ...bid }), mapping);
    expect(bad({ bid: { amount: -1 } })).toEqual({ outcome: 'invalid', reason: 'price (bid.amount) is negative' });
    expect(bad({ bid: { amount: '$45' } })).toEqual({ outcome: 'invalid', reason: 'price (bid.amount) is not a number' });
    expect(bad({ bid: { amount: '4,5' } })).toEqual({ outcome: 'invalid', reason: 'price (bid.amount) is not a number' });
    expect(bad({ bid: { amount: 20_000 } })).toEqual({ outcome: 'invalid', reason: 'price (bid.amount) is above the ceiling of 10000' });
    expect(bad({ bid: {} })).toEqual({ outcome: 'invalid', reason: 'no bid.amount in the answer' });
    expect(bad({ bid: { amount: 5 }, exclusive: 'yes' }).outcome).toBe('invalid');
    expect(bad({ bid: { amount: 5 }, states: 'CA' }).outcome).toBe('invalid');
    expect(bad({ bid: { amount: 5 }, max_age: -3 }).outcome).toBe('invalid');
    expect(readBid(ok({ status: 'accepted', bid: { amount: 50 } }), mapping, 40).outcome).toBe('invalid');
  });

  it('HTTP and transport failures', () => {
    expect(readBid(ok('<html>', 200), mapping)).toEqual({ outcome: 'invalid', reason: 'answer is not JSON' });
    expect(readBid(ok('[1]', 200), mapping)).toEqual({ outcome: 'invalid', reason: 'answer is not a JSON object' });
    expect(readBid(ok('', 204), mapping)).toEqual({ outcome: 'no-bid', reason: 'HTTP 204 (no content)' });
    expect(readBid(ok('{}', 502), mapping)).toEqual({ outcome: 'error', reason: 'HTTP 502' });
    expect(readBid(ok('{}', 404), mapping)).toEqual({ outcome: 'invalid', reason: 'HTTP 404' });
    const fail = (error: 'timeout' | 'reset'): HttpResult => ({ ok: false, error, detail: error, status: null, startedAt: 0, durationMs: 1 });
    expect(readBid(fail('timeout'), mapping).outcome).toBe('timeout');
    expect(readBid(fail('reset'), mapping).outcome).toBe('error');
  });

  it('ignores prototype keys in the answer', () => {
    expect(readBid(ok('{"status":"accepted","bid":{"__proto__":{"amount":5}}}'), mapping).outcome).toBe('invalid');
  });
});
