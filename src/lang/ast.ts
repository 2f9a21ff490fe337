// The abstract syntax tree of a rule file. Every node carries the span of the
// source it came from, so later phases can point at it in diagnostics.

import type { Action } from './actions.js';

export interface Span {
  file: string;
  /** 1-based line and column of the first character. */
  line: number;
  col: number;
  /** 1-based line and column just past the last character. */
  endLine: number;
  endCol: number;
  /** 0-based offsets into the source text. */
  start: number;
  end: number;
}

export interface Ident {
  name: string;
  span: Span;
}

// ---------------------------------------------------------------- types

export type TypeExpr =
  | { kind: 'int'; min?: number; max?: number; span: Span }
  | { kind: 'number'; min?: number; max?: number; span: Span }
  | { kind: 'string'; span: Span }
  | { kind: 'bool'; span: Span }
  | { kind: 'enum'; values: string[]; span: Span }
  | { kind: 'state'; span: Span }
  | { kind: 'zip'; span: Span }
  | { kind: 'email'; span: Span }
  | { kind: 'phone'; span: Span }
  | { kind: 'time'; span: Span }
  | { kind: 'money'; min?: number; max?: number; span: Span }
  | { kind: 'list'; of: TypeExpr; span: Span };

export interface FieldDecl {
  name: Ident;
  type: TypeExpr;
  /** `pii` (true), `not pii` (false), or unmarked (undefined: e-mail and phone fields are PII). */
  pii: boolean | undefined;
  optional: boolean;
  span: Span;
}

export type LeadDecl =
  | { kind: 'inline'; fields: FieldDecl[]; span: Span }
  | { kind: 'file'; path: string; pathSpan: Span; span: Span };

// ---------------------------------------------------------------- expressions

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/';
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

export type Expr =
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  /** `$45`, `$4.50`: dollars. */
  | { kind: 'money'; value: number; span: Span }
  /** `500ms`, `5s`: stored in milliseconds. */
  | { kind: 'duration'; ms: number; text: string; span: Span }
  /** `60%`: stored as 60. */
  | { kind: 'percent'; value: number; span: Span }
  | { kind: 'list'; items: Expr[]; span: Span }
  /** A bare name: a lead field, `random`, or (inside a list compared with an
   *  enum or state field) a symbol such as `CA`. The checker decides which. */
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'unary'; op: 'not' | '-'; arg: Expr; span: Span }
  | { kind: 'binary'; op: ArithOp; left: Expr; right: Expr; span: Span }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; span: Span }
  | { kind: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr; span: Span }
  | { kind: 'in'; negated: boolean; value: Expr; list: Expr; span: Span }
  | { kind: 'between'; value: Expr; low: Expr; high: Expr; span: Span }
  /** `consented_at within 5m`: the time field is at most that long ago. */
  | { kind: 'within'; value: Expr; duration: Expr; span: Span }
  | { kind: 'call'; callee: Ident; args: Expr[]; span: Span }
  /** Produced by error recovery: the parser could not read an expression here. */
  | { kind: 'error'; span: Span };

// ---------------------------------------------------------------- buyers

export type CapUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

export interface CapSpec {
  /** `100/h` counts leads, `$5000/day` counts dollars of price. */
  measure: 'leads' | 'dollars';
  limit: number;
  unit: CapUnit;
  span: Span;
}

export interface HoursSpec {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Minutes after local midnight; `to` is exclusive. */
  from: number;
  to: number;
  zone: string;
  zoneSpan: Span;
  span: Span;
}

export interface StringLit {
  value: string;
  span: Span;
}

export type TemplateFormat = 'json' | 'xml' | 'form' | 'text';

export interface TemplateRef {
  format: TemplateFormat;
  /** Path of the .hbs file, relative to the rule file. */
  path: StringLit;
  span: Span;
}

/** How a buyer's answer is read (`bid xml …`, `sale form …`); absent: JSON. */
export type AnswerFormat = 'json' | 'xml' | 'form' | 'text';

/** `== "ok"`, `in ["ok", "accepted"]`, either `ignoring case`: a test on one value of an answer. */
export interface ValueTest {
  op: '==' | 'in';
  /** `== v`: the one value; `in [...]`: the list's items (the checker wants literals). */
  values: Expr[];
  ignoreCase: boolean;
  span: Span;
}

/** `"status" == "accepted"`: a test on a buyer's answer. */
export interface ResponseTest {
  path: StringLit;
  test: ValueTest;
  span: Span;
}

/** `header "Authorization" "Bearer {{secret.TOKEN}}"`: the value is a template. */
export interface HeaderSpec {
  name: StringLit;
  value: StringLit;
  span: Span;
}

export interface PingSpec {
  /** `ping GET "…"`: the HTTP method, as written (POST when absent). */
  method?: Ident;
  url: StringLit;
  timeout?: Expr;
  fields?: Ident[];
  template?: TemplateRef;
  headers?: HeaderSpec[];
  span: Span;
}

/** One entry of a `bid` or `sale` mapping: `price "amount"`, `accepted "status" == "ok"`,
 *  `carry bid_id "data.bid_id"` (with `name`), `rejection_words ["Rejected"]` (with `words`). */
