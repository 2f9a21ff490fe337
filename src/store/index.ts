// Stores: where the router keeps cap counters, dedupe keys, outcome events and
// its journals. MemoryStore for tests and one-off runs, SqliteStore for state
// that survives a restart. The interfaces the router uses live in the runtime.
export type { CapStore } from '../runtime/caps.js';
export type { RouterStore, StoreEvent, EventKind, OutcomeKind } from '../runtime/store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
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
