// What a routing model (a flow action: route, split, waterfall, …) provides:
// one value per construct, with every phase and every trait, so that the table
// in index.ts fails to compile when a construct misses one.
//
//   plan     the action's plan schema (TypeBox): its JSON Schema, its type
//            (`Static`), and, by its BuyerName/FlowName marks, the names the
//            plan verifier resolves
//   check    the checked AST action: names, weights, tiers (diagnostics)
//   bind     the buyers, flows, fields and expressions it names, for the binder
//   emit     AST action → plan action (plain JSON)
//   load     plan action → loaded action (indices, closures, counters)
//   run      loaded action on one lead (the router's dispatch calls it)
//   explain  the trace line when a matched rule places nothing
//   traits   what the flow-level analyses read instead of their own lists:
//            whether a rule may fall through, the buyers and flows it hands
//            leads to, its overflow pairs, and the target shares it states

import type { Static, TLiteral, TObject } from '@sinclair/typebox';
import type { AnyPlan, PlanCap, PlanExpr } from '../plan/index.js';
import type { CheckContext } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import type { LeadField } from '../check/types.js';
import type { Action, Expr, Ident, Span } from '../lang/ast.js';
import type { CapCounter } from '../runtime/caps.js';
import type { Engine } from '../runtime/engine.js';
import type { Evaluator } from '../runtime/expr.js';
import type { LoadedCondition, LoadedRule } from '../runtime/load.js';
import type { Outcome, Run } from '../runtime/run.js';

export type ActionKind = Action['kind'];
export type AstOf<K extends ActionKind> = Extract<Action, { kind: K }>;
/** An action's plan schema: an exact object tagged with its kind. */
export type ActionPlanSchema<K extends string = string> = TObject & { properties: { kind: TLiteral<K> } };

/** What emitting an action needs from the emitter (expressions, source text). */
export interface EmitEnv {
  expr(e: Expr): PlanExpr;
  /** The source under a span, on one line, for traces. */
  text(span: Span): string;
  /** A duration literal's milliseconds (0 for anything else: the checker has reported it). */
  durationMs(e: Expr): number;
  cap(c: AstOf<'route'>['caps'][number]): PlanCap;
}

/** What loading an action needs from the loader: names to indices, compiled
 *  expressions; a failure is recorded as a problem at `path`, not thrown. */
export interface LoadEnv {
  buyer(name: string, path: string): number;
  flow(name: string, path: string): number;
  cond(e: PlanExpr, text: string, path: string): LoadedCondition;
  expr(e: PlanExpr, path: string): Evaluator;
  /** The cap counters a rule keeps for one of its buyers (`route X cap 10/h`). */
  ruleCounters(ruleId: string, buyer: string, caps: PlanCap[]): CapCounter[];
  problem(path: string, message: string): void;
  /** Note that the plan reads outcome metrics (sales are then recorded). */
  usesMetrics(): void;
}

/** What binding an action's names needs from the binder (src/check/binder.ts).
 *  Each tolerates what error recovery leaves out (undefined). */
export interface BindEnv {
  buyer(id: Ident | undefined): void;
  flow(id: Ident | undefined): void;
  /** Binds a field name; returns the field, to bind a value assigned to it. */
  field(id: Ident | undefined): LeadField | undefined;
  /** Binds the names in an expression; `assignedTo`: the field it is a value of (`state = CA`). */
  expr(e: Expr | undefined, assignedTo?: LeadField): void;
}

/** What the flow analyses know about a buyer, by name. */
export interface BuyerFacts {
  /** Whether the buyer may turn a lead away (accepts, requires, hours, caps,
   *  dedupe, …); true for a name that is not a declared buyer. */
  canRefuse(buyer: Ident | undefined): boolean;
}

/** A flow an action hands leads to, and how (for the cycle message). */
export interface FlowRef {
  ident: Ident;
  via: 'flow' | 'fallback' | 'specialize';
}

