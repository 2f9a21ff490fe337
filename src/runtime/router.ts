// The router: runs a loaded plan on one lead at a time and returns a Decision.
//
// Semantics (REFERENCE.md, "Buyers" and "Flows"):
// - Rules are tried top to bottom; a rule whose condition is false is skipped.
//   The first matching rule whose action places the lead decides it; a matching
//   rule that places nothing lets routing go on to the next rule.
// - A buyer can take a lead when every `accepts` part holds, it is open, and
//   its caps (and the routing rule's caps) have room for the lead.
// - Only a cap refusal overflows: to the rule's `overflow` for the first hop of
//   a `route` that names one, else to the buyer's own `overflow`, and on along
//   each target's own overflow. A buyer is never tried twice within one action
//   (that also breaks overflow cycles a plan might contain).
// - `reject` stops routing altogether, also from inside a nested flow.

import type { Plan } from '../compile/plan.js';
import type { CapCounter, CapStore } from './caps.js';
import type { Decision, LeadError, SoldTo, TraceCode, TraceEntry } from './decision.js';
import { describeValues, type EvalContext, type Evaluator } from './expr.js';
import { isLoadedPlan, loadPlan, type LoadedBuyer, type LoadedCondition, type LoadedFlow, type LoadedPlan, type LoadedRule } from './load.js';
import { leadIdOf, SeededRandom } from './random.js';
import { describeClosed, isOpen, isoString } from './time.js';
import { MemoryStore } from '../store/memory.js';

export interface RouterOptions {
  /** Where cap counters live; a fresh MemoryStore by default. */
  store?: CapStore;
  /** Seed for `random` and split draws; 0 by default. */
  seed?: string | number;
  /** Build a readable trace for every decision (default false). */
  trace?: boolean;
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
}

const NOT_PLACED = 0;
const PLACED = 1;
const STOPPED = 2;
type Outcome = typeof NOT_PLACED | typeof PLACED | typeof STOPPED;

const FAIL_FILTER = 1;
const FAIL_CLOSED = 2;
const FAIL_CAP = 3;

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
}

const EMPTY: never[] = [];
const EMPTY_LEAD: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_OPTS: RouteOptions = Object.freeze({});

