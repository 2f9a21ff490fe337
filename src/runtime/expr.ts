// Length (about 600 lines): one closure compiler with a specialised closure per
// common shape (field vs literal, `field in [...]`); splitting it would scatter
// the specialisations of one node kind over several files.
// Closure compilation of plan expressions. Each PlanExpr becomes a function of
// the evaluation context; common shapes (field vs literal, random vs literal,
// `field in [literals]`) get dedicated closures. No eval, no new Function.
//
// Semantics: a missing field (undefined or null) is `undefined`. Any comparison,
// `in`, `not in` or `between` involving a missing value is false; `not` negates
// its argument normally, so `not (missing == x)` is true. Arithmetic with a
// missing or non-numeric operand (or a division by zero) yields undefined. A
// condition holds only when it evaluates to exactly `true`.

import type { PlanCompareOp, PlanExpr, PlanValue } from '../plan/index.js';
import { BUILTIN_NAMES, builtin, containsValue, isBuiltin, type BuiltinHost, type BuiltinImpl } from '../core/builtins.js';
import { isScopedName, scopedName, type ScopedSource } from '../core/scoped-names.js';
import { isValidZone, tryZoneClock, zoneClock } from './time.js';
import { loadGeography, zipDistance, zipState, zipTimezone } from './geo.js';

export interface EvalContext {
  /** The (validated) lead. */
  lead: Record<string, unknown>;
  /** The lead's random number, 1..100. */
  random: number;
  /** Routing time, ms since the epoch. */
  now: number;
  /** A bid, for auction rank/floor expressions: the field `bid.price` reads `bid.price` here. */
  bid?: Record<string, unknown>;
  /** Other dotted variables: `buyer.acceptance` reads `vars.buyer.acceptance`. */
  vars?: Record<string, Record<string, unknown> | undefined>;
}

/** A dotted name (`bid.price`) is a variable of the context, never a lead field (lead field names have no dots). */
export function isVariableName(name: string): boolean {
  return name.includes('.');
}

type ContextObject = Record<string, unknown> | undefined;

/** Where each source of scoped names (src/core/scoped-names.ts) sits in the context. */
const SOURCES: Record<ScopedSource, (ctx: EvalContext) => ContextObject> = {
  bid: (ctx) => ctx.bid,
  buyer: (ctx) => ctx.vars?.buyer,
};

const isSource = (head: string): head is ScopedSource => Object.prototype.hasOwnProperty.call(SOURCES, head);

/** A dotted variable's value: a scoped name from its registered source and key, any
 *  other `p.x` from ctx.vars.p (`bid.x` from ctx.bid); undefined when absent. */
export function variableValue(ctx: EvalContext, name: string): unknown {
  let obj: ContextObject;
  let key: string;
  if (isScopedName(name)) {
    const def = scopedName(name);
    obj = SOURCES[def.source](ctx);
    key = def.key;
  } else {
    const dot = name.indexOf('.');
    const head = name.slice(0, dot);
    key = name.slice(dot + 1);
    obj = isSource(head) ? SOURCES[head](ctx) : ctx.vars?.[head];
  }
  if (obj === undefined || obj === null) return undefined;
  const v = obj[key];
  return v === null ? undefined : v;
}

/** A lead field's or a dotted variable's value. */
function nameValue(ctx: EvalContext, name: string): unknown {
  return isVariableName(name) ? variableValue(ctx, name) : ctx.lead[name];
}

/** A plain lead field (the fast paths read ctx.lead directly). */
function isLeadField(e: PlanExpr): e is { op: 'field'; name: string } {
  return e.op === 'field' && !isVariableName(e.name);
}

export type Evaluator = (ctx: EvalContext) => unknown;
export type Predicate = (ctx: EvalContext) => boolean;

/** Thrown by compileExpr for an expression the runtime cannot run. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

// ---------------------------------------------------------------- comparison

/** `a OP b` as rules compare: false when either side is missing, or they are not both numbers or both strings. */
export function compareValues(fn: PlanCompareOp, a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  switch (fn) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
  const ta = typeof a;
  if (ta !== typeof b || (ta !== 'number' && ta !== 'string')) return false;
  const x = a as number;
  const y = b as number;
  switch (fn) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

const FLIP: Record<PlanCompareOp, PlanCompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `field OP literal`: one closure per operator and literal type. */
function fieldVsLit(name: string, fn: PlanCompareOp, lit: PlanValue): Predicate {
  switch (fn) {
    case '==':
      return (ctx) => ctx.lead[name] === lit;
    case '!=':
      return (ctx) => {
        const v = ctx.lead[name];
        return v !== undefined && v !== null && v !== lit;
      };
  }
  if (typeof lit === 'number') {
    switch (fn) {
      case '<':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'number' && v < lit;
        };
      case '<=':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'number' && v <= lit;
        };
      case '>':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'number' && v > lit;
        };
      case '>=':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'number' && v >= lit;
        };
    }
  }
  if (typeof lit === 'string') {
    switch (fn) {
      case '<':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'string' && v < lit;
        };
      case '<=':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'string' && v <= lit;
        };
      case '>':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'string' && v > lit;
        };
      case '>=':
        return (ctx) => {
          const v = ctx.lead[name];
          return typeof v === 'string' && v >= lit;
        };
    }
  }
  return () => false; // ordering on booleans: never true
}

