// Checks the routing models share (each model's own checking lives in its
// file under src/models/): buyer lists and flow references.

import type { Ident } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { checkBuyerRef, denotes } from './buyers.js';
import type { CheckContext } from './context.js';

/** Buyers of an action: each known (LR201), none twice (LR406). */
export function checkBuyerList(ctx: CheckContext, buyers: (Ident | undefined)[], what: string, help?: string): void {
  const seen = new Map<string, Ident>();
  for (const b of buyers) {
    if (!b || typeof b.name !== 'string' || b.name === '') continue;
    checkBuyerRef(ctx, b);
    const prev = seen.get(b.name);
    if (prev) {
      if (help !== undefined) ctx.report('LR406.modelHelp', b.span, b.name, what, help);
      else ctx.report(what === 'split' ? 'LR406.split' : 'LR406', b.span, b.name, what);
    } else seen.set(b.name, b);
  }
}

export function checkFlowRef(ctx: CheckContext, ref: Ident | undefined): void {
  if (ref && typeof ref.name === 'string' && ref.name !== '' && !denotes(ctx, ref, 'flow'))
    ctx.report('LR202', ref.span, ref.name, didYouMean(ref.name, ctx.flows));
}
