// `overflow Other`: when the buyer's caps turn a lead away, offer it to
// `Other` (and on along its own overflow; Engine.offer walks the chain).

import { checkBuyerRef } from '../check/buyers.js';
import type { ClauseModule } from './types.js';

export const overflowClause: ClauseModule<'overflow'> = {
  kind: 'overflow',
  check: (ctx, _exprs, c) => void checkBuyerRef(ctx, c.target),
  emit(c, draft) {
    draft.plan.overflow = c.target.name;
  },
  load(b, into, env, path) {
    into.overflow = b.overflow === null ? -1 : env.buyer(b.overflow, `${path}/overflow`);
  },
  refusal: null, // it only acts after a cap refused
  traits: {
    canRefuse: false,
    selling: false,
    perBuyer: 'once',
    onceHelp: 'a buyer overflows to one buyer; chain them by giving that buyer its own `overflow`',
  },
};
