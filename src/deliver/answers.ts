// Reading a buyer's answer (to a ping or to a post) in the format its rule
// declares, into a plain value that dotted paths read (./paths.ts), and the one
// test on a value (`== v`, `in [..]`, `ignoring case`) that both the bid reader
// (src/auction/bids.ts) and the post judge (./post.ts) use.
//
//   json  strict JSON; failing that, "almost JSON": a byte-order mark, a JSONP
//         wrapper `cb({...})`, then JSON5 (trailing commas, single quotes,
//         unquoted keys)
//   xml   fast-xml-parser: the root element is the first path segment,
//         attributes are `@name`, text values stay strings; entities are not
//         processed by the parser (so a DOCTYPE's entities are never expanded:
//         no billion laughs), and the five XML entities and character
//         references are decoded here, in one pass
//   form  application/x-www-form-urlencoded; a repeated key is a list
//   text  `text` is the whole trimmed body; `key=value` and `key: value`
//         lines are readable by key
//
// An answer that does not parse in its declared format is never a bid and
// never a sale: the caller gets the reason ("answer is not XML").

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import JSON5 from 'json5';
import type { PlanAnswerFormat, PlanResponseTest, PlanValue } from '../plan/index.js';
import { brief } from './paths.js';

export type AnswerFormat = PlanAnswerFormat;

export type ParsedAnswer = { ok: true; value: unknown } | { ok: false; reason: string };

const NOT = { json: 'answer is not JSON', xml: 'answer is not XML' } as const;

/** Read an answer's body in its declared format (absent: JSON). */
export function parseAnswer(body: string, format: AnswerFormat | undefined): ParsedAnswer {
  switch (format ?? 'json') {
    case 'json':
      return parseJsonAnswer(body);
    case 'xml':
      return parseXmlAnswer(body);
    case 'form':
      return { ok: true, value: parseFormAnswer(body) };
    case 'text':
      return { ok: true, value: parseTextAnswer(body) };
  }
}

// ---------------------------------------------------------------- json

const JSONP = /^\s*[A-Za-z_$][\w$.]*\s*\(([\s\S]*)\)\s*;?\s*$/;

function parseJsonAnswer(body: string): ParsedAnswer {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    // almost JSON, below
  }
  let text = body.replace(/^\uFEFF/, '');
  const wrapped = JSONP.exec(text);
  if (wrapped) text = wrapped[1]!;
  for (const parse of [JSON.parse, JSON5.parse] as const) {
    try {
      return { ok: true, value: parse(text) };
    } catch {
      // the next reading, or none
    }
  }
  return { ok: false, reason: NOT.json };
}

// ---------------------------------------------------------------- xml

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are decoded by decodeXmlEntities, never expanded from a DOCTYPE.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function parseXmlAnswer(body: string): ParsedAnswer {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '' || XMLValidator.validate(text) !== true) return { ok: false, reason: NOT.xml };
  try {
    const value = decodeStrings(xmlParser.parse(text));
    return value !== null && typeof value === 'object' && Object.keys(value).length > 0 ? { ok: true, value } : { ok: false, reason: NOT.xml };
  } catch {
    // fast-xml-parser refuses names such as `__proto__`
    return { ok: false, reason: NOT.xml };
  }
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five XML entities and character references, decoded in one pass (so `&amp;lt;` is `&lt;`); any other entity is left as written. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return XML_ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function decodeStrings(v: unknown): unknown {
  if (typeof v === 'string') return decodeXmlEntities(v);
  if (Array.isArray(v)) return v.map(decodeStrings);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decodeStrings(x);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------- form, text

/** `a=1&b=2&b=3` → { a: "1", b: ["2", "3"] }. */
export function parseFormAnswer(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of new URLSearchParams(body.replace(/^\uFEFF/, '').trim())) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The whole trimmed body as `text`, and each `key=value` or `key: value` line by its key (the first of a key wins). */
export function parseTextAnswer(body: string): Record<string, string> {
  const text = body.replace(/^\uFEFF/, '').trim();
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][\w.-]*)\s*(?:=|:)\s*(.*?)\s*$/.exec(line);
    if (m && out[m[1]!] === undefined) out[m[1]!] = m[2]!;
  }
  out.text = text;
  return out;
}

// ---------------------------------------------------------------- tests

/** A plain decimal number written as text (`"6.66"`, `" 12 "`), as many buyers
 *  answer (and every XML, form or text answer), read as the number; anything
 *  else is left as it is (`"6,66"` or `"$6"` is no number). */
export function numberFromText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  return /^-?(?:\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : v;
}

/** Whether an answer's value is the one a test names: numbers given as text
 *  are numbers, `true`/`false` given as text are booleans, and strings are
 *  compared as written or, `ignoring case`, in lower case. */
function sameValue(v: unknown, want: PlanValue, ignoreCase: boolean): boolean {
  if (typeof want === 'number') return numberFromText(v) === want;
  if (typeof want === 'boolean') return v === want || (typeof v === 'string' && v.trim().toLowerCase() === String(want));
  if (typeof v !== 'string') return false;
  return ignoreCase ? v.toLowerCase() === want.toLowerCase() : v === want;
}

/** The values a test accepts. */
function valuesOf(test: PlanResponseTest): PlanValue[] {
  return 'equals' in test ? [test.equals] : test.in;
}

/** Whether a value read from an answer passes a test. */
export function passes(v: unknown, test: PlanResponseTest): boolean {
  const ignoreCase = 'ignoreCase' in test && test.ignoreCase;
  for (const want of valuesOf(test)) if (sameValue(v, want, ignoreCase)) return true;
  return false;
}

/** Why a value fails a test: `status is "declined", not "accepted"`. */
export function failsBecause(v: unknown, test: PlanResponseTest): string {
  const values = valuesOf(test);
  const wanted = values.length === 1 ? brief(values[0]) : `one of ${values.map((x) => brief(x)).join(', ')}`;
  return `${test.path} is ${brief(v)}, not ${wanted}${'ignoreCase' in test && test.ignoreCase ? ' (ignoring case)' : ''}`;
}

/** The first rejection word the raw answer holds, ignoring case; undefined when none. */
export function rejectionWordIn(body: string, words: readonly string[] | undefined): string | undefined {
  if (!words || words.length === 0) return undefined;
  const lower = body.toLowerCase();
  return words.find((w) => w !== '' && lower.includes(w.toLowerCase()));
}

/** The longest buyer text kept from an answer (a reason, an id, a URL). */
export const MAX_ANSWER_TEXT = 500;

/** A string or number read from an answer as text (trimmed, at most MAX_ANSWER_TEXT); null for anything else. */
export function textOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (t === '') return null;
  return t.length > MAX_ANSWER_TEXT ? `${t.slice(0, MAX_ANSWER_TEXT - 1)}…` : t;
}

/** A URL the buyer returns for the consumer: only http(s), else null with why. */
export function redirectOf(v: unknown): { url: string | null; note: string | null } {
  const t = typeof v === 'string' ? v.trim() : '';
  if (t === '') return { url: null, note: v === undefined || v === null ? null : `redirect is ${brief(v)}, not a URL` };
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return { url: null, note: `redirect ${brief(t)} is not an absolute URL; ignored` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { url: null, note: `redirect uses ${url.protocol} (only http and https); ignored` };
  return { url: t, note: null };
}

/** A price read from an answer: a finite non-negative number (numeric text included), in cents; null otherwise. */
export function priceOf(v: unknown): number | null {
  const n = numberFromText(v);
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n * 100) / 100 : null;
}
