// `rank { A, B, C } by price 40%, quality 30%, … [min 0.5] [top 2] [over 30d]`:
// score the listed buyers that can take the lead and sell to the best `top`
// (shared when top > 1).

import { Type } from '@sinclair/typebox';
import { checkBuyerList } from '../check/models.js';
import { type CheckContext, headSpan, isSpan, lineOf, listText } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import { positiveDuration, wholeCount } from '../check/http.js';
import { AtLeastOne, BuyerName, exact, NonEmpty, NonNegative, nullable, oneOf } from '../plan/index.js';
import type * as A from '../lang/ast.js';
import type { Span } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import type { Engine } from '../runtime/engine.js';
import type { LoadedBuyer } from '../runtime/load.js';
import { EMPTY, NOT_PLACED, OK, pct, PLACED, type Outcome, type Run } from '../runtime/run.js';
import { allCanRefuse, couldNotPlace, noFlows, noOverflows, present, statesNoTarget, type AstOf, type ModelModule } from './types.js';

const FACTORS = ['price', 'quality', 'capacity', 'performance', 'relationship', 'expected_value'] as const;
export const RANK_FACTORS: readonly string[] = FACTORS;
export type RankFactor = (typeof FACTORS)[number];

/** The action in the plan (its type is `Static<typeof rankPlan>`). */
export const rankPlan = exact({
  kind: Type.Literal('rank'),
  buyers: NonEmpty(BuyerName),
  factors: Type.Array(exact({ factor: oneOf([...FACTORS]), weight: NonNegative })),
  /** Minimum score 0..1 to be sold to. */
  min: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  /** How many of the best to sell to (more than 1: shared). */
  top: AtLeastOne,
  /** Window for performance and predicted acceptance. */
  windowMs: NonNegative,
});

