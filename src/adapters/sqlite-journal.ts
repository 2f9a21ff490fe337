// The delivery journal in the `attempts` table of a SQLite database: its own
// file, or the main store's database (SqliteStore journals through one of these
// on its connection; both create the table from the one DDL in schema.ts).
//
// What is recorded never holds lead values: see src/deliver/journal.ts.

import Database from 'better-sqlite3';
import { normalizeAttempt, type AttemptFilter, type AttemptKind, type AttemptOutcome, type AttemptRow, type DeliveryAttempt, type Journal } from '../deliver/journal.js';
import { isSqliteBusy, retryWhileBusy, StoreBusyError } from './errors.js';
import { ATTEMPTS_INDEX_SQL, ATTEMPTS_TABLE_SQL } from './schema.js';

interface SqlRow {
  id: number;
  lead_id: string;
  buyer: string;
  kind: AttemptKind;
  url: string;
  started_at: number;
  duration_ms: number;
  outcome: AttemptOutcome;
  status: number | null;
  detail: string | null;
  price: number | null;
}

export interface SqliteJournalOptions {
  /** On a file of its own: how long an attempt waits for another connection's
   *  write lock before it throws StoreBusyError, ms (default 5000). */
  busyTimeoutMs?: number;
}

/** A journal in a better-sqlite3 database (a path, ":memory:", or an open Database it does not own). */
export class SqliteJournal implements Journal {
  readonly db: Database.Database;
  private readonly owned: boolean;
  private readonly busyTimeoutMs: number;
  private readonly insert: Database.Statement;
  /** False when the table was made without the price column (an older main-store schema). */
  readonly hasPrice: boolean;

  constructor(db: Database.Database | string, options: SqliteJournalOptions = {}) {
    if (typeof db === 'string') {
      this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
      this.db = new Database(db, { timeout: this.busyTimeoutMs });
      try {
        retryWhileBusy(() => this.db.pragma('journal_mode = WAL'), this.busyTimeoutMs);
      } catch (err) {
        this.db.close();
        throw isSqliteBusy(err) ? new StoreBusyError(db, this.busyTimeoutMs, err) : err;
      }
      this.owned = true;
    } else {
      // Its owner (a SqliteStore) sets the wait and writes inside its own units.
      this.db = db;
      this.busyTimeoutMs = this.db.pragma('busy_timeout', { simple: true }) as number;
      this.owned = false;
    }
    retryWhileBusy(() => {
      this.db.exec(ATTEMPTS_TABLE_SQL);
      for (const s of ATTEMPTS_INDEX_SQL) this.db.exec(s);
    }, this.busyTimeoutMs);
    const cols = (this.db.prepare('PRAGMA table_info(attempts)').all() as { name: string }[]).map((c) => c.name);
    this.hasPrice = cols.includes('price');
    this.insert = this.db.prepare(
      this.hasPrice
        ? `INSERT INTO attempts (lead_id, buyer, kind, url, started_at, duration_ms, outcome, status, detail, price)
           VALUES (@leadId, @buyer, @kind, @url, @startedAt, @durationMs, @outcome, @status, @detail, @price)`
        : `INSERT INTO attempts (lead_id, buyer, kind, url, started_at, duration_ms, outcome, status, detail)
           VALUES (@leadId, @buyer, @kind, @url, @startedAt, @durationMs, @outcome, @status, @detail)`,
    );
  }

  recordAttempt(a: DeliveryAttempt): void {
    // An older table without a price column: the statement simply has no @price.
    // One INSERT is its own transaction: a busy lock means nothing was written.
    try {
      this.insert.run(normalizeAttempt(a));
    } catch (err) {
      throw isSqliteBusy(err) ? new StoreBusyError(this.db.name, this.busyTimeoutMs, err) : err;
    }
  }

  attempts(filter: AttemptFilter = {}): AttemptRow[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.buyer !== undefined) (where.push('buyer = @buyer'), (params.buyer = filter.buyer));
    if (filter.leadId !== undefined) (where.push('lead_id = @leadId'), (params.leadId = filter.leadId));
    if (filter.kind !== undefined) (where.push('kind = @kind'), (params.kind = filter.kind));
    if (filter.since !== undefined) (where.push('started_at >= @since'), (params.since = filter.since));
    if (filter.until !== undefined) (where.push('started_at < @until'), (params.until = filter.until));
    const sql = `SELECT id, lead_id, buyer, kind, url, started_at, duration_ms, outcome, status, detail, ${this.hasPrice ? 'price' : 'NULL AS price'} FROM attempts${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(params) as SqlRow[]).map((r) => ({
      id: r.id,
      leadId: r.lead_id,
      buyer: r.buyer,
      kind: r.kind,
      url: r.url,
      startedAt: r.started_at,
      durationMs: r.duration_ms,
      outcome: r.outcome,
      status: r.status,
      detail: r.detail,
      price: r.price,
    }));
  }

  close(): void {
    if (this.owned && this.db.open) this.db.close();
  }
}