function randomVsLit(fn: PlanCompareOp, lit: PlanValue): Predicate {
  if (typeof lit !== 'number') return fn === '!=' ? () => true : () => false;
  switch (fn) {
    case '==':
      return (ctx) => ctx.random === lit;
    case '!=':
      return (ctx) => ctx.random !== lit;
    case '<':
      return (ctx) => ctx.random < lit;
    case '<=':
      return (ctx) => ctx.random <= lit;
    case '>':
      return (ctx) => ctx.random > lit;
    case '>=':
      return (ctx) => ctx.random >= lit;
  }
}

function compileCompare(fn: PlanCompareOp, left: PlanExpr, right: PlanExpr, path: string): Predicate {
  if (right.op === 'lit') {
    if (isLeadField(left)) return fieldVsLit(left.name, fn, right.value);
    if (left.op === 'random') return randomVsLit(fn, right.value);
  }
  if (left.op === 'lit') {
    if (isLeadField(right)) return fieldVsLit(right.name, FLIP[fn], left.value);
    if (right.op === 'random') return randomVsLit(FLIP[fn], left.value);
    if (right.op === 'lit') {
      const r = compareValues(fn, left.value, right.value);
      return () => r;
    }
  }
  const a = compileExpr(left, path + '/left');
  const b = compileExpr(right, path + '/right');
  switch (fn) {
    case '==':
      return (ctx) => {
        const x = a(ctx);
        return x !== undefined && x !== null && x === b(ctx);
      };
    default:
      return (ctx) => compareValues(fn, a(ctx), b(ctx));
  }
}

// ---------------------------------------------------------------- in / between

function isLiteralList(e: PlanExpr): e is { op: 'list'; items: { op: 'lit'; value: PlanValue }[] } {
  return e.op === 'list' && e.items.every((i) => i.op === 'lit');
}

function compileIn(value: PlanExpr, list: PlanExpr, negated: boolean, path: string): Predicate {
  if (isLiteralList(list)) {
    const set = new Set<unknown>(list.items.map((i) => i.value));
    if (isLeadField(value)) {
      const name = value.name;
      return negated
        ? (ctx) => {
            const v = ctx.lead[name];
            return v !== undefined && v !== null && !set.has(v);
          }
        : (ctx) => set.has(ctx.lead[name]);
    }
    const val = compileExpr(value, path + '/value');
    return (ctx) => {
      const v = val(ctx);
      if (v === undefined || v === null) return false;
      return set.has(v) !== negated;
    };
  }
  const val = compileExpr(value, path + '/value');
  const lst = compileExpr(list, path + '/list');
  return (ctx) => {
    const v = val(ctx);
    if (v === undefined || v === null) return false;
    const r = containsValue(lst(ctx), v);
    return r === undefined ? false : r !== negated;
  };
}

function compileBetween(value: PlanExpr, low: PlanExpr, high: PlanExpr, path: string): Predicate {
  if (low.op === 'lit' && high.op === 'lit' && typeof low.value === 'number' && typeof high.value === 'number') {
    const lo = low.value;
    const hi = high.value;
    if (isLeadField(value)) {
      const name = value.name;
      return (ctx) => {
        const v = ctx.lead[name];
        return typeof v === 'number' && v >= lo && v <= hi;
      };
    }
    const val = compileExpr(value, path + '/value');
    return (ctx) => {
      const v = val(ctx);
      return typeof v === 'number' && v >= lo && v <= hi;
    };
  }
  const val = compileExpr(value, path + '/value');
  const l = compileExpr(low, path + '/low');
  const h = compileExpr(high, path + '/high');
  return (ctx) => {
    const v = val(ctx);
    return compareValues('>=', v, l(ctx)) && compareValues('<=', v, h(ctx));
  };
}

// ---------------------------------------------------------------- built-ins

/** The runtime's clocks and ZIP geography, lent to the builtins' implementations (src/core/builtins.ts). */
const HOST: BuiltinHost = { zoneClock: tryZoneClock, zipDistance, zipState, zipTimezone };

/** A call to a builtin: the arguments evaluated into one buffer per call site (an
 *  expression never re-enters its own call site), then the registry's implementation. */
