// `prefers <condition> weight N`: a soft preference, read by scoring (`rank`
// by quality): never a refusal.

import { tailSpan } from '../check/context.js';
import type { ClauseModule } from './types.js';

export const prefersClause: ClauseModule<'prefers'> = {
  kind: 'prefers',
  check(ctx, exprs, c) {
    exprs.condition(c.condition, 'the `prefers` condition');
    if (typeof c.weight === 'number' && !(c.weight > 0))
      ctx.report('LR311.preferenceWeight', tailSpan(c.span, String(c.weight).length), String(c.weight));
  },
  emit(c, draft, env) {
    draft.plan.prefers.push({ expr: env.expr(c.condition), text: env.text(c.condition.span), weight: c.weight });
  },
  load(b, into, env, path) {
    into.prefers = (b.prefers ?? []).map((p, j) => ({ test: env.predicate(p.expr, `${path}/prefers/${j}/expr`), text: p.text, weight: p.weight }));
    into.prefersWeight = into.prefers.reduce((sum, p) => sum + p.weight, 0);
  },
  refusal: null,
  traits: { canRefuse: false, selling: false, perBuyer: 'many' },
};
