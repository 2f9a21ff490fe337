import { describe, it, expect } from 'vitest';
import { leadRandom, loadPlan, Router, splitDraw, type Decision } from '../../src/runtime/index.js';
import { MemoryStore } from '../../src/adapters/index.js';
import type { Plan } from '../../src/models/plan.js';
import { planOf } from '../helpers/lang.js';
import { buyer, lead, leadsCap, makePlan, route, rule } from './helpers.js';

const NOW = '2026-03-10T15:00:00Z'; // Tuesday 11:00 in New York
const SAT = '2026-03-14T15:15:00Z'; // Saturday 11:15 in New York

const NY_BUSINESS = 'hours Mon-Fri 09:00-18:00 "America/New_York"';

/** Premium's clauses besides its filter and price; by default those of REFERENCE.md. */
const PREMIUM = { caps: 'cap 100/h', hours: NY_BUSINESS };

const buyers = (premium = PREMIUM) => `
buyer Premium {
  accepts state in [CA, TX, FL] and credit_score >= 700
  price $45
  ${premium.caps}
  ${premium.hours}
  overflow Standard
}
buyer Standard { price $20 }`;

/** The canonical example of REFERENCE.md; the rule `when random <= 60 …` is on line 2. */
function solarPlan(premium = PREMIUM, ruleCap = 'cap 100/h'): Plan {
  return planOf(`flow solar {
  when random <= 60 route Premium ${ruleCap} overflow Standard
  otherwise route Standard
}
${buyers(premium)}`);
}

/** A lead id whose random number satisfies `pred` for seed 0. */
function idWith(pred: (r: number) => boolean, prefix = 'L'): string {
  for (let i = 0; ; i++) if (pred(leadRandom(0, `${prefix}${i}`))) return `${prefix}${i}`;
}

const messages = (d: Decision) => d.trace.map((e) => e.message);

