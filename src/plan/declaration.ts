// The routing plan, declared once: what the compiler emits and the runtime
// loads. Plain JSON (no functions, no classes, no undefined-vs-missing tricks),
// versioned. Each TypeBox schema below is both the TypeScript type (`Static`)
// and, through ./json-schema.ts, the plan's JSON Schema, so the two cannot drift.

import { Type, type Static, type TLiteral, type TSchema, type TUnion, type TUnsafe } from '@sinclair/typebox';
import { ALERT_BUCKET_MS, ALERT_METRIC_NAMES, ALERT_OPS, MAX_ALERT_WINDOW_MS } from '../core/alert-metrics.js';

export const PLAN_VERSION = 1;

/** Timeouts a plan gets when the rule file names none; the selling side falls back to the same. */
export const DEFAULT_PING_TIMEOUT_MS = 500;
export const DEFAULT_AUCTION_TIMEOUT_MS = 750;
export const DEFAULT_POST_TIMEOUT_MS = 5000;

// ---------------------------------------------------------------- helpers

/** An object with exactly these properties (an unknown property is an error). */
const exact = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false });
const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
type Literals<V extends string[]> = { [K in keyof V]: TLiteral<V[K]> };
/** One of these strings (emitted as an `enum`, so an error lists them). */
const oneOf = <const V extends string[]>(values: V): TUnion<Literals<V>> =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Literals<V>>;

const Name = Type.String({ minLength: 1 });
const Names = Type.Array(Name);
const NonNegative = Type.Number({ minimum: 0 });
const Positive = Type.Number({ exclusiveMinimum: 0 });
const Percent = Type.Number({ minimum: 0, maximum: 100 });

// ---------------------------------------------------------------- lead fields

const range = { min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) };
const bare = <K extends string>(kind: K) => exact({ kind: Type.Literal(kind) });

export const FieldTypeSchema = Type.Recursive(
  (This) =>
    Type.Union([
      exact({ kind: Type.Literal('int'), ...range }),
      exact({ kind: Type.Literal('number'), ...range }),
      bare('string'),
      bare('bool'),
      exact({ kind: Type.Literal('enum'), values: Type.Array(Type.String()) }),
      bare('state'),
      bare('zip'),
      bare('email'),
      bare('phone'),
      bare('time'),
      exact({ kind: Type.Literal('money'), ...range }),
      exact({ kind: Type.Literal('list'), of: This }),
    ]),
  { $id: 'fieldType' },
);
export type FieldType = Static<typeof FieldTypeSchema>;

export const PlanFieldSchema = exact({ name: Name, type: Type.Ref(FieldTypeSchema), pii: Type.Boolean(), optional: Type.Boolean() });
export type PlanField = Static<typeof PlanFieldSchema>;

/** Where a plan element came from, for traces ("rule at solar.route:4"). */
export const PlanSourceSchema = exact({ file: Type.String(), line: Type.Integer({ minimum: 0 }), col: Type.Integer({ minimum: 0 }) });
export type PlanSource = Static<typeof PlanSourceSchema>;

// ---------------------------------------------------------------- expressions

const CompareOp = oneOf(['==', '!=', '<', '<=', '>', '>=']);
export type PlanCompareOp = Static<typeof CompareOp>;
const ArithOp = oneOf(['+', '-', '*', '/']);
export type PlanArithOp = Static<typeof ArithOp>;

/** A literal value: numbers (money in dollars, durations in ms, percents as 0..100), strings, booleans. */
const Value = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);
export type PlanValue = Static<typeof Value>;

export const PlanExprSchema = Type.Recursive(
  (This) =>
    Type.Union([
      exact({ op: Type.Literal('lit'), value: Value }),
      exact({ op: Type.Literal('list'), items: Type.Array(This) }),
      exact({ op: Type.Literal('field'), name: Name }),
      exact({ op: Type.Literal('random') }),
      exact({ op: Type.Literal('not'), arg: This }),
      exact({ op: Type.Literal('neg'), arg: This }),
      exact({ op: Type.Literal('arith'), fn: ArithOp, left: This, right: This }),
      exact({ op: Type.Literal('compare'), fn: CompareOp, left: This, right: This }),
      exact({ op: Type.Literal('and'), args: Type.Array(This) }),
      exact({ op: Type.Literal('or'), args: Type.Array(This) }),
      exact({ op: Type.Literal('in'), value: This, list: This, negated: Type.Boolean() }),
      exact({ op: Type.Literal('between'), value: This, low: This, high: This }),
      exact({ op: Type.Literal('call'), fn: Name, args: Type.Array(This) }),
    ]),
  { $id: 'expr' },
);
export type PlanExpr = Static<typeof PlanExprSchema>;

