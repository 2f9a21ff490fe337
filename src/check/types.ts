// The checker's view of types: the lead field types it hands on (LeadType, the
// plan's FieldType itself, imported from the plan's one declaration) and the
// richer set it infers for expressions (Ty), which adds literal-only types such
// as percent and duration.

import type { FieldType, PlanField } from '../plan/index.js';

/** A lead field's type. */
export type LeadType = FieldType;

/** A resolved lead field. */
export type LeadField = PlanField;

/** The type of an expression. `unknown` is the type of anything the checker
 *  already complained about (or that parse recovery lost); it is compatible
 *  with everything, so one mistake is reported once. */
export type Ty =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'money'; min?: number; max?: number }
  | { kind: 'percent' }
  | { kind: 'duration' }
  | { kind: 'string' }
  | { kind: 'email' }
  | { kind: 'phone' }
  | { kind: 'zip' }
  | { kind: 'state' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'bool' }
  | { kind: 'time' }
  /** `of` is undefined for an empty list literal. */
  | { kind: 'list'; of: Ty | undefined }
  | { kind: 'unknown' };

export const UNKNOWN: Ty = { kind: 'unknown' };
export const INT: Ty = { kind: 'int' };
export const NUMBER: Ty = { kind: 'number' };
export const MONEY: Ty = { kind: 'money' };
export const BOOL: Ty = { kind: 'bool' };
export const STRING: Ty = { kind: 'string' };
export const DURATION: Ty = { kind: 'duration' };
export const TIME: Ty = { kind: 'time' };

/** int, number, money and percent mix freely in arithmetic and comparisons. */
export function isNumeric(t: Ty): boolean {
  return t.kind === 'int' || t.kind === 'number' || t.kind === 'money' || t.kind === 'percent';
}

export function isStringLike(t: Ty): boolean {
  return (
    t.kind === 'string' ||
    t.kind === 'email' ||
    t.kind === 'phone' ||
    t.kind === 'zip' ||
    t.kind === 'state' ||
    t.kind === 'enum'
  );
}

export type Family = 'numeric' | 'duration' | 'string' | 'bool' | 'time' | 'list' | 'unknown';

export function family(t: Ty): Family {
  if (isNumeric(t)) return 'numeric';
  if (isStringLike(t)) return 'string';
  if (t.kind === 'duration' || t.kind === 'bool' || t.kind === 'time' || t.kind === 'list' || t.kind === 'unknown')
    return t.kind;
  return 'unknown';
}

/** Whether `==`/`!=`/`in` may compare values of these two types. */
export function equatable(a: Ty, b: Ty): boolean {
  if (a.kind === 'unknown' || b.kind === 'unknown') return true;
  const fa = family(a);
  const fb = family(b);
  if (fa !== fb) return false;
  if (fa === 'list') {
    const la = (a as { of: Ty | undefined }).of;
    const lb = (b as { of: Ty | undefined }).of;
    return la === undefined || lb === undefined || equatable(la, lb);
  }
  return true;
}

/** Whether `<`, `<=`, `>`, `>=` and `between` may order values of these types:
 *  numbers with numbers, durations with durations, times with times. */
export function orderable(a: Ty, b: Ty): boolean {
  if (a.kind === 'unknown' || b.kind === 'unknown') return true;
  const fa = family(a);
  if (fa !== family(b)) return false;
  return fa === 'numeric' || fa === 'duration' || fa === 'time';
}

export function isOrderable(t: Ty): boolean {
  const f = family(t);
  return f === 'numeric' || f === 'duration' || f === 'time' || f === 'unknown';
}

/** The type of a list literal's elements, or undefined when they do not mix. */
export function join(a: Ty, b: Ty): Ty | undefined {
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  if (a.kind === b.kind && a.kind !== 'list' && a.kind !== 'enum') return { kind: a.kind } as Ty;
  if (isNumeric(a) && isNumeric(b)) {
    if (a.kind === 'money' || b.kind === 'money') return MONEY;
    return NUMBER;
  }
  if (isStringLike(a) && isStringLike(b)) return STRING;
  if (a.kind === 'list' && b.kind === 'list') {
    if (a.of === undefined) return b;
    if (b.of === undefined) return a;
    const of = join(a.of, b.of);
    return of === undefined ? undefined : { kind: 'list', of };
  }
  return undefined;
}

/** "int", "money", "list of state", "enum" — for messages. */
export function typeName(t: Ty | LeadType): string {
  switch (t.kind) {
    case 'list':
      return t.of === undefined ? 'list' : `list of ${typeName(t.of)}`;
    case 'enum':
      return 'enum';
    case 'unknown':
      return 'unknown';
    default:
      return t.kind;
  }
}

/** "an int", "a string", "a list of state". */
export function withArticle(t: Ty | LeadType): string {
  const name = typeName(t);
  if (t.kind === 'enum') return `an enum (${t.values.map((v) => JSON.stringify(v)).join(' | ')})`;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

export function leadTypeToTy(t: LeadType): Ty {
  if (t.kind === 'list') return { kind: 'list', of: leadTypeToTy(t.of) };
  if (t.kind === 'enum') return { kind: 'enum', values: [...t.values] };
  return { ...t } as Ty;
}
