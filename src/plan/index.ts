// The routing plan: its declaration (types and JSON Schema from one source)
// and its verifier. The compiler emits a plan and the runtime loads one; both
// depend on this module, and it depends on neither.

export * from './declaration.js';
export { PLAN_JSON_SCHEMA } from './json-schema.js';
export { verifyPlan } from './verify.js';
export { PlanError, type PlanProblem } from './problems.js';
