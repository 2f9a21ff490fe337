// The routing models, one module per construct, in one table keyed by the
// action kind. The table's type makes a missing kind, or a construct missing a
// phase or a trait, a compile error (test/models/registry.test.ts shows both).
// The checker, the emitter, the loader, the router, reachability, cycles and
// the simulator all go through it.

import { auctionModel } from './auction.js';
import { fallbackModel } from './fallback.js';
import { flowModel } from './flow.js';
import { hybridModel } from './hybrid.js';
import { rankModel } from './rank.js';
import { rejectModel } from './reject.js';
import { routeModel } from './route.js';
import { shareModel } from './share.js';
import { specializeModel } from './specialize.js';
import { splitModel } from './split.js';
import type { CheckContext } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import type { Static } from '@sinclair/typebox';
import type { AnyPlan } from '../plan/index.js';
import type { Action, Ident } from '../lang/ast.js';
import type { ACTION_SYNTAX, ActionKindOf } from '../lang/actions.js';
import type { ActionKind, BindEnv, BuyerFacts, EmitEnv, FlowRef, LoadEnv, ModelModule, OverflowRef, TargetInput } from './types.js';
import { waterfallModel } from './waterfall.js';

/** A rule's action as the router runs it: each model's `load` declares its variant. */
export type LoadedAction = { [K in ActionKind]: LoadedOf<(typeof MODELS)[K]> }[ActionKind];
type LoadedOf<M> = M extends { load(...args: never[]): infer L } ? L : never;

/** A rule's action in the plan: each model's `plan` schema declares its variant. */
export type PlanAction = { [K in ActionKind]: Static<(typeof MODELS)[K]['plan']> }[ActionKind];

/** The models a set of action kinds needs: one for each, under its kind. */
export type ModelsFor<Kinds extends string> = { [K in Kinds]: K extends ActionKind ? ModelModule<K, { kind: K }> : { kind: K } };

/** Every action kind of the syntax table (src/lang/actions.ts), each with the
 *  model for its own AST, plan and loaded variants. */
export type ModelRegistry = ModelsFor<ActionKindOf<typeof ACTION_SYNTAX>>;

// In the order the plan's JSON Schema lists the kinds ("must be one of …").
export const MODELS = {
  route: routeModel,
  split: splitModel,
  waterfall: waterfallModel,
  share: shareModel,
  flow: flowModel,
  reject: rejectModel,
  rank: rankModel,
  specialize: specializeModel,
  fallback: fallbackModel,
  hybrid: hybridModel,
  auction: auctionModel,
} satisfies ModelRegistry;

// The dispatchers. MODELS[a.kind] is the model of exactly a's variant, but
// TypeScript cannot correlate a union value with the table entry its kind
// selects, so each dispatcher widens the entry once, here, to the whole union.

type AnyModel = Omit<ModelModule<ActionKind, LoadedAction>, 'check' | 'bind' | 'emit' | 'load' | 'planProblems' | 'traits'> & {
  check(ctx: CheckContext, exprs: ExprChecker, a: Action): void;
  bind(a: Action, env: BindEnv): void;
  emit(a: Action, env: EmitEnv): PlanAction;
  load(a: PlanAction, env: LoadEnv, rule: { id: string }, path: string): LoadedAction;
  planProblems?(a: PlanAction, path: string, problem: (path: string, message: string) => void, plan: AnyPlan): void;
  traits: {
    fallsThrough(a: Action, facts: BuyerFacts): boolean;
    buyers(a: Action): (Ident | undefined)[];
    flows(a: Action): FlowRef[];
    overflows(a: Action): OverflowRef[];
    targets(a: PlanAction, input: TargetInput): void;
  };
};

/** The model of a kind; undefined only for an AST or plan built by hand with a kind no model has. */
export function modelOf(kind: string): AnyModel | undefined {
  return Object.hasOwn(MODELS, kind) ? (MODELS[kind as ActionKind] as unknown as AnyModel) : undefined;
}

export type { ActionKind, ActionPlanSchema, BindEnv, BuyerFacts, EmitEnv, FlowRef, LoadEnv, ModelModule, ModelTraits, OverflowRef, TargetInput } from './types.js';
export { couldNotPlace } from './types.js';
export { SPLIT_METRICS, type PerformanceMetric } from './split.js';
export { RANK_FACTORS, type RankFactor } from './rank.js';
