// The plan schema's routing-model and HTTP fields: optional, exact, carried through.
import { describe, it, expect } from 'vitest';
import { loadPlan, PlanError, Router } from '../../src/runtime/index.js';
import type { PlanBuyer } from '../../src/plan/index.js';
import type { Plan, PlanAction } from '../../src/models/plan.js';
import { buyer, cmp, f, lead, lit, makePlan, route, rule, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

function httpBuyer(): PlanBuyer {
  return {
    ...buyer('Http', {
      price: 30,
      prefers: [{ expr: cmp('==', f('source'), lit('google')), text: 'source == "google"', weight: 10 }],
      relationship: 0.8,
      holidays: ['US', 'US-CA'],
      offHours: { kind: 'send', buyer: 'Plain' },
      dedupe: { fields: ['email', 'phone'], windowMs: 2_592_000_000 },
      requires: ['email'],
    }),
    ping: {
      url: 'https://buyer.example/ping',
      timeoutMs: 300,
      fields: ['state', 'zip3'],
      template: null,
      bid: { accepted: { path: 'status', equals: 'ok' }, price: 'bid.amount', id: 'bid.id', exclusive: null, states: null, maxAge: 'bid.ttl' },
    },
    post: {
      url: 'https://buyer.example/post',
      timeoutMs: 2000,
      retries: 2,
      backoffMs: 250,
      template: { format: 'json', name: 'inline', source: '{"email":"{{email}}"}' },
      accepted: null,
    },
    backupPost: null,
    pixels: [{ url: 'https://px.example/?l={{lead.id}}', on: ['sold', 'returned'], when: null }],
    delivery: {
      delayMs: 0,
      batch: { maxCount: 100, maxWaitMs: null, format: 'csv', to: 'sftp://x/leads' },
      breaker: { failures: 5, cooldownMs: 60_000 },
    },
  };
}

const ACTIONS: PlanAction[] = [
  { kind: 'split', entries: [{ buyer: 'Plain', weight: 100 }], mode: 'fair' },
  {
    kind: 'split',
    entries: [{ buyer: 'Plain', weight: 100 }],
    mode: 'performance',
    performance: { metric: 'acceptance', windowMs: 86_400_000, min: 10, max: 90 },
  },
  { kind: 'rank', buyers: ['Plain', 'Http'], factors: [{ factor: 'price', weight: 60 }, { factor: 'expected_value', weight: 40 }], min: 0.5, top: 2, windowMs: 604_800_000 },
  {
    kind: 'specialize',
    specialists: [{ buyer: 'Http', when: null, whenText: null, premium: { kind: 'percent', amount: 10 } }],
    fallback: { kind: 'flow', flow: 'other' },
  },
  { kind: 'fallback', steps: [{ flow: 'other', rewrites: [] }, { flow: 'other', rewrites: [{ field: 'source', value: lit('x'), text: 'source = "x"' }] }] },
  { kind: 'hybrid', primary: 'Http', secondaries: [{ buyer: 'Plain', price: lit(5) }], max: 1, delayMs: 60_000 },
  { kind: 'auction', tiers: [{ buyers: ['Http'], floor: lit(20) }], timeoutMs: 250, floor: null, exclusiveMin: null, shared: 1, rank: null },
];

function fullPlan(): Plan {
  return makePlan({
    buyers: [httpBuyer(), buyer('Plain', { price: 10 })],
    flows: [
      { name: 'main', rules: structuredClone(ACTIONS).map((a, i) => rule(`main#${i}`, a, cmp('==', f('source'), lit(`s${i}`)), `when source == "s${i}" ${a.kind}`)) },
      { name: 'other', rules: [rule('other#0', route('Plain'))] },
    ],
  });
}

describe('plan schema: routing models and HTTP selling', () => {
  it('accepts every new buyer field and action; a JSON round trip loads and routes', () => {
    const json = JSON.parse(JSON.stringify(fullPlan())) as unknown;
    const loaded = loadPlan(json);
    expect(loaded.plan.buyers[0]!.ping?.url).toBe('https://buyer.example/ping');
    expect(loaded.plan.buyers[0]!.delivery?.batch?.format).toBe('csv');
    const b = loaded.buyers[0]!;
    expect(b.relationship).toBe(0.8);
    expect(b.holidays).toEqual(['US', 'US-CA']);
    expect(b.requires).toEqual(['email']);
    expect(b.dedupe?.fields.map((x) => x.norm)).toEqual(['email', 'phone']);
    const r = new Router(loaded, { store: new TestStore() });
    for (let i = 0; i < ACTIONS.length; i++) {
      const d = r.route(lead({ source: `s${i}`, email: `a${i}@b.co` }), { now: NOW });
      expect(['routed', 'auction']).toContain(d.status);
    }
  });

  it('the new fields are optional: a plan without them loads with the defaults', () => {
    const loaded = loadPlan(makePlan({ buyers: [buyer('P')], rules: [rule('main#0', route('P'))] }));
    const b = loaded.buyers[0]!;
    expect(b).toMatchObject({ prefers: [], relationship: 0.5, holidays: [], requires: [], dedupe: null, offHours: 0 });
    expect(b.refusals).toHaveLength(1); // no requires, dedupe or holidays to check: only the price and caps step
    expect(loaded.usesMetrics).toBe(false);
  });

  const broken = (mutate: (p: Plan) => void): string => {
    const p = fullPlan();
    mutate(p);
    try {
      loadPlan(JSON.parse(JSON.stringify(p)));
    } catch (e) {
      expect(e).toBeInstanceOf(PlanError);
      return (e as Error).message;
    }
    throw new Error('plan loaded');
  };

  it('rejects malformed shapes by JSON path', () => {
    expect(broken((p) => ((p.buyers[0] as unknown as Record<string, unknown>).relationship = 2))).toContain('/buyers/0/relationship: must be <= 1');
    expect(broken((p) => (p.buyers[0]!.offHours = { kind: 'send' } as never))).toContain("/buyers/0/offHours: must have required property 'buyer'");
    expect(broken((p) => (p.buyers[0]!.offHours = { kind: 'later' } as never))).toContain('/buyers/0/offHours/kind: must be one of "skip", "hold", "send"');
    expect(broken((p) => (p.buyers[0]!.dedupe = { fields: [], windowMs: 1 }))).toContain('/buyers/0/dedupe/fields: must NOT have fewer than 1 items');
    expect(broken((p) => (p.buyers[0]!.ping!.timeoutMs = 0))).toContain('/buyers/0/ping/timeoutMs: must be > 0');
    expect(broken((p) => ((p.buyers[0]!.post as unknown as Record<string, unknown>).extra = 1))).toContain("/buyers/0/post: has unexpected property 'extra'");
    expect(broken((p) => (p.buyers[0]!.pixels![0]!.on = ['opened' as never]))).toContain('/buyers/0/pixels/0/on/0: must be one of');
    expect(broken((p) => ((p.flows[0]!.rules[2]!.action as { top: number }).top = 0))).toContain('/flows/0/rules/2/action/top: must be >= 1');
    expect(broken((p) => ((p.flows[0]!.rules[1]!.action as { mode: string }).mode = 'best'))).toContain('/flows/0/rules/1/action/mode: must be one of "random", "fair", "performance"');
    expect(broken((p) => ((p.flows[0]!.rules[6]!.action as { tiers: unknown[] }).tiers = []))).toContain('/flows/0/rules/6/action/tiers: must NOT have fewer than 1 items');
  });

  it('rejects names that do not resolve and inconsistent settings', () => {
    expect(broken((p) => (p.buyers[0]!.offHours = { kind: 'send', buyer: 'Nobody' }))).toContain("/buyers/0/offHours/buyer: unknown buyer 'Nobody'");
    expect(broken((p) => ((p.flows[0]!.rules[2]!.action as { buyers: string[] }).buyers = ['Ghost']))).toContain("/flows/0/rules/2/action/buyers/0: unknown buyer 'Ghost'");
    expect(broken((p) => ((p.flows[0]!.rules[4]!.action as { steps: { flow: string }[] }).steps[1]!.flow = 'nowhere'))).toContain(
      "/flows/0/rules/4/action/steps/1/flow: unknown flow 'nowhere'",
    );
    expect(
      broken((p) => ((p.flows[0]!.rules[1]!.action as { performance: { min: number; max: number } }).performance = { ...((p.flows[0]!.rules[1]!.action as never as { performance: object }).performance as { min: number; max: number }), min: 60, max: 40 })),
    ).toContain('/flows/0/rules/1/action/performance: min 60% is above max 40%');
    expect(broken((p) => ((p.flows[0]!.rules[1]!.action as { performance: null }).performance = null))).toContain(
      "/flows/0/rules/1/action/performance: a 'performance' split needs its performance settings",
    );
  });

  it('a plan that reads metrics is marked so sales are recorded even without a journal', () => {
    expect(loadPlan(fullPlan()).usesMetrics).toBe(true);
  });
});
