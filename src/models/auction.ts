// `auction { A, B } floor $50 then { C } [timeout 750ms] [exclusive min $40]
// [shared max 3] [rank by EXPR]`: the buyers in the tiers that can take the
// lead are pinged (by the caller, over HTTP: src/auction), except fixed-price
// buyers (a `price`, no `ping`), whose price on the lead is their bid; routing
// ends with status `auction`, and Router.commit() completes the sale with the
// winners.

import { Type } from '@sinclair/typebox';
import { checkBuyerList } from '../check/models.js';
import { type CheckContext, headSpan } from '../check/context.js';
import { scopeOf, type ExprChecker } from '../check/exprs.js';
import { positiveDuration } from '../check/http.js';
import { AtLeastOne, BuyerName, DEFAULT_AUCTION_TIMEOUT_MS, exact, MaybeExpr, NonEmpty, NonNegative, nullable, type PlanExpr, Positive } from '../plan/index.js';
import type { Expr } from '../lang/ast.js';
import type { CapCounter } from '../runtime/caps.js';
import { fixedPriceOf, type Decision, type PendingAuction, type SoldTo, type TraceCode } from '../runtime/decision.js';
import type { Engine } from '../runtime/engine.js';
import type { Evaluator } from '../runtime/expr.js';
import type { LoadedBuyer, LoadedRule } from '../runtime/load.js';
import { AUCTION, EMPTY, formatDuration, money, NOT_PLACED, numberOrNull, OK, round2, type Outcome, type Run } from '../runtime/run.js';
import { allCanRefuse, checkShareSize, couldNotPlace, noFlows, noOverflows, present, statesNoTarget, type AstOf, type ModelModule } from './types.js';

/** The action in the plan (its type is `Static<typeof auctionPlan>`). */
export const auctionPlan = exact({
  kind: Type.Literal('auction'),
  tiers: NonEmpty(exact({ buyers: NonEmpty(BuyerName), floor: MaybeExpr })),
  timeoutMs: Positive,
  floor: MaybeExpr,
  exclusiveMin: nullable(NonNegative),
  /** Sell to up to this many bidders when no exclusive bid wins (1: never shared). */
  shared: AtLeastOne,
  /** Rank bids by this expression (of `bid.price`, buyer metrics); null: highest price. */
  rank: MaybeExpr,
});

export interface LoadedAuction {
  kind: 'auction';
  tiers: { buyers: number[]; floor: Evaluator | null }[];
  timeoutMs: number;
  floor: Evaluator | null;
  exclusiveMin: number | null;
  shared: number;
  rank: PlanExpr | null;
}

