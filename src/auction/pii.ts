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

import type { PlanField } from '../plan/index.js';
import { tryJson } from '../deliver/paths.js';

export const MIN_SEARCHED_LENGTH = 3;

/** ASCII text, which NFKC leaves as it is. */
const ASCII = /^[\x00-\x7f]*$/;

function norm(s: string): string {
  return (ASCII.test(s) ? s : s.normalize('NFKC')).trim().toLowerCase();
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

/** A JSON body's strings and numbers, unescaped, joined; '' when it is not JSON. */
function jsonText(body: string): string {
  const parsed = tryJson(body);
  const leaves: string[] = [];
  if (parsed.ok) jsonLeaves(parsed.value, leaves, []);
  return leaves.join('\u0000');
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

/** Parameter names of a query or form-urlencoded string. */
function queryNames(q: string, names: string[]): void {
  for (const part of q.split('&')) {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    if (k) names.push(safeDecode(k));
  }
}

/** What a payload is searched for: the names it uses as keys, and its text in every decoded form (normalised). */
interface Haystack {
  names: string[];
  texts: string[];
  /** `texts` with separators inside digit runs removed; made on first need. */
  digits: string[] | null;
}

function bodyHaystack(body: string): Haystack {
  const parsed = tryJson(body);
  const leaves: string[] = [];
  const names: string[] = [];
  if (parsed.ok) jsonLeaves(parsed.value, leaves, names);
  const trimmed = body.trim();
  if (trimmed.startsWith('<')) {
    for (const m of trimmed.matchAll(/<\/?\s*([A-Za-z_][\w.:-]*)/g)) names.push(m[1]!);
    for (const m of trimmed.matchAll(/\s([A-Za-z_][\w.:-]*)\s*=\s*["']/g)) names.push(m[1]!);
  } else if (trimmed.includes('=') && !trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    queryNames(trimmed, names);
  }
  // Decoding only where there is something to decode; each distinct form searched once.
  const decoded = /[%+]/.test(body) ? safeDecode(body) : body;
  const forms = [body, decoded, leaves.join('\u0000')];
  if (decoded.includes('&')) forms.push(xmlUnescape(body), xmlUnescape(decoded));
  const texts = [...new Set(forms.map(norm))];
  return { names, texts, digits: null };
}

function urlHaystack(url: string): Haystack {
  const names: string[] = [];
  const qi = url.indexOf('?');
  if (qi >= 0) queryNames(url.slice(qi + 1).split('#')[0]!, names);
  return { names, texts: [...new Set([norm(url), norm(safeDecode(url))])], digits: null };
}

/** URL haystacks by URL: a ping URL is a plan constant, searched for every lead. */
const urlHaystacks = new Map<string, Haystack>();
const URL_HAYSTACK_CACHE_SIZE = 1024;

function cachedUrlHaystack(url: string): Haystack {
  let h = urlHaystacks.get(url);
  if (!h) {
    if (urlHaystacks.size >= URL_HAYSTACK_CACHE_SIZE) urlHaystacks.clear();
    urlHaystacks.set(url, (h = urlHaystack(url)));
  }
  return h;
}

const canonName = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The URLs a plan's pings go to, searched together: their decoded forms joined
 * into one haystack, so that a lead's PII values are looked for in all of them
 * with one search instead of one per URL. Only a hit sends the guard to the
 * URLs one by one. The names they use as parameters do not depend on the lead
 * and are judged once.
 */
export class PingUrls {
  private readonly joined: Haystack;
  private readonly nameVerdicts = new Map<string, string | null>();

  constructor(fields: PlanField[], urls: readonly string[]) {
    const names = piiNames(fields);
    const texts: string[][] = [[], []];
    for (const url of new Set(urls)) {
      const h = cachedUrlHaystack(url);
      h.texts.forEach((t, i) => texts[Math.min(i, 1)]!.push(t));
      this.nameVerdicts.set(url, nameReason(namedField(names, h)));
    }
    // '\u0000' joins no value across two URLs; a value holding one only costs a search per URL.
    this.joined = { names: [], texts: texts.filter((t) => t.length > 0).map((t) => t.join('\u0000')), digits: null };
  }

  /** The verdict on the names a URL uses; undefined when the URL is not one of these. */
  nameVerdict(url: string): string | null | undefined {
    return this.nameVerdicts.get(url);
  }

  /** True when no PII value of these needles is in any of the URLs. */
  clean(needles: PiiNeedle[]): boolean {
    return valueField(needles, this.joined) === null;
  }
}

const PATH_KEY = /[.[\]]/;

/** The PII field a key names (also as part of a path-like key: lead.email, contact[email]). */
function namedField(pii: Map<string, string>, h: Haystack): string | null {
  for (const k of h.names) {
    const hit = pii.get(canonName(k));
    if (hit !== undefined) return hit;
    if (!PATH_KEY.test(k)) continue;
    for (const part of k.split(/[.[\]]+/)) {
      const p = part === '' ? undefined : pii.get(canonName(part));
      if (p !== undefined) return p;
    }
  }
  return null;
}

/** The PII field whose value the haystack contains. */
function valueField(needles: PiiNeedle[], h: Haystack): string | null {
  for (const n of needles) {
    if (n.text !== null && h.texts.some((t) => t.includes(n.text!))) return n.field;
    if (n.digits !== null) {
      h.digits ??= h.texts.map(digitRuns);
      if (h.digits.some((t) => t.includes(n.digits!))) return n.field;
    }
  }
  return null;
}

/** Marks where an id leadroute generated stood; no PII value contains it, and it joins no digit runs. */
const OWN_ID_MASK = '\u2400';

function maskIds(s: string, ids: readonly string[]): string {
  for (const id of ids) {
    if (id.length === 0) continue;
    for (let i = s.indexOf(id); i >= 0; i = s.indexOf(id, i + OWN_ID_MASK.length)) {
      s = s.slice(0, i) + OWN_ID_MASK + s.slice(i + id.length);
    }
  }
  return s;
}

/** PII field names by canonical name, per plan field list (computed once). */
const piiNamesByFields = new WeakMap<PlanField[], Map<string, string>>();
function piiNames(fields: PlanField[]): Map<string, string> {
  let names = piiNamesByFields.get(fields);
  if (!names) {
    names = new Map<string, string>();
    for (const f of fields) if (f.pii) names.set(canonName(f.name), f.name);
    piiNamesByFields.set(fields, names);
  }
  return names;
}

/**
 * Text that normalises to itself lower-cased and decodes locally: ASCII without
 * percent escapes or backslashes ('+' decodes to a space, in place).
 */
const PLAIN = /^[\x00-\x24\x26-\x5b\x5d-\x7f]*$/;
/** PLAIN without '+': decodes to itself. */
const PLAIN_NO_PLUS = /^[\x00-\x24\x26-\x2a\x2c-\x5b\x5d-\x7f]*$/;

/** A body around its one generated id, and the verdict on it with the id masked. */
interface Shape {
  before: string;
  after: string;
  verdict: string | null;
  /** See plainEdges. */
  edges: [string, string][] | null;
}

/**
 * The text a PII value overlapping the id could take from either side, in every
 * form the full search looks at (lower-cased; and with '+' decoded to a space
 * when there is one), or null when the sides are not PLAIN. A value longer than
 * one character more than this reach cannot overlap the id and fit.
 */
function plainEdges(before: string, after: string, needles: PiiNeedle[]): [string, string][] | null {
  if (!PLAIN.test(before) || !PLAIN.test(after)) return null;
  const reach = needles.reduce((m, n) => Math.max(m, n.text?.length ?? 0), 0) - 1;
  if (reach <= 0) return [];
  const b = before.slice(Math.max(0, before.length - reach)).toLowerCase();
  const a = after.slice(0, reach).toLowerCase();
  const edges: [string, string][] = [[b, a]];
  if (b.includes('+') || a.includes('+')) edges.push([b.replace(/\+/g, ' '), a.replace(/\+/g, ' ')]);
  return edges;
}

function idSpells(field: string): PiiVerdict {
  return { reason: `ping id happens to spell the value of PII field '${field}'`, cause: 'id' };
}

/** Why a ping may not go: lead data in it, or an id of ours that happens to spell a PII value. */
export interface PiiVerdict {
  reason: string;
  /** 'id': only the generated id matched; the caller may draw another id and build again. */
  cause: 'lead' | 'id';
}

/**
 * The guard for one lead's pings. Its PII values are normalised once; a body
 * already searched is not searched again (the pings of one auction usually
 * differ only in their ping id: a ping of the same shape is searched again only
 * around its id), a URL's decoded forms are worked out once per URL, and the
 * plan's ping URLs, when given, are searched together.
 */
export class PiiGuard {
  private readonly names: Map<string, string>;
  private needles: PiiNeedle[] | null = null;
  /** Lead-data verdicts by masked body, and by URL. */
  private readonly bodies = new Map<string, string | null>();
  private readonly urls = new Map<string, string | null>();
  /** The last body shape searched (see checkWithOneId). */
  private shape: Shape | null = null;

  /** Whether the lead's values are in none of `pingUrls` (worked out on first need). */
  private urlsClean: boolean | null = null;

  /** `pingUrls`: the URLs this lead's pings may go to, when known (searched together). */
  constructor(
    private readonly fields: PlanField[],
    private readonly lead: Record<string, unknown>,
    private readonly pingUrls?: PingUrls,
  ) {
    this.names = piiNames(fields);
  }

  /**
   * Null when the ping may go. `ownIds` are ids leadroute generated for this
   * ping (its ping id): not lead data, so the full search runs with them masked
   * out, which lets one search serve every ping that differs only in its id.
   * The payload as sent is then searched for PII values as plain text once
   * more, so that an id which happens to spell one (a random hex id holding
   * "abe", say) is caught too, with cause 'id'.
   */
  check(body: string, url: string, ownIds: readonly string[] = []): PiiVerdict | null {
    if (this.names.size === 0) return null;
    const needles = (this.needles ??= piiNeedles(this.fields, this.lead));
    if (ownIds.length === 1) {
      const v = this.checkWithOneId(body, url, ownIds[0]!, needles);
      if (v !== undefined) return v;
    }
    const maskedUrl = maskIds(url, ownIds);
    const lead = this.leadData(this.verdict(this.bodies, maskIds(body, ownIds), bodyHaystack, needles), maskedUrl, needles);
    if (lead !== null) return { reason: lead, cause: 'lead' };
    if (ownIds.length === 0) return null;
    // The payload as sent: only a PII value overlapping an id can be new here, and
    // only as plain text (digit runs are how reformatted lead values are found; an
    // id is no lead value).
    const sent = [norm(body)];
    if (/[%+]/.test(body)) sent.push(norm(safeDecode(body)));
    if (body.includes('\\')) sent.push(norm(jsonText(body))); // JSON escapes next to an id
    if (maskedUrl !== url) sent.push(norm(url), norm(safeDecode(url)));
    for (const n of needles) {
      if (n.text !== null && sent.some((t) => t.includes(n.text!))) return idSpells(n.field);
    }
    return null;
  }

  /**
   * The common case, cheaply: one id of ours, once in the body and not in the
   * URL. The text around the id (the body's shape) is searched once; a ping of
   * the same shape with another id is then searched only where a PII value could
   * overlap its id, which is all that can differ from the shape as searched.
   * Undefined when the case does not apply.
   */
  private checkWithOneId(body: string, url: string, id: string, needles: PiiNeedle[]): PiiVerdict | null | undefined {
    if (id.length === 0 || url.includes(id)) return undefined;
    const shape = this.shapeOf(body, id, needles);
    if (shape === null) return undefined;
    const lead = this.leadData(shape.verdict, url, needles);
    if (lead !== null) return { reason: lead, cause: 'lead' };
    // Decoded forms may reach further than the id's neighbours: the full search decides.
    if (shape.edges === null || !PLAIN_NO_PLUS.test(id)) return undefined;
    const lowerId = id.toLowerCase();
    for (const [before, after] of shape.edges) {
      const around = before + lowerId + after;
      for (const n of needles) if (n.text !== null && around.includes(n.text)) return idSpells(n.field);
    }
    return null;
  }

  /** The body around its one id, and the verdict on it; null when the id is not in it exactly once. */
  private shapeOf(body: string, id: string, needles: PiiNeedle[]): Shape | null {
    const s = this.shape;
    const at = s?.before.length ?? -1;
    // The shape serves another id only where that id is in the body once, as on a first search.
    if (s && body.length === at + id.length + s.after.length && body.startsWith(id, at) && body.startsWith(s.before) && body.endsWith(s.after) && !s.before.includes(id) && !s.after.includes(id)) return s;
    const i = body.indexOf(id);
    if (i < 0 || body.indexOf(id, i + 1) >= 0) return null;
    const before = body.slice(0, i);
    const after = body.slice(i + id.length);
    const verdict = this.verdict(this.bodies, before + OWN_ID_MASK + after, bodyHaystack, needles);
    return (this.shape = { before, after, verdict, edges: plainEdges(before, after, needles) });
  }

  private leadData(fromBody: string | null, url: string, needles: PiiNeedle[]): string | null {
    if (fromBody?.startsWith('names')) return fromBody;
    const fromUrl = this.urlVerdict(url, needles);
    if (fromUrl?.startsWith('names')) return fromUrl;
    return fromBody ?? fromUrl;
  }

  private urlVerdict(url: string, needles: PiiNeedle[]): string | null {
    const named = this.pingUrls?.nameVerdict(url);
    if (named === undefined) return this.verdict(this.urls, url, cachedUrlHaystack, needles);
    if (named !== null) return named;
    if ((this.urlsClean ??= this.pingUrls!.clean(needles))) return null;
    return this.verdict(this.urls, url, cachedUrlHaystack, needles);
  }

  /** Why a payload part may not go (a PII name it uses, else a PII value in it), searched once per text. */
  private verdict(cache: Map<string, string | null>, text: string, haystackOf: (t: string) => Haystack, needles: PiiNeedle[]): string | null {
    let v = cache.get(text);
    if (v === undefined) {
      const h = haystackOf(text);
      v = nameReason(namedField(this.names, h)) ?? valueReason(valueField(needles, h));
      cache.set(text, v);
    }
    return v;
  }
}

// Verdicts are these sentences; one that names a field outranks one that finds a value.
function nameReason(field: string | null): string | null {
  return field === null ? null : `names PII field '${field}'`;
}

function valueReason(field: string | null): string | null {
  return field === null ? null : `contains the value of PII field '${field}'`;
}

/**
 * Null when the ping may go; otherwise why not (naming the field, never its value).
 */
export function piiViolation(fields: PlanField[], lead: Record<string, unknown>, body: string, url: string): string | null {
  return new PiiGuard(fields, lead).check(body, url)?.reason ?? null;
}

/**
 * For a pixel URL, null when it may go; otherwise why not. Pixels go to
 * third-party trackers, so a PII value is refused there as in a ping; a field's
 * name is not (a pixel commonly says `email=` for the digest of one, and a
 * digest is no value).
 */
export function piiInPixelUrl(fields: PlanField[], lead: Record<string, unknown>, url: string): string | null {
  if (piiNames(fields).size === 0) return null;
  return valueReason(valueField(piiNeedles(fields, lead), urlHaystack(url)));
}
