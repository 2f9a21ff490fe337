// `split { A 60%, B 40% }`: one buyer per lead by weight, in three modes.
//   random       a per-lead draw (reproducible from the seed and the lead id);
//                on refusal, the other entries heaviest first
//   fair         deficit-based target shares kept in the store (Tijdeman)
//   performance  weights from each buyer's predicted conversion or acceptance,
//                bounded to [min, max]%, then the random draw

import { Type } from '@sinclair/typebox';
import { checkBuyerList } from '../check/models.js';
import { type CheckContext, isSpan, listText } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import { positiveDuration } from '../check/http.js';
import { BuyerName, exact, NonEmpty, nullable, oneOf, Percent, Positive } from '../plan/index.js';
import type { Span } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import type { Engine } from '../runtime/engine.js';
import type { LoadedRule } from '../runtime/load.js';
import { boundedShares } from '../runtime/metrics.js';
import { EMPTY, FOREVER, formatDuration, NOT_PLACED, pct, PLACED, type Outcome, type Run } from '../runtime/run.js';
import { allCanRefuse, couldNotPlace, noFlows, noOverflows, present, type AstOf, type ModelModule } from './types.js';

const METRICS = ['conversion', 'acceptance'] as const;
export const SPLIT_METRICS: readonly string[] = METRICS;
export type PerformanceMetric = (typeof METRICS)[number];

/** The action in the plan (its type is `Static<typeof splitPlan>`). */
export const splitPlan = exact({
  kind: Type.Literal('split'),
  entries: NonEmpty(exact({ buyer: BuyerName, weight: Percent })),
  /** random (default): per-lead draw; fair: round-robin, earliest due first (Tijdeman); performance: weights from a metric. */
  mode: Type.Optional(oneOf(['random', 'fair', 'performance'])),
  performance: Type.Optional(nullable(exact({ metric: oneOf([...METRICS]), windowMs: Positive, min: Percent, max: Percent }))),
});

