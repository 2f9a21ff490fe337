// The plan verifier: every invariant a plan must hold, in one function, run by
// `compile` on what it emits and by `loadPlan` on what it loads. This module
// builds it from the plan's schema; src/models/plan.ts builds the one
// `verifyPlan`, with every model's action schema. In order:
// bounds (finite numbers, expression depth and size: ./bounds.ts), the JSON
// Schema (./json-schema.ts), then what a schema cannot say: names resolve and
// are unique, calendars and zones exist, hours open before they close, splits
// have weight, rule guards match their conditions, functions exist with their
// arity, templates say only what the checker allows (./verify-templates.ts).
// Each stage runs only when the one before found nothing, so a later
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
import { alertMetric } from '../core/alert-metrics.js';
import { REF_MARK, type AnyPlan, type PlanActionBase, type PlanExpr, type RefKind } from './declaration.js';
import { planJsonSchema } from './json-schema.js';
import type { PlanProblem } from './problems.js';
import { templateProblems } from './verify-templates.js';
import { answerProblems } from './verify-answers.js';

/** An action's own settings that its schema cannot state; reports each problem at a JSON path. */
export type ActionSettings<A> = (action: A, path: string, problem: (path: string, message: string) => void, plan: AnyPlan) => void;

/** The verifier of plans of this schema (built by `planSchemaFor` from `actionSchema`). */
export function planVerifier<A extends PlanActionBase>(
  planSchema: TSchema,
  actionSchema: TSchema,
  actionSettings: ActionSettings<A>,
): (json: unknown) => PlanProblem[] {
  const validatePlanJson = new Ajv({ allErrors: true, strict: true, strictTypes: false, discriminator: true }).compile(
    planJsonSchema(planSchema, 'discriminator'),
  );
  const actionRefs = refTreesByKind(JSON.parse(JSON.stringify(actionSchema)) as Json);
  return (json) => {
    const bounds = checkBounds(json);
    if (bounds.problems.length > 0) return bounds.problems;
    if (!validatePlanJson(json)) return schemaProblems(validatePlanJson.errors ?? []);
    const plan = json as AnyPlan;
    return [...namesAndSettings(plan, actionRefs, actionSettings as ActionSettings<PlanActionBase>), ...callProblems(bounds.calls), ...templateProblems(plan), ...answerProblems(plan)];
  };
}

/** One name an action refers to: a buyer or a flow, with its JSON path inside the action ("/tiers/1/buyer"). */
export interface ActionRef {
  kind: RefKind;
  name: string;
  path: string;
}

/**
 * The names each action refers to, found from the schema's `x-ref` marks as the
 * verifier finds them (for `leadroute test --coverage`: a split's entries, a
 * waterfall's tiers, a fallback's steps, with no list of kinds).
 */
export function actionRefFinder(actionSchema: TSchema): (action: PlanActionBase) => ActionRef[] {
  const trees = refTreesByKind(JSON.parse(JSON.stringify(actionSchema)) as Json);
  return (action) => {
    const refs: ActionRef[] = [];
    const tree = trees.get(action.kind);
    if (tree) forEachRef(tree, action, '', (kind, name, path) => refs.push({ kind, name, path }));
    return refs;
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
function namesAndSettings(plan: AnyPlan, actionRefs: ReadonlyMap<string, RefTree>, actionSettings: ActionSettings<PlanActionBase>): PlanProblem[] {
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
  const refer = (kind: RefKind, name: string, path: string) => (kind === 'buyer' ? buyer(name, path) : flow(name, path));
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
      const refs = actionRefs.get(r.action.kind);
      if (refs) forEachRef(refs, r.action, at, refer);
      actionSettings(r.action, at, problem, plan);
    }),
  );
  const alertNames = new Set<string>();
  (plan.alerts ?? []).forEach((a, i) => {
    const path = `/alerts/${i}`;
    if (alertNames.has(a.name)) problem(`${path}/name`, `duplicate alert '${a.name}'`);
    alertNames.add(a.name);
    if (a.buyer !== null) buyer(a.buyer, `${path}/buyer`);
    if (alertMetric(a.metric).unit === 'rate' && a.threshold > 100) problem(`${path}/threshold`, `a rate threshold is at most 100 (percent), not ${a.threshold}`);
  });
  if (!flows.has(plan.defaultFlow)) problem('/defaultFlow', `unknown flow '${plan.defaultFlow}' (flows: ${[...flows].join(', ')})`);
  return problems;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Where a schema's `x-ref` marks are: a tree of the properties and array items
 * that lead to one, read once from the schema so checking an action walks only
 * those. A union's members are merged (a value has only its own member's
 * properties; a `null` or an expression has none).
 */
