// Reproducible per-lead numbers.
//
// THE ALGORITHM (a hand-written baseline may reuse these exports; anything that
// wants the same numbers must do exactly this):
//
//   hash32(s):  FNV-1a, 32-bit, over the UTF-8 bytes of s
//                 h = 0x811c9dc5 (2166136261)
//                 for each byte b: h = (h XOR b) * 0x01000193 (16777619), mod 2^32
//               then the murmur3 fmix32 finaliser
//                 h ^= h >>> 16; h = h * 0x85ebca6b mod 2^32
//                 h ^= h >>> 13; h = h * 0xc2b2ae35 mod 2^32
//                 h ^= h >>> 16
//               result taken as an unsigned 32-bit integer.
//
//   leadRandom(seed, leadId) = 1 + (hash32(`${seed}:${leadId}`) % 100)        integer 1..100
//   splitDraw(seed, leadId, ruleId)
//                            = hash32(`split:${seed}:${ruleId}:${leadId}`) / 2^32 * 100
//                                                                             float in [0, 100)
//   The "split:" salt and the rule id make the split draw independent of `random`
//   and of the draws of other split rules.
//
//   leadIdOf(lead) = String(lead.id) when lead.id is a string or a finite number
//                    (an id longer than any text the lead limits allow is cut
//                    there and ends in "\u2026": only a rejected lead has one);
//                    otherwise "lead-" + 16 hex digits: hash32(c) and
//                    hash32("#" + c) (8 hex digits each, zero-padded), where c is
//                    the lead's canonical JSON (object keys sorted, recursively;
//                    undefined-valued keys dropped, as JSON.stringify does),
//                    cut at the lead limits of src/core/limits.ts: a part nested
//                    deeper than MAX_LEAD_DEPTH or past MAX_LEAD_VALUES values is
//                    written "\u2026", one that cannot be read "?", a text or field
//                    name past the longest the limits allow is cut there and ends
//                    in "\u2026" (a valid lead is
//                    never cut: the lead guard rejects any lead past a limit).

