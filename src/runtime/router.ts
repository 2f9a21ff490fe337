// The router: runs a loaded plan on one lead at a time and returns a Decision.
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

import { createHash } from 'node:crypto';
import type { Plan, PlanExpr, PlanValue } from '../compile/plan.js';
import type { CapCounter, CapStore } from './caps.js';
import type { Decision, LeadError, PendingAuction, SoldTo, TraceCode, TraceEntry } from './decision.js';
import { describeValues, evaluatorFor, type EvalContext, type Evaluator } from './expr.js';
import { holidayOn } from './holidays.js';
import {
  isLoadedPlan,
  loadPlan,
  OFF_HOLD,
  OFF_SEND,
  type LoadedAction,
  type LoadedBuyer,
  type LoadedCondition,
  type LoadedFlow,
  type LoadedPlan,
  type LoadedRule,
} from './load.js';
import { boundedShares, computeMetrics, type BuyerMetrics } from './metrics.js';
import { leadIdOf, SeededRandom } from './random.js';
import { isRouterStore, type OutcomeKind, type RouterStore } from './store.js';
import { DAY_NAMES, describeClosed, formatClock, isOpen, isoString, nextOpening } from './time.js';
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

const NOT_PLACED = 0;
const PLACED = 1;
const STOPPED = 2;
const AUCTION = 3;
type Outcome = typeof NOT_PLACED | typeof PLACED | typeof STOPPED | typeof AUCTION;

const OK = 0;
const FAIL_FILTER = 1;
const FAIL_CLOSED = 2;
const FAIL_CAP = 3;
const FAIL_HOLIDAY = 4;
const FAIL_MISSING = 5;
const FAIL_DUPLICATE = 6;
const FAIL_EXCLUDED = 7;

/** How far ahead a held lead's next opening is searched. */
const HOLD_MAX_DAYS = 14;
/** Expiry of fair-split counters: they are state, not windows. */
const FOREVER = 8_640_000_000_000_000;

type Premium = { kind: 'percent' | 'dollars'; amount: number };

interface Hold {
  buyer: LoadedBuyer;
  until: number;
  price: number;
  rule: LoadedRule | null;
}

/** Everything about routing one lead. */
interface Run {
  ctx: EvalContext;
  leadId: string;
  rng: SeededRandom;
  trace: TraceEntry[] | null;
  sold: SoldTo[];
  exclusive: boolean;
  rule: LoadedRule | null;
  rejectReason: string | null;
  /** Rules whose condition held. */
  matched: number;
  /** Refusals, as triples (buyer index, FAIL_*, detail), for the unrouted reason. */
  fails: unknown[];
  /** Entries of `fails` in use (the array is reused across leads). */
  failCount: number;
  /** Flows being run, for the runtime cycle guard. */
  flowStack: number[];
  /** The flow `route` started with (the stack holds only nested flows). */
  topFlow: number;
  /** Stamp of the action being run (see Router.tried). */
  stamp: number;
  /** Whether the action being run is a share (shared sale). */
  shared: boolean;
  /** The rule being run (for trace entries). */
  ruleId: string | undefined;
  /** The rule whose action is being run. */
  current: LoadedRule | null;
  /** Price computed by the last successful check(). */
  price: number;
  /** The cap counter that refused in the last check() (FAIL_CAP). */
  full: CapCounter | null;
  /** Deferred delivery time for the sales being made (hybrid secondaries). */
  deliverAt: string | null;
  /** The first hold registered by a closed `off hours hold` buyer. */
  hold: Hold | null;
  /** Fields rewritten by fallback chains (null: none). */
  rewrites: Record<string, PlanValue> | null;
  auction: PendingAuction | null;
  /** Buyers excluded for this lead (RouteOptions.exclude); null: none. */
  excluded: ReadonlySet<string> | null;
}

const EMPTY: never[] = [];
/** Shared, frozen empty lists for decisions without errors or trace: one less
 *  allocation per lead on the hot path. Decisions are read-only to callers. */
const NO_ERRORS = Object.freeze([]) as unknown as LeadError[];
const NO_TRACE = Object.freeze([]) as unknown as TraceEntry[];
const EMPTY_LEAD: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_REWRITES: Record<string, PlanValue> = Object.freeze({}) as Record<string, PlanValue>;
const NO_OPTS: RouteOptions = Object.freeze({});
const DAY_MS = 86_400_000;