const Expr = Type.Ref(PlanExprSchema);
const MaybeExpr = nullable(Expr);

/** A condition with its source text, for traces ("state in [CA]" is false). */
const Condition = exact({ expr: Expr, text: Type.String() });
export type PlanCondition = Static<typeof Condition>;

// ---------------------------------------------------------------- buyers

const CapUnit = oneOf(['minute', 'hour', 'day', 'week', 'month']);
export type PlanCapUnit = Static<typeof CapUnit>;

const Cap = exact({ measure: oneOf(['leads', 'dollars']), limit: Positive, unit: CapUnit });
export type PlanCap = Static<typeof Cap>;
const Caps = Type.Array(Cap);

const Hours = exact({
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1 }),
  /** Minutes after local midnight, [from, to). */
  from: Type.Integer({ minimum: 0, maximum: 1440 }),
  to: Type.Integer({ minimum: 0, maximum: 1440 }),
  zone: Name,
});
export type PlanHours = Static<typeof Hours>;

const Preference = exact({ expr: Expr, text: Type.String(), weight: NonNegative });
export type PlanPreference = Static<typeof Preference>;

const OffHours = Type.Union([bare('skip'), bare('hold'), exact({ kind: Type.Literal('send'), buyer: Name })]);
export type PlanOffHours = Static<typeof OffHours>;

/** A Handlebars template, embedded in the plan so a plan file is self-contained. */
const Template = exact({
  format: oneOf(['json', 'xml', 'form', 'text']),
  /** Where it came from (a file path, or "inline"), for messages. */
  name: Type.String(),
  source: Type.String(),
});
export type PlanTemplate = Static<typeof Template>;

/** A test on a buyer's answer: the value at a dotted path equals a value, or
 *  (`in [..]`, `ignoring case`) is one of a list, compared ignoring case or not. */
const ResponseTest = Type.Union([
  exact({ path: Name, equals: Value }),
  exact({ path: Name, in: Type.Array(Value, { minItems: 1 }), ignoreCase: Type.Boolean() }),
]);
export type PlanResponseTest = Static<typeof ResponseTest>;

/** How a buyer's answer is read; absent means JSON. */
const AnswerFormat = oneOf(['xml', 'form', 'text']);
export type PlanAnswerFormat = Static<typeof AnswerFormat> | 'json';
/** Words that, anywhere in an answer (ignoring case), make it a refusal. */
const RejectionWords = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 });
/** `carry NAME "path"`: a value of the ping's answer the post templates read as `ping.NAME`. */
const Carry = exact({ name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), path: Name });

/** How a post's answer is read (`sale …`); every part optional, absent when not written. */
const Sale = exact({
  format: Type.Optional(AnswerFormat),
  /** The accept rule, when the post itself has none. */
  accepted: Type.Optional(ResponseTest),
  /** When it holds, the buyer already has the lead: a final refusal of its own. */
  duplicate: Type.Optional(ResponseTest),
  /** Paths to the buyer's reason, a URL to send the consumer to, a price decided at post time, the buyer's lead id. */
  reason: Type.Optional(Name),
  redirect: Type.Optional(Name),
  price: Type.Optional(Name),
  id: Type.Optional(Name),
  rejectionWords: Type.Optional(RejectionWords),
});
export type PlanSale = Static<typeof Sale>;

const MaybeString = nullable(Type.String());

/** The HTTP methods a ping or a post may use. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
const Method = oneOf([...HTTP_METHODS]);

/** A request header a ping or post sends: `value` is a Handlebars template
 *  (lead fields, `ping.*` in a post, `secret.NAME`), rendered as plain text. */
const Header = exact({ name: Type.String({ pattern: "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$" }), value: Type.String() });
export type PlanHeader = Static<typeof Header>;
/** Absent when the rule file sets none (so plans without headers are unchanged). */
const Headers = Type.Optional(Type.Array(Header, { minItems: 1 }));

