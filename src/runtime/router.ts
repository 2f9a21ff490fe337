// Length (about 520 lines): the rule loop, the public API (route, commit, evaluate,
// metrics, outcomes) and their option types; the per-model code is in src/models/
// and the buyer side in engine.ts.
// The router: runs a loaded plan on one lead at a time and returns a Decision.
// It keeps the rule loop and the dispatch of each matched rule's action to its
// routing model (src/models/); the buyer side every model shares (check, offer,
// take, caps, hours, holidays, dedupe, holds) is Engine (engine.ts), which
// Router extends, and the reused per-lead Run and numeric codes are in run.ts.
//
// Semantics (REFERENCE.md, "Buyers" and "Flows"):
// - Rules are tried top to bottom; a rule whose condition is false is skipped.
//   The first matching rule whose action places the lead decides it; a matching
//   rule that places nothing lets routing go on to the next rule.
// - A buyer can take a lead when every `accepts` part holds, every field it
//   `requires` is present and non-empty, it is open (hours, public holidays),
//   it has not bought the same email/phone within its `dedupe` window, and its
//   caps (and the routing rule's caps) have room for the lead.
// - Only a cap refusal overflows: to the rule's `overflow` for the first hop of
//   a `route` that names one, else to the buyer's own `overflow`, and on along
//   each target's own overflow. A closed buyer with `off hours send X` hands
//   the lead to X the same way. A buyer is never tried twice within one action
//   (that also breaks overflow cycles a plan might contain).
// - A closed buyer with `off hours hold` remembers its next opening; if no rule
//   places the lead, the decision is `held` until then.
// - `reject` stops routing altogether, also from inside a nested flow.
// - An `auction` rule whose tiers have a buyer that can take the lead ends
//   routing with status `auction`: the caller runs the auction (HTTP) and
//   calls commit() with the winners.

import type { PlanExpr, PlanValue } from '../plan/index.js';
import type { Plan } from '../models/plan.js';
import { commitAuction } from '../models/auction.js';
import { MODELS, type LoadedAction } from '../models/index.js';
import type { CapCounter, CapStore } from './caps.js';
import type { Decision, LeadError, SoldTo, TraceEntry } from './decision.js';
import { Engine } from './engine.js';
import { describeValues, evaluatorFor, type EvalContext } from './expr.js';
import { isLoadedPlan, loadPlan, type LoadedCondition, type LoadedFlow, type LoadedPlan, type LoadedRule } from './load.js';
import { computeMetrics, type BuyerMetrics } from './metrics.js';
import { leadIdOf, SeededRandom } from './random.js';
import {
  AUCTION,
  FAIL_CLOSED,
  FAIL_DUPLICATE,
  FAIL_EXCLUDED,
  FAIL_FILTER,
  FAIL_HOLIDAY,
  FAIL_MISSING,
  FAIL_PRICE,
  NOT_PLACED,
  PLACED,
  STOPPED,
  type Hold,
  type Outcome,
  type Run,
} from './run.js';
import { isRouterStore, runConfirmed, type OutcomeKind, type RemoteUnit, type RouterStore } from './store.js';
import { isoString } from './time.js';
import { MemoryState } from './memory-state.js';

export interface RouterOptions {
  /** Where cap counters, fair-split counts, dedupe keys, events and the journal
   *  live; a fresh MemoryState (in memory, no I/O) by default. */
  store?: RouterStore;
  /** Seed for `random` and split draws; 0 by default. */
  seed?: string | number;
  /** Build a readable trace for every decision (default false). */
  trace?: boolean;
  /** Record every decision (store.recordDecision) and every sale (a `sold`
   *  event); default true. With false, sales are recorded only when the plan
   *  reads outcome metrics, and decisions never: for benchmarks. */
  journal?: boolean;
}

