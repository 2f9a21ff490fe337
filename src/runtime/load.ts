// Loading a plan: verify it (src/plan/verify.ts: the schema, names, calendars,
// zones, limits), then compile every expression to a closure and the lead schema
// to an ajv validator. The result is what the Router runs.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import type { FieldType, PlanBuyer, PlanExpr } from '../plan/index.js';
import { verifyPlan, type Plan, type PlanAction, type PlanRule } from '../models/plan.js';
import { PlanError, type PlanProblem } from '../plan/index.js';
import { modelOf, type LoadedAction, type LoadEnv } from '../models/index.js';
import { US_STATES } from '../core/states.js';
import { OFF_HOLD, OFF_SEND, OFF_SKIP } from '../clauses/closed.js';
import { CLAUSE_KINDS, CLAUSES, DEFAULT_RELATIONSHIP, refusalsOf, type BuyerLoadEnv, type Refusal } from '../clauses/index.js';
import { makeCounters, ruleCapPrefix, type CapCounter } from './caps.js';
import type { LeadError } from './decision.js';
import { compileExpr, compilePredicate, ExprError, referencedNames, type Evaluator, type Predicate } from './expr.js';
import { isCanonicalDateTime, isEmail } from './formats.js';
import { inspectLead, leadShapeOf, trimLead } from './lead-guard.js';
import { zoneClock, type LoadedHours, type ZoneClock } from './time.js';

// ---------------------------------------------------------------- errors

export { PlanError, type PlanProblem };

// ---------------------------------------------------------------- ajv

interface FormatsPlugin {
  (ajv: Ajv | Ajv2019 | Ajv2020): unknown;
  get(format: string, mode?: 'fast' | 'full'): unknown;
}
// ajv-formats is CommonJS; depending on the loader its default import is the
// plugin itself or a namespace holding it as `default`.
const addFormats: FormatsPlugin = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as unknown as FormatsPlugin;

interface StringFormat {
  validate: (s: string) => boolean;
  compare?: (a: string, b: string) => number | undefined;
}
const fullDateTime = addFormats.get('date-time', 'full') as StringFormat;
const fullDateTimeValidate = fullDateTime.validate;

const US_STATE_SET = new Set(US_STATES);

/** A lead schema's `pattern`s run on a linear-time engine (RE2, in plain
 *  JavaScript), so no plan, however it was written, can make validating a lead
 *  exponential (`^(a+)+$`). A pattern RE2 cannot run (a back-reference, a
 *  look-around) fails to compile, and the plan is refused. */
const linearRegExp = Object.assign(
  (pattern: string, flags: string): { test(s: string): boolean; toString(): string } => {
    const re = RE2JS.compile(pattern);
    // ajv keys its compiled patterns by toString(): it must differ per pattern.
    return { test: (s: string) => re.matcher(s).find(), toString: () => `/${pattern}/${flags}` };
  },
  { code: 'RE2JS (linear time; not for standalone code)' },
);

/** Enums of at least this many values are checked by a loop rather than one
 *  `===` per value written into the validator: a `state` field's 56 codes were
 *  most of the code ajv generated, and compiled, for a lead schema. The same
 *  answers and errors: ajv's loop compares with its deep `equal`, which for a
 *  JSON value (never NaN) is `===` on primitives, as the unrolled code is. */
const LOOP_ENUM_AT = 16;

function leadAjvOptions() {
  return { allErrors: true, strict: false, logger: false, loopEnum: LOOP_ENUM_AT, code: { regExp: linearRegExp } } as const;
}

function withFormats<T extends Ajv | Ajv2019 | Ajv2020>(ajv: T): T {
  addFormats(ajv);
  // Same answers as ajv-formats' full mode, several times faster (see formats.ts).
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => isCanonicalDateTime(s) || fullDateTimeValidate(s),
    ...(fullDateTime.compare ? { compare: fullDateTime.compare } : {}),
  });
  ajv.addFormat('email', { type: 'string', validate: isEmail });
  ajv.addFormat('zip', /^\d{5}(-\d{4})?$/);
  ajv.addFormat('phone', /^\+?1?[\s.-]*\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}$/);
  ajv.addFormat('state', (s: string) => US_STATE_SET.has(s));
  ajv.addFormat('us-state', (s: string) => US_STATE_SET.has(s));
  return ajv;
}

let ajv07: Ajv | undefined;
let ajv2019: Ajv2019 | undefined;
let ajv2020: Ajv2020 | undefined;

