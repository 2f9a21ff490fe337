// The routing plan: what the compiler emits and the runtime loads. Plain JSON
// (no functions, no classes, no undefined-vs-missing tricks), versioned, and
// described by PLAN_JSON_SCHEMA so a plan file can be validated before use.

export const PLAN_VERSION = 1;

/** Timeouts a plan gets when the rule file names none; the selling side falls back to the same. */
export const DEFAULT_PING_TIMEOUT_MS = 500;
export const DEFAULT_AUCTION_TIMEOUT_MS = 750;
export const DEFAULT_POST_TIMEOUT_MS = 5000;

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

export type PerformanceMetric = 'conversion' | 'acceptance';
export type RankFactor = 'price' | 'quality' | 'capacity' | 'performance' | 'relationship' | 'expected_value';

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

  // ---- routing models (optional in the plan; absent means the default noted)

  /** Soft preferences: satisfied weight / total weight is the buyer's quality match. Default []. */
  prefers?: PlanPreference[];
  /** Relationship score 0..1 declared for the buyer (scoring factor). Default 0.5. */
  relationship?: number;
  /** Public-holiday calendars the buyer closes on: "US", "US-CA". Default []. */
  holidays?: string[];
  /** What happens to a lead that arrives while the buyer is closed. Default skip. */
  offHours?: PlanOffHours;
  /** Duplicate suppression: the same normalised email/phone is not sold to this buyer twice within the window. */
  dedupe?: { fields: string[]; windowMs: number } | null;
  /** Fields that must be present and non-empty for the buyer to take the lead. Default []. */
  requires?: string[];

  // ---- selling over HTTP (optional; absent means the buyer is sold to without HTTP)

  ping?: PlanPing | null;
  post?: PlanPost | null;
  /** Failover endpoint, posted to when the primary post fails (error/timeout/5xx) after its retries. */
  backupPost?: PlanPost | null;
  pixels?: PlanPixel[];
  delivery?: PlanDelivery;
}

export interface PlanPreference {
  expr: PlanExpr;
  text: string;
  weight: number;
}

export type PlanOffHours = { kind: 'skip' } | { kind: 'hold' } | { kind: 'send'; buyer: string };

/** A Handlebars template, embedded in the plan so a plan file is self-contained. */
export interface PlanTemplate {
  format: 'json' | 'xml' | 'form' | 'text';
  /** Where it came from (a file path, or "inline"), for messages. */
  name: string;
  source: string;
}

/** A test on a buyer's JSON response: the value at a dotted path equals a value. */
export interface PlanResponseTest {
  path: string;
  equals: PlanValue;
}

export interface PlanPing {
  url: string;
  timeoutMs: number;
  /** The non-PII fields sent as a JSON object (derived `zip3` allowed); or null with a template. */
  fields: string[] | null;
  template: PlanTemplate | null;
  /** How to read a bid from the response (dotted paths). */
  bid: {
    /** When set, the response is a bid only if this test holds; otherwise a positive price is a bid. */
    accepted: PlanResponseTest | null;
    price: string;
    id: string | null;
    exclusive: string | null;
    /** Path to a list of states the bid is valid for. */
    states: string | null;
    /** Path to the maximum lead age in seconds the bid is valid for. */
    maxAge: string | null;
  };
}

export interface PlanPost {
  url: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  /** Null: the whole lead plus ids and price, as JSON. */
  template: PlanTemplate | null;
  /** Null: any 2xx answer means accepted. */
  accepted: PlanResponseTest | null;
}

export type PixelEvent = 'sold' | 'delivered' | 'rejected' | 'returned';

export interface PlanPixel {
  /** A Handlebars template whose values are URL-encoded. */
  url: string;
  on: PixelEvent[];
  when: PlanExpr | null;
}

export interface PlanDelivery {
  /** Wait this long after the sale before posting. */
  delayMs: number;
  /** Collect leads and send them together. */
  batch: { maxCount: number | null; maxWaitMs: number | null; format: 'csv' | 'json'; to: string } | null;
  /** Circuit breaker: after this many consecutive failures, stop posting for cooldownMs, then probe. */
  breaker: { failures: number; cooldownMs: number } | null;
}

export type PlanAction =
  | { kind: 'route'; buyer: string; caps: PlanCap[]; overflow: string | null }
  | {
      kind: 'split';
      entries: { buyer: string; weight: number }[];
      /** random (default): per-lead draw; fair: round-robin, earliest due first (Tijdeman); performance: weights from a metric. */
      mode?: 'random' | 'fair' | 'performance';
      performance?: { metric: PerformanceMetric; windowMs: number; min: number; max: number } | null;
    }
  | {
      kind: 'rank';
      buyers: string[];
      factors: { factor: RankFactor; weight: number }[];
      /** Minimum score 0..1 to be sold to. */
      min: number | null;
      /** How many of the best to sell to (more than 1: shared). */
      top: number;
      /** Window for performance and predicted acceptance. */
      windowMs: number;
    }
  | {
      kind: 'specialize';
      specialists: { buyer: string; when: PlanExpr | null; whenText: string | null; premium: { kind: 'percent' | 'dollars'; amount: number } }[];
      fallback: { kind: 'buyer'; buyer: string } | { kind: 'flow'; flow: string } | null;
    }
  | { kind: 'fallback'; steps: { flow: string; rewrites: { field: string; value: PlanExpr; text: string }[] }[] }
  | { kind: 'hybrid'; primary: string; secondaries: { buyer: string; price: PlanExpr | null }[]; max: number; delayMs: number }
  | {
      kind: 'auction';
      tiers: { buyers: string[]; floor: PlanExpr | null }[];
      timeoutMs: number;
      floor: PlanExpr | null;
      exclusiveMin: number | null;
      /** Sell to up to this many bidders when no exclusive bid wins (1: never shared). */
      shared: number;
      /** Rank bids by this expression (of `bid.price`, buyer metrics); null: highest price. */
      rank: PlanExpr | null;
    }
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
