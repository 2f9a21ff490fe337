// Loading a plan: verify it (src/plan/verify.ts: the schema, names, calendars,
// zones, limits), then compile every expression to a closure and the lead schema
// to an ajv validator. The result is what the Router runs.

import type { PlanBuyer, PlanExpr } from '../plan/index.js';
import { verifyPlan, type Plan, type PlanAction, type PlanRule } from '../models/plan.js';
import { PlanError, type PlanProblem } from '../plan/index.js';
import { modelOf, type LoadedAction, type LoadEnv } from '../models/index.js';
import { OFF_HOLD, OFF_SEND, OFF_SKIP } from '../clauses/closed.js';
import { CLAUSE_KINDS, CLAUSES, DEFAULT_RELATIONSHIP, refusalsOf, type BuyerLoadEnv, type Refusal } from '../clauses/index.js';
import { makeCounters, ruleCapPrefix, type CapCounter } from './caps.js';
import type { LeadError } from './decision.js';
import { compileExpr, compilePredicate, ExprError, referencedNames, type Evaluator, type Predicate } from './expr.js';
import { leadErrorsOf, leadValidator, type LeadValidator } from './lead-validator.js';
import { inspectLead, leadShapeOf, trimLead } from './lead-guard.js';
import { zoneClock, type LoadedHours, type ZoneClock } from './time.js';

// ---------------------------------------------------------------- errors

export { PlanError, type PlanProblem };

// ---------------------------------------------------------------- loaded plan

const LOADED = Symbol('leadroute.LoadedPlan');

export interface LoadedCondition {
  test: Predicate;
  text: string;
  refs: { fields: string[]; random: boolean };
}

export interface LoadedBuyer {
  index: number;
  name: string;
  accepts: LoadedCondition[];
  price: Evaluator | null;
  counters: CapCounter[];
  hours: LoadedHours[];
  /** Clock of the buyer's cap zone. */
  clock: ZoneClock;
  /** Index of the overflow buyer, -1 for none. */
  overflow: number;
  plan: PlanBuyer;

  // Routing models (defaults when the plan leaves them out).
  /** Soft preferences (scoring `quality`). */
  prefers: { test: Predicate; text: string; weight: number }[];
  /** Sum of the preference weights. */
  prefersWeight: number;
  /** 0..1; 0.5 by default. */
  relationship: number;
  /** Public-holiday calendars ("US", "US-CA"); empty: none. */
  holidays: string[];
  /** Closed-buyer behaviour: OFF_SKIP, OFF_HOLD or OFF_SEND (to offHoursSend). */
  offHours: number;
  /** Buyer index for `send`, else -1. */
  offHoursSend: number;
  dedupe: LoadedDedupe | null;
  /** Fields that must be present and non-empty. */
  requires: string[];
  /** The refusal checks that apply to this buyer, in the engine's order (src/clauses/):
   *  a buyer without `requires`, `dedupe` or `holidays` pays nothing for them. */
  refusals: Refusal[];
}

/** A buyer whose clauses have not been loaded yet: every field at its default,
 *  in one fixed shape (the engine's property reads stay monomorphic). */
function emptyLoadedBuyer(index: number, b: PlanBuyer): LoadedBuyer {
  return {
    index,
    name: b.name,
    accepts: [],
    price: null,
    counters: [],
    hours: [],
    clock: zoneClock(b.zone),
    overflow: -1,
    plan: b,
    prefers: [],
    prefersWeight: 0,
    relationship: DEFAULT_RELATIONSHIP,
    holidays: [],
    offHours: OFF_SKIP,
    offHoursSend: -1,
    dedupe: null,
    requires: [],
    refusals: [],
  };
}

export { OFF_HOLD, OFF_SEND, OFF_SKIP };

export interface LoadedDedupe {
  /** Fields and how their values are normalised. */
  fields: { name: string; norm: 'email' | 'phone' | 'text' }[];
  windowMs: number;
}

/** A rule's action as the router runs it: each variant is declared by its routing model (src/models/). */
export type { LoadedAction } from '../models/index.js';

export interface LoadedRule {
  id: string;
  guard: PlanRule['guard'];
  when: LoadedCondition | null;
  text: string;
  /** The text as traces quote it (long rules are shortened). */
  label: string;
  line: number;
  /** The frozen `Decision.rule` value for this rule (shared by every decision). */
  ref: Readonly<{ id: string; text: string; line: number }>;
  action: LoadedAction;
  plan: PlanRule;
}

export interface LoadedFlow {
  index: number;
  name: string;
  rules: LoadedRule[];
}

/** A validated plan with every expression compiled. Make one with loadPlan(). */
export interface LoadedPlan {
  readonly [LOADED]: true;
  readonly plan: Plan;
  readonly buyers: LoadedBuyer[];
  readonly buyerIndex: ReadonlyMap<string, number>;
  readonly flows: LoadedFlow[];
  readonly flowIndex: ReadonlyMap<string, number>;
  readonly defaultFlow: LoadedFlow;
  /** Whether some rule reads outcome metrics (a performance split, a rank by performance or expected value). */
  readonly usesMetrics: boolean;
  /** The lead as it is validated and routed: its e-mail and phone fields
   *  trimmed (a copy when one needed it; the caller's lead is never changed). */
  trimLead(lead: unknown): unknown;
  /** Validate a lead (trimmed as trimLead does): first the lead guard (lead-guard.ts:
   *  plain JSON data within the limits of src/core/limits.ts), then the plan's lead
   *  schema. Null when valid, else every error, each naming its field. Never throws. */
  validateLead(lead: unknown): LeadError[] | null;
}

