// API keys, one per source, and each source's limits. From a JSON file
// (`--keys FILE`) whose keys are written or, better, named environment
// variables; or from LEADROUTE_API_KEYS=`name:key,name:key` with the default
// limits. A key is compared in constant time and never logged, echoed or kept
// in an error message.
//
//   { "sources": [
//       { "name": "acme", "keyEnv": "ACME_API_KEY", "rate": { "max": 600, "window": "1 minute" },
//         "pings": { "max": 1200, "window": "1 minute" }, "flows": ["solar"] },
//       { "name": "test", "key": "dev-only-key" } ] }

import { createHash, timingSafeEqual } from 'node:crypto';

export interface Limit {
  max: number;
  /** The window the count runs over, ms. */
  windowMs: number;
}

export interface Source {
  name: string;
  /** Leads per window. */
  rate: Limit;
  /** Pings per window. */
  pings: Limit;
  /** The flows it may post to; null: every flow. */
  flows: string[] | null;
}

export const DEFAULT_RATE: Limit = { max: 600, windowMs: 60_000 };
export const DEFAULT_PINGS: Limit = { max: 1200, windowMs: 60_000 };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000 };

/** A window: ms, or text such as "1 minute", "30 s", "500ms". Null when it is neither. */
export function windowMsOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/.exec(v.toLowerCase());
  const unit = m ? UNIT_MS[m[2]!] : undefined;
  return m && unit !== undefined && Number(m[1]) > 0 ? Number(m[1]) * unit : null;
}
/** The environment variable a short list of keys may come from. */
export const KEYS_ENV = 'LEADROUTE_API_KEYS';

export class KeysError extends Error {}

/** The sources and their keys; a key is looked up by its hash, compared in constant time. */
export class ApiKeys {
  private readonly byHash = new Map<string, { digest: Buffer; source: Source }>();

  constructor(entries: { key: string; source: Source }[]) {
    for (const { key, source } of entries) {
      const digest = sha256(key);
      const id = digest.toString('hex');
      if (this.byHash.has(id)) throw new KeysError(`sources ${this.byHash.get(id)!.source.name} and ${source.name} have the same key`);
      this.byHash.set(id, { digest, source });
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  get sources(): Source[] {
    return [...this.byHash.values()].map((e) => e.source);
  }

  /** The source a key belongs to, or null. */
  sourceOf(key: string): Source | null {
    const digest = sha256(key);
    const hit = this.byHash.get(digest.toString('hex'));
    return hit !== undefined && timingSafeEqual(hit.digest, digest) ? hit.source : null;
  }
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function limitOf(v: unknown, where: string, dflt: Limit): Limit {
  if (v === undefined) return dflt;
  const o = v as { max?: unknown; window?: unknown };
  if (o === null || typeof o !== 'object' || !Number.isInteger(o.max) || (o.max as number) < 1) {
    throw new KeysError(`${where} must be { "max": a whole number of at least 1, "window": "1 minute" }`);
  }
  const windowMs = o.window === undefined ? dflt.windowMs : windowMsOf(o.window);
  if (windowMs === null) throw new KeysError(`${where}.window must be ms or a duration such as "1 minute", "30 s"`);
  return { max: o.max as number, windowMs };
}

/** Read a keys file's JSON text. `env` gives the values of `keyEnv` names. */
export function parseKeys(text: string, env: Readonly<Record<string, string | undefined>>): ApiKeys {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KeysError(`not valid JSON: ${(err as Error).message}`);
  }
  const sources = (json as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources) || sources.length === 0) throw new KeysError('expected { "sources": [ { "name": …, "keyEnv": … }, … ] }');
  const entries = sources.map((raw: unknown, i) => {
    const where = `sources[${i}]`;
    const s = raw as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object') throw new KeysError(`${where} must be an object`);
    const known = new Set(['name', 'key', 'keyEnv', 'rate', 'pings', 'flows']);
    const odd = Object.keys(s).find((k) => !known.has(k));
    if (odd !== undefined) throw new KeysError(`${where}: unknown key \`${odd}\` (known: ${[...known].join(', ')})`);
    if (typeof s.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(s.name)) throw new KeysError(`${where}.name must be 1 to 64 letters, digits, _ . -`);
    let key: string;
    if (typeof s.keyEnv === 'string') {
      const v = env[s.keyEnv];
      if (v === undefined || v === '') throw new KeysError(`${where} (${s.name}): the environment variable ${s.keyEnv} is not set`);
      key = v;
    } else if (typeof s.key === 'string' && s.key !== '') key = s.key;
    else throw new KeysError(`${where} (${s.name}) needs "keyEnv" (an environment variable's name) or "key"`);
    if (key.length < 8) throw new KeysError(`${where} (${s.name}): a key must be at least 8 characters`);
    const flows = s.flows === undefined ? null : s.flows;
    if (flows !== null && !(Array.isArray(flows) && flows.every((f) => typeof f === 'string'))) throw new KeysError(`${where}.flows must be a list of flow names`);
    return {
      key,
      source: { name: s.name, rate: limitOf(s.rate, `${where}.rate`, DEFAULT_RATE), pings: limitOf(s.pings, `${where}.pings`, DEFAULT_PINGS), flows },
    };
  });
  return new ApiKeys(entries);
}

/** `name:key,name:key` (LEADROUTE_API_KEYS), with the default limits. */
export function keysFromList(list: string): ApiKeys {
  const entries = list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((pair, i) => {
      const colon = pair.indexOf(':');
      if (colon <= 0) throw new KeysError(`${KEYS_ENV}: entry ${i + 1} is not name:key`);
      const name = pair.slice(0, colon);
      const key = pair.slice(colon + 1);
      if (key.length < 8) throw new KeysError(`${KEYS_ENV}: the key of ${name} must be at least 8 characters`);
      return { key, source: { name, rate: DEFAULT_RATE, pings: DEFAULT_PINGS, flows: null } };
    });
  if (entries.length === 0) throw new KeysError(`${KEYS_ENV} is set but names no key`);
  return new ApiKeys(entries);
}
