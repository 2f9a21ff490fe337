// Checked AST → routing plan. The checker has already rejected every file this
// could misread, so emitting is a straight translation: names are resolved
// (field, `random`, or a symbol such as `CA`), sugar is removed, and every
// element keeps its source position and text for traces.

import type * as A from '../lang/index.js';
import { US_STATES } from '../lang/index.js';
import {
  PLAN_VERSION,
  type FieldType,
  type Plan,
  type PlanAction,
  type PlanBuyer,
  type PlanCap,
  type PlanCondition,
  type PlanExpr,
  type PlanField,
  type PlanFlow,
  type PlanHours,
  type PlanRule,
  type PlanSource,
} from './plan.js';

export interface EmitInput {
  ast: A.RuleFile;
  source: string;
  fields: PlanField[];
}

export function emitPlan({ ast, source, fields }: EmitInput): Plan {
  const fieldNames = new Set(fields.map((f) => f.name));
  const ctx: EmitContext = { source, fieldNames };
  const flows = ast.flows.map((f) => emitFlow(f, ctx));
  return {
    leadroute: 'plan',
    version: PLAN_VERSION,
    file: ast.file,
    lead: { fields, schema: leadJsonSchema(fields) },
    buyers: ast.buyers.map((b) => emitBuyer(b, ctx)),
    flows,
    defaultFlow: flows[0]?.name ?? '',
  };
}

interface EmitContext {
  source: string;
  fieldNames: Set<string>;
}

const sourceOf = (span: A.Span): PlanSource => ({ file: span.file, line: span.line, col: span.col });

/** The source text under a span, on one line, for traces. */
const textOf = (span: A.Span, ctx: EmitContext): string => ctx.source.slice(span.start, span.end).replace(/\s+/g, ' ').trim();

// ------------------------------------------------------------ buyers

function emitBuyer(b: A.BuyerDecl, ctx: EmitContext): PlanBuyer {
  const accepts: PlanCondition[] = [];
  let price: PlanExpr | null = null;
  let overflow: string | null = null;
  const caps: PlanCap[] = [];
  const hours: PlanHours[] = [];
  for (const clause of b.clauses) {
    switch (clause.kind) {
      case 'accepts':
        for (const part of conjuncts(clause.condition)) accepts.push({ expr: emitExpr(part, ctx), text: textOf(part.span, ctx) });
        break;
      case 'price':
        price = emitExpr(clause.value, ctx);
        break;
      case 'cap':
        caps.push(...clause.caps.map(emitCap));
        break;
      case 'hours':
        hours.push({ days: clause.hours.days, from: clause.hours.from, to: clause.hours.to, zone: clause.hours.zone });
        break;
      case 'overflow':
        overflow = clause.target.name;
        break;
      default:
        return assertNever(clause);
    }
  }
  return {
    name: b.name.name,
    accepts,
    price,
    caps,
    hours,
    zone: hours[0]?.zone ?? 'UTC',
    overflow,
    source: sourceOf(b.span),
  };
}

/** `a and b and c` → [a, b, c], so a trace can say which part failed. */
function conjuncts(e: A.Expr): A.Expr[] {
  if (e.kind === 'logical' && e.op === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

const emitCap = (c: A.CapSpec): PlanCap => ({ measure: c.measure, limit: c.limit, unit: c.unit });

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

function emitAction(a: A.Action, ctx: EmitContext): PlanAction {
  switch (a.kind) {
    case 'route':
      return { kind: 'route', buyer: a.buyer.name, caps: a.caps.map(emitCap), overflow: a.overflow?.name ?? null };
    case 'split':
      return { kind: 'split', entries: a.entries.map((e) => ({ buyer: e.buyer.name, weight: e.weight })) };
    case 'waterfall':
      return {
        kind: 'waterfall',
        tiers: a.tiers.map((t) => ({
          buyer: t.buyer.name,
          when: t.condition ? emitExpr(t.condition, ctx) : null,
          whenText: t.condition ? textOf(t.condition.span, ctx) : null,
        })),
      };
    case 'share':
      return {
        kind: 'share',
        max: a.max,
        entries: a.entries.map((e) => ({ buyer: e.buyer.name, price: e.price ? emitExpr(e.price, ctx) : null })),
      };
    case 'flow':
      return { kind: 'flow', flow: a.flow.name };
    case 'reject':
      return { kind: 'reject', reason: a.reason };
    default:
      return assertNever(a);
  }
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
      if (ctx.fieldNames.has(e.name)) return { op: 'field', name: e.name };
      if (e.name === 'random') return { op: 'random' };
      // The checker only lets a bare non-field name through as a state or enum value.
      return { op: 'lit', value: e.name };
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
    case 'call':
      return { op: 'call', fn: e.callee.name, args: e.args.map((a) => emitExpr(a, ctx)) };
    case 'error':
      // Unreachable for a file that checked clean; emit something inert rather than throw.
      return { op: 'lit', value: false };
    default:
      return assertNever(e);
  }
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
