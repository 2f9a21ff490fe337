import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/index.js';
import { generateLeads, renderReport, simulate, usesSampleLeads } from '../../src/sim/index.js';
import { MemoryStore } from '../../src/adapters/index.js';
import { makeLeads } from '../../src/sim/sample-leads.js';
import { planOf } from '../helpers/lang.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FROM = Date.parse('2026-11-23T14:00:00Z');
const arrival = (i: number) => FROM + i * 6000;

const ruleFile = (name: string) => planOf(readFileSync(join(ROOT, 'rules', name), 'utf8'), { file: `rules/${name}` });

const EVERY_TYPE = `
lead {
  ref: string
  age: int 18..99
  ratio: number 0..1
  budget: money 100..5000
  income: money
  tier: "gold" | "silver" | "bronze"
  state: state
  zip: zip
  email: email pii
  phone: phone pii
  first_name: string pii
  full_name: string pii
  submitted: time
  tags: list string
  vip: bool
  note: string optional
}
buyer Any { price $1 }
flow main { route Any }
`;

const SPLIT = `
lead {
  id: string
  state: state
}
buyer A { price $10 }
buyer B { price $8 }
buyer C { price $5 }
flow main { split { A 60%, B 30%, C 10% } }
`;

describe('generateLeads', () => {
  it('makes valid leads for every field type, deterministically from the seed', () => {
    const p = planOf(EVERY_TYPE);
    expect(usesSampleLeads(p.lead.fields)).toBe(true); // state, zip, email, phone, first_name
    const a = [...generateLeads(p, { count: 500, seed: 7, arrival })];
    const b = [...generateLeads(p, { count: 500, seed: 7, arrival })];
    const c = [...generateLeads(p, { count: 500, seed: 8, arrival })];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const summary = simulate(loadPlan(JSON.parse(JSON.stringify(p))), a, { from: FROM });
    expect(summary.rejected).toBe(0);
    expect(summary.routed).toBe(500);
    const first = a[0]!;
    expect(first.id).toBe('L00001');
    expect(first.zip).toMatch(/^\d{5}$/);
    expect(first.state).toMatch(/^[A-Z]{2}$/);
    expect(['gold', 'silver', 'bronze']).toContain(first.tier);
    expect(first.age).toBeGreaterThanOrEqual(18);
    expect(first.age).toBeLessThanOrEqual(99);
    expect(first.email).toMatch(/@example\.(com|org|net)$/);
    expect(first.full_name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    // time fields fall within five minutes before the lead's arrival
    const t = Date.parse(first.submitted as string);
    expect(FROM - t).toBeGreaterThanOrEqual(0);
    expect(FROM - t).toBeLessThanOrEqual(300_000);
    expect(a.some((l) => !('note' in l))).toBe(true); // optional fields are sometimes left out
    expect(new Set(a.map((l) => l.id)).size).toBe(500);
  });

  it('uses the sample-lead values for the sample schema, with created_at near the simulated clock', () => {
    const p = ruleFile('solar.route');
    const leads = [...generateLeads(p, { count: 200, seed: 2026, arrival })];
    const sample = makeLeads(200, 2026);
    expect(leads.map(({ created_at: _, ...rest }) => rest)).toEqual(sample.map(({ created_at: _, ...rest }) => rest));
    expect(Date.parse(leads[100]!.created_at as string)).toBeLessThanOrEqual(arrival(100));
    expect(arrival(100) - Date.parse(leads[100]!.created_at as string)).toBeLessThanOrEqual(300_000);
  });
});

describe('simulate', () => {
  it('a 60/30/10 split over 10,000 leads lands within 2 points of target', () => {
    const p = planOf(SPLIT);
    const s = simulate(p, generateLeads(p, { count: 10_000, seed: 1, arrival }), { seed: 1, from: FROM });
    expect(s.leads).toBe(10_000);
    expect(s.buyers.map((b) => [b.name, b.target])).toEqual([
      ['A', 60],
      ['B', 30],
      ['C', 10],
    ]);
    for (const b of s.buyers) expect(Math.abs(b.share - b.target!)).toBeLessThan(2);
    expect(s.accuracy!.maxDeviation).toBeLessThan(2);
    expect(s.revenue).toBe(s.buyers.reduce((a, b) => a + b.revenue, 0));
  });

  it('targets: random ranges, splits under a field condition, no target where the plan states none', () => {
    const ranges = simulate(ruleFile('split-60-30-10.route'), generateLeads(ruleFile('split-60-30-10.route'), { count: 2000, seed: 3, arrival }));
    expect(Object.fromEntries(ranges.buyers.map((b) => [b.name, b.target]))).toEqual({
      NationalSolar: 60,
      RegionalSolar: 30,
      TrialSolar: 10,
      Aggregator: null,
    });

    const ab = ruleFile('ab-test.route');
    const s = simulate(ab, generateLeads(ab, { count: 4000, seed: 3, arrival }));
    const homeowners = s.buyers.filter((b) => b.name !== 'Aggregator').reduce((a, b) => a + b.leads, 0);
    const homeShare = (100 * homeowners) / s.entered;
    const t = Object.fromEntries(s.buyers.map((b) => [b.name, b.target]));
    expect(t.Control).toBeCloseTo(0.4 * homeShare, 6);
    expect(t.VariantXml).toBeCloseTo(0.2 * homeShare, 6);
    expect(t.Aggregator).toBeNull(); // `otherwise` after a field condition states no share

    const solar = ruleFile('solar.route');
    const so = simulate(solar, generateLeads(solar, { count: 500, seed: 3, arrival }));
    expect(Object.fromEntries(so.buyers.map((b) => [b.name, b.target]))).toEqual({ Premium: 60, Standard: 40, CatchAll: null });

    const rest = planOf(`lead { id: string }\nbuyer A { price $1 }\nbuyer B { price $1 }\nflow f {\n  when random between 1 and 25 route A\n  otherwise route B\n}\n`);
    const r = simulate(rest, generateLeads(rest, { count: 100, seed: 1, arrival }));
    expect(r.buyers.map((b) => b.target)).toEqual([25, 75]);
  });

  it('counts cap hits, skips by reason, unsold leads and their reasons', () => {
    const p = planOf(`
lead {
  id: string
  homeowner: bool
}
buyer Small {
  accepts homeowner
  price $20
  cap 5/h
}
flow f { route Small }
`);
    const s = simulate(p, generateLeads(p, { count: 600, seed: 1, arrival }), { ratePerHour: 60, from: FROM });
    const small = s.buyers[0]!;
    expect(small.leads).toBe(50); // 5 an hour for 10 hours
    expect(small.revenue).toBe(1000);
    expect(small.capHits).toBe(small.skips.CapExceeded);
    expect(small.capHits + small.leads + (small.skips.FilterFailed ?? 0)).toBe(600);
    expect(s.unrouted).toBe(550);
    expect(s.wastage.leads).toBe(550);
    expect(s.wastage.reasons[0]!.reason).toMatch(/cap 5\/hour reached|accepts/);
    expect(s.hourly).toHaveLength(10);
    expect(s.hourly[0]).toMatchObject({ hour: '2026-11-23T14:00:00.000Z', leads: 60, buyers: { Small: 5 } });
    expect(s.to).toBe('2026-11-23T23:59:00.000Z'); // lead 599 at 14:00 + 599 min
  });

  it('an auction is counted, not run: fixed-price and pinged bidders alike sell nothing, and their refusals count as skips', () => {
    const p = planOf(`
lead {
  id: string
  homeowner: bool
}
buyer A { ping "https://a.example/ping" bid price "amount" }
buyer F {
  accepts homeowner
  price $20
}
flow f { auction { A, F } }
`);
    const leads = [...generateLeads(p, { count: 200, seed: 1, arrival })];
    const renters = leads.filter((l) => (l as { homeowner: boolean }).homeowner === false).length;
    const s = simulate(p, leads, { from: FROM });
    expect(s.auction).toBe(200);
    expect(s.routed).toBe(0);
    const f = s.buyers.find((b) => b.name === 'F')!;
    expect(renters).toBeGreaterThan(0);
    expect(f).toMatchObject({ leads: 0, revenue: 0, skips: { FilterFailed: renters } });
  });

  it('runs against the store it is given', () => {
    const p = planOf(SPLIT);
    const store = new MemoryStore();
    simulate(p, generateLeads(p, { count: 10, seed: 1, arrival }), { store });
    expect(() => simulate(p, [], { flow: 'nope' })).toThrow(/no flow 'nope'/);
  });

  it('renders a self-contained HTML report with SVG charts', () => {
    const p = ruleFile('split-60-30-10.route');
    const s = simulate(p, generateLeads(p, { count: 3000, seed: 1, arrival }));
    const html = renderReport(s);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    for (const b of s.buyers) expect(html).toContain(b.name);
    expect(html).toContain('Share vs target');
    expect(html).toContain('Leads per hour');
    expect(html).toContain('Revenue by buyer');
    expect(renderReport({ ...s, file: '<b>&"x"' })).toContain('&lt;b&gt;&amp;&quot;x&quot;');
  });
});
