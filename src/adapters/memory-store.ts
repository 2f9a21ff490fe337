// MemoryStore: the router's in-memory state (MemoryState, from the runtime)
// plus the delivery journal, kept by a MemoryJournal, and the JournalStore
// readers. Nothing survives the process; use SqliteStore for that.

import { MemoryState, type MemoryStateOptions } from '../runtime/memory-state.js';
import { MemoryJournal } from './memory-journal.js';
import {
  checkAttempt,
  normalizeAttempt,
  type AttemptQuery,
  type DeliveryAttempt,
  type JournalStore,
  type StoredAttempt,
  type StoreStats,
} from './types.js';

export type MemoryStoreOptions = MemoryStateOptions;

export class MemoryStore extends MemoryState implements JournalStore {
  /** The delivery journal (unbounded here). */
  private readonly attemptLog = new MemoryJournal(Infinity);

  recordAttempt(attempt: DeliveryAttempt): void {
    checkAttempt(attempt);
    this.attemptLog.recordAttempt(normalizeAttempt(attempt));
  }

  attempts(query: AttemptQuery = {}): StoredAttempt[] {
    return this.attemptLog.attempts(query);
  }

  /** Nothing to roll back in memory: simply `fn()`. */
  transaction<T>(fn: () => T): T {
    return fn();
  }

  override stats(): StoreStats {
    return { ...super.stats(), attempts: this.attemptLog.size };
  }

  /** Forget everything. */
  override clear(): void {
    super.clear();
    this.attemptLog.clear();
  }
}
