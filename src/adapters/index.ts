// Adapters: every store and journal implementation, with all SQL and every
// migration. MemoryStore for tests and one-off runs, SqliteStore for state that
// survives a restart; MemoryJournal and SqliteJournal for the delivery journal
// alone. The interfaces they implement belong to their consumers: RouterStore
// to the runtime (src/runtime/store.ts), Journal to the selling side
// (src/deliver/journal.ts).
export type { CapStore } from '../runtime/caps.js';
export type { RouterStore, StoreEvent, EventKind, OutcomeKind } from '../runtime/store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { StoreBusyError } from './errors.js';
export { MemoryJournal } from './memory-journal.js';
export { SqliteJournal, type SqliteJournalOptions } from './sqlite-journal.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type Migration } from './schema.js';
export {
  inTransaction,
  EVENT_KINDS,
  ATTEMPT_KINDS,
  type JournalStore,
  type DeliveryAttempt,
  type StoredAttempt,
  type AttemptKind,
  type AttemptOutcome,
  type EventQuery,
  type DecisionQuery,
  type AttemptQuery,
  type StoreStats,
} from './types.js';
export { MemoryInbox } from './memory-inbox.js';
export { SqliteInbox } from './sqlite-inbox.js';