/** The ajv instance for a lead schema's `$schema` (draft 2020-12 when it names none). */
function leadAjv(schema: Record<string, unknown>): Ajv | Ajv2019 | Ajv2020 {
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0[67]/.test(draft)) return (ajv07 ??= withFormats(new Ajv(leadAjvOptions())));
  if (draft.includes('2019-09')) return (ajv2019 ??= withFormats(new Ajv2019(leadAjvOptions())));
  return (ajv2020 ??= withFormats(new Ajv2020(leadAjvOptions())));
}

/** How many compiled lead validators are kept, most recently used first. */
const LEAD_VALIDATORS_KEPT = 64;
/** Compiled lead validators by the schema's JSON text, least recently used first. */
const leadValidators = new Map<string, ValidateFunction>();

/**
 * The validator of a lead schema (its `$id` dropped: compiled per plan, an
 * `$id` would clash with an earlier plan's). Plans that share a lead schema
 * share one validator: compiling is most of what loading a small plan costs,
 * and a process loading plans (reloads, tests, a service per tenant) mostly
 * loads the same lead again. Keyed by the JSON text, which fixes the schema
 * and the order its errors come in. Sharing is safe: a validator keeps no
 * state between calls but `errors`, which validateLead reads at once. Throws
 * what ajv throws for a schema it cannot compile (nothing is kept then).
 */
function leadValidator(planSchema: Record<string, unknown>): ValidateFunction {
  const schema = { ...planSchema };
  delete schema.$id;
  const key = jsonText(schema);
  const kept = key === undefined ? undefined : leadValidators.get(key);
  if (key !== undefined && kept !== undefined) {
    leadValidators.delete(key); // to the most recent end
    leadValidators.set(key, kept);
    return kept;
  }
  const ajv = leadAjv(schema);
  const validate = ajv.compile(schema);
  ajv.removeSchema(schema);
  if (key === undefined) return validate;
  leadValidators.set(key, validate);
  if (leadValidators.size > LEAD_VALIDATORS_KEPT) leadValidators.delete(leadValidators.keys().next().value!);
  return validate;
}

const NOT_JSON = new Error('not JSON data');
/** The JSON text of `value` when it is plain JSON data, else undefined: a
 *  schema handed over in-process may hold what JSON.stringify would drop or
 *  rewrite (undefined, a function, a Date, a RegExp, NaN), and two such
 *  schemas must not share a key. */
function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key]; // before any toJSON
      if (!isJsonValue(raw)) throw NOT_JSON;
      return v;
    });
  } catch {
    return undefined; // not JSON data, or a cycle: ajv is left to say what it makes of it
  }
}

function isJsonValue(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (v === null || Array.isArray(v)) return true;
      const proto = Object.getPrototypeOf(v) as unknown;
      return proto === Object.prototype || proto === null;
    }
    default:
      return false;
  }
}

