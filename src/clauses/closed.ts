// `when closed skip | hold | send Other`: what happens to a lead while the
// buyer is closed (by `hours` or `holidays`). It refuses nothing itself: the
// closing clause does, then the engine holds the lead (hours.ts, holidays.ts)
// or passes it to `Other` (Engine.offer).

import { headSpan } from '../check/context.js';
import { checkBuyerRef } from '../check/buyers.js';
import type { ClauseModule } from './types.js';

/** A closed buyer's behaviour, as the loaded buyer's `offHours` holds it. */
export const OFF_SKIP = 0;
export const OFF_HOLD = 1;
export const OFF_SEND = 2;

export const closedClause: ClauseModule<'closed'> = {
  kind: 'closed',
  check(ctx, _exprs, c, buyer) {
    if (c.action === 'send') checkBuyerRef(ctx, c.target);
    if (buyer.isFirst(c) && !buyer.clauses.some((o) => o.kind === 'hours' || o.kind === 'holidays'))
      ctx.report('LR503', headSpan(c.span, 'when closed'.length), buyer.name);
  },
  emit(c, draft) {
    draft.plan.offHours = c.action === 'send' && c.target ? { kind: 'send', buyer: c.target.name } : { kind: c.action === 'hold' ? 'hold' : 'skip' };
  },
  load(b, into, env, path) {
    const off = b.offHours ?? { kind: 'skip' };
    into.offHours = off.kind === 'hold' ? OFF_HOLD : off.kind === 'send' ? OFF_SEND : OFF_SKIP;
    into.offHoursSend = off.kind === 'send' ? env.buyer(off.buyer, `${path}/offHours/buyer`) : -1;
  },
  refusal: null,
  traits: { canRefuse: false, selling: false, perBuyer: 'once' },
};
