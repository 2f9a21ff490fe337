// The runtime's public surface: load a plan, route leads.
export { loadPlan, PlanError, isLoadedPlan } from './load.js';
export type { LoadedPlan, PlanProblem } from './load.js';
export { Router } from './router.js';
export type { RouterOptions, RouteOptions } from './router.js';
export type { CapStore } from './caps.js';
export { leadRandom, splitDraw, leadIdOf, canonicalJson, hash32 } from './random.js';
export type { EvalContext } from './expr.js';
export type { Decision, SoldTo, LeadError, TraceEntry, TraceCode } from './decision.js';
