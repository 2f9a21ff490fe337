// `share max 3 { A, B $18, C }`: offer the lead to each entry in turn, each at
// its own price, until `max` buyers have taken a share.

import { Type } from '@sinclair/typebox';
import { checkBuyerList } from '../check/models.js';
import type { Evaluator } from '../runtime/expr.js';
import { EMPTY, NOT_PLACED, PLACED } from '../runtime/run.js';
import { allCanRefuse, checkShareSize, couldNotPlace, noFlows, noOverflows, present, statesNoTarget, type ModelModule } from './types.js';
import { AtLeastOne, BuyerName, exact, MaybeExpr, NonEmpty } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof sharePlan>`). */
export const sharePlan = exact({ kind: Type.Literal('share'), max: AtLeastOne, entries: NonEmpty(exact({ buyer: BuyerName, price: MaybeExpr })) });

export interface LoadedShare {
  kind: 'share';
  max: number;
  entries: { buyer: number; price: Evaluator | null }[];
}

export const shareModel: ModelModule<'share', LoadedShare, typeof sharePlan> = {
  kind: 'share',
  plan: sharePlan,

  check(ctx, exprs, a) {
    const entries = present(a.entries);
    checkShareSize(ctx, a.max, 'share max', a.span);
    checkBuyerList(
      ctx,
      entries.map((e) => e.buyer),
      'share',
    );
    for (const e of entries) if (e.price) exprs.price(e.price, `the shared price for \`${e.buyer?.name ?? '?'}\``);
  },

  bind(a, env) {
    for (const e of present(a.entries)) {
      env.buyer(e.buyer);
      env.expr(e.price);
    }
  },

  emit: (a, env) => ({
    kind: 'share',
    max: a.max,
    entries: a.entries.map((e) => ({ buyer: e.buyer.name, price: e.price ? env.expr(e.price) : null })),
  }),

  load: (a, env, _rule, path) => ({
    kind: 'share',
    max: a.max,
    entries: a.entries.map((e, j) => ({
      buyer: env.buyer(e.buyer, `${path}/entries/${j}/buyer`),
      price: e.price === null ? null : env.expr(e.price, `${path}/entries/${j}/price`),
    })),
  }),

  run(engine, run, _rule, a) {
    run.shared = true;
    run.exclusive = false;
    const entries = a.entries;
    const before = run.sold.length;
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!;
      if (run.sold.length - before >= a.max) {
        if (run.trace) {
          const rest = entries.slice(j).map((x) => engine.plan.buyers[x.buyer]!.name);
          engine.note(run, 'ShareFull', `share is full (${a.max} of max ${a.max}): ${rest.join(', ')} not offered`);
        }
        break;
      }
      if (engine.tried[e.buyer] === run.stamp) continue;
      engine.offer(run, e.buyer, EMPTY, -1, e.price);
    }
    if (run.sold.length > before) return PLACED;
    run.exclusive = true;
    return NOT_PLACED;
  },

  unplaced: couldNotPlace,

  traits: {
    fallsThrough: (a, facts) => allCanRefuse(shareModel.traits.buyers(a), facts),
    buyers: (a) => present(a.entries).map((e) => e.buyer),
    flows: noFlows,
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};
