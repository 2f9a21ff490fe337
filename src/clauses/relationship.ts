// `relationship 0.8`: how much the seller values the buyer, 0 to 1 (0.5 when
// unsaid), read by scoring (`rank`): never a refusal.

import { tailSpan } from '../check/context.js';
import type { ClauseModule } from './types.js';

/** The score of a buyer that states none. */
export const DEFAULT_RELATIONSHIP = 0.5;

export const relationshipClause: ClauseModule<'relationship'> = {
  kind: 'relationship',
  check(ctx, _exprs, c) {
    if (typeof c.score === 'number' && !(c.score >= 0 && c.score <= 1))
      if (Number.isInteger(c.score) && c.score > 1 && c.score <= 100)
        ctx.report('LR311.relationshipPercent', tailSpan(c.span, String(c.score).length), String(c.score), String(c.score / 100));
      else ctx.report('LR311.relationship', tailSpan(c.span, String(c.score).length), String(c.score));
  },
  emit(c, draft) {
    draft.plan.relationship = c.score;
  },
  load(b, into) {
    into.relationship = b.relationship ?? DEFAULT_RELATIONSHIP;
  },
  refusal: null,
  traits: { canRefuse: false, selling: false, perBuyer: 'once' },
};