/** A rule-level `overflow`: buyer `from`, when capped, goes to `to`. */
export interface OverflowRef {
  from: Ident;
  to: Ident;
}

/** How a rule adds to the simulator's target shares. */
export interface TargetInput {
  /** Share of the leads entering the flow that the rule handles, in points. */
  points: number;
  /** Whether an unguarded or random-guarded rule states its buyer's share
   *  (see src/sim/targets.ts). */
  states: boolean;
  add(buyer: string, points: number): void;
}

export interface ModelTraits<K extends ActionKind, P = { kind: K }> {
  /** Whether a rule with this action, having matched, may leave the lead
   *  unplaced so routing goes on to the next rule (reachability, LR403). */
  fallsThrough(a: AstOf<K>, buyers: BuyerFacts): boolean;
  /** The buyers the action offers leads to (in source order). */
  buyers(a: AstOf<K>): (Ident | undefined)[];
  /** The flows the action hands leads to (flow cycles, LR405). */
  flows(a: AstOf<K>): FlowRef[];
  /** Rule-level overflow pairs (overflow cycles, LR404). */
  overflows(a: AstOf<K>): OverflowRef[];
  /** Add the target shares the action states (the simulator's report). */
  targets(a: P, input: TargetInput): void;
}

/** One routing model: `S` is its action's plan schema (`plan`), `L` its loaded action. */
export interface ModelModule<K extends ActionKind, L extends { kind: K }, S extends ActionPlanSchema<K> = ActionPlanSchema<K>> {
  kind: K;
  /** The action in the plan, declared once: its type is `Static<S>`. */
  plan: S;
  check(ctx: CheckContext, exprs: ExprChecker, a: AstOf<K>): void;
  bind(a: AstOf<K>, env: BindEnv): void;
  emit(a: AstOf<K>, env: EmitEnv): Static<S>;
  load(a: Static<S>, env: LoadEnv, rule: { id: string }, path: string): L;
  /** Settings of the plan action its schema cannot state (the plan verifier runs it); most models have none. */
  planProblems?(a: Static<S>, path: string, problem: (path: string, message: string) => void, plan: AnyPlan): void;
  run(engine: Engine, run: Run, rule: LoadedRule, a: L): Outcome;
  /** The trace line when the rule matched but placed nothing. */
  unplaced(engine: Engine, rule: LoadedRule, a: L): string;
  traits: ModelTraits<K, Static<S>>;
}

/** `share max N` / `shared max N`: a whole number of buyers, at least 1 (LR408). */
export function checkShareSize(ctx: CheckContext, n: number | undefined, option: 'share max' | 'shared max', span: Span): void {
  if (typeof n !== 'number' || (n >= 1 && Number.isInteger(n))) return;
  ctx.report(n >= 1 ? 'LR408' : 'LR408.nobody', span, option, String(n), String(Math.max(1, Math.floor(n) || 1)));
}

/** The usual `unplaced` line. */
export function couldNotPlace(_engine: Engine, rule: LoadedRule): string {
  return `rule '${rule.label}' could not place the lead; trying the next rule`;
}

/** Traits most models share: no flows, no rule-level overflow, no target share. */
export const noFlows = (): FlowRef[] => [];
export const noOverflows = (): OverflowRef[] => [];
export const statesNoTarget = (): void => undefined;

/** The usual fall-through rule: the lead is left unplaced only when every
 *  buyer the action offers it to may refuse it. */
export function allCanRefuse(list: (Ident | undefined)[], facts: BuyerFacts): boolean {
  for (const b of list) if (!facts.canRefuse(b)) return false;
  return true;
}

/** Elements of a list the parser may have left partial (recovery). */
export function present<T>(list: T[] | undefined): NonNullable<T>[] {
  return Array.isArray(list) ? list.filter((x): x is NonNullable<T> => !!x && typeof x === 'object') : [];
}
