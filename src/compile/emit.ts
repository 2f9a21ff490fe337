// Checked AST → routing plan. The checker has already rejected every file this
// could misread, so emitting is a straight translation: names are resolved
// (field, `random`, or a symbol such as `CA`), sugar is removed, and every
// element keeps its source position and text for traces.

import type * as A from '../lang/index.js';
import { US_STATES } from '../lang/index.js';
import { bind, type Bindings } from '../check/binder.js';
import type { BuiltinName } from '../core/builtins.js';
import { modelOf, type EmitEnv } from '../models/index.js';
import { clauseOf, durationMs, emitCap, emptyPlanBuyer, type BuyerDraft, type BuyerEmitEnv } from '../clauses/index.js';
import type { AlertMetricName } from '../core/alert-metrics.js';
import { PLAN_VERSION, type PlanAlert, type FieldType, type PlanBuyer, type PlanExpr, type PlanField, type PlanSource, type PlanTemplate } from '../plan/index.js';
import { type Plan, type PlanAction, type PlanFlow, type PlanRule } from '../models/plan.js';

export interface EmitInput {
  ast: A.RuleFile;
  source: string;
  fields: PlanField[];
  /** Reads a template file by its resolved path; the checker has confirmed it exists. */
  readTemplate?: (path: string) => string | undefined;
  /** What each name denotes, from the check (`CheckResult.bindings`); bound here when not given. */
  bindings?: Bindings;
}

export function emitPlan({ ast, source, fields, readTemplate, bindings }: EmitInput): Plan {
  const ctx = { source, bindings: bindings ?? bind(ast, fields), readTemplate: readTemplate ?? (() => undefined) } as EmitContext;
  ctx.env = {
    expr: (e) => emitExpr(e, ctx),
    text: (span) => textOf(span, ctx),
    durationMs,
    cap: emitCap,
  };
  ctx.buyerEnv = { ...ctx.env, template: (ref) => emitTemplate(ref, ctx) };
  const flows = ast.flows.map((f) => emitFlow(f, ctx));
  const alerts = (ast.alerts ?? []).map((a) => emitAlert(a, ctx));
  return {
    leadroute: 'plan',
    version: PLAN_VERSION,
    file: ast.file,
    lead: { fields, schema: leadJsonSchema(fields) },
    buyers: ast.buyers.map((b) => emitBuyer(b, ctx)),
    flows,
    defaultFlow: flows[0]?.name ?? '',
    // Only when declared, so a plan without alerts is the plan it always was.
    ...(alerts.length > 0 ? { alerts } : {}),
  };
}

interface EmitContext {
  source: string;
  bindings: Bindings;
  readTemplate: (path: string) => string | undefined;
  /** What the routing models emit with. */
  env: EmitEnv;
  /** What the buyer clauses emit with. */
  buyerEnv: BuyerEmitEnv;
}

const sourceOf = (span: A.Span): PlanSource => ({ file: span.file, line: span.line, col: span.col });

/** The source text under a span, on one line, for traces. */
const textOf = (span: A.Span, ctx: EmitContext): string => ctx.source.slice(span.start, span.end).replace(/\s+/g, ' ').trim();

// ------------------------------------------------------------ buyers

/** A buyer: each clause adds its part (src/clauses/) to the clause-less buyer. */
function emitBuyer(b: A.BuyerDecl, ctx: EmitContext): PlanBuyer {
  const draft: BuyerDraft = { plan: emptyPlanBuyer(b.name.name, sourceOf(b.span)), bid: null };
  // A checked AST has only kinds the table knows.
  for (const clause of b.clauses) clauseOf(clause.kind)?.emit(clause, draft, ctx.buyerEnv);
  return draft.plan;
}

function emitTemplate(ref: A.TemplateRef | undefined, ctx: EmitContext): PlanTemplate | null {
  if (!ref) return null;
  return { format: ref.format, name: ref.path.value, source: ctx.readTemplate(ref.path.value) ?? '' };
}

// ------------------------------------------------------------ flows

function emitFlow(f: A.FlowDecl, ctx: EmitContext): PlanFlow {
  return {
    name: f.name.name,
    rules: f.rules.map((r, i) => emitRule(r, `${f.name.name}#${i}`, ctx)),
    source: sourceOf(f.span),
  };
}

function emitRule(r: A.Rule, id: string, ctx: EmitContext): PlanRule {
  return {
    id,
    when: r.kind === 'when' ? emitExpr(r.condition, ctx) : null,
    guard: r.kind,
    text: textOf(r.span, ctx),
    action: emitAction(r.action, ctx),
    source: sourceOf(r.span),
  };
}

/** A rule's action, emitted by its routing model (src/models/). */
function emitAction(a: A.Action, ctx: EmitContext): PlanAction {
  const model = modelOf(a.kind);
  // A checked AST has only kinds the table knows; keep emitting inert rather than throw.
  if (model === undefined) return { kind: 'reject', reason: `unknown action '${String(a.kind)}'` };
  return model.emit(a, ctx.env);
}

// ------------------------------------------------------------ alerts