const Ping = exact({
  /** Absent: POST. A GET ping sends its fields in the query, and no body. */
  method: Type.Optional(Method),
  url: Name,
  timeoutMs: Positive,
  /** The non-PII fields sent as a JSON object (derived `zip3` allowed); or null with a template. */
  fields: nullable(Names),
  template: nullable(Template),
  headers: Headers,
  /** How to read a bid from the response (dotted paths). */
  bid: exact({
    /** When set, the response is a bid only if this test holds; otherwise a positive price is a bid. */
    accepted: nullable(ResponseTest),
    price: Name,
    id: MaybeString,
    exclusive: MaybeString,
    /** Path to a list of states the bid is valid for. */
    states: MaybeString,
    /** Path to the maximum lead age in seconds the bid is valid for. */
    maxAge: MaybeString,
    // Optional, absent when not written:
    format: Type.Optional(AnswerFormat),
    /** Path to the buyer's own reason (kept in the bid record). */
    reason: Type.Optional(Name),
    /** When it holds, the buyer already has the lead: no bid. */
    duplicate: Type.Optional(ResponseTest),
    carry: Type.Optional(Type.Array(Carry)),
    rejectionWords: Type.Optional(RejectionWords),
  }),
});
export type PlanPing = Static<typeof Ping>;

const Post = exact({
  /** Absent: POST. A GET post sends no body: the lead goes in the URL's placeholders. */
  method: Type.Optional(Method),
  url: Name,
  timeoutMs: Positive,
  retries: Type.Integer({ minimum: 0 }),
  backoffMs: NonNegative,
  /** Null: the whole lead plus ids and price, as JSON. */
  template: nullable(Template),
  /** Null: any 2xx answer means accepted. */
  accepted: nullable(ResponseTest),
  headers: Headers,
});
export type PlanPost = Static<typeof Post>;

const PixelEventSchema = oneOf(['sold', 'delivered', 'rejected', 'returned']);
export type PixelEvent = Static<typeof PixelEventSchema>;

const Pixel = exact({
  /** A Handlebars template whose values are URL-encoded. */
  url: Name,
  on: Type.Array(PixelEventSchema),
  when: MaybeExpr,
});
export type PlanPixel = Static<typeof Pixel>;

const Delivery = exact({
  /** Wait this long after the sale before posting. */
  delayMs: NonNegative,
  /** Collect leads and send them together. */
  batch: nullable(
    exact({
      maxCount: nullable(Type.Integer({ minimum: 1 })),
      maxWaitMs: nullable(Positive),
      format: oneOf(['csv', 'json']),
      to: Name,
    }),
  ),
  /** Circuit breaker: after this many consecutive failures, stop posting for cooldownMs, then probe. */
  breaker: nullable(exact({ failures: Type.Integer({ minimum: 1 }), cooldownMs: Positive })),
});
export type PlanDelivery = Static<typeof Delivery>;

/** The shape of a holiday calendar code; ../core/calendars.ts decides which ones exist. */
const CALENDAR_SHAPE = '^[A-Za-z]{2}(-[A-Za-z0-9]+){0,2}$';

export const PlanBuyerSchema = exact({
  name: Name,
  /** Hard filter, split into its top-level `and` parts so a trace can name the
   *  part that failed. Empty: the buyer accepts every lead. */
  accepts: Type.Array(Condition),
  /** Price in dollars; null when the buyer names no price. */
  price: MaybeExpr,
  caps: Caps,
  /** Open windows; empty means always open. */
  hours: Type.Array(Hours),
  /** Zone for calendar cap windows (day/week/month): the hours zone, else UTC. */
  zone: Name,
  /** Where a lead goes when this buyer's own caps are full. */
  overflow: nullable(Name),
  source: PlanSourceSchema,

  // ---- routing models (optional in the plan; absent means the default noted)

  /** Soft preferences: satisfied weight / total weight is the buyer's quality match. Default []. */
  prefers: Type.Optional(Type.Array(Preference)),
  /** Relationship score 0..1 declared for the buyer (scoring factor). Default 0.5. */
  relationship: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** Public-holiday calendars the buyer closes on: "US", "US-CA", "DE-BY-A". Default []. */
  holidays: Type.Optional(Type.Array(Type.String({ pattern: CALENDAR_SHAPE }))),
  /** What happens to a lead that arrives while the buyer is closed. Default skip. */
  offHours: Type.Optional(OffHours),
  /** Duplicate suppression: the same normalised email/phone is not sold to this buyer twice within the window. */
  dedupe: Type.Optional(nullable(exact({ fields: Type.Array(Name, { minItems: 1 }), windowMs: Positive }))),
  /** Fields that must be present and non-empty for the buyer to take the lead. Default []. */
  requires: Type.Optional(Names),

  // ---- selling over HTTP (optional; absent means the buyer is sold to without HTTP)

  ping: Type.Optional(nullable(Ping)),
  post: Type.Optional(nullable(Post)),
  /** Failover endpoint, posted to when the primary post fails (error/timeout/5xx) after its retries. */
  backupPost: Type.Optional(nullable(Post)),
  pixels: Type.Optional(Type.Array(Pixel)),
  delivery: Type.Optional(Delivery),
  /** How the post's answer is read (`sale …`); absent when not written. */
  sale: Type.Optional(Sale),
});
export type PlanBuyer = Static<typeof PlanBuyerSchema>;