export interface LoadedRank {
  kind: 'rank';
  buyers: number[];
  factors: { factor: RankFactor; weight: number }[];
  weightTotal: number;
  min: number | null;
  top: number;
  windowMs: number;
  /** Whether a factor reads outcome metrics (performance, expected_value). */
  usesMetrics: boolean;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function spanFromTo(a: Span | undefined, b: Span | undefined, fallback: Span): Span {
  if (!isSpan(a) || !isSpan(b) || b.end < a.start) return fallback;
  return { ...a, endLine: b.endLine, endCol: b.endCol, end: b.end };
}

export const rankModel: ModelModule<'rank', LoadedRank, typeof rankPlan> = {
  kind: 'rank',
  plan: rankPlan,

  check: checkRank,

  bind(a, env) {
    for (const b of present(a.buyers)) env.buyer(b);
    env.expr(a.window);
  },

  emit: (a, env) => ({
    kind: 'rank',
    buyers: a.buyers.map((b) => b.name),
    factors: rankWeights(a.factors),
    min: a.min ?? null,
    top: a.top ?? 1,
    windowMs: a.window ? env.durationMs(a.window) : DEFAULT_METRIC_WINDOW_MS,
  }),

  load(a, env, _rule, path) {
    const factors = a.factors.map((x) => ({ factor: x.factor, weight: x.weight }));
    const metrics = factors.some((x) => x.weight > 0 && (x.factor === 'performance' || x.factor === 'expected_value'));
    if (metrics) env.usesMetrics();
    return {
      kind: 'rank',
      buyers: a.buyers.map((b, j) => env.buyer(b, `${path}/buyers/${j}`)),
      factors,
      weightTotal: factors.reduce((sum, x) => sum + x.weight, 0),
      min: a.min,
      top: a.top,
      windowMs: a.windowMs,
      usesMetrics: metrics,
    };
  },

  run: (engine, run, _rule, a) => runRank(engine, run, a),

  unplaced: couldNotPlace,

  traits: {
    // Scores under `min` leave the lead unplaced, whatever the buyers.
    fallsThrough: (a, facts) => typeof a.min === 'number' || allCanRefuse(rankModel.traits.buyers(a), facts),
    buyers: (a) => present(a.buyers),
    flows: noFlows,
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};

/** Window for performance and predicted-acceptance measures when a rank names none. */
const DEFAULT_METRIC_WINDOW_MS = 30 * 86_400_000;

/** Factors without a weight share what the weighted ones leave (all of it when none has one). */
function rankWeights(factors: A.RankFactorSpec[]): { factor: RankFactor; weight: number }[] {
  const given = factors.reduce((sum, f) => sum + (f.weight ?? 0), 0);
  const unweighted = factors.filter((f) => f.weight === undefined).length;
  const share = unweighted > 0 ? Math.max(0, 100 - given) / unweighted : 0;
  return factors.map((f) => ({ factor: f.factor.name as RankFactor, weight: f.weight ?? share }));
}

// ---------------------------------------------------------------- checking

function checkRank(ctx: CheckContext, exprs: ExprChecker, action: AstOf<'rank'>): void {
  checkBuyerList(ctx, Array.isArray(action.buyers) ? action.buyers : [], 'rank');
  const factors = Array.isArray(action.factors) ? action.factors.filter((f) => !!f && typeof f === 'object') : [];
  const seen = new Map<string, Span>();
  let known = true;
  for (const f of factors) {
    const name = f.factor?.name;
    if (typeof name !== 'string' || name === '') {
      known = false;
      continue;
    }
    const span = f.factor.span ?? f.span;
    if (!RANK_FACTORS.includes(name)) {
      known = false;
      const best = didYouMean(name, RANK_FACTORS);
      if (best !== undefined) ctx.report('LR212.rankFactor', span, name, best);
      else ctx.report('LR212.rankFactorList', span, name, listText(RANK_FACTORS.map((m) => `\`${m}\``)));
      continue;
    }
    const prev = seen.get(name);
    if (prev) {
      known = false;
      ctx.report('LR412', span, name, lineOf(prev));
      continue;
    }
    seen.set(name, span);
    if (typeof f.weight === 'number' && !(f.weight > 0))
      ctx.report('LR311.factorZero', f.span ?? span, name, String(f.weight));
  }
  if (known && factors.length > 0) {
    const weighted = factors.filter((f) => typeof f.weight === 'number');
    const sum = round6(weighted.reduce((a, f) => a + (f.weight as number), 0));
    const all = spanFromTo(factors[0]!.span, factors[factors.length - 1]!.span, action.span);
    if (weighted.length === factors.length && Math.abs(sum - 100) > 1e-6) {
      const diff = round6(Math.abs(100 - sum));
      ctx.report(sum < 100 ? 'LR411.under' : 'LR411.over', all, String(sum), String(diff));
    } else if (weighted.length > 0 && weighted.length < factors.length && sum >= 100) {
      const rest = factors.filter((f) => typeof f.weight !== 'number').map((f) => `\`${f.factor?.name ?? '?'}\``);
      ctx.report('LR411', all, String(sum), listText(rest));
    }
  }
  if (typeof action.min === 'number' && !(action.min >= 0 && action.min <= 1))
    if (Number.isInteger(action.min) && action.min > 1 && action.min <= 100)
      ctx.report('LR311.rankMinPercent', headSpan(action.span, 'rank'.length), String(action.min), String(action.min / 100));
    else ctx.report('LR311.rankMin', headSpan(action.span, 'rank'.length), String(action.min));
  if (typeof action.top === 'number') wholeCount(ctx, action.top, headSpan(action.span, 'rank'.length), '`top`', 1, 'top 2');
  if (action.window) positiveDuration(ctx, exprs, action.window, 'a ranking window', 'holds no history');
}

// ---------------------------------------------------------------- running

/**
 * Score the listed buyers that can take the lead and sell to the best `top`
 * (shared when top > 1). Each factor is a number in 0..1:
 *   price          buyer's price / the highest candidate price (1 when all are 0)
 *   quality        satisfied `prefers` weight / total `prefers` weight (1 with none)
 *   capacity       min over the buyer's lead caps of remaining / limit (1 with none)
 *   performance    predicted conversion rate over windowMs (Beta prior, metrics.ts)
 *   relationship   the buyer's declared relationship score (0.5 by default)
 *   expected_value predicted acceptance × price / the highest such product (1 when all are 0)
 * score = Σ weight × factor / Σ weight. Candidates under `min` are dropped;
 * ties keep the listed order.
 */
function runRank(engine: Engine, run: Run, a: LoadedRank): Outcome {
  const ctx = run.ctx;
  const now = ctx.now;
  const cands: { b: LoadedBuyer; price: number; f: Record<string, number>; score: number; acceptance: number }[] = [];
  for (const b of a.buyers) {
    if (engine.tried[b] === run.stamp) continue;
    engine.tried[b] = run.stamp;
    if (engine.check(run, b, EMPTY, null, null) !== OK) continue;
    cands.push({ b: engine.plan.buyers[b]!, price: run.price, f: {}, score: 0, acceptance: 0.5 });
  }
  if (cands.length === 0) return NOT_PLACED;

  let maxPrice = 0;
  for (const c of cands) if (c.price > maxPrice) maxPrice = c.price;
  const factors = a.factors;
  const wants = (name: string) => factors.some((x) => x.factor === name);
  let maxEv = 0;
  if (wants('expected_value')) {
    for (const c of cands) {
      c.acceptance = engine.metricsAt(c.b.name, a.windowMs, now).predictedAcceptance;
      const ev = c.acceptance * c.price;
      if (ev > maxEv) maxEv = ev;
    }
  }
  for (const c of cands) {
    const b = c.b;
    let score = 0;
    for (const x of factors) {
      let v: number;
      switch (x.factor) {
        case 'price':
          v = maxPrice > 0 ? c.price / maxPrice : 1;
          break;
        case 'quality': {
          if (b.prefersWeight <= 0) v = 1;
          else {
            let met = 0;
            for (const p of b.prefers) if (p.test(ctx)) met += p.weight;
            v = met / b.prefersWeight;
          }
          break;
        }
        case 'capacity': {
          v = 1;
          if (b.counters.length > 0) {
            const ids = b.clock.windows(now).ids;
            for (const cnt of b.counters) {
              if (cnt.measure !== 'leads') continue;
              const r = (cnt.limit - cnt.used(engine.store, ids, now)) / cnt.limit;
              if (r < v) v = r;
            }
            if (v < 0) v = 0;
          }
          break;
        }
        case 'performance':
          v = engine.metricsAt(b.name, a.windowMs, now).predictedConversion;
          break;
        case 'relationship':
          v = b.relationship;
          break;
        case 'expected_value':
          v = maxEv > 0 ? (c.acceptance * c.price) / maxEv : 1;
          break;
      }
      c.f[x.factor] = v;
      score += x.weight * v;
    }
    c.score = a.weightTotal > 0 ? score / a.weightTotal : 1;
  }
  const ranked = cands.map((c, i) => ({ c, i })).sort((x, y) => y.c.score - x.c.score || x.i - y.i);
  if (run.trace) {
    for (const { c } of ranked) {
      const parts = factors.map((x) => `${x.factor} ${c.f[x.factor]!.toFixed(2)}×${pct(a.weightTotal > 0 ? (x.weight / a.weightTotal) * 100 : 0)}`);
      engine.note(run, 'Scored', `${c.b.name} score ${c.score.toFixed(2)} (${parts.join(', ')})`, c.b.name);
    }
  }
  const chosen: typeof cands = [];
  for (const { c } of ranked) {
    if (a.min !== null && c.score < a.min) {
      if (run.trace) engine.note(run, 'BelowMin', `${c.b.name} score ${c.score.toFixed(2)} is below the minimum ${a.min.toFixed(2)}`, c.b.name);
      continue;
    }
    if (chosen.length < a.top) chosen.push(c);
  }
  if (chosen.length === 0) return NOT_PLACED;
  if (a.top > 1) {
    run.shared = true;
    run.exclusive = false;
  }
  for (const c of chosen) engine.take(run, c.b, EMPTY, c.price);
  return PLACED;
}