// leadroute's embedding API: compile a rule file, load a plan, route leads.
//
//   const { plan, diagnostics } = compile(source, { file: 'rules/solar.route' });
//   const router = new Router(plan!, { store: new MemoryStore(), seed: 7 });
//   const decision = router.route(lead, { now: Date.now() });

import { computeMetrics as sellingReport } from './deliver/index.js';

export { compile, type CompileOptions, type CompileResult, PLAN_VERSION, PLAN_JSON_SCHEMA } from './compile/index.js';
export type * from './plan/declaration.js';
export type { Plan, PlanAction, PlanFlow, PlanRule, PerformanceMetric, RankFactor } from './compile/index.js';
export { parse, formatDiagnostic, formatDiagnostics, hasErrors, DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from './lang/index.js';
// One canonical layout for rule files, comments kept (what `leadroute fmt` writes).
export { format, type FormatResult } from './fmt/index.js';
export * from './runtime/index.js';
export * from './adapters/index.js';
// Selling over HTTP: ping-post auctions, posts, pixels, and their journal.
export { Seller, type Sale, type SellerOptions, type SellOptions } from './auction/index.js';
export type { Journal, MetricsReport, SecretSource } from './deliver/index.js';
export { MissingSecretError } from './deliver/index.js';
// Two metrics, two names: computeBuyerMetrics (a buyer's outcome rates from the
// router's store, what routing uses; from the runtime) and computeDeliveryMetrics
// (the selling report from the delivery journal, what seller.metrics() returns).
export { computeMetrics as computeDeliveryMetrics } from './deliver/index.js';
/** @deprecated The selling report, as the package root has always exported it: use computeDeliveryMetrics (or computeBuyerMetrics for a buyer's outcome rates). */
export const computeMetrics = sellingReport;
// Trying a plan on synthetic or sample leads before any real lead.
export { simulate, generateLeads, renderReport, formatSummary, type SimSummary, type SimulateOptions } from './sim/index.js';
