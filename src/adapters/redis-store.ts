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
//   c:<counter>  cap and fair-split counters: a hash of the value (v) and the
//                expiry (x, ms) the router gave it, read and added to as
//                MemoryState does (an add after the expiry starts it again);
//                Redis drops it an hour after that (housekeeping)
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
  /** Counter → its value and expiry as read before the unit wrote it ([0, 0]: absent). */
  counterReads: Map<string, [number, number]>;
  /** Dedupe key → [now it was read at, whether it was present]. */
  keyReads: Map<string, [number, boolean]>;
  /** Event set → [since, count] as read. */
  countReads: Map<string, [number, number]>;
  /** Adds in order: counter, amount, expiry, and the routing clock they were made at. */
  adds: [string, number, number, number][];
  /** Counters the unit added to. */
  added: Set<string>;
  puts: Map<string, number>;
  events: StoreEvent[];
  decisions: Decision[];
}

// KEYS: every key the unit touches. ARGV[1]: the unit as JSON, naming keys by
// their index in KEYS. ARGV[2]: Redis-side expiry floor (ms). Answers {1} when
// applied, else {0, JSON} with Redis's state of every counter and dedupe key
// the unit touched, and the events of each count that no longer holds.
const CLAIM = `
local u = cjson.decode(ARGV[1])
local floor = tonumber(ARGV[2])
local stale = false
for _, r in ipairs(u.r) do
  local cur = redis.call('HMGET', KEYS[r[1]], 'v', 'x')
  local v, x = tonumber(cur[1] or '0'), tonumber(cur[2] or '0')
  if math.abs(v - r[2]) > ${SAME} or x ~= r[3] then stale = true end
end
for _, r in ipairs(u.x) do
  local exp = tonumber(redis.call('GET', KEYS[r[1]]) or '0')
  local present = 0
  if exp > r[2] then present = 1 end
  if present ~= r[3] then stale = true end
end
local counts = {}
for _, r in ipairs(u.c) do
  local n = redis.call('ZCOUNT', KEYS[r[1]], r[2], '+inf')
  if n ~= r[3] then
    stale = true
    table.insert(counts, {r[1], redis.call('ZRANGEBYSCORE', KEYS[r[1]], r[2], '+inf', 'WITHSCORES')})
  end
end
if stale then
  local now = {}
  for _, i in ipairs(u.cs) do
    local cur = redis.call('HMGET', KEYS[i], 'v', 'x')
    table.insert(now, {i, tonumber(cur[1] or '0'), tonumber(cur[2] or '0')})
  end
  for _, i in ipairs(u.ks) do table.insert(now, {i, tonumber(redis.call('GET', KEYS[i]) or '0')}) end
  return {0, cjson.encode({now = now, counts = counts})}
end
for _, a in ipairs(u.a) do
  local k = KEYS[a[1]]
  local cur = redis.call('HMGET', k, 'v', 'x')
  local x = tonumber(cur[2] or '0')
  if cur[1] == false or x <= a[4] then
    redis.call('HSET', k, 'v', a[2], 'x', a[3])
  else
    redis.call('HINCRBYFLOAT', k, 'v', a[2])
    if a[3] > x then redis.call('HSET', k, 'x', a[3]) end
  end
  local ttl = math.floor(math.max(a[3], x, floor) + ${GRACE_MS})
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

/** A refused unit's answer: [key index, value, expiry] per counter and [key index, expiry] per dedupe key it touched; the events of each stale count. */
interface RefusedUnit {
  now: ([number, number, number] | [number, number])[];
  counts: [number, string[]][];
}

interface ClaimingRedis extends Redis {
  leadrouteClaim(numKeys: number, ...args: (string | number)[]): Promise<ClaimAnswer>;
}

export class RedisStore implements JournalStore {
  private readonly redis: ClaimingRedis;
  private readonly local: JournalStore;
  private readonly prefix: string;
  /** Counter → [value, expiry ms], as this instance last knew them. */
  private readonly counters = new Map<string, [number, number]>();
  /** The latest routing time seen (as MemoryState's clock: an add after a counter's expiry starts it again). */
  private clock = -Infinity;
  private readonly keys = new Map<string, number>();
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

  /**
   * The store at once, connecting in the background (commands wait in
   * ioredis's queue until it is up). For callers that cannot wait; a service
   * uses connect(), which fails early when Redis is not there.
   */
  static open(url: string, options: RedisStoreOptions): RedisStore {
    const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis.on('error', () => undefined); // surfaced by the commands that fail
    return new RedisStore(redis, options);
  }

  /** True while the connection to Redis is up. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  // ------------------------------------------------------------ shared state

  get(key: string, now?: number): number {
    if (now !== undefined && now > this.clock) this.clock = now;
    const raw = this.counters.get(key);
    const u = this.unit;
    if (u !== null && !u.counterReads.has(key) && !u.added.has(key)) u.counterReads.set(key, raw === undefined ? [0, 0] : [raw[0], raw[1]]);
    if (raw === undefined || (now !== undefined && raw[1] <= now)) return 0;
    return raw[0];
  }

  add(key: string, amount: number, expiresAt: number): void {
    const raw = this.counters.get(key);
    if (raw === undefined || raw[1] <= this.clock) this.counters.set(key, [amount, expiresAt]);
    else this.counters.set(key, [raw[0] + amount, Math.max(raw[1], expiresAt)]);
    this.writesSinceSweep++;
    const u = this.unit;
    if (u === null) {
      const body = { r: [], x: [], c: [], a: [[1, amount, expiresAt, this.clockArg()]], p: [], e: [], cs: [], ks: [] };
      this.send(this.redis.leadrouteClaim(1, this.prefix + 'c:' + key, JSON.stringify(body), Date.now()));
      return;
    }
    u.adds.push([key, amount, expiresAt, this.clockArg()]);
    u.added.add(key);
  }

  /** The clock as JSON carries it (no -Infinity). */
  private clockArg(): number {
    return Number.isFinite(this.clock) ? this.clock : -1e300;
  }

  hasKey(key: string, now: number): boolean {
    if (now > this.clock) this.clock = now;
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
      this.send(this.redis.leadrouteClaim(1, this.prefix + 'k:' + key, JSON.stringify({ r: [], x: [], c: [], a: [], p: [[1, expiresAt]], e: [], cs: [], ks: [] }), Date.now()));
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
    const u: Unit = { counterReads: new Map(), keyReads: new Map(), countReads: new Map(), adds: [], added: new Set(), puts: new Map(), events: [], decisions: [] };
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
      r: [...u.counterReads].map(([k, [v, x]]) => [at(c(k)), v, x]),
      x: [...u.keyReads].map(([k, [now, present]]) => [at(kk(k)), now, present ? 1 : 0]),
      c: [...u.countReads].map(([set, [since, n]]) => [at(this.prefix + set), Number.isFinite(since) ? since : -1e300, n]),
      a: u.adds.map(([k, amount, exp, clock]) => [at(c(k)), amount, exp, clock]),
      p: [...u.puts].map(([k, exp]) => [at(kk(k)), exp]),
      e: u.events.map((e) => [at(this.prefix + this.eventSet(e.buyer, e.kind)), e.at, this.member(e)]),
      cs: [...new Set([...u.counterReads.keys(), ...u.added])].map((k) => at(c(k))),
      ks: [...new Set([...u.keyReads.keys(), ...u.puts.keys()])].map((k) => at(kk(k))),
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
    this.refresh(JSON.parse(stale ?? '{"now":[],"counts":[]}') as RefusedUnit, keys);
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

  /** Take back the events a refused (or failed) unit added to the copy (its counters and keys are refreshed from Redis). */
  private undo(u: Unit): void {
    for (const e of u.events) {
      const times = this.timesOf(this.eventSet(e.buyer, e.kind));
      const i = lowerBound(times, e.at);
      if (times[i] === e.at) times.splice(i, 1);
    }
  }

  /** Take Redis's state of everything a refused unit touched. */
  private refresh(answer: RefusedUnit, keys: string[]): void {
    const name = (i: number) => keys[i - 1]!.slice(this.prefix.length);
    // Lua's cjson writes an empty table as {}, not [].
    const list = <T>(x: T[] | object): T[] => (Array.isArray(x) ? x : []);
    for (const entry of list(answer.now)) {
      const n = name(entry[0]);
      if (n.startsWith('c:')) {
        if (entry[1] === 0 && (entry[2] ?? 0) === 0) this.counters.delete(n.slice(2));
        else this.counters.set(n.slice(2), [entry[1], entry[2] ?? 0]);
      } else if (entry[1] === 0) this.keys.delete(n.slice(2));
      else this.keys.set(n.slice(2), entry[1]);
    }
    for (const [i, flat] of list(answer.counts)) {
      // ZRANGEBYSCORE … WITHSCORES: member, score, member, score …
      const scores = list(flat);
      const times: number[] = [];
      for (let j = 1; j < scores.length; j += 2) times.push(Number(scores[j]));
      this.eventTimes.set(name(i), times);
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
    for (const [k, raw] of this.counters) if (raw[1] <= now) this.counters.delete(k);
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
