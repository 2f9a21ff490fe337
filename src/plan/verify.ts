// The plan verifier: every invariant a plan must hold, in one function, run by
// `compile` on what it emits and by `loadPlan` on what it loads. This module
// builds it from the plan's schema; src/models/plan.ts builds the one
// `verifyPlan`, with every model's action schema. In order:
// bounds (finite numbers, expression depth and size: ./bounds.ts), the JSON
// Schema (./json-schema.ts), then what a schema cannot say: names resolve and
// are unique, calendars and zones exist, hours open before they close, splits
// have weight, rule guards match their conditions, functions exist with their
// arity. Each stage runs only when the one before found nothing, so a later
// check may rely on the earlier ones (and never sees a shape it cannot walk).
// The names an action refers to are found from its schema's `x-ref` marks
// (BuyerName, FlowName in ./declaration.ts), so no list of kinds is kept here;
// settings of an action a schema cannot state are its model's `planProblems`.

import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { calendarProblem } from '../core/calendars.js';
import { isValidZone } from '../core/zones.js';
import { BUILTINS, isBuiltin } from '../core/builtins.js';
import { checkBounds, type Bounds } from './bounds.js';
import { REF_MARK, type AnyPlan, type PlanActionBase, type PlanExpr, type RefKind } from './declaration.js';
import { planJsonSchema } from './json-schema.js';
import type { PlanProblem } from './problems.js';

/** An action's own settings that its schema cannot state; reports each problem at a JSON path. */
export type ActionSettings<A> = (action: A, path: string, problem: (path: string, message: string) => void) => void;

/** The verifier of plans of this schema (built by `planSchemaFor` from `actionSchema`). */
export function planVerifier<A extends PlanActionBase>(
  planSchema: TSchema,
  actionSchema: TSchema,
  actionSettings: ActionSettings<A>,
): (json: unknown) => PlanProblem[] {
  const validatePlanJson = new Ajv({ allErrors: true, strict: true, strictTypes: false, discriminator: true }).compile(
    planJsonSchema(planSchema, 'discriminator'),
  );
  const actionJson = JSON.parse(JSON.stringify(actionSchema)) as Json;
  return (json) => {
    const bounds = checkBounds(json);
    if (bounds.problems.length > 0) return bounds.problems;
    if (!validatePlanJson(json)) return schemaProblems(validatePlanJson.errors ?? []);
    const plan = json as AnyPlan;
    return [...namesAndSettings(plan, actionJson, actionSettings as ActionSettings<PlanActionBase>), ...callProblems(bounds.calls)];
  };
}

function schemaProblems(errors: ErrorObject[]): PlanProblem[] {
  const out: PlanProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A wrong or missing tag is reported by its `enum` or `required`, a wrong
    // variant (or nullable object) by its own errors: these summaries would only repeat them.
    if (e.keyword === 'discriminator' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const params = e.params as Record<string, unknown>;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') message = `has unexpected property '${String(params.additionalProperty)}'`;
    else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') message = `must be ${JSON.stringify(params.allowedValue)}`;
    const path = e.instancePath === '' ? '/' : e.instancePath;
    const k = path + '\u0000' + message;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path, message });
  }
  return out;
}