function compileCall(fn: string, args: PlanExpr[], path: string): Evaluator {
  if (!isBuiltin(fn)) {
    throw new ExprError(`unknown function '${fn}' (the built-ins are ${BUILTIN_NAMES.join(', ')})`, path + '/fn');
  }
  const def = builtin(fn);
  const arity = def.params.length;
  if (args.length !== arity) {
    throw new ExprError(`${fn}() takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`, path + '/args');
  }
  if (def.geography) loadGeography();
  const impl = def.impl;
  const a0 = args[0]!;
  // A literal zone is checked and its clock fixed once, not per lead.
  if (def.zoneArgument && a0.op === 'lit') {
    if (typeof a0.value !== 'string' || !isValidZone(a0.value)) {
      throw new ExprError(`${fn}() needs an IANA time zone, got ${JSON.stringify(a0.value)}`, path + '/args/0');
    }
    const clock = zoneClock(a0.value);
    const host: BuiltinHost = { ...HOST, zoneClock: () => clock };
    const zoneArgs: unknown[] = [a0.value];
    return (ctx) => impl(zoneArgs, ctx, host);
  }
  // A lead field's own value, read directly (the common `exists(field)`).
  if (arity === 1 && isLeadField(a0)) {
    const name = a0.name;
    const buf: unknown[] = [undefined];
    return (ctx) => {
      buf[0] = ctx.lead[name];
      return impl(buf, ctx, HOST);
    };
  }
  return callWith(impl, args.map((a, i) => compileExpr(a, `${path}/args/${i}`)));
}

function callWith(impl: BuiltinImpl, fs: Evaluator[]): Evaluator {
  const buf: unknown[] = new Array<unknown>(fs.length);
  if (fs.length === 1) {
    const a = fs[0]!;
    return (ctx) => {
      buf[0] = a(ctx);
      return impl(buf, ctx, HOST);
    };
  }
  return (ctx) => {
    for (let i = 0; i < fs.length; i++) buf[i] = fs[i]!(ctx);
    return impl(buf, ctx, HOST);
  };
}

// ---------------------------------------------------------------- arithmetic

function compileArith(fn: '+' | '-' | '*' | '/', left: PlanExpr, right: PlanExpr, path: string): Evaluator {
  if (left.op === 'lit' && right.op === 'lit') {
    const r = arith(fn, left.value, right.value);
    return () => r;
  }
  const a = compileExpr(left, path + '/left');
  const b = compileExpr(right, path + '/right');
  switch (fn) {
    case '+':
      return (ctx) => {
        const x = a(ctx);
        const y = b(ctx);
        return typeof x === 'number' && typeof y === 'number' ? x + y : undefined;
      };
    case '-':
      return (ctx) => {
        const x = a(ctx);
        const y = b(ctx);
        return typeof x === 'number' && typeof y === 'number' ? x - y : undefined;
      };
    case '*':
      return (ctx) => {
        const x = a(ctx);
        const y = b(ctx);
        return typeof x === 'number' && typeof y === 'number' ? x * y : undefined;
      };
    case '/':
      return (ctx) => {
        const x = a(ctx);
        const y = b(ctx);
        return typeof x === 'number' && typeof y === 'number' && y !== 0 ? x / y : undefined;
      };
  }
}

function arith(fn: '+' | '-' | '*' | '/', x: unknown, y: unknown): number | undefined {
  if (typeof x !== 'number' || typeof y !== 'number') return undefined;
  switch (fn) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return y === 0 ? undefined : x / y;
  }
}

// ---------------------------------------------------------------- entry points

/** Expression kinds that always produce a boolean. */
function isBoolean(e: PlanExpr): boolean {
  switch (e.op) {
    case 'compare':
    case 'and':
    case 'or':
    case 'not':
    case 'in':
    case 'between':
      return true;
    case 'lit':
      return typeof e.value === 'boolean';
    case 'call':
      return isBuiltin(e.fn) && builtin(e.fn).result === 'bool';
    default:
      return false;
  }
}

/** Compile an expression to a closure returning its value (undefined when missing). */
export function compileExpr(e: PlanExpr, path = ''): Evaluator {
  switch (e.op) {
    case 'lit': {
      const v = e.value;
      return () => v;
    }
    case 'list': {
      if (isLiteralList(e)) {
        const arr = Object.freeze(e.items.map((i) => i.value));
        return () => arr;
      }
      const fs = e.items.map((item, i) => compileExpr(item, `${path}/items/${i}`));
      return (ctx) => fs.map((f) => f(ctx));
    }
    case 'field': {
      const name = e.name;
      if (isVariableName(name)) return (ctx) => variableValue(ctx, name);
      return (ctx) => {
        const v = ctx.lead[name];
        return v === null ? undefined : v;
      };
    }
    case 'random':
      return (ctx) => ctx.random;
    case 'neg': {
      const a = compileExpr(e.arg, path + '/arg');
      return (ctx) => {
        const v = a(ctx);
        return typeof v === 'number' ? -v : undefined;
      };
    }
    case 'arith':
      return compileArith(e.fn, e.left, e.right, path);
    case 'not':
    case 'compare':
    case 'and':
    case 'or':
    case 'in':
    case 'between':
      return compilePredicate(e, path);
    case 'call':
      return compileCall(e.fn, e.args, path);
  }
  throw new ExprError(`unknown expression op '${(e as { op: unknown }).op}'`, path + '/op');
}