function pointerToField(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function fieldTypeHint(t: FieldType): string | null {
  switch (t.kind) {
    case 'state':
      return 'must be a US state code';
    case 'zip':
      return 'must be a ZIP code (12345 or 12345-6789)';
    case 'phone':
      return 'must be a 10-digit phone number';
    case 'email':
      return 'must be an email address';
    case 'time':
      return 'must be an ISO 8601 date-time';
    default:
      return null;
  }
}

function leadErrorsOf(errors: ErrorObject[], fieldTypes: Map<string, FieldType>): LeadError[] {
  const out: LeadError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue; // "must match then schema": the real error is reported too
    let field = pointerToField(e.instancePath);
    let message = e.message ?? 'is invalid';
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      const p = String(params.missingProperty);
      field = field === '' ? p : `${field}.${p}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      const p = String(params.additionalProperty);
      field = field === '' ? p : `${field}.${p}`;
      message = 'is not allowed';
    } else {
      const type = fieldTypes.get(field);
      const hint = type ? fieldTypeHint(type) : null;
      if (hint && (e.keyword === 'pattern' || e.keyword === 'format' || e.keyword === 'enum')) {
        message = hint;
      } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
        message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      } else if (e.keyword === 'format') {
        message = `must be a valid ${String(params.format)}`;
      }
    }
    if (field === '') field = 'lead';
    const k = field + '\u0000' + message;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ field, message });
  }
  return out;
}

// ---------------------------------------------------------------- loaded plan

const LOADED = Symbol('leadroute.LoadedPlan');

export interface LoadedCondition {
  test: Predicate;
  text: string;
  refs: { fields: string[]; random: boolean };
}

export interface LoadedBuyer {
  index: number;
  name: string;
  accepts: LoadedCondition[];
  price: Evaluator | null;
  counters: CapCounter[];
  hours: LoadedHours[];
  /** Clock of the buyer's cap zone. */
  clock: ZoneClock;
  /** Index of the overflow buyer, -1 for none. */
  overflow: number;
  plan: PlanBuyer;

  // Routing models (defaults when the plan leaves them out).
  /** Soft preferences (scoring `quality`). */
  prefers: { test: Predicate; text: string; weight: number }[];
  /** Sum of the preference weights. */
  prefersWeight: number;
  /** 0..1; 0.5 by default. */
  relationship: number;
  /** Public-holiday calendars ("US", "US-CA"); empty: none. */
  holidays: string[];
  /** Closed-buyer behaviour: OFF_SKIP, OFF_HOLD or OFF_SEND (to offHoursSend). */
  offHours: number;
  /** Buyer index for `send`, else -1. */
  offHoursSend: number;
  dedupe: LoadedDedupe | null;
  /** Fields that must be present and non-empty. */
  requires: string[];
  /** The refusal checks that apply to this buyer, in the engine's order (src/clauses/):
   *  a buyer without `requires`, `dedupe` or `holidays` pays nothing for them. */
  refusals: Refusal[];
}

/** A buyer whose clauses have not been loaded yet: every field at its default,
 *  in one fixed shape (the engine's property reads stay monomorphic). */
function emptyLoadedBuyer(index: number, b: PlanBuyer): LoadedBuyer {
  return {
    index,
    name: b.name,
    accepts: [],
    price: null,
    counters: [],
    hours: [],
    clock: zoneClock(b.zone),
    overflow: -1,
    plan: b,
    prefers: [],
    prefersWeight: 0,
    relationship: DEFAULT_RELATIONSHIP,
    holidays: [],
    offHours: OFF_SKIP,
    offHoursSend: -1,
    dedupe: null,
    requires: [],
    refusals: [],
  };
}

export { OFF_HOLD, OFF_SEND, OFF_SKIP };

export interface LoadedDedupe {
  /** Fields and how their values are normalised. */
  fields: { name: string; norm: 'email' | 'phone' | 'text' }[];
  windowMs: number;
}

/** A rule's action as the router runs it: each variant is declared by its routing model (src/models/). */
export type { LoadedAction } from '../models/index.js';

export interface LoadedRule {
  id: string;
  guard: PlanRule['guard'];
  when: LoadedCondition | null;
  text: string;
  /** The text as traces quote it (long rules are shortened). */
  label: string;
  line: number;
  /** The frozen `Decision.rule` value for this rule (shared by every decision). */
  ref: Readonly<{ id: string; text: string; line: number }>;
  action: LoadedAction;
  plan: PlanRule;
}

export interface LoadedFlow {
  index: number;
  name: string;
  rules: LoadedRule[];
}

/** A validated plan with every expression compiled. Make one with loadPlan(). */
export interface LoadedPlan {
  readonly [LOADED]: true;
  readonly plan: Plan;
  readonly buyers: LoadedBuyer[];
  readonly buyerIndex: ReadonlyMap<string, number>;
  readonly flows: LoadedFlow[];
  readonly flowIndex: ReadonlyMap<string, number>;
  readonly defaultFlow: LoadedFlow;
  /** Whether some rule reads outcome metrics (a performance split, a rank by performance or expected value). */
  readonly usesMetrics: boolean;
  /** The lead as it is validated and routed: its e-mail and phone fields
   *  trimmed (a copy when one needed it; the caller's lead is never changed). */
  trimLead(lead: unknown): unknown;
  /** Validate a lead (trimmed as trimLead does): first the lead guard (lead-guard.ts:
   *  plain JSON data within the limits of src/core/limits.ts), then the plan's lead
   *  schema. Null when valid, else every error, each naming its field. Never throws. */
  validateLead(lead: unknown): LeadError[] | null;
}

export function isLoadedPlan(x: unknown): x is LoadedPlan {
  return typeof x === 'object' && x !== null && (x as { [LOADED]?: unknown })[LOADED] === true;
}

const LABEL_MAX = 80;

function ruleLabel(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= LABEL_MAX ? t : t.slice(0, LABEL_MAX - 2).trimEnd() + ' …';
}

/**
 * Verify and compile a routing plan. Throws PlanError listing every problem
 * verifyPlan finds (by JSON path), or else those of compiling it.
 */
export function loadPlan(json: unknown): LoadedPlan {
  if (isLoadedPlan(json)) return json;
  const verified = verifyPlan(json);
  if (verified.length > 0) throw new PlanError(verified);
  const plan = json as Plan;
  const problems: PlanProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  const compile = <T>(f: (e: PlanExpr, path: string) => T, e: PlanExpr, path: string): T => {
    try {
      return f(e, path);
    } catch (err) {
      if (err instanceof ExprError) {
        problem(err.path || path, err.message);
        return (() => undefined) as unknown as T;
      }
      throw err;
    }
  };
  const cond = (e: PlanExpr, text: string, path: string): LoadedCondition => ({
    test: compile(compilePredicate, e, path),
    text,
    refs: referencedNames(e),
  });

  const fieldKinds = new Map(plan.lead.fields.map((x) => [x.name, x.type.kind]));

  // Names (verifyPlan has checked that they are unique and resolve).
  const buyerIndex = new Map(plan.buyers.map((b, i) => [b.name, i]));
  const flowIndex = new Map(plan.flows.map((f, i) => [f.name, i]));
  const buyerRef = (name: string, _path: string): number => buyerIndex.get(name) ?? -1;
  const flowRef = (name: string, _path: string): number => flowIndex.get(name) ?? -1;

  // Buyers: each clause (src/clauses/) fills its part of the clause-less buyer,
  // then the buyer's check is given the refusals that apply to it.
  const buyerEnv: BuyerLoadEnv = {
    buyer: buyerRef,
    cond,
    expr: (e, path) => compile(compileExpr, e, path),
    predicate: (e, path) => compile(compilePredicate, e, path),
    fieldKind: (name) => fieldKinds.get(name),
  };
  const buyers: LoadedBuyer[] = plan.buyers.map((b, i) => {
    const loaded = emptyLoadedBuyer(i, b);
    for (const kind of CLAUSE_KINDS) CLAUSES[kind].load(b, loaded, buyerEnv, `/buyers/${i}`);
    loaded.refusals = refusalsOf(loaded);
    return loaded;
  });

  // Flows.
  let usesMetrics = false;
  const env: LoadEnv = {
    buyer: buyerRef,
    flow: flowRef,
    cond,
    expr: (e, path) => compile(compileExpr, e, path),
    ruleCounters: (ruleId, buyer, caps) => makeCounters(ruleCapPrefix(ruleId, buyer), caps),
    problem,
    usesMetrics: () => {
      usesMetrics = true;
    },
  };
  /** A rule's action, loaded by its routing model (src/models/). */
  const loadAction = (a: PlanAction, rule: PlanRule, path: string): LoadedAction => {
    const model = modelOf(a.kind);
    if (model === undefined) {
      // An action kind this runtime does not run (plan.ts may grow faster
      // than the schema and the router): refuse the plan rather than guess.
      problem(`${path}/kind`, `action '${String(a.kind)}' is not supported by this runtime`);
      return { kind: 'reject', reason: `unsupported action '${String(a.kind)}'` };
    }
    return model.load(a, env, rule, path);
  };
  const flows: LoadedFlow[] = plan.flows.map((f, i) => ({
    index: i,
    name: f.name,
    rules: f.rules.map((r, j) => {
      const path = `/flows/${i}/rules/${j}`;
      return {
        id: r.id,
        guard: r.guard,
        when: r.when === null ? null : cond(r.when, r.text, `${path}/when`),
        text: r.text,
        label: ruleLabel(r.text),
        line: r.source.line,
        ref: Object.freeze({ id: r.id, text: r.text, line: r.source.line }),
        action: loadAction(r.action, r, `${path}/action`),
        plan: r,
      };
    }),
  }));
  const defaultIndex = flowIndex.get(plan.defaultFlow);

  // Lead schema.
  let validate: ValidateFunction | null = null;
  try {
    validate = leadValidator(plan.lead.schema);
  } catch (err) {
    problem('/lead/schema', `not a usable JSON Schema: ${(err as Error).message}`);
  }

  if (problems.length > 0) throw new PlanError(problems);

  const fieldTypes = new Map(plan.lead.fields.map((f) => [f.name, f.type]));
  const shape = leadShapeOf(plan.lead.fields);
  const v = validate!;
  return {
    [LOADED]: true,
    plan,
    buyers,
    buyerIndex,
    flows,
    flowIndex,
    defaultFlow: flows[defaultIndex!]!,
    usesMetrics,
    trimLead(lead: unknown): unknown {
      return trimLead(lead, shape);
    },
    validateLead(lead: unknown): LeadError[] | null {
      const trimmed = trimLead(lead, shape);
      const problems = inspectLead(trimmed, shape);
      if (problems !== null) return problems;
      try {
        return v(trimmed) ? null : leadErrorsOf(v.errors ?? [], fieldTypes);
      } catch (err) {
        // Only a caller's object can get here (a getter that throws on its second read).
        return [{ field: 'lead', message: `could not be read (${String((err as Error)?.message ?? err).slice(0, 200)})` }];
      }
    },
  };
}
