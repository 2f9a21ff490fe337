// What the flow analyses need to know about a declared buyer: whether it can
// turn a lead away. A matched rule whose buyers can all refuse may leave the
// lead unplaced, and routing then goes on to the next rule (REFERENCE.md,
// "Flows"), so reachability must not call the next rule unreachable.

import { clauseOf } from '../clauses/index.js';
import type { BuyerDecl, Ident } from '../lang/ast.js';
import type { BuyerFacts } from './types.js';

/** Whether some clause can make the buyer refuse a lead at routing time (its
 *  `canRefuse` trait, src/clauses/). Refusals at delivery are not static
 *  facts: a Seller's re-route excludes the buyer, which the LR403 message's
 *  note covers. */
export function buyerCanRefuse(decl: BuyerDecl): boolean {
  const clauses = Array.isArray(decl.clauses) ? decl.clauses : [];
  return clauses.some((c) => !!c && typeof c === 'object' && clauseOf(c.kind)?.traits.canRefuse === true);
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
