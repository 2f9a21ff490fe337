// The lead guard: what every lead goes through before anything else reads it
// (the schema validator, the lead id's hash, the rules, the selling side).
//
// A lead is data from outside: a JSONL line, an HTTP body, an object a caller
// built. It may be 10,000 arrays deep, carry `1e999` (Infinity to JSON.parse),
// a megabyte of e-mail address, a key named `__proto__`, or, from a caller,
// a getter that throws. The guard walks it once, with its own stack (never the
// call stack), reading each property once inside try/catch, and turns every such
// thing into a rejection that names the field. The limits are those of
// src/core/limits.ts. A lead that passes is plain JSON data: finite numbers,
// bounded text, bounded depth and size, so what comes after (ajv, the
// canonical-JSON hash, the expression closures) cannot overflow or throw on it.
//
// Trimming: e-mail addresses and phone numbers are trimmed of surrounding white
// space before validation, since dedupe already treats ` pat@x.com ` and
// `pat@x.com` as one person (REFERENCE.md, "Lead schema"). A lead that needs no
// trimming is returned as is: the guard allocates nothing for a clean lead.

import { MAX_LEAD_DEPTH, MAX_LEAD_NAME_LENGTH, MAX_LEAD_TEXT, MAX_LEAD_VALUES } from '../core/limits.js';
import type { FieldType, PlanField } from '../plan/index.js';
import type { LeadError } from './decision.js';

/** A rejection lists at most this many problems; the guard stops looking after them. */
export const MAX_LEAD_PROBLEMS = 20;

/** What the guard knows of a plan's lead fields, built once per plan (leadShapeOf). */
export interface LeadShape {
  /** Declared field → the longest text its type (or, for a list, its items' type) allows. */
  readonly textLimit: ReadonlyMap<string, number>;
  /** Declared fields whose values are trimmed before validation (e-mail, phone). */
  readonly trimmed: readonly string[];
  /** Whether a declared field is named like a member of Object.prototype
   *  (`constructor`, `toString`): then a lead is read from a copy with no
   *  prototype, or a lead without the field would seem to carry the member. */
  readonly bare: boolean;
}

/** The longest text a value of this field type may be; a list's items, their type's. */
export function textLimitOf(t: FieldType): number {
  switch (t.kind) {
    case 'string':
    case 'enum':
    case 'email':
    case 'phone':
    case 'zip':
    case 'state':
    case 'time':
      return MAX_LEAD_TEXT[t.kind];
    case 'list':
      return textLimitOf(t.of);
    case 'int':
    case 'number':
    case 'money':
    case 'bool':
      return MAX_LEAD_TEXT.other; // not text at all: ajv says so, unless it is too long to look at
    default:
      return assertNever(t);
  }
}

function isTrimmed(t: FieldType): boolean {
  return t.kind === 'email' || t.kind === 'phone';
}

export function leadShapeOf(fields: readonly PlanField[]): LeadShape {
  return {
    textLimit: new Map(fields.map((f) => [f.name, textLimitOf(f.type)])),
    trimmed: fields.filter((f) => isTrimmed(f.type)).map((f) => f.name),
    bare: fields.some((f) => f.name in Object.prototype),
  };
}

// ---------------------------------------------------------------- trimming

/** What String.prototype.trim removes: ECMAScript's WhiteSpace and LineTerminator. */
function isWhiteSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Whether String.prototype.trim would change `s` (checked without allocating). */
function needsTrim(s: string): boolean {
  return s.length > 0 && (isWhiteSpace(s.charCodeAt(0)) || isWhiteSpace(s.charCodeAt(s.length - 1)));
}

/**
 * The lead with its e-mail and phone fields trimmed: the same object when
 * nothing needs trimming (or when it is not a plain object, or a field cannot
 * be read: inspectLead reports that), else a shallow copy. When the plan
 * declares a field named like a member of Object.prototype, the copy is always
 * made, on a null prototype (see LeadShape.bare). The caller's lead is never
 * changed.
 */