describe('route', () => {
  it('routes a lead that matches the first rule to Premium', () => {
    const r = new Router(solarPlan());
    const id = idWith((x) => x <= 60);
    const d = r.route({ id, state: 'CA', credit_score: 720 }, { now: NOW });
    expect(d).toEqual({
      leadId: id,
      flow: 'solar',
      status: 'routed',
      buyers: [{ name: 'Premium', price: 45 }],
      exclusive: true,
      price: 45,
      rule: { id: 'solar#0', text: 'when random <= 60 route Premium cap 100/h overflow Standard', line: 2 },
      reason: null,
      errors: [],
      random: leadRandom(0, id),
      at: '2026-03-10T15:00:00.000Z',
      trace: [],
      holdUntil: null,
      auction: null,
      rewrites: {},
    });
  });

  it('a lead the first rule does not match goes to the otherwise rule', () => {
    const r = new Router(solarPlan());
    const d = r.route({ id: idWith((x) => x > 60), state: 'CA', credit_score: 720 }, { now: NOW });
    expect(d.buyers).toEqual([{ name: 'Standard', price: 20 }]);
    expect(d.rule?.id).toBe('solar#1');
  });

  it('falls through when the matching rule cannot place the lead (filter)', () => {
    const r = new Router(solarPlan(), { trace: true });
    const id = idWith((x) => x <= 60);
    const d = r.route({ id, state: 'NY', credit_score: 720 }, { now: NOW });
    expect(d.buyers[0]!.name).toBe('Standard');
    expect(d.rule?.id).toBe('solar#1');
    expect(messages(d)).toEqual([
      `rule 'when random <= 60 route Premium cap 100/h overflow Standard' matched (random = ${d.random})`,
      'Premium skipped: accepts `state in [CA, TX, FL]` is false (state = NY)',
      "rule 'when random <= 60 route Premium cap 100/h overflow Standard' could not place the lead; trying the next rule",
      "rule 'otherwise route Standard' matched",
      'Standard takes the lead at $20.00',
    ]);
    expect(d.trace.map((e) => e.code)).toEqual(['RuleMatched', 'FilterFailed', 'RuleUnplaced', 'RuleMatched', 'Taken']);
    expect(d.trace[1]).toMatchObject({ buyer: 'Premium', rule: 'solar#0' });
  });

  it('overflow is for capacity only: closed or filtered buyers do not overflow', () => {
    const plan = planOf(`${buyers()}\nflow main { route Premium }`);
    const r = new Router(plan, { trace: true });
    const closed = r.route(lead(), { now: SAT });
    expect(closed.status).toBe('unrouted');
    expect(messages(closed)).toContain('Premium closed: outside Mon-Fri 09:00-18:00 America/New_York (it is Sat 11:15 there)');
    expect(closed.reason).toBe('no buyer could take the lead (Premium: closed)');
    const filtered = r.route(lead({ credit_score: 650 }), { now: NOW });
    expect(filtered.status).toBe('unrouted');
    expect(messages(filtered)).toContain('Premium skipped: accepts `credit_score >= 700` is false (credit_score = 650)');
    expect(filtered.reason).toBe('no buyer could take the lead (Premium: accepts `credit_score >= 700` is false)');
  });

  it('a capped buyer overflows along the chain, each target using its own overflow', () => {
    const plan = planOf(`
buyer A { price $3  cap 1/h  overflow B }
buyer B { price $2  cap 1/h  overflow C }
buyer C { price $1 }
flow main { route A }`);
    const r = new Router(plan, { trace: true });
    const ds = [1, 2, 3, 4].map(() => r.route(lead(), { now: NOW }));
    expect(ds.map((d) => d.buyers[0]!.name)).toEqual(['A', 'B', 'C', 'C']);
    expect(messages(ds[2]!)).toEqual([
      "rule 'route A' matched",
      'A skipped: cap 1/hour reached',
      'A capped, overflow to B',
      'B skipped: cap 1/hour reached',
      'B capped, overflow to C',
      'C takes the lead at $1.00',
    ]);
  });

  it('the overflow target must itself be able to take the lead', () => {
    const plan = planOf('buyer A { cap 1/h  overflow B }  buyer B { accepts state == TX }  flow main { route A }');
    const r = new Router(plan);
    r.route(lead(), { now: NOW });
    const d = r.route(lead({ state: 'CA' }), { now: NOW });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('no buyer could take the lead (A: cap 1/hour reached; B: accepts `state == TX` is false)');
  });

  it('survives an overflow cycle at runtime', () => {
    // Hand-built: the checker refuses an overflow cycle (LR404), so only a plan file can hold one.
    const plan = makePlan({
      buyers: [buyer('A', { caps: [leadsCap(1, 'hour')], overflow: 'B' }), buyer('B', { caps: [leadsCap(1, 'hour')], overflow: 'A' })],
      rules: [rule('main#0', route('A'))],
    });
    const r = new Router(plan, { trace: true });
    expect(r.route(lead(), { now: NOW }).buyers[0]!.name).toBe('A');
    expect(r.route(lead(), { now: NOW }).buyers[0]!.name).toBe('B');
    const d = r.route(lead(), { now: NOW });
    expect(d.status).toBe('unrouted');
    expect(messages(d)).toContain('A was already offered the lead; the overflow chain stops');
  });

  it('uses a price expression, rounded to cents', () => {
    const plan = planOf('buyer P { price $20 + (credit_score - 600) / 30 }  flow main { route P }');
    const d = new Router(plan).route(lead({ credit_score: 700 }), { now: NOW });
    expect(d.price).toBe(23.33);
    expect(d.buyers).toEqual([{ name: 'P', price: 23.33 }]);
  });
});

describe('first match', () => {
  it('rules are tried top to bottom; a false condition is skipped', () => {
    const plan = planOf(`
buyer A {}  buyer B {}  buyer C {}
flow main {
  when credit_score >= 800 route A
  when credit_score >= 700 route B
  route C
}`);
    const r = new Router(plan, { trace: true });
    expect(r.route(lead({ credit_score: 820 }), { now: NOW }).buyers[0]!.name).toBe('A');
    expect(r.route(lead({ credit_score: 810 }), { now: NOW }).rule?.id).toBe('main#0');
    const d = r.route(lead({ credit_score: 720 }), { now: NOW });
    expect(d.buyers[0]!.name).toBe('B');
    expect(messages(d)[0]).toBe("rule 'when credit_score >= 800 route A' skipped: condition is false (credit_score = 720)");
    expect(r.route(lead({ credit_score: 600 }), { now: NOW }).buyers[0]!.name).toBe('C');
  });

  it('no rule matching: unrouted', () => {
    const plan = planOf('buyer A {}  flow main { when credit_score > 800 route A }');
    const d = new Router(plan, { trace: true }).route(lead(), { now: NOW });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe("no rule in flow 'main' matched the lead");
    expect(d.exclusive).toBe(false);
    expect(d.trace.at(-1)).toEqual({ code: 'NoRulePlaced', message: "no rule in flow 'main' placed the lead" });
  });
});

