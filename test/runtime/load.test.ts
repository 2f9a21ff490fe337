import { describe, it, expect } from 'vitest';
import { Ajv } from 'ajv';
import { loadPlan, PlanError, Router } from '../../src/runtime/index.js';
import { MODELS } from '../../src/models/index.js';
import { PLAN_JSON_SCHEMA, type Plan } from '../../src/models/plan.js';
import { planOf } from '../helpers/lang.js';
import { US_STATES } from '../../src/core/states.js';
import { buyer, call, f, lead, NY_BUSINESS } from './helpers.js';

/** A plan that uses every kind of action and expression. */
const FULL = `
buyer Premium {
  accepts state in [CA, TX, FL] and credit_score >= 700
  price $20 + (credit_score - 600) / 10
  cap 100/hour, 1000/day, $5000/day
  hours Mon-Fri 09:00-18:00 "America/New_York"
  overflow Standard
}
buyer Standard { price $20 }
buyer Budget {
  price $5
  accepts not exists(lead_score) or lead_score between 10 and 90
}
flow solar {
  when lower(state) == "zz" reject "test lead"
  when random <= 60 route Premium cap 100/hour overflow Standard
  when random <= 80 split { Standard 70%, Budget 30% }
  when random <= 90 waterfall { Premium when lead_score >= 80; Standard }
  when random <= 95 share max 2 { Standard $18, Budget }
  otherwise flow backup
}
flow backup { route Budget }
`;
const fullPlan = (): Plan => planOf(FULL);

// The error paths below break a compiled plan by hand: the compiler never emits
// an invalid plan, and loadPlan's own checks are what they test.
function problemsOf(json: unknown): string {
  try {
    loadPlan(json);
  } catch (e) {
    expect(e).toBeInstanceOf(PlanError);
    return (e as PlanError).message;
  }
  throw new Error('expected loadPlan to throw');
}

describe('PLAN_JSON_SCHEMA', () => {
  it('is a valid draft-07 schema that accepts a full plan', () => {
    const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
    const v = ajv.compile(PLAN_JSON_SCHEMA);
    expect(v(fullPlan())).toBe(true);
    expect(v(JSON.parse(JSON.stringify(fullPlan())))).toBe(true);
  });
});

