// What the flow analyses need to know about a declared buyer: whether it can
// turn a lead away. A matched rule whose buyers can all refuse may leave the
// lead unplaced, and routing then goes on to the next rule (REFERENCE.md,
// "Flows"), so reachability must not call the next rule unreachable.

import type { BuyerClause, BuyerDecl, Ident } from '../lang/ast.js';
import type { BuyerFacts } from './types.js';

/** Whether a clause can make the buyer refuse a lead at routing time.
 *  (Refusals at delivery are not static facts: a Seller's re-route excludes
 *  the buyer, which the LR403 message's note covers.) */
function clauseRefuses(c: BuyerClause): boolean {
  switch (c.kind) {
    case 'accepts':
    case 'cap':
    case 'hours':
    case 'holidays':
    case 'dedupe':
    case 'requires':
      return true;
    case 'price':
    case 'overflow': // only after a cap refused
    case 'prefers':
    case 'relationship':
    case 'closed': // only after hours or holidays refused
    case 'ping':
    case 'bid':
    case 'post':
    case 'pixel':
    case 'delay':
    case 'batch':
    case 'breaker':
      return false;
    default:
      return c satisfies never;
  }
}

export function buyerCanRefuse(decl: BuyerDecl): boolean {
  const clauses = Array.isArray(decl.clauses) ? decl.clauses : [];
  return clauses.some((c) => !!c && typeof c === 'object' && clauseRefuses(c));
}

/** Facts about the declared buyers; an unknown name (already LR201) counts as refusing. */
export function buyerFacts(decls: ReadonlyMap<string, BuyerDecl>): BuyerFacts {
  const memo = new Map<string, boolean>();
  return {
    canRefuse(buyer: Ident | undefined): boolean {
      const name = buyer?.name;
      if (typeof name !== 'string') return true;
      let v = memo.get(name);
      if (v === undefined) {
        const decl = decls.get(name);
        v = decl === undefined || buyerCanRefuse(decl);
        memo.set(name, v);
      }
      return v;
    },
  };
}