describe('split', () => {
  const splitPlan = (entries: string, a = '') => planOf(`buyer A { ${a} }  buyer B {}  buyer C {}  flow main { split { ${entries} } }`);

  it('picks the entry by the split draw over cumulative weights, in declared order', () => {
    const r = new Router(splitPlan('A 60%, B 30%, C 10%'), { trace: true });
    for (let i = 0; i < 50; i++) {
      const id = `s${i}`;
      const d = r.route(lead({ id }), { now: NOW });
      const draw = splitDraw(0, id, 'main#0');
      expect(d.buyers[0]!.name).toBe(draw < 60 ? 'A' : draw < 90 ? 'B' : 'C');
      expect(d.trace.find((e) => e.code === 'SplitDraw')!.message).toBe(
        `split draw ${draw.toFixed(2)} picks ${d.buyers[0]!.name} (${{ A: 60, B: 30, C: 10 }[d.buyers[0]!.name]}%)`,
      );
    }
  });

  it('spreads 10,000 leads by weight, independently of random', () => {
    const plan = planOf(`
buyer A {}  buyer B {}  buyer C {}  buyer Z {}
flow main {
  when random <= 50 split { A 60%, B 30%, C 10% }
  otherwise route Z
}`);
    const r = new Router(plan);
    const counts: Record<string, number> = { A: 0, B: 0, C: 0, Z: 0 };
    for (let i = 0; i < 10_000; i++) counts[r.route(lead({ id: `k${i}` }), { now: NOW }).buyers[0]!.name]!++;
    const inSplit = counts.A! + counts.B! + counts.C!;
    expect(Math.abs(inSplit / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(counts.A! / inSplit - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts.B! / inSplit - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts.C! / inSplit - 0.1)).toBeLessThan(0.02);
  });

  it('when the drawn buyer cannot take it, the others are tried heaviest first', () => {
    const r = new Router(splitPlan('C 10%, A 60%, B 30%', NY_BUSINESS), { trace: true });
    const id = [...Array(1000).keys()].map((i) => `w${i}`).find((x) => {
      const d = splitDraw(0, x, 'main#0');
      return d >= 10 && d < 70; // draws A
    })!;
    const d = r.route(lead({ id }), { now: SAT });
    expect(d.buyers[0]!.name).toBe('B');
    expect(messages(d)).toContain('A cannot take the lead; trying the others, heaviest first: B, C');
  });
});

describe('waterfall', () => {
  const plan = () =>
    planOf(`
buyer Gold { price $30  cap 1/h }
buyer Silver { price $20 }
buyer Bronze { price $10 }
flow main { waterfall { Gold when lead_score >= 80; Silver when lead_score >= 50; Bronze } }`);

  it('gives the lead to the first tier that holds and can take it', () => {
    const r = new Router(plan(), { trace: true });
    expect(r.route(lead({ lead_score: 90 }), { now: NOW }).buyers).toEqual([{ name: 'Gold', price: 30 }]);
    const capped = r.route(lead({ lead_score: 90 }), { now: NOW });
    expect(capped.buyers).toEqual([{ name: 'Silver', price: 20 }]);
    expect(messages(capped)).toContain('Gold skipped: cap 1/hour reached');
    const low = r.route(lead({ lead_score: 20 }), { now: NOW });
    expect(low.buyers[0]!.name).toBe('Bronze');
    expect(messages(low)).toContain('tier Gold skipped: `lead_score >= 80` is false (lead_score = 20)');
    const missing = r.route(lead(), { now: NOW });
    expect(missing.buyers[0]!.name).toBe('Bronze');
    expect(messages(missing)).toContain('tier Silver skipped: `lead_score >= 50` is false (lead_score is missing)');
  });
});

describe('share', () => {
  const plan = (max: number) =>
    planOf(`
buyer A { price $25 }
buyer B { accepts state == TX  price $30 }
buyer C { price $15 }
buyer D { price $12 }
flow main { share max ${max} { A, B $18, C $9.5, D } }`);

  it('sells to up to N buyers in order, each at its own or overridden price', () => {
    const d = new Router(plan(2), { trace: true }).route(lead({ state: 'CA' }), { now: NOW });
    expect(d.status).toBe('routed');
    expect(d.buyers).toEqual([
      { name: 'A', price: 25 },
      { name: 'C', price: 9.5 },
    ]);
    expect(d.price).toBe(34.5);
    expect(d.exclusive).toBe(false);
    expect(messages(d)).toContain('A takes a share of the lead at $25.00');
    expect(messages(d)).toContain('share is full (2 of max 2): D not offered');
    const tx = new Router(plan(3)).route(lead({ state: 'TX' }), { now: NOW });
    expect(tx.buyers).toEqual([
      { name: 'A', price: 25 },
      { name: 'B', price: 18 },
      { name: 'C', price: 9.5 },
    ]);
  });

  it('a share with a single taker is still not exclusive', () => {
    const d = new Router(plan(1)).route(lead(), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'A', price: 25 }]);
    expect(d.exclusive).toBe(false);
  });
});

