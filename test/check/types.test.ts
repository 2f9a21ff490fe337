import { describe, expect, it } from 'vitest';
import { equatable, join, orderable, typeName, withArticle, type LeadType, type Ty } from '../../src/check/types.js';
import type { FieldType } from '../../src/plan/index.js';

// LeadType is a copy of the plan's FieldType (the checker may not import the
// compiler); these assignments fail to type-check if the two drift apart.
const toPlan = (t: LeadType): FieldType => t;
const fromPlan = (t: FieldType): LeadType => t;

const t = (kind: string): Ty => ({ kind }) as Ty;

describe('types', () => {
  it('LeadType and the plan\'s FieldType are the same', () => {
    expect(fromPlan(toPlan({ kind: 'list', of: { kind: 'int', min: 1 } }))).toEqual({ kind: 'list', of: { kind: 'int', min: 1 } });
  });
  it('numbers interoperate; durations only with durations', () => {
    expect(orderable(t('money'), t('int'))).toBe(true);
    expect(orderable(t('percent'), t('number'))).toBe(true);
    expect(orderable(t('duration'), t('int'))).toBe(false);
    expect(orderable(t('duration'), t('duration'))).toBe(true);
    expect(orderable(t('string'), t('string'))).toBe(false);
  });
  it('string-like types compare for equality', () => {
    expect(equatable(t('state'), t('string'))).toBe(true);
    expect(equatable(t('zip'), t('int'))).toBe(false);
    expect(equatable(t('unknown'), t('bool'))).toBe(true);
  });
  it('joins list elements', () => {
    expect(join(t('int'), t('money'))).toEqual(t('money'));
    expect(join(t('state'), t('string'))).toEqual(t('string'));
    expect(join(t('int'), t('string'))).toBeUndefined();
  });
  it('names types for messages', () => {
    expect(typeName({ kind: 'list', of: t('state') })).toBe('list of state');
    expect(withArticle(t('int'))).toBe('an int');
    expect(withArticle({ kind: 'enum', values: ['a', 'b'] })).toBe('an enum ("a" | "b")');
  });
});
