// A RouterStore in one SQLite file (better-sqlite3, synchronous): cap counters,
// dedupe keys, outcome events, the decision journal and the delivery journal
// survive a restart. WAL mode, so readers (reports, a second process) do not
// block the router; every statement is prepared once.
//
//   const store = new SqliteStore('leadroute.sqlite');
//   const router = new Router(plan, { store });
//   store.transaction(() => { for (const lead of batch) router.route(lead); });
//
// Each write outside `transaction` is its own commit; routing batches inside
// one transaction is an order of magnitude faster. Tables: docs/STORE.md.

import Database from 'better-sqlite3';
import type { PlanValue } from '../plan/index.js';
import { SqliteJournal } from './sqlite-journal.js';
import type { Decision, LeadError, PendingAuction, SoldTo, TraceEntry } from '../runtime/decision.js';
import type { EventKind, StoreEvent } from '../runtime/store.js';
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
  /** How long to wait for another process's write lock, ms (default 5000). */
  busyTimeoutMs?: number;
  /** PRAGMA synchronous: NORMAL (default; durable across a process crash, and in WAL
   *  mode loses at most the last commits on power loss) or FULL. */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * When writes made outside `transaction()` are committed.
   * - `statement` (default): each write is its own commit, visible to other
   *   connections at once.
   * - `tick`: writes are gathered into one transaction committed on the next
   *   turn of the event loop (setImmediate), or by flush()/close(), or after
   *   10,000 writes. Everything one synchronous burst of routing writes (a lead's
   *   cap counts, sale event and journal entry) commits together, several times
   *   faster; a crash loses at most the writes of the current tick.
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
  /** An implicit (tick-mode) transaction is open, with this many writes. */
  private implicitWrites = -1;
  /** Depth of transaction() calls in progress. */
  private explicitDepth = 0;

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
  private readonly tx: (fn: () => unknown) => unknown;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.tickCommit = options.commit === 'tick';
    this.db = new Database(path);
    try {
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
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
      this.write();
      this.sDelCap.run(key, now);
      return 0;
    }
    return row[0];
  }

  add(key: string, amount: number, expiresAt: number): void {
    const clock = this.clock === -Infinity ? -1 : this.clock;
    this.write();
    this.sAddCap.run(key, amount, expiresAt, clock, clock);
    this.maybeSweep();
  }

  // ------------------------------------------------------------ dedupe keys

  hasKey(key: string, now: number): boolean {
    if (now > this.clock) this.clock = now;
    const expiresAt = this.sGetKey.get(key) as number | undefined;
    if (expiresAt === undefined) return false;
    if (expiresAt <= now) {
      this.write();
      this.sDelKey.run(key, now);
      return false;
    }
    return true;
  }

  putKey(key: string, expiresAt: number): void {
    const clock = this.clock === -Infinity ? -1 : this.clock;
    this.write();
    this.sPutKey.run(key, expiresAt, clock);
    this.maybeSweep();
  }

  // ------------------------------------------------------------ events

  recordEvent(event: StoreEvent): void {
    checkEvent(event);
    this.write();
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
    const at = Date.parse(d.at);
    this.write();
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
    this.write();
    this.journal.recordAttempt(a); // the journal normalises it
  }

  attempts(query: AttemptQuery = {}): StoredAttempt[] {
    return this.journal.attempts(query);
  }

  // ------------------------------------------------------------ housekeeping

  transaction<T>(fn: () => T): T {
    this.explicitDepth++;
    try {
      return this.tx(fn) as T;
    } finally {
      this.explicitDepth--;
    }
  }

  /** Before a write: in tick mode, make sure an implicit transaction is open. */
  private write(): void {
    if (!this.tickCommit) return;
    if (this.implicitWrites >= 0) {
      if (++this.implicitWrites < TICK_MAX_WRITES || this.explicitDepth > 0) return;
      this.flush();
    }
    if (this.db.inTransaction) return; // inside transaction(): it commits
    this.db.exec('BEGIN');
    this.implicitWrites = 0;
    setImmediate(() => {
      if (this.db.open) this.flush();
    });
  }

  /** Commit writes gathered in `tick` mode now (a no-op otherwise). */
  flush(): void {
    if (this.implicitWrites < 0) return;
    this.implicitWrites = -1;
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  private maybeSweep(): void {
    if (++this.writesSinceSweep >= SWEEP_EVERY) {
      this.writesSinceSweep = 0;
      if (this.clock !== -Infinity) this.sweep(this.clock);
    }
  }

  sweep(now: number): void {
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