interface RefTree {
  ref?: RefKind;
  each?: RefTree;
  props?: Map<string, RefTree>;
  /** `props` as a list, made on first use (the walk's hot loop). */
  propList?: [string, RefTree][];
}

function refTree(schema: Json): RefTree | undefined {
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as Json[]).map(refTree).reduce<RefTree | undefined>((a, b) => mergeRefTrees(a, b), undefined);
  }
  const mark = schema[REF_MARK];
  if (mark === 'buyer' || mark === 'flow') return { ref: mark };
  if (isObject(schema.items)) {
    const each = refTree(schema.items);
    return each && { each };
  }
  if (isObject(schema.properties)) {
    const props = new Map<string, RefTree>();
    for (const [key, sub] of Object.entries(schema.properties)) {
      const tree = isObject(sub) ? refTree(sub) : undefined;
      if (tree) props.set(key, tree);
    }
    return props.size > 0 ? { props } : undefined;
  }
  return undefined;
}

/** The tree of each member of the actions' union, by its `kind`: each action's refs in its own schema's order. */
function refTreesByKind(actionSchema: Json): Map<string, RefTree> {
  const trees = new Map<string, RefTree>();
  for (const member of Array.isArray(actionSchema.anyOf) ? (actionSchema.anyOf as Json[]) : [actionSchema]) {
    const kind = isObject(member.properties) && isObject(member.properties.kind) ? member.properties.kind.const : undefined;
    if (typeof kind !== 'string') throw new Error('plan schema: every action declares its `kind` as a constant');
    const tree = refTree(member);
    if (tree) trees.set(kind, tree);
  }
  return trees;
}

function mergeRefTrees(a: RefTree | undefined, b: RefTree | undefined): RefTree | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  if (a.ref !== b.ref) throw new Error(`plan schema: one property is a ${a.ref ?? 'structure'} in one member of a union and a ${b.ref ?? 'structure'} in another`);
  const merged: RefTree = { ...a };
  const each = mergeRefTrees(a.each, b.each);
  if (each) merged.each = each;
  if (a.props || b.props) {
    const props = new Map(a.props);
    for (const [key, tree] of b.props ?? []) props.set(key, mergeRefTrees(props.get(key), tree)!);
    merged.props = props;
  }
  return merged;
}

/** Calls `ref` for every value under a marked schema, in document order; `value` is valid against the tree's schema. Iterative. */
function forEachRef(tree: RefTree, value: unknown, path: string, ref: (kind: RefKind, name: string, path: string) => void): void {
  const stack: { tree: RefTree; value: unknown; path: string }[] = [{ tree, value, path }];
  while (stack.length > 0) {
    const { tree: t, value: v, path: at } = stack.pop()!;
    if (t.ref !== undefined) {
      if (typeof v === 'string') ref(t.ref, v, at);
    } else if (t.each !== undefined && Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ tree: t.each, value: v[i], path: `${at}/${i}` });
    } else if (t.props !== undefined && isObject(v)) {
      const entries = (t.propList ??= [...t.props]);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, sub] = entries[i]!;
        if (key in v) stack.push({ tree: sub, value: v[key], path: `${at}/${key}` });
      }
    }
  }
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