export function trimLead(lead: unknown, shape: LeadShape): unknown {
  const names = shape.trimmed;
  if ((names.length === 0 && !shape.bare) || lead === null || typeof lead !== 'object' || Array.isArray(lead)) return lead;
  let copy: Record<string, unknown> | null = null;
  try {
    if (shape.bare && Object.getPrototypeOf(lead) === Object.prototype) {
      // Object.assign onto a null prototype defines `__proto__` as a field too.
      copy = Object.assign(Object.create(null) as Record<string, unknown>, lead);
    }
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = (lead as Record<string, unknown>)[name];
      if (typeof v !== 'string' || !needsTrim(v) || !Object.hasOwn(lead, name)) continue;
      // A spread defines own data properties; and `name` is never `__proto__`
      // here: a field so named makes the shape bare, and the copy prototype-less.
      if (copy === null) copy = { ...(lead as Record<string, unknown>) };
      copy[name] = v.trim();
    }
  } catch {
    return lead;
  }
  return copy ?? lead;
}

// ---------------------------------------------------------------- the walk

/** One object or array being walked; `parent` and `key` rebuild a field's path for a message. */
interface Frame {
  readonly container: object;
  /** The object's keys; null for an array. */
  readonly keys: string[] | null;
  readonly length: number;
  next: number;
  readonly depth: number;
  readonly textLimit: number;
  readonly parent: Frame | null;
  /** The key (or index) under which the parent holds this container. */
  readonly key: string | number;
}

/** `a.b[3]`, as ajv's errors are named (load.ts). Long names are cut short. */
function pathOf(frame: Frame | null, key: string | number): string {
  const parts: (string | number)[] = [key];
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) parts.push(f.key);
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const name = p.length > 40 ? `${p.slice(0, 40)}…` : p;
      out += out === '' ? name : `.${name}`;
    }
  }
  return out;
}

