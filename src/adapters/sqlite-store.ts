// A RouterStore in one SQLite file (better-sqlite3, synchronous): cap counters,
// dedupe keys, outcome events, the decision journal and the delivery journal
// survive a restart. WAL mode, so readers (reports, a second process) do not
// block the router; every statement is prepared once.
//
//   const store = new SqliteStore('leadroute.sqlite');
//   const router = new Router(plan, { store });
//   store.transaction(() => { for (const lead of batch) router.route(lead); });
//
// Crash-consistent and safe with several processes on one file: every write
// happens in a unit (atomic(): the router's lead; transaction(): a batch; or a
// lone write), and a unit starts with BEGIN IMMEDIATE, taking the write lock
// before its first read and waiting busyTimeoutMs at most for it (then a
// StoreBusyError, with nothing written). A lead's cap check, cap count, sale and
// decision thus commit together, and no other writer comes between them.
// Routing batches inside one transaction is an order of magnitude faster than
// a commit per lead. Modes and guarantees: docs/STORE.md.

import Database from 'better-sqlite3';
import type { PlanValue } from '../plan/index.js';
import { SqliteJournal } from './sqlite-journal.js';
import type { Decision, LeadError, PendingAuction, SoldTo, TraceEntry } from '../runtime/decision.js';
import type { EventKind, StoreEvent } from '../runtime/store.js';
import { isSqliteBusy, retryWhileBusy, StoreBusyError } from './errors.js';
import { migrate, schemaVersion } from './schema.js';
import {
  checkAttempt,
  checkEvent,
  type AttemptQuery,
  type DecisionQuery,
  type DeliveryAttempt,
  type EventQuery,
  type JournalStore,
  type StoredAttempt,
  type StoreStats,
} from './types.js';

/** Sweep expired counters and keys after this many writes to them. */
const SWEEP_EVERY = 4096;

export interface SqliteStoreOptions {
  /** How long a unit (a lead, a transaction(), a lone write) waits for another
   *  connection's write lock before it throws StoreBusyError, ms (default 5000).
   *  better-sqlite3 is synchronous: the process waits, its event loop too. */
  busyTimeoutMs?: number;
  /** PRAGMA synchronous: NORMAL (default; durable across a process crash, and in WAL
   *  mode loses at most the last commits on power loss) or FULL. */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * When writes made outside `transaction()` are committed.
   * - `statement` (default): each lead routed (and each lone write) is its own
   *   commit, visible to other connections at once.
   * - `tick`: the first lead (or write) of a turn of the event loop takes the
   *   write lock and opens a transaction that gathers every lead until the next
   *   turn (setImmediate), flush() or close(), or until a lead starts after
   *   10,000 writes. Several times faster; each lead is still a unit of its own
   *   inside it (a savepoint); a crash loses at most the current tick's leads,
   *   whole. Other processes wait for the lock while a tick is open.
   */
  commit?: 'statement' | 'tick';
}

/** In `tick` commit mode, commit after this many writes even within one tick. */
const TICK_MAX_WRITES = 10_000;

interface DecisionRow {
  lead_id: string;
  flow: string;
  status: Decision['status'];
  buyers: string;
  price: number;
  exclusive: number;
  rule_id: string | null;
  rule_text: string | null;
  rule_line: number | null;
  reason: string | null;
  errors: string | null;
  random: number;
  at: number;
  trace: string;
  hold_until: number | null;
  auction: string | null;
  rewrites: string | null;
  extra: string | null;
}

/** Decision fields with a column of their own; any other field goes to `extra` as JSON. */
const DECISION_COLUMNS = new Set([
  'leadId', 'flow', 'status', 'buyers', 'price', 'exclusive', 'rule', 'reason', 'errors', 'random', 'at', 'trace',
  'holdUntil', 'auction', 'rewrites',
]);

function extraFields(d: Decision): string | null {
  let extra: Record<string, unknown> | null = null;
  for (const k in d) {
    if (DECISION_COLUMNS.has(k)) continue;
    const v = (d as unknown as Record<string, unknown>)[k];
    if (v === undefined) continue;
    (extra ??= {})[k] = v;
  }
  return extra === null ? null : JSON.stringify(extra);
}