// ---------------------------------------------------------------- actions
//
// Each routing model declares its own action's schema in its model file
// (src/models/NAME.ts), from the parts below; src/models/plan.ts puts the
// models' schemas together and passes the union to `planSchemaFor`. So this
// module declares everything in a plan but the union of actions.

/** A name a plan action refers to: a buyer or a flow the plan must declare.
 *  `verifyPlan` finds these marks in an action's schema and resolves every
 *  value under one, so a model lists its references in its schema only. The
 *  mark is not JSON Schema: ./json-schema.ts drops it from `PLAN_JSON_SCHEMA`. */
export const REF_MARK = 'x-ref';
export type RefKind = 'buyer' | 'flow';
export const BuyerName = Type.String({ minLength: 1, [REF_MARK]: 'buyer' satisfies RefKind });
export const FlowName = Type.String({ minLength: 1, [REF_MARK]: 'flow' satisfies RefKind });

/** Building blocks for the models' action schemas. */
export const NonEmpty = <T extends TSchema>(t: T) => Type.Array(t, { minItems: 1 });
export const AtLeastOne = Type.Integer({ minimum: 1 });
export { exact, nullable, oneOf, Name, NonNegative, Positive, Percent, Caps, Expr, MaybeExpr, MaybeString };

/** What this module knows of an action: an object tagged with its kind. */
export interface PlanActionBase {
  kind: string;
}

// ---------------------------------------------------------------- alerts

/** `alert NAME when METRIC[(BUYER)] OP THRESHOLD over WINDOW` (src/core/alert-metrics.ts). */
export const PlanAlertSchema = exact({
  name: Name,
  metric: oneOf([...ALERT_METRIC_NAMES]),
  /** The buyer watched, or null for every buyer together. */
  buyer: nullable(Name),
  op: oneOf([...ALERT_OPS]),
  /** In the measure's unit: percent for a rate, ms for a duration, dollars, or a count. */
  threshold: NonNegative,
  windowMs: Type.Integer({ minimum: ALERT_BUCKET_MS, maximum: MAX_ALERT_WINDOW_MS, multipleOf: ALERT_BUCKET_MS }),
  /** The alert's source text, for the dashboard and logs. */
  text: Type.String(),
  source: PlanSourceSchema,
});
export type PlanAlert = Static<typeof PlanAlertSchema>;

// ---------------------------------------------------------------- flows and the plan

/** The plan's schema, given the schema of its actions (the union of the models'). */
export function planSchemaFor<A extends TSchema>(action: A) {
  const rule = exact({
    /** Stable id within the plan, used to key rule-scoped caps: "solar#0". */
    id: Name,
    when: MaybeExpr,
    /** `when` for guarded rules, `otherwise`, or `always` for an unguarded action. */
    guard: oneOf(['when', 'otherwise', 'always']),
    /** The rule's source text, for traces. */
    text: Type.String(),
    action,
    source: PlanSourceSchema,
  });
  const flow = exact({ name: Name, rules: Type.Array(rule), source: PlanSourceSchema });
  return exact({
    leadroute: Type.Literal('plan'),
    version: Type.Literal(PLAN_VERSION),
    /** The rule file the plan was compiled from. */
    file: Type.String(),
    lead: exact({
      fields: Type.Array(PlanFieldSchema),
      /** JSON Schema (draft 2020-12 subset understood by ajv) for validating leads. */
      schema: Type.Unsafe<Record<string, unknown>>({ type: 'object' }),
    }),
    buyers: Type.Array(PlanBuyerSchema),
    flows: NonEmpty(flow),
    /** The flow used when the caller names none: the first declared. */
    defaultFlow: Name,
    /** What `leadroute serve` watches (absent when the file declares no alert). */
    alerts: Type.Optional(Type.Array(PlanAlertSchema)),
  });
}

/** The plan whose actions are `A` (src/models/plan.ts: `Plan`, with every model's action). */
export type PlanWith<A> = Static<ReturnType<typeof planSchemaFor<TUnsafe<A>>>>;
export type PlanFlowWith<A> = PlanWith<A>['flows'][number];
export type PlanRuleWith<A> = PlanFlowWith<A>['rules'][number];
/** A plan, whatever its actions: what the selling side and the simulator's lead
 *  generator read (buyers, fields), below the models in the layering. */
export type AnyPlan = PlanWith<PlanActionBase>;
