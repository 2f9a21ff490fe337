// The one error a store shared by several processes adds: the write lock was
// not to be had within the store's bounded wait. Thrown before anything of the
// unit (a lead, a batch, a single write) was written, so it can be retried.
// And the bounded retry that opening a shared file needs besides SQLite's own wait.

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

/** Block the thread for `ms` (better-sqlite3 is synchronous; so is this wait). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run `open` (switching a file to WAL, creating or migrating its tables),
 * again while it fails with SQLITE_BUSY, until `waitMs` has passed. Two
 * processes opening a new file at once can get SQLITE_BUSY there without
 * SQLite's busy handler being called (one switching the file to WAL while the
 * other waits to write: SQLite refuses the lock at once rather than deadlock),
 * so busy_timeout alone does not cover it. `open` must be safe to repeat.
 */
export function retryWhileBusy<T>(open: () => T, waitMs: number): T {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return open();
    } catch (err) {
      if (!isSqliteBusy(err) || Date.now() >= deadline) throw err;
      sleepSync(Math.min(2 ** attempt, 50));
    }
  }
}