export const auctionModel: ModelModule<'auction', LoadedAuction, typeof auctionPlan> = {
  kind: 'auction',
  plan: auctionPlan,

  check: checkAuction,

  bind(a, env) {
    for (const t of present(a.tiers)) {
      for (const b of present(t.buyers)) env.buyer(b);
      env.expr(t.floor);
    }
    env.expr(a.timeout);
    env.expr(a.exclusiveMin);
    env.expr(a.rank);
  },

  emit: (a, env) => ({
    kind: 'auction',
    tiers: a.tiers.map((t) => ({ buyers: t.buyers.map((b) => b.name), floor: t.floor ? env.expr(t.floor) : null })),
    timeoutMs: a.timeout ? env.durationMs(a.timeout) : DEFAULT_AUCTION_TIMEOUT_MS,
    floor: null,
    exclusiveMin: a.exclusiveMin ? constantNumber(env.expr(a.exclusiveMin)) : null,
    shared: a.sharedMax ?? 1,
    rank: a.rank ? env.expr(a.rank) : null,
  }),

  load(a, env, _rule, path) {
    if (a.rank !== null) env.expr(a.rank, `${path}/rank`); // reject what cannot run
    return {
      kind: 'auction',
      tiers: a.tiers.map((t, j) => ({
        buyers: t.buyers.map((b, k) => env.buyer(b, `${path}/tiers/${j}/buyers/${k}`)),
        floor: t.floor === null ? null : env.expr(t.floor, `${path}/tiers/${j}/floor`),
      })),
      timeoutMs: a.timeoutMs,
      floor: a.floor === null ? null : env.expr(a.floor, `${path}/floor`),
      exclusiveMin: a.exclusiveMin,
      shared: a.shared,
      rank: a.rank,
    };
  },

  run: runAuction,

  unplaced: couldNotPlace,

  traits: {
    // Once a buyer can take the lead routing ends (status `auction`), bids or not.
    fallsThrough: (a, facts) => allCanRefuse(auctionModel.traits.buyers(a), facts),
    buyers: (a) => present(a.tiers).flatMap((t) => (Array.isArray(t.buyers) ? t.buyers : [])),
    flows: noFlows,
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};

/** A money/number expression made only of literals, folded to its value (exclusive minimums are constants). */
/** `exclusive min` is one fixed amount the plan keeps as a number, at or above $0. */
function checkExclusiveMin(ctx: CheckContext, exprs: ExprChecker, e: Expr): void {
  exprs.price(e, '`exclusive min`');
  // Not an amount at all: the type error above says so.
  if (e.kind === 'error' || e.kind === 'string' || e.kind === 'bool' || e.kind === 'list' || e.kind === 'duration') return;
  const value = constantOfAst(e);
  if (value === null)
    ctx.report('LR311.exclusiveMinComputed', e.span);
  else if (value < 0)
    ctx.report('LR311.exclusiveMinNegative', e.span, String(Math.abs(value)));
}

/** The value of an expression of literals alone (null when it reads anything). */
function constantOfAst(e: Expr): number | null {
  switch (e.kind) {
    case 'number':
    case 'money':
    case 'percent':
      return e.value;
    case 'unary': {
      const v = e.op === '-' ? constantOfAst(e.arg) : null;
      return v === null ? null : -v;
    }
    case 'binary': {
      const l = constantOfAst(e.left);
      const r = constantOfAst(e.right);
      if (l === null || r === null) return null;
      const v = e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : r === 0 ? null : l / r;
      return v !== null && Number.isFinite(v) ? v : null;
    }
    default:
      return null;
  }
}

function constantNumber(e: PlanExpr): number | null {
  switch (e.op) {
    case 'lit':
      return typeof e.value === 'number' ? e.value : null;
    case 'neg': {
      const v = constantNumber(e.arg);
      return v === null ? null : -v;
    }
    case 'arith': {
      const l = constantNumber(e.left);
      const r = constantNumber(e.right);
      if (l === null || r === null) return null;
      return e.fn === '+' ? l + r : e.fn === '-' ? l - r : e.fn === '*' ? l * r : r === 0 ? null : l / r;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------- checking

function checkAuction(ctx: CheckContext, exprs: ExprChecker, action: AstOf<'auction'>): void {
  const tiers = Array.isArray(action.tiers) ? action.tiers.filter((t) => !!t && typeof t === 'object') : [];
  const buyers = tiers.flatMap((t) => (Array.isArray(t.buyers) ? t.buyers : []));
  checkBuyerList(ctx, buyers, 'auction');
  const reported = new Set<string>();
  for (const b of buyers) {
    if (!b || typeof b.name !== 'string' || reported.has(b.name)) continue;
    const decl = ctx.buyerDecls.get(b.name);
    if (!decl) continue;
    // A pinged buyer bids what it answers; one with a `price` and no ping bids that price.
    const clauses = Array.isArray(decl.clauses) ? decl.clauses : [];
    if (!clauses.some((c) => c?.kind === 'ping' || c?.kind === 'price')) {
      reported.add(b.name);
      ctx.report('LR702', b.span, b.name);
    }
  }
  // Floors read the bid; `rank by` may also weigh it by what the Seller has learnt of the buyer (src/auction/rank.ts).
  const floorScope = scopeOf('floor');
  for (const t of tiers) if (t.floor) exprs.withScope(floorScope, () => exprs.price(t.floor, 'a floor'));
  if (action.timeout) positiveDuration(ctx, exprs, action.timeout, 'an auction timeout', 'lets no bid arrive');
  if (action.exclusiveMin) checkExclusiveMin(ctx, exprs, action.exclusiveMin);
  checkShareSize(ctx, action.sharedMax, 'shared max', headSpan(action.span, 'auction'.length));
  const rankScope = scopeOf('rank');
  if (action.rank) exprs.withScope(rankScope, () => exprs.numeric(action.rank as Expr, '`rank by`'));
}

// ---------------------------------------------------------------- running

function runAuction(engine: Engine, run: Run, rule: LoadedRule, a: LoadedAuction): Outcome {
  const ctx = run.ctx;
  const tiers: PendingAuction['tiers'] = [];
  const dedupeKeys: Record<string, string[]> = {};
  let fixedPrices: Record<string, number> | null = null;
  let any = false;
  for (const t of a.tiers) {
    const buyers: string[] = [];
    for (const b of t.buyers) {
      if (engine.tried[b] === run.stamp) continue;
      engine.tried[b] = run.stamp;
      // The same eligibility for every bidder; for a fixed-price one it also
      // works out its price (run.price), and an invalid price keeps it out.
      if (engine.check(run, b, EMPTY, null, null) !== OK) continue;
      const buyer = engine.plan.buyers[b]!;
      buyers.push(buyer.name);
      if (buyer.dedupe !== null) dedupeKeys[buyer.name] = engine.dedupeKeysOf(buyer, ctx.lead);
      // Without a prototype, so a buyer named `__proto__` is a key like any other.
      if (bidsFixedPrice(buyer)) (fixedPrices ??= Object.create(null) as Record<string, number>)[buyer.name] = run.price;
      any = true;
    }
    tiers.push({ buyers, floor: numberOrNull(t.floor, ctx) });
  }
  if (!any) {
    if (run.trace) engine.note(run, 'Auction', 'no buyer in any auction tier can take the lead');
    return NOT_PLACED;
  }
  const floor = numberOrNull(a.floor, ctx);
  run.auction = {
    ruleId: rule.id,
    tiers,
    timeoutMs: a.timeoutMs,
    floor,
    exclusiveMin: a.exclusiveMin,
    shared: a.shared,
    rank: a.rank,
    dedupeKeys,
  };
  if (fixedPrices !== null) run.auction.fixedPrices = fixedPrices;
  const pending = run.auction;
  run.rule = rule;
  if (run.trace) {
    const bidder = (name: string) => {
      const fixed = fixedPriceOf(pending, name);
      return fixed === undefined ? name : `${name} (fixed price ${money(fixed)}, not pinged)`;
    };
    const parts = tiers.map(
      (t, i) => `tier ${i + 1}: ${t.buyers.length > 0 ? t.buyers.map(bidder).join(', ') : 'none'}${t.floor === null ? '' : ` (floor ${money(t.floor)})`}`,
    );
    engine.note(
      run,
      'Auction',
      `auction for ${parts.join('; ')}${floor === null ? '' : `; floor ${money(floor)}`}; timeout ${formatDuration(a.timeoutMs)}`,
    );
  }
  return AUCTION;
}
/** A buyer with a `price` and no `ping` bids that price in an auction (the checker's LR702 refuses one with neither). */
function bidsFixedPrice(buyer: LoadedBuyer): boolean {
  return !buyer.plan.ping && buyer.price !== null;
}

/**
 * Complete an `auction` decision with the buyers the auction sold to: counts
 * their caps, records the sales and dedupe keys, and returns the routed
 * decision. A winner whose caps filled up (or who bought the same email/phone)
 * since the auction began is dropped, so caps are never exceeded. With no sale
 * left the decision is unrouted. (An auction rule has no rule-level caps: only
 * the buyers' own count.)
 */
export function commitAuction(
  engine: Engine,
  decision: Decision,
  pending: PendingAuction,
  sold: SoldTo[],
  now: number,
  exclusive: boolean | undefined,
): Decision {
  const store = engine.store;
  // Only the few winners are looked up: no set of every buyer offered.
  const offered = (name: string) => pending.tiers.some((t) => t.buyers.includes(name));
  const traced = decision.trace.length > 0;
  const trace = traced ? [...decision.trace] : decision.trace;
  const note = (code: TraceCode, message: string, buyer: string) => {
    if (traced) trace.push({ code, buyer, rule: pending.ruleId, message });
  };
  const out: SoldTo[] = [];
  const seen = new Set<string>();
  for (const s of sold) {
    const i = engine.plan.buyerIndex.get(s.name);
    if (i === undefined) throw new Error(`unknown buyer '${s.name}'`);
    if (!offered(s.name)) throw new Error(`${s.name} was not offered lead ${decision.leadId} in auction ${pending.ruleId}`);
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    const buyer = engine.plan.buyers[i]!;
    const price = round2(s.price);
    const ids = buyer.clock.windows(now).ids;
    let full: CapCounter | null = null;
    for (const c of buyer.counters) if (full === null && !c.hasRoom(store, ids, now, price)) full = c;
    if (full !== null) {
      note('Committed', `${buyer.name} won at ${money(price)} but cap ${full.label()} is reached; not sold`, buyer.name);
      continue;
    }
    const keys = pending.dedupeKeys[buyer.name] ?? EMPTY;
    if (buyer.dedupe !== null && keys.some((k) => store.hasKey(k, now))) {
      note('Committed', `${buyer.name} won at ${money(price)} but already bought this lead's contact; not sold`, buyer.name);
      continue;
    }
    if (buyer.counters.length > 0) {
      const w = buyer.clock.windows(now);
      for (const c of buyer.counters) c.take(store, w, price);
    }
    if (engine.recordSales) store.recordEvent({ kind: 'sold', buyer: buyer.name, leadId: decision.leadId, at: now, price });
    if (buyer.dedupe !== null) for (const k of keys) store.putKey(k, now + buyer.dedupe.windowMs);
    const entry: SoldTo = { name: buyer.name, price };
    if (s.deliverAt !== undefined) entry.deliverAt = s.deliverAt;
    out.push(entry);
    note('Committed', `${buyer.name} wins the auction at ${money(price)}`, buyer.name);
  }
  let total = 0;
  for (const s of out) total += s.price;
  const routed = out.length > 0;
  return {
    ...decision,
    status: routed ? 'routed' : 'unrouted',
    buyers: out,
    exclusive: routed && (exclusive ?? out.length === 1),
    price: round2(total),
    reason: routed ? null : sold.length === 0 ? 'no bid won the auction' : 'no auction winner could be sold to',
    trace,
  };
}