describe('loadPlan', () => {
  it('loads a full plan and compiles it', () => {
    const p = loadPlan(fullPlan());
    expect(p.buyers.map((b) => b.name)).toEqual(['Premium', 'Standard', 'Budget']);
    expect(p.flows.map((fl) => fl.name)).toEqual(['solar', 'backup']);
    expect(p.defaultFlow.name).toBe('solar');
    expect(loadPlan(p)).toBe(p);
  });

  it('rejects something that is not a plan', () => {
    expect(problemsOf(null)).toMatch(/invalid routing plan[\s\S]*\/: must be object/);
    expect(problemsOf({ leadroute: 'plan' })).toMatch(/\/: must have required property 'version'/);
  });

  it('names each malformed part by JSON path', () => {
    const p = fullPlan() as unknown as Record<string, any>;
    p.version = 2;
    p.buyers[0].caps[0].limit = 0;
    p.buyers[1].price = { op: 'lit' };
    p.buyers[2].extra = true;
    p.flows[0].rules[1].when = { op: 'compare', fn: '=>', left: { op: 'random' }, right: { op: 'lit', value: 60 } };
    p.flows[0].rules[2].action.kind = 'spread';
    const msg = problemsOf(p);
    expect(msg).toContain('/version: must be 1');
    expect(msg).toContain('/buyers/0/caps/0/limit: must be > 0');
    expect(msg).toContain("/buyers/1/price: must have required property 'value'");
    expect(msg).toContain("/buyers/2: has unexpected property 'extra'");
    expect(msg).toContain('/flows/0/rules/1/when/fn: must be one of "==", "!=", "<", "<=", ">", ">="');
    // The kinds in the models' table order (route, split, waterfall, share, flow, reject, rank, …).
    expect(msg).toContain(`/flows/0/rules/2/action/kind: must be one of ${Object.keys(MODELS).map((k) => JSON.stringify(k)).join(', ')}`);
    expect(Object.keys(MODELS).slice(0, 3)).toEqual(['route', 'split', 'waterfall']);
    expect(msg.split('\n')[0]).toMatch(/^invalid routing plan \(\d+ problems\):$/);
  });

  it('reports an unknown expression op without a cascade of errors', () => {
    const p = fullPlan() as unknown as Record<string, any>;
    p.buyers[0].accepts[0].expr = { op: 'regex', pattern: '.*' };
    const msg = problemsOf(p);
    expect(msg).toContain('/buyers/0/accepts/0/expr/op: must be one of');
    expect(msg.split('\n')).toHaveLength(2);
  });

  it('rejects names that do not resolve', () => {
    const p = fullPlan();
    p.buyers[0]!.overflow = 'Standrd';
    (p.flows[0]!.rules[1]!.action as { buyer: string }).buyer = 'Premiun';
    (p.flows[0]!.rules[5]!.action as { flow: string }).flow = 'bakup';
    p.defaultFlow = 'nope';
    const msg = problemsOf(p);
    expect(msg).toContain("/buyers/0/overflow: unknown buyer 'Standrd' (buyers: Premium, Standard, Budget)");
    expect(msg).toContain("/flows/0/rules/1/action/buyer: unknown buyer 'Premiun'");
    expect(msg).toContain("/flows/0/rules/5/action/flow: unknown flow 'bakup' (flows: solar, backup)");
    expect(msg).toContain("/defaultFlow: unknown flow 'nope'");
  });

  it('rejects unknown functions, wrong arity, bad zones and duplicate names', () => {
    const p = fullPlan();
    p.buyers[1]!.price = call('bonus', f('credit_score'));
    p.buyers[2]!.accepts = [{ expr: call('contains', f('tags')), text: 'contains(tags)' }];
    p.buyers[0]!.hours = [{ ...NY_BUSINESS, zone: 'America/New_Yrok' }];
    p.buyers.push(buyer('Standard'));
    const msg = problemsOf(p);
    expect(msg).toMatch(/\/buyers\/1\/price\/fn: unknown function 'bonus'/);
    expect(msg).toContain('/buyers/2/accepts/0/expr/args: contains() takes 2 arguments, got 1');
    expect(msg).toContain('/buyers/0/hours/0/zone: unknown time zone "America/New_Yrok"');
    expect(msg).toContain("/buyers/3/name: duplicate buyer 'Standard'");
  });

  it('checks rule guards against conditions', () => {
    const p = fullPlan();
    p.flows[0]!.rules[1]!.when = null;
    const msg = problemsOf(p);
    expect(msg).toContain("/flows/0/rules/1/when: a 'when' rule needs a condition");
  });

  it('rejects a lead schema ajv cannot compile', () => {
    const p = fullPlan();
    p.lead.schema = { type: 'object', properties: { x: { type: 'nonsense' } } };
    expect(problemsOf(p)).toMatch(/\/lead\/schema: not a usable JSON Schema/);
  });

  it('accepts lead schemas of draft-07 and 2020-12, with an $id, twice', () => {
    for (const $schema of ['http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft/2020-12/schema']) {
      for (let i = 0; i < 2; i++) {
        const p = fullPlan();
        p.lead.schema = { ...p.lead.schema, $schema, $id: 'https://example.com/lead.json', 'x-pii': ['email'] };
        const r = new Router(p);
        expect(r.route({ state: 'CA' }).errors).toEqual([{ field: 'credit_score', message: 'is required' }]);
      }
    }
  });
});