/** WHERE clause and parameters for optional equality and time-window filters. */
function where(eq: [string, unknown][], time: string, since?: number, until?: number): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [col, v] of eq) {
    if (v === undefined) continue;
    parts.push(`${col} = ?`);
    params.push(v);
  }
  if (since !== undefined) {
    parts.push(`${time} >= ?`);
    params.push(since);
  }
  if (until !== undefined) {
    parts.push(`${time} < ?`);
    params.push(until);
  }
  return { sql: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

export class SqliteStore implements JournalStore {
  readonly path: string;
  readonly db: Database.Database;
  private clock = -Infinity;
  private writesSinceSweep = 0;
  private readonly tickCommit: boolean;
  private readonly busyTimeoutMs: number;
  /** An implicit (tick-mode) transaction is open, with this many writes. */
  private implicitWrites = -1;
  /** Who waits for the open tick to commit (committed()). */
  private readonly commitWaiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** Units (atomic(), transaction()) in progress: inside one, this connection holds the write lock. */
  private depth = 0;

  private readonly sGetCap: Database.Statement;
  private readonly sDelCap: Database.Statement;
  private readonly sAddCap: Database.Statement;
  private readonly sGetKey: Database.Statement;
  private readonly sDelKey: Database.Statement;
  private readonly sPutKey: Database.Statement;
  private readonly sAddEvent: Database.Statement;
  private readonly sCountEvents: Database.Statement;
  private readonly sAddDecision: Database.Statement;
  /** The delivery journal (`attempts`), written and read by the delivery side's SQLite journal on this connection. */
  private readonly journal: SqliteJournal;
  private readonly sSweepCaps: Database.Statement;
  private readonly sSweepKeys: Database.Statement;
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.tickCommit = options.commit === 'tick';
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    this.db = new Database(path, { timeout: this.busyTimeoutMs });
    try {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      // A lead inside a batch or a tick is a savepoint: its sub-journal (a copy of
      // each page it changes) in memory rather than a temp file.
      this.db.pragma('temp_store = MEMORY');
      this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      retryWhileBusy(() => {
        this.db.pragma('journal_mode = WAL');
        migrate(this.db);
      }, this.busyTimeoutMs);
    } catch (err) {
      this.db.close();
      throw isSqliteBusy(err) ? new StoreBusyError(path, this.busyTimeoutMs, err) : err;
    }
    const db = this.db;
    this.sGetCap = db.prepare('SELECT value, expires_at FROM caps WHERE key = ?').raw();
    this.sDelCap = db.prepare('DELETE FROM caps WHERE key = ? AND expires_at <= ?');
    // A counter that expired (by the latest routing time seen) starts again.
    this.sAddCap = db.prepare(`
      INSERT INTO caps (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET
        value      = CASE WHEN caps.expires_at <= ? THEN excluded.value ELSE caps.value + excluded.value END,
        expires_at = CASE WHEN caps.expires_at <= ? THEN excluded.expires_at ELSE max(caps.expires_at, excluded.expires_at) END`);
    this.sGetKey = db.prepare('SELECT expires_at FROM dedupe_keys WHERE key = ?').pluck();
    this.sDelKey = db.prepare('DELETE FROM dedupe_keys WHERE key = ? AND expires_at <= ?');
    this.sPutKey = db.prepare(`
      INSERT INTO dedupe_keys (key, expires_at) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET expires_at =
        CASE WHEN dedupe_keys.expires_at <= ? OR excluded.expires_at > dedupe_keys.expires_at
             THEN excluded.expires_at ELSE dedupe_keys.expires_at END`);
    this.sAddEvent = db.prepare('INSERT INTO events (kind, buyer, lead_id, at, price) VALUES (?, ?, ?, ?, ?)');
    this.sCountEvents = db.prepare('SELECT count(*) FROM events WHERE buyer = ? AND kind = ? AND at >= ?').pluck();
    this.sAddDecision = db.prepare(`
      INSERT INTO decisions (lead_id, flow, status, buyers, price, exclusive, rule_id, rule_text, rule_line,
                             reason, errors, random, at, trace, hold_until, auction, rewrites, extra)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.journal = new SqliteJournal(db);
    this.sSweepCaps = db.prepare('DELETE FROM caps WHERE expires_at <= ?');
    this.sSweepKeys = db.prepare('DELETE FROM dedupe_keys WHERE expires_at <= ?');
    this.tx = db.transaction((fn: () => unknown) => fn());
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  get open(): boolean {
    return this.db.open;
  }

  // ------------------------------------------------------------ cap counters

  get(key: string, now?: number): number {
    if (now !== undefined && now > this.clock) this.clock = now;
    const row = this.sGetCap.get(key) as [number, number] | undefined;
    if (row === undefined) return 0;
    if (now !== undefined && row[1] <= now) {
      if (this.depth === 0) return this.atomic(() => this.get(key, now));
      this.wrote();
      this.sDelCap.run(key, now);
      return 0;
    }
    return row[0];
  }

  add(key: string, amount: number, expiresAt: number): void {
    if (this.depth === 0) return this.atomic(() => this.add(key, amount, expiresAt));
    const clock = this.clock === -Infinity ? -1 : this.clock;
    this.wrote();
    this.sAddCap.run(key, amount, expiresAt, clock, clock);
    this.maybeSweep();
  }

  // ------------------------------------------------------------ dedupe keys

  hasKey(key: string, now: number): boolean {
    if (now > this.clock) this.clock = now;
    const expiresAt = this.sGetKey.get(key) as number | undefined;
    if (expiresAt === undefined) return false;
    if (expiresAt <= now) {
      if (this.depth === 0) return this.atomic(() => this.hasKey(key, now));
      this.wrote();
      this.sDelKey.run(key, now);
      return false;
    }
    return true;
  }

  putKey(key: string, expiresAt: number): void {
    if (this.depth === 0) return this.atomic(() => this.putKey(key, expiresAt));
    const clock = this.clock === -Infinity ? -1 : this.clock;
    this.wrote();
    this.sPutKey.run(key, expiresAt, clock);
    this.maybeSweep();
  }

  // ------------------------------------------------------------ events

  recordEvent(event: StoreEvent): void {
    checkEvent(event);
    if (this.depth === 0) return this.atomic(() => this.recordEvent(event));
    this.wrote();
    this.sAddEvent.run(event.kind, event.buyer, event.leadId, event.at, event.price ?? null);
  }

  countEvents(buyer: string, kind: EventKind, since: number): number {
    return this.sCountEvents.get(buyer, kind, since) as number;
  }

  events(query: EventQuery = {}): StoreEvent[] {
    const w = where(
      [
        ['buyer', query.buyer],
        ['kind', query.kind],
        ['lead_id', query.leadId],
      ],
      'at',
      query.since,
      query.until,
    );
    const rows = this.db
      .prepare(`SELECT kind, buyer, lead_id, at, price FROM events${w.sql} ORDER BY at, id`)
      .all(...w.params) as { kind: EventKind; buyer: string; lead_id: string; at: number; price: number | null }[];
    return rows.map((r) => {
      const e: StoreEvent = { kind: r.kind, buyer: r.buyer, leadId: r.lead_id, at: r.at };
      if (r.price !== null) e.price = r.price;
      return e;
    });
  }

  // ------------------------------------------------------------ decision journal

  recordDecision(d: Decision): void {
    if (this.depth === 0) return this.atomic(() => this.recordDecision(d));
    const at = Date.parse(d.at);
    this.wrote();
    this.sAddDecision.run(
      d.leadId,
      d.flow,
      d.status,
      JSON.stringify(d.buyers),
      d.price,
      d.exclusive ? 1 : 0,
      d.rule?.id ?? null,
      d.rule?.text ?? null,
      d.rule?.line ?? null,
      d.reason,
      d.errors.length > 0 ? JSON.stringify(d.errors) : null,
      d.random,
      Number.isFinite(at) ? at : 0,
      JSON.stringify(d.trace),
      d.holdUntil ? Date.parse(d.holdUntil) : null,
      d.auction ? JSON.stringify(d.auction) : null,
      d.rewrites && Object.keys(d.rewrites).length > 0 ? JSON.stringify(d.rewrites) : null,
      extraFields(d),
    );
  }

  decisions(query: DecisionQuery = {}): Decision[] {
    const w = where([['lead_id', query.leadId]], 'at', query.since, query.until);
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = this.db.prepare(`SELECT * FROM decisions${w.sql} ORDER BY id${limit}`).all(...w.params) as DecisionRow[];
    return rows.map((r) => ({
      ...(r.extra === null ? {} : (JSON.parse(r.extra) as object)),
      leadId: r.lead_id,
      flow: r.flow,
      status: r.status,
      buyers: JSON.parse(r.buyers) as SoldTo[],
      exclusive: r.exclusive === 1,
      price: r.price,
      rule: r.rule_id === null ? null : { id: r.rule_id, text: r.rule_text ?? '', line: r.rule_line ?? 0 },
      reason: r.reason,
      errors: r.errors === null ? [] : (JSON.parse(r.errors) as LeadError[]),
      random: r.random,
      at: new Date(r.at).toISOString(),
      trace: JSON.parse(r.trace) as TraceEntry[],
      holdUntil: r.hold_until === null ? null : new Date(r.hold_until).toISOString(),
      auction: r.auction === null ? null : (JSON.parse(r.auction) as PendingAuction),
      rewrites: r.rewrites === null ? {} : (JSON.parse(r.rewrites) as Record<string, PlanValue>),
    }));
  }

  // ------------------------------------------------------------ delivery journal

  recordAttempt(a: DeliveryAttempt): void {
    checkAttempt(a);
    if (this.depth === 0) return this.atomic(() => this.recordAttempt(a));
    this.wrote();
    this.journal.recordAttempt(a); // the journal normalises it
  }

  attempts(query: AttemptQuery = {}): StoredAttempt[] {
    return this.journal.attempts(query);
  }

  // ------------------------------------------------------------ housekeeping

  /**
   * Run `fn` as one unit, committed when it returns (rolled back if it throws).
   * It takes the write lock first (BEGIN IMMEDIATE), waiting busyTimeoutMs at
   * most, then throws StoreBusyError without running `fn`. Inside another
   * transaction (or a tick's) it is a savepoint of it.
   */
  transaction<T>(fn: () => T): T {
    return this.db.inTransaction ? this.savepoint(fn) : this.immediate(fn);
  }

  /**
   * One lead (the router calls it around route() and commit()) or one lone
   * write: like transaction(), except that in `tick` mode it joins the tick's
   * transaction, opening it (BEGIN IMMEDIATE) for the first unit of the tick.
   */
  atomic<T>(fn: () => T): T {
    if (this.tickCommit && this.depth === 0) this.openTick();
    return this.transaction(fn);
  }

  /** A top-level unit: the write lock first, bounded, then `fn`. */
  private immediate<T>(fn: () => T): T {
    let began = false;
    this.depth++;
    try {
      return this.tx.immediate(() => {
        began = true;
        return fn();
      }) as T;
    } catch (err) {
      throw !began && isSqliteBusy(err) ? new StoreBusyError(this.path, this.busyTimeoutMs, err) : err;
    } finally {
      this.depth--;
    }
  }

  /** A unit inside an open transaction: a savepoint, so a unit that throws leaves nothing behind. */
  private savepoint<T>(fn: () => T): T {
    this.depth++;
    try {
      return this.tx(fn) as T;
    } finally {
      this.depth--;
    }
  }

  /** Tick mode, outside any unit: commit a tick grown past TICK_MAX_WRITES, and make sure one is open, holding the lock. */
  private openTick(): void {
    if (this.implicitWrites >= TICK_MAX_WRITES) this.flush();
    if (this.db.inTransaction) return;
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw isSqliteBusy(err) ? new StoreBusyError(this.path, this.busyTimeoutMs, err) : err;
    }
    this.implicitWrites = 0;
    setImmediate(() => {
      if (this.db.open) this.flush();
    });
  }

  /** After a write in a unit: count it towards the tick's limit. */
  private wrote(): void {
    if (this.implicitWrites >= 0) this.implicitWrites++;
  }

  /** Commit the leads gathered in `tick` mode now (a no-op otherwise, and inside a unit). */
  flush(): void {
    if (this.implicitWrites < 0 || this.depth > 0) return;
    this.implicitWrites = -1;
    const waiting = this.commitWaiters.splice(0);
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } catch (err) {
      for (const w of waiting) w.reject(err);
      throw err;
    }
    for (const w of waiting) w.resolve();
  }

  /**
   * Resolves once everything written so far is committed: at once, unless a
   * `tick` transaction is open, then when it commits (rejected if the commit
   * fails). A service answers after it, so nothing is acknowledged before it
   * is on disk.
   */
  committed(): Promise<void> {
    if (this.implicitWrites < 0 || !this.db.inTransaction) return Promise.resolve();
    return new Promise((resolve, reject) => this.commitWaiters.push({ resolve, reject }));
  }

  private maybeSweep(): void {
    if (++this.writesSinceSweep >= SWEEP_EVERY) {
      this.writesSinceSweep = 0;
      if (this.clock !== -Infinity) this.sweep(this.clock);
    }
  }

  sweep(now: number): void {
    if (this.depth === 0) return this.atomic(() => this.sweep(now));
    this.sSweepCaps.run(now);
    this.sSweepKeys.run(now);
  }

  stats(): StoreStats {
    const count = (table: string) => this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return {
      counters: count('caps'),
      keys: count('dedupe_keys'),
      events: count('events'),
      decisions: count('decisions'),
      attempts: count('attempts'),
    };
  }

  /** Close the database (idempotent). The file, with its -wal, holds everything. */
  close(): void {
    if (!this.db.open) return;
    this.flush();
    if (this.db.inTransaction) throw new Error('cannot close the store inside a transaction');
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}
