// The first look at a would-be plan, before its schema: one walk over the raw
// JSON that refuses what would break a validator or a loader before they run.
// Every number must be finite (a JSON number like 1e999 parses to Infinity),
// every expression within MAX_EXPR_DEPTH and MAX_EXPR_NODES, and the whole
// value within a nesting depth no plan needs. The walk never descends past
// that depth, so a 100,000-deep value costs a few hundred calls, never the
// whole call stack; and it stops where a limit is passed, so it costs no more
// than the limit.

import { MAX_EXPR_DEPTH, MAX_EXPR_NODES } from '../core/limits.js';
import type { PlanProblem } from './problems.js';

/** Deepest JSON nesting a plan may have: its own structure is about a dozen
 *  levels, an expression at most two per level (a node, its argument list), and
 *  a lead schema a few per field; nothing deeper is a plan. */
const MAX_PLAN_JSON_DEPTH = 2 * MAX_EXPR_DEPTH + 100;

interface ExprRoot {
  /** How many keys lead to the expression's root (a prefix of the walk's key path). */
  at: number;
  nodes: number;
  /** Whether a limit was reported for this expression (then the rest of it is skipped). */
  reported: boolean;
}

/** The JSON pointer of the first `length` keys of a path, built only when a problem names it. */
function pointerOf(keys: readonly (string | number)[], length: number): string {
  if (length === 0) return '/';
  let out = '';
  for (let i = 0; i < length; i++) {
    const key = keys[i]!;
    out += '/' + (typeof key === 'number' ? String(key) : key.replace(/~/g, '~0').replace(/\//g, '~1'));
  }
  return out;
}

/** An expression node: in a plan, exactly the objects with a string `op`. */
const isExprNode = (v: object): boolean => typeof (v as { op?: unknown }).op === 'string';

export interface Bounds {
  problems: PlanProblem[];
  /** Every `call` node, for the verifier to check its function once the shape is known. */
  calls: { node: unknown; path: () => string }[];
}

export function checkBounds(json: unknown): Bounds {
  return new BoundsWalk().run(json);
}

/**
 * A depth-first walk in document order. It recurses, but never deeper than
 * MAX_PLAN_JSON_DEPTH (a deeper value is reported, not entered), and it makes
 * nothing per value: the path is one array of keys, pushed and popped, and a
 * leaf that can have no problem (a string, a finite number …) costs a test.
 * On a 100,000-buyer plan a frame object per value was most of its time.
 */
class BoundsWalk {
  private readonly problems: PlanProblem[] = [];
  private readonly calls: Bounds['calls'] = [];
  /** The keys from the root to the value being visited (array indices as numbers). */
  private readonly keys: (string | number)[] = [];

  run(json: unknown): Bounds {
    this.visit(json, null, 0, false);
    return { problems: this.problems, calls: this.calls };
  }

  private problem(length: number, message: string): void {
    this.problems.push({ path: pointerOf(this.keys, length), message });
  }

  /** `expr`: the expression this value is part of, null outside expressions;
   *  `exprDepth`: expression nodes from its root down to the parent;
   *  `inLead`: inside the lead's JSON Schema (the user's JSON, no plan expressions). */
  private visit(value: unknown, expr: ExprRoot | null, exprDepth: number, inLead: boolean): void {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) this.problem(this.keys.length, `must be a finite number, not ${String(value)}`);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const depth = this.keys.length;
    if (depth > MAX_PLAN_JSON_DEPTH) {
      this.problem(depth, `is nested more than ${MAX_PLAN_JSON_DEPTH} levels deep, deeper than any plan`);
      return;
    }
    const lead = inLead || (depth === 1 && this.keys[0] === 'lead');
    if (!lead && isExprNode(value)) {
      if (expr === null) expr = { at: depth, nodes: 0, reported: false };
      if (expr.reported) return;
      exprDepth += 1;
      expr.nodes += 1;
      // Leaves add no level: `a + b + c` is two levels deep, three nodes down.
      if (exprDepth - 1 > MAX_EXPR_DEPTH) {
        expr.reported = true;
        this.problem(expr.at, `the expression is nested more than ${MAX_EXPR_DEPTH} levels deep (the limit on expression depth)`);
        return;
      }
      if (expr.nodes > MAX_EXPR_NODES) {
        expr.reported = true;
        this.problem(expr.at, `the expression has more than ${MAX_EXPR_NODES} nodes (the limit on expression size)`);
        return;
      }
      if ((value as { op: string }).op === 'call') {
        const keys = this.keys.slice();
        this.calls.push({ node: value, path: () => pointerOf(keys, keys.length) });
      }
    }
    const keys = this.keys;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (typeof child !== 'object' && typeof child !== 'number') continue;
        keys.push(i);
        this.visit(child, expr, exprDepth, lead);
        keys.pop();
      }
    } else {
      for (const key of Object.keys(value)) {
        const child = (value as Record<string, unknown>)[key];
        if (typeof child !== 'object' && typeof child !== 'number') continue;
        keys.push(key);
        this.visit(child, expr, exprDepth, lead);
        keys.pop();
      }
    }
  }
}
