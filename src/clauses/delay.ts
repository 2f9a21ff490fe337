// `delay 10m`: deliver a sold lead that long after the sale (src/deliver).

import { durationMs, loadsNothing, type ClauseModule } from './types.js';

export const delayClause: ClauseModule<'delay'> = {
  kind: 'delay',
  check: (_ctx, exprs, c) => void exprs.duration(c.delay, '`delay`'),
  emit(c, draft) {
    draft.plan.delivery.delayMs = durationMs(c.delay);
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'once' },
};
