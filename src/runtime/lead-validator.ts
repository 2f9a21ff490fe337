// A plan's lead schema compiled to a validator (ajv, with the formats of
// leadroute's field types and a linear-time regular expression engine), and
// ajv's errors turned into LeadErrors that name the field. Apart from load.ts,
// which reads only `leadValidator` and `leadErrorsOf`.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import type { FieldType } from '../plan/index.js';
import { US_STATES } from '../core/states.js';
import type { LeadError } from './decision.js';
import { isCanonicalDateTime, isEmail } from './formats.js';

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

/** What validateLead calls: ajv's validate function, or one wrapping it. */
export interface LeadValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * The validator of a lead schema (its `$id` dropped: compiled per plan, an
 * `$id` would clash with an earlier plan's). Throws what ajv throws for a
 * schema it cannot compile.
 *
 * A schema of the shape compile writes (`type: object`, `properties`,
 * `required`) is validated as its schema without `required`, compiled once,
 * plus the `required` list checked here: plans whose leads differ only in
 * which fields are optional share one compiled validator. The errors are
 * ajv's: a missing field is `data[name] === undefined`, checked only on an
 * object, and its errors come first, as ajv orders `required` before every
 * other keyword such a schema may have.
 */
export function leadValidator(planSchema: Record<string, unknown>): LeadValidator {
  const schema: Record<string, unknown> = { ...planSchema };
  delete schema.$id;
  const required = requiredOnTheSide(schema);
  if (required === null) return compiledValidator(schema);
  const { required: _, ...rest } = schema;
  return withRequired(compiledValidator(rest), required);
}

/** The keys a schema may have for its `required` to be checked on the side: none of them is checked before `required`. */
const SIDE_REQUIRED_KEYS = new Set(['type', 'properties', 'required', 'additionalProperties', '$schema', 'title', 'description']);

/** `schema.required`, when the schema has the shape leadValidator checks it on the side for, else null. */
function requiredOnTheSide(schema: Record<string, unknown>): string[] | null {
  const required = schema.required;
  if (schema.type !== 'object' || !Array.isArray(required) || required.length === 0) return null;
  if (!Object.keys(schema).every((k) => SIDE_REQUIRED_KEYS.has(k))) return null;
  // Anything else (a name twice, a non-string) is left to ajv, which refuses the schema.
  if (!required.every((r): r is string => typeof r === 'string') || new Set(required).size !== required.length) return null;
  return required;
}

function withRequired(validate: LeadValidator, required: readonly string[]): LeadValidator {
  const check: LeadValidator = (data: unknown): boolean => {
    let errors: ErrorObject[] | null = null;
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const record = data as Record<string, unknown>;
      for (const name of required) {
        if (record[name] !== undefined) continue;
        (errors ??= []).push({
          instancePath: '',
          schemaPath: '#/required',
          keyword: 'required',
          params: { missingProperty: name },
          message: `must have required property '${name}'`,
        });
      }
    }
    const valid = validate(data);
    if (!valid) errors = errors === null ? (validate.errors ?? []) : errors.concat(validate.errors ?? []);
    check.errors = errors;
    return errors === null;
  };
  return check;
}

/**
 * ajv's compiled validator of `schema`. Plans that share a lead schema share
 * one validator: compiling is most of what loading a small plan costs, and a
 * process loading plans (reloads, tests, a service per tenant) mostly loads
 * the same lead again. Keyed by the JSON text, which fixes the schema and the
 * order its errors come in. Sharing is safe: a validator keeps no state
 * between calls but `errors`, which is read at once. Nothing is kept for a
 * schema ajv cannot compile.
 */
function compiledValidator(schema: Record<string, unknown>): ValidateFunction {
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

export function leadErrorsOf(errors: ErrorObject[], fieldTypes: Map<string, FieldType>): LeadError[] {
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
