// Reading a bid from a buyer's ping answer, with the buyer's mapping (dotted
// paths) and an ajv schema: the price must be a finite, non-negative JSON number
// no greater than a sanity ceiling; the id a string or number; exclusive a
// boolean; states a list of strings; max age a non-negative number of seconds.
// Anything else is not a bid, with a reason.

import { Ajv, type ErrorObject } from 'ajv';
import type { PlanPing } from '../plan/index.js';
import type { HttpResult } from '../deliver/http.js';
import { brief, getPath, tryJson } from '../deliver/paths.js';

/** Default sanity ceiling for a bid, dollars. */
export const DEFAULT_MAX_BID = 10_000;

export interface ParsedBid {
  price: number;
  id: string | null;
  exclusive: boolean;
  states: string[] | null;
  maxAgeS: number | null;
}

export type BidReading =
  | { outcome: 'bid'; bid: ParsedBid }
  | { outcome: 'no-bid' | 'invalid' | 'error' | 'timeout'; reason: string };

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

function bidSchema(max: number) {
  return {
    type: 'object',
    properties: {
      price: { type: 'number', minimum: 0, maximum: max },
      id: { type: ['string', 'number', 'null'] },
      exclusive: { type: ['boolean', 'null'] },
      states: { anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }] },
      maxAge: { anyOf: [{ type: 'null' }, { type: 'number', minimum: 0 }] },
    },
    required: ['price'],
    additionalProperties: false,
  };
}

const validators = new Map<number, ReturnType<typeof ajv.compile>>();
function validatorFor(max: number) {
  let v = validators.get(max);
  if (!v) validators.set(max, (v = ajv.compile(bidSchema(max))));
  return v;
}

function describe(errors: ErrorObject[] | null | undefined, mapping: PlanPing['bid']): string {
  const e = errors?.[0];
  if (!e) return 'invalid bid';
  const field = e.instancePath.replace(/^\//, '') || 'bid';
  const path =
    field === 'price' ? mapping.price : field === 'id' ? mapping.id : field === 'exclusive' ? mapping.exclusive : field === 'states' ? mapping.states : field === 'maxAge' ? mapping.maxAge : null;
  const where = path ? `${field} (${path})` : field;
  if (e.keyword === 'type') return `${where} is not a ${String((e.params as { type: unknown }).type).replace(/,/g, ' or ')}`;
  if (e.keyword === 'minimum') return `${where} is negative`;
  if (e.keyword === 'maximum') return `${where} is above the ceiling of ${(e.params as { limit: number }).limit}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** A plain decimal number written as text (`"6.66"`, `" 12 "`), as many buyers
 *  answer, read as the number; anything else is left as it is (and judged by
 *  the bid's schema: `"6,66"` or `"$6"` is no price). */
export function numberFromText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  return /^-?(?:\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : v;
}

/** Read a bid from a ping's HTTP result. */
export function readBid(res: HttpResult, mapping: PlanPing['bid'], maxBid = DEFAULT_MAX_BID): BidReading {
  if (!res.ok) {
    if (res.error === 'timeout') return { outcome: 'timeout', reason: res.detail };
    if (res.error === 'too-large') return { outcome: 'invalid', reason: res.detail };
    return { outcome: 'error', reason: res.detail };
  }
  const s = res.status;
  if (s >= 500) return { outcome: 'error', reason: `HTTP ${s}` };
  if (s === 204) return { outcome: 'no-bid', reason: 'HTTP 204 (no content)' };
  if (s < 200 || s >= 300) return { outcome: 'invalid', reason: `HTTP ${s}` };
  const parsed = tryJson(res.body);
  if (!parsed.ok) return { outcome: 'invalid', reason: 'answer is not JSON' };
  const body = parsed.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { outcome: 'invalid', reason: 'answer is not a JSON object' };

  const rawPrice = numberFromText(getPath(body, mapping.price));
  if (mapping.accepted) {
    const v = getPath(body, mapping.accepted.path);
    if (v !== mapping.accepted.equals) {
      return { outcome: 'no-bid', reason: `${mapping.accepted.path} is ${brief(v)}, not ${brief(mapping.accepted.equals)}` };
    }
  } else if (rawPrice === undefined || rawPrice === null || rawPrice === 0) {
    return { outcome: 'no-bid', reason: rawPrice === 0 ? `${mapping.price} is 0` : `no ${mapping.price} in the answer` };
  }
  if (rawPrice === undefined) return { outcome: 'invalid', reason: `no ${mapping.price} in the answer` };

  const candidate = {
    price: rawPrice,
    id: mapping.id ? (getPath(body, mapping.id) ?? null) : null,
    exclusive: mapping.exclusive ? (getPath(body, mapping.exclusive) ?? null) : null,
    states: mapping.states ? (getPath(body, mapping.states) ?? null) : null,
    maxAge: mapping.maxAge ? (numberFromText(getPath(body, mapping.maxAge)) ?? null) : null,
  };
  const validate = validatorFor(maxBid);
  if (!validate(candidate)) return { outcome: 'invalid', reason: describe(validate.errors, mapping) };
  const price = candidate.price as number;
  if (!Number.isFinite(price)) return { outcome: 'invalid', reason: `${mapping.price} is not finite` };
  return {
    outcome: 'bid',
    bid: {
      price: Math.round(price * 100) / 100,
      id: candidate.id === null ? null : String(candidate.id),
      exclusive: candidate.exclusive === true,
      states: (candidate.states as string[] | null)?.map((x) => x.toUpperCase()) ?? null,
      maxAgeS: candidate.maxAge as number | null,
    },
  };
}
