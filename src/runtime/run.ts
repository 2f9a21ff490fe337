// What the router and the routing models share about routing one lead: the
// reused Run object, the numeric outcome and refusal codes, and the small
// formatting helpers traces use.
//
// The hot path is written for a 100,000-lead run: one Run per router, reset
// for each lead (no per-lead objects or closures), and outcomes and refusals as
// small integers rather than strings or objects.

import { createHash } from 'node:crypto';
import type { PlanValue } from '../plan/index.js';
import type { CapCounter } from './caps.js';
import type { PendingAuction, SoldTo, TraceEntry } from './decision.js';
import { describeValues, type EvalContext, type Evaluator } from './expr.js';
import type { LoadedBuyer, LoadedCondition, LoadedRule } from './load.js';
import type { SeededRandom } from './random.js';

/** What an action did with the lead. */
export const NOT_PLACED = 0;
export const PLACED = 1;
export const STOPPED = 2;
export const AUCTION = 3;
export type Outcome = typeof NOT_PLACED | typeof PLACED | typeof STOPPED | typeof AUCTION;

/** Why a buyer could not take the lead (Engine.check). */
export const OK = 0;
export const FAIL_FILTER = 1;
export const FAIL_CLOSED = 2;
export const FAIL_CAP = 3;
export const FAIL_HOLIDAY = 4;
export const FAIL_MISSING = 5;
export const FAIL_DUPLICATE = 6;
export const FAIL_EXCLUDED = 7;
/** The buyer's price for the lead is not a finite, non-negative amount (detail: the price). */
export const FAIL_PRICE = 8;

/** How far ahead a held lead's next opening is searched. */
export const HOLD_MAX_DAYS = 14;
/** Expiry of fair-split counters: they are state, not windows. */
export const FOREVER = 8_640_000_000_000_000;

export type Premium = { kind: 'percent' | 'dollars'; amount: number };

export interface Hold {
  buyer: LoadedBuyer;
  until: number;
  price: number;
  rule: LoadedRule | null;
}

/** Everything about routing one lead. */
export interface Run {
  ctx: EvalContext;
  leadId: string;
  rng: SeededRandom;
  trace: TraceEntry[] | null;
  sold: SoldTo[];
  exclusive: boolean;
  rule: LoadedRule | null;
  rejectReason: string | null;
  /** Rules whose condition held. */
  matched: number;
  /** Refusals, as triples (buyer index, FAIL_*, detail), for the unrouted reason. */
  fails: unknown[];
  /** Entries of `fails` in use (the array is reused across leads). */
  failCount: number;
  /** Flows being run, for the runtime cycle guard. */
  flowStack: number[];
  /** The flow `route` started with (the stack holds only nested flows). */
  topFlow: number;
  /** Stamp of the action being run (see Router.tried). */
  stamp: number;
  /** Whether the action being run is a share (shared sale). */
  shared: boolean;
  /** The rule being run (for trace entries). */
  ruleId: string | undefined;
  /** The rule whose action is being run. */
  current: LoadedRule | null;
  /** Price computed by the last successful check(). */
  price: number;
  /** The cap counter that refused in the last check() (FAIL_CAP). */
  full: CapCounter | null;
  /** Deferred delivery time for the sales being made (hybrid secondaries). */
  deliverAt: string | null;
  /** The first hold registered by a closed `off hours hold` buyer. */
  hold: Hold | null;
  /** Fields rewritten by fallback chains (null: none). */
  rewrites: Record<string, PlanValue> | null;
  auction: PendingAuction | null;
  /** Buyers excluded for this lead (RouteOptions.exclude); null: none. */
  excluded: ReadonlySet<string> | null;
}

/** A shared empty list (no rule caps, no extra counters): no allocation per call. */
export const EMPTY: never[] = [];
export const DAY_MS = 86_400_000;

export function money(n: number): string {
  return '$' + n.toFixed(2);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * A price expression's value on the lead, in cents-rounded dollars: 0 when it
 * gives no number (no price, or a missing optional field), the value itself
 * when it is not finite. A price that is not finite (`100 / (score - 600)` at
 * 600), or negative, is never sold at: priceProblem says why, and the cap
 * refusal (clauses/cap.ts) skips the buyer.
 */
export function priceOf(f: Evaluator | null, ctx: EvalContext): number {
  if (f === null) return 0;
  const v = f(ctx);
  if (typeof v !== 'number') return 0;
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : v;
}

/** Why a lead cannot be sold at `price` ("price -50 is negative"), or null when it can. */
export function priceProblem(price: number): string | null {
  if (Number.isFinite(price)) return price < 0 ? `price ${price} is negative` : null;
  return `price ${price} is not a finite amount`;
}

export function numberOrNull(f: Evaluator | null, ctx: EvalContext): number | null {
  if (f === null) return null;
  const v = f(ctx);
  return typeof v === 'number' && Number.isFinite(v) ? round2(v) : null;
}

export function condFailed(c: LoadedCondition, ctx: EvalContext): string {
  const values = describeValues(c.refs, ctx);
  return `\`${c.text}\` is false${values ? ` (${values})` : ''}`;
}

/** `30d`, `12h`, `90m`, `45s`, `500ms`: the largest unit that divides the duration. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY_MS, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size}${name}`;
  return `${ms}ms`;
}

/** A value is "present" for `requires` when it is not missing, not blank text and not an empty list. */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** Normalise a value for duplicate detection: emails trimmed and lower-cased, phones
 *  to their last 10 digits, anything else trimmed and lower-cased. '' when unusable. */
export function normaliseForDedupe(v: unknown, norm: 'email' | 'phone' | 'text'): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  if (norm === 'phone') return s.replace(/\D+/g, '').slice(-10);
  return s.trim().toLowerCase();
}

/** The store key remembering that `value` of `field` was sold to `buyer`: sha256 hex (no PII stored). */
export function dedupeKey(buyer: string, field: string, value: string): string {
  return createHash('sha256').update(`${buyer}\u0000${field}\u0000${value}`).digest('hex');
}

export function pct(x: number): string {
  return `${Math.round(x * 10) / 10}%`;
}