function emitAlert(a: A.AlertDecl, ctx: EmitContext): PlanAlert {
  const t = a.threshold;
  return {
    name: a.name.name,
    // The checker refused any other name.
    metric: a.metric.name as AlertMetricName,
    buyer: a.buyer?.name ?? null,
    op: a.op,
    threshold: t.kind === 'duration' ? t.ms : t.value,
    windowMs: a.window.ms,
    text: textOf(a.span, ctx),
    source: sourceOf(a.span),
  };
}

// ------------------------------------------------------------ expressions

export function emitExpr(e: A.Expr, ctx: EmitContext): PlanExpr {
  switch (e.kind) {
    case 'number':
    case 'money':
    case 'percent':
      return { op: 'lit', value: e.value };
    case 'duration':
      return { op: 'lit', value: e.ms };
    case 'string':
    case 'bool':
      return { op: 'lit', value: e.value };
    case 'list':
      return { op: 'list', items: e.items.map((i) => emitExpr(i, ctx)) };
    case 'name':
      return emitName(e, ctx);
    case 'unary':
      return e.op === 'not' ? { op: 'not', arg: emitExpr(e.arg, ctx) } : { op: 'neg', arg: emitExpr(e.arg, ctx) };
    case 'binary':
      return { op: 'arith', fn: e.op, left: emitExpr(e.left, ctx), right: emitExpr(e.right, ctx) };
    case 'compare':
      return { op: 'compare', fn: e.op, left: emitExpr(e.left, ctx), right: emitExpr(e.right, ctx) };
    case 'logical': {
      // Flatten `a and (b and c)` into one n-ary node: fewer closures at run time.
      const args: PlanExpr[] = [];
      for (const side of [e.left, e.right]) {
        const x = emitExpr(side, ctx);
        if (x.op === e.op) args.push(...x.args);
        else args.push(x);
      }
      return { op: e.op, args };
    }
    case 'in':
      return { op: 'in', value: emitExpr(e.value, ctx), list: emitExpr(e.list, ctx), negated: e.negated };
    case 'between':
      return { op: 'between', value: emitExpr(e.value, ctx), low: emitExpr(e.low, ctx), high: emitExpr(e.high, ctx) };
    case 'within':
      // `t within 5m` is `age(t) <= 5m`.
      return { op: 'compare', fn: '<=', left: { op: 'call', fn: 'age' satisfies BuiltinName, args: [emitExpr(e.value, ctx)] }, right: emitExpr(e.duration, ctx) };
    case 'call':
      return { op: 'call', fn: calleeName(e.callee, ctx), args: e.args.map((a) => emitExpr(a, ctx)) };
    case 'error':
      // Unreachable for a file that checked clean; emit something inert rather than throw.
      return { op: 'lit', value: false };
    default:
      return assertNever(e);
  }
}

/** A name as the binder resolved it (src/check/binder.ts). */
function emitName(e: Extract<A.Expr, { kind: 'name' }>, ctx: EmitContext): PlanExpr {
  const sym = ctx.bindings.symbolOf(e);
  switch (sym?.kind) {
    case 'field':
      return { op: 'field', name: sym.field.name };
    case 'random':
      return { op: 'random' };
    case 'scoped':
      // `bid.price`, `buyer.acceptance` inside an auction's rank or floor: read from the bid and the buyer's measures at run time.
      return { op: 'field', name: sym.name };
    case 'state':
      return { op: 'lit', value: sym.code };
    case 'enum':
      return { op: 'lit', value: sym.value };
    case 'buyer':
    case 'flow':
    case 'builtin':
    case 'unresolved':
    case undefined:
      // The checker lets no other name through; emit the text, as a value, rather than throw.
      return { op: 'lit', value: e.name };
    default:
      return assertNever(sym);
  }
}

/** A call's builtin, as the binder resolved it. */
function calleeName(callee: A.Ident, ctx: EmitContext): string {
  const sym = ctx.bindings.symbolOf(callee);
  return sym?.kind === 'builtin' ? sym.name : callee.name;
}

// ------------------------------------------------------------ lead schema

const ZIP_PATTERN = '^[0-9]{5}(-[0-9]{4})?$';
/** 10 US digits, optionally +1, with the usual separators. */
const PHONE_PATTERN = '^(\\+?1[ .-]?)?\\(?[0-9]{3}\\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}$';

export function fieldJsonSchema(t: FieldType): Record<string, unknown> {
  const range = (min?: number, max?: number) => ({
    ...(min !== undefined ? { minimum: min } : {}),
    ...(max !== undefined ? { maximum: max } : {}),
  });
  switch (t.kind) {
    case 'int':
      return { type: 'integer', ...range(t.min, t.max) };
    case 'number':
      return { type: 'number', ...range(t.min, t.max) };
    case 'money':
      return { type: 'number', ...range(t.min ?? 0, t.max) };
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: t.values };
    case 'state':
      return { type: 'string', enum: [...US_STATES] };
    case 'zip':
      return { type: 'string', pattern: ZIP_PATTERN };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'phone':
      return { type: 'string', pattern: PHONE_PATTERN };
    case 'time':
      return { type: 'string', format: 'date-time' };
    case 'list':
      return { type: 'array', items: fieldJsonSchema(t.of) };
    default:
      return assertNever(t);
  }
}

export function leadJsonSchema(fields: PlanField[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) properties[f.name] = fieldJsonSchema(f.type);
  return {
    type: 'object',
    properties,
    required: fields.filter((f) => !f.optional).map((f) => f.name),
  };
}

function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
