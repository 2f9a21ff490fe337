// Quality gates: required fields, duplicate suppression, consent recency.
import { describe, it, expect } from 'vitest';
import { dedupeKey, normaliseForDedupe, Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { DAY, HOUR, lead, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

describe('requires', () => {
  const plan = (standardRule = 'route Standard') =>
    planOf(`
buyer Premium { price $45  requires trustedform_url, tags }
buyer Standard { price $20 }
flow main {
  route Premium
  ${standardRule}
}`);

  it('a missing or empty required field skips the buyer', () => {
    const r = new Router(plan(), { store: new TestStore(), trace: true });
    const missing = r.route(lead({ tags: ['x'] }), { now: NOW });
    expect(missing.buyers[0]!.name).toBe('Standard');
    expect(messages(missing)).toContain('Premium skipped: missing trustedform_url');
    expect(missing.trace[1]).toMatchObject({ code: 'MissingField', buyer: 'Premium' });
    expect(messages(r.route(lead({ trustedform_url: '  ', tags: ['x'] }), { now: NOW }))).toContain('Premium skipped: missing trustedform_url');
    expect(messages(r.route(lead({ trustedform_url: 'https://cert/1', tags: [] }), { now: NOW }))).toContain('Premium skipped: missing tags');
    expect(r.route(lead({ trustedform_url: 'https://cert/1', tags: ['x'] }), { now: NOW }).buyers[0]!.name).toBe('Premium');
  });

  it('the unrouted reason names the field', () => {
    const d = new Router(plan(''), { store: new TestStore() }).route(lead(), { now: NOW });
    expect(d.reason).toBe('no buyer could take the lead (Premium: missing trustedform_url)');
  });
});

describe('dedupe', () => {
  const plan = (standardDedupe = '') =>
    planOf(`
buyer Premium { price $45  dedupe email, phone within 30d }
buyer Standard { price $20  ${standardDedupe} }
flow main {
  route Premium
  route Standard
}`);

  it('the same email is not sold to the buyer twice within the window (case ignored)', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store, trace: true });
    expect(r.route(lead({ email: 'Jane@Example.com' }), { now: NOW }).buyers[0]!.name).toBe('Premium');
    const again = r.route(lead({ email: 'jane@EXAMPLE.com' }), { now: NOW + DAY });
    expect(again.buyers[0]!.name).toBe('Standard');
    expect(messages(again)).toContain('Premium skipped: duplicate (email sold to Premium within 30d)');
    expect(again.trace[1]).toMatchObject({ code: 'Duplicate', buyer: 'Premium' });
    // After the window it may be sold again.
    expect(r.route(lead({ email: 'jane@example.com' }), { now: NOW + 30 * DAY + 1 }).buyers[0]!.name).toBe('Premium');
  });

  it('phones compare by their last 10 digits', () => {
    const r = new Router(plan(), { store: new TestStore(), trace: true });
    expect(r.route(lead({ phone: '+1 (555) 123-4567' }), { now: NOW }).buyers[0]!.name).toBe('Premium');
    const d = r.route(lead({ phone: '555.123.4567' }), { now: NOW + HOUR });
    expect(messages(d)).toContain('Premium skipped: duplicate (phone sold to Premium within 30d)');
    expect(r.route(lead({ phone: '555.123.4568' }), { now: NOW + HOUR }).buyers[0]!.name).toBe('Premium');
  });

  it('keys are sha256 of buyer, field and normalised value (no PII stored), put only on a sale', () => {
    const store = new TestStore();
    const r = new Router(plan(), { store });
    r.route(lead({ email: 'A@B.co', phone: '5551234567' }), { now: NOW });
    const k = dedupeKey('Premium', 'email', 'a@b.co');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(store.keys.get(k)).toBe(NOW + 30 * DAY);
    expect(store.keys.has(dedupeKey('Premium', 'phone', '5551234567'))).toBe(true);
    expect([...store.keys.keys()].some((key) => key.includes('a@b'))).toBe(false);
    expect(store.keys.size).toBe(2);
    expect(normaliseForDedupe(' X@Y.Z ', 'email')).toBe('x@y.z');
    expect(normaliseForDedupe('+1 555-123-4567', 'phone')).toBe('5551234567');
  });

  it('dedupe is per buyer: another buyer may buy the same email', () => {
    const r = new Router(plan('dedupe email within 1d'), { store: new TestStore() });
    expect(r.route(lead({ email: 'x@y.z' }), { now: NOW }).buyers[0]!.name).toBe('Premium');
    expect(r.route(lead({ email: 'x@y.z' }), { now: NOW }).buyers[0]!.name).toBe('Standard');
    expect(r.route(lead({ email: 'x@y.z' }), { now: NOW }).status).toBe('unrouted');
  });
});

describe('consent recency', () => {
  it('`age(consented_at) <= 5m` in accepts refuses stale consent', () => {
    const plan = planOf(`
buyer Premium { accepts age(consented_at) <= 5m }
flow main { route Premium }`);
    const r = new Router(plan, { store: new TestStore(), trace: true });
    expect(r.route(lead({ consented_at: '2026-03-10T14:56:00Z' }), { now: NOW }).status).toBe('routed');
    expect(r.route(lead({ consented_at: '2026-03-10T14:55:00Z' }), { now: NOW }).status).toBe('routed');
    const stale = r.route(lead({ consented_at: '2026-03-10T14:54:59Z' }), { now: NOW });
    expect(stale.status).toBe('unrouted');
    expect(messages(stale)).toContain('Premium skipped: accepts `age(consented_at) <= 5m` is false (consented_at = 2026-03-10T14:54:59Z)');
    expect(r.route(lead(), { now: NOW }).status).toBe('unrouted'); // no consent time at all
  });
});
