// The plan verifier: finite numbers, expression limits, and its place in loadPlan and compile.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { MAX_EXPR_DEPTH, MAX_EXPR_NODES } from '../../src/core/limits.js';
import { PlanError, type PlanExpr } from '../../src/plan/index.js';
import { verifyPlan, type Plan, type PlanAction } from '../../src/models/plan.js';
import { loadPlan } from '../../src/runtime/index.js';
import { buyer, cmp, f, lit, makePlan, route, rule } from '../runtime/helpers.js';

const plain = (): Plan => makePlan({ buyers: [buyer('P', { price: 10 })], rules: [rule('main#0', route('P'), cmp('>=', f('credit_score'), lit(700)))] });

function loadError(json: unknown): PlanError {
  try {
    loadPlan(json);
  } catch (e) {
    expect(e).toBeInstanceOf(PlanError);
    return e as PlanError;
  }
  throw new Error('the plan loaded');
}

/** `not not … x`, `depth` operators deep, built without recursion. */
function deepNot(depth: number): PlanExpr {
  let e: PlanExpr = cmp('>=', f('credit_score'), lit(700));
  for (let i = 0; i < depth; i++) e = { op: 'not', arg: e };
  return e;
}

describe('verifyPlan', () => {
  it('accepts a valid plan, and what the compiler emits', () => {
    expect(verifyPlan(plain())).toEqual([]);
    const { plan } = compile('lead { state: state }\nbuyer B { price $5 }\nflow main { route B }\n');
    expect(plan).not.toBeNull();
    expect(verifyPlan(plan)).toEqual([]);
  });

  it('rejects a number that JSON.parse turned into Infinity (1e999), naming where', () => {
    const text = JSON.stringify(plain()).replace('"price":{"op":"lit","value":10}', '"price":{"op":"lit","value":1e999}');
    expect(text).toContain('1e999');
    const problems = loadError(JSON.parse(text)).problems;
    expect(problems).toEqual([{ path: '/buyers/0/price/value', message: 'must be a finite number, not Infinity' }]);
  });

  it('rejects Infinity and NaN anywhere in a plan object: caps, literals, weights', () => {
    const p = plain();
    p.buyers[0]!.caps = [{ measure: 'dollars', limit: Infinity, unit: 'hour' }];
    p.buyers[0]!.relationship = NaN;
    p.flows[0]!.rules[0]!.when = cmp('>=', f('credit_score'), lit(-Infinity));
    expect(verifyPlan(p)).toEqual([
      { path: '/buyers/0/caps/0/limit', message: 'must be a finite number, not Infinity' },
      { path: '/buyers/0/relationship', message: 'must be a finite number, not NaN' },
      { path: '/flows/0/rules/0/when/right/value', message: 'must be a finite number, not -Infinity' },
    ]);
  });

  it('a 100,000-level expression is a PlanError naming the depth limit, not a RangeError', () => {
    const p = plain();
    p.flows[0]!.rules[0]!.when = deepNot(100_000);
    const err = loadError(p);
    expect(err.problems).toEqual([
      { path: '/flows/0/rules/0/when', message: `the expression is nested more than ${MAX_EXPR_DEPTH} levels deep (the limit on expression depth)` },
    ]);
    // The same from JSON text, written out without recursion (JSON.stringify would overflow).
    const inner = JSON.stringify(cmp('>=', f('credit_score'), lit(700)));
    const text = JSON.stringify({ ...p, flows: [{ ...p.flows[0]!, rules: [{ ...p.flows[0]!.rules[0]!, when: null }] }] })
      .replace('"when":null', `"when":${'{"op":"not","arg":'.repeat(100_000)}${inner}${'}'.repeat(100_000)}`);
    expect(loadError(JSON.parse(text)).problems.map((x) => x.message)).toEqual([expect.stringContaining('the limit on expression depth')]);
  });

  it('the depth limit is exact: MAX_EXPR_DEPTH levels load, one more does not', () => {
    const p = plain();
    // deepNot(n) is n + 1 levels deep: n `not`s over one comparison.
    p.flows[0]!.rules[0]!.when = deepNot(MAX_EXPR_DEPTH - 1);
    expect(verifyPlan(p)).toEqual([]);
    p.flows[0]!.rules[0]!.when = deepNot(MAX_EXPR_DEPTH);
    expect(verifyPlan(p).map((x) => x.message)).toEqual([expect.stringContaining('the limit on expression depth')]);
  });

  it('an expression of more than MAX_EXPR_NODES nodes is refused, naming the size limit', () => {
    const p = plain();
    const items = Array.from({ length: MAX_EXPR_NODES }, (_, i) => lit(String(i)));
    p.flows[0]!.rules[0]!.when = { op: 'in', value: f('state'), list: { op: 'list', items }, negated: false };
    expect(verifyPlan(p)).toEqual([{ path: '/flows/0/rules/0/when', message: `the expression has more than ${MAX_EXPR_NODES} nodes (the limit on expression size)` }]);
    items.length = MAX_EXPR_NODES - 3; // in + list + field + the items
    expect(verifyPlan(p)).toEqual([]);
  });

  it('a value nested deeper than any plan is refused without recursion', () => {
    const p = plain() as unknown as { lead: { schema: Record<string, unknown> } };
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = [deep];
    p.lead.schema = { type: 'object', 'x-deep': deep };
    expect(verifyPlan(p)[0]!.message).toMatch(/is nested more than \d+ levels deep/);
  });
});

