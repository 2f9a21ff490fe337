// What a condition says about a lead, in a form cheap enough to reason with:
// a conjunction of per-field constraints (an interval for a number field, a
// finite set for a state, enum or bool field, a set of 1..100 for `random`).
// Used to find random ranges that overlap or leave gaps, rules that earlier
// rules shadow, and conditions that are always or never true.

import type { CompareOp, Expr } from '../lang/ast.js';
import { US_STATES } from '../lang/builtins.js';
import type { CheckContext } from './context.js';
import type { LeadType } from './types.js';

export const RANDOM_KEY = '#random';

/** A set of `random` values: index 1..100. */
export type RandomSet = Uint8Array;

export type Constraint =
  | { kind: 'num'; lo: number; loInc: boolean; hi: number; hiInc: boolean }
  | { kind: 'set'; values: Set<string>; negated: boolean }
  | { kind: 'rand'; bits: RandomSet };

export type Conjunction = Map<string, Constraint>;

// ---------------------------------------------------------------- literals

/** The value of a number, money or percent literal, or a negated one. */
export function numericLiteral(e: Expr | undefined): number | undefined {
  if (!e || typeof e !== 'object') return undefined;
  if (e.kind === 'number' || e.kind === 'money' || e.kind === 'percent')
    return typeof e.value === 'number' && Number.isFinite(e.value) ? e.value : undefined;
  if (e.kind === 'unary' && e.op === '-') {
    const v = numericLiteral(e.arg);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

export function isRandom(e: Expr | undefined): boolean {
  return !!e && e.kind === 'name' && e.name === 'random';
}

export function flip(op: CompareOp): CompareOp {
  switch (op) {
    case '<':
      return '>';
    case '<=':
      return '>=';
    case '>':
      return '<';
    case '>=':
      return '<=';
    default:
      return op;
  }
}

export function compareNumbers(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

// ---------------------------------------------------------------- random sets

export function randomSet(pred: (r: number) => boolean): RandomSet {
  const bits = new Uint8Array(101);
  for (let r = 1; r <= 100; r++) bits[r] = pred(r) ? 1 : 0;
  return bits;
}

export function countOf(bits: RandomSet): number {
  let n = 0;
  for (let r = 1; r <= 100; r++) n += bits[r]!;
  return n;
}

// The set operations loop directly rather than through `randomSet`: they run
// for every pair of rules a reachability check compares, and a call of a
// predicate per value was most of their time on a large file.

export function intersectBits(a: RandomSet, b: RandomSet): RandomSet {
  const bits = new Uint8Array(101);
  for (let r = 1; r <= 100; r++) bits[r] = a[r] === 1 && b[r] === 1 ? 1 : 0;
  return bits;
}

export function unionBits(a: RandomSet, b: RandomSet): RandomSet {
  const bits = new Uint8Array(101);
  for (let r = 1; r <= 100; r++) bits[r] = a[r] === 1 || b[r] === 1 ? 1 : 0;
  return bits;
}

export function minusBits(a: RandomSet, b: RandomSet): RandomSet {
  const bits = new Uint8Array(101);
  for (let r = 1; r <= 100; r++) bits[r] = a[r] === 1 && b[r] !== 1 ? 1 : 0;
  return bits;
}

/** The runs of a set: "51..60", "7", "1..10 and 95..100". */
export function rangesText(bits: RandomSet): string {
  const runs: string[] = [];
  let r = 1;
  while (r <= 100) {
    if (bits[r] !== 1) {
      r++;
      continue;
    }
    const start = r;
    while (r + 1 <= 100 && bits[r + 1] === 1) r++;
    runs.push(start === r ? `${start}` : `${start}..${r}`);
    r++;
  }
  if (runs.length <= 1) return runs.join('');
  return `${runs.slice(0, -1).join(', ')} and ${runs[runs.length - 1]}`;
}

/** The set of `random` values a condition built only from comparisons of
 *  `random` with number literals (with `and`, `or`, `not`) admits, or
 *  undefined when the condition looks at anything else. */
export function pureRandomSet(e: Expr | undefined, depth = 0): RandomSet | undefined {
  if (!e || typeof e !== 'object' || depth > 200) return undefined;
  if (e.kind === 'logical') {
    const l = pureRandomSet(e.left, depth + 1);
    const r = l && pureRandomSet(e.right, depth + 1);
    if (!l || !r) return undefined;
    return e.op === 'and' ? intersectBits(l, r) : unionBits(l, r);
  }
  if (e.kind === 'unary' && e.op === 'not') {
    const a = pureRandomSet(e.arg, depth + 1);
    return a && randomSet((r) => a[r] !== 1);
  }
  return randomAtom(e);
}

/** One comparison of `random` with number literals, as a set. */
export function randomAtom(e: Expr): RandomSet | undefined {
  if (e.kind === 'compare') {
    let op = e.op;
    let v: number | undefined;
    if (isRandom(e.left)) v = numericLiteral(e.right);
    else if (isRandom(e.right)) {
      v = numericLiteral(e.left);
      op = flip(op);
    }
    if (v === undefined) return undefined;
    const value = v;
    return randomSet((r) => compareNumbers(r, op, value));
  }
  if (e.kind === 'between' && isRandom(e.value)) {
    const lo = numericLiteral(e.low);
    const hi = numericLiteral(e.high);
    if (lo === undefined || hi === undefined) return undefined;
    return randomSet((r) => r >= lo && r <= hi);
  }
  if (e.kind === 'in' && isRandom(e.value) && e.list?.kind === 'list' && Array.isArray(e.list.items)) {
    const values: number[] = [];
    for (const item of e.list.items) {
      const v = numericLiteral(item);
      if (v === undefined) return undefined;
      values.push(v);
    }
    return randomSet((r) => values.includes(r) !== e.negated);
  }
  return undefined;
}

// ---------------------------------------------------------------- field constraints

function fieldType(ctx: CheckContext, e: Expr | undefined): LeadType | undefined {
  if (!e || e.kind !== 'name') return undefined;
  return ctx.fields.get(e.name)?.type;
}

/** The finite set of values a field can take, when there is one. */
function domainOf(t: LeadType): readonly string[] | undefined {
  if (t.kind === 'state') return US_STATES;
  if (t.kind === 'enum') return t.values;
  if (t.kind === 'bool') return ['true', 'false'];
  return undefined;
}

/** A literal (or, for a state or enum field, a bare symbol) as a set element. */
function setElement(ctx: CheckContext, t: LeadType, e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  if (t.kind === 'bool') return e.kind === 'bool' ? String(e.value) : undefined;
  if (t.kind === 'list' || t.kind === 'time') return undefined;
  if (t.kind === 'int' || t.kind === 'number' || t.kind === 'money') return undefined;
  if (e.kind === 'string') return e.value;
  if (
    e.kind === 'name' &&
    (t.kind === 'state' || t.kind === 'enum') &&
    e.name !== 'random' &&
    !ctx.fields.has(e.name)
  )
    return e.name;
  return undefined;
}

function normalizeSet(t: LeadType, c: Constraint): Constraint {
  if (c.kind !== 'set' || !c.negated) return c;
  const domain = domainOf(t);
  if (!domain) return c;
  return { kind: 'set', values: new Set(domain.filter((v) => !c.values.has(v))), negated: false };
}

function numConstraint(op: CompareOp, v: number, integer: boolean): Constraint | undefined {
  let c: Constraint;
  switch (op) {
    case '==':
      c = { kind: 'num', lo: v, loInc: true, hi: v, hiInc: true };
      break;
    case '<':
      c = { kind: 'num', lo: -Infinity, loInc: false, hi: v, hiInc: false };
      break;
    case '<=':
      c = { kind: 'num', lo: -Infinity, loInc: false, hi: v, hiInc: true };
      break;
    case '>':
      c = { kind: 'num', lo: v, loInc: false, hi: Infinity, hiInc: false };
      break;
    case '>=':
      c = { kind: 'num', lo: v, loInc: true, hi: Infinity, hiInc: false };
      break;
    default:
      return undefined;
  }
  return integer ? toIntegers(c) : c;
}

/** For an int field, `> 5` is `>= 6`: normalise to closed integer bounds. */
function toIntegers(c: Constraint): Constraint {
  if (c.kind !== 'num') return c;
  let lo = c.lo;
  let hi = c.hi;
  if (Number.isFinite(lo)) lo = c.loInc ? Math.ceil(lo) : Math.floor(lo) + 1;
  if (Number.isFinite(hi)) hi = c.hiInc ? Math.floor(hi) : Math.ceil(hi) - 1;
  return { kind: 'num', lo, loInc: Number.isFinite(lo), hi, hiInc: Number.isFinite(hi) };
}

/** One comparison as [key, constraint], or undefined when it is not of a shape
 *  the checker reasons about. */
export function atomConstraint(ctx: CheckContext, e: Expr | undefined): [string, Constraint] | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const rand = randomAtom(e);
  if (rand) return [RANDOM_KEY, { kind: 'rand', bits: rand }];
  switch (e.kind) {
    case 'name': {
      const t = fieldType(ctx, e);
      return t?.kind === 'bool' ? [e.name, { kind: 'set', values: new Set(['true']), negated: false }] : undefined;
    }
    case 'unary': {
      if (e.op !== 'not' || e.arg?.kind !== 'name') return undefined;
      const f = ctx.fields.get(e.arg.name);
      // A missing optional field makes a comparison false; `not` of it is murky.
      if (f?.type.kind !== 'bool' || f.optional) return undefined;
      return [e.arg.name, { kind: 'set', values: new Set(['false']), negated: false }];
    }
    case 'compare': {
      let field = e.left;
      let other = e.right;
      let op = e.op;
      let t = fieldType(ctx, field);
      if (!t) {
        field = e.right;
        other = e.left;
        op = flip(op);
        t = fieldType(ctx, field);
      }
      if (!t || field?.kind !== 'name') return undefined;
      if (t.kind === 'int' || t.kind === 'number' || t.kind === 'money') {
        const v = numericLiteral(other);
        if (v === undefined) return undefined;
        const c = numConstraint(op, v, t.kind === 'int');
        return c && [field.name, c];
      }
      if (op !== '==' && op !== '!=') return undefined;
      const el = setElement(ctx, t, other);
      if (el === undefined) return undefined;
      return [field.name, normalizeSet(t, { kind: 'set', values: new Set([el]), negated: op === '!=' })];
    }
    case 'in': {
      const t = fieldType(ctx, e.value);
      if (!t || e.value.kind !== 'name' || e.list?.kind !== 'list' || !Array.isArray(e.list.items)) return undefined;
      const values = new Set<string>();
      for (const item of e.list.items) {
        const el = setElement(ctx, t, item);
        if (el === undefined) return undefined;
        values.add(el);
      }
      return [e.value.name, normalizeSet(t, { kind: 'set', values, negated: e.negated })];
    }
    case 'between': {
      const t = fieldType(ctx, e.value);
      if (!t || e.value.kind !== 'name') return undefined;
      if (t.kind !== 'int' && t.kind !== 'number' && t.kind !== 'money') return undefined;
      const lo = numericLiteral(e.low);
      const hi = numericLiteral(e.high);
      if (lo === undefined || hi === undefined) return undefined;
      const c: Constraint = { kind: 'num', lo, loInc: true, hi, hiInc: true };
      return [e.value.name, t.kind === 'int' ? toIntegers(c) : c];
    }
    default:
      return undefined;
  }
}

export function isEmpty(c: Constraint): boolean {
  switch (c.kind) {
    case 'num':
      return c.lo > c.hi || (c.lo === c.hi && !(c.loInc && c.hiInc));
    case 'set':
      return !c.negated && c.values.size === 0;
    case 'rand':
      return countOf(c.bits) === 0;
  }
}

export function intersect(a: Constraint, b: Constraint): Constraint | undefined {
  if (a.kind === 'num' && b.kind === 'num') {
    const [lo, loInc] =
      a.lo > b.lo ? [a.lo, a.loInc] : b.lo > a.lo ? [b.lo, b.loInc] : [a.lo, a.loInc && b.loInc];
    const [hi, hiInc] =
      a.hi < b.hi ? [a.hi, a.hiInc] : b.hi < a.hi ? [b.hi, b.hiInc] : [a.hi, a.hiInc && b.hiInc];
    return { kind: 'num', lo, loInc, hi, hiInc };
  }
  if (a.kind === 'set' && b.kind === 'set') {
    if (!a.negated && !b.negated)
      return { kind: 'set', values: new Set([...a.values].filter((v) => b.values.has(v))), negated: false };
    if (!a.negated) return { kind: 'set', values: new Set([...a.values].filter((v) => !b.values.has(v))), negated: false };
    if (!b.negated) return { kind: 'set', values: new Set([...b.values].filter((v) => !a.values.has(v))), negated: false };
    return { kind: 'set', values: new Set([...a.values, ...b.values]), negated: true };
  }
  if (a.kind === 'rand' && b.kind === 'rand') return { kind: 'rand', bits: intersectBits(a.bits, b.bits) };
  return undefined;
}

/** Whether every value `a` admits, `b` admits too. */
export function subset(a: Constraint, b: Constraint): boolean {
  if (isEmpty(a)) return true;
  if (a.kind === 'num' && b.kind === 'num') {
    const loOk = a.lo > b.lo || (a.lo === b.lo && (b.loInc || !a.loInc));
    const hiOk = a.hi < b.hi || (a.hi === b.hi && (b.hiInc || !a.hiInc));
    return loOk && hiOk;
  }
  if (a.kind === 'set' && b.kind === 'set') {
    if (!a.negated && !b.negated) return [...a.values].every((v) => b.values.has(v));
    if (!a.negated && b.negated) return [...a.values].every((v) => !b.values.has(v));
    if (a.negated && b.negated) return [...b.values].every((v) => a.values.has(v));
    return false;
  }
  if (a.kind === 'rand' && b.kind === 'rand') {
    for (let r = 1; r <= 100; r++) if (a.bits[r] === 1 && b.bits[r] !== 1) return false;
    return true;
  }
  return false;
}

export interface ConjunctionInfo {
  constraints: Conjunction;
  /** Every `and`-part was understood; otherwise `constraints` over-approximates. */
  complete: boolean;
  /** Some single part is by itself empty (reported on its own, e.g. LR303). */
  atomEmpty: boolean;
  /** The combined constraints admit no lead. */
  empty: boolean;
}

function andParts(e: Expr | undefined, out: (Expr | undefined)[], depth = 0): void {
  if (e && e.kind === 'logical' && e.op === 'and' && depth < 200) {
    andParts(e.left, out, depth + 1);
    andParts(e.right, out, depth + 1);
  } else out.push(e);
}

/** A condition read as a conjunction of field constraints. */
export function conjunction(ctx: CheckContext, e: Expr | undefined): ConjunctionInfo {
  const parts: (Expr | undefined)[] = [];
  andParts(e, parts);
  const constraints: Conjunction = new Map();
  let complete = true;
  let atomEmpty = false;
  for (const part of parts) {
    const atom = atomConstraint(ctx, part);
    if (!atom) {
      complete = false;
      continue;
    }
    const [key, c] = atom;
    if (isEmpty(c)) atomEmpty = true;
    const prev = constraints.get(key);
    if (!prev) {
      constraints.set(key, c);
      continue;
    }
    const both = intersect(prev, c);
    if (both) constraints.set(key, both);
    else complete = false;
  }
  let empty = false;
  for (const c of constraints.values()) if (isEmpty(c)) empty = true;
  return { constraints, complete, atomEmpty, empty };
}

/** Whether every lead satisfying `later` also satisfies `earlier` (which must
 *  be complete: an `and`-part it does not understand could exclude leads). */
export function implies(later: Conjunction, earlier: ConjunctionInfo): boolean {
  if (!earlier.complete || earlier.constraints.size === 0) return false;
  for (const [key, cb] of earlier.constraints) {
    const ca = later.get(key);
    if (!ca || !subset(ca, cb)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- constants

type Const = number | string | boolean;

/** The value of an expression made only of literals, or undefined. */
export function constantValue(e: Expr | undefined, depth = 0): Const | undefined {
  if (!e || typeof e !== 'object' || depth > 200) return undefined;
  const c = (x: Expr | undefined) => constantValue(x, depth + 1);
  switch (e.kind) {
    case 'number':
    case 'money':
    case 'percent':
      return e.value;
    case 'duration':
      return e.ms;
    case 'string':
      return e.value;
    case 'bool':
      return e.value;
    case 'unary': {
      const v = c(e.arg);
      if (e.op === 'not') return typeof v === 'boolean' ? !v : undefined;
      return typeof v === 'number' ? -v : undefined;
    }
    case 'logical': {
      const l = c(e.left);
      const r = c(e.right);
      if (typeof l !== 'boolean' || typeof r !== 'boolean') return undefined;
      return e.op === 'and' ? l && r : l || r;
    }
    case 'compare': {
      const l = c(e.left);
      const r = c(e.right);
      if (l === undefined || r === undefined || typeof l !== typeof r) return undefined;
      if (e.op === '==') return l === r;
      if (e.op === '!=') return l !== r;
      if (typeof l !== 'number' || typeof r !== 'number') return undefined;
      return compareNumbers(l, e.op, r);
    }
    case 'between': {
      const v = c(e.value);
      const lo = c(e.low);
      const hi = c(e.high);
      if (typeof v !== 'number' || typeof lo !== 'number' || typeof hi !== 'number') return undefined;
      return v >= lo && v <= hi;
    }
    case 'in': {
      const v = c(e.value);
      if (v === undefined || e.list?.kind !== 'list' || !Array.isArray(e.list.items)) return undefined;
      const items = e.list.items.map(c);
      if (items.some((i) => i === undefined)) return undefined;
      return items.includes(v) !== e.negated;
    }
    case 'binary': {
      const l = c(e.left);
      const r = c(e.right);
      if (typeof l !== 'number' || typeof r !== 'number') return undefined;
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? undefined : l / r;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
