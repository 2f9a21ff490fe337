// `route X [cap …] [overflow Y]`: offer the lead to one buyer, with the rule's
// own caps; when a cap turns it away, to the rule's overflow (first hop), then
// along each buyer's own overflow chain.

import { Type } from '@sinclair/typebox';
import { checkBuyerRef, checkCaps } from '../check/buyers.js';
import type { CapCounter } from '../runtime/caps.js';
import { NOT_PLACED, PLACED } from '../runtime/run.js';
import { couldNotPlace, noFlows, type ModelModule } from './types.js';
import { BuyerName, Caps, exact, nullable } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof routePlan>`). */
export const routePlan = exact({ kind: Type.Literal('route'), buyer: BuyerName, caps: Caps, overflow: nullable(BuyerName) });

export interface LoadedRoute {
  kind: 'route';
  buyer: number;
  /** The rule's own caps on this buyer. */
  counters: CapCounter[];
  /** The rule's overflow buyer, -1 for none. */
  overflow: number;
}

export const routeModel: ModelModule<'route', LoadedRoute, typeof routePlan> = {
  kind: 'route',
  plan: routePlan,

  check(ctx, _exprs, a) {
    checkBuyerRef(ctx, a.buyer);
    checkCaps(ctx, a.caps);
    if (a.overflow) {
      const known = checkBuyerRef(ctx, a.overflow);
      if (known && a.overflow.name === a.buyer?.name) {
        ctx.report('LR409', a.overflow.span, a.overflow.name);
      }
    }
  },

  bind(a, env) {
    env.buyer(a.buyer);
    env.buyer(a.overflow);
  },

  emit: (a, env) => ({ kind: 'route', buyer: a.buyer.name, caps: a.caps.map(env.cap), overflow: a.overflow?.name ?? null }),

  load: (a, env, rule, path) => ({
    kind: 'route',
    buyer: env.buyer(a.buyer, `${path}/buyer`),
    counters: env.ruleCounters(rule.id, a.buyer, a.caps),
    overflow: a.overflow === null ? -1 : env.buyer(a.overflow, `${path}/overflow`),
  }),

  run: (engine, run, _rule, a) => (engine.offer(run, a.buyer, a.counters, a.overflow, null) ? PLACED : NOT_PLACED),

  unplaced: couldNotPlace,

  traits: {
    // The rule's caps, or anything that lets the buyer refuse, pass the lead on.
    fallsThrough: (a, facts) => (Array.isArray(a.caps) && a.caps.length > 0) || facts.canRefuse(a.buyer),
    buyers: (a) => [a.buyer, a.overflow],
    flows: noFlows,
    overflows: (a) => (a.buyer && a.overflow ? [{ from: a.buyer, to: a.overflow }] : []),
    targets(a, t) {
      if (t.states && t.points > 0) t.add(a.buyer, t.points);
    },
  },
};
