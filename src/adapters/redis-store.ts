// RedisStore: the router's shared state in Redis, for several instances of
// `leadroute serve` selling through the same buyers: cap counters, fair-split
// counts, dedupe keys and outcome events. The journals (decisions, attempts,
// the inbox) stay with each instance, in its own JournalStore (`local`).
//
// Routing is synchronous and Redis is not, so each instance routes a lead on a
// local copy of the counters and then sends the lead's unit to Redis: every
// value it read and every write it made. One Lua script checks that each value
// read is still what Redis holds and, only then, applies the writes; all of it
// runs atomically in Redis. When another instance got there first the script
// answers with Redis's values, the copy takes them, and the router routes the
// lead again (Router.routeConfirmed). So a cap of 100 is 100 across every
// instance, without a lock held while anything waits.
//
// The copy is written optimistically (a unit's writes show at once), so the
// leads one instance routes back to back chain on each other's counts; their
// scripts reach Redis in order on one connection and all hold.
//
// Redis keys, under `prefix` (default `leadroute:`):
//   c:<counter>  cap and fair-split counters (INCRBYFLOAT), expiring an hour
//                after their window ends (housekeeping only: a window's key
//                names its window)
//   k:<key>      dedupe keys (already hashed), holding their expiry in ms
//   e:<buyer>:<kind>  a sorted set of outcome events, scored by time
//
// Writes outside a routing unit (an outcome recorded from feedback, a counter
// set by hand) are applied to Redis as they come, unconditionally.

import { Redis } from 'ioredis';
import type { Decision } from '../runtime/decision.js';
import { lowerBound } from '../runtime/memory-state.js';
import { checkEvent, type EventKind, type RemoteUnit, type StoreEvent } from '../runtime/store.js';
import type { AttemptQuery, DecisionQuery, DeliveryAttempt, EventQuery, JournalStore, StoredAttempt, StoreStats } from './types.js';

export interface RedisStoreOptions {
  /** Where decisions, attempts and events are journalled for this instance (a MemoryStore or SqliteStore). */
  local: JournalStore;
  /** Prefix of every Redis key (default `leadroute:`): instances sharing state share it. */
  prefix?: string;
}

/** Counter values within this much are the same (dollar caps add floats). */
const SAME = 1e-6;
/** Sweep the local copy after this many writes. */
const SWEEP_EVERY = 4096;
/** Counters and keys outlive their expiry by this much in Redis (housekeeping). */
const GRACE_MS = 3_600_000;

interface Unit {
  /** Counter → the value read before the unit wrote it. */
  counterReads: Map<string, number>;
  /** Dedupe key → [now it was read at, whether it was present]. */
  keyReads: Map<string, [number, boolean]>;
  /** Event set → [since, count] as read. */
  countReads: Map<string, [number, number]>;
  adds: Map<string, [number, number]>;
  puts: Map<string, number>;
  events: StoreEvent[];
  decisions: Decision[];
}

// KEYS: every key the unit touches. ARGV[1]: the unit as JSON, naming keys by
// their index in KEYS. ARGV[2]: Redis-side expiry floor (ms). Answers
// {1} when applied, else {0, stale} with Redis's value of each key read.
const CLAIM = `
local u = cjson.decode(ARGV[1])
local floor = tonumber(ARGV[2])
local stale = {}
for _, r in ipairs(u.r) do
  local cur = tonumber(redis.call('GET', KEYS[r[1]]) or '0')
  if math.abs(cur - r[2]) > ${SAME} then table.insert(stale, {r[1], tostring(cur)}) end
end
for _, r in ipairs(u.x) do
  local exp = tonumber(redis.call('GET', KEYS[r[1]]) or '0')
  local present = 0
  if exp > r[2] then present = 1 end
  if present ~= r[3] then table.insert(stale, {r[1], tostring(exp)}) end
end
for _, r in ipairs(u.c) do
  local n = redis.call('ZCOUNT', KEYS[r[1]], r[2], '+inf')
  if n ~= r[3] then
    table.insert(stale, {r[1], cjson.encode(redis.call('ZRANGEBYSCORE', KEYS[r[1]], r[2], '+inf', 'WITHSCORES'))})
  end
end
if #stale > 0 then return {0, cjson.encode(stale)} end
for _, a in ipairs(u.a) do
  local k = KEYS[a[1]]
  redis.call('INCRBYFLOAT', k, a[2])
  local ttl = math.floor(math.max(a[3], floor) + ${GRACE_MS})
  if redis.call('PEXPIRETIME', k) < ttl then redis.call('PEXPIREAT', k, ttl) end
end
for _, p in ipairs(u.p) do
  local k = KEYS[p[1]]
  local old = tonumber(redis.call('GET', k) or '0')
  if p[2] > old then redis.call('SET', k, p[2], 'PXAT', math.floor(math.max(p[2], floor) + ${GRACE_MS})) end
end
for _, e in ipairs(u.e) do redis.call('ZADD', KEYS[e[1]], e[2], e[3]) end
return {1}
`;