export interface RouteOptions {
  /** Routing time; Date.now() by default. */
  now?: Date | number | string;
  /** Overrides the router's seed for this lead. */
  seed?: string | number;
  /** The flow to run; the plan's default flow by default. */
  flow?: string;
  /** Overrides the router's trace option for this lead. */
  trace?: boolean;
  /** Buyers that may not take this lead: they refused it at delivery, and a
   *  re-route (the Seller's cascade) should place it elsewhere. */
  exclude?: readonly string[];
}

export interface CommitOptions {
  /** Time of the sale (caps windows, events); Date.now() by default. */
  now?: number | Date | string;
  /** Whether the sale is exclusive; by default, when exactly one buyer is sold to. */
  exclusive?: boolean;
}

export interface EvaluateOptions {
  lead?: Record<string, unknown>;
  /** Read by `bid.*` names (`bid.price`). */
  bid?: Record<string, unknown>;
  /** Read by other dotted names: `buyer.acceptance` reads vars.buyer.acceptance. */
  vars?: Record<string, Record<string, unknown> | undefined>;
  now?: number | Date | string;
  random?: number;
}

export { dedupeKey, formatDuration, normaliseForDedupe } from './run.js';

/** Shared, frozen empty lists for decisions without errors or trace: one less
 *  allocation per lead on the hot path. Decisions are read-only to callers. */
const NO_ERRORS = Object.freeze([]) as unknown as LeadError[];
const NO_TRACE = Object.freeze([]) as unknown as TraceEntry[];
const EMPTY_LEAD: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_REWRITES: Record<string, PlanValue> = Object.freeze({}) as Record<string, PlanValue>;
const NO_OPTS: RouteOptions = Object.freeze({});

function toMillis(now: Date | number | string | undefined): number {
  if (now === undefined) return Date.now();
  const t = now instanceof Date ? now.getTime() : typeof now === 'number' ? now : Date.parse(now);
  if (!Number.isFinite(t)) throw new Error(`invalid routing time: ${String(now)}`);
  return t;
}

/** One action's runner, as the dispatch calls it (see runAction). */
type Runner = (engine: Engine, run: Run, rule: LoadedRule, action: LoadedAction) => Outcome;
/** One action's `unplaced` trace line, as runFlow calls it. */
type Explainer = (engine: Engine, rule: LoadedRule, action: LoadedAction) => string;

export class Router extends Engine {
  readonly seed: string | number;
  readonly journal: boolean;
  private readonly traceDefault: boolean;
  private readonly rng: SeededRandom;
  private readonly otherRngs = new Map<string | number, SeededRandom>();
  private lastAtMs = NaN;
  private lastAt = '';
  private readonly run: Run;
  /** The store's atomic(), bound, when it has one: each lead is then one unit of it. */
  private readonly unit: (<T>(fn: () => T) => T) | null;
  /** The store's remoteUnit(), bound, when it is shared through a server (Redis). */
  private readonly remote: (<T>(fn: () => T) => RemoteUnit<T>) | null;

  constructor(plan: Plan | LoadedPlan, options: RouterOptions = {}) {
    const loaded = isLoadedPlan(plan) ? plan : loadPlan(plan);
    const store: CapStore = options.store ?? new MemoryState();
    if (!isRouterStore(store)) {
      throw new TypeError('the router needs a RouterStore (cap counters, hasKey/putKey, recordEvent/countEvents, recordDecision); this store only keeps caps');
    }
    const journal = options.journal ?? true;
    super(loaded, store, journal || loaded.usesMetrics);
    this.seed = options.seed ?? 0;
    this.journal = journal;
    this.traceDefault = options.trace ?? false;
    this.rng = new SeededRandom(this.seed);
    this.unit = typeof store.atomic === 'function' ? store.atomic.bind(store) : null;
    this.remote = typeof store.remoteUnit === 'function' ? store.remoteUnit.bind(store) : null;
    this.run = {
      ctx: { lead: EMPTY_LEAD, random: 0, now: 0 },
      leadId: '',
      rng: this.rng,
      trace: null,
      sold: [],
      exclusive: true,
      rule: null,
      rejectReason: null,
      matched: 0,
      fails: [],
      failCount: 0,
      flowStack: [],
      topFlow: -1,
      stamp: 0,
      shared: false,
      ruleId: undefined,
      current: null,
      price: 0,
      full: null,
      deliverAt: null,
      hold: null,
      rewrites: null,
      auction: null,
      excluded: null,
    };
  }

