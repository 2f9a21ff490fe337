// leadroute's embedding API: compile a rule file, load a plan, route leads.
//
//   const { plan, diagnostics } = compile(source, { file: 'rules/solar.route' });
//   const router = new Router(plan!, { store: new MemoryStore(), seed: 7 });
//   const decision = router.route(lead, { now: Date.now() });

export { compile, type CompileOptions, type CompileResult, PLAN_VERSION, PLAN_JSON_SCHEMA } from './compile/index.js';
export type * from './compile/plan.js';
export { parse, formatDiagnostic, formatDiagnostics, hasErrors, DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from './lang/index.js';
export * from './runtime/index.js';
export * from './adapters/index.js';
// Selling over HTTP: ping-post auctions, posts, pixels, and their journal.
export { Seller, type Sale, type SellerOptions, type SellOptions } from './auction/index.js';
export { computeMetrics, type Journal, type MetricsReport } from './deliver/index.js';
// Trying a plan on synthetic or sample leads before any real lead.
export { simulate, generateLeads, renderReport, formatSummary, type SimSummary, type SimulateOptions } from './sim/index.js';
