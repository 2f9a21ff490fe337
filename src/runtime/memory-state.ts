// The router's state in memory, with no I/O: cap counters and dedupe keys in
// Maps with expiry, outcome events and decisions in arrays. The Router's
// default store. Expired counters and keys are dropped lazily: when read with
// a `now` past their expiry, and by an occasional sweep as they are added.
// Nothing survives the process. MemoryStore (src/adapters) adds the delivery
// journal and transactions to it; SqliteStore keeps the same state in a file.

import type { Decision } from './decision.js';
import { checkEvent, type DecisionQuery, type EventKind, type EventQuery, type RouterStore, type StateStats, type StoreEvent } from './store.js';

interface Bucket {
  value: number;
  expiresAt: number;
}

/** Sweep expired buckets after this many adds (amortised O(1) per add). */
const SWEEP_EVERY = 4096;

export interface MemoryStateOptions {
  /** Keep at most about this many decisions in the journal (the most recent); unbounded by default. */
  decisionLimit?: number;
}

/** First index in the ascending array `xs` whose value is >= `x`. */
export function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const inWindow = (t: number, since: number | undefined, until: number | undefined): boolean =>
  (since === undefined || t >= since) && (until === undefined || t < until);

export class MemoryState implements RouterStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly keys = new Map<string, number>();
  private readonly eventLog: StoreEvent[] = [];
  /** `buyer \0 kind` → event times, ascending, for countEvents. */
  private readonly eventTimes = new Map<string, number[]>();
  private decisionLog: Decision[] = [];
  private readonly decisionLimit: number;
  /** The latest routing time seen, used by the sweep. */
  private clock = -Infinity;
  private addsSinceSweep = 0;

  constructor(options: MemoryStateOptions = {}) {
    this.decisionLimit = options.decisionLimit ?? Infinity;
  }

  // ------------------------------------------------------------ cap counters

  get(key: string, now?: number): number {
    if (now !== undefined && now > this.clock) this.clock = now;
    const b = this.buckets.get(key);
    if (b === undefined) return 0;
    if (now !== undefined) {
      if (b.expiresAt <= now) {
        this.buckets.delete(key);
        return 0;
      }
    }
    return b.value;
  }

  add(key: string, amount: number, expiresAt: number): void {
    const b = this.buckets.get(key);
    if (b === undefined || b.expiresAt <= this.clock) {
      this.buckets.set(key, { value: amount, expiresAt });
    } else {
      b.value += amount;
      if (expiresAt > b.expiresAt) b.expiresAt = expiresAt;
    }
    this.maybeSweep();
  }

  // ------------------------------------------------------------ dedupe keys

  hasKey(key: string, now: number): boolean {
    if (now > this.clock) this.clock = now;
    const expiresAt = this.keys.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt <= now) {
      this.keys.delete(key);
      return false;
    }
    return true;
  }

  putKey(key: string, expiresAt: number): void {
    const prev = this.keys.get(key);
    if (prev === undefined || prev <= this.clock || expiresAt > prev) this.keys.set(key, expiresAt);
    this.maybeSweep();
  }

  // ------------------------------------------------------------ events

  recordEvent(event: StoreEvent): void {
    checkEvent(event);
    const e: StoreEvent = { kind: event.kind, buyer: event.buyer, leadId: event.leadId, at: event.at };
    if (event.price !== undefined && event.price !== null) e.price = event.price;
    this.eventLog.push(e);
    const k = `${e.buyer}\u0000${e.kind}`;
    let times = this.eventTimes.get(k);
    if (times === undefined) this.eventTimes.set(k, (times = []));
    if (times.length === 0 || times[times.length - 1]! <= e.at) times.push(e.at);
    else times.splice(lowerBound(times, e.at), 0, e.at); // out of order: keep the times sorted
  }

  countEvents(buyer: string, kind: EventKind, since: number): number {
    const times = this.eventTimes.get(`${buyer}\u0000${kind}`);
    if (times === undefined) return 0;
    return times.length - lowerBound(times, since);
  }

  events(query: EventQuery = {}): StoreEvent[] {
    const out = this.eventLog.filter(
      (e) =>
        (query.buyer === undefined || e.buyer === query.buyer) &&
        (query.kind === undefined || e.kind === query.kind) &&
        (query.leadId === undefined || e.leadId === query.leadId) &&
        inWindow(e.at, query.since, query.until),
    );
    return out.map((e) => ({ ...e })).sort((a, b) => a.at - b.at); // sort is stable
  }

  // ------------------------------------------------------------ journals

  recordDecision(decision: Decision): void {
    this.decisionLog.push(decision);
    if (this.decisionLog.length > 2 * this.decisionLimit) {
      this.decisionLog = this.decisionLog.slice(this.decisionLog.length - this.decisionLimit);
    }
  }

  decisions(query: DecisionQuery = {}): Decision[] {
    let out = this.decisionLog;
    if (this.decisionLog.length > this.decisionLimit) out = out.slice(out.length - this.decisionLimit);
    if (query.leadId !== undefined || query.since !== undefined || query.until !== undefined) {
      out = out.filter((d) => (query.leadId === undefined || d.leadId === query.leadId) && inWindow(Date.parse(d.at), query.since, query.until));
    }
    return query.limit !== undefined ? out.slice(0, query.limit) : out.slice();
  }

  // ------------------------------------------------------------ housekeeping

  private maybeSweep(): void {
    if (++this.addsSinceSweep >= SWEEP_EVERY) {
      this.addsSinceSweep = 0;
      this.sweep(this.clock);
    }
  }

  /** Drop every counter and key that expired at or before `now`. */
  sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.expiresAt <= now) this.buckets.delete(k);
    for (const [k, e] of this.keys) if (e <= now) this.keys.delete(k);
  }

  /** Number of cap counters held (expired ones included until dropped). */
  get size(): number {
    return this.buckets.size;
  }

  stats(): StateStats {
    return {
      counters: this.buckets.size,
      keys: this.keys.size,
      events: this.eventLog.length,
      decisions: Math.min(this.decisionLog.length, this.decisionLimit),
    };
  }

  /** Forget everything. */
  clear(): void {
    this.buckets.clear();
    this.keys.clear();
    this.eventLog.length = 0;
    this.eventTimes.clear();
    this.decisionLog = [];
    this.clock = -Infinity;
    this.addsSinceSweep = 0;
  }

  /** Nothing to release; the store stays usable. */
  close(): void {}
}