  /** The loaded plan the router runs. */
  get loaded(): LoadedPlan {
    return this.plan;
  }

  /**
   * Route one lead. Synchronous; cap counters are updated for every buyer that
   * takes it. With a store that has atomic() (SQLite), the lead's reads and
   * writes are one unit of it: a store error (a lock not got in time) means
   * nothing of the lead was written.
   */
  route(lead: unknown, opts: RouteOptions = NO_OPTS): Decision {
    const unit = this.unit;
    return unit === null ? this.routeLead(lead, opts) : unit(() => this.routeLead(lead, opts));
  }

  /**
   * route(), for a store shared by several processes (one with remoteUnit:
   * Redis): the lead is routed on the store's local copy, and routed again
   * when another process had changed a counter it read, so a cap is counted
   * against every process's sales. With any other store, the same as route().
   */
  routeConfirmed(lead: unknown, opts: RouteOptions = NO_OPTS): Promise<Decision> {
    const remote = this.remote;
    return remote === null ? Promise.resolve(this.route(lead, opts)) : runConfirmed(remote, () => this.routeLead(lead, opts), this.copyRefreshed);
  }

  /** The shared store's copy took other processes' counts: metrics cached from it are stale. */
  private readonly copyRefreshed = (): void => {
    this.metricVersion++;
  };

