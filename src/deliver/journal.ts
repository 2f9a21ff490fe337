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

/** Rows a chunk of a MemoryJournal holds. */
const CHUNK_ROWS = 4096;
/** String fields per row (leadId, buyer, kind, url, outcome, detail) and number fields (startedAt, durationMs, status, price). */
const REFS = 6;
const NUMBERS = 4;

/** CHUNK_ROWS rows, field by field: strings by reference in one array, numbers in one typed array. */
interface Chunk {
  refs: (string | null)[];
  numbers: Float64Array;
}

const newChunk = (): Chunk => ({ refs: new Array<string | null>(CHUNK_ROWS * REFS).fill(null), numbers: new Float64Array(CHUNK_ROWS * NUMBERS) });

/**
 * An in-memory journal; keeps the last `max` attempts (default 1,000,000).
 *
 * Rows are kept in fixed chunks of columns, not as an object each: strings by
 * reference (buyers, URLs, kinds and outcomes are a few shared strings) and
 * numbers in a typed array (a missing status or price as NaN, which SQLite
 * also stores as NULL). Every ping makes a row, and a row kept as an object is
 * copied by the garbage collector's young generation and then promoted: with
 * 50 buyers an auction's rows were most of what outlived it. A chunk is big
 * enough to be made outside the young generation, and is never copied or
 * resized: recording a row costs the same at the millionth row as at the
 * first. The oldest chunk is dropped once every row in it is beyond `max`.
 */
export class MemoryJournal implements Journal {
  /** Rows recorded since the start (or the last clear); row `id` is `id`, 1-based. */
  private count = 0;
  private chunks: Chunk[] = [];
  /** Chunks dropped from the front: chunks[0] holds rows from dropped * CHUNK_ROWS + 1. */
  private dropped = 0;
  private readonly max: number;

  constructor(max = 1_000_000) {
    if (!(max >= 1)) throw new RangeError(`a MemoryJournal keeps at least 1 attempt (max ${max})`);
    this.max = Math.floor(max);
  }

  recordAttempt(a: Attempt): void {
    const at = this.count % CHUNK_ROWS;
    if (at === 0) {
      this.chunks.push(newChunk());
      // Once this row is in, the rows kept start at firstKept: drop the chunks wholly before it.
      const id = this.count + 1;
      const firstKept = id - this.max + 1;
      while (firstKept > (this.dropped + 1) * CHUNK_ROWS) (this.chunks.shift(), this.dropped++);
    }
    const chunk = this.chunks[this.chunks.length - 1]!;
    this.count++;
    const r = at * REFS;
    const refs = chunk.refs;
    refs[r] = a.leadId;
    refs[r + 1] = a.buyer;
    refs[r + 2] = a.kind;
    refs[r + 3] = a.url;
    refs[r + 4] = a.outcome;
    refs[r + 5] = a.detail ?? null;
    const n = at * NUMBERS;
    const numbers = chunk.numbers;
    numbers[n] = a.startedAt;
    numbers[n + 1] = a.durationMs;
    numbers[n + 2] = a.status ?? NaN;
    numbers[n + 3] = a.price ?? NaN;
  }

  attempts(filter?: AttemptFilter): AttemptRow[] {
    const out: AttemptRow[] = [];
    for (let id = this.count - this.size + 1; id <= this.count; id++) {
      const chunk = this.chunks[Math.floor((id - 1) / CHUNK_ROWS) - this.dropped]!;
      const at = (id - 1) % CHUNK_ROWS;
      const r = at * REFS;
      const n = at * NUMBERS;
      const refs = chunk.refs;
      const startedAt = chunk.numbers[n]!;
      // Filtered on the columns, so rows that do not match are never built.
      if (filter) {
        if (filter.leadId !== undefined && refs[r] !== filter.leadId) continue;
        if (filter.buyer !== undefined && refs[r + 1] !== filter.buyer) continue;
        if (filter.kind !== undefined && refs[r + 2] !== filter.kind) continue;
        if (filter.since !== undefined && !(startedAt >= filter.since)) continue;
        if (filter.until !== undefined && !(startedAt < filter.until)) continue;
      }
      const status = chunk.numbers[n + 2]!;
      const price = chunk.numbers[n + 3]!;
      out.push({
        id,
        leadId: refs[r]!,
        buyer: refs[r + 1]!,
        kind: refs[r + 2] as AttemptKind,
        url: refs[r + 3]!,
        startedAt,
        durationMs: chunk.numbers[n + 1]!,
        outcome: refs[r + 4] as AttemptOutcome,
        status: Number.isNaN(status) ? null : status,
        detail: refs[r + 5]!,
        price: Number.isNaN(price) ? null : price,
      });
    }
    return out;
  }

  get size(): number {
    return Math.min(this.count, this.max);
  }

  /** Forget every row; ids start again at 1, as in an emptied SQLite table. */
  clear(): void {
    this.count = 0;
    this.chunks = [];
    this.dropped = 0;
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