export interface LoadedSplit {
  kind: 'split';
  entries: { buyer: number; weight: number }[];
  /** The declared weights, in declared order. */
  weights: number[];
  /** Cumulative weights, in declared order. */
  cumulative: number[];
  total: number;
  /** Entry indices, heaviest first (declared order among equals). */
  byWeight: number[];
  mode: 'random' | 'fair' | 'performance';
  performance: { metric: PerformanceMetric; windowMs: number; min: number; max: number } | null;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export const splitModel: ModelModule<'split', LoadedSplit, typeof splitPlan> = {
  kind: 'split',
  plan: splitPlan,

  // What the schema cannot say: the weights add up to something, and a
  // performance split has its settings, its bounds in order.
  planProblems(a, path, problem) {
    if (a.entries.reduce((sum, e) => sum + e.weight, 0) <= 0) problem(`${path}/entries`, 'split weights sum to 0');
    const performance = a.performance ?? null;
    if (a.mode === 'performance') {
      if (performance === null) problem(`${path}/performance`, "a 'performance' split needs its performance settings");
      else if (performance.min > performance.max) problem(`${path}/performance`, `min ${performance.min}% is above max ${performance.max}%`);
    }
  },

  check: checkSplit,

  bind(a, env) {
    for (const e of present(a.entries)) env.buyer(e.buyer);
    if (a.mode?.kind === 'performance') env.expr(a.mode.window);
  },

  emit(a, env) {
    // A performance split computes its weights; equal shares are its starting point.
    const equal = a.entries.length > 0 ? 100 / a.entries.length : 0;
    const entries = a.entries.map((e) => ({ buyer: e.buyer.name, weight: e.weight ?? equal }));
    switch (a.mode.kind) {
      case 'random':
        return { kind: 'split', entries, mode: 'random', performance: null };
      case 'fair':
        return { kind: 'split', entries, mode: 'fair', performance: null };
      case 'performance':
        return {
          kind: 'split',
          entries,
          mode: 'performance',
          performance: {
            metric: a.mode.metric.name === 'acceptance' ? 'acceptance' : 'conversion',
            windowMs: env.durationMs(a.mode.window),
            min: a.mode.min,
            max: a.mode.max,
          },
        };
      default:
        return a.mode satisfies never;
    }
  },

  load(a, env, _rule, path) {
    const entries = a.entries.map((e, j) => ({ buyer: env.buyer(e.buyer, `${path}/entries/${j}/buyer`), weight: e.weight }));
    const weights = entries.map((e) => e.weight);
    const cumulative: number[] = [];
    let total = 0;
    for (const w of weights) cumulative.push((total += w));
    if (total <= 0) env.problem(`${path}/entries`, 'split weights sum to 0');
    const byWeight = entries.map((_, j) => j).sort((x, y) => entries[y]!.weight - entries[x]!.weight || x - y);
    const mode = a.mode ?? 'random';
    const performance = a.performance ?? null;
    if (mode === 'performance') {
      if (performance === null) env.problem(`${path}/performance`, "a 'performance' split needs its performance settings");
      else if (performance.min > performance.max) env.problem(`${path}/performance`, `min ${performance.min}% is above max ${performance.max}%`);
      else env.usesMetrics();
    }
    return { kind: 'split', entries, weights, cumulative, total, byWeight, mode, performance: mode === 'performance' ? performance : null };
  },

  run(engine, run, rule, a) {
    switch (a.mode) {
      case 'fair':
        return fairSplit(engine, run, rule, a);
      case 'performance':
        return performanceSplit(engine, run, rule, a);
      case 'random':
        return randomSplit(engine, run, rule, a, a.weights, a.cumulative, a.total, a.byWeight);
      default:
        return a.mode satisfies never;
    }
  },

  unplaced: couldNotPlace,

  traits: {
    fallsThrough: (a, facts) => allCanRefuse(splitModel.traits.buyers(a), facts),
    buyers: (a) => present(a.entries).map((e) => e.buyer),
    flows: noFlows,
    overflows: noOverflows,
    // A performance split moves its weights as it goes, so it states no target.
    targets(a, t) {
      if (a.mode === 'performance' || t.points <= 0) return;
      const total = a.entries.reduce((s, e) => s + e.weight, 0);
      if (total > 0) for (const e of a.entries) t.add(e.buyer, (t.points * e.weight) / total);
    },
  },
};

// ---------------------------------------------------------------- checking

function checkSplit(ctx: CheckContext, exprs: ExprChecker, action: AstOf<'split'>): void {
  const entries = Array.isArray(action.entries) ? action.entries.filter((e) => !!e && typeof e === 'object') : [];
  checkBuyerList(
    ctx,
    entries.map((e) => e.buyer),
    'split',
  );
  const mode = action.mode && typeof action.mode === 'object' ? action.mode : { kind: 'random' as const };
  if (mode.kind === 'performance') {
    checkPerformance(ctx, exprs, mode, entries.length, action.span);
    for (const e of entries)
      if (typeof e.weight === 'number')
        ctx.report('LR413', e.span, mode.metric?.name ?? 'performance', e.buyer?.name ?? '?');
    return;
  }
  const weights = entries.map((e) => e.weight);
  const given = weights.filter((w): w is number => typeof w === 'number' && Number.isFinite(w));
  const missing = entries.filter((e) => typeof e.weight !== 'number');
  if (missing.length > 0) {
    const rest = round6(100 - given.reduce((a, b) => a + b, 0));
    for (const e of missing)
      ctx.report(
        missing.length === 1 && rest > 0 ? (mode.kind === 'fair' ? 'LR413.fairRest' : 'LR413.rest') : mode.kind === 'fair' ? 'LR413.fairMissing' : 'LR413.missing',
        e.span ?? e.buyer?.span,
        e.buyer?.name ?? '?',
        String(rest),
      );
    return;
  }
  if (given.length === entries.length && entries.length > 0) {
    const sum = given.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 100) > 1e-9) {
      const diff = round6(Math.abs(100 - sum));
      ctx.report(sum < 100 ? 'LR400' : 'LR400.over', action.span, String(round6(sum)), String(diff));
    }
  }
}

