// `price <money expression>`: what the buyer pays for a lead. A rule may
// override it (a share entry's price) and add a premium (a specialist tier).

import type { EvalContext, Evaluator } from '../runtime/expr.js';
import type { LoadedBuyer } from '../runtime/load.js';
import { priceOf, round2, type Premium } from '../runtime/run.js';
import type { ClauseModule } from './types.js';

/** The buyer's price for the lead in `ctx`, with a rule's override and premium. */
export function priceFor(buyer: LoadedBuyer, override: Evaluator | null, premium: Premium | null, ctx: EvalContext): number {
  const base = priceOf(override ?? buyer.price, ctx);
  if (premium === null) return base;
  return round2(premium.kind === 'percent' ? base * (1 + premium.amount / 100) : base + premium.amount);
}

export const priceClause: ClauseModule<'price'> = {
  kind: 'price',
  check: (_ctx, exprs, c) => exprs.price(c.value, '`price`'),
  emit(c, draft, env) {
    draft.plan.price = env.expr(c.value);
  },
  load(b, into, env, path) {
    into.price = b.price === null ? null : env.expr(b.price, `${path}/price`);
  },
  refusal: null,
  traits: {
    canRefuse: false,
    selling: false,
    perBuyer: 'once',
    onceHelp: 'keep one price; it may depend on the lead, e.g. `price $20 + (credit_score - 600) / 10`',
  },
};
