// Expressions back to text: for messages (`credit_score >= "700"`) and as a
// structural key that ignores spans and redundant parentheses, so two rules
// with the same condition can be recognised.

import type { Expr } from '../lang/ast.js';

const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  neg: 7,
  atom: 8,
};

function precedence(e: Expr | undefined): number {
  if (!e || typeof e !== 'object') return PRECEDENCE.atom!;
  switch (e.kind) {
    case 'logical':
      return PRECEDENCE[e.op]!;
    case 'unary':
      return e.op === 'not' ? PRECEDENCE.not! : PRECEDENCE.neg!;
    case 'compare':
    case 'in':
    case 'between':
    case 'within':
      return PRECEDENCE.compare!;
    case 'binary':
      return PRECEDENCE[e.op] ?? PRECEDENCE.atom!;
    default:
      return PRECEDENCE.atom!;
  }
}

function num(n: number): string {
  return Number.isFinite(n) ? String(n) : '?';
}

/** Source-like text for an expression, with only the parentheses it needs. */
export function render(e: Expr | undefined, depth = 0): string {
  if (!e || typeof e !== 'object' || depth > 200) return '…';
  const sub = (child: Expr, min: number) => {
    const text = render(child, depth + 1);
    return precedence(child) < min ? `(${text})` : text;
  };
  switch (e.kind) {
    case 'number':
      return num(e.value);
    case 'string':
      return JSON.stringify(String(e.value));
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'money':
      return `$${num(e.value)}`;
    case 'duration':
      return typeof e.text === 'string' && e.text !== '' ? e.text : `${num(e.ms)}ms`;
    case 'percent':
      return `${num(e.value)}%`;
    case 'list':
      return `[${(Array.isArray(e.items) ? e.items : []).map((i) => render(i, depth + 1)).join(', ')}]`;
    case 'name':
      return String(e.name);
    case 'unary':
      return e.op === 'not' ? `not ${sub(e.arg, PRECEDENCE.not!)}` : `-${sub(e.arg, PRECEDENCE.neg!)}`;
    case 'binary': {
      const p = PRECEDENCE[e.op] ?? PRECEDENCE.atom!;
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${sub(e.left, p)} ${e.op} ${sub(e.right, p + 1)}`;
    }
    case 'compare':
      return `${sub(e.left, PRECEDENCE.compare! + 1)} ${e.op} ${sub(e.right, PRECEDENCE.compare! + 1)}`;
    case 'logical': {
      const p = PRECEDENCE[e.op]!;
      return `${sub(e.left, p)} ${e.op} ${sub(e.right, p + 1)}`;
    }
    case 'in':
      return `${sub(e.value, PRECEDENCE.compare! + 1)} ${e.negated ? 'not in' : 'in'} ${sub(
        e.list,
        PRECEDENCE.compare! + 1,
      )}`;
    case 'between':
      return `${sub(e.value, PRECEDENCE.compare! + 1)} between ${sub(e.low, PRECEDENCE.compare! + 1)} and ${sub(
        e.high,
        PRECEDENCE.compare! + 1,
      )}`;
    case 'within':
      return `${sub(e.value, PRECEDENCE.compare! + 1)} within ${sub(e.duration, PRECEDENCE.compare! + 1)}`;
    case 'call':
      return `${e.callee?.name ?? '?'}(${(Array.isArray(e.args) ? e.args : []).map((a) => render(a, depth + 1)).join(', ')})`;
    case 'error':
      return '…';
    default:
      return '…';
  }
}

/** Short text for a message: the expression itself when it is short. */
export function quote(e: Expr | undefined, max = 40): string | undefined {
  const text = render(e);
  return text.length <= max && !text.includes('…') ? `\`${text}\`` : undefined;
}

/** A key equal for structurally identical expressions; undefined when the
 *  expression holds recovery errors (such conditions are never compared). */
export function structuralKey(e: Expr | undefined): string | undefined {
  const text = keyOf(e, 0);
  return text.includes('\u0000') ? undefined : text;
}

function keyOf(e: Expr | undefined, depth: number): string {
  if (!e || typeof e !== 'object' || depth > 200) return '\u0000';
  const k = (x: Expr | undefined) => keyOf(x, depth + 1);
  switch (e.kind) {
    case 'number':
    case 'money':
    case 'percent':
      return `${e.kind}:${e.value}`;
    case 'duration':
      return `duration:${e.ms}`;
    case 'string':
      return `string:${JSON.stringify(e.value)}`;
    case 'bool':
      return `bool:${e.value}`;
    case 'name':
      return `name:${e.name}`;
    case 'list':
      return `[${(Array.isArray(e.items) ? e.items : []).map(k).join(',')}]`;
    case 'unary':
      return `(${e.op} ${k(e.arg)})`;
    case 'binary':
    case 'compare':
    case 'logical':
      return `(${e.op} ${k(e.left)} ${k(e.right)})`;
    case 'in':
      return `(${e.negated ? 'notin' : 'in'} ${k(e.value)} ${k(e.list)})`;
    case 'between':
      return `(between ${k(e.value)} ${k(e.low)} ${k(e.high)})`;
    case 'within':
      return `(within ${k(e.value)} ${k(e.duration)})`;
    case 'call':
      return `(call ${e.callee?.name} ${(Array.isArray(e.args) ? e.args : []).map(k).join(' ')})`;
    default:
      return '\u0000';
  }
}
