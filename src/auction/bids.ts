// Reading a bid from a buyer's ping answer, in the format its `bid` declares
// (../deliver/answers.ts), with the buyer's mapping (dotted paths) and an ajv
// schema: a duplicate or a rejection word is no bid (with the buyer's reason
// when it gives one); the price must be a finite, non-negative JSON number
// no greater than a sanity ceiling; the id a string or number; exclusive a
// boolean; states a list of strings; max age a non-negative number of seconds.
// Anything else is not a bid, with a reason.

import { Ajv, type ErrorObject } from 'ajv';
import type { PlanPing } from '../plan/index.js';
import type { HttpResult } from '../deliver/http.js';
import { failsBecause, numberFromText, parseAnswer, passes, rejectionWordIn, textOf } from '../deliver/answers.js';
import { brief, getPath } from '../deliver/paths.js';

export { numberFromText } from '../deliver/answers.js';

/** Default sanity ceiling for a bid, dollars. */
export const DEFAULT_MAX_BID = 10_000;

export interface ParsedBid {
  price: number;
  id: string | null;
  exclusive: boolean;
  states: string[] | null;
  maxAgeS: number | null;
  /** `carry NAME "path"` values, by name; absent when the mapping carries none. */
  carried?: Record<string, string>;
  /** The buyer's own words (`reason "path"`); absent when it gave none. */
  buyerReason?: string;
}

export type BidReading =
  | { outcome: 'bid'; bid: ParsedBid }
  | { outcome: 'no-bid' | 'invalid' | 'error' | 'timeout'; reason: string; buyerReason?: string };

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

/** Read a bid from a ping's HTTP result, in the answer format the mapping declares. */
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
  const parsed = parseAnswer(res.body, mapping.format);
  if (!parsed.ok) return { outcome: 'invalid', reason: parsed.reason };
  const body = parsed.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { outcome: 'invalid', reason: 'answer is not a JSON object' };
  const buyerReason = mapping.reason ? textOf(getPath(body, mapping.reason)) : null;
  // The buyer's words, when it gave any, on every reading of an answer that parsed.
  const said = buyerReason === null ? {} : { buyerReason };
  const declined = (reason: string): BidReading => ({ outcome: 'no-bid', reason: buyerReason === null ? reason : `${reason}: ${buyerReason}`, ...said });

  if (mapping.duplicate && passes(getPath(body, mapping.duplicate.path), mapping.duplicate)) {
    return declined(`duplicate (${mapping.duplicate.path} is ${brief(getPath(body, mapping.duplicate.path))})`);
  }
  const word = rejectionWordIn(res.body, mapping.rejectionWords);
  if (word !== undefined) return declined(`the answer holds the rejection word ${brief(word)}`);
  const rawPrice = numberFromText(getPath(body, mapping.price));
  if (mapping.accepted) {
    const v = getPath(body, mapping.accepted.path);
    if (!passes(v, mapping.accepted)) return declined(failsBecause(v, mapping.accepted));
  } else if (rawPrice === undefined || rawPrice === null || rawPrice === 0) {
    return declined(rawPrice === 0 ? `${mapping.price} is 0` : `no ${mapping.price} in the answer`);
  }
  if (rawPrice === undefined) return { outcome: 'invalid', reason: `no ${mapping.price} in the answer`, ...said };

  const candidate = {
    price: rawPrice,
    id: mapping.id ? (getPath(body, mapping.id) ?? null) : null,
    exclusive: mapping.exclusive ? (getPath(body, mapping.exclusive) ?? null) : null,
    states: mapping.states ? (getPath(body, mapping.states) ?? null) : null,
    maxAge: mapping.maxAge ? (numberFromText(getPath(body, mapping.maxAge)) ?? null) : null,
  };
  const validate = validatorFor(maxBid);
  if (!validate(candidate)) return { outcome: 'invalid', reason: describe(validate.errors, mapping), ...said };
  const price = candidate.price as number;
  if (!Number.isFinite(price)) return { outcome: 'invalid', reason: `${mapping.price} is not finite`, ...said };
  const bid: ParsedBid = {
    price: Math.round(price * 100) / 100,
    id: candidate.id === null ? null : String(candidate.id),
    exclusive: candidate.exclusive === true,
    states: (candidate.states as string[] | null)?.map((x) => x.toUpperCase()) ?? null,
    maxAgeS: candidate.maxAge as number | null,
    ...said,
  };
  if (mapping.carry && mapping.carry.length > 0) bid.carried = carriedOf(body, mapping.carry);
  return { outcome: 'bid', bid };
}

/** The values a bid carries to the post (`ping.NAME`): a string or number as text; '' when the answer has none. */
function carriedOf(body: unknown, carry: NonNullable<PlanPing['bid']['carry']>): Record<string, string> {
  // Built from entries: a name such as `__proto__` is an own key, never the prototype.
  return Object.fromEntries(carry.map((c) => [c.name, textOf(getPath(body, c.path)) ?? '']));
}
