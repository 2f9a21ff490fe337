// The routing models beyond first match: weighted splits (random, fair and by
// performance), scoring (`rank`), specialization, fallback chains, hybrid
// exclusive-then-shared sales and ping-post auctions. Flow cycles through
// `fallback` live in cycles.ts.

import type { Action, Expr, Ident, Span } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { checkBuyerRef } from './buyers.js';
import { type CheckContext, headSpan, isSpan, lineOf, listText } from './context.js';
import { scopeOf, type ExprChecker } from './exprs.js';
import { positiveDuration, wholeCount } from './http.js';

export const SPLIT_METRICS: readonly string[] = ['conversion', 'acceptance'];
export const RANK_FACTORS: readonly string[] = ['price', 'quality', 'capacity', 'performance', 'relationship', 'expected_value'];

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function spanFromTo(a: Span | undefined, b: Span | undefined, fallback: Span): Span {
  if (!isSpan(a) || !isSpan(b) || b.end < a.start) return fallback;
  return { ...a, endLine: b.endLine, endCol: b.endCol, end: b.end };
}

/** Buyers of an action: each known (LR201), none twice (LR406). */
export function checkBuyerList(ctx: CheckContext, buyers: (Ident | undefined)[], what: string, help?: string): void {
  const seen = new Map<string, Ident>();
  for (const b of buyers) {
    if (!b || typeof b.name !== 'string' || b.name === '') continue;
    checkBuyerRef(ctx, b);
    const prev = seen.get(b.name);
    if (prev) {
      ctx.report(
        'LR406',
        b.span,
        `buyer \`${b.name}\` is listed twice in this ${what}`,
        help ?? (what === 'split' ? 'give it one entry with the combined weight' : 'list each buyer once'),
      );
    } else seen.set(b.name, b);
  }
}

export function checkFlowRef(ctx: CheckContext, ref: Ident | undefined): void {
  if (ref && typeof ref.name === 'string' && ref.name !== '' && !ctx.flows.has(ref.name))
    ctx.report('LR202', ref.span, `unknown flow \`${ref.name}\``, didYouMean(ref.name, ctx.flows));
}

// ---------------------------------------------------------------- split

export function checkSplit(ctx: CheckContext, exprs: ExprChecker, action: Of<'split'>): void {
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
        ctx.report(
          'LR413',
          e.span,
          `a split by performance sets its weights from the buyers' ${mode.metric?.name ?? 'performance'}, so \`${e.buyer?.name ?? '?'}\` takes no weight`,
          `write \`${e.buyer?.name ?? '?'}\` alone; bound the weights with \`min\` and \`max\``,
        );
    return;
  }
  const weights = entries.map((e) => e.weight);
  const given = weights.filter((w): w is number => typeof w === 'number' && Number.isFinite(w));
  const missing = entries.filter((e) => typeof e.weight !== 'number');
  if (missing.length > 0) {
    const rest = round6(100 - given.reduce((a, b) => a + b, 0));
    for (const e of missing)
      ctx.report(
        'LR413',
        e.span ?? e.buyer?.span,
        `\`${e.buyer?.name ?? '?'}\` has no weight; every entry of a ${mode.kind === 'fair' ? 'fair ' : ''}split needs one`,
        missing.length === 1 && rest > 0
          ? `write \`${e.buyer?.name ?? '?'} ${rest}%\``
          : 'give each entry a percentage, or let performance set them: `split by performance conversion over 7d min 10% max 50% { … }`',
      );
    return;
  }
  if (given.length === entries.length && entries.length > 0) {
    const sum = given.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 100) > 1e-9) {
      const diff = round6(Math.abs(100 - sum));
      ctx.report(
        'LR400',
        action.span,
        `split weights sum to ${round6(sum)}%, not 100%`,
        sum < 100 ? `add ${diff}% to the entries` : `take ${diff}% off the entries`,
      );
    }
  }
}

function checkPerformance(
  ctx: CheckContext,
  exprs: ExprChecker,
  mode: Extract<Of<'split'>['mode'], { kind: 'performance' }>,
  n: number,
  actionSpan: Span,
): void {
  const span = isSpan(mode.span) ? mode.span : actionSpan;
  const metric = mode.metric?.name;
  if (typeof metric === 'string' && metric !== '' && !SPLIT_METRICS.includes(metric)) {
    ctx.report(
      'LR212',
      mode.metric.span ?? span,
      `unknown performance metric \`${metric}\``,
      didYouMean(metric, SPLIT_METRICS) ?? `the metrics are ${listText(SPLIT_METRICS.map((m) => `\`${m}\``))}`,
    );
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
      ctx.report('LR311', span, `\`${word} ${v}%\`: a buyer's share is from 0% to 100%`, undefined);
    }
  }
  if (!inRange) return;
  if (min > max) {
    ctx.report('LR410', span, `the minimum share (${min}%) is above the maximum (${max}%)`, `write \`min ${max}% max ${min}%\``);
    return;
  }
  if (n === 0) return;
  if (round6(min * n) > 100)
    ctx.report(
      'LR410',
      span,
      `${n} buyers at a minimum of ${min}% each need ${round6(min * n)}%, more than all leads`,
      `lower \`min\` to at most ${Math.floor(100 / n)}%`,
    );
  else if (round6(max * n) < 100)
    ctx.report(
      'LR410',
      span,
      `${n} buyers at a maximum of ${max}% each take only ${round6(max * n)}% of leads`,
      `raise \`max\` to at least ${Math.ceil(100 / n)}%`,
    );
}

