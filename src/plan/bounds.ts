// The first look at a would-be plan, before its schema: one iterative walk over
// the raw JSON that refuses what would break a validator or a loader before
// they run. Every number must be finite (a JSON number like 1e999 parses to
// Infinity), every expression within MAX_EXPR_DEPTH and MAX_EXPR_NODES, and the
// whole value within a nesting depth no plan needs. The walk keeps its own
// stack, so a 100,000-deep value costs a loop, never the call stack; and it
// stops descending where a limit is passed, so it costs no more than the limit.

import { MAX_EXPR_DEPTH, MAX_EXPR_NODES } from '../core/limits.js';
import type { PlanProblem } from './problems.js';

/** Deepest JSON nesting a plan may have: its own structure is about a dozen
 *  levels, an expression at most two per level (a node, its argument list), and
 *  a lead schema a few per field; nothing deeper is a plan. */
const MAX_PLAN_JSON_DEPTH = 2 * MAX_EXPR_DEPTH + 100;

interface Frame {
  value: unknown;
  parent: Frame | null;
  key: string;
  depth: number;
  /** The expression this node is part of, null outside expressions. */
  expr: ExprRoot | null;
  /** Expression nodes from the root expression down to this one, itself included. */
  exprDepth: number;
  /** Inside the lead's JSON Schema: the user's JSON, with no plan expressions in it. */
  inLead: boolean;
}

interface ExprRoot {
  frame: Frame;
  nodes: number;
  /** Whether a limit was reported for this expression (then the rest of it is skipped). */
  reported: boolean;
}

/** The JSON pointer of a frame, built only when a problem names it. */
function pointerOf(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f !== null && f.parent !== null; f = f.parent) keys.push(f.key.replace(/~/g, '~0').replace(/\//g, '~1'));
  return keys.length === 0 ? '/' : '/' + keys.reverse().join('/');
}

/** An expression node: in a plan, exactly the objects with a string `op`. */
const isExprNode = (v: object): boolean => typeof (v as { op?: unknown }).op === 'string';

export interface Bounds {
  problems: PlanProblem[];
  /** Every `call` node, for the verifier to check its function once the shape is known. */
  calls: { node: unknown; path: () => string }[];
}

export function checkBounds(json: unknown): Bounds {
  const problems: PlanProblem[] = [];
  const calls: Bounds['calls'] = [];
  const stack: Frame[] = [{ value: json, parent: null, key: '', depth: 0, expr: null, exprDepth: 0, inLead: false }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value } = frame;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) problems.push({ path: pointerOf(frame), message: `must be a finite number, not ${String(value)}` });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (frame.depth > MAX_PLAN_JSON_DEPTH) {
      problems.push({ path: pointerOf(frame), message: `is nested more than ${MAX_PLAN_JSON_DEPTH} levels deep, deeper than any plan` });
      continue;
    }
    let expr = frame.expr;
    let exprDepth = frame.exprDepth;
    const inLead = frame.inLead || (frame.parent !== null && frame.parent.parent === null && frame.key === 'lead');
    if (!inLead && isExprNode(value)) {
      if (expr === null) expr = { frame, nodes: 0, reported: false };
      if (expr.reported) continue;
      exprDepth += 1;
      expr.nodes += 1;
      // Leaves add no level: `a + b + c` is two levels deep, three nodes down.
      if (exprDepth - 1 > MAX_EXPR_DEPTH) {
        expr.reported = true;
        problems.push({ path: pointerOf(expr.frame), message: `the expression is nested more than ${MAX_EXPR_DEPTH} levels deep (the limit on expression depth)` });
        continue;
      }
      if (expr.nodes > MAX_EXPR_NODES) {
        expr.reported = true;
        problems.push({ path: pointerOf(expr.frame), message: `the expression has more than ${MAX_EXPR_NODES} nodes (the limit on expression size)` });
        continue;
      }
      if ((value as { op: string }).op === 'call') calls.push({ node: value, path: () => pointerOf(frame) });
    }
    // Pushed in reverse so problems come out in document order.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: frame, key: String(i), depth: frame.depth + 1, expr, exprDepth, inLead });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (value as Record<string, unknown>)[key], parent: frame, key, depth: frame.depth + 1, expr, exprDepth, inLead });
      }
    }
  }
  return { problems, calls };
}
