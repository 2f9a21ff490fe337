// The routing plan: its declaration (types and JSON Schema from one source)
// and its verifier, generic in the plan's actions: each routing model declares
// its action's schema, and src/models/plan.ts assembles the plan's schema, its
// JSON Schema and the one `verifyPlan` from them. The compiler emits a plan and
// the runtime loads one; both depend on this module, and it depends on neither.

export * from './declaration.js';
export { planJsonSchema, type Dispatch } from './json-schema.js';
export { planVerifier, actionRefFinder, type ActionSettings, type ActionRef } from './verify.js';
export { PlanError, type PlanProblem } from './problems.js';