function checkPerformance(
  ctx: CheckContext,
  exprs: ExprChecker,
  mode: Extract<AstOf<'split'>['mode'], { kind: 'performance' }>,
  n: number,
  actionSpan: Span,
): void {
  const span = isSpan(mode.span) ? mode.span : actionSpan;
  const metric = mode.metric?.name;
  if (typeof metric === 'string' && metric !== '' && !SPLIT_METRICS.includes(metric)) {
    const best = didYouMean(metric, SPLIT_METRICS);
    if (best !== undefined) ctx.report('LR212.splitMetric', mode.metric.span ?? span, metric, best);
    else ctx.report('LR212.splitMetricList', mode.metric.span ?? span, metric, listText(SPLIT_METRICS.map((m) => `\`${m}\``)));
  }
  if (mode.window) positiveDuration(ctx, exprs, mode.window, 'a performance window', 'holds no history');
  const { min, max } = mode;
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) return;
  let inRange = true;
  for (const [word, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v < 0 || v > 100) {
      inRange = false;
      ctx.report('LR311.buyerShare', span, word, String(v));
    }
  }
  if (!inRange) return;
  if (min > max) {
    ctx.report('LR410', span, String(min), String(max));
    return;
  }
  if (n === 0) return;
  if (round6(min * n) > 100)
    ctx.report('LR410.minTooHigh', span, String(n), String(min), String(round6(min * n)), String(Math.floor(100 / n)));
  else if (round6(max * n) < 100)
    ctx.report('LR410.maxTooLow', span, String(n), String(max), String(round6(max * n)), String(Math.ceil(100 / n)));
}

// ---------------------------------------------------------------- running

/** Draw by weight (cumulative over declared order); on refusal try the rest heaviest first. */
function randomSplit(
  engine: Engine,
  run: Run,
  rule: LoadedRule,
  a: LoadedSplit,
  weights: readonly number[],
  cum: readonly number[],
  total: number,
  byWeight: readonly number[],
): Outcome {
  const draw = run.rng.split(run.leadId, rule.id);
  const d = (draw * total) / 100;
  let pick = cum.length - 1;
  for (let j = 0; j < cum.length; j++) {
    if (d < cum[j]!) {
      pick = j;
      break;
    }
  }
  const entries = a.entries;
  const drawn = entries[pick]!.buyer;
  if (run.trace) {
    const share = Math.round((weights[pick]! / total) * 10000) / 100;
    engine.note(run, 'SplitDraw', `split draw ${draw.toFixed(2)} picks ${engine.plan.buyers[drawn]!.name} (${share}%)`);
  }
  if (engine.offer(run, drawn, EMPTY, -1, null)) return PLACED;
  if (run.trace && entries.length > 1) {
    const others = byWeight.filter((j) => j !== pick).map((j) => engine.plan.buyers[entries[j]!.buyer]!.name);
    engine.note(run, 'SplitDraw', `${engine.plan.buyers[drawn]!.name} cannot take the lead; trying the others, heaviest first: ${others.join(', ')}`);
  }
  for (let k = 0; k < byWeight.length; k++) {
    const j = byWeight[k]!;
    if (j === pick) continue;
    const b = entries[j]!.buyer;
    if (engine.tried[b] === run.stamp) continue;
    if (engine.offer(run, b, EMPTY, -1, null)) return PLACED;
  }
  return NOT_PLACED;
}  /**
 * Deficit round robin. With n leads placed by this rule so far and taken_i of
 * them by entry i, the entry furthest behind its share, the largest
 * weight_i·(n+1) − total·taken_i (declared order among equals), is offered
 * the lead first; then the next furthest, and so on. Every entry stays within
 * one lead of its exact share at every point, as long as all can take leads.
 * The counts live in the store (so routers sharing a store share them).
 */