function kindOfValue(v: unknown): string {
  if (typeof v !== 'object') return `a ${typeof v}`;
  try {
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null;
    const name = proto?.constructor?.name;
    if (typeof name === 'string' && name !== '' && name.length <= 40) return `a ${name}`;
  } catch {
    // a proxy whose trap throws: say no more than this
  }
  return 'an object with a prototype';
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** No text limit is below this: a text this short needs no look-up. */
const SHORTEST_TEXT_LIMIT = Math.min(...Object.values(MAX_LEAD_TEXT));

const NOT_AN_OBJECT: LeadError[] = [{ field: 'lead', message: 'must be object' }];

/**
 * Every way the lead breaks the limits of src/core/limits.ts or is not plain
 * JSON data, each naming its field; null when there is none. Never throws and
 * never recurses.
 */
export function inspectLead(lead: unknown, shape: LeadShape): LeadError[] | null {
  if (lead === null || typeof lead !== 'object' || Array.isArray(lead)) return NOT_AN_OBJECT.map((e) => ({ ...e }));
  return isFlatAndClean(lead, shape) ? null : walkLead(lead, shape);
}

/**
 * The hot path: a plain lead whose values are texts within their limits,
 * finite numbers, booleans, nulls, and lists of those, is clean. Anything else
 * (or anything that throws) answers false, and the full walk names the problem.
 */
function isFlatAndClean(lead: object, shape: LeadShape): boolean {
  try {
    if (!isPlainObject(lead)) return false;
    const limits = shape.textLimit;
    let values = 0;
    // for-in, not Object.keys: V8 reads `lead[key]` through the enum cache,
    // about twice as fast on JSON leads. It also visits inherited enumerable
    // keys (a polluted Object.prototype): more than the own keys, never fewer,
    // so a lead clean here is clean to the full walk too.
    for (const key in lead) {
      if (++values > MAX_LEAD_VALUES || key.length > MAX_LEAD_NAME_LENGTH) return false;
      const v: unknown = (lead as Record<string, unknown>)[key];
      if (typeof v === 'string') {
        if (v.length > SHORTEST_TEXT_LIMIT && v.length > (limits.get(key) ?? MAX_LEAD_TEXT.other)) return false;
      } else if (typeof v === 'number') {
        if (!Number.isFinite(v)) return false;
      } else if (Array.isArray(v)) {
        const m = v.length;
        values += m;
        if (values > MAX_LEAD_VALUES) return false;
        const limit = limits.get(key) ?? MAX_LEAD_TEXT.other;
        for (let j = 0; j < m; j++) {
          const item: unknown = v[j];
          if (typeof item === 'string') {
            if (item.length > limit) return false;
          } else if (typeof item === 'number') {
            if (!Number.isFinite(item)) return false;
          } else if (typeof item !== 'boolean' && item !== null) return false;
        }
      } else if (typeof v !== 'boolean' && v !== null && v !== undefined) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Every problem, with its field's path: the walk with its own stack. */
function walkLead(lead: object, shape: LeadShape): LeadError[] | null {
  let errors: LeadError[] | null = null;
  const report = (frame: Frame | null, key: string | number, message: string): boolean => {
    (errors ??= []).push({ field: pathOf(frame, key), message });
    return errors.length < MAX_LEAD_PROBLEMS;
  };
  let values = 0;
  let frame: Frame;
  try {
    if (!isPlainObject(lead)) return [{ field: 'lead', message: `must be plain JSON data, not ${kindOfValue(lead)}` }];
    const keys = Object.keys(lead);
    frame = { container: lead, keys, length: keys.length, next: 0, depth: 1, textLimit: MAX_LEAD_TEXT.other, parent: null, key: '' };
  } catch {
    return [{ field: 'lead', message: 'could not be read' }];
  }
  walk: for (;;) {
    while (frame.next >= frame.length) {
      if (frame.parent === null) break walk;
      frame = frame.parent;
    }
    const i = frame.next++;
    const keys = frame.keys;
    const key: string | number = keys === null ? i : keys[i]!;
    if (++values > MAX_LEAD_VALUES) {
      report(frame, key, `is past the ${MAX_LEAD_VALUES} values a lead may hold`);
      break;
    }
    if (typeof key === 'string' && key.length > MAX_LEAD_NAME_LENGTH) {
      if (!report(frame, key, `is a field name longer than ${MAX_LEAD_NAME_LENGTH} characters`)) break;
      continue;
    }
    let v: unknown;
    try {
      v = (frame.container as Record<string | number, unknown>)[key];
    } catch {
      if (!report(frame, key, 'could not be read')) break;
      continue;
    }
    const limit = frame.parent === null ? (shape.textLimit.get(key as string) ?? MAX_LEAD_TEXT.other) : frame.textLimit;
    switch (typeof v) {
      case 'string':
        if (v.length > limit && !report(frame, key, `is longer than ${limit} characters`)) break walk;
        continue;
      case 'number':
        if (!Number.isFinite(v) && !report(frame, key, 'must be a finite number')) break walk;
        continue;
      case 'boolean':
      case 'undefined':
        continue;
      case 'object': {
        if (v === null) continue;
        let childKeys: string[] | null;
        let length: number;
        try {
          if (Array.isArray(v)) {
            childKeys = null;
            length = v.length;
          } else if (isPlainObject(v)) {
            childKeys = Object.keys(v);
            length = childKeys.length;
          } else {
            if (!report(frame, key, `must be plain JSON data, not ${kindOfValue(v)}`)) break walk;
            continue;
          }
        } catch {
          if (!report(frame, key, 'could not be read')) break walk;
          continue;
        }
        if (frame.depth + 1 > MAX_LEAD_DEPTH) {
          report(frame, key, `is nested deeper than ${MAX_LEAD_DEPTH} levels`);
          break walk; // a structural problem: what is inside is not looked at
        }
        if (length > MAX_LEAD_VALUES) {
          report(frame, key, `is past the ${MAX_LEAD_VALUES} values a lead may hold`);
          break walk;
        }
        frame = { container: v, keys: childKeys, length, next: 0, depth: frame.depth + 1, textLimit: limit, parent: frame, key };
        continue;
      }
      default:
        if (!report(frame, key, `must be plain JSON data, not ${kindOfValue(v)}`)) break walk;
    }
  }
  return errors;
}

function assertNever(x: never): never {
  throw new Error(`unhandled field type: ${JSON.stringify(x)}`);
}
