// The evaluator over plan expressions, built as trees: many cases (a missing
// field, values of different types, a literal on the left) are ones the checker
// refuses or rewrites, so rule text could not reach them.
import { describe, it, expect } from 'vitest';
import { compileExpr, compilePredicate, describeValues, ExprError, referencedNames, type EvalContext } from '../../src/runtime/expr.js';
import type { PlanExpr } from '../../src/plan/index.js';
import { and, arith, between, call, cmp, f, inList, lit, not, or, random } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:30:00Z'); // a Tuesday; 11:30 in New York (EDT)

function ctx(lead: Record<string, unknown>, r = 50, now = NOW): EvalContext {
  return { lead, random: r, now };
}
const test = (e: PlanExpr, lead: Record<string, unknown>, r?: number) => compilePredicate(e)(ctx(lead, r));
const value = (e: PlanExpr, lead: Record<string, unknown> = {}, r?: number, now?: number) => compileExpr(e)(ctx(lead, r, now));

describe('comparisons', () => {
  const ops = [
    ['==', 700, true],
    ['!=', 700, false],
    ['<', 701, true],
    ['<=', 700, true],
    ['>', 699, true],
    ['>=', 700, true],
  ] as const;
  it.each(ops)('field %s literal', (op, n, atEqual) => {
    const e = cmp(op, f('credit_score'), lit(n));
    expect(test(e, { credit_score: 700 })).toBe(atEqual);
  });

  it('literal on the left is flipped correctly', () => {
    expect(test(cmp('<=', lit(700), f('credit_score')), { credit_score: 720 })).toBe(true);
    expect(test(cmp('<', lit(700), f('credit_score')), { credit_score: 700 })).toBe(false);
    expect(test(cmp('>', lit(700), f('credit_score')), { credit_score: 650 })).toBe(true);
  });

  it('a missing or null field makes every comparison false', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>='] as const) {
      expect(test(cmp(op, f('lead_score'), lit(50)), {})).toBe(false);
      expect(test(cmp(op, f('lead_score'), lit(50)), { lead_score: null })).toBe(false);
      expect(test(cmp(op, lit(50), f('lead_score')), {})).toBe(false);
      expect(test(cmp(op, f('lead_score'), f('credit_score')), { credit_score: 1 })).toBe(false);
    }
  });

  it('not negates normally: not (missing == x) is true', () => {
    expect(test(not(cmp('==', f('lead_score'), lit(50))), {})).toBe(true);
    expect(test(not(cmp('!=', f('lead_score'), lit(50))), {})).toBe(true);
  });

  it('strings compare exactly', () => {
    expect(test(cmp('==', f('source'), lit('google')), { source: 'google' })).toBe(true);
    expect(test(cmp('==', f('source'), lit('google')), { source: 'Google' })).toBe(false);
    expect(test(cmp('!=', f('source'), lit('google')), { source: 'Google' })).toBe(true);
    expect(test(cmp('<', f('created'), lit('2026-01-01')), { created: '2025-12-31T00:00:00Z' })).toBe(true);
  });

  it('values of different types are never ordered', () => {
    expect(test(cmp('<', f('x'), lit(5)), { x: '4' })).toBe(false);
    expect(test(cmp('==', f('x'), lit(5)), { x: '5' })).toBe(false);
  });

  it('random against a literal', () => {
    const e = cmp('<=', random, lit(60));
    expect(test(e, {}, 60)).toBe(true);
    expect(test(e, {}, 61)).toBe(false);
    expect(test(cmp('>', lit(60), random), {}, 59)).toBe(true);
  });

  it('general comparisons between expressions', () => {
    const e = cmp('>', arith('+', f('a'), f('b')), arith('*', f('c'), lit(2)));
    expect(test(e, { a: 3, b: 4, c: 3 })).toBe(true);
    expect(test(e, { a: 3, b: 4, c: 4 })).toBe(false);
    expect(test(cmp('==', f('a'), f('b')), { a: 'x', b: 'x' })).toBe(true);
    expect(test(cmp('==', lit(1), lit(1)), {})).toBe(true);
  });
});