type ClaimAnswer = [0 | 1, string?];

interface ClaimingRedis extends Redis {
  leadrouteClaim(numKeys: number, ...args: (string | number)[]): Promise<ClaimAnswer>;
}

export class RedisStore implements JournalStore {
  private readonly redis: ClaimingRedis;
  private readonly local: JournalStore;
  private readonly prefix: string;
  private readonly counters = new Map<string, number>();
  private readonly keys = new Map<string, number>();
  /** Counter → the latest expiry a write gave it (counters without one, fair-split counts, never expire). */
  private readonly counterExpiry = new Map<string, number>();
  private writesSinceSweep = 0;
  /** Event set → its scores, ascending, as far as this instance knows them. */
  private readonly eventTimes = new Map<string, number[]>();
  private unit: Unit | null = null;
  private seq = 0;
  private readonly pending = new Set<Promise<unknown>>();
  /** Units Redis refused because another instance had changed what they read. */
  conflicts = 0;
  /** Units applied. */
  applied = 0;

  private constructor(redis: Redis, options: RedisStoreOptions) {
    this.redis = redis as ClaimingRedis;
    this.local = options.local;
    this.prefix = options.prefix ?? 'leadroute:';
    this.redis.defineCommand('leadrouteClaim', { lua: CLAIM });
  }

