// The routing plan: what the compiler emits and the runtime loads. Plain JSON
// (no functions, no classes, no undefined-vs-missing tricks), versioned, and
// described by PLAN_JSON_SCHEMA so a plan file can be validated before use.

export const PLAN_VERSION = 1;

export type FieldType =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'state' }
  | { kind: 'zip' }
  | { kind: 'email' }
  | { kind: 'phone' }
  | { kind: 'time' }
  | { kind: 'money'; min?: number; max?: number }
  | { kind: 'list'; of: FieldType };

export interface PlanField {
  name: string;
  type: FieldType;
  pii: boolean;
  optional: boolean;
}

/** Where a plan element came from, for traces ("rule at solar.route:4"). */
export interface PlanSource {
  file: string;
  line: number;
  col: number;
}

export type PlanCompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type PlanArithOp = '+' | '-' | '*' | '/';

/** A literal value: numbers (money in dollars, durations in ms, percents as 0..100), strings, booleans. */
export type PlanValue = number | string | boolean;

export type PlanExpr =
  | { op: 'lit'; value: PlanValue }
  | { op: 'list'; items: PlanExpr[] }
  | { op: 'field'; name: string }
  | { op: 'random' }
  | { op: 'not'; arg: PlanExpr }
  | { op: 'neg'; arg: PlanExpr }
  | { op: 'arith'; fn: PlanArithOp; left: PlanExpr; right: PlanExpr }
  | { op: 'compare'; fn: PlanCompareOp; left: PlanExpr; right: PlanExpr }
  | { op: 'and'; args: PlanExpr[] }
  | { op: 'or'; args: PlanExpr[] }
  | { op: 'in'; value: PlanExpr; list: PlanExpr; negated: boolean }
  | { op: 'between'; value: PlanExpr; low: PlanExpr; high: PlanExpr }
  | { op: 'call'; fn: string; args: PlanExpr[] };

/** A condition with its source text, for traces ("state in [CA]" is false). */
export interface PlanCondition {
  expr: PlanExpr;
  text: string;
}

export type PlanCapUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

export interface PlanCap {
  measure: 'leads' | 'dollars';
  limit: number;
  unit: PlanCapUnit;
}

export interface PlanHours {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Minutes after local midnight, [from, to). */
  from: number;
  to: number;
  zone: string;
}

export interface PlanBuyer {
  name: string;
  /** Hard filter, split into its top-level `and` parts so a trace can name the
   *  part that failed. Empty: the buyer accepts every lead. */
  accepts: PlanCondition[];
  /** Price in dollars; null when the buyer names no price. */
  price: PlanExpr | null;
  caps: PlanCap[];
  /** Open windows; empty means always open. */
  hours: PlanHours[];
  /** Zone for calendar cap windows (day/week/month): the hours zone, else UTC. */
  zone: string;
  /** Where a lead goes when this buyer's own caps are full. */
  overflow: string | null;
  source: PlanSource;
}

export type PlanAction =
  | { kind: 'route'; buyer: string; caps: PlanCap[]; overflow: string | null }
  | { kind: 'split'; entries: { buyer: string; weight: number }[] }
  | { kind: 'waterfall'; tiers: { buyer: string; when: PlanExpr | null; whenText: string | null }[] }
  | { kind: 'share'; max: number; entries: { buyer: string; price: PlanExpr | null }[] }
  | { kind: 'flow'; flow: string }
  | { kind: 'reject'; reason: string };

export interface PlanRule {
  /** Stable id within the plan, used to key rule-scoped caps: "solar#0". */
  id: string;
  when: PlanExpr | null;
  /** `when` for guarded rules, `otherwise`, or `always` for an unguarded action. */
  guard: 'when' | 'otherwise' | 'always';
  /** The rule's source text, for traces. */
  text: string;
  action: PlanAction;
  source: PlanSource;
}

export interface PlanFlow {
  name: string;
  rules: PlanRule[];
  source: PlanSource;
}

export interface Plan {
  leadroute: 'plan';
  version: typeof PLAN_VERSION;
  /** The rule file the plan was compiled from. */
  file: string;
  lead: {
    fields: PlanField[];
    /** JSON Schema (draft 2020-12 subset understood by ajv) for validating leads. */
    schema: Record<string, unknown>;
  };
  buyers: PlanBuyer[];
  flows: PlanFlow[];
  /** The flow used when the caller names none: the first declared. */
  defaultFlow: string;
}