describe('in, not in, between', () => {
  it('in a literal list', () => {
    const e = inList(f('state'), ['CA', 'TX', 'FL']);
    expect(test(e, { state: 'TX' })).toBe(true);
    expect(test(e, { state: 'NY' })).toBe(false);
    expect(test(e, {})).toBe(false);
  });
  it('not in is false for a missing value, but not (in) is true', () => {
    const e = inList(f('state'), ['CA', 'TX'], true);
    expect(test(e, { state: 'NY' })).toBe(true);
    expect(test(e, { state: 'CA' })).toBe(false);
    expect(test(e, {})).toBe(false);
    expect(test(not(inList(f('state'), ['CA'])), {})).toBe(true);
  });
  it('in a list field or a string', () => {
    const e: PlanExpr = { op: 'in', value: lit('solar'), list: f('tags'), negated: false };
    expect(test(e, { tags: ['solar', 'roof'] })).toBe(true);
    expect(test(e, { tags: ['roof'] })).toBe(false);
    expect(test(e, {})).toBe(false);
    const s: PlanExpr = { op: 'in', value: lit('sol'), list: f('name'), negated: false };
    expect(test(s, { name: 'solar' })).toBe(true);
  });
  it('in a list of expressions', () => {
    const e: PlanExpr = { op: 'in', value: f('a'), list: { op: 'list', items: [f('b'), lit(3)] }, negated: false };
    expect(test(e, { a: 2, b: 2 })).toBe(true);
    expect(test(e, { a: 3, b: 2 })).toBe(true);
    expect(test(e, { a: 4, b: 2 })).toBe(false);
  });
  it('between includes both ends', () => {
    const e = between(f('credit_score'), lit(600), lit(700));
    expect(test(e, { credit_score: 600 })).toBe(true);
    expect(test(e, { credit_score: 700 })).toBe(true);
    expect(test(e, { credit_score: 701 })).toBe(false);
    expect(test(e, {})).toBe(false);
    const d = between(f('x'), f('lo'), arith('+', f('lo'), lit(10)));
    expect(test(d, { x: 15, lo: 5 })).toBe(true);
    expect(test(d, { x: 16, lo: 5 })).toBe(false);
    expect(test(d, { x: 15 })).toBe(false);
  });
});

describe('and / or', () => {
  function counting(values: Record<string, unknown>) {
    const reads: string[] = [];
    const lead = new Proxy(values, {
      get(t, k) {
        reads.push(String(k));
        return t[k as string];
      },
    });
    return { lead, reads };
  }
  it('and short-circuits', () => {
    const { lead, reads } = counting({ a: 1, b: 2, c: 3 });
    const e = and(cmp('==', f('a'), lit(0)), cmp('==', f('b'), lit(2)), cmp('==', f('c'), lit(3)));
    expect(compilePredicate(e)(ctx(lead))).toBe(false);
    expect(reads).toEqual(['a']);
  });
  it('or short-circuits', () => {
    const { lead, reads } = counting({ a: 1, b: 2 });
    const e = or(cmp('==', f('a'), lit(1)), cmp('==', f('b'), lit(2)));
    expect(compilePredicate(e)(ctx(lead))).toBe(true);
    expect(reads).toEqual(['a']);
  });
  it('n-ary and / or', () => {
    const t = cmp('==', lit(1), lit(1));
    const fa = cmp('==', lit(1), lit(2));
    expect(test(and(t, t, t), {})).toBe(true);
    expect(test(and(t, t, fa), {})).toBe(false);
    expect(test(or(fa, fa, t), {})).toBe(true);
    expect(test(or(fa, fa, fa), {})).toBe(false);
  });
  it('a bare boolean field holds only when true', () => {
    expect(test(f('homeowner'), { homeowner: true })).toBe(true);
    expect(test(f('homeowner'), { homeowner: false })).toBe(false);
    expect(test(f('homeowner'), {})).toBe(false);
    expect(test(not(f('homeowner')), {})).toBe(true);
  });
});

describe('arithmetic', () => {
  it('computes with numbers', () => {
    expect(value(arith('+', lit(20), arith('/', arith('-', f('credit_score'), lit(600)), lit(10))), { credit_score: 720 })).toBe(32);
    expect(value({ op: 'neg', arg: f('x') }, { x: 3 })).toBe(-3);
  });
  it('a missing operand yields undefined and comparisons are false', () => {
    expect(value(arith('+', f('x'), lit(1)))).toBeUndefined();
    expect(value({ op: 'neg', arg: f('x') })).toBeUndefined();
    expect(test(cmp('>', arith('+', f('x'), lit(1)), lit(0)), {})).toBe(false);
    expect(test(cmp('<=', arith('*', f('x'), lit(1)), lit(0)), {})).toBe(false);
  });
  it('division by zero yields undefined', () => {
    expect(value(arith('/', f('x'), lit(0)), { x: 1 })).toBeUndefined();
    expect(value(arith('/', lit(1), lit(0)))).toBeUndefined();
  });
});

