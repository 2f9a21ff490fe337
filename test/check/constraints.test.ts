import { describe, expect, it } from 'vitest';
import {
  constantValue,
  countOf,
  intersect,
  isEmpty,
  pureRandomSet,
  rangesText,
  randomSet,
  subset,
  type Constraint,
} from '../../src/check/constraints.js';
import type { Expr } from '../../src/lang/ast.js';
import { parse } from '../../src/lang/index.js';

function cond(src: string): Expr {
  const { ast, diagnostics } = parse(`flow f { when ${src} route A }`, 't.route');
  expect(diagnostics).toEqual([]);
  const rule = ast.flows[0]!.rules[0]!;
  if (rule.kind !== 'when') throw new Error('not a when rule');
  return rule.condition;
}

const num = (lo: number, hi: number, loInc = true, hiInc = true): Constraint => ({ kind: 'num', lo, hi, loInc, hiInc });
const set = (values: string[], negated = false): Constraint => ({ kind: 'set', values: new Set(values), negated });

describe('random sets', () => {
  it.each([
    ['random <= 60', '1..60'],
    ['random > 60 and random <= 90', '61..90'],
    ['60 < random', '61..100'],
    ['random between 10 and 20', '10..20'],
    ['random in [1, 5, 6]', '1 and 5..6'],
    ['random in [1, 3, 5]', '1, 3 and 5'],
    ['random not in [1, 2]', '3..100'],
    ['random <= 10 or random > 90', '1..10 and 91..100'],
    ['not (random <= 10)', '11..100'],
    ['random != 50', '1..49 and 51..100'],
    ['random <= 60.5', '1..60'],
    ['random > 100', ''],
  ])('`%s` is random %s', (src, text) => {
    expect(rangesText(pureRandomSet(cond(src))!)).toBe(text);
  });
  it('is undefined when the condition looks at anything else', () => {
    expect(pureRandomSet(cond('random <= 50 and state == CA'))).toBeUndefined();
    expect(pureRandomSet(cond('random <= lead_score'))).toBeUndefined();
  });
  it('counts', () => {
    expect(countOf(randomSet((r) => r % 2 === 0))).toBe(50);
  });
});

describe('constraints', () => {
  it('intervals', () => {
    expect(subset(num(750, Infinity), num(700, Infinity))).toBe(true);
    expect(subset(num(700, Infinity), num(700, Infinity, false))).toBe(false);
    expect(subset(num(701, Infinity, false), num(700, Infinity, false))).toBe(true);
    expect(isEmpty(intersect(num(701, Infinity), num(-Infinity, 599))!)).toBe(true);
    expect(isEmpty(num(5, 5, true, false))).toBe(true);
  });
  it('sets', () => {
    expect(subset(set(['CA']), set(['CA', 'TX']))).toBe(true);
    expect(subset(set(['CA']), set(['TX'], true))).toBe(true);
    expect(subset(set(['CA'], true), set(['CA', 'TX'], true))).toBe(false);
    expect(subset(set(['CA', 'TX'], true), set(['CA'], true))).toBe(true);
    expect(subset(set(['CA'], true), set(['CA']))).toBe(false);
    expect(isEmpty(intersect(set(['CA']), set(['TX']))!)).toBe(true);
    expect(intersect(set(['CA', 'TX']), set(['CA'], true))).toEqual(set(['TX']));
  });
  it('kinds do not mix', () => {
    expect(intersect(num(1, 2), set(['a']))).toBeUndefined();
    expect(subset(num(1, 2), set(['a']))).toBe(false);
  });
});

describe('constant conditions', () => {
  it.each([
    ['true', true],
    ['1 > 2', false],
    ['$5 + 1 == $6', true],
    ['"a" in ["a", "b"]', true],
    ['3 between 1 and 2', false],
    ['not (1 == 1) or false', false],
    ['5m > 1h', false],
  ])('`%s` is %s', (src, value) => {
    expect(constantValue(cond(src))).toBe(value);
  });
  it('is undefined with a field, a call or random', () => {
    expect(constantValue(cond('credit_score > 1'))).toBeUndefined();
    expect(constantValue(cond('len("abc") > 1'))).toBeUndefined();
    expect(constantValue(cond('random > 1'))).toBeUndefined();
  });
});