/** Names refer to what the plan declares; settings are consistent. */
function namesAndSettings(plan: AnyPlan, actionSchema: Json, actionSettings: ActionSettings<PlanActionBase>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const declared = (kind: 'buyer' | 'flow', names: string[], at: string): Set<string> => {
    const set = new Set<string>();
    names.forEach((name, i) => {
      if (set.has(name)) problem(`${at}/${i}/name`, `duplicate ${kind} '${name}'`);
      set.add(name);
    });
    return set;
  };
  const buyers = declared('buyer', plan.buyers.map((b) => b.name), '/buyers');
  const flows = declared('flow', plan.flows.map((f) => f.name), '/flows');
  const buyer = (name: string, path: string) => {
    if (!buyers.has(name)) problem(path, `unknown buyer '${name}' (buyers: ${[...buyers].join(', ') || 'none'})`);
  };
  const flow = (name: string, path: string) => {
    if (!flows.has(name)) problem(path, `unknown flow '${name}' (flows: ${[...flows].join(', ')})`);
  };
  const zone = (z: string, path: string) => {
    if (!isValidZone(z)) problem(path, `unknown time zone "${z}"`);
  };

  plan.buyers.forEach((b, i) => {
    const path = `/buyers/${i}`;
    b.hours.forEach((h, j) => {
      if (h.to <= h.from) problem(`${path}/hours/${j}`, `closes (${h.to}) before it opens (${h.from})`);
      zone(h.zone, `${path}/hours/${j}/zone`);
    });
    zone(b.zone, `${path}/zone`);
    (b.holidays ?? []).forEach((c, j) => {
      const bad = calendarProblem(c);
      if (bad) problem(`${path}/holidays/${j}`, `unknown holiday calendar "${c}": it ${bad.problem}${bad.suggestion ? `; ${bad.suggestion}` : ''}`);
    });
    if (b.overflow !== null) buyer(b.overflow, `${path}/overflow`);
    if (b.offHours?.kind === 'send') buyer(b.offHours.buyer, `${path}/offHours/buyer`);
  });

  const ruleIds = new Set<string>();
  plan.flows.forEach((f, i) =>
    f.rules.forEach((r, j) => {
      const path = `/flows/${i}/rules/${j}`;
      if (ruleIds.has(r.id)) problem(`${path}/id`, `duplicate rule id '${r.id}'`);
      ruleIds.add(r.id);
      if (r.guard === 'when' && r.when === null) problem(`${path}/when`, "a 'when' rule needs a condition");
      if (r.guard !== 'when' && r.when !== null) problem(`${path}/when`, `an '${r.guard}' rule has no condition`);
      const at = `${path}/action`;
      forEachRef(actionSchema, r.action, at, (kind, name, refPath) => (kind === 'buyer' ? buyer : flow)(name, refPath));
      actionSettings(r.action, at, problem);
    }),
  );
  if (!flows.has(plan.defaultFlow)) problem('/defaultFlow', `unknown flow '${plan.defaultFlow}' (flows: ${[...flows].join(', ')})`);
  return problems;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Calls `ref` for every value of `value` under a schema marked `x-ref`, in
 * document order. `value` is valid against `schema` (the JSON Schema stage
 * passed), so the walk picks a union's member by its tag or its type. It keeps
 * its own stack; references inside expressions (`$ref`) are not names.
 */
function forEachRef(schema: Json, value: unknown, path: string, ref: (kind: RefKind, name: string, path: string) => void): void {
  const stack: { schema: Json; value: unknown; path: string }[] = [{ schema, value, path }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const { value: v, path: at } = top;
    const s = Array.isArray(top.schema.anyOf) ? memberFor(top.schema.anyOf as Json[], v) : top.schema;
    if (s === undefined) continue;
    const mark = s[REF_MARK];
    if ((mark === 'buyer' || mark === 'flow') && typeof v === 'string') ref(mark, v, at);
    else if (Array.isArray(v) && isObject(s.items)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ schema: s.items, value: v[i], path: `${at}/${i}` });
    } else if (isObject(v) && isObject(s.properties)) {
      const keys = Object.keys(s.properties);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const sub = s.properties[key];
        if (key in v && isObject(sub)) stack.push({ schema: sub, value: v[key], path: `${at}/${key}` });
      }
    }
  }
}

/** The member of a union a valid value is: by its tag (a property the member declares `const`), else by its JSON type. */
function memberFor(union: Json[], value: unknown): Json | undefined {
  if (value === null) return undefined;
  // A union of unions (`nullable(Type.Union([…]))`) is one union of their members.
  const members = union.flatMap((m) => (Array.isArray(m.anyOf) ? (m.anyOf as Json[]) : [m]));
  if (isObject(value)) {
    return members.find((m) => {
      if (!isObject(m.properties)) return false;
      const tags = Object.entries(m.properties).filter(([, p]) => isObject(p) && 'const' in p);
      return tags.length > 0 ? tags.every(([key, p]) => (p as Json).const === value[key]) : m.type === 'object';
    });
  }
  const type = Array.isArray(value) ? 'array' : typeof value;
  return members.find((m) => m.type === type);
}

/** Every call names a built-in with its arity; a literal time zone is one. */
function callProblems(calls: Bounds['calls']): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const { node, path } of calls) {
    const { fn, args } = node as Extract<PlanExpr, { op: 'call' }>;
    if (!isBuiltin(fn)) {
      problems.push({ path: `${path()}/fn`, message: `unknown function '${fn}' (the built-ins are ${Object.keys(BUILTINS).join(', ')})` });
      continue;
    }
    const arity = BUILTINS[fn].params.length;
    if (args.length !== arity) {
      problems.push({ path: `${path()}/args`, message: `${fn}() takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}` });
      continue;
    }
    const zoneArg = args[0];
    if ((fn === 'hour' || fn === 'weekday') && zoneArg?.op === 'lit' && (typeof zoneArg.value !== 'string' || !isValidZone(zoneArg.value))) {
      problems.push({ path: `${path()}/args/0`, message: `${fn}() needs an IANA time zone, got ${JSON.stringify(zoneArg.value)}` });
    }
  }
  return problems;
}