describe('lead validators shared between plans', () => {
  const withRequired = (required: string[]): Plan => {
    const p = fullPlan();
    p.lead.schema = { ...p.lead.schema, required };
    return p;
  };

  it('plans whose lead schemas differ each validate by their own, loaded in any order', () => {
    const strict = new Router(withRequired(['state', 'credit_score']));
    const loose = new Router(withRequired(['state']));
    const strictAgain = new Router(withRequired(['state', 'credit_score']));
    for (const r of [strict, strictAgain]) expect(r.route({ state: 'CA' }).errors).toEqual([{ field: 'credit_score', message: 'is required' }]);
    expect(loose.route({ state: 'CA' }).errors).toEqual([]);
    expect(loose.route({ credit_score: 700 }).errors).toEqual([{ field: 'state', message: 'is required' }]);
  });

  it('more plans than the validators kept: each still validates by its own schema', () => {
    const fields = Array.from({ length: 70 }, (_, i) => `f${i}`);
    const routers = fields.map((f) => new Router(withRequired([f])));
    routers.push(new Router(withRequired([fields[0]!])));
    routers.forEach((r, i) => expect(r.route({ state: 'CA' }).errors).toEqual([{ field: fields[i % fields.length], message: 'is required' }]));
  });

  it('a long enum (checked by a loop) gives the errors a short one does', () => {
    const values = Array.from({ length: 20 }, (_, i) => `"v${i}"`);
    const p = planOf(`lead { bill: ${values.join(' | ')}\n  states: list state }\nbuyer B {}\nflow main { route B }`);
    const r = new Router(p);
    expect(r.route({ bill: 'v19', states: ['CA', 'MP'] }).errors).toEqual([]);
    // The same errors, in the same order, as with the enum written out as one comparison per value.
    const oneOf = (vs: readonly string[]) => `must be one of ${vs.map((v) => `"${v}"`).join(', ')}`;
    expect(r.route({ bill: 'v20', states: ['CA', 'ZZ', 3] }).errors).toEqual([
      { field: 'bill', message: oneOf(values.map((v) => v.slice(1, -1))) },
      { field: 'states[1]', message: oneOf(US_STATES) },
      { field: 'states[2]', message: 'must be string' },
      { field: 'states[2]', message: oneOf(US_STATES) },
    ]);
  });
});

describe('lead validation', () => {
  const r = new Router(fullPlan());
  it('a lead missing a required field is rejected naming it', () => {
    const d = r.route({ id: 'm1', state: 'CA' });
    expect(d.status).toBe('rejected');
    expect(d.errors).toEqual([{ field: 'credit_score', message: 'is required' }]);
    expect(d.reason).toBe('credit_score: is required');
    expect(d.buyers).toEqual([]);
    expect(d.leadId).toBe('m1');
  });
  it('an out-of-range int is rejected naming the field', () => {
    const d = r.route(lead({ credit_score: 900 }));
    expect(d.status).toBe('rejected');
    expect(d.errors).toEqual([{ field: 'credit_score', message: 'must be <= 850' }]);
    expect(d.reason).toBe('credit_score: must be <= 850');
  });
  it('every failing field is listed', () => {
    const d = r.route({ state: 'ZZ', credit_score: 12.5, lead_score: 101, email: 'not-an-email', zip: '123', created: 'yesterday', tags: ['a', 3] });
    expect(d.errors).toEqual([
      { field: 'state', message: 'must be a US state code' },
      { field: 'credit_score', message: 'must be integer' },
      { field: 'credit_score', message: 'must be >= 300' },
      { field: 'lead_score', message: 'must be <= 100' },
      { field: 'email', message: 'must be an email address' },
      { field: 'zip', message: 'must be a ZIP code (12345 or 12345-6789)' },
      { field: 'created', message: 'must be an ISO 8601 date-time' },
      { field: 'tags[1]', message: 'must be string' },
    ]);
  });
  it('enum errors list the allowed values', () => {
    const p = planOf('lead { bill: "0-100" | "100+" }\nbuyer B {}\nflow main { route B }');
    expect(new Router(p).route({ bill: '50' }).errors).toEqual([{ field: 'bill', message: 'must be one of "0-100", "100+"' }]);
  });
  it('a lead that is not an object', () => {
    const d = r.route('hello');
    expect(d.status).toBe('rejected');
    expect(d.errors).toEqual([{ field: 'lead', message: 'must be object' }]);
  });
  it('undeclared fields are allowed', () => {
    expect(r.route(lead({ utm_source: 'google' }), { now: '2026-03-10T15:00:00Z' }).status).toBe('routed');
  });
});

describe('lead shape', () => {
  it('a lead that is not an object is rejected even when the lead schema allows it', () => {
    const p = planOf('buyer B {}\nflow main { route B }');
    p.lead.schema = {}; // a schema that allows any value: the language always declares an object
    const r = new Router(p);
    for (const bad of [null, 42, 'x', [1]]) {
      const d = r.route(bad);
      expect(d.status).toBe('rejected');
      expect(d.errors).toEqual([{ field: 'lead', message: 'must be object' }]);
    }
    expect(r.route({}).status).toBe('routed');
  });
});
