// Checked AST → routing plan. The checker has already rejected every file this
// could misread, so emitting is a straight translation: names are resolved
// (field, `random`, or a symbol such as `CA`), sugar is removed, and every
// element keeps its source position and text for traces.

import type * as A from '../lang/index.js';
import { US_STATES } from '../lang/index.js';
import { bind, type Bindings } from '../check/binder.js';
import type { BuiltinName } from '../core/builtins.js';
import { modelOf, type EmitEnv } from '../models/index.js';
import {
  DEFAULT_PING_TIMEOUT_MS,
  DEFAULT_POST_TIMEOUT_MS,
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
  type PlanPreference,
  type PlanOffHours,
  type PlanPing,
  type PlanPost,
  type PlanPixel,
  type PlanDelivery,
  type PlanTemplate,
  type PlanValue,
  type PixelEvent,
} from '../plan/index.js';

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
  bindings: Bindings;
  readTemplate: (path: string) => string | undefined;
  /** What the routing models emit with. */
  env: EmitEnv;
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
  const prefers: PlanPreference[] = [];
  let relationship: number | undefined;
  const holidays: string[] = [];
  let offHours: PlanOffHours = { kind: 'skip' };
  let dedupe: PlanBuyer['dedupe'] = null;
  const requires: string[] = [];
  let ping: PlanPing | null = null;
  let bid: A.BidMapping | null = null;
  let post: PlanPost | null = null;
  let backupPost: PlanPost | null = null;
  const pixels: PlanPixel[] = [];
  const delivery: PlanDelivery = { delayMs: 0, batch: null, breaker: null };
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
      case 'prefers':
        prefers.push({ expr: emitExpr(clause.condition, ctx), text: textOf(clause.condition.span, ctx), weight: clause.weight });
        break;
      case 'relationship':
        relationship = clause.score;
        break;
      case 'holidays':
        holidays.push(...clause.calendars.map((c) => c.value));
        break;
      case 'closed':
        offHours = clause.action === 'send' && clause.target ? { kind: 'send', buyer: clause.target.name } : { kind: clause.action === 'hold' ? 'hold' : 'skip' };
        break;
      case 'dedupe':
        dedupe = { fields: clause.fields.map((f) => f.name), windowMs: durationMs(clause.window) };
        break;
      case 'requires':
        requires.push(...clause.fields.map((f) => f.name));
        break;
      case 'ping':
        ping = emitPing(clause.ping, ctx);
        break;
      case 'bid':
        bid = clause.mapping;
        break;
      case 'post':
        if (clause.backup) backupPost = emitPost(clause.post, ctx);
        else post = emitPost(clause.post, ctx);
        break;
      case 'pixel':
        pixels.push({
          url: clause.pixel.url.value,
          on: clause.pixel.on.map((e) => e.name as PixelEvent),
          when: clause.pixel.condition ? emitExpr(clause.pixel.condition, ctx) : null,
        });
        break;
      case 'delay':
        delivery.delayMs = durationMs(clause.delay);
        break;
      case 'batch':
        delivery.batch = {
          maxCount: clause.batch.count ?? null,
          maxWaitMs: clause.batch.every ? durationMs(clause.batch.every) : null,
          format: clause.batch.format.name === 'json' ? 'json' : 'csv',
          to: clause.batch.to.value,
        };
        break;
      case 'breaker':
        delivery.breaker = { failures: clause.failures, cooldownMs: durationMs(clause.cooldown) };
        break;
      default:
        return assertNever(clause);
    }
  }
  if (ping && bid) ping.bid = emitBidMapping(bid, ctx);
  return {
    name: b.name.name,
    accepts,
    price,
    caps,
    hours,
    zone: hours[0]?.zone ?? 'UTC',
    overflow,
    source: sourceOf(b.span),
    prefers,
    relationship: relationship ?? 0.5,
    holidays,
    offHours,
    dedupe,
    requires,
    ping,
    post,
    backupPost,
    pixels,
    delivery,
  };
}

function durationMs(e: A.Expr): number {
  return e.kind === 'duration' ? e.ms : 0;
}

function emitTemplate(ref: A.TemplateRef | undefined, ctx: EmitContext): PlanTemplate | null {
  if (!ref) return null;
  return { format: ref.format, name: ref.path.value, source: ctx.readTemplate(ref.path.value) ?? '' };
}

function emitPing(p: A.PingSpec, ctx: EmitContext): PlanPing {
  return {
    url: p.url.value,
    timeoutMs: p.timeout ? durationMs(p.timeout) : DEFAULT_PING_TIMEOUT_MS,
    fields: p.fields ? p.fields.map((f) => f.name) : null,
    template: emitTemplate(p.template, ctx),
    bid: { accepted: null, price: 'price', id: null, exclusive: null, states: null, maxAge: null },
  };
}

function literalValue(e: A.Expr | undefined, ctx: EmitContext): PlanValue {
  if (!e) return true;
  const x = emitExpr(e, ctx);
  return x.op === 'lit' ? x.value : true;
}

function emitBidMapping(m: A.BidMapping, ctx: EmitContext): PlanPing['bid'] {
  const bid: PlanPing['bid'] = { accepted: null, price: 'price', id: null, exclusive: null, states: null, maxAge: null };
  for (const e of m.entries) {
    switch (e.key.name) {
      case 'price':
        bid.price = e.path.value;
        break;
      case 'id':
        bid.id = e.path.value;
        break;
      case 'exclusive':
        bid.exclusive = e.path.value;
        break;
      case 'states':
        bid.states = e.path.value;
        break;
      case 'max_age':
        bid.maxAge = e.path.value;
        break;
      case 'accepted':
        bid.accepted = { path: e.path.value, equals: literalValue(e.equals, ctx) };
        break;
      default:
        break; // the checker reports unknown keys
    }
  }
  return bid;
}

function emitPost(p: A.PostSpec, ctx: EmitContext): PlanPost {
  return {
    url: p.url.value,
    timeoutMs: p.timeout ? durationMs(p.timeout) : DEFAULT_POST_TIMEOUT_MS,
    retries: p.retries ?? 0,
    backoffMs: p.backoff ? durationMs(p.backoff) : 1000,
    template: emitTemplate(p.template, ctx),
    accepted: p.accepted ? { path: p.accepted.path.value, equals: literalValue(p.accepted.equals, ctx) } : null,
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

/** A rule's action, emitted by its routing model (src/models/). */
function emitAction(a: A.Action, ctx: EmitContext): PlanAction {
  const model = modelOf(a.kind);
  // A checked AST has only kinds the table knows; keep emitting inert rather than throw.
  if (model === undefined) return { kind: 'reject', reason: `unknown action '${String(a.kind)}'` };
  return model.emit(a, ctx.env);
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