export interface AnswerEntry {
  key: Ident;
  /** `carry NAME "path"`: the name the value travels under. */
  name?: Ident;
  /** Where in the answer; absent for a word list. */
  path?: StringLit;
  /** `rejection_words [..]`. */
  words?: StringLit[];
  test?: ValueTest;
  span: Span;
}

/** `bid [format] price "amount", id "ping_id", …` and `sale [format] accepted "status" == "ok", …`. */
export interface AnswerMapping {
  /** Absent: JSON. */
  format?: AnswerFormat;
  entries: AnswerEntry[];
  span: Span;
}
export type BidMapping = AnswerMapping;

export interface PostSpec {
  /** `post PUT "…"`: the HTTP method, as written (POST when absent). */
  method?: Ident;
  url: StringLit;
  template?: TemplateRef;
  timeout?: Expr;
  retries?: number;
  backoff?: Expr;
  accepted?: ResponseTest;
  headers?: HeaderSpec[];
  span: Span;
}

export interface PixelSpec {
  url: StringLit;
  on: Ident[];
  condition?: Expr;
  span: Span;
}

export interface BatchSpec {
  count?: number;
  every?: Expr;
  format: Ident;
  to: StringLit;
  span: Span;
}

export type BuyerClause =
  | { kind: 'accepts'; condition: Expr; span: Span }
  | { kind: 'price'; value: Expr; span: Span }
  | { kind: 'cap'; caps: CapSpec[]; span: Span }
  | { kind: 'hours'; hours: HoursSpec; span: Span }
  | { kind: 'overflow'; target: Ident; span: Span }
  | { kind: 'prefers'; condition: Expr; weight: number; span: Span }
  | { kind: 'relationship'; score: number; span: Span }
  | { kind: 'holidays'; calendars: StringLit[]; span: Span }
  /** `when closed skip | hold | send Other` */
  | { kind: 'closed'; action: 'skip' | 'hold' | 'send'; target?: Ident; span: Span }
  | { kind: 'dedupe'; fields: Ident[]; window: Expr; span: Span }
  | { kind: 'requires'; fields: Ident[]; span: Span }
  | { kind: 'ping'; ping: PingSpec; span: Span }
  | { kind: 'bid'; mapping: BidMapping; span: Span }
  | { kind: 'post'; post: PostSpec; backup: boolean; span: Span }
  /** How a post's answer is read: the buyer's accept, duplicate and reason rules. */
  | { kind: 'sale'; mapping: AnswerMapping; span: Span }
  | { kind: 'pixel'; pixel: PixelSpec; span: Span }
  | { kind: 'delay'; delay: Expr; span: Span }
  | { kind: 'batch'; batch: BatchSpec; span: Span }
  | { kind: 'breaker'; failures: number; cooldown: Expr; span: Span };

export interface BuyerDecl {
  name: Ident;
  clauses: BuyerClause[];
  span: Span;
}

// ---------------------------------------------------------------- flows

// The actions' AST types are declared with their syntax, in ./actions.ts.
export type {
  Action,
  AuctionTier,
  FallbackStep,
  RankFactorSpec,
  ShareEntry,
  SpecialistTier,
  SplitEntry,
  SplitMode,
  WaterfallTier,
} from './actions.js';

export type Rule =
  | { kind: 'when'; condition: Expr; action: Action; span: Span }
  | { kind: 'otherwise'; action: Action; span: Span }
  /** An action with no guard: it applies to every lead that reaches it. */
  | { kind: 'always'; action: Action; span: Span };

export interface FlowDecl {
  name: Ident;
  rules: Rule[];
  span: Span;
}

// ---------------------------------------------------------------- alerts

/** A threshold as written: its kind says its unit (`20%`, `600ms`, `$500`, `10`). */
export type AlertThreshold = Extract<Expr, { kind: 'percent' | 'duration' | 'money' | 'number' }>;

/** `alert NAME when METRIC[(BUYER)] OP THRESHOLD over WINDOW`. */
export interface AlertDecl {
  name: Ident;
  metric: Ident;
  /** The buyer watched; absent: every buyer together. */
  buyer?: Ident;
  op: '<' | '<=' | '>' | '>=';
  opSpan: Span;
  threshold: AlertThreshold;
  window: Extract<Expr, { kind: 'duration' }>;
  span: Span;
}

// ---------------------------------------------------------------- file

export interface RuleFile {
  file: string;
  lead?: LeadDecl;
  buyers: BuyerDecl[];
  flows: FlowDecl[];
  alerts: AlertDecl[];
  span: Span;
  /** Source offsets of the syntax errors the parser recovered from (absent
   *  when there are none): analyses that recovery can mislead skip there. */
  syntaxErrors?: number[];
}

// ---------------------------------------------------------------- trivia

/** `# …` to the end of its line; `text` includes the `#`. */
export interface Comment {
  text: string;
  span: Span;
}

/**
 * What the AST leaves out but a formatter must keep: comments and blank lines,
 * in source order. It sits beside the AST, never in it, so no plan carries it.
 */
export interface Trivia {
  comments: Comment[];
  /** 1-based numbers of the lines that hold nothing but white space. */
  blankLines: number[];
}
