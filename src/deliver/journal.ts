// The journal of every HTTP attempt (ping, post, pixel): in memory, or in the
// `attempts` table of a SQLite database (the main store creates the same table
// with the same DDL, ATTEMPTS_TABLE_SQL, so both can share one file).
//
// What is recorded never holds lead values: ping URLs passed the PII guard,
// post URLs are plain plan strings, pixel URLs are recorded without their query
// (the templated part), and `detail` is leadroute's own reason text.

import Database from 'better-sqlite3';

export type AttemptKind = 'ping' | 'post' | 'pixel';

/**
 * Outcomes, by kind:
 *  ping:  bid | no-bid | invalid | error | timeout | late | refused | skipped
 *  post:  accepted | rejected | error | timeout | skipped
 *  pixel: fired | error | timeout
 */
export type AttemptOutcome =
  | 'bid'
  | 'no-bid'
  | 'invalid'
  | 'error'
  | 'timeout'
  | 'late'
  | 'refused'
  | 'skipped'
  | 'accepted'
  | 'rejected'
  | 'fired';

export interface Attempt {
  leadId: string;
  buyer: string;
  kind: AttemptKind;
  url: string;
  /** ms since the epoch. */
  startedAt: number;
  durationMs: number;
  outcome: AttemptOutcome;
  /** HTTP status, when an answer came. */
  status: number | null;
  /** Why (leadroute's words, no lead values). */
  detail: string | null;
  /** Dollars: the bid (ping) or the sale price (accepted post). */
  price?: number | null;
}

/** An attempt as callers may hand it in: without `status` and `detail` when
 *  there was no answer and nothing to say. */
export type DeliveryAttempt = Omit<Attempt, 'status' | 'detail'> & Partial<Pick<Attempt, 'status' | 'detail'>>;

/** An attempt as the journals store it: start rounded to the ms, absent fields null. */
export function normalizeAttempt(a: DeliveryAttempt): Attempt {
  return {
    leadId: a.leadId,
    buyer: a.buyer,
    kind: a.kind,
    url: a.url,
    startedAt: Math.round(a.startedAt),
    durationMs: a.durationMs,
    outcome: a.outcome,
    status: a.status ?? null,
    detail: a.detail ?? null,
    price: a.price ?? null,
  };
}

export interface AttemptRow extends Attempt {
  id: number;
  price: number | null;
}

export interface AttemptFilter {
  buyer?: string;
  leadId?: string;
  kind?: AttemptKind;
  /** startedAt >= since (ms). */
  since?: number;
  until?: number;
}

export interface Journal {
  recordAttempt(a: Attempt): void;
  /** Recorded attempts, oldest first. */
  attempts(filter?: AttemptFilter): AttemptRow[];
  close?(): void;
}

function matches(a: Attempt, f: AttemptFilter | undefined): boolean {
  if (!f) return true;
  if (f.buyer !== undefined && a.buyer !== f.buyer) return false;
  if (f.leadId !== undefined && a.leadId !== f.leadId) return false;
  if (f.kind !== undefined && a.kind !== f.kind) return false;
  if (f.since !== undefined && a.startedAt < f.since) return false;
  if (f.until !== undefined && a.startedAt >= f.until) return false;
  return true;
}

/** An in-memory journal; keeps the last `max` attempts (default 1,000,000). */
export class MemoryJournal implements Journal {
  private rows: AttemptRow[] = [];
  private nextId = 1;
  /** Rows beyond `max` are dropped in one go once this many pile up, not one by one (each drop moves the array). */
  private readonly slack: number;

  constructor(private readonly max = 1_000_000) {
    this.slack = Math.max(1, Math.floor(max / 4));
  }

  recordAttempt(a: Attempt): void {
    // One fixed shape per row (no spread): rows are made for every ping.
    this.rows.push({
      id: this.nextId++,
      leadId: a.leadId,
      buyer: a.buyer,
      kind: a.kind,
      url: a.url,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      outcome: a.outcome,
      status: a.status,
      detail: a.detail,
      price: a.price ?? null,
    });
    if (this.rows.length >= this.max + this.slack) this.rows = this.rows.slice(this.rows.length - this.max);
  }

  /** The rows kept: the last `max`. */
  private kept(): AttemptRow[] {
    return this.rows.length > this.max ? this.rows.slice(this.rows.length - this.max) : this.rows;
  }

  attempts(filter?: AttemptFilter): AttemptRow[] {
    return this.kept()
      .filter((r) => matches(r, filter))
      .map((r) => ({ ...r }));
  }

  get size(): number {
    return Math.min(this.rows.length, this.max);
  }

  /** Forget every row; ids start again at 1, as in an emptied SQLite table. */
  clear(): void {
    this.rows = [];
    this.nextId = 1;
  }
}

/** The `attempts` table. The store creates the identical table in the main database. */
export const ATTEMPTS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS attempts (
  id          INTEGER PRIMARY KEY,
  lead_id     TEXT NOT NULL,
  buyer       TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('ping', 'post', 'pixel')),
  url         TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  outcome     TEXT NOT NULL,
  status      INTEGER,
  detail      TEXT,
  price       REAL
)`;

export const ATTEMPTS_INDEX_SQL = [
  'CREATE INDEX IF NOT EXISTS attempts_buyer_started_at ON attempts (buyer, started_at)',
  'CREATE INDEX IF NOT EXISTS attempts_lead_id ON attempts (lead_id)',
];

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

/** A journal in a better-sqlite3 database (a path, ":memory:", or an open Database it does not own). */
export class SqliteJournal implements Journal {
  readonly db: Database.Database;
  private readonly owned: boolean;
  private readonly insert: Database.Statement;
  /** False when the table was made without the price column (an older main-store schema). */
  readonly hasPrice: boolean;

  constructor(db: Database.Database | string) {
    if (typeof db === 'string') {
      this.db = new Database(db);
      this.db.pragma('journal_mode = WAL');
      this.owned = true;
    } else {
      this.db = db;
      this.owned = false;
    }
    this.db.exec(ATTEMPTS_TABLE_SQL);
    for (const s of ATTEMPTS_INDEX_SQL) this.db.exec(s);
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
    this.insert.run(normalizeAttempt(a));
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

/** A pixel URL as the journal records it: without the (templated) query and fragment. */
export function redactUrl(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q) + '?…';
}
