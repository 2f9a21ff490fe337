// The delivery journal in memory: the default journal of a Seller, and the
// attempts part of MemoryStore. Nothing survives the process; SqliteJournal
// keeps the same rows in a database.

import type { Attempt, AttemptFilter, AttemptKind, AttemptOutcome, AttemptRow, Journal } from '../deliver/journal.js';

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