function money(n: number): string {
  return '$' + n.toFixed(2);
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

function condFailed(c: LoadedCondition, ctx: EvalContext): string {
  const values = describeValues(c.refs, ctx);
  return `\`${c.text}\` is false${values ? ` (${values})` : ''}`;
}

export class Router {
  readonly plan: LoadedPlan;
  readonly store: CapStore;
  readonly seed: string | number;
  private readonly traceDefault: boolean;
  private readonly rng: SeededRandom;
  private readonly otherRngs = new Map<string | number, SeededRandom>();
  /** tried[b] === stamp when buyer b was already offered the lead in the current action. */
  private readonly tried: Float64Array;
  private stampCounter = 0;
  private lastAtMs = NaN;
  private lastAt = '';
  private readonly run: Run;

  constructor(plan: Plan | LoadedPlan, options: RouterOptions = {}) {
    this.plan = isLoadedPlan(plan) ? plan : loadPlan(plan);
    this.store = options.store ?? new MemoryStore();
    this.seed = options.seed ?? 0;
    this.traceDefault = options.trace ?? false;
    this.rng = new SeededRandom(this.seed);
    this.tried = new Float64Array(this.plan.buyers.length);
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
    };
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
    if (errors !== null) return this.rejected(leadId, flow, errors, random, at, trace);

    // One Run object per router, reset for each lead: routing is synchronous and
    // never re-entered, and this keeps a 100,000-lead run light on garbage.
    const run = this.run;
    const ctx = run.ctx;
    ctx.lead = lead as Record<string, unknown>;
    ctx.random = random;
    ctx.now = now;
    run.leadId = leadId;
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
    const outcome: Outcome = this.runFlow(run, flow);

    if (outcome === PLACED) {
      let price = 0;
      for (const s of run.sold) price += s.price;
      const rule = run.rule as LoadedRule | null as LoadedRule;
      run.ctx.lead = EMPTY_LEAD;
      return {
        leadId,
        flow: flow.name,
        status: 'routed',
        buyers: run.sold,
        exclusive: run.exclusive && run.sold.length === 1,
        price: Math.round(price * 100) / 100,
        rule: rule.ref,
        reason: null,
        errors: [],
        random,
        at,
        trace: trace ?? [],
      };
    }
    const rule = run.rule as LoadedRule | null; // (set by runFlow)
    run.ctx.lead = EMPTY_LEAD; // do not keep the lead alive
    return {
      leadId,
      flow: flow.name,
      status: 'unrouted',
      buyers: [],
      exclusive: false,
      price: 0,
      rule: outcome === STOPPED && rule !== null ? rule.ref : null,
      reason: outcome === STOPPED ? run.rejectReason : this.unroutedReason(run, flow),
      errors: [],
      random,
      at,
      trace: trace ?? [],
    };
  }

  // ---------------------------------------------------------------- helpers

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
      trace: trace ?? [],
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
      if (outcome === PLACED) {
        if (run.rule === null) run.rule = rule;
        return PLACED;
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

  private runAction(run: Run, rule: LoadedRule): Outcome {
    const a = rule.action;
    run.stamp = ++this.stampCounter;
    run.shared = false;
    switch (a.kind) {
      case 'route':
        return this.offer(run, a.buyer, a.counters, a.overflow, null) ? PLACED : NOT_PLACED;

      case 'split': {
        const draw = run.rng.split(run.leadId, rule.id);
        const d = (draw * a.total) / 100;
        const cum = a.cumulative;
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
          const share = Math.round((entries[pick]!.weight / a.total) * 10000) / 100;
          this.note(run, 'SplitDraw', `split draw ${draw.toFixed(2)} picks ${this.plan.buyers[drawn]!.name} (${share}%)`);
        }
        if (this.offer(run, drawn, EMPTY, -1, null)) return PLACED;
        if (run.trace && entries.length > 1) {
          const others = a.byWeight.filter((j) => j !== pick).map((j) => this.plan.buyers[entries[j]!.buyer]!.name);
          this.note(run, 'SplitDraw', `${this.plan.buyers[drawn]!.name} cannot take the lead; trying the others, heaviest first: ${others.join(', ')}`);
        }
        const order = a.byWeight;
        for (let k = 0; k < order.length; k++) {
          const j = order[k]!;
          if (j === pick) continue;
          const b = entries[j]!.buyer;
          if (this.tried[b] === run.stamp) continue;
          if (this.offer(run, b, EMPTY, -1, null)) return PLACED;
        }
        return NOT_PLACED;
      }

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

      case 'flow': {
        const sub = this.plan.flows[a.flow]!;
        if (sub.index === run.topFlow || run.flowStack.includes(sub.index)) {
          if (run.trace) this.note(run, 'FlowEntered', `flow '${sub.name}' is already running; not entered again (flow cycle)`);
          return NOT_PLACED;
        }
        if (run.trace) this.note(run, 'FlowEntered', `entering flow '${sub.name}'`);
        run.flowStack.push(sub.index);
        const outcome = this.runFlow(run, sub);
        run.flowStack.pop();
        return outcome;
      }

      case 'reject':
        run.rule = rule;
        run.rejectReason = a.reason;
        if (run.trace) this.note(run, 'Rejected', `rule '${rule.label}' rejects the lead: ${a.reason}`);
        return STOPPED;
    }
  }

  // ---------------------------------------------------------------- buyers

  /**
   * Offer the lead to buyer `b` (with the rule's caps, if any) and, when caps
   * turn it away, along the overflow chain. True when someone takes it.
   */
  private offer(run: Run, b: number, ruleCounters: CapCounter[], ruleOverflow: number, priceOverride: Evaluator | null): boolean {
    const ctx = run.ctx;
    const now = ctx.now;
    const store = this.store;
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

      const accepts = buyer.accepts;
      for (let i = 0; i < accepts.length; i++) {
        const c = accepts[i]!;
        if (!c.test(ctx)) {
          this.fail(run, b, FAIL_FILTER, c);
          if (run.trace) this.note(run, 'FilterFailed', `${buyer.name} skipped: accepts ${condFailed(c, ctx)}`, buyer.name);
          return false;
        }
      }
      if (buyer.hours.length > 0 && !isOpen(buyer.hours, now)) {
        this.fail(run, b, FAIL_CLOSED, null);
        if (run.trace) this.note(run, 'Closed', `${buyer.name} closed: ${describeClosed(buyer.hours, now)}`, buyer.name);
        return false;
      }

      const price = priceOf(override ?? buyer.price, ctx);
      let full: CapCounter | null = null;
      let ruleCap = false;
      if (counters.length > 0 || buyer.counters.length > 0) {
        const ids = buyer.clock.windows(now).ids;
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
      }

      if (full === null) {
        this.take(run, buyer, counters, price);
        return true;
      }

      this.fail(run, b, FAIL_CAP, full);
      if (run.trace) this.noteCapped(run, buyer, full, ruleCap, price);
      const next = first && ruleOverflow >= 0 ? ruleOverflow : buyer.overflow;
      if (next < 0) return false;
      if (run.trace) {
        this.note(run, 'Overflow', `${buyer.name} capped, overflow to ${this.plan.buyers[next]!.name}`, buyer.name);
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
    if (ruleCounters.length > 0 || buyer.counters.length > 0) {
      const w = buyer.clock.windows(run.ctx.now);
      for (let i = 0; i < ruleCounters.length; i++) ruleCounters[i]!.take(this.store, w, price);
      const own = buyer.counters;
      for (let i = 0; i < own.length; i++) own[i]!.take(this.store, w, price);
    }
    run.sold.push({ name: buyer.name, price });
    if (run.trace) {
      const msg = run.shared
        ? `${buyer.name} takes a share of the lead at ${money(price)}`
        : `${buyer.name} takes the lead at ${money(price)}`;
      this.note(run, 'Taken', msg, buyer.name);
    }
  }
}