describe('verifyPlan resolves the names an action refers to, from its schema', () => {
  // Every kind, with every buyer and flow reference it has unknown: the
  // verifier finds them by the BuyerName/FlowName marks in the models' schemas.
  const everyKind: PlanAction[] = [
    { kind: 'route', buyer: 'x1', caps: [], overflow: 'x2' },
    { kind: 'split', entries: [{ buyer: 'x3', weight: 100 }], mode: 'random', performance: null },
    { kind: 'waterfall', tiers: [{ buyer: 'x4', when: null, whenText: null }] },
    { kind: 'share', max: 1, entries: [{ buyer: 'x5', price: null }] },
    { kind: 'flow', flow: 'y1' },
    { kind: 'reject', reason: 'x' },
    { kind: 'rank', buyers: ['P', 'x6'], factors: [], min: null, top: 1, windowMs: 0 },
    { kind: 'specialize', specialists: [{ buyer: 'x7', when: null, whenText: null, premium: { kind: 'percent', amount: 1 } }], fallback: { kind: 'flow', flow: 'y2' } },
    { kind: 'specialize', specialists: [{ buyer: 'P', when: null, whenText: null, premium: { kind: 'dollars', amount: 1 } }], fallback: { kind: 'buyer', buyer: 'x8' } },
    { kind: 'fallback', steps: [{ flow: 'main', rewrites: [{ field: 'state', value: lit('CA'), text: 'state = CA' }] }, { flow: 'y3', rewrites: [] }] },
    { kind: 'hybrid', primary: 'x9', secondaries: [{ buyer: 'x10', price: null }], max: 1, delayMs: 0 },
    { kind: 'auction', tiers: [{ buyers: ['P'], floor: null }, { buyers: ['x11', 'x12'], floor: lit(1) }], timeoutMs: 5, floor: null, exclusiveMin: null, shared: 1, rank: null },
  ];

  it('reports each unknown one at its path, in document order, and nothing else', () => {
    const p = makePlan({ buyers: [buyer('P', { price: 10 })], rules: everyKind.map((a, i) => rule(`main#${i}`, a, i === everyKind.length - 1 ? null : lit(true))) });
    const unknown = verifyPlan(p).map((x) => `${x.path} ${x.message.replace(/ \(.*/, '')}`);
    const at = (i: number, rest: string) => `/flows/0/rules/${i}/action/${rest}`;
    expect(unknown).toEqual([
      `${at(0, 'buyer')} unknown buyer 'x1'`,
      `${at(0, 'overflow')} unknown buyer 'x2'`,
      `${at(1, 'entries/0/buyer')} unknown buyer 'x3'`,
      `${at(2, 'tiers/0/buyer')} unknown buyer 'x4'`,
      `${at(3, 'entries/0/buyer')} unknown buyer 'x5'`,
      `${at(4, 'flow')} unknown flow 'y1'`,
      `${at(6, 'buyers/1')} unknown buyer 'x6'`,
      `${at(7, 'specialists/0/buyer')} unknown buyer 'x7'`,
      `${at(7, 'fallback/flow')} unknown flow 'y2'`,
      `${at(8, 'fallback/buyer')} unknown buyer 'x8'`,
      `${at(9, 'steps/1/flow')} unknown flow 'y3'`,
      `${at(10, 'primary')} unknown buyer 'x9'`,
      `${at(10, 'secondaries/0/buyer')} unknown buyer 'x10'`,
      `${at(11, 'tiers/1/buyers/0')} unknown buyer 'x11'`,
      `${at(11, 'tiers/1/buyers/1')} unknown buyer 'x12'`,
    ]);
  });

  it("runs a model's own plan checks: a split's weights and performance bounds", () => {
    const split = (a: Partial<Extract<PlanAction, { kind: 'split' }>>): PlanAction => ({ kind: 'split', entries: [{ buyer: 'P', weight: 0 }], ...a });
    const p = makePlan({ buyers: [buyer('P', { price: 10 })], rules: [rule('main#0', split({ mode: 'performance', performance: null }), lit(true)), rule('main#1', split({ mode: 'performance', performance: { metric: 'conversion', windowMs: 1, min: 50, max: 10 } }))] });
    expect(verifyPlan(p)).toEqual([
      { path: '/flows/0/rules/0/action/entries', message: 'split weights sum to 0' },
      { path: '/flows/0/rules/0/action/performance', message: "a 'performance' split needs its performance settings" },
      { path: '/flows/0/rules/1/action/entries', message: 'split weights sum to 0' },
      { path: '/flows/0/rules/1/action/performance', message: 'min 50% is above max 10%' },
    ]);
  });
});