export function isLoadedPlan(x: unknown): x is LoadedPlan {
  return typeof x === 'object' && x !== null && (x as { [LOADED]?: unknown })[LOADED] === true;
}

const LABEL_MAX = 80;

function ruleLabel(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= LABEL_MAX ? t : t.slice(0, LABEL_MAX - 2).trimEnd() + ' …';
}

/**
 * Verify and compile a routing plan. Throws PlanError listing every problem
 * verifyPlan finds (by JSON path), or else those of compiling it.
 */
export function loadPlan(json: unknown): LoadedPlan {
  if (isLoadedPlan(json)) return json;
  const verified = verifyPlan(json);
  if (verified.length > 0) throw new PlanError(verified);
  const plan = json as Plan;
  const problems: PlanProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  const compile = <T>(f: (e: PlanExpr, path: string) => T, e: PlanExpr, path: string): T => {
    try {
      return f(e, path);
    } catch (err) {
      if (err instanceof ExprError) {
        problem(err.path || path, err.message);
        return (() => undefined) as unknown as T;
      }
      throw err;
    }
  };
  const cond = (e: PlanExpr, text: string, path: string): LoadedCondition => ({
    test: compile(compilePredicate, e, path),
    text,
    refs: referencedNames(e),
  });

  const fieldKinds = new Map(plan.lead.fields.map((x) => [x.name, x.type.kind]));

  // Names (verifyPlan has checked that they are unique and resolve).
  const buyerIndex = new Map(plan.buyers.map((b, i) => [b.name, i]));
  const flowIndex = new Map(plan.flows.map((f, i) => [f.name, i]));
  const buyerRef = (name: string, _path: string): number => buyerIndex.get(name) ?? -1;
  const flowRef = (name: string, _path: string): number => flowIndex.get(name) ?? -1;

  // Buyers: each clause (src/clauses/) fills its part of the clause-less buyer,
  // then the buyer's check is given the refusals that apply to it.
  const buyerEnv: BuyerLoadEnv = {
    buyer: buyerRef,
    cond,
    expr: (e, path) => compile(compileExpr, e, path),
    predicate: (e, path) => compile(compilePredicate, e, path),
    fieldKind: (name) => fieldKinds.get(name),
  };
  const buyers: LoadedBuyer[] = plan.buyers.map((b, i) => {
    const loaded = emptyLoadedBuyer(i, b);
    for (const kind of CLAUSE_KINDS) CLAUSES[kind].load(b, loaded, buyerEnv, `/buyers/${i}`);
    loaded.refusals = refusalsOf(loaded);
    return loaded;
  });

  // Flows.
  let usesMetrics = false;
  const env: LoadEnv = {
    buyer: buyerRef,
    flow: flowRef,
    cond,
    expr: (e, path) => compile(compileExpr, e, path),
    ruleCounters: (ruleId, buyer, caps) => makeCounters(ruleCapPrefix(ruleId, buyer), caps),
    problem,
    usesMetrics: () => {
      usesMetrics = true;
    },
  };
  /** A rule's action, loaded by its routing model (src/models/). */
  const loadAction = (a: PlanAction, rule: PlanRule, path: string): LoadedAction => {
    const model = modelOf(a.kind);
    if (model === undefined) {
      // An action kind this runtime does not run (plan.ts may grow faster
      // than the schema and the router): refuse the plan rather than guess.
      problem(`${path}/kind`, `action '${String(a.kind)}' is not supported by this runtime`);
      return { kind: 'reject', reason: `unsupported action '${String(a.kind)}'` };
    }
    return model.load(a, env, rule, path);
  };
  const flows: LoadedFlow[] = plan.flows.map((f, i) => ({
    index: i,
    name: f.name,
    rules: f.rules.map((r, j) => {
      const path = `/flows/${i}/rules/${j}`;
      return {
        id: r.id,
        guard: r.guard,
        when: r.when === null ? null : cond(r.when, r.text, `${path}/when`),
        text: r.text,
        label: ruleLabel(r.text),
        line: r.source.line,
        ref: Object.freeze({ id: r.id, text: r.text, line: r.source.line }),
        action: loadAction(r.action, r, `${path}/action`),
        plan: r,
      };
    }),
  }));
  const defaultIndex = flowIndex.get(plan.defaultFlow);

  // Lead schema.
  let validate: LeadValidator | null = null;
  try {
    validate = leadValidator(plan.lead.schema);
  } catch (err) {
    problem('/lead/schema', `not a usable JSON Schema: ${(err as Error).message}`);
  }

  if (problems.length > 0) throw new PlanError(problems);

  const fieldTypes = new Map(plan.lead.fields.map((f) => [f.name, f.type]));
  const shape = leadShapeOf(plan.lead.fields);
  const v = validate!;
  return {
    [LOADED]: true,
    plan,
    buyers,
    buyerIndex,
    flows,
    flowIndex,
    defaultFlow: flows[defaultIndex!]!,
    usesMetrics,
    trimLead(lead: unknown): unknown {
      return trimLead(lead, shape);
    },
    validateLead(lead: unknown): LeadError[] | null {
      const trimmed = trimLead(lead, shape);
      const problems = inspectLead(trimmed, shape);
      if (problems !== null) return problems;
      try {
        return v(trimmed) ? null : leadErrorsOf(v.errors ?? [], fieldTypes);
      } catch (err) {
        // Only a caller's object can get here (a getter that throws on its second read).
        return [{ field: 'lead', message: `could not be read (${String((err as Error)?.message ?? err).slice(0, 200)})` }];
      }
    },
  };
}
