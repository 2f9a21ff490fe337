// The plan verifier: every invariant a plan must hold, in one function, run by
// `compile` on what it emits and by `loadPlan` on what it loads. In order:
// bounds (finite numbers, expression depth and size: ./bounds.ts), the JSON
// Schema (./json-schema.ts), then what a schema cannot say: names resolve and
// are unique, calendars and zones exist, hours open before they close, splits
// have weight, rule guards match their conditions, functions exist with their
// arity, templates say only what the checker allows (./verify-templates.ts). Each stage runs only when the one before found nothing, so a later
// check may rely on the earlier ones (and never sees a shape it cannot walk).

import { Ajv, type ErrorObject } from 'ajv';
import { calendarProblem } from '../core/calendars.js';
import { isValidZone } from '../core/zones.js';
import { BUILTINS, isBuiltin } from '../core/builtins.js';
import { checkBounds, type Bounds } from './bounds.js';
import type { Plan, PlanAction, PlanExpr } from './declaration.js';
import { PLAN_AJV_SCHEMA } from './json-schema.js';
import type { PlanProblem } from './problems.js';
import { templateProblems } from './verify-templates.js';

const validatePlanJson = new Ajv({ allErrors: true, strict: true, strictTypes: false, discriminator: true }).compile(PLAN_AJV_SCHEMA);

/** Every problem of a would-be plan; empty when it is a valid plan. */
export function verifyPlan(json: unknown): PlanProblem[] {
  const bounds = checkBounds(json);
  if (bounds.problems.length > 0) return bounds.problems;
  if (!validatePlanJson(json)) return schemaProblems(validatePlanJson.errors ?? []);
  const plan = json as Plan;
  return [...namesAndSettings(plan), ...callProblems(bounds.calls), ...templateProblems(plan)];
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
function namesAndSettings(plan: Plan): PlanProblem[] {
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
      actionProblems(r.action, `${path}/action`, { buyer, flow, problem });
    }),
  );
  if (!flows.has(plan.defaultFlow)) problem('/defaultFlow', `unknown flow '${plan.defaultFlow}' (flows: ${[...flows].join(', ')})`);
  return problems;
}

interface ActionChecks {
  buyer(name: string, path: string): void;
  flow(name: string, path: string): void;
  problem(path: string, message: string): void;
}

/** The names an action refers to, and its own settings. */
function actionProblems(a: PlanAction, path: string, c: ActionChecks): void {
  switch (a.kind) {
    case 'route':
      c.buyer(a.buyer, `${path}/buyer`);
      if (a.overflow !== null) c.buyer(a.overflow, `${path}/overflow`);
      return;
    case 'split': {
      a.entries.forEach((e, j) => c.buyer(e.buyer, `${path}/entries/${j}/buyer`));
      if (a.entries.reduce((sum, e) => sum + e.weight, 0) <= 0) c.problem(`${path}/entries`, 'split weights sum to 0');
      const performance = a.performance ?? null;
      if (a.mode === 'performance') {
        if (performance === null) c.problem(`${path}/performance`, "a 'performance' split needs its performance settings");
        else if (performance.min > performance.max) c.problem(`${path}/performance`, `min ${performance.min}% is above max ${performance.max}%`);
      }
      return;
    }
    case 'rank':
      a.buyers.forEach((b, j) => c.buyer(b, `${path}/buyers/${j}`));
      return;
    case 'specialize':
      a.specialists.forEach((sp, j) => c.buyer(sp.buyer, `${path}/specialists/${j}/buyer`));
      if (a.fallback?.kind === 'buyer') c.buyer(a.fallback.buyer, `${path}/fallback/buyer`);
      if (a.fallback?.kind === 'flow') c.flow(a.fallback.flow, `${path}/fallback/flow`);
      return;
    case 'fallback':
      a.steps.forEach((st, j) => c.flow(st.flow, `${path}/steps/${j}/flow`));
      return;
    case 'hybrid':
      c.buyer(a.primary, `${path}/primary`);
      a.secondaries.forEach((e, j) => c.buyer(e.buyer, `${path}/secondaries/${j}/buyer`));
      return;
    case 'auction':
      a.tiers.forEach((t, j) => t.buyers.forEach((b, k) => c.buyer(b, `${path}/tiers/${j}/buyers/${k}`)));
      return;
    case 'waterfall':
      a.tiers.forEach((t, j) => c.buyer(t.buyer, `${path}/tiers/${j}/buyer`));
      return;
    case 'share':
      a.entries.forEach((e, j) => c.buyer(e.buyer, `${path}/entries/${j}/buyer`));
      return;
    case 'flow':
      c.flow(a.flow, `${path}/flow`);
      return;
    case 'reject':
      return;
    default: {
      const never: never = a;
      throw new Error(`unhandled action ${JSON.stringify(never)}`);
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
