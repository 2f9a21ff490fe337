// The plan with every model's action: the union of the models' action schemas
// (each declared in its model file), the plan schema built around it by
// src/plan (`planSchemaFor`), its types, its JSON Schema and the one
// `verifyPlan` that `compile` runs on what it emits and `loadPlan` on what it
// loads. Nothing here names a kind: a new model in MODELS is in the plan.

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  actionRefFinder,
  planJsonSchema,
  planSchemaFor,
  planVerifier,
  type PlanFlowWith,
  type PlanProblem,
  type PlanRuleWith,
} from '../plan/index.js';
import { MODELS, modelOf, type PlanAction } from './index.js';

/** Every model's action schema, as one union tagged by `kind` (in MODELS' order). */
export const PlanActionSchema = Type.Unsafe<PlanAction>(Type.Union(Object.values(MODELS).map((m): TSchema => m.plan)));

export const PlanSchema = planSchemaFor(PlanActionSchema);
export type Plan = Static<typeof PlanSchema>;
export type PlanFlow = PlanFlowWith<PlanAction>;
export type PlanRule = PlanRuleWith<PlanAction>;
export type { PlanAction };

/** The plan's JSON Schema, for any draft-07 validator. */
export const PLAN_JSON_SCHEMA = planJsonSchema(PlanSchema, 'if-then');

/** Every problem of a would-be plan; empty when it is a valid plan. */
export const verifyPlan: (json: unknown) => PlanProblem[] = planVerifier<PlanAction>(PlanSchema, PlanActionSchema, (a, path, problem, plan) =>
  modelOf(a.kind)?.planProblems?.(a, path, problem, plan),
);

/** The buyers and flows an action names, each with its path in the action (the verifier's `x-ref` walk). */
export const actionRefs = actionRefFinder(PlanActionSchema);
