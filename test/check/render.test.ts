import { describe, expect, it } from 'vitest';
import { quote, render, structuralKey } from '../../src/check/render.js';
import type { Expr } from '../../src/lang/ast.js';
import { parse } from '../../src/lang/index.js';

function cond(src: string): Expr {
  const rule = parse(`flow f { when ${src} route A }`, 't.route').ast.flows[0]!.rules[0]!;
  if (rule.kind !== 'when') throw new Error('not a when rule');
  return rule.condition;
}

describe('render', () => {
  it.each([
    'credit_score >= "700"',
    'state in [CA, TX] and not homeowner',
    '(a or b) and c',
    'a - (b - c) > 1',
    '$20 + (credit_score - 600) / 10 > $30',
    'age(created_at) < 5m',
    'x not in [1, 2]',
    'random between 1 and 60%',
    '-x > -1',
  ])('`%s` round-trips', (src) => {
    expect(render(cond(src))).toBe(src);
  });
  it('drops redundant parentheses', () => {
    expect(render(cond('(a and b) or (c)'))).toBe('a and b or c');
  });
  it('quotes short expressions only', () => {
    expect(quote(cond('a > 1'))).toBe('`a > 1`');
    expect(quote(cond('a_very_long_field_name > another_very_long_field_name'))).toBeUndefined();
  });
});

describe('structuralKey', () => {
  it('ignores spans and parentheses', () => {
    expect(structuralKey(cond('(a > 1) and b'))).toBe(structuralKey(cond('a > 1  and  b')));
  });
  it('tells different conditions apart', () => {
    expect(structuralKey(cond('a > 1'))).not.toBe(structuralKey(cond('a >= 1')));
    expect(structuralKey(cond('x in [1]'))).not.toBe(structuralKey(cond('x not in [1]')));
    expect(structuralKey(cond('x == 5'))).not.toBe(structuralKey(cond('x == $5')));
  });
  it('is undefined for recovered expressions', () => {
    const span = { file: 't', line: 1, col: 1, endLine: 1, endCol: 2, start: 0, end: 1 };
    expect(structuralKey({ kind: 'compare', op: '<', left: { kind: 'error', span }, right: { kind: 'number', value: 1, span }, span })).toBeUndefined();
  });
});