// ---------------------------------------------------------------- rank

export function checkRank(ctx: CheckContext, exprs: ExprChecker, action: Of<'rank'>): void {
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
      ctx.report(
        'LR212',
        span,
        `unknown rank factor \`${name}\``,
        didYouMean(name, RANK_FACTORS) ?? `the factors are ${listText(RANK_FACTORS.map((m) => `\`${m}\``))}`,
      );
      continue;
    }
    const prev = seen.get(name);
    if (prev) {
      known = false;
      ctx.report('LR412', span, `the factor \`${name}\` is already weighted at ${lineOf(prev)}`, 'give it one weight');
      continue;
    }
    seen.set(name, span);
    if (typeof f.weight === 'number' && !(f.weight > 0))
      ctx.report('LR311', f.span ?? span, `the factor \`${name}\` weighs ${f.weight}%, so it counts for nothing`, 'drop it, or give it a weight above 0%');
  }
  if (known && factors.length > 0) {
    const weighted = factors.filter((f) => typeof f.weight === 'number');
    const sum = round6(weighted.reduce((a, f) => a + (f.weight as number), 0));
    const all = spanFromTo(factors[0]!.span, factors[factors.length - 1]!.span, action.span);
    if (weighted.length === factors.length && Math.abs(sum - 100) > 1e-6) {
      const diff = round6(Math.abs(100 - sum));
      ctx.report(
        'LR411',
        all,
        `rank weights sum to ${sum}%, not 100%`,
        sum < 100 ? `add ${diff}% to the factors` : `take ${diff}% off the factors`,
      );
    } else if (weighted.length > 0 && weighted.length < factors.length && sum >= 100) {
      const rest = factors.filter((f) => typeof f.weight !== 'number').map((f) => `\`${f.factor?.name ?? '?'}\``);
      ctx.report(
        'LR411',
        all,
        `the weighted factors take ${sum}%, leaving nothing for ${listText(rest)}`,
        'give every factor a weight, summing to 100%',
      );
    }
  }
  if (typeof action.min === 'number' && !(action.min >= 0 && action.min <= 1))
    ctx.report(
      'LR311',
      headSpan(action.span, 'rank'.length),
      `\`min ${action.min}\`: a score is from 0 to 1`,
      Number.isInteger(action.min) && action.min > 1 && action.min <= 100 ? `for ${action.min}%, write \`min ${action.min / 100}\`` : 'write e.g. `min 0.5`',
    );
  if (typeof action.top === 'number') wholeCount(ctx, action.top, headSpan(action.span, 'rank'.length), '`top`', 1, 'top 2');
  if (action.window) positiveDuration(ctx, exprs, action.window, 'a ranking window', 'holds no history');
}

// ---------------------------------------------------------------- specialize

export function checkSpecialize(ctx: CheckContext, exprs: ExprChecker, action: Of<'specialize'>): void {
  const tiers = Array.isArray(action.tiers) ? action.tiers.filter((t) => !!t && typeof t === 'object') : [];
  for (const t of tiers) {
    checkBuyerRef(ctx, t.buyer);
    if (t.condition) exprs.condition(t.condition, 'the specialist condition');
    const p = t.premium;
    if (p && typeof p.amount === 'number' && !(p.amount > 0))
      ctx.report(
        'LR311',
        p.span ?? t.span,
        `a premium of ${p.kind === 'dollars' ? `$${p.amount}` : `${p.amount}%`} adds nothing`,
        'give it an amount above zero, e.g. `premium 20%`',
      );
  }
  const fb = action.fallback;
  if (fb && fb.name) {
    if (fb.kind === 'flow') checkFlowRef(ctx, fb.name);
    else {
      const name = fb.name.name;
      if (typeof name === 'string' && name !== '' && !ctx.buyers.has(name) && ctx.flows.has(name))
        ctx.report('LR201', fb.name.span, `\`${name}\` is a flow, not a buyer`, `write \`else flow ${name}\``);
      else checkBuyerRef(ctx, fb.name);
    }
  }
}