const evaluators = new WeakMap<PlanExpr, Evaluator>();
const predicates = new WeakMap<PlanExpr, Predicate>();

/** compileExpr once per expression object: a plan's expressions do not change once loaded. */
export function evaluatorFor(e: PlanExpr): Evaluator {
  let f = evaluators.get(e);
  if (!f) evaluators.set(e, (f = compileExpr(e)));
  return f;
}

/** compilePredicate once per expression object. */
export function predicateFor(e: PlanExpr): Predicate {
  let f = predicates.get(e);
  if (!f) predicates.set(e, (f = compilePredicate(e)));
  return f;
}

/** Compile an expression used as a condition: true only when it evaluates to `true`. */
export function compilePredicate(e: PlanExpr, path = ''): Predicate {
  switch (e.op) {
    case 'compare':
      return compileCompare(e.fn, e.left, e.right, path);
    case 'in':
      return compileIn(e.value, e.list, e.negated, path);
    case 'between':
      return compileBetween(e.value, e.low, e.high, path);
    case 'not': {
      const a = compilePredicate(e.arg, path + '/arg');
      return (ctx) => !a(ctx);
    }
    case 'and': {
      const fs = e.args.map((x, i) => compilePredicate(x, `${path}/args/${i}`));
      if (fs.length === 0) return () => true;
      if (fs.length === 1) return fs[0]!;
      if (fs.length === 2) {
        const [a, b] = fs as [Predicate, Predicate];
        return (ctx) => a(ctx) && b(ctx);
      }
      return (ctx) => {
        for (let i = 0; i < fs.length; i++) if (!fs[i]!(ctx)) return false;
        return true;
      };
    }
    case 'or': {
      const fs = e.args.map((x, i) => compilePredicate(x, `${path}/args/${i}`));
      if (fs.length === 0) return () => false;
      if (fs.length === 1) return fs[0]!;
      if (fs.length === 2) {
        const [a, b] = fs as [Predicate, Predicate];
        return (ctx) => a(ctx) || b(ctx);
      }
      return (ctx) => {
        for (let i = 0; i < fs.length; i++) if (fs[i]!(ctx)) return true;
        return false;
      };
    }
    case 'lit': {
      const v = e.value === true;
      return () => v;
    }
    case 'field': {
      const name = e.name;
      if (isVariableName(name)) return (ctx) => variableValue(ctx, name) === true;
      return (ctx) => ctx.lead[name] === true;
    }
  }
  const f = compileExpr(e, path);
  if (isBoolean(e)) return f as Predicate;
  return (ctx) => f(ctx) === true;
}

/** The lead fields an expression reads (in first-use order) and whether it reads `random`. */
export function referencedNames(e: PlanExpr): { fields: string[]; random: boolean } {
  const fields: string[] = [];
  let random = false;
  const walk = (x: PlanExpr): void => {
    switch (x.op) {
      case 'field':
        if (!fields.includes(x.name)) fields.push(x.name);
        return;
      case 'random':
        random = true;
        return;
      case 'lit':
        return;
      case 'list':
        x.items.forEach(walk);
        return;
      case 'not':
      case 'neg':
        walk(x.arg);
        return;
      case 'arith':
      case 'compare':
        walk(x.left);
        walk(x.right);
        return;
      case 'and':
      case 'or':
      case 'call':
        x.args.forEach(walk);
        return;
      case 'in':
        walk(x.value);
        walk(x.list);
        return;
      case 'between':
        walk(x.value);
        walk(x.low);
        walk(x.high);
        return;
    }
  };
  walk(e);
  return { fields, random };
}

/** A value as a trace shows it: strings bare, lists in brackets. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'missing';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return '[' + v.map(formatValue).join(', ') + ']';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `state = TX, lead_score is missing, random = 42`: the values an expression reads. */
export function describeValues(refs: { fields: string[]; random: boolean }, ctx: EvalContext): string {
  const parts: string[] = [];
  for (const f of refs.fields) {
    const v = nameValue(ctx, f);
    parts.push(v === undefined || v === null ? `${f} is missing` : `${f} = ${formatValue(v)}`);
  }
  if (refs.random) parts.push(`random = ${ctx.random}`);
  return parts.join(', ');
}
