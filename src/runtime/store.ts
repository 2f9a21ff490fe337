// The state the router keeps between leads, as one synchronous interface: cap
// counters, fair-share counts, duplicate keys, outcome events and the decision
// journal. Synchronous because both the in-memory and the SQLite store are, and
// routing a lead must not interleave with another lead's cap check. The router
// only knows this interface: its default is MemoryState (memory-state.ts), and
// the stores that also journal deliveries or keep state in a file are adapters
// (src/adapters).

import type { CapStore } from './caps.js';
import type { Decision } from './decision.js';

export type OutcomeKind = 'accepted' | 'rejected' | 'returned' | 'converted';

/** `sold` is recorded by the router when a buyer takes a lead; the others by `recordOutcome`. */
export type EventKind = 'sold' | OutcomeKind;

export interface StoreEvent {
  kind: EventKind;
  buyer: string;
  leadId: string;
  /** ms since the epoch. */
  at: number;
  /** Dollars, for `sold`. */
  price?: number;
}

export const EVENT_KINDS: readonly EventKind[] = ['sold', 'accepted', 'rejected', 'returned', 'converted'];

/** Throws on an event no store may record (a store's guard, as SQLite's CHECK is). */
export function checkEvent(e: StoreEvent): void {
  if (!EVENT_KINDS.includes(e.kind)) throw new Error(`unknown event kind '${String(e.kind)}'`);
  if (typeof e.buyer !== 'string' || e.buyer === '') throw new Error('an event needs a buyer');
  if (typeof e.leadId !== 'string') throw new Error('an event needs a lead id');
  if (!Number.isFinite(e.at)) throw new Error(`event time must be ms since the epoch, got ${String(e.at)}`);
}

export interface EventQuery {
  buyer?: string;
  kind?: EventKind;
  leadId?: string;
  /** ms, inclusive. */
  since?: number;
  /** ms, exclusive. */
  until?: number;
}

export interface DecisionQuery {
  leadId?: string;
  /** ms, inclusive. */
  since?: number;
  /** ms, exclusive. */
  until?: number;
  /** At most this many, oldest first. */
  limit?: number;
}

/** What a store holds, for reports and tests. */
export interface StateStats {
  /** Cap counters held (expired ones included until swept). */
  counters: number;
  /** Dedupe keys held (expired ones included until swept). */
  keys: number;
  events: number;
  decisions: number;
}

export interface RouterStore extends CapStore {
  /** True while a duplicate-suppression key is remembered (not expired at `now`). */
  hasKey(key: string, now: number): boolean;
  /** Remember a key until `expiresAt` (ms). */
  putKey(key: string, expiresAt: number): void;
  recordEvent(event: StoreEvent): void;
  /** How many events of this kind for this buyer at or after `since` (ms). */
  countEvents(buyer: string, kind: EventKind, since: number): number;
  /** Append a decision to the journal. */
  recordDecision(decision: Decision): void;
  /**
   * Run `fn`, one lead's routing (its cap and dedupe reads, cap counts, sale
   * events and decision), as one unit: all of it is written or none, and no
   * other writer comes between its reads and its writes, so a cap check and
   * its count cannot be split. The router calls it around route() and commit()
   * when the store has it. A store shared by several processes must have it
   * (SQLite: one BEGIN IMMEDIATE transaction, or a savepoint inside an open
   * one); state in one process needs none, routing being synchronous.
   */
  atomic?<T>(fn: () => T): T;
  /**
   * For a store shared through a server (Redis): run `fn` as one unit against
   * the store's local copy, and send its reads and writes to the server, which
   * applies the writes only if everything the unit read still holds there.
   * `held` resolves true once applied; false when another process had changed
   * something the unit read (the copy is then refreshed, and the caller runs
   * the unit again: routeConfirmed, commitConfirmed). Routing stays synchronous;
   * only the confirmation waits.
   */
  remoteUnit?<T>(fn: () => T): RemoteUnit<T>;
  /** Release resources (close the database). */
  close(): void;
}

/** True when `s` implements the whole RouterStore (not only the cap counters). */
export function isRouterStore(s: CapStore): s is RouterStore {
  const r = s as Partial<RouterStore>;
  return (
    typeof r.hasKey === 'function' &&
    typeof r.putKey === 'function' &&
    typeof r.recordEvent === 'function' &&
    typeof r.countEvents === 'function' &&
    typeof r.recordDecision === 'function'
  );
}

/** A unit run on a shared store's local copy, and whether the server applied it. */
export interface RemoteUnit<T> {
  result: T;
  held: Promise<boolean>;
}

/** How many times a unit is run again after another process changed what it read. */
export const REMOTE_UNIT_TRIES = 25;

/** Run `fn` as a remote unit until the server applies it (see RouterStore.remoteUnit);
 *  `refreshed` is called each time the local copy was found stale and refreshed. */
export async function runConfirmed<T>(remoteUnit: <U>(fn: () => U) => RemoteUnit<U>, fn: () => T, refreshed: () => void): Promise<T> {
  for (let tries = 1; ; tries++) {
    const unit = remoteUnit(fn);
    if (await unit.held) return unit.result;
    refreshed();
    if (tries >= REMOTE_UNIT_TRIES) {
      throw new Error(`the shared store kept changing under this lead (other instances routing the same buyers): not applied after ${REMOTE_UNIT_TRIES} tries`);
    }
  }
}