// ---------------------------------------------------------------- fallback

export function checkFallback(ctx: CheckContext, exprs: ExprChecker, action: Of<'fallback'>): void {
  const steps = Array.isArray(action.steps) ? action.steps.filter((s) => !!s && typeof s === 'object') : [];
  for (const step of steps) {
    checkFlowRef(ctx, step.flow);
    const seen = new Set<string>();
    for (const rw of Array.isArray(step.rewrites) ? step.rewrites : []) {
      if (!rw || !rw.field || typeof rw.field.name !== 'string' || rw.field.name === '') continue;
      const name = rw.field.name;
      if (seen.has(name)) {
        ctx.report('LR214', rw.field.span, `\`${name}\` is already set in this step`, 'set each field once');
        continue;
      }
      seen.add(name);
      const field = ctx.fields.get(name);
      if (!field) {
        if (ctx.fieldsKnown) ctx.report('LR200', rw.field.span, `unknown field \`${name}\``, didYouMean(name, ctx.fields.keys()));
        if (rw.value) exprs.infer(rw.value);
        continue;
      }
      exprs.assign(field, { kind: 'name', name, span: rw.field.span }, rw.value);
    }
  }
}

// ---------------------------------------------------------------- hybrid

export function checkHybrid(ctx: CheckContext, exprs: ExprChecker, action: Of<'hybrid'>): void {
  const secondaries = Array.isArray(action.secondaries) ? action.secondaries.filter((e) => !!e && typeof e === 'object') : [];
  checkBuyerList(
    ctx,
    [action.primary, ...secondaries.map((e) => e.buyer)],
    'hybrid',
    'the primary is offered the lead alone first; list each buyer once',
  );
  if (typeof action.max === 'number' && (!(action.max >= 1) || !Number.isInteger(action.max)))
    ctx.report(
      'LR408',
      headSpan(action.span, 'hybrid'.length),
      action.max >= 1
        ? `\`share max ${action.max}\`: a lead is shared with a whole number of buyers`
        : `\`share max ${action.max}\` shares the lead with nobody: it needs at least 1`,
      `write \`share max ${Math.max(1, Math.floor(action.max) || 1)}\``,
    );
  for (const e of secondaries) if (e.price) exprs.price(e.price, `the shared price for \`${e.buyer?.name ?? '?'}\``);
  if (action.delay) exprs.duration(action.delay, 'the wait before sharing');
}

// ---------------------------------------------------------------- auction

export function checkAuction(ctx: CheckContext, exprs: ExprChecker, action: Of<'auction'>): void {
  const tiers = Array.isArray(action.tiers) ? action.tiers.filter((t) => !!t && typeof t === 'object') : [];
  const buyers = tiers.flatMap((t) => (Array.isArray(t.buyers) ? t.buyers : []));
  checkBuyerList(ctx, buyers, 'auction');
  const reported = new Set<string>();
  for (const b of buyers) {
    if (!b || typeof b.name !== 'string' || reported.has(b.name)) continue;
    const decl = ctx.buyerDecls.get(b.name);
    if (!decl) continue;
    const clauses = Array.isArray(decl.clauses) ? decl.clauses : [];
    if (!clauses.some((c) => c?.kind === 'ping')) {
      reported.add(b.name);
      ctx.report(
        'LR702',
        b.span,
        `buyer \`${b.name}\` has no \`ping\`, so it cannot bid in an auction`,
        `give \`${b.name}\` a \`ping "https://…"\` and a \`bid\` mapping, or sell to it outside the auction`,
      );
    }
  }
  // Floors read the bid; `rank by` may also weigh it by what the Seller has learnt of the buyer (src/auction/rank.ts).
  const floorScope = scopeOf('floor');
  for (const t of tiers) if (t.floor) exprs.withScope(floorScope, () => exprs.price(t.floor, 'a floor'));
  if (action.timeout) positiveDuration(ctx, exprs, action.timeout, 'an auction timeout', 'lets no bid arrive');
  if (action.exclusiveMin) exprs.price(action.exclusiveMin, '`exclusive min`');
  if (typeof action.sharedMax === 'number' && (!(action.sharedMax >= 1) || !Number.isInteger(action.sharedMax)))
    ctx.report(
      'LR408',
      headSpan(action.span, 'auction'.length),
      action.sharedMax >= 1
        ? `\`shared max ${action.sharedMax}\`: a lead is shared with a whole number of buyers`
        : `\`shared max ${action.sharedMax}\` shares the lead with nobody: it needs at least 1`,
      `write \`shared max ${Math.max(1, Math.floor(action.sharedMax) || 1)}\``,
    );
  const rankScope = scopeOf('rank');
  if (action.rank) exprs.withScope(rankScope, () => exprs.numeric(action.rank as Expr, '`rank by`'));
}
