// The rule files for each distribution model, routing concrete leads.
import { describe, expect, it } from 'vitest';
import { MONDAY_10AM_NY, routerFor, sold, traceText } from './helpers.js';

const auto = (over: Record<string, unknown>) => ({
  id: 'A1', state: 'TX', zip: '75001', credit_score: 700, monthly_income: 5000, vehicle_year: 2022,
  loan_amount: 30000, tier: 'premium', email: 'a@example.com', phone: '214-555-0100', ...over,
});

describe('rules/auto-fallback.route (fallback chain with rewrites, lead from JSON Schema)', () => {
  const r = routerFor('auto-fallback.route');
  it('a premium borrower stays in the premium flow', () => {
    const d = r.route(auto({ id: 'p', credit_score: 760 }), { now: MONDAY_10AM_NY });
    expect(sold(d)).toBe('PrimeAuto $60');
    expect(d.rewrites).toEqual({});
  });
  it('falls back to standard, marking the tier', () => {
    const d = r.route(auto({ id: 's', credit_score: 680 }), { now: MONDAY_10AM_NY });
    expect(sold(d)).toBe('CapitalDrive $38');
    expect(d.rewrites).toEqual({ tier: 'standard' });
  });
  it('trims the amount for subprime and falls through to remarketing last', () => {
    const sub = r.route(auto({ id: 'u', credit_score: 560, monthly_income: 2000, loan_amount: 45000 }), { now: MONDAY_10AM_NY });
    expect(sold(sub)).toBe('SecondChance $22');
    expect(sub.rewrites).toMatchObject({ tier: 'subprime', loan_amount: 20000 });
    const rem = r.route(auto({ id: 'r', credit_score: 420, monthly_income: 1000 }), { now: MONDAY_10AM_NY });
    expect(sold(rem)).toBe('Remarket $6');
    expect(traceText(rem)).toMatch(/auto_remarketing/);
  });
});

describe('rules/mortgage-chain.route (purchase → refinance → home equity → personal loan)', () => {
  const r = routerFor('mortgage-chain.route');
  const lead = (over: Record<string, unknown>) => ({
    id: 'M', state: 'CA', credit_score: 700, loan_amount: 300000, home_value: 500000, product: 'purchase',
    email: 'm@example.com', phone: '415-555-0101', ...over,
  });
  it('sells each lead at the first product that fits', () => {
    expect(sold(r.route(lead({ id: '1' }), { now: MONDAY_10AM_NY }))).toBe('PurchaseLender $85');
    expect(sold(r.route(lead({ id: '2', credit_score: 650 }), { now: MONDAY_10AM_NY }))).toBe('RefiLender $55');
    expect(sold(r.route(lead({ id: '3', credit_score: 600, loan_amount: 450000 }), { now: MONDAY_10AM_NY }))).toBe('HelocLender $40');
    const last = r.route(lead({ id: '4', credit_score: 590, loan_amount: 600000 }), { now: MONDAY_10AM_NY });
    expect(sold(last)).toBe('PersonalLoans $18');
    expect(last.rewrites).toMatchObject({ product: 'personal_loan', loan_amount: 50000 });
  });
});

