// Reading a lead typed at the REPL: JSON (`{"state":"CA",…}`), or `name=value`
// pairs (`state=CA credit_score=720 homeowner=true`), each value read by the
// type the lead schema gives its field:
//
//   int, number, money   a number; money may start with `$` (`$397000`)
//   bool                 true / false (also yes / no)
//   list                 items separated by commas (`tags=a,b`), each read by the item type
//   anything else        text (enum, state, zip, email, phone, time, string)
//
// Double quotes group a value that holds spaces or commas (`name="Pat Lee"`,
// `tags="a, b",c`); `\"` and `\\` inside them are a quote and a backslash. A
// field left out is absent from the lead. Only the field's *type* is read
// here: whether the value is allowed (an enum value, a state code, a range) is
// the lead schema's to say when the lead is routed, so the REPL and `route`
// reject the same leads with the same messages.

import { US_STATES } from '../core/states.js';
import { didYouMean } from '../core/suggest.js';
import type { FieldType, PlanField } from '../plan/index.js';

export type LeadLine = { ok: true; lead: Record<string, unknown> } | { ok: false; error: string };

/** One `name=value` pair as typed: the value's text, and its comma-separated parts outside quotes. */
interface RawPair {
  name: string;
  /** The whole value, quotes removed. */
  text: string;
  /** The value split at commas outside quotes (quotes removed). */
  items: string[];
  /** Column (1-based) where the pair starts, for messages. */
  column: number;
}

/** Read a lead typed as JSON or as `name=value` pairs against the plan's lead fields. */
export function parseLeadLine(line: string, fields: readonly PlanField[]): LeadLine {
  const text = line.trim();
  if (text.startsWith('{')) return parseJsonLead(text);
  const pairs = splitPairs(text);
  if (!Array.isArray(pairs)) return { ok: false, error: pairs.error };
  const byName = new Map(fields.map((f) => [f.name, f]));
  const lead: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const p of pairs) {
    const field = byName.get(p.name);
    if (field === undefined) {
      const prefixed = fields.find((f) => f.name.startsWith(p.name));
      const hint = prefixed !== undefined ? `did you mean \`${prefixed.name}\`?` : didYouMean(p.name, byName.keys());
      return { ok: false, error: `unknown field \`${p.name}\`${hint ? ` (${hint})` : ''}; \`:fields\` lists them (type the lead as JSON to send a field the schema does not declare)` };
    }
    if (Object.hasOwn(lead, p.name)) return { ok: false, error: `\`${p.name}\` is given twice` };
    const value = typedValue(field.type, p);
    if (!value.ok) return { ok: false, error: `${p.name}: ${value.error}` };
    lead[p.name] = value.value;
  }
  // A plain object again (the prototype-less one only guarded the reads above).
  return { ok: true, lead: { ...lead } };
}

function parseJsonLead(text: string): LeadLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'a lead is a JSON object' };
  return { ok: true, lead: value as Record<string, unknown> };
}

/** The pairs of a `name=value …` line, or the first problem with its column. */
export function splitPairs(text: string): RawPair[] | { error: string } {
  const pairs: RawPair[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
    const name = text.slice(start, i);
    if (text[i] !== '=') return { error: `\`${name}\` (column ${start + 1}) needs a value: write \`${name}=VALUE\`` };
    if (name === '') return { error: `a value without a field name at column ${start + 1}` };
    i++; // '='
    let current = '';
    const items: string[] = [];
    let whole = '';
    while (i < text.length && !/\s/.test(text[i]!)) {
      const c = text[i]!;
      if (c === '"') {
        const close = readQuoted(text, i);
        if (close === null) return { error: `${name}: the quote at column ${i + 1} is not closed` };
        current += close.value;
        whole += close.value;
        i = close.end;
        continue;
      }
      if (c === ',') {
        items.push(current);
        current = '';
      } else current += c;
      whole += c;
      i++;
    }
    items.push(current);
    pairs.push({ name, text: whole, items, column: start + 1 });
  }
  return pairs;
}

/** A double-quoted text starting at `at`: its value and the index after the closing quote; null when unclosed. */
function readQuoted(text: string, at: number): { value: string; end: number } | null {
  let value = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      value += text[++i]!;
      continue;
    }
    if (c === '"') return { value, end: i + 1 };
    value += c;
  }
  return null;
}

type Typed = { ok: true; value: unknown } | { ok: false; error: string };

function typedValue(type: FieldType, pair: RawPair): Typed {
  if (type.kind !== 'list') return scalarValue(type, pair.text);
  // `tags=` is the empty list.
  if (pair.text === '' && pair.items.length === 1) return { ok: true, value: [] };
  const out: unknown[] = [];
  for (const item of pair.items) {
    const v = typedValue(type.of, { ...pair, text: item, items: [item] });
    if (!v.ok) return { ok: false, error: `item \`${item}\`: ${v.error}` };
    out.push(v.value);
  }
  return { ok: true, value: out };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function scalarValue(type: Exclude<FieldType, { kind: 'list' }>, text: string): Typed {
  switch (type.kind) {
    case 'int':
    case 'number':
    case 'money': {
      const digits = type.kind === 'money' ? text.replace(/^\$/, '') : text;
      if (!NUMBER.test(digits)) return { ok: false, error: `\`${text}\` is not a number (the field is ${describeType(type)})` };
      return { ok: true, value: Number(digits) };
    }
    case 'bool': {
      const t = text.toLowerCase();
      if (t === 'true' || t === 'yes') return { ok: true, value: true };
      if (t === 'false' || t === 'no') return { ok: true, value: false };
      return { ok: false, error: `\`${text}\` is not true or false (the field is bool)` };
    }
    case 'string':
    case 'enum':
    case 'state':
    case 'zip':
    case 'email':
    case 'phone':
    case 'time':
      return { ok: true, value: text };
    default: {
      const never: never = type;
      return { ok: false, error: `unknown field type ${JSON.stringify(never)}` };
    }
  }
}

/** A field type as the rule file writes it: `int 300..850`, `"a" | "b"`, `list state`. */
export function describeType(type: FieldType): string {
  switch (type.kind) {
    case 'int':
    case 'number':
    case 'money': {
      const range = type.min !== undefined || type.max !== undefined ? ` ${type.min ?? ''}..${type.max ?? ''}` : '';
      return `${type.kind}${range}`;
    }
    case 'enum':
      return type.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'list':
      return `list ${describeType(type.of)}`;
    case 'string':
    case 'bool':
    case 'state':
    case 'zip':
    case 'email':
    case 'phone':
    case 'time':
      return type.kind;
    default: {
      const never: never = type;
      return String(never);
    }
  }
}

/** The values a field's type offers for completion: enum values, true/false, a list's item values. */
export function valuesOf(type: FieldType): string[] {
  switch (type.kind) {
    case 'enum':
      return type.values;
    case 'bool':
      return ['true', 'false'];
    case 'list':
      return valuesOf(type.of);
    case 'state':
      return [...US_STATES];
    default:
      return [];
  }
}
