// The one error a store shared by several processes adds: the write lock was
// not to be had within the store's bounded wait. Thrown before anything of the
// unit (a lead, a batch, a single write) was written, so it can be retried.

/** A SQLite store's write lock stayed with another connection for all of `busyTimeoutMs`. */
export class StoreBusyError extends Error {
  readonly code = 'LEADROUTE_STORE_BUSY';
  /** The database file. */
  readonly path: string;
  /** How long it waited for the lock, ms (the store's busyTimeoutMs). */
  readonly waitedMs: number;

  constructor(path: string, waitedMs: number, cause?: unknown) {
    super(
      `the store ${path} is locked by another writer: waited ${waitedMs} ms for the write lock (SqliteStore busyTimeoutMs) ` +
        'and gave up; nothing was written, so the lead (or batch) can be routed again',
      { cause },
    );
    this.name = 'StoreBusyError';
    this.path = path;
    this.waitedMs = waitedMs;
  }
}

/** True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes), as better-sqlite3 throws it. */
export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