import { MAX_LEAD_DEPTH, MAX_LEAD_NAME_LENGTH, MAX_LEAD_TEXT, MAX_LEAD_VALUES } from '../core/limits.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Continue an FNV-1a state over the UTF-8 bytes of `s`. */
export function fnv1a(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    // Encode as UTF-8 on the fly (surrogate pairs become 4 bytes).
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        h = Math.imul(h ^ (0xf0 | (c >>> 18)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >>> 12) & 0x3f)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >>> 6) & 0x3f)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
        continue;
      }
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >>> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    } else {
      // BMP character (a lone surrogate is encoded as its 3-byte form, like WTF-8).
      h = Math.imul(h ^ (0xe0 | (c >>> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >>> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    }
  }
  return h;
}

/** murmur3's fmix32 finaliser; returns an unsigned 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a (UTF-8) + fmix32: a well-mixed unsigned 32-bit hash of a string. */
export function hash32(s: string): number {
  return fmix32(fnv1a(FNV_OFFSET, s));
}

/** The lead's random number, an integer 1..100: `1 + hash32(`${seed}:${leadId}`) % 100`. */
export function leadRandom(seed: string | number, leadId: string): number {
  return 1 + (hash32(`${seed}:${leadId}`) % 100);
}

/** The per-lead, per-rule split draw, a float in [0, 100), independent of `random`. */
export function splitDraw(seed: string | number, leadId: string, ruleId: string): number {
  return (hash32(`split:${seed}:${ruleId}:${leadId}`) / 4294967296) * 100;
}

/**
 * Precomputed FNV states for one seed, so the router does not rebuild the
 * `${seed}:` prefix for every lead. Gives exactly the same numbers as
 * leadRandom / splitDraw.
 */
export class SeededRandom {
  readonly seed: string | number;
  private readonly randomState: number;
  private readonly splitStates = new Map<string, number>();
  private readonly splitPrefix: string;

  constructor(seed: string | number) {
    this.seed = seed;
    this.randomState = fnv1a(FNV_OFFSET, `${seed}:`);
    this.splitPrefix = `split:${seed}:`;
  }

  random(leadId: string): number {
    return 1 + (fmix32(fnv1a(this.randomState, leadId)) % 100);
  }

  split(leadId: string, ruleId: string): number {
    let st = this.splitStates.get(ruleId);
    if (st === undefined) {
      st = fnv1a(FNV_OFFSET, `${this.splitPrefix}${ruleId}:`);
      this.splitStates.set(ruleId, st);
    }
    return (fmix32(fnv1a(st, leadId)) / 4294967296) * 100;
  }
}

/** JSON with object keys sorted recursively: a stable text for any JSON value. */
export function canonicalJson(v: unknown): string {
  return canonical(v, 0, null);
}

/** What a bounded walk may still visit (see leadIdOf). */
interface Budget {
  values: number;
}

/** No text in a valid lead is longer than this (nor any name than MAX_LEAD_NAME_LENGTH). */
const LONGEST_TEXT = Math.max(...Object.values(MAX_LEAD_TEXT));

/** Marks in a bounded canonical text: a part past the limits, and a part that could not be read. */
const CUT = '"\u2026"';
const UNREADABLE = '"?"';

/**
 * canonicalJson's one implementation. With a budget (leadIdOf) it never throws
 * and never recurses deeper than MAX_LEAD_DEPTH: a part deeper than that or past
 * MAX_LEAD_VALUES values is written as "…", one it cannot read (a throwing
 * getter, a bigint) as "?", and a text or a name longer than any the limits
 * allow is cut there and ends in "…". Within the limits both texts are the same.
 */
function canonical(v: unknown, depth: number, budget: Budget | null): string {
  if (budget !== null && --budget.values < 0) return CUT;
  if (v === null || typeof v !== 'object') {
    if (budget !== null && typeof v === 'string' && v.length > LONGEST_TEXT) return JSON.stringify(`${v.slice(0, LONGEST_TEXT)}\u2026`);
    if (budget === null) {
      const s = JSON.stringify(v);
      return s === undefined ? 'null' : s;
    }
    try {
      const s = JSON.stringify(v);
      return s === undefined ? 'null' : s;
    } catch {
      return UNREADABLE;
    }
  }
  if (budget !== null) {
    if (depth >= MAX_LEAD_DEPTH) return CUT;
    try {
      return container(v, depth, budget);
    } catch {
      return UNREADABLE;
    }
  }
  return container(v, depth, null);
}

function container(v: object, depth: number, budget: Budget | null): string {
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = v[i];
      out += item === undefined || typeof item === 'function' ? 'null' : canonical(item, depth + 1, budget);
      if (budget !== null && budget.values < 0) return out + ']';
    }
    return out + ']';
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return canonical((v as { toJSON: () => unknown }).toJSON(), depth, budget);
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    let item: unknown;
    try {
      item = obj[k];
    } catch (err) {
      if (budget === null) throw err;
      item = UNREADABLE_VALUE;
    }
    if (item === undefined || typeof item === 'function') continue;
    if (!first) out += ',';
    first = false;
    const name = budget !== null && k.length > MAX_LEAD_NAME_LENGTH ? `${k.slice(0, MAX_LEAD_NAME_LENGTH)}\u2026` : k;
    out += JSON.stringify(name) + ':' + (item === UNREADABLE_VALUE ? UNREADABLE : canonical(item, depth + 1, budget));
    if (budget !== null && budget.values < 0) return out + '}';
  }
  return out + '}';
}

const UNREADABLE_VALUE = Symbol('unreadable');

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * The lead's id: `lead.id` when it is a string or number, else a hash of its
 * canonical JSON. Never throws and never recurses past MAX_LEAD_DEPTH, whatever
 * the lead: a lead the guard rejects (too deep, too big, unreadable) still gets
 * an id, from its canonical JSON cut at the lead limits.
 */
export function leadIdOf(lead: unknown): string {
  if (lead !== null && typeof lead === 'object' && !Array.isArray(lead)) {
    let id: unknown;
    try {
      id = (lead as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    if (typeof id === 'string') return id.length > LONGEST_TEXT ? `${id.slice(0, LONGEST_TEXT)}\u2026` : id;
    if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  }
  const c = canonical(lead, 0, { values: MAX_LEAD_VALUES + 1 });
  return 'lead-' + hex8(hash32(c)) + hex8(hash32('#' + c));
}
