// `specialize { A when …  premium 20%; B when … premium $5 } else X`: the first
// specialist whose condition holds and who can take the lead buys it at its
// price plus a premium; otherwise the lead goes to the fallback buyer or flow.

import { Type } from '@sinclair/typebox';
import { checkBuyerRef } from '../check/buyers.js';
import type { CheckContext } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import { checkFlowRef } from '../check/models.js';
import type { Engine } from '../runtime/engine.js';
import type { LoadedCondition } from '../runtime/load.js';
import { condFailed, EMPTY, money, NOT_PLACED, OK, PLACED, priceOf, type Outcome, type Run } from '../runtime/run.js';
import { couldNotPlace, noOverflows, present, statesNoTarget, type AstOf, type ModelModule } from './types.js';
import { BuyerName, exact, FlowName, MaybeExpr, MaybeString, NonEmpty, nullable, oneOf } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof specializePlan>`). */
export const specializePlan = exact({
  kind: Type.Literal('specialize'),
  specialists: NonEmpty(
    exact({
      buyer: BuyerName,
      when: MaybeExpr,
      whenText: MaybeString,
      premium: exact({ kind: oneOf(['percent', 'dollars']), amount: Type.Number() }),
    }),
  ),
  fallback: nullable(Type.Union([exact({ kind: Type.Literal('buyer'), buyer: BuyerName }), exact({ kind: Type.Literal('flow'), flow: FlowName })])),
});

export interface LoadedSpecialize {
  kind: 'specialize';
  specialists: { buyer: number; when: LoadedCondition | null; premium: { kind: 'percent' | 'dollars'; amount: number } }[];
  fallback: { kind: 'buyer'; buyer: number } | { kind: 'flow'; flow: number } | null;
}

export const specializeModel: ModelModule<'specialize', LoadedSpecialize, typeof specializePlan> = {
  kind: 'specialize',
  plan: specializePlan,

  check: checkSpecialize,

  bind(a, env) {
    for (const t of present(a.tiers)) {
      env.buyer(t.buyer);
      env.expr(t.condition);
    }
    if (a.fallback?.kind === 'flow') env.flow(a.fallback.name);
    else env.buyer(a.fallback?.name);
  },

  emit: (a, env) => ({
    kind: 'specialize',
    specialists: a.tiers.map((t) => ({
      buyer: t.buyer.name,
      when: t.condition ? env.expr(t.condition) : null,
      whenText: t.condition ? env.text(t.condition.span) : null,
      premium: { kind: t.premium.kind, amount: t.premium.amount },
    })),
    fallback: a.fallback ? (a.fallback.kind === 'flow' ? { kind: 'flow', flow: a.fallback.name.name } : { kind: 'buyer', buyer: a.fallback.name.name }) : null,
  }),

  load: (a, env, _rule, path) => ({
    kind: 'specialize',
    specialists: a.specialists.map((sp, j) => ({
      buyer: env.buyer(sp.buyer, `${path}/specialists/${j}/buyer`),
      when: sp.when === null ? null : env.cond(sp.when, sp.whenText ?? '', `${path}/specialists/${j}/when`),
      premium: { kind: sp.premium.kind, amount: sp.premium.amount },
    })),
    fallback:
      a.fallback === null
        ? null
        : a.fallback.kind === 'buyer'
          ? { kind: 'buyer', buyer: env.buyer(a.fallback.buyer, `${path}/fallback/buyer`) }
          : { kind: 'flow', flow: env.flow(a.fallback.flow, `${path}/fallback/flow`) },
  }),

  run: (engine, run, _rule, a) => runSpecialize(engine, run, a),

  unplaced: couldNotPlace,

  traits: {
    // Placed for sure only by an unconditional specialist or fallback buyer that cannot refuse.
    fallsThrough(a, facts) {
      if (a.fallback?.kind === 'flow') return true;
      if (a.fallback?.kind === 'buyer' && !facts.canRefuse(a.fallback.name)) return false;
      return present(a.tiers).every((t) => !!t.condition || facts.canRefuse(t.buyer));
    },
    buyers: (a) => [...present(a.tiers).map((t) => t.buyer), ...(a.fallback?.kind === 'buyer' ? [a.fallback.name] : [])],
    flows: (a) => (a.fallback?.kind === 'flow' && a.fallback.name ? [{ ident: a.fallback.name, via: 'specialize' }] : []),
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};

// ---------------------------------------------------------------- checking

function checkSpecialize(ctx: CheckContext, exprs: ExprChecker, action: AstOf<'specialize'>): void {
  const tiers = Array.isArray(action.tiers) ? action.tiers.filter((t) => !!t && typeof t === 'object') : [];
  for (const t of tiers) {
    checkBuyerRef(ctx, t.buyer);
    if (t.condition) exprs.condition(t.condition, 'the specialist condition');
    const p = t.premium;
    if (p && typeof p.amount === 'number' && !(p.amount > 0))
      ctx.report('LR311.premiumZero', p.span ?? t.span, p.kind === 'dollars' ? `$${p.amount}` : `${p.amount}%`);
  }
  const fb = action.fallback;
  if (fb && fb.name) {
    if (fb.kind === 'flow') checkFlowRef(ctx, fb.name);
    else {
      const name = fb.name.name;
      if (typeof name === 'string' && name !== '' && !ctx.buyers.has(name) && ctx.flows.has(name))
        ctx.report('LR201.isFlow', fb.name.span, name);
      else checkBuyerRef(ctx, fb.name);
    }
  }
}

// ---------------------------------------------------------------- running

function runSpecialize(engine: Engine, run: Run, a: LoadedSpecialize): Outcome {
  const ctx = run.ctx;
  for (const sp of a.specialists) {
    const buyer = engine.plan.buyers[sp.buyer]!;
    if (sp.when !== null && !sp.when.test(ctx)) {
      if (run.trace) engine.note(run, 'Specialist', `specialist ${buyer.name} skipped: ${condFailed(sp.when, ctx)}`, buyer.name);
      continue;
    }
    if (engine.tried[sp.buyer] === run.stamp) continue;
    engine.tried[sp.buyer] = run.stamp;
    if (engine.check(run, sp.buyer, EMPTY, null, sp.premium) !== OK) continue;
    if (run.trace) {
      const base = priceOf(buyer.price, ctx);
      const extra = sp.premium.kind === 'percent' ? `${sp.premium.amount}%` : money(sp.premium.amount);
      const why = sp.when === null ? '' : ` (\`${sp.when.text}\` holds)`;
      engine.note(run, 'Specialist', `specialist ${buyer.name} matches${why}: ${money(base)} + ${extra} = ${money(run.price)}`, buyer.name);
    }
    engine.take(run, buyer, EMPTY, run.price);
    return PLACED;
  }
  const fb = a.fallback;
  if (fb === null) return NOT_PLACED;
  if (fb.kind === 'buyer') {
    const name = engine.plan.buyers[fb.buyer]!.name;
    if (run.trace) engine.note(run, 'Specialist', `no specialist took the lead; falling back to ${name}`, name);
    if (engine.tried[fb.buyer] === run.stamp) return NOT_PLACED;
    return engine.offer(run, fb.buyer, EMPTY, -1, null) ? PLACED : NOT_PLACED;
  }
  if (run.trace) engine.note(run, 'Specialist', 'no specialist took the lead; falling back to a flow');
  return engine.enterFlow(run, fb.flow, 'entering flow');
}