describe('rules/scoring.route (five weighted factors, threshold)', () => {
  const r = routerFor('scoring.route');
  const lead = { id: 'S1', state: 'CA', credit_score: 740, homeowner: true, source: 'google', lead_score: 70, email: 's@example.com' };
  it('sells to the best-scoring buyer and shows every factor in the trace', () => {
    const d = r.route(lead, { now: MONDAY_10AM_NY });
    expect(sold(d)).toBe('SunPeak $48');
    expect(traceText(d)).toMatch(/SunPeak score 0\.\d+ \(price 1\.00×35%/);
    expect(traceText(d)).toMatch(/BrightRoof score/);
  });
  it('a lead outside SunPeak\'s states goes to the next best', () => {
    const d = r.route({ ...lead, id: 'S2', state: 'NY' }, { now: MONDAY_10AM_NY });
    expect(sold(d)).toBe('BrightRoof $42');
  });
});

describe('rules/expected-value.route (predicted acceptance × price)', () => {
  it('learns from outcomes: a high price with poor acceptance loses to a reliable buyer', () => {
    const r = routerFor('expected-value.route');
    const lead = (i: number) => ({ id: `E${i}`, state: 'TX', credit_score: 700, email: 'e@example.com' });
    expect(sold(r.route(lead(0), { now: MONDAY_10AM_NY }))).toBe('HighPayer $60');
    for (let i = 0; i < 40; i++) {
      r.recordOutcome(`E${i}`, 'HighPayer', 'rejected', { at: MONDAY_10AM_NY });
      r.recordOutcome(`R${i}`, 'Reliable', 'accepted', { at: MONDAY_10AM_NY });
    }
    // The outcomes need sales to be rates: sell to Reliable through a fresh route history.
    const d = r.route(lead(99), { now: MONDAY_10AM_NY + 60_000 });
    expect(['Reliable $45', 'Steady $35']).toContain(sold(d));
  });
});

describe('rules/specialization.route (specialists with premiums, general fallback)', () => {
  const r = routerFor('specialization.route');
  const lead = (over: Record<string, unknown>) => ({
    id: 'X', state: 'FL', credit_score: 700, income: 60000, language: 'en', military_service: false, email: 'x@example.com', ...over,
  });
  it('prices specialists with their premium', () => {
    expect(sold(r.route(lead({ id: '1', credit_score: 550 }), { now: MONDAY_10AM_NY }))).toBe('RiskPartners $36');
    expect(sold(r.route(lead({ id: '2', language: 'es' }), { now: MONDAY_10AM_NY }))).toBe('HablaLeads $33');
    expect(sold(r.route(lead({ id: '3', income: 150000, credit_score: 800 }), { now: MONDAY_10AM_NY }))).toBe('EliteFinance $45');
  });
  it('falls back to the general pool', () => {
    expect(sold(r.route(lead({ id: '4' }), { now: MONDAY_10AM_NY }))).toMatch(/^GeneralPool[AB] \$2\d$/);
  });
});

describe('rules/fair-distribution.route (fair round-robin)', () => {
  it('is within one lead of 50/30/20 at every prefix', () => {
    const r = routerFor('fair-distribution.route', { trace: false });
    const counts: Record<string, number> = { Alpha: 0, Beta: 0, Gamma: 0 };
    const target: Record<string, number> = { Alpha: 0.5, Beta: 0.3, Gamma: 0.2 };
    for (let n = 1; n <= 2000; n++) {
      const d = r.route({ id: `F${n}`, state: 'OH', email: 'f@example.com' }, { now: MONDAY_10AM_NY });
      counts[d.buyers[0]!.name]!++;
      for (const b of Object.keys(counts)) expect(Math.abs(counts[b]! - target[b]! * n)).toBeLessThanOrEqual(1);
    }
  });
});

describe('rules/performance-split.route (shares follow conversion)', () => {
  it('sends more leads to the converting buyer, within 10%..50%', () => {
    const r = routerFor('performance-split.route', { trace: false });
    const lead = (i: number) => ({ id: `P${i}`, state: 'OH', email: 'p@example.com' });
    for (let i = 0; i < 400; i++) {
      const d = r.route(lead(i), { now: MONDAY_10AM_NY });
      const b = d.buyers[0]!.name;
      if (b === 'Alpha') r.recordOutcome(d.leadId, b, 'converted', { at: MONDAY_10AM_NY });
    }
    const counts: Record<string, number> = {};
    for (let i = 1000; i < 3000; i++) {
      const b = r.route(lead(i), { now: MONDAY_10AM_NY + 3_600_000 }).buyers[0]!.name;
      counts[b] = (counts[b] ?? 0) + 1;
    }
    expect(counts.Alpha! / 2000).toBeGreaterThan(0.4);
    expect(counts.Alpha! / 2000).toBeLessThanOrEqual(0.53);
    for (const b of ['Beta', 'Gamma', 'Delta']) expect(counts[b]! / 2000).toBeGreaterThan(0.08);
  });
});

describe('rules/hybrid.route (exclusive primary, then shared after a delay)', () => {
  const r = routerFor('hybrid.route');
  it('sells exclusively when the primary takes the lead', () => {
    const d = r.route({ id: 'H1', state: 'CA', credit_score: 720, email: 'h@example.com' }, { now: MONDAY_10AM_NY });
    expect(sold(d)).toBe('ExclusiveCo $70');
    expect(d.exclusive).toBe(true);
  });
  it('shares with two secondaries ten minutes later otherwise', () => {
    const d = r.route({ id: 'H2', state: 'CA', credit_score: 600, email: 'h@example.com' }, { now: MONDAY_10AM_NY });
    expect(sold(d)).toBe('ShareOne $25, ShareTwo $22');
    expect(d.exclusive).toBe(false);
    expect(d.buyers[0]!.deliverAt).toBe(new Date(MONDAY_10AM_NY + 600_000).toISOString());
  });
});

describe('rules/business-hours.route (zones, holidays, off-hours actions)', () => {
  const r = routerFor('business-hours.route');
  const east = { id: 'B1', state: 'NY', email: 'b@example.com' };
  it('is open at 09:00 local and holds at 08:59 until opening', () => {
    expect(sold(r.route(east, { now: Date.parse('2026-11-23T14:00:00Z') }))).toBe('EastTeam $40');
    const held = r.route({ ...east, id: 'B2' }, { now: Date.parse('2026-11-23T13:59:00Z') });
    expect(held.status).toBe('held');
    expect(held.holdUntil).toBe('2026-11-23T14:00:00.000Z');
  });
  it('is closed on Thanksgiving, and the West team sends to the overnight queue', () => {
    const thanksgiving = Date.parse('2026-11-26T16:00:00Z');
    const held = r.route({ ...east, id: 'B3' }, { now: thanksgiving });
    expect(held.status).toBe('held');
    expect(traceText(held)).toMatch(/Thanksgiving/);
    expect(sold(r.route({ id: 'B4', state: 'CA', email: 'b@example.com' }, { now: thanksgiving }))).toBe('OvernightQueue $12');
  });
});

describe('rules/geography.route (radius, ZIP3, time zone by ZIP)', () => {
  const r = routerFor('geography.route');
  const lead = (zip: string, state: string) => ({ id: zip, state, zip, email: 'g@example.com' });
  it('routes by distance, zip3, zone and state', () => {
    expect(sold(r.route(lead('94301', 'CA'), { now: MONDAY_10AM_NY }))).toBe('BayAreaSolar $55'); // Palo Alto, ~30 mi
    expect(sold(r.route(lead('90012', 'CA'), { now: MONDAY_10AM_NY }))).toBe('SoCalSun $45');
    expect(sold(r.route(lead('97201', 'OR'), { now: MONDAY_10AM_NY }))).toBe('PacificTime $30');
    expect(sold(r.route(lead('10001', 'NY'), { now: MONDAY_10AM_NY }))).toBe('Nationwide $15');
    expect(sold(r.route(lead('96813', 'HI'), { now: MONDAY_10AM_NY }))).toBe('unrouted');
  });
});

describe('rules/quality-gates.route (consent recency, required fields, duplicates)', () => {
  const r = routerFor('quality-gates.route');
  const base = {
    state: 'TX', consented_at: new Date(MONDAY_10AM_NY - 60_000).toISOString(),
    trustedform_url: 'https://cert.example/abc', jornaya_id: 'J-1', email: 'Pat@Example.com', phone: '(214) 555-0199',
  };
  it('takes a fresh, complete lead once; the duplicate goes to the lenient buyer', () => {
    expect(sold(r.route({ ...base, id: 'Q1' }, { now: MONDAY_10AM_NY }))).toBe('StrictBuyer $50');
    const dup = r.route({ ...base, id: 'Q2', email: 'PAT@example.com' }, { now: MONDAY_10AM_NY + 1000 });
    expect(sold(dup)).toBe('LenientBuyer $20');
    expect(traceText(dup)).toMatch(/duplicate/);
  });
  it('stale consent or a missing certificate skips the strict buyer', () => {
    const stale = r.route({ ...base, id: 'Q3', email: 'q3@example.com', phone: '214-555-0103', consented_at: new Date(MONDAY_10AM_NY - 600_000).toISOString() }, { now: MONDAY_10AM_NY });
    expect(sold(stale)).toBe('LenientBuyer $20');
    const { trustedform_url: _, ...noCert } = base;
    const missing = r.route({ ...noCert, id: 'Q4', email: 'q4@example.com', phone: '214-555-0104' }, { now: MONDAY_10AM_NY });
    expect(sold(missing)).toBe('LenientBuyer $20');
    expect(traceText(missing)).toMatch(/missing trustedform_url/);
  });
});