describe('flow and reject', () => {
  /** `flow texas { route A }` is on line 7. */
  const plan = () =>
    planOf(`buyer A { accepts state == TX }  buyer B {}
flow main {
  when state == FL reject "Florida is paused"
  flow texas
  route B
}
flow texas { route A }`);

  it('a nested flow that places the lead decides it', () => {
    const d = new Router(plan(), { trace: true }).route(lead({ state: 'TX' }), { now: NOW });
    expect(d.buyers[0]!.name).toBe('A');
    expect(d.flow).toBe('main');
    expect(d.rule).toEqual({ id: 'texas#0', text: 'route A', line: 7 });
    expect(messages(d)).toContain("entering flow 'texas'");
  });

  it('a nested flow that places nothing lets routing continue after the rule', () => {
    const d = new Router(plan(), { trace: true }).route(lead({ state: 'CA' }), { now: NOW });
    expect(d.buyers[0]!.name).toBe('B');
    expect(d.rule?.id).toBe('main#2');
    expect(messages(d)).toContain("flow 'texas' placed nothing; continuing after rule 'flow texas'");
  });

  it('reject stops routing with its reason', () => {
    const d = new Router(plan(), { trace: true }).route(lead({ state: 'FL' }), { now: NOW });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('Florida is paused');
    expect(d.buyers).toEqual([]);
    expect(d.rule?.id).toBe('main#0');
    expect(d.trace.at(-1)).toMatchObject({ code: 'Rejected', message: `rule 'when state == FL reject "Florida is paused"' rejects the lead: Florida is paused` });
  });

  it('runs a named flow, guards flow cycles, and names the flows for an unknown one', () => {
    const p = plan();
    // Added by hand: the checker refuses a flow cycle (LR405), so only a plan file can hold one.
    p.flows.push({ name: 'loop', rules: [rule('loop#0', { kind: 'flow', flow: 'loop' }, null, 'flow loop')], source: p.flows[0]!.source });
    const r = new Router(p, { trace: true });
    expect(r.route(lead({ state: 'TX' }), { now: NOW, flow: 'texas' }).flow).toBe('texas');
    const d = r.route(lead(), { now: NOW, flow: 'loop' });
    expect(d.status).toBe('unrouted');
    expect(messages(d)).toContain("flow 'loop' is already running; not entered again (flow cycle)");
    expect(() => r.route(lead(), { flow: 'nope' })).toThrow("unknown flow 'nope'; the plan's flows are: main, texas, loop");
  });
});