function money(n: number): string {
  return '$' + n.toFixed(2);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function toMillis(now: Date | number | string | undefined): number {
  if (now === undefined) return Date.now();
  const t = now instanceof Date ? now.getTime() : typeof now === 'number' ? now : Date.parse(now);
  if (!Number.isFinite(t)) throw new Error(`invalid routing time: ${String(now)}`);
  return t;
}

function priceOf(f: Evaluator | null, ctx: EvalContext): number {
  if (f === null) return 0;
  const v = f(ctx);
  if (typeof v !== 'number' || !Number.isFinite(v)) return 0;
  return Math.round(v * 100) / 100;
}

function numberOrNull(f: Evaluator | null, ctx: EvalContext): number | null {
  if (f === null) return null;
  const v = f(ctx);
  return typeof v === 'number' && Number.isFinite(v) ? round2(v) : null;
}

function condFailed(c: LoadedCondition, ctx: EvalContext): string {
  const values = describeValues(c.refs, ctx);
  return `\`${c.text}\` is false${values ? ` (${values})` : ''}`;
}

/** `30d`, `12h`, `90m`, `45s`, `500ms`: the largest unit that divides the duration. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY_MS, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size}${name}`;
  return `${ms}ms`;
}

/** A value is "present" for `requires` when it is not missing, not blank text and not an empty list. */
function isPresent(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** Normalise a value for duplicate detection: emails trimmed and lower-cased, phones
 *  to their last 10 digits, anything else trimmed and lower-cased. '' when unusable. */
export function normaliseForDedupe(v: unknown, norm: 'email' | 'phone' | 'text'): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  if (norm === 'phone') return s.replace(/\D+/g, '').slice(-10);
  return s.trim().toLowerCase();
}

/** The store key remembering that `value` of `field` was sold to `buyer`: sha256 hex (no PII stored). */
export function dedupeKey(buyer: string, field: string, value: string): string {
  return createHash('sha256').update(`${buyer}\u0000${field}\u0000${value}`).digest('hex');
}

function pct(x: number): string {
  return `${Math.round(x * 10) / 10}%`;
}

export class Router {
  readonly plan: LoadedPlan;
  readonly store: RouterStore;
  readonly seed: string | number;
  readonly journal: boolean;
  private readonly recordSales: boolean;
  private readonly traceDefault: boolean;
  private readonly rng: SeededRandom;
  private readonly otherRngs = new Map<string | number, SeededRandom>();
  /** tried[b] === stamp when buyer b was already offered the lead in the current action. */
  private readonly tried: Float64Array;
  private stampCounter = 0;
  private lastAtMs = NaN;
  private lastAt = '';
  private readonly run: Run;
  /** Per buyer: the local day last checked for holidays and its answer. */
  private readonly holidayDay: Float64Array;
  private readonly holidayHit: ({ calendar: string; name: string } | null)[];
  /** Per buyer: a cached next opening, valid for routing times in [from, until). */
  private readonly openingCache: ({ from: number; until: number } | null)[];
  private readonly metricCache = new Map<string, { minute: number; version: number; m: BuyerMetrics }>();
  private metricVersion = 0;
  private rulesById: Map<string, LoadedRule> | null = null;

  constructor(plan: Plan | LoadedPlan, options: RouterOptions = {}) {
    this.plan = isLoadedPlan(plan) ? plan : loadPlan(plan);
    const store: CapStore = options.store ?? new MemoryState();
    if (!isRouterStore(store)) {
      throw new TypeError('the router needs a RouterStore (cap counters, hasKey/putKey, recordEvent/countEvents, recordDecision); this store only keeps caps');
    }
    this.store = store;
    this.seed = options.seed ?? 0;
    this.journal = options.journal ?? true;
    this.recordSales = this.journal || this.plan.usesMetrics;
    this.traceDefault = options.trace ?? false;
    this.rng = new SeededRandom(this.seed);
    const n = this.plan.buyers.length;
    this.tried = new Float64Array(n);
    this.holidayDay = new Float64Array(n).fill(NaN);
    this.holidayHit = new Array(n).fill(null);
    this.openingCache = new Array(n).fill(null);
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

  /** Route one lead. Synchronous; cap counters are updated for every buyer that takes it. */
  route(lead: unknown, opts: RouteOptions = NO_OPTS): Decision {
    const now = toMillis(opts.now);
    const flow = opts.flow === undefined ? this.plan.defaultFlow : this.flowNamed(opts.flow);
    const rng = opts.seed === undefined || opts.seed === this.seed ? this.rng : this.rngFor(opts.seed);
    const leadId = leadIdOf(lead);
    const random = rng.random(leadId);
    const trace: TraceEntry[] | null = (opts.trace ?? this.traceDefault) ? [] : null;
    if (now !== this.lastAtMs) {
      this.lastAtMs = now;
      this.lastAt = isoString(now);
    }
    const at = this.lastAt;

    let errors = this.plan.validateLead(lead);
    if (errors === null && (typeof lead !== 'object' || lead === null || Array.isArray(lead))) {
      errors = [{ field: 'lead', message: 'must be object' }]; // whatever the lead schema says
    }
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

  /** Metrics for routing: cached per buyer and window for one minute of routing time
   *  (and until recordOutcome is called on this router). */
  private routingMetrics(buyer: string, windowMs: number, now: number): BuyerMetrics {
    const key = `${buyer}|${windowMs}`;
    const minute = Math.floor(now / 60_000);
    const hit = this.metricCache.get(key);
    if (hit !== undefined && hit.minute === minute && hit.version === this.metricVersion) return hit.m;
    const m = computeMetrics(this.store, buyer, windowMs, now);
    this.metricCache.set(key, { minute, version: this.metricVersion, m });
    return m;
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
    const pending = decision.auction;
    if (decision.status !== 'auction' || pending === null) {
      throw new Error(`commit() takes an auction decision (this one is ${decision.status})`);
    }
    const now = toMillis(opts.now);
    // Only the few winners are looked up: no set of every buyer offered.
    const offered = (name: string) => pending.tiers.some((t) => t.buyers.includes(name));
    const traced = decision.trace.length > 0;
    const trace = traced ? [...decision.trace] : decision.trace;
    const note = (code: TraceCode, message: string, buyer: string) => {
      if (traced) trace.push({ code, buyer, rule: pending.ruleId, message });
    };
    const rule = this.ruleById(pending.ruleId);
    const out: SoldTo[] = [];
    const seen = new Set<string>();
    for (const s of sold) {
      const i = this.plan.buyerIndex.get(s.name);
      if (i === undefined) throw new Error(`unknown buyer '${s.name}'`);
      if (!offered(s.name)) throw new Error(`${s.name} was not offered lead ${decision.leadId} in auction ${pending.ruleId}`);
      if (seen.has(s.name)) continue;
      seen.add(s.name);
      const buyer = this.plan.buyers[i]!;
      const price = round2(s.price);
      const counters = rule !== null ? this.ruleCounters(rule, i) : EMPTY;
      const ids = buyer.clock.windows(now).ids;
      let full: CapCounter | null = null;
      for (const c of counters) if (full === null && !c.hasRoom(this.store, ids, now, price)) full = c;
      for (const c of buyer.counters) if (full === null && !c.hasRoom(this.store, ids, now, price)) full = c;
      if (full !== null) {
        note('Committed', `${buyer.name} won at ${money(price)} but cap ${full.label()} is reached; not sold`, buyer.name);
        continue;
      }
      const keys = pending.dedupeKeys[buyer.name] ?? EMPTY;
      if (buyer.dedupe !== null && keys.some((k) => this.store.hasKey(k, now))) {
        note('Committed', `${buyer.name} won at ${money(price)} but already bought this lead's contact; not sold`, buyer.name);
        continue;
      }
      if (counters.length > 0 || buyer.counters.length > 0) {
        const w = buyer.clock.windows(now);
        for (const c of counters) c.take(this.store, w, price);
        for (const c of buyer.counters) c.take(this.store, w, price);
      }
      if (this.recordSales) this.store.recordEvent({ kind: 'sold', buyer: buyer.name, leadId: decision.leadId, at: now, price });
      if (buyer.dedupe !== null) for (const k of keys) this.store.putKey(k, now + buyer.dedupe.windowMs);
      const entry: SoldTo = { name: buyer.name, price };
      if (s.deliverAt !== undefined) entry.deliverAt = s.deliverAt;
      out.push(entry);
      note('Committed', `${buyer.name} wins the auction at ${money(price)}`, buyer.name);
    }
    let total = 0;
    for (const s of out) total += s.price;
    const routed = out.length > 0;
    return this.journaled({
      ...decision,
      status: routed ? 'routed' : 'unrouted',
      buyers: out,
      exclusive: routed && (opts.exclusive ?? out.length === 1),
      price: round2(total),
      reason: routed ? null : sold.length === 0 ? 'no bid won the auction' : 'no auction winner could be sold to',
      trace,
    });
  }

  private ruleById(id: string): LoadedRule | null {
    if (this.rulesById === null) {
      this.rulesById = new Map();
      for (const f of this.plan.flows) for (const r of f.rules) this.rulesById.set(r.id, r);
    }
    return this.rulesById.get(id) ?? null;
  }

  /** The rule-scoped counters a rule applies to buyer `b` (a `route` with caps). */
  private ruleCounters(rule: LoadedRule, b: number): CapCounter[] {
    const a = rule.action;
    return a.kind === 'route' && a.buyer === b ? a.counters : EMPTY;
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
      else why = `cap ${(detail as CapCounter).label()} reached`;
      last.set(b.index, `${b.name}: ${why}`);
    }
    return `no buyer could take the lead (${[...last.values()].join('; ')})`;
  }

  private fail(run: Run, b: number, code: number, detail: unknown): void {
    const f = run.fails;
    const i = run.failCount;
    f[i] = b;
    f[i + 1] = code;
    f[i + 2] = detail;
    run.failCount = i + 3;
  }

  private note(run: Run, code: TraceCode, message: string, buyer?: string): void {
    const e: TraceEntry = { code, message };
    if (buyer !== undefined) e.buyer = buyer;
    if (run.ruleId !== undefined) e.rule = run.ruleId;
    run.trace!.push(e);
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
        if (rule.action.kind === 'flow') {
          const sub = this.plan.flows[rule.action.flow]!.name;
          this.note(run, 'RuleUnplaced', `flow '${sub}' placed nothing; continuing after rule '${rule.label}'`);
        } else {
          this.note(run, 'RuleUnplaced', `rule '${rule.label}' could not place the lead; trying the next rule`);
        }
      }
    }
    if (run.trace) {
      run.ruleId = undefined;
      this.note(run, 'NoRulePlaced', `no rule in flow '${flow.name}' placed the lead`);
    }
    return NOT_PLACED;
  }

  /** Run another flow from inside an action (`flow`, a fallback step, a specialize fallback). */
  private enterFlow(run: Run, index: number, why: string): Outcome {
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

  private runAction(run: Run, rule: LoadedRule): Outcome {
    const a = rule.action;
    run.stamp = ++this.stampCounter;
    run.shared = false;
    run.current = rule;
    switch (a.kind) {
      case 'route':
        return this.offer(run, a.buyer, a.counters, a.overflow, null) ? PLACED : NOT_PLACED;

      case 'split':
        if (a.mode === 'fair') return this.fairSplit(run, rule, a);
        if (a.mode === 'performance') return this.performanceSplit(run, rule, a);
        return this.randomSplit(run, rule, a, a.entries.map((e) => e.weight), a.cumulative, a.total, a.byWeight);

      case 'waterfall': {
        const tiers = a.tiers;
        for (let j = 0; j < tiers.length; j++) {
          const t = tiers[j]!;
          if (t.when !== null && !t.when.test(run.ctx)) {
            if (run.trace) {
              const name = this.plan.buyers[t.buyer]!.name;
              this.note(run, 'TierSkipped', `tier ${name} skipped: ${condFailed(t.when, run.ctx)}`, name);
            }
            continue;
          }
          if (this.tried[t.buyer] === run.stamp) continue;
          if (this.offer(run, t.buyer, EMPTY, -1, null)) return PLACED;
        }
        return NOT_PLACED;
      }

      case 'share': {
        run.shared = true;
        run.exclusive = false;
        const entries = a.entries;
        const before = run.sold.length;
        for (let j = 0; j < entries.length; j++) {
          const e = entries[j]!;
          if (run.sold.length - before >= a.max) {
            if (run.trace) {
              const rest = entries.slice(j).map((x) => this.plan.buyers[x.buyer]!.name);
              this.note(run, 'ShareFull', `share is full (${a.max} of max ${a.max}): ${rest.join(', ')} not offered`);
            }
            break;
          }
          if (this.tried[e.buyer] === run.stamp) continue;
          this.offer(run, e.buyer, EMPTY, -1, e.price);
        }
        if (run.sold.length > before) return PLACED;
        run.exclusive = true;
        return NOT_PLACED;
      }

      case 'flow':
        return this.enterFlow(run, a.flow, 'entering flow');

      case 'reject':
        run.rule = rule;
        run.rejectReason = a.reason;
        if (run.trace) this.note(run, 'Rejected', `rule '${rule.label}' rejects the lead: ${a.reason}`);
        return STOPPED;

      case 'rank':
        return this.rank(run, a);

      case 'specialize':
        return this.specialize(run, a);

      case 'fallback':
        return this.fallback(run, rule, a);

      case 'hybrid':
        return this.hybrid(run, a);

      case 'auction':
        return this.auction(run, rule, a);
    }
  }

  // ---------------------------------------------------------------- splits

  /** Draw by weight (cumulative over declared order); on refusal try the rest heaviest first. */
  private randomSplit(
    run: Run,
    rule: LoadedRule,
    a: Extract<LoadedAction, { kind: 'split' }>,
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
      this.note(run, 'SplitDraw', `split draw ${draw.toFixed(2)} picks ${this.plan.buyers[drawn]!.name} (${share}%)`);
    }
    if (this.offer(run, drawn, EMPTY, -1, null)) return PLACED;
    if (run.trace && entries.length > 1) {
      const others = byWeight.filter((j) => j !== pick).map((j) => this.plan.buyers[entries[j]!.buyer]!.name);
      this.note(run, 'SplitDraw', `${this.plan.buyers[drawn]!.name} cannot take the lead; trying the others, heaviest first: ${others.join(', ')}`);
    }
    for (let k = 0; k < byWeight.length; k++) {
      const j = byWeight[k]!;
      if (j === pick) continue;
      const b = entries[j]!.buyer;
      if (this.tried[b] === run.stamp) continue;
      if (this.offer(run, b, EMPTY, -1, null)) return PLACED;
    }
    return NOT_PLACED;
  }

  /**
   * Deficit round robin. With n leads placed by this rule so far and taken_i of
   * them by entry i, the entry furthest behind its share, the largest
   * weight_i·(n+1) − total·taken_i (declared order among equals), is offered
   * the lead first; then the next furthest, and so on. Every entry stays within
   * one lead of its exact share at every point, as long as all can take leads.
   * The counts live in the store (so routers sharing a store share them).
   */
  private fairSplit(run: Run, rule: LoadedRule, a: Extract<LoadedAction, { kind: 'split' }>): Outcome {
    const store = this.store;
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
      taken[j] = store.get(prefix + this.plan.buyers[entries[j]!.buyer]!.name);
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
      if (this.tried[b] === run.stamp) continue;
      if (run.trace) {
        const name = this.plan.buyers[b]!.name;
        const share = pct((entries[j]!.weight / total) * 100);
        this.note(
          run,
          'FairPick',
          k === 0
            ? `fair split offers ${name} first: it has ${taken[j]} of ${n} leads, target ${share}`
            : `fair split offers ${name} next: it has ${taken[j]} of ${n} leads, target ${share}`,
          name,
        );
      }
      const before = run.sold.length;
      if (this.offer(run, b, EMPTY, -1, null)) {
        // Credit the entry of the buyer that took it (an overflow target may be another entry).
        const takerName = run.sold[before]!.name;
        let credit = j;
        for (let x = 0; x < entries.length; x++) {
          if (this.plan.buyers[entries[x]!.buyer]!.name === takerName) {
            credit = x;
            break;
          }
        }
        const creditName = this.plan.buyers[entries[credit]!.buyer]!.name;
        store.add(prefix + creditName, 1, FOREVER);
        store.add(totalKey, 1, FOREVER);
        return PLACED;
      }
    }
    return NOT_PLACED;
  }

  /** Weights proportional to each entry's predicted metric, bounded to [min, max]%, then the usual draw. */
  private performanceSplit(run: Run, rule: LoadedRule, a: Extract<LoadedAction, { kind: 'split' }>): Outcome {
    const p = a.performance!;
    const now = run.ctx.now;
    const rates = a.entries.map((e) => {
      const m = this.routingMetrics(this.plan.buyers[e.buyer]!.name, p.windowMs, now);
      return p.metric === 'conversion' ? m.predictedConversion : m.predictedAcceptance;
    });
    const weights = boundedShares(rates, p.min, p.max);
    const cum: number[] = [];
    let sum = 0;
    for (const w of weights) cum.push((sum += w));
    const byWeight = weights.map((_, j) => j).sort((x, y) => weights[y]! - weights[x]! || x - y);
    if (run.trace) {
      const parts = a.entries.map((e, j) => `${this.plan.buyers[e.buyer]!.name} ${pct(weights[j]!)} (${p.metric} ${rates[j]!.toFixed(2)})`);
      this.note(
        run,
        'PerformanceWeights',
        `performance weights by ${p.metric} over ${formatDuration(p.windowMs)}, kept within ${p.min}%-${p.max}%: ${parts.join(', ')}`,
      );
    }
    return this.randomSplit(run, rule, a, weights, cum, sum, byWeight);
  }

  // ---------------------------------------------------------------- scoring

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
  private rank(run: Run, a: Extract<LoadedAction, { kind: 'rank' }>): Outcome {
    const ctx = run.ctx;
    const now = ctx.now;
    const cands: { b: LoadedBuyer; price: number; f: Record<string, number>; score: number; acceptance: number }[] = [];
    for (const b of a.buyers) {
      if (this.tried[b] === run.stamp) continue;
      this.tried[b] = run.stamp;
      if (this.check(run, b, EMPTY, null, null) !== OK) continue;
      cands.push({ b: this.plan.buyers[b]!, price: run.price, f: {}, score: 0, acceptance: 0.5 });
    }
    if (cands.length === 0) return NOT_PLACED;

    let maxPrice = 0;
    for (const c of cands) if (c.price > maxPrice) maxPrice = c.price;
    const factors = a.factors;
    const wants = (name: string) => factors.some((x) => x.factor === name);
    let maxEv = 0;
    if (wants('expected_value')) {
      for (const c of cands) {
        c.acceptance = this.routingMetrics(c.b.name, a.windowMs, now).predictedAcceptance;
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
                const r = (cnt.limit - cnt.used(this.store, ids, now)) / cnt.limit;
                if (r < v) v = r;
              }
              if (v < 0) v = 0;
            }
            break;
          }
          case 'performance':
            v = this.routingMetrics(b.name, a.windowMs, now).predictedConversion;
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
        this.note(run, 'Scored', `${c.b.name} score ${c.score.toFixed(2)} (${parts.join(', ')})`, c.b.name);
      }
    }
    const chosen: typeof cands = [];
    for (const { c } of ranked) {
      if (a.min !== null && c.score < a.min) {
        if (run.trace) this.note(run, 'BelowMin', `${c.b.name} score ${c.score.toFixed(2)} is below the minimum ${a.min.toFixed(2)}`, c.b.name);
        continue;
      }
      if (chosen.length < a.top) chosen.push(c);
    }
    if (chosen.length === 0) return NOT_PLACED;
    if (a.top > 1) {
      run.shared = true;
      run.exclusive = false;
    }
    for (const c of chosen) this.take(run, c.b, EMPTY, c.price);
    return PLACED;
  }

  // ---------------------------------------------------------------- specialization, fallback, hybrid, auction

  private specialize(run: Run, a: Extract<LoadedAction, { kind: 'specialize' }>): Outcome {
    const ctx = run.ctx;
    for (const sp of a.specialists) {
      const buyer = this.plan.buyers[sp.buyer]!;
      if (sp.when !== null && !sp.when.test(ctx)) {
        if (run.trace) this.note(run, 'Specialist', `specialist ${buyer.name} skipped: ${condFailed(sp.when, ctx)}`, buyer.name);
        continue;
      }
      if (this.tried[sp.buyer] === run.stamp) continue;
      this.tried[sp.buyer] = run.stamp;
      if (this.check(run, sp.buyer, EMPTY, null, sp.premium) !== OK) continue;
      if (run.trace) {
        const base = priceOf(buyer.price, ctx);
        const extra = sp.premium.kind === 'percent' ? `${sp.premium.amount}%` : money(sp.premium.amount);
        const why = sp.when === null ? '' : ` (\`${sp.when.text}\` holds)`;
        this.note(run, 'Specialist', `specialist ${buyer.name} matches${why}: ${money(base)} + ${extra} = ${money(run.price)}`, buyer.name);
      }
      this.take(run, buyer, EMPTY, run.price);
      return PLACED;
    }
    const fb = a.fallback;
    if (fb === null) return NOT_PLACED;
    if (fb.kind === 'buyer') {
      const name = this.plan.buyers[fb.buyer]!.name;
      if (run.trace) this.note(run, 'Specialist', `no specialist took the lead; falling back to ${name}`, name);
      if (this.tried[fb.buyer] === run.stamp) return NOT_PLACED;
      return this.offer(run, fb.buyer, EMPTY, -1, null) ? PLACED : NOT_PLACED;
    }
    if (run.trace) this.note(run, 'Specialist', 'no specialist took the lead; falling back to a flow');
    return this.enterFlow(run, fb.flow, 'entering flow');
  }

  private fallback(run: Run, rule: LoadedRule, a: Extract<LoadedAction, { kind: 'fallback' }>): Outcome {
    const ctx = run.ctx;
    const savedLead = ctx.lead;
    const savedRewrites = run.rewrites;
    const steps = a.steps;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const flowName = this.plan.flows[step.flow]!.name;
      run.ruleId = rule.id;
      if (run.trace) this.note(run, 'FallbackStep', `fallback step ${i + 1} of ${steps.length}: trying flow '${flowName}'`);
      if (i > 0 && step.rewrites.length > 0) {
        // Every value is evaluated against the lead as it stands before this step.
        const values = step.rewrites.map((rw) => rw.value(ctx));
        const lead: Record<string, unknown> = { ...ctx.lead };
        const rewrites: Record<string, PlanValue> = { ...(run.rewrites ?? {}) };
        step.rewrites.forEach((rw, k) => {
          const v = values[k];
          const was = lead[rw.field];
          if (v === undefined || v === null) {
            delete lead[rw.field];
            delete rewrites[rw.field];
          } else {
            lead[rw.field] = v;
            rewrites[rw.field] = v as PlanValue;
          }
          if (run.trace) {
            const show = (x: unknown) => (x === undefined || x === null ? 'missing' : typeof x === 'string' ? x : JSON.stringify(x));
            this.note(run, 'Rewrite', `rewrote ${rw.field}: ${show(was)} → ${show(v)} (${rw.text})`);
          }
        });
        ctx.lead = lead;
        run.rewrites = rewrites;
      }
      const outcome = this.enterFlow(run, step.flow, 'entering flow');
      if (outcome === PLACED || outcome === AUCTION) return outcome;
      if (outcome === STOPPED) {
        ctx.lead = savedLead;
        run.rewrites = savedRewrites;
        return STOPPED;
      }
      run.stamp = ++this.stampCounter; // a later step may offer the same buyers again
      if (run.trace) {
        run.ruleId = rule.id;
        this.note(run, 'FallbackStep', `flow '${flowName}' placed nothing${i + 1 < steps.length ? '; next fallback step' : '; the fallback chain is exhausted'}`);
      }
    }
    ctx.lead = savedLead;
    run.rewrites = savedRewrites;
    return NOT_PLACED;
  }

  private hybrid(run: Run, a: Extract<LoadedAction, { kind: 'hybrid' }>): Outcome {
    this.tried[a.primary] = run.stamp;
    const primary = this.plan.buyers[a.primary]!;
    if (this.check(run, a.primary, EMPTY, null, null) === OK) {
      this.take(run, primary, EMPTY, run.price);
      return PLACED;
    }
    const deliverAt = isoString(run.ctx.now + a.delayMs);
    if (run.trace) {
      this.note(
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
      if (this.tried[e.buyer] === run.stamp) continue;
      this.offer(run, e.buyer, EMPTY, -1, e.price);
    }
    run.deliverAt = null;
    if (run.sold.length > before) return PLACED;
    run.exclusive = true;
    return NOT_PLACED;
  }

  private auction(run: Run, rule: LoadedRule, a: Extract<LoadedAction, { kind: 'auction' }>): Outcome {
    const ctx = run.ctx;
    const tiers: PendingAuction['tiers'] = [];
    const dedupeKeys: Record<string, string[]> = {};
    let any = false;
    for (const t of a.tiers) {
      const buyers: string[] = [];
      for (const b of t.buyers) {
        if (this.tried[b] === run.stamp) continue;
        this.tried[b] = run.stamp;
        if (this.check(run, b, EMPTY, null, null) !== OK) continue;
        const buyer = this.plan.buyers[b]!;
        buyers.push(buyer.name);
        if (buyer.dedupe !== null) dedupeKeys[buyer.name] = this.dedupeKeysOf(buyer, ctx.lead);
        any = true;
      }
      tiers.push({ buyers, floor: numberOrNull(t.floor, ctx) });
    }
    if (!any) {
      if (run.trace) this.note(run, 'Auction', 'no buyer in any auction tier can take the lead');
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
    run.rule = rule;
    if (run.trace) {
      const parts = tiers.map(
        (t, i) => `tier ${i + 1}: ${t.buyers.length > 0 ? t.buyers.join(', ') : 'none'}${t.floor === null ? '' : ` (floor ${money(t.floor)})`}`,
      );
      this.note(
        run,
        'Auction',
        `auction for ${parts.join('; ')}${floor === null ? '' : `; floor ${money(floor)}`}; timeout ${formatDuration(a.timeoutMs)}`,
      );
    }
    return AUCTION;
  }

  // ---------------------------------------------------------------- buyers

  /**
   * Whether buyer `b` can take the lead now: OK (run.price holds its price), or
   * the FAIL_* code of the first refusal (recorded, and traced). A closed buyer
   * with `off hours hold` registers a hold. Does not mark `tried`.
   */
  private check(run: Run, b: number, counters: CapCounter[], override: Evaluator | null, premium: Premium | null): number {
    const ctx = run.ctx;
    const now = ctx.now;
    const buyer = this.plan.buyers[b]!;

    if (run.excluded !== null && run.excluded.has(buyer.name)) {
      this.fail(run, b, FAIL_EXCLUDED, null);
      if (run.trace) this.note(run, 'Excluded', `${buyer.name} skipped: it refused this lead at delivery`, buyer.name);
      return FAIL_EXCLUDED;
    }
    const accepts = buyer.accepts;
    for (let i = 0; i < accepts.length; i++) {
      const c = accepts[i]!;
      if (!c.test(ctx)) {
        this.fail(run, b, FAIL_FILTER, c);
        if (run.trace) this.note(run, 'FilterFailed', `${buyer.name} skipped: accepts ${condFailed(c, ctx)}`, buyer.name);
        return FAIL_FILTER;
      }
    }
    if (buyer.gated) {
      const requires = buyer.requires;
      for (let i = 0; i < requires.length; i++) {
        if (!isPresent(ctx.lead[requires[i]!])) {
          this.fail(run, b, FAIL_MISSING, requires[i]);
          if (run.trace) this.note(run, 'MissingField', `${buyer.name} skipped: missing ${requires[i]}`, buyer.name);
          return FAIL_MISSING;
        }
      }
    }
    if (buyer.hours.length > 0 && !isOpen(buyer.hours, now)) {
      this.fail(run, b, FAIL_CLOSED, null);
      if (run.trace) this.note(run, 'Closed', `${buyer.name} closed: ${describeClosed(buyer.hours, now)}`, buyer.name);
      if (buyer.offHours === OFF_HOLD) this.registerHold(run, buyer, override, premium);
      return FAIL_CLOSED;
    }
    if (buyer.gated) {
      if (buyer.holidays.length > 0) {
        const h = this.holidayAt(buyer, now);
        if (h !== null) {
          this.fail(run, b, FAIL_HOLIDAY, h);
          if (run.trace) this.note(run, 'Holiday', `${buyer.name} closed: ${h.name} (${h.calendar} holiday)`, buyer.name);
          if (buyer.offHours === OFF_HOLD) this.registerHold(run, buyer, override, premium);
          return FAIL_HOLIDAY;
        }
      }
      const dd = buyer.dedupe;
      if (dd !== null) {
        for (const fld of dd.fields) {
          const v = normaliseForDedupe(ctx.lead[fld.name], fld.norm);
          if (v === '') continue;
          if (this.store.hasKey(dedupeKey(buyer.name, fld.name, v), now)) {
            this.fail(run, b, FAIL_DUPLICATE, fld.name);
            if (run.trace) {
              this.note(run, 'Duplicate', `${buyer.name} skipped: duplicate (${fld.name} sold to ${buyer.name} within ${formatDuration(dd.windowMs)})`, buyer.name);
            }
            return FAIL_DUPLICATE;
          }
        }
      }
    }

    const price = this.priceFor(buyer, override, premium, ctx);
    if (counters.length > 0 || buyer.counters.length > 0) {
      const store = this.store;
      const ids = buyer.clock.windows(now).ids;
      let full: CapCounter | null = null;
      let ruleCap = false;
      for (let i = 0; i < counters.length; i++) {
        if (!counters[i]!.hasRoom(store, ids, now, price)) {
          full = counters[i]!;
          ruleCap = true;
          break;
        }
      }
      if (full === null) {
        const own = buyer.counters;
        for (let i = 0; i < own.length; i++) {
          if (!own[i]!.hasRoom(store, ids, now, price)) {
            full = own[i]!;
            break;
          }
        }
      }
      if (full !== null) {
        run.full = full;
        this.fail(run, b, FAIL_CAP, full);
        if (run.trace) this.noteCapped(run, buyer, full, ruleCap, price);
        return FAIL_CAP;
      }
    }
    run.price = price;
    return OK;
  }

  private priceFor(buyer: LoadedBuyer, override: Evaluator | null, premium: Premium | null, ctx: EvalContext): number {
    const base = priceOf(override ?? buyer.price, ctx);
    if (premium === null) return base;
    return round2(premium.kind === 'percent' ? base * (1 + premium.amount / 100) : base + premium.amount);
  }

  /** The public holiday closing the buyer at `t` (in its zone), or null. */
  private holidayAt(buyer: LoadedBuyer, t: number): { calendar: string; name: string } | null {
    const day = Math.floor(buyer.clock.local(t) / DAY_MS);
    const i = buyer.index;
    if (this.holidayDay[i] === day) return this.holidayHit[i]!;
    const h = holidayOn(buyer.holidays, day);
    this.holidayDay[i] = day;
    this.holidayHit[i] = h;
    return h;
  }

  private isOpenAt(buyer: LoadedBuyer, t: number): boolean {
    if (buyer.hours.length > 0 && !isOpen(buyer.hours, t)) return false;
    return buyer.holidays.length === 0 || holidayOn(buyer.holidays, Math.floor(buyer.clock.local(t) / DAY_MS)) === null;
  }

  /** The buyer's next opening after `now` (within HOLD_MAX_DAYS), cached while it stays closed. */
  private nextOpen(buyer: LoadedBuyer, now: number): number | null {
    const c = this.openingCache[buyer.index];
    if (c !== null && c !== undefined && now >= c.from && now < c.until) return c.until;
    const t = nextOpening(buyer.hours, buyer.clock, (x) => this.isOpenAt(buyer, x), now, HOLD_MAX_DAYS);
    this.openingCache[buyer.index] = t === null ? null : { from: now, until: t };
    return t;
  }

  private registerHold(run: Run, buyer: LoadedBuyer, override: Evaluator | null, premium: Premium | null): void {
    const now = run.ctx.now;
    const until = this.nextOpen(buyer, now);
    if (until === null) {
      if (run.trace) this.note(run, 'Held', `${buyer.name} does not open within ${HOLD_MAX_DAYS} days; the lead is not held`, buyer.name);
      return;
    }
    if (run.hold !== null) return;
    run.hold = { buyer, until, price: this.priceFor(buyer, override, premium, run.ctx), rule: run.current };
    if (run.trace) {
      const z = buyer.clock;
      const local = `${DAY_NAMES[z.weekday(until)]} ${formatClock(z.minuteOfDay(until))} ${z.zone}`;
      this.note(run, 'Held', `${buyer.name} holds the lead until ${isoString(until)} (${local}) unless another rule places it`, buyer.name);
    }
  }

  private dedupeKeysOf(buyer: LoadedBuyer, lead: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const fld of buyer.dedupe!.fields) {
      const v = normaliseForDedupe(lead[fld.name], fld.norm);
      if (v !== '') out.push(dedupeKey(buyer.name, fld.name, v));
    }
    return out;
  }

  /**
   * Offer the lead to buyer `b` (with the rule's caps, if any) and, when caps
   * turn it away, along the overflow chain (a closed buyer with `off hours send`
   * passes it on the same way). True when someone takes it.
   */
  private offer(run: Run, b: number, ruleCounters: CapCounter[], ruleOverflow: number, priceOverride: Evaluator | null): boolean {
    const tried = this.tried;
    let counters = ruleCounters;
    let override = priceOverride;
    let first = true;
    for (;;) {
      if (tried[b] === run.stamp) {
        if (!first && run.trace) {
          const name = this.plan.buyers[b]!.name;
          this.note(run, 'Overflow', `${name} was already offered the lead; the overflow chain stops`, name);
        }
        return false;
      }
      tried[b] = run.stamp;
      const buyer = this.plan.buyers[b]!;
      const code = this.check(run, b, counters, override, null);
      if (code === OK) {
        this.take(run, buyer, counters, run.price);
        return true;
      }
      let next: number;
      if (code === FAIL_CAP) {
        next = first && ruleOverflow >= 0 ? ruleOverflow : buyer.overflow;
        if (next < 0) return false;
        if (run.trace) this.note(run, 'Overflow', `${buyer.name} capped, overflow to ${this.plan.buyers[next]!.name}`, buyer.name);
      } else if ((code === FAIL_CLOSED || code === FAIL_HOLIDAY) && buyer.offHours === OFF_SEND) {
        next = buyer.offHoursSend;
        if (run.trace) this.note(run, 'OffHoursSend', `${buyer.name} is closed; sending the lead to ${this.plan.buyers[next]!.name}`, buyer.name);
      } else {
        return false;
      }
      b = next;
      counters = EMPTY;
      override = null;
      first = false;
    }
  }

  private noteCapped(run: Run, buyer: LoadedBuyer, full: CapCounter, ruleCap: boolean, price: number): void {
    let msg = `${buyer.name} skipped: ${ruleCap ? 'rule cap' : 'cap'} ${full.label()} reached`;
    if (full.measure === 'dollars') {
      const used = full.used(this.store, buyer.clock.windows(run.ctx.now).ids, run.ctx.now);
      msg += ` (${money(used)} used, price ${money(price)})`;
    }
    this.note(run, 'CapExceeded', msg, buyer.name);
  }

  private take(run: Run, buyer: LoadedBuyer, ruleCounters: CapCounter[], price: number): void {
    const now = run.ctx.now;
    if (ruleCounters.length > 0 || buyer.counters.length > 0) {
      const w = buyer.clock.windows(now);
      for (let i = 0; i < ruleCounters.length; i++) ruleCounters[i]!.take(this.store, w, price);
      const own = buyer.counters;
      for (let i = 0; i < own.length; i++) own[i]!.take(this.store, w, price);
    }
    if (this.recordSales) this.store.recordEvent({ kind: 'sold', buyer: buyer.name, leadId: run.leadId, at: now, price });
    if (buyer.dedupe !== null) {
      const expires = now + buyer.dedupe.windowMs;
      for (const k of this.dedupeKeysOf(buyer, run.ctx.lead)) this.store.putKey(k, expires);
    }
    const sold: SoldTo = { name: buyer.name, price };
    if (run.deliverAt !== null) sold.deliverAt = run.deliverAt;
    run.sold.push(sold);
    if (run.trace) {
      const msg = run.shared
        ? `${buyer.name} takes a share of the lead at ${money(price)}${run.deliverAt !== null ? `, delivered at ${run.deliverAt}` : ''}`
        : `${buyer.name} takes the lead at ${money(price)}`;
      this.note(run, 'Taken', msg, buyer.name);
    }
  }
}
