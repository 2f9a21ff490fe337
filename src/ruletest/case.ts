// Running one test case: the lead (the file's default lead with the case's
// fields over it) routed by the real Router on a fresh in-memory store, at the
// case's time, seed and flow, after its cap counters are set the way the REPL's
// `:cap` sets them (withCaps, planCounters, setCounterUsed) and its `before`
// leads are routed. When the rule file pings buyers, the lead is sold by the
// Seller instead, against simulated buyers (bids.ts) that answer with the
// case's bids: the auction is the product's own. Then each expectation is
// compared with the decision.

import { MemoryStore } from '../adapters/memory-store.js';
import { Seller } from '../auction/index.js';
import type { Plan } from '../compile/index.js';
import type { PlanCap } from '../plan/index.js';
import { parseCap, planCounters, setCounterUsed } from '../repl/caps.js';
import { withCaps } from '../repl/session.js';
import { leadIdOf, leadRandom, Router, type Decision, type RouteOptions } from '../runtime/index.js';
import { SimulatedBuyersHttpClient, type SimulatedBid } from './bids.js';
import { buyerNames, flowOf, known, problem, routingTime, ruleIds, type FileContext, type Observation } from './context.js';
import { compareExpectations, type FieldDiff } from './expect.js';
import type { Path } from './read.js';
import type { TestCaseJson } from './spec.js';

export interface CaseResult {
  name: string;
  /** file:line:col of the case. */
  where: string;
  diffs: FieldDiff[];
  decision: Decision;
}

/** Seeds tried to give a lead the `random` a case asks for: each draw is 1..100, so one is found long before this. */
const SEED_SEARCH = 100_000;

/** Run a case; null when the case has problems (recorded in ctx.problems). Every routed lead goes to `observe`. */
export async function runCase(ctx: FileContext, index: number, observe: (o: Observation) => void): Promise<CaseResult | null> {
  const c = ctx.test.json.cases![index]!;
  const path: Path = ['cases', index];
  const before = ctx.problems.length;
  const lead = { ...(ctx.test.json.defaults?.lead ?? {}), ...(c.lead ?? {}) };
  const now = routingTime(ctx, c, path);
  const flow = flowOf(ctx, c, path);
  const seed = seedOf(ctx, c, lead, path);
  const caps = capsOf(ctx, c, path);
  const bids = bidsOf(ctx, c, path);
  checkExpectNames(ctx, c, path);
  (c.exclude ?? []).forEach((b, i) => known(ctx, 'buyer', b, buyerNames(ctx.plan), [...path, 'exclude', i]));
  if (ctx.problems.length > before || now === null || seed === null || caps === null || bids === null) return null;

  const store = new MemoryStore();
  const plan = casePlan(ctx.plan, caps.overrides);
  const router = new Router(plan, { store, seed, trace: true });
  for (const set of caps.counts) {
    for (const pc of planCounters(router.loaded)) {
      const mine = set.rule !== null ? pc.rule === set.rule : pc.rule === null && pc.owner === set.owner;
      const used = mine ? set.used(pc.counter) : null;
      if (used !== null) setCounterUsed(store, pc.buyer, pc.counter, used, now);
    }
  }
  const opts: RouteOptions = { now, seed, trace: true };
  if (flow !== undefined) opts.flow = flow;
  const route = sellerOrRouter(plan, router, bids);
  try {
    for (const earlier of c.before ?? []) {
      const l = { ...(ctx.test.json.defaults?.lead ?? {}), ...earlier };
      observe(await route.route(l, opts));
    }
    const seen = await route.route(lead, c.exclude !== undefined ? { ...opts, exclude: c.exclude } : opts);
    observe(seen);
    const decision = seen.decision;
    return { name: c.name, where: ctx.test.where(path), diffs: compareExpectations(c.expect, decision), decision };
  } finally {
    await route.close();
    store.close();
  }
}

interface LeadRoute {
  route(lead: Record<string, unknown>, opts: RouteOptions): Promise<Observation>;
  close(): Promise<void>;
}

/**
 * The plan a case routes with: the file's, with the case's caps; when it pings
 * buyers (and so is sold by the Seller), without delivery timing and batches,
 * which decide when and how a sale is sent, not to whom (a batch would write
 * the buyer's files, a delay would wait).
 */
function casePlan(plan: Plan, overrides: ReadonlyMap<string, PlanCap[]>): Plan {
  const capped = withCaps(plan, overrides);
  if (!capped.buyers.some((b) => b.ping)) return capped;
  return { ...capped, buyers: capped.buyers.map(({ delivery: _timing, ...b }) => b) };
}