  private routeLead(lead: unknown, opts: RouteOptions): Decision {
    const now = toMillis(opts.now);
    const flow = opts.flow === undefined ? this.plan.defaultFlow : this.flowNamed(opts.flow);
    const rng = opts.seed === undefined || opts.seed === this.seed ? this.rng : this.rngFor(opts.seed);
    // The guard and the schema first: nothing else reads a lead that is not
    // plain JSON data within the lead limits (lead-guard.ts). leadIdOf is safe
    // on any lead, so a rejected one still gets its id.
    lead = this.plan.trimLead(lead);
    // (The guard rejects a lead that is not an object, whatever the lead schema says.)
    const errors = this.plan.validateLead(lead);
    const leadId = leadIdOf(lead);
    const random = rng.random(leadId);
    const trace: TraceEntry[] | null = (opts.trace ?? this.traceDefault) ? [] : null;
    if (now !== this.lastAtMs) {
      this.lastAtMs = now;
      this.lastAt = isoString(now);
    }
    const at = this.lastAt;

    if (errors !== null) return this.journaled(this.rejected(leadId, flow, errors, random, at, trace));

    // One Run object per router, reset for each lead: routing is synchronous and
    // never re-entered, and this keeps a 100,000-lead run light on garbage.
    const run = this.run;
    const ctx = run.ctx;
    ctx.lead = lead as Record<string, unknown>;
    ctx.random = random;
    ctx.now = now;
    run.leadId = leadId;
    run.excluded = opts.exclude !== undefined && opts.exclude.length > 0 ? new Set(opts.exclude) : null;
    run.rng = rng;
    run.trace = trace;
    run.sold = [];
    run.exclusive = true;
    run.rule = null;
    run.rejectReason = null;
    run.matched = 0;
    run.failCount = 0;
    run.topFlow = flow.index;
    if (run.flowStack.length !== 0) run.flowStack.length = 0; // only after an exception
    run.shared = false;
    run.ruleId = undefined;
    run.current = null;
    run.deliverAt = null;
    run.hold = null;
    run.rewrites = null;
    run.auction = null;
    let outcome: Outcome;
    try {
      outcome = this.runFlow(run, flow);
    } finally {
      run.ctx.lead = EMPTY_LEAD; // do not keep the lead alive
    }
    const rewrites = run.rewrites ?? NO_REWRITES;

    if (outcome === PLACED) {
      let price = 0;
      for (const s of run.sold) price += s.price;
      const rule = run.rule as LoadedRule | null as LoadedRule;
      return this.journaled({
        leadId,
        flow: flow.name,
        status: 'routed',
        buyers: run.sold,
        exclusive: run.exclusive && run.sold.length === 1,
        price: Math.round(price * 100) / 100,
        rule: rule.ref,
        reason: null,
        errors: NO_ERRORS,
        random,
        at,
        trace: trace ?? NO_TRACE,
        holdUntil: null,
        auction: null,
        rewrites,
      });
    }
    if (outcome === AUCTION) {
      const rule = run.rule as LoadedRule | null as LoadedRule;
      return this.journaled({
        leadId,
        flow: flow.name,
        status: 'auction',
        buyers: [],
        exclusive: false,
        price: 0,
        rule: rule.ref,
        reason: null,
        errors: NO_ERRORS,
        random,
        at,
        trace: trace ?? NO_TRACE,
        holdUntil: null,
        auction: run.auction,
        rewrites,
      });
    }
    const hold = run.hold as Hold | null;
    if (outcome === NOT_PLACED && hold !== null) {
      const until = isoString(hold.until);
      if (trace) {
        run.ruleId = hold.rule?.id;
        this.note(run, 'Held', `no rule placed the lead; it is held for ${hold.buyer.name} until ${until}`, hold.buyer.name);
      }
      return this.journaled({
        leadId,
        flow: flow.name,
        status: 'held',
        buyers: [{ name: hold.buyer.name, price: hold.price, deliverAt: until }],
        exclusive: true,
        price: hold.price,
        rule: hold.rule === null ? null : hold.rule.ref,
        reason: `${hold.buyer.name} is closed; the lead is held until ${until}`,
        errors: NO_ERRORS,
        random,
        at,
        trace: trace ?? NO_TRACE,
        holdUntil: until,
        auction: null,
        rewrites: NO_REWRITES,
      });
    }
    const rule = run.rule as LoadedRule | null; // (set by runFlow)
    return this.journaled({
      leadId,
      flow: flow.name,
      status: 'unrouted',
      buyers: [],
      exclusive: false,
      price: 0,
      rule: outcome === STOPPED && rule !== null ? rule.ref : null,
      reason: outcome === STOPPED ? run.rejectReason : this.unroutedReason(run, flow),
      errors: NO_ERRORS,
      random,
      at,
      trace: trace ?? NO_TRACE,
      holdUntil: null,
      auction: null,
      rewrites: NO_REWRITES,
    });
  }

  // ---------------------------------------------------------------- outcomes and metrics

  /**
   * Record what became of a lead sold to `buyer` (from the buyer's feedback):
   * accepted, rejected, returned or converted. Feeds metrics() and the
   * performance-based routing models.
   */
  recordOutcome(leadId: string, buyer: string, outcome: OutcomeKind, opts: { at?: number | Date | string } = {}): void {
    if (!this.plan.buyerIndex.has(buyer)) throw new Error(`unknown buyer '${buyer}'`);
    if (outcome !== 'accepted' && outcome !== 'rejected' && outcome !== 'returned' && outcome !== 'converted') {
      throw new Error(`unknown outcome '${String(outcome)}' (accepted, rejected, returned or converted)`);
    }
    this.store.recordEvent({ kind: outcome, buyer, leadId, at: toMillis(opts.at) });
    this.metricVersion++;
  }

