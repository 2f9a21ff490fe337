// The one rule for personal data: a value derived from a PII field is PII.
// Pings (fields and templates), pixels (templates) and fallback rewrites all
// ask it, so personal data cannot be laundered through an expression into a
// field, and from there into a ping or a pixel.

import type { Expr } from '../lang/ast.js';
import type { LeadField } from './types.js';

/** The first PII field an expression reads, if any (its value then is PII). */
export function personalFieldIn(e: Expr | undefined, fields: ReadonlyMap<string, LeadField>): string | undefined {
  const stack: (Expr | undefined)[] = [e];
  while (stack.length > 0) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    switch (n.kind) {
      case 'name':
        if (fields.get(n.name)?.pii === true) return n.name;
        break;
      case 'list':
        stack.push(...n.items);
        break;
      case 'unary':
        stack.push(n.arg);
        break;
      case 'binary':
      case 'compare':
      case 'logical':
        stack.push(n.left, n.right);
        break;
      case 'in':
        stack.push(n.value, n.list);
        break;
      case 'between':
        stack.push(n.value, n.low, n.high);
        break;
      case 'within':
        stack.push(n.value, n.duration);
        break;
      case 'call':
        stack.push(...n.args);
        break;
      case 'string':
      case 'number':
      case 'bool':
      case 'money':
      case 'duration':
      case 'percent':
      case 'error':
        break;
      default:
        return (n satisfies never) && undefined;
    }
  }
  return undefined;
}
