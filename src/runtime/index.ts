// The runtime's public surface: load a plan, route leads.
export { loadPlan, PlanError, isLoadedPlan } from './load.js';
export type { LoadedPlan, LoadedBuyer, LoadedRule, LoadedFlow, LoadedAction, PlanProblem } from './load.js';
export { Router, formatDuration, dedupeKey, normaliseForDedupe } from './router.js';
export type { RouterOptions, RouteOptions, CommitOptions, EvaluateOptions } from './router.js';
export type { CapStore } from './caps.js';
export { isRouterStore } from './store.js';
export type { RouterStore, StoreEvent, EventKind, OutcomeKind, StateStats } from './store.js';
export { MemoryState, type MemoryStateOptions } from './memory-state.js';
// A buyer's outcome rates from the store; named apart from the selling report
// (computeDeliveryMetrics), which the package root also exports.
export { computeMetrics as computeBuyerMetrics, predictedRate, boundedShares, PRIOR_MEAN, PRIOR_WEIGHT } from './metrics.js';
export type { BuyerMetrics } from './metrics.js';
export { leadRandom, splitDraw, leadIdOf, canonicalJson, hash32 } from './random.js';
export { compileExpr, compilePredicate, evaluatorFor, predicateFor, variableValue } from './expr.js';
export type { EvalContext, Evaluator, Predicate } from './expr.js';
export { zipDistance, zipState, zipTimezone } from './geo.js';
export { nextOpening, localToUtc } from './time.js';
export type { Decision, SoldTo, LeadError, TraceEntry, TraceCode, PendingAuction } from './decision.js';
export { fixedPriceOf } from './decision.js';
export { AlertWindow, type AlertCountsReader } from './alert-window.js';
export { evaluateAlerts, alertValue, compareAlert, type AlertState, type AlertStateKind } from './alerts.js';
