// The lead schema: inline `lead { … }` fields, or a JSON Schema file read with
// `lead from "x.json"`, resolved to LeadFields.

import type { FieldDecl, Span, TypeExpr } from '../lang/ast.js';
import { RESERVED_FIELD_NAMES } from '../lang/builtins.js';
import { OBJECT_KEY_NAMES } from '../core/states.js';
import { CheckContext, isSpan, lineOf } from './context.js';
import { fileRefusal, readNamedFile, type FileOptions } from './files.js';
import type { LeadField, LeadType } from './types.js';

/** Where `lead from` and template paths resolve, and how they are read (./files.ts):
 *  the checker's entry (checker.ts) gives the file system's reader, so the
 *  passes themselves import no I/O (the runtime loads them via src/models). */
export type SchemaOptions = FileOptions;

/** Where a JSON text stops parsing, as ` (line L, column C)`: never the text
 *  itself, which V8's message quotes (the file might not be a schema at all). */
function jsonErrorPlace(text: string, e: unknown): string {
  const at = /at position (\d+)/.exec(e instanceof Error ? e.message : '');
  if (!at) return '';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

/** Fill `ctx.fields` from the file's lead declaration, reporting LR205, LR207,
 *  LR208, LR210 and LR307. Returns the fields in declaration order. */
export function resolveLead(ctx: CheckContext, options: SchemaOptions = {}): LeadField[] {
  const lead = ctx.file.lead;
  if (!lead) {
    ctx.report('LR207', ctx.fileStart());
    ctx.fieldsKnown = false;
    return [];
  }
  let fields: LeadField[];
  if (lead.kind === 'file') {
    const result = readSchemaFile(ctx, lead.path, lead.pathSpan ?? lead.span, options);
    if (result === undefined) {
      ctx.fieldsKnown = false;
      return [];
    }
    fields = result;
  } else if (lead.kind === 'inline') {
    fields = inlineFields(ctx, Array.isArray(lead.fields) ? lead.fields : []);
  } else {
    ctx.fieldsKnown = false;
    return [];
  }
  // A reserved name (reported above) never resolves to a field: `random` is
  // always the lead's random number.
  for (const f of fields) if (!ctx.fields.has(f.name) && !RESERVED_FIELD_NAMES.includes(f.name)) ctx.fields.set(f.name, f);
  return [...ctx.fields.values()];
}

function inlineFields(ctx: CheckContext, decls: FieldDecl[]): LeadField[] {
  const seen = new Map<string, FieldDecl>();
  const out: LeadField[] = [];
  for (const decl of decls) {
    const name = decl?.name?.name;
    if (typeof name !== 'string' || name === '') continue;
    const nameSpan = decl.name.span ?? decl.span;
    const first = seen.get(name);
    if (first) {
      ctx.report('LR205', nameSpan, name, lineOf(first.name.span));
      continue;
    }
    seen.set(name, decl);
    if (RESERVED_FIELD_NAMES.includes(name)) {
      ctx.report('LR210', nameSpan, name);
    }
    if (OBJECT_KEY_NAMES.includes(name)) {
      ctx.report('LR210.objectKey', nameSpan, name);
      continue;
    }
    const type = decl.type ? typeFromExpr(ctx, decl.type) : undefined;
    if (type === undefined) continue; // parse recovery lost the type
    out.push({ name, type, pii: decl.pii ?? isPersonalType(type), optional: decl.optional === true });
  }
  return out;
}

function typeFromExpr(ctx: CheckContext, t: TypeExpr): LeadType | undefined {
  switch (t?.kind) {
    case 'int':
    case 'number':
    case 'money': {
      const out: Extract<LeadType, { kind: 'int' | 'number' | 'money' }> = { kind: t.kind };
      if (typeof t.min === 'number') out.min = t.min;
      if (typeof t.max === 'number') out.max = t.max;
      if (out.min !== undefined && out.max !== undefined && out.min > out.max) {
        ctx.report('LR307', t.span, String(out.min), String(out.max), t.kind);
      }
      return out;
    }
    case 'enum':
      return { kind: 'enum', values: Array.isArray(t.values) ? [...t.values] : [] };
    case 'list': {
      const of = t.of ? typeFromExpr(ctx, t.of) : undefined;
      return of === undefined ? undefined : { kind: 'list', of };
    }
    case 'string':
    case 'bool':
    case 'state':
    case 'zip':
    case 'email':
    case 'phone':
    case 'time':
      return { kind: t.kind };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- JSON Schema

const X_TYPES = new Set(['state', 'zip', 'phone', 'money', 'email', 'time', 'string', 'bool', 'int', 'number']);

function readSchemaFile(
  ctx: CheckContext,
  relPath: string,
  span: Span,
  options: SchemaOptions,
): LeadField[] | undefined {
  const where = isSpan(span) ? span : ctx.fileStart();
  if (typeof relPath !== 'string' || relPath === '') {
    ctx.report('LR208', where);
    return undefined;
  }
  const read = readNamedFile(options, ctx.file.file, relPath);
  if ('problem' in read) {
    const refusal = fileRefusal(read.problem, 'the lead schema', relPath, where);
    if (refusal) ctx.diagnostics.push(refusal);
    else ctx.report('LR208.unreadable', where, relPath);
    return undefined;
  }
  const text = read.text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    ctx.report('LR208.schemaNotJson', where, relPath, jsonErrorPlace(text, e));
    return undefined;
  }
  if (!isObject(json) || !isObject(json.properties)) {
    ctx.report('LR208.schemaNoProperties', where, relPath);
    return undefined;
  }
  const required = new Set(
    Array.isArray(json.required) ? json.required.filter((r): r is string => typeof r === 'string') : [],
  );
  const out: LeadField[] = [];
  for (const [name, prop] of Object.entries(json.properties)) {
    const problem: string[] = [];
    const type = schemaType(prop, problem);
    if (type === undefined) {
      ctx.report('LR208.schemaProperty', where, relPath, name, problem[0] ?? 'has no usable type');
      continue;
    }
    if (RESERVED_FIELD_NAMES.includes(name)) {
      ctx.report('LR210.inSchema', where, relPath, name);
    }
    if (OBJECT_KEY_NAMES.includes(name)) {
      ctx.report('LR210.objectKeyInSchema', where, relPath, name);
      continue;
    }
    const range = rangeOf(type);
    if (range && range.min > range.max) {
      ctx.report('LR307.schemaProperty', where, relPath, name, String(range.min), String(range.max));
    }
    const marked = isObject(prop) ? prop['x-pii'] : undefined;
    if (marked !== undefined && typeof marked !== 'boolean') {
      ctx.report('LR208.xPii', where, relPath, name, JSON.stringify(marked) ?? String(marked));
      continue;
    }
    out.push({
      name,
      type,
      pii: marked ?? isPersonalType(type),
      optional: !required.has(name),
    });
  }
  return out;
}

/** E-mail addresses and phone numbers are personal data unless a field is
 *  explicitly marked otherwise (`not pii`, `"x-pii": false`). */
function isPersonalType(t: LeadType): boolean {
  return t.kind === 'email' || t.kind === 'phone';
}

function rangeOf(t: LeadType): { min: number; max: number } | undefined {
  if (t.kind === 'list') return rangeOf(t.of);
  if ((t.kind === 'int' || t.kind === 'number' || t.kind === 'money') && t.min !== undefined && t.max !== undefined)
    return { min: t.min, max: t.max };
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withRange(kind: 'int' | 'number' | 'money', prop: Record<string, unknown>): LeadType {
  const t: Extract<LeadType, { kind: 'int' | 'number' | 'money' }> = { kind };
  if (typeof prop.minimum === 'number') t.min = prop.minimum;
  if (typeof prop.maximum === 'number') t.max = prop.maximum;
  return t;
}

/** Map one JSON Schema property to a lead type; push a reason when it cannot. */
function schemaType(prop: unknown, problem: string[], depth = 0): LeadType | undefined {
  if (!isObject(prop)) {
    problem.push('is not a schema object');
    return undefined;
  }
  if (depth > 8) {
    problem.push('nests too deeply');
    return undefined;
  }
  const x = prop['x-leadroute-type'];
  if (x !== undefined) {
    if (typeof x !== 'string' || !X_TYPES.has(x)) {
      problem.push(
        `has an unknown \`x-leadroute-type\` ${JSON.stringify(x)} (expected one of ${[...X_TYPES].join(', ')})`,
      );
      return undefined;
    }
    if (x === 'int' || x === 'number' || x === 'money') return withRange(x, prop);
    return { kind: x } as LeadType;
  }
  let type = prop.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    type = nonNull.length === 1 ? nonNull[0] : undefined;
    if (type === undefined) {
      problem.push(`has several types (${JSON.stringify(prop.type)}); leadroute needs one`);
      return undefined;
    }
  }
  if (Array.isArray(prop.enum) && (type === undefined || type === 'string')) {
    if (!prop.enum.every((v) => typeof v === 'string')) {
      problem.push('has an `enum` with values that are not strings');
      return undefined;
    }
    return { kind: 'enum', values: [...(prop.enum as string[])] };
  }
  switch (type) {
    case 'integer':
      return withRange('int', prop);
    case 'number':
      return withRange('number', prop);
    case 'boolean':
      return { kind: 'bool' };
    case 'string':
      if (prop.format === 'email') return { kind: 'email' };
      if (prop.format === 'date-time') return { kind: 'time' };
      return { kind: 'string' };
    case 'array': {
      if (!isObject(prop.items)) {
        problem.push('is an array without an `items` schema');
        return undefined;
      }
      const of = schemaType(prop.items, problem, depth + 1);
      return of === undefined ? undefined : { kind: 'list', of };
    }
    case undefined:
      problem.push('has no `type`');
      return undefined;
    default:
      problem.push(`has the type ${JSON.stringify(type)}, which leadroute cannot route on`);
      return undefined;
  }
}