function fairSplit(engine: Engine, run: Run, rule: LoadedRule, a: LoadedSplit): Outcome {
  const store = engine.store;
  const entries = a.entries;
  const total = a.total;
  const prefix = `fair|${rule.id}|`;
  const totalKey = prefix + '#';
  const n = store.get(totalKey);
  // Tijdeman's chairman assignment: each entry's next lead falls due by a
  // deadline and may not come before a release point; among the released
  // entries the earliest deadline goes first (declared order among equals).
  // That keeps every buyer within 1 - 1/(2(k-1)) leads of its exact share at
  // every prefix, where "largest deficit first" can drift past one lead with
  // three or more entries.
  const slack = entries.length > 1 ? 1 / (2 * (entries.length - 1)) : 0;
  const released: boolean[] = new Array<boolean>(entries.length);
  const due: number[] = new Array<number>(entries.length);
  const taken: number[] = new Array<number>(entries.length);
  const eps = 1e-9;
  for (let j = 0; j < entries.length; j++) {
    const w = entries[j]!.weight;
    taken[j] = store.get(prefix + engine.plan.buyers[entries[j]!.buyer]!.name);
    released[j] = (w * (n + 1)) / total - taken[j]! >= slack - eps;
    due[j] = ((taken[j]! + 1 - slack) * total) / w;
  }
  const earlierDue = (x: number, y: number) => (Math.abs(due[x]! - due[y]!) <= eps * Math.max(1, due[x]!) ? x - y : due[x]! - due[y]!);
  // Entries not yet released come after the released ones, also earliest due
  // first: a lead none of the released buyers can take still finds a taker.
  const order = entries.map((_, j) => j).sort((x, y) => (released[x] === released[y] ? earlierDue(x, y) : released[x] ? -1 : 1));
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    const b = entries[j]!.buyer;
    if (engine.tried[b] === run.stamp) continue;
    if (run.trace) {
      const name = engine.plan.buyers[b]!.name;
      const share = pct((entries[j]!.weight / total) * 100);
      engine.note(
        run,
        'FairPick',
        k === 0
          ? `fair split offers ${name} first: it has ${taken[j]} of ${n} leads, target ${share}`
          : `fair split offers ${name} next: it has ${taken[j]} of ${n} leads, target ${share}`,
        name,
      );
    }
    const before = run.sold.length;
    if (engine.offer(run, b, EMPTY, -1, null)) {
      // Credit the entry of the buyer that took it (an overflow target may be another entry).
      const takerName = run.sold[before]!.name;
      let credit = j;
      for (let x = 0; x < entries.length; x++) {
        if (engine.plan.buyers[entries[x]!.buyer]!.name === takerName) {
          credit = x;
          break;
        }
      }
      const creditName = engine.plan.buyers[entries[credit]!.buyer]!.name;
      store.add(prefix + creditName, 1, FOREVER);
      store.add(totalKey, 1, FOREVER);
      return PLACED;
    }
  }
  return NOT_PLACED;
}  /** Weights proportional to each entry's predicted metric, bounded to [min, max]%, then the usual draw. */
function performanceSplit(engine: Engine, run: Run, rule: LoadedRule, a: LoadedSplit): Outcome {
  const p = a.performance!;
  const now = run.ctx.now;
  const rates = a.entries.map((e) => {
    const m = engine.metricsAt(engine.plan.buyers[e.buyer]!.name, p.windowMs, now);
    return p.metric === 'conversion' ? m.predictedConversion : m.predictedAcceptance;
  });
  const weights = boundedShares(rates, p.min, p.max);
  const cum: number[] = [];
  let sum = 0;
  for (const w of weights) cum.push((sum += w));
  const byWeight = weights.map((_, j) => j).sort((x, y) => weights[y]! - weights[x]! || x - y);
  if (run.trace) {
    const parts = a.entries.map((e, j) => `${engine.plan.buyers[e.buyer]!.name} ${pct(weights[j]!)} (${p.metric} ${rates[j]!.toFixed(2)})`);
    engine.note(
      run,
      'PerformanceWeights',
      `performance weights by ${p.metric} over ${formatDuration(p.windowMs)}, kept within ${p.min}%-${p.max}%: ${parts.join(', ')}`,
    );
  }
  return randomSplit(engine, run, rule, a, weights, cum, sum, byWeight);
}