  /** Connect to `url` (redis://host:port[/db]) and check the server answers. */
  static async connect(url: string, options: RedisStoreOptions): Promise<RedisStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    let lastError: Error | null = null;
    redis.on('error', (err: Error) => (lastError = err)); // surfaced by the commands that fail
    try {
      await redis.connect();
      const version = /redis_version:(\d+)/.exec(await redis.info('server'))?.[1];
      if (version !== undefined && Number(version) < 7) throw new Error(`Redis ${version} is too old: 7 or later is needed (PEXPIRETIME)`);
    } catch (err) {
      redis.disconnect();
      const why = (lastError as Error | null)?.message ?? (err instanceof Error ? err.message : String(err));
      throw new RedisUnavailableError(`cannot use Redis at ${redactUrl(url)}: ${why}`);
    }
    return new RedisStore(redis, options);
  }

  /** True while the connection to Redis is up. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  // ------------------------------------------------------------ shared state

  get(key: string): number {
    const value = this.counters.get(key) ?? 0;
    const u = this.unit;
    if (u !== null && !u.counterReads.has(key) && !u.adds.has(key)) u.counterReads.set(key, value);
    return value;
  }

  add(key: string, amount: number, expiresAt: number): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + amount);
    if (expiresAt > (this.counterExpiry.get(key) ?? 0)) this.counterExpiry.set(key, expiresAt);
    this.writesSinceSweep++;
    const u = this.unit;
    if (u === null) {
      this.send(this.redis.leadrouteClaim(1, this.prefix + 'c:' + key, JSON.stringify({ r: [], x: [], c: [], a: [[1, amount, expiresAt]], p: [], e: [] }), Date.now()));
      return;
    }
    const prev = u.adds.get(key);
    u.adds.set(key, prev === undefined ? [amount, expiresAt] : [prev[0] + amount, Math.max(prev[1], expiresAt)]);
  }

  hasKey(key: string, now: number): boolean {
    const present = (this.keys.get(key) ?? 0) > now;
    const u = this.unit;
    if (u !== null && !u.keyReads.has(key) && !u.puts.has(key)) u.keyReads.set(key, [now, present]);
    return present;
  }

  putKey(key: string, expiresAt: number): void {
    if (expiresAt > (this.keys.get(key) ?? 0)) this.keys.set(key, expiresAt);
    this.writesSinceSweep++;
    const u = this.unit;
    if (u === null) {
      this.send(this.redis.leadrouteClaim(1, this.prefix + 'k:' + key, JSON.stringify({ r: [], x: [], c: [], a: [], p: [[1, expiresAt]], e: [] }), Date.now()));
      return;
    }
    u.puts.set(key, Math.max(u.puts.get(key) ?? 0, expiresAt));
  }

  recordEvent(event: StoreEvent): void {
    checkEvent(event);
    const set = this.eventSet(event.buyer, event.kind);
    insertSorted(this.timesOf(set), event.at);
    const u = this.unit;
    if (u === null) {
      this.local.recordEvent(event);
      this.send(this.redis.zadd(this.prefix + set, event.at, this.member(event)));
      return;
    }
    u.events.push(event);
  }

  countEvents(buyer: string, kind: EventKind, since: number): number {
    const set = this.eventSet(buyer, kind);
    const times = this.timesOf(set);
    const n = times.length - lowerBound(times, since);
    const u = this.unit;
    if (u !== null && !u.countReads.has(set) && !u.events.some((e) => this.eventSet(e.buyer, e.kind) === set)) u.countReads.set(set, [since, n]);
    return n;
  }

  recordDecision(decision: Decision): void {
    if (this.unit === null) this.local.recordDecision(decision);
    else this.unit.decisions.push(decision);
  }

  remoteUnit<T>(fn: () => T): RemoteUnit<T> {
    if (this.unit !== null) throw new Error('a Redis unit cannot hold another');
    const u: Unit = { counterReads: new Map(), keyReads: new Map(), countReads: new Map(), adds: new Map(), puts: new Map(), events: [], decisions: [] };
    this.unit = u;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.unit = null;
      this.undo(u);
      throw err;
    }
    this.unit = null;
    this.maybeSweep();
    return { result, held: this.claim(u) };
  }

  private async claim(u: Unit): Promise<boolean> {
    const keys: string[] = [];
    const index = new Map<string, number>();
    const at = (k: string): number => {
      let i = index.get(k);
      if (i === undefined) {
        keys.push(k);
        i = keys.length;
        index.set(k, i);
      }
      return i;
    };
    const c = (k: string) => this.prefix + 'c:' + k;
    const kk = (k: string) => this.prefix + 'k:' + k;
    const body = {
      r: [...u.counterReads].map(([k, v]) => [at(c(k)), v]),
      x: [...u.keyReads].map(([k, [now, present]]) => [at(kk(k)), now, present ? 1 : 0]),
      c: [...u.countReads].map(([set, [since, n]]) => [at(this.prefix + set), Number.isFinite(since) ? since : -1e300, n]),
      a: [...u.adds].map(([k, [amount, exp]]) => [at(c(k)), amount, exp]),
      p: [...u.puts].map(([k, exp]) => [at(kk(k)), exp]),
      e: u.events.map((e) => [at(this.prefix + this.eventSet(e.buyer, e.kind)), e.at, this.member(e)]),
    };
    if (keys.length === 0) {
      this.journal(u);
      return true;
    }
    let answer: ClaimAnswer;
    try {
      answer = await this.track(this.redis.leadrouteClaim(keys.length, ...keys, JSON.stringify(body), Date.now()));
    } catch (err) {
      this.undo(u);
      throw err;
    }
    const [ok, stale] = answer;
    if (ok === 1) {
      this.applied++;
      this.journal(u);
      return true;
    }
    this.conflicts++;
    this.undo(u);
    this.refresh(JSON.parse(stale ?? '[]') as [number, string][], keys);
    return false;
  }

  /** The unit held: its decisions and events go to this instance's journal. */
  private journal(u: Unit): void {
    if (u.decisions.length === 0 && u.events.length === 0) return;
    this.local.transaction(() => {
      for (const e of u.events) this.local.recordEvent(e);
      for (const d of u.decisions) this.local.recordDecision(d);
    });
  }

  /** Take back what a refused (or failed) unit wrote to the copy. */
  private undo(u: Unit): void {
    for (const [k, [amount]] of u.adds) this.counters.set(k, (this.counters.get(k) ?? 0) - amount);
    for (const e of u.events) {
      const times = this.timesOf(this.eventSet(e.buyer, e.kind));
      const i = lowerBound(times, e.at);
      if (times[i] === e.at) times.splice(i, 1);
    }
  }

  /** Take Redis's values for the keys a refused unit read stale. */
  private refresh(stale: [number, string][], keys: string[]): void {
    for (const [i, value] of stale) {
      const full = keys[i - 1]!;
      const name = full.slice(this.prefix.length);
      if (name.startsWith('c:')) this.counters.set(name.slice(2), Number(value));
      else if (name.startsWith('k:')) this.keys.set(name.slice(2), Number(value));
      else {
        // ZRANGEBYSCORE … WITHSCORES: member, score, member, score …
        const flat = JSON.parse(value) as string[];
        const times: number[] = [];
        for (let j = 1; j < flat.length; j += 2) times.push(Number(flat[j]));
        this.eventTimes.set(name, times);
      }
    }
  }

  // ------------------------------------------------------------ the journals (this instance's)

  transaction<T>(fn: () => T): T {
    return this.local.transaction(fn);
  }

  recordAttempt(attempt: DeliveryAttempt): void {
    this.local.recordAttempt(attempt);
  }

  events(query?: EventQuery): StoreEvent[] {
    return this.local.events(query);
  }

  decisions(query?: DecisionQuery): Decision[] {
    return this.local.decisions(query);
  }

  attempts(query?: AttemptQuery): StoredAttempt[] {
    return this.local.attempts(query);
  }

  sweep(now: number): void {
    this.local.sweep(now);
    this.sweepCopy(now);
  }

  /** Forget expired counters and keys of the copy (Redis drops its own). */
  private sweepCopy(now: number): void {
    for (const [k, exp] of this.keys) if (exp <= now) this.keys.delete(k);
    for (const [k, exp] of this.counterExpiry) {
      if (exp <= now) {
        this.counterExpiry.delete(k);
        this.counters.delete(k);
      }
    }
  }

  /** Every SWEEP_EVERY writes, between units, sweep the copy (amortised O(1) a write). */
  private maybeSweep(): void {
    if (this.writesSinceSweep < SWEEP_EVERY) return;
    this.writesSinceSweep = 0;
    this.sweepCopy(Date.now());
  }

  stats(): StoreStats {
    return { ...this.local.stats(), counters: this.counters.size, keys: this.keys.size };
  }

  /** The local journal's commit (see JournalStore.committed). */
  committed(): Promise<void> {
    return this.local.committed?.() ?? Promise.resolve();
  }

  /** Wait for writes in flight, then close the connection and the local journal. */
  async shutdown(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.redis.quit().catch(() => undefined);
    this.local.close();
  }

  close(): void {
    this.redis.disconnect();
    this.local.close();
  }

  // ------------------------------------------------------------ helpers

  private eventSet(buyer: string, kind: EventKind): string {
    return `e:${buyer}:${kind}`;
  }

  private timesOf(set: string): number[] {
    let times = this.eventTimes.get(set);
    if (times === undefined) {
      times = [];
      this.eventTimes.set(set, times);
    }
    return times;
  }

  /** A sorted-set member unique to this event. */
  private member(e: StoreEvent): string {
    return `${e.leadId}|${e.at}|${process.pid}|${++this.seq}`;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  /** A write outside a unit: sent, not waited for; a failure is counted. */
  private send(p: Promise<unknown>): void {
    void this.track(p).catch(() => {
      this.lostWrites++;
    });
  }

  /** Writes outside a unit that Redis did not take (the connection was down). */
  lostWrites = 0;
}

/** Redis could not be reached (or is too old) when the store was opened. */
export class RedisUnavailableError extends Error {}

/** True for a redis:// or rediss:// URL (a store given as one is a RedisStore). */
export function isRedisUrl(s: string): boolean {
  return /^rediss?:\/\//i.test(s);
}

/** redis://user:secret@host → redis://user:***@host: a URL's password never reaches a message. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function insertSorted(xs: number[], x: number): void {
  const i = lowerBound(xs, x + 1e-9);
  xs.splice(i, 0, x);
}