describe('built-ins', () => {
  it('zip3, lower, upper, len', () => {
    expect(value(call('zip3', f('zip')), { zip: '94107-1234' })).toBe('941');
    expect(value(call('zip3', f('zip')), {})).toBeUndefined();
    expect(value(call('lower', f('s')), { s: 'GooGle' })).toBe('google');
    expect(value(call('upper', f('s')), { s: 'ca' })).toBe('CA');
    expect(value(call('len', f('s')), { s: 'abc' })).toBe(3);
    expect(value(call('len', f('s')), { s: [1, 2] })).toBe(2);
    expect(value(call('len', f('s')), {})).toBe(0);
  });
  it('abs, min, max, round', () => {
    expect(value(call('abs', lit(-4)))).toBe(4);
    expect(value(call('min', f('a'), lit(3)), { a: 5 })).toBe(3);
    expect(value(call('max', f('a'), lit(3)), { a: 5 })).toBe(5);
    expect(value(call('max', f('a'), lit(3)), {})).toBeUndefined();
    expect(value(call('round', lit(2.5)))).toBe(3);
    expect(value(call('round', lit(2.4)))).toBe(2);
  });
  it('hour and weekday in a zone at routing time', () => {
    expect(value(call('hour', lit('America/New_York')))).toBe(11);
    expect(value(call('hour', lit('UTC')))).toBe(15);
    expect(value(call('hour', lit('Asia/Kolkata')))).toBe(21); // 15:30 + 5:30
    expect(value(call('weekday', lit('America/New_York')))).toBe(2);
    // 2026-03-16 03:00Z (a Monday in UTC) is Sunday 23:00 in New York (EDT).
    const sun = Date.parse('2026-03-16T03:00:00Z');
    expect(value(call('weekday', lit('America/New_York')), {}, 50, sun)).toBe(7);
    expect(value(call('weekday', lit('UTC')), {}, 50, sun)).toBe(1);
    expect(value(call('hour', lit('America/New_York')), {}, 50, sun)).toBe(23);
  });
  it('age is the time since a time field, in ms', () => {
    expect(value(call('age', f('created')), { created: '2026-03-10T15:25:00Z' })).toBe(5 * 60_000);
    expect(test(cmp('<', call('age', f('created')), lit(10 * 60_000)), { created: '2026-03-10T15:25:00Z' })).toBe(true);
    expect(value(call('age', f('created')), {})).toBeUndefined();
    expect(value(call('age', f('created')), { created: 'yesterday' })).toBeUndefined();
  });
  it('exists', () => {
    expect(test(call('exists', f('lead_score')), { lead_score: 0 })).toBe(true);
    expect(test(call('exists', f('lead_score')), { lead_score: null })).toBe(false);
    expect(test(call('exists', f('lead_score')), {})).toBe(false);
    expect(test(not(call('exists', f('lead_score'))), {})).toBe(true);
  });
  it('contains', () => {
    expect(test(call('contains', f('tags'), lit('solar')), { tags: ['solar'] })).toBe(true);
    expect(test(call('contains', f('tags'), lit('wind')), { tags: ['solar'] })).toBe(false);
    expect(test(call('contains', f('email'), lit('@gmail.')), { email: 'a@gmail.com' })).toBe(true);
    expect(test(call('contains', f('tags'), lit('solar')), {})).toBe(false);
  });
  it('rejects unknown functions and wrong arity at compile time', () => {
    expect(() => compileExpr(call('sqrt', lit(4)))).toThrow(ExprError);
    expect(() => compileExpr(call('sqrt', lit(4)))).toThrow(/unknown function 'sqrt'/);
    expect(() => compileExpr(call('min', lit(4)))).toThrow(/min\(\) takes 2 arguments, got 1/);
    expect(() => compileExpr(call('hour', lit('Mars/Olympus')))).toThrow(/IANA time zone/);
  });
});

describe('trace helpers', () => {
  it('names the fields and random an expression reads', () => {
    const e = and(inList(f('state'), ['CA']), cmp('<=', random, lit(60)), cmp('>', f('lead_score'), f('credit_score')));
    const refs = referencedNames(e);
    expect(refs).toEqual({ fields: ['state', 'lead_score', 'credit_score'], random: true });
    expect(describeValues(refs, ctx({ state: 'TX', credit_score: 700 }, 42))).toBe(
      'state = TX, lead_score is missing, credit_score = 700, random = 42',
    );
  });
});

describe('hour / weekday with a computed zone', () => {
  it('uses the zone the expression gives, undefined for a bad one', () => {
    expect(value(call('hour', f('tz')), { tz: 'America/Chicago' })).toBe(10);
    expect(value(call('hour', f('tz')), { tz: 'Nowhere/Land' })).toBeUndefined();
    expect(value(call('weekday', f('tz')), {})).toBeUndefined();
  });
});