describe('random and seeds', () => {
  it('10,000 leads under `random <= 60` split within 2 points of 60%', () => {
    const r = new Router(solarPlan({ caps: '', hours: '' }, ''));
    let premiumCount = 0;
    for (let i = 0; i < 10_000; i++) {
      const d = r.route({ id: `lead-${i}`, state: 'CA', credit_score: 720 }, { now: NOW });
      if (d.buyers[0]!.name === 'Premium') premiumCount++;
    }
    expect(Math.abs(premiumCount / 10_000 - 0.6)).toBeLessThan(0.02);
  });

  it('is reproducible, depends on the seed, and uses content for id-less leads', () => {
    const a = new Router(solarPlan(), { seed: 'abc' });
    const l = { id: 'same', state: 'CA', credit_score: 720 };
    expect(a.route(l, { now: NOW }).random).toBe(leadRandom('abc', 'same'));
    expect(a.route(l, { now: NOW, seed: 7 }).random).toBe(leadRandom(7, 'same'));
    const anon = new Router(solarPlan());
    const d1 = anon.route({ state: 'CA', credit_score: 720 }, { now: NOW });
    const d2 = anon.route({ credit_score: 720, state: 'CA' }, { now: NOW });
    expect(d1.leadId).toMatch(/^lead-[0-9a-f]{16}$/);
    expect(d2.leadId).toBe(d1.leadId);
    expect(d2.random).toBe(d1.random);
  });
});

describe('decisions', () => {
  it('a JSON round trip of the plan gives identical decisions', () => {
    const plan = solarPlan();
    const copy = JSON.parse(JSON.stringify(plan)) as unknown;
    const r1 = new Router(plan, { trace: true });
    const r2 = new Router(loadPlan(copy), { trace: true, store: new MemoryStore() });
    for (let i = 0; i < 400; i++) {
      const l = { id: `rt${i}`, state: ['CA', 'TX', 'NY'][i % 3], credit_score: 650 + (i % 150) };
      const now = Date.parse('2026-03-13T20:00:00Z') + i * 60_000; // crosses Friday 18:00 New York
      expect(r2.route(l, { now })).toEqual(r1.route(l, { now }));
    }
  });

  it('routing time: default now, Date, number and ISO string; bad time throws', () => {
    const r = new Router(solarPlan());
    const before = Date.now();
    const d = r.route(lead());
    expect(Date.parse(d.at)).toBeGreaterThanOrEqual(before);
    expect(r.route(lead(), { now: new Date(NOW) }).at).toBe('2026-03-10T15:00:00.000Z');
    expect(r.route(lead(), { now: Date.parse(NOW) }).at).toBe('2026-03-10T15:00:00.000Z');
    expect(() => r.route(lead(), { now: 'not a time' })).toThrow(/invalid routing time/);
  });

  it('with trace off the trace is empty; it can be switched on per lead', () => {
    const r = new Router(solarPlan());
    expect(r.route(lead(), { now: NOW }).trace).toEqual([]);
    expect(r.route(lead(), { now: NOW, trace: true }).trace.length).toBeGreaterThan(0);
  });

  it('the canonical example traces capacity overflow', () => {
    const r = new Router(solarPlan({ ...PREMIUM, caps: 'cap 1/h' }), { trace: true });
    const id1 = idWith((x) => x <= 60, 'a');
    const id2 = idWith((x) => x <= 60, 'b');
    expect(r.route({ id: id1, state: 'CA', credit_score: 720 }, { now: NOW }).buyers[0]!.name).toBe('Premium');
    const d = r.route({ id: id2, state: 'CA', credit_score: 720 }, { now: NOW });
    expect(d.buyers[0]!.name).toBe('Standard');
    expect(d.rule?.id).toBe('solar#0');
    expect(messages(d)).toEqual([
      `rule 'when random <= 60 route Premium cap 100/h overflow Standard' matched (random = ${d.random})`,
      'Premium skipped: cap 1/hour reached',
      'Premium capped, overflow to Standard',
      'Standard takes the lead at $20.00',
    ]);
  });

  it('dollar cap traces say how much is used', () => {
    const plan = planOf('buyer P { price $45  cap $100/day }  flow main { route P }');
    const r = new Router(plan, { trace: true });
    r.route(lead(), { now: NOW });
    r.route(lead(), { now: NOW });
    expect(messages(r.route(lead(), { now: NOW }))).toContain('P skipped: cap $100/day reached ($90.00 used, price $45.00)');
  });
});
