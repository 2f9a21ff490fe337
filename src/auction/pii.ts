// The runtime PII guard for pings. The checker proves at compile time that a
// ping names no PII field; this is the second line: just before a ping leaves,
// its URL and body are searched for
//   - the value of every PII field of this lead (normalised: NFKC, trimmed,
//     lower-cased; also percent-decoded, JSON-unescaped and XML-unescaped forms
//     of the payload are searched; for values with 7+ digits, such as phone
//     numbers, the digits alone are searched with separators inside digit runs
//     removed), and
//   - the name of any PII field used as a key (JSON keys, query or form
//     parameter names, XML element and attribute names).
// A ping that contains either is not sent; the reason names the field, never
// the value. Values shorter than 3 characters (and booleans) are not searched:
// they would match almost any payload.

import type { PlanField } from '../compile/plan.js';
import { tryJson } from '../deliver/paths.js';

export const MIN_SEARCHED_LENGTH = 3;

function norm(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    try {
      return String.fromCodePoint(code);
    } catch {
      return m;
    }
  });
}

/** Every string and number in a JSON value, and its keys. */
function jsonLeaves(v: unknown, leaves: string[], keys: string[], depth = 0): void {
  if (depth > 64) return;
  if (typeof v === 'string') leaves.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean') leaves.push(String(v));
  else if (Array.isArray(v)) for (const x of v) jsonLeaves(x, leaves, keys, depth + 1);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      keys.push(k);
      leaves.push(k);
      jsonLeaves(x, leaves, keys, depth + 1);
    }
  }
}

/** Join digit runs split by separators: "(555) 123-4567" → "5551234567". */
function digitRuns(s: string): string {
  return s.replace(/(?<=\d)[\s().+\-/]+(?=\d)/g, '');
}

function valuesOf(v: unknown): string[] {
  if (v === undefined || v === null || typeof v === 'boolean') return [];
  if (Array.isArray(v)) return v.flatMap(valuesOf);
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).flatMap(valuesOf);
  return [String(v)];
}

export interface PiiNeedle {
  field: string;
  text: string | null;
  digits: string | null;
}

/** The PII values of a lead, as searched. */
export function piiNeedles(fields: PlanField[], lead: Record<string, unknown>): PiiNeedle[] {
  const out: PiiNeedle[] = [];
  for (const f of fields) {
    if (!f.pii) continue;
    for (const raw of valuesOf(lead[f.name])) {
      const text = norm(raw);
      const digits = text.replace(/\D/g, '');
      out.push({
        field: f.name,
        text: text.length >= MIN_SEARCHED_LENGTH ? text : null,
        digits: digits.length >= 7 ? digits : null,
      });
    }
  }
  return out;
}

function keyNames(body: string, url: string, parsedKeys: string[]): string[] {
  const names: string[] = [...parsedKeys];
  const addQuery = (q: string) => {
    for (const part of q.split('&')) {
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      if (k) names.push(safeDecode(k));
    }
  };
  const qi = url.indexOf('?');
  if (qi >= 0) addQuery(url.slice(qi + 1).split('#')[0]!);
  const trimmed = body.trim();
  if (trimmed.startsWith('<')) {
    for (const m of trimmed.matchAll(/<\/?\s*([A-Za-z_][\w.:-]*)/g)) names.push(m[1]!);
    for (const m of trimmed.matchAll(/\s([A-Za-z_][\w.:-]*)\s*=\s*["']/g)) names.push(m[1]!);
  } else if (trimmed.includes('=') && !trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    addQuery(trimmed);
  }
  return names;
}

const canonName = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Null when the ping may go; otherwise why not (naming the field, never its value).
 */
export function piiViolation(fields: PlanField[], lead: Record<string, unknown>, body: string, url: string): string | null {
  const parsed = tryJson(body);
  const leaves: string[] = [];
  const jsonKeys: string[] = [];
  if (parsed.ok) jsonLeaves(parsed.value, leaves, jsonKeys);

  // Names.
  const pii = new Map<string, string>();
  for (const f of fields) if (f.pii) pii.set(canonName(f.name), f.name);
  if (pii.size === 0) return null;
  for (const k of keyNames(body, url, jsonKeys)) {
    const hit = pii.get(canonName(k));
    if (hit !== undefined) return `names PII field '${hit}'`;
    // a path-like key: lead.email, contact[email]
    for (const part of k.split(/[.[\]]+/)) {
      const h = pii.get(canonName(part));
      if (h !== undefined && part !== '') return `names PII field '${h}'`;
    }
  }

  // Values.
  const needles = piiNeedles(fields, lead);
  if (needles.length === 0) return null;
  const hay = [body, url, safeDecode(body), safeDecode(url), xmlUnescape(body), xmlUnescape(safeDecode(body)), leaves.join('\u0000')].map(norm);
  let digitHay: string[] | null = null;
  for (const n of needles) {
    if (n.text !== null && hay.some((h) => h.includes(n.text!))) return `contains the value of PII field '${n.field}'`;
    if (n.digits !== null) {
      digitHay ??= hay.map(digitRuns);
      if (digitHay.some((h) => h.includes(n.digits!))) return `contains the value of PII field '${n.field}'`;
    }
  }
  return null;
}
