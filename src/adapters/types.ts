// What both stores offer beyond the router's RouterStore: batching writes in a
// transaction, the delivery journal (`attempts`, written by the HTTP side), and
// readers for the journals (simulator, reports, tests). docs/STORE.md describes
// the SQLite tables behind them.

import type { Decision } from '../runtime/decision.js';
import type { AttemptFilter, AttemptKind, AttemptRow, DeliveryAttempt } from '../deliver/journal.js';
import type { DecisionQuery, EventQuery, RouterStore, StateStats, StoreEvent } from '../runtime/store.js';

// The event vocabulary and the queries are the router's own (src/runtime/store.ts).
export { EVENT_KINDS, checkEvent, type EventQuery, type DecisionQuery } from '../runtime/store.js';

// The delivery journal's vocabulary is the delivery side's own (src/deliver/journal.ts):
// attempt kinds, outcomes, stored rows and filters.
export type { AttemptKind, AttemptOutcome } from '../deliver/journal.js';

/** One HTTP request to a buyer, as the delivery side journals it (also without
 *  `status` and `detail`: no answer, nothing to say), and how it is stored. */
export { normalizeAttempt, type DeliveryAttempt } from '../deliver/journal.js';

/** A journalled attempt as read back: the delivery journal's row. */
export type StoredAttempt = AttemptRow;

export type AttemptQuery = AttemptFilter;

export interface StoreStats extends StateStats {
  attempts: number;
}

/** A RouterStore with journals that can be read back, and transactions. */
export interface JournalStore extends RouterStore {
  /**
   * Run `fn` as one unit: for SQLite one transaction (rolled back if `fn`
   * throws; nested calls become savepoints); for memory simply `fn()`. Routing a
   * batch of leads inside one transaction is what makes SQLite fast.
   */
  transaction<T>(fn: () => T): T;
  /** Journal one HTTP attempt (the `attempts` table). */
  recordAttempt(attempt: DeliveryAttempt): void;
  /** Events in time order (ties in the order recorded). */
  events(query?: EventQuery): StoreEvent[];
  /** Journaled decisions in the order recorded. */
  decisions(query?: DecisionQuery): Decision[];
  /** Journaled HTTP attempts in the order recorded. */
  attempts(query?: AttemptQuery): StoredAttempt[];
  /** Drop cap counters and dedupe keys that expired at or before `now`. */
  sweep(now: number): void;
  stats(): StoreStats;
  /** Resolves once every write so far is committed (a store that commits later than each write: SQLite's `tick` mode). */
  committed?(): Promise<void>;
}

/** Run `fn` in `store`'s transaction when it has one, else just run it. */
export function inTransaction<T>(store: unknown, fn: () => T): T {
  const s = store as Partial<JournalStore> | null;
  return s !== null && typeof s === 'object' && typeof s.transaction === 'function' ? s.transaction(fn) : fn();
}

export const ATTEMPT_KINDS: readonly AttemptKind[] = ['ping', 'post', 'pixel'];

export function checkAttempt(a: DeliveryAttempt): void {
  if (!ATTEMPT_KINDS.includes(a.kind)) throw new Error(`unknown attempt kind '${String(a.kind)}'`);
  if (typeof a.buyer !== 'string' || a.buyer === '') throw new Error('an attempt needs a buyer');
  if (!Number.isFinite(a.startedAt)) throw new Error(`attempt start must be ms since the epoch, got ${String(a.startedAt)}`);
  if (!Number.isFinite(a.durationMs) || a.durationMs < 0) throw new Error(`attempt duration must be a non-negative number of ms, got ${String(a.durationMs)}`);
}
