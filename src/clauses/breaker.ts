// `breaker 5 cooldown 30s`: after that many failed posts in a row, stop
// posting to the buyer for the cooldown (src/deliver).

import { headSpan } from '../check/context.js';
import { positiveDuration, wholeCount } from '../check/http.js';
import { durationMs, loadsNothing, type ClauseModule } from './types.js';

export const breakerClause: ClauseModule<'breaker'> = {
  kind: 'breaker',
  check(ctx, exprs, c) {
    wholeCount(ctx, c.failures, headSpan(c.span, 'breaker'.length), "a breaker's failure count", 1, 'breaker 5 cooldown 30s');
    positiveDuration(ctx, exprs, c.cooldown, 'a breaker cooldown', 'never stops posting');
  },
  emit(c, draft) {
    draft.plan.delivery.breaker = { failures: c.failures, cooldownMs: durationMs(c.cooldown) };
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'once' },
};