/** The router alone; or, when the plan pings buyers, the Seller over simulated buyers (no network). */
function sellerOrRouter(plan: Plan, router: Router, bids: Map<string, SimulatedBid>): LeadRoute {
  if (!plan.buyers.some((b) => b.ping)) return { route: async (lead, opts) => ({ decision: router.route(lead, opts), lead }), close: async () => undefined };
  const seller = new Seller(router, { http: new SimulatedBuyersHttpClient(plan.buyers, bids), secrets: {}, cascade: 0 });
  return {
    route: async (lead, opts) => {
      const sale = await seller.sell(lead, opts);
      const a = sale.auction;
      return { decision: sale.decision, lead, ...(a ? { auction: { rule: a.ruleId, buyers: a.bids.map((b) => b.buyer) } } : {}) };
    },
    close: () => seller.close(),
  };
}

/** The case's seed; with `random: N`, the first seed (0, 1, 2 …) under which the lead draws N. */
function seedOf(ctx: FileContext, c: TestCaseJson, lead: Record<string, unknown>, path: Path): string | number | null {
  const seed = c.seed ?? ctx.test.json.defaults?.seed ?? 0;
  if (c.random === undefined) return seed;
  if (c.seed !== undefined) {
    problem(ctx, [...path, 'random'], 'give `random` or `seed`, not both: `random` picks the seed');
    return null;
  }
  const id = leadIdOf(lead);
  for (let s = 0; s < SEED_SEARCH; s++) if (leadRandom(s, id) === c.random) return s;
  problem(ctx, [...path, 'random'], `no seed under ${SEED_SEARCH} gives this lead random ${c.random}`);
  return null;
}

/** One `caps` entry: whose counters (a buyer's own, or a rule's) and the count each is set to (null: left alone). */
interface CountSetting {
  owner: string;
  rule: string | null;
  used: (counter: { measure: string; unit: string; limit: number }) => number | null;
}

/** `caps`: the caps `:cap` would set (a LIMIT/UNIT key on a buyer) and the counts to set. */
function capsOf(ctx: FileContext, c: TestCaseJson, path: Path): { overrides: Map<string, PlanCap[]>; counts: CountSetting[] } | null {
  const overrides = new Map<string, PlanCap[]>();
  const counts: CountSetting[] = [];
  const buyers = buyerNames(ctx.plan);
  const rules = ruleIds(ctx.plan);
  let ok = true;
  for (const [owner, setting] of Object.entries(c.caps ?? {})) {
    const at = [...path, 'caps', owner];
    const rule = rules.includes(owner) ? owner : null;
    if (rule === null && !known(ctx, 'buyer (or rule id)', owner, buyers, at)) {
      ok = false;
      continue;
    }
    if (setting === 'full') counts.push({ owner, rule, used: (k) => k.limit });
    else if (typeof setting === 'number') counts.push({ owner, rule, used: () => setting });
    else {
      if (rule !== null) {
        problem(ctx, at, 'a rule\'s caps are set with `full` or a count, not per cap');
        ok = false;
        continue;
      }
      const set: { cap: PlanCap; used: number }[] = [];
      for (const [text, used] of Object.entries(setting)) {
        const cap = parseCap(text);
        if (cap === null) {
          problem(ctx, [...at, text], `\`${text}\` is not a cap: write LIMIT/UNIT (\`100/h\`, \`$5000/day\`)`);
          ok = false;
        } else set.push({ cap, used });
      }
      overrides.set(owner, set.map((s) => s.cap));
      counts.push({ owner, rule, used: (k) => set.find((s) => s.cap.measure === k.measure && s.cap.unit === k.unit)?.used ?? null });
    }
  }
  return ok ? { overrides, counts } : null;
}

function bidsOf(ctx: FileContext, c: TestCaseJson, path: Path): Map<string, SimulatedBid> | null {
  const bids = new Map<string, SimulatedBid>();
  const pinged = ctx.plan.buyers.filter((b) => b.ping);
  let ok = true;
  for (const [name, setting] of Object.entries(c.bids ?? {})) {
    const at = [...path, 'bids', name];
    if (!known(ctx, 'pinged buyer', name, pinged.map((b) => b.name), at)) {
      ok = false;
      continue;
    }
    if (setting === 'none') continue;
    const bid = typeof setting === 'number' ? { price: setting, exclusive: false } : { price: setting.price, exclusive: setting.exclusive ?? false };
    if (bid.exclusive && !pinged.find((b) => b.name === name)!.ping!.bid.exclusive) {
      problem(ctx, at, `${name}'s \`bid\` mapping reads no \`exclusive\`: its bids cannot ask for the lead alone`);
      ok = false;
    }
    bids.set(name, bid);
  }
  return ok ? bids : null;
}

/** The buyers and rule an expectation names exist in the plan. */
function checkExpectNames(ctx: FileContext, c: TestCaseJson, path: Path): void {
  const buyers = buyerNames(ctx.plan);
  const e = c.expect;
  if (Array.isArray(e.buyers)) e.buyers.forEach((b, i) => known(ctx, 'buyer', b, buyers, [...path, 'expect', 'buyers', i]));
  for (const b of Object.keys(e.skipped ?? {})) known(ctx, 'buyer', b, buyers, [...path, 'expect', 'skipped', b]);
  if (e.rule !== undefined) known(ctx, 'rule id', e.rule, ruleIds(ctx.plan), [...path, 'expect', 'rule']);
}