  /** A buyer's sales and outcomes over the `windowMs` before `now`, with observed and predicted rates. */
  metrics(buyer: string, windowMs: number, now?: number | Date | string): BuyerMetrics {
    if (!this.plan.buyerIndex.has(buyer)) throw new Error(`unknown buyer '${buyer}'`);
    return computeMetrics(this.store, buyer, windowMs, toMillis(now));
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Evaluate a plan expression (an auction's floor or rank, say) against a lead
   * and extra variables: `bid.price` reads opts.bid.price. Compiled once per
   * expression object.
   */
  evaluate(expr: PlanExpr, opts: EvaluateOptions = {}): unknown {
    const f = evaluatorFor(expr);
    const ctx: EvalContext = { lead: opts.lead ?? EMPTY_LEAD, random: opts.random ?? 0, now: toMillis(opts.now) };
    if (opts.bid !== undefined) ctx.bid = opts.bid;
    if (opts.vars !== undefined) ctx.vars = opts.vars;
    return f(ctx);
  }

  // ---------------------------------------------------------------- auctions

  /**
   * Complete an `auction` decision with the buyers the auction sold to: counts
   * their caps (and rule-scoped caps where the rule has them), records the sales
   * and dedupe keys, and returns the routed decision. A winner whose caps filled
   * up (or who bought the same email/phone) since the auction began is dropped,
   * so caps are never exceeded. With no sale left the decision is unrouted.
   */
  commit(decision: Decision, sold: SoldTo[], opts: CommitOptions = {}): Decision {
    if (decision.status !== 'auction' || decision.auction === null) {
      throw new Error(`commit() takes an auction decision (this one is ${decision.status})`);
    }
    const auction = decision.auction;
    const now = toMillis(opts.now);
    const complete = () => this.journaled(commitAuction(this, decision, auction, sold, now, opts.exclusive));
    return this.unit === null ? complete() : this.unit(complete);
  }

  /** commit(), confirmed by a store shared by several processes (see routeConfirmed). */
  commitConfirmed(decision: Decision, sold: SoldTo[], opts: CommitOptions = {}): Promise<Decision> {
    const remote = this.remote;
    return remote === null ? Promise.resolve(this.commit(decision, sold, opts)) : runConfirmed(remote, () => this.commit(decision, sold, opts), this.copyRefreshed);
  }

  // ---------------------------------------------------------------- helpers

  private journaled(d: Decision): Decision {
    if (this.journal) this.store.recordDecision(d);
    return d;
  }

  private flowNamed(name: string): LoadedFlow {
    const i = this.plan.flowIndex.get(name);
    if (i === undefined) {
      throw new Error(`unknown flow '${name}'; the plan's flows are: ${this.plan.flows.map((f) => f.name).join(', ')}`);
    }
    return this.plan.flows[i]!;
  }

  private rngFor(seed: string | number): SeededRandom {
    let r = this.otherRngs.get(seed);
    if (r === undefined) {
      if (this.otherRngs.size > 64) this.otherRngs.clear();
      r = new SeededRandom(seed);
      this.otherRngs.set(seed, r);
    }
    return r;
  }

  private rejected(
    leadId: string,
    flow: LoadedFlow,
    errors: LeadError[],
    random: number,
    at: string,
    trace: TraceEntry[] | null,
  ): Decision {
    const reason = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    if (trace) for (const e of errors) trace.push({ code: 'LeadInvalid', message: `lead rejected: ${e.field}: ${e.message}` });
    return {
      leadId,
      flow: flow.name,
      status: 'rejected',
      buyers: [],
      exclusive: false,
      price: 0,
      rule: null,
      reason,
      errors,
      random,
      at,
      trace: trace ?? NO_TRACE,
      holdUntil: null,
      auction: null,
      rewrites: NO_REWRITES,
    };
  }

  private unroutedReason(run: Run, flow: LoadedFlow): string {
    if (run.matched === 0) return `no rule in flow '${flow.name}' matched the lead`;
    const f = run.fails;
    const n = run.failCount;
    if (n === 0) return `no rule in flow '${flow.name}' placed the lead`;
    // The last refusal of each buyer, in the order buyers were first refused.
    const last = new Map<number, string>();
    for (let i = 0; i < n; i += 3) {
      const b = this.plan.buyers[f[i] as number]!;
      const code = f[i + 1] as number;
      const detail = f[i + 2];
      let why: string;
      if (code === FAIL_FILTER) why = `accepts \`${(detail as LoadedCondition).text}\` is false`;
      else if (code === FAIL_CLOSED) why = 'closed';
      else if (code === FAIL_HOLIDAY) {
        const h = detail as { calendar: string; name: string };
        why = `closed (${h.name}, ${h.calendar} holiday)`;
      } else if (code === FAIL_MISSING) why = `missing ${detail as string}`;
      else if (code === FAIL_DUPLICATE) why = `duplicate ${detail as string}`;
      else if (code === FAIL_EXCLUDED) why = 'refused the lead at delivery';
      else if (code === FAIL_PRICE) why = detail as string;
      else why = `cap ${(detail as CapCounter).label()} reached`;
      last.set(b.index, `${b.name}: ${why}`);
    }
    return `no buyer could take the lead (${[...last.values()].join('; ')})`;
  }

  // ---------------------------------------------------------------- flows and rules

  private runFlow(run: Run, flow: LoadedFlow): Outcome {
    const ctx = run.ctx;
    const rules = flow.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      run.ruleId = rule.id;
      const when = rule.when;
      if (when !== null && !when.test(ctx)) {
        if (run.trace) {
          const values = describeValues(when.refs, ctx);
          this.note(run, 'RuleSkipped', `rule '${rule.label}' skipped: condition is false${values ? ` (${values})` : ''}`);
        }
        continue;
      }
      run.matched++;
      if (run.trace) {
        const values = when === null ? '' : describeValues(when.refs, ctx);
        this.note(run, 'RuleMatched', `rule '${rule.label}' matched${values ? ` (${values})` : ''}`);
      }
      const outcome = this.runAction(run, rule);
      if (outcome === PLACED || outcome === AUCTION) {
        if (run.rule === null) run.rule = rule;
        return outcome;
      }
      if (outcome === STOPPED) return STOPPED;
      if (run.trace) {
        run.ruleId = rule.id;
        const a = rule.action;
        this.note(run, 'RuleUnplaced', (MODELS[a.kind].unplaced as Explainer)(this, rule, a));
      }
    }
    if (run.trace) {
      run.ruleId = undefined;
      this.note(run, 'NoRulePlaced', `no rule in flow '${flow.name}' placed the lead`);
    }
    return NOT_PLACED;
  }

  /** Run another flow from inside an action (`flow`, a fallback step, a specialize fallback). */
  enterFlow(run: Run, index: number, why: string): Outcome {
    const sub = this.plan.flows[index]!;
    if (sub.index === run.topFlow || run.flowStack.includes(sub.index)) {
      if (run.trace) this.note(run, 'FlowEntered', `flow '${sub.name}' is already running; not entered again (flow cycle)`);
      return NOT_PLACED;
    }
    if (run.trace) this.note(run, 'FlowEntered', `${why} '${sub.name}'`);
    run.flowStack.push(sub.index);
    const outcome = this.runFlow(run, sub);
    run.flowStack.pop();
    return outcome;
  }

  /** Run a matched rule's action: the dispatch to its routing model (src/models/). */
  private runAction(run: Run, rule: LoadedRule): Outcome {
    const a = rule.action;
    this.newStamp(run);
    run.shared = false;
    run.current = rule;
    // The table is keyed by kind, so MODELS[a.kind] runs exactly this variant;
    // TypeScript cannot correlate the two, hence the one widening here.
    return (MODELS[a.kind].run as Runner)(this, run, rule, a);
  }

  // ---------------------------------------------------------------- buyers
}
