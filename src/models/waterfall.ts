// `waterfall { A when lead_score >= 80; B when lead_score >= 50; C }`: offer
// the lead to each tier in turn (skipping those whose condition is false);
// the first buyer that takes it ends the waterfall.

import { Type } from '@sinclair/typebox';
import { checkBuyerList } from '../check/models.js';
import type { LoadedCondition } from '../runtime/load.js';
import { condFailed, EMPTY, NOT_PLACED, PLACED } from '../runtime/run.js';
import { couldNotPlace, noFlows, noOverflows, present, statesNoTarget, type ModelModule } from './types.js';
import { BuyerName, exact, MaybeExpr, MaybeString, NonEmpty } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof waterfallPlan>`). */
export const waterfallPlan = exact({ kind: Type.Literal('waterfall'), tiers: NonEmpty(exact({ buyer: BuyerName, when: MaybeExpr, whenText: MaybeString })) });

export interface LoadedWaterfall {
  kind: 'waterfall';
  tiers: { buyer: number; when: LoadedCondition | null }[];
}

export const waterfallModel: ModelModule<'waterfall', LoadedWaterfall, typeof waterfallPlan> = {
  kind: 'waterfall',
  plan: waterfallPlan,

  check(ctx, exprs, a) {
    const tiers = present(a.tiers);
    checkBuyerList(
      ctx,
      tiers.map((t) => t.buyer),
      'waterfall',
    );
    for (const t of tiers) if (t.condition) exprs.condition(t.condition, 'the tier condition');
  },

  bind(a, env) {
    for (const t of present(a.tiers)) {
      env.buyer(t.buyer);
      env.expr(t.condition);
    }
  },

  emit: (a, env) => ({
    kind: 'waterfall',
    tiers: a.tiers.map((t) => ({
      buyer: t.buyer.name,
      when: t.condition ? env.expr(t.condition) : null,
      whenText: t.condition ? env.text(t.condition.span) : null,
    })),
  }),

  load: (a, env, _rule, path) => ({
    kind: 'waterfall',
    tiers: a.tiers.map((t, j) => ({
      buyer: env.buyer(t.buyer, `${path}/tiers/${j}/buyer`),
      when: t.when === null ? null : env.cond(t.when, t.whenText ?? '', `${path}/tiers/${j}/when`),
    })),
  }),

  run(engine, run, _rule, a) {
    const tiers = a.tiers;
    for (let j = 0; j < tiers.length; j++) {
      const t = tiers[j]!;
      if (t.when !== null && !t.when.test(run.ctx)) {
        if (run.trace) {
          const name = engine.plan.buyers[t.buyer]!.name;
          engine.note(run, 'TierSkipped', `tier ${name} skipped: ${condFailed(t.when, run.ctx)}`, name);
        }
        continue;
      }
      if (engine.tried[t.buyer] === run.stamp) continue;
      if (engine.offer(run, t.buyer, EMPTY, -1, null)) return PLACED;
    }
    return NOT_PLACED;
  },

  unplaced: couldNotPlace,

  traits: {
    // Placed for sure only by an unconditional tier whose buyer cannot refuse.
    fallsThrough: (a, facts) => present(a.tiers).every((t) => !!t.condition || facts.canRefuse(t.buyer)),
    buyers: (a) => present(a.tiers).map((t) => t.buyer),
    flows: noFlows,
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};