describe('compile runs the verifier', () => {
  it('a plan the checker passes but the verifier refuses is an internal error, and no plan', async () => {
    // A checker gap, simulated: the emitted plan names a calendar the verifier refuses.
    const { vi } = await import('vitest');
    const emit = await import('../../src/compile/emit.js');
    const original = emit.emitPlan;
    const spy = vi.spyOn(emit, 'emitPlan');
    spy.mockImplementationOnce((input) => {
      const plan = original(input);
      plan.buyers[0]!.zone = 'Mars/Olympus';
      return plan;
    });
    const r = compile('lead { state: state }\nbuyer B { price $5 }\nflow main { route B }\n', { file: 'x.route' });
    spy.mockRestore();
    expect(r.plan).toBeNull();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        code: 'LR901',
        severity: 'error',
        message: 'internal error: the emitted plan is invalid: /buyers/0/zone: unknown time zone "Mars/Olympus"',
        span: expect.objectContaining({ file: 'x.route', line: 2, col: 1 }),
      }),
    ]);
  });
});

describe('PLAN_JSON_SCHEMA and the verifier agree', () => {
  it('the portable schema (if/then per variant) accepts and refuses what the verifier does', async () => {
    const { Ajv } = await import('ajv');
    const { PLAN_JSON_SCHEMA } = await import('../../src/models/plan.js');
    const portable = new Ajv({ strict: true, strictTypes: false, allErrors: true }).compile(PLAN_JSON_SCHEMA);
    const variants: ((p: Plan) => void)[] = [
      () => {},
      (p) => ((p.buyers[0]!.price as { op: string }).op = 'regex'),
      (p) => ((p.buyers[0] as { offHours?: unknown }).offHours = { kind: 'send' }),
      (p) => ((p.flows[0]!.rules[0]!.action as { kind: string }).kind = 'spread'),
      (p) => ((p.flows[0]!.rules[0]!.action as unknown as Record<string, unknown>).extra = 1),
      (p) => (p.lead.fields = [{ name: 'x', type: { kind: 'list', of: { kind: 'int', min: 'a' } as never }, pii: false, optional: false }]),
    ];
    for (const mutate of variants) {
      const p = plain();
      mutate(p);
      expect(portable(p)).toBe(verifyPlan(p).length === 0);
    }
  });
});
