// `hybrid A then share max 2 { B, C $18 } after 10m`: offer the lead to the
// primary alone; if it cannot take it, share it with up to `max` secondaries,
// delivered after the delay.

import { Type } from '@sinclair/typebox';
import { checkBuyerList } from '../check/models.js';
import { type CheckContext, headSpan } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import type { Engine } from '../runtime/engine.js';
import type { Evaluator } from '../runtime/expr.js';
import { EMPTY, formatDuration, NOT_PLACED, OK, PLACED, type Outcome, type Run } from '../runtime/run.js';
import { isoString } from '../runtime/time.js';
import { allCanRefuse, checkShareSize, couldNotPlace, noFlows, noOverflows, present, statesNoTarget, type AstOf, type ModelModule } from './types.js';
import { AtLeastOne, BuyerName, exact, MaybeExpr, NonNegative } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof hybridPlan>`). */
export const hybridPlan = exact({
  kind: Type.Literal('hybrid'),
  primary: BuyerName,
  secondaries: Type.Array(exact({ buyer: BuyerName, price: MaybeExpr })),
  max: AtLeastOne,
  delayMs: NonNegative,
});

export interface LoadedHybrid {
  kind: 'hybrid';
  primary: number;
  secondaries: { buyer: number; price: Evaluator | null }[];
  max: number;
  delayMs: number;
}

export const hybridModel: ModelModule<'hybrid', LoadedHybrid, typeof hybridPlan> = {
  kind: 'hybrid',
  plan: hybridPlan,

  check: checkHybrid,

  bind(a, env) {
    env.buyer(a.primary);
    for (const e of present(a.secondaries)) {
      env.buyer(e.buyer);
      env.expr(e.price);
    }
    env.expr(a.delay);
  },

  emit: (a, env) => ({
    kind: 'hybrid',
    primary: a.primary.name,
    secondaries: a.secondaries.map((e) => ({ buyer: e.buyer.name, price: e.price ? env.expr(e.price) : null })),
    max: a.max,
    delayMs: env.durationMs(a.delay),
  }),

  load: (a, env, _rule, path) => ({
    kind: 'hybrid',
    primary: env.buyer(a.primary, `${path}/primary`),
    secondaries: a.secondaries.map((e, j) => ({
      buyer: env.buyer(e.buyer, `${path}/secondaries/${j}/buyer`),
      price: e.price === null ? null : env.expr(e.price, `${path}/secondaries/${j}/price`),
    })),
    max: a.max,
    delayMs: a.delayMs,
  }),

  run: (engine, run, _rule, a) => runHybrid(engine, run, a),

  unplaced: couldNotPlace,

  traits: {
    fallsThrough: (a, facts) => allCanRefuse(hybridModel.traits.buyers(a), facts),
    buyers: (a) => [a.primary, ...present(a.secondaries).map((e) => e.buyer)],
    flows: noFlows,
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};

// ---------------------------------------------------------------- checking

function checkHybrid(ctx: CheckContext, exprs: ExprChecker, action: AstOf<'hybrid'>): void {
  const secondaries = Array.isArray(action.secondaries) ? action.secondaries.filter((e) => !!e && typeof e === 'object') : [];
  checkBuyerList(
    ctx,
    [action.primary, ...secondaries.map((e) => e.buyer)],
    'hybrid',
    'the primary is offered the lead alone first; list each buyer once',
  );
  checkShareSize(ctx, action.max, 'share max', headSpan(action.span, 'hybrid'.length));
  for (const e of secondaries) if (e.price) exprs.price(e.price, `the shared price for \`${e.buyer?.name ?? '?'}\``);
  if (action.delay) exprs.duration(action.delay, 'the wait before sharing');
}

// ---------------------------------------------------------------- running

function runHybrid(engine: Engine, run: Run, a: LoadedHybrid): Outcome {
  engine.tried[a.primary] = run.stamp;
  const primary = engine.plan.buyers[a.primary]!;
  if (engine.check(run, a.primary, EMPTY, null, null) === OK) {
    engine.take(run, primary, EMPTY, run.price);
    return PLACED;
  }
  const deliverAt = isoString(run.ctx.now + a.delayMs);
  if (run.trace) {
    engine.note(
      run,
      'Hybrid',
      `${primary.name} cannot take the lead; sharing it with up to ${a.max} secondar${a.max === 1 ? 'y' : 'ies'}, delivered after ${formatDuration(a.delayMs)} (${deliverAt})`,
      primary.name,
    );
  }
  run.shared = true;
  run.exclusive = false;
  run.deliverAt = deliverAt;
  const before = run.sold.length;
  for (const e of a.secondaries) {
    if (run.sold.length - before >= a.max) break;
    if (engine.tried[e.buyer] === run.stamp) continue;
    engine.offer(run, e.buyer, EMPTY, -1, e.price);
  }
  run.deliverAt = null;
  if (run.sold.length > before) return PLACED;
  run.exclusive = true;
  return NOT_PLACED;
}