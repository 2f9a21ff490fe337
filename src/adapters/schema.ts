// The SQLite schema, as numbered migrations. A database records the migrations
// applied to it in `schema_version`; opening it applies the missing ones in
// order, each in its own transaction. Never edit a released migration: add the
// next one. docs/STORE.md documents every table and column.

import type Database from 'better-sqlite3';

/** The delivery journal's table, created by migration 2 and by a SqliteJournal on its own file. */
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

export const ATTEMPTS_INDEX_SQL: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS attempts_buyer_started_at ON attempts (buyer, started_at)',
  'CREATE INDEX IF NOT EXISTS attempts_lead_id ON attempts (lead_id)',
];

/** The inbox of `leadroute serve` (src/serve/inbox.ts): a lead is written here,
 *  committed, before the service answers for it; its JSON is kept only until the
 *  lead is finished (then `lead` is NULL), so personal data stays no longer than
 *  a restart might need it. */
export const INBOX_TABLE_SQL = `CREATE TABLE IF NOT EXISTS inbox (
  lead_id     TEXT PRIMARY KEY,
  flow        TEXT NOT NULL,
  source      TEXT NOT NULL,
  lead        TEXT,
  received_at INTEGER NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('received', 'done')),
  outcome     TEXT,
  finished_at INTEGER
)`;

export const INBOX_INDEX_SQL: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS inbox_state ON inbox (state)',
  'CREATE INDEX IF NOT EXISTS inbox_received_at ON inbox (received_at)',
];

/** Returns and conversions posted to `leadroute serve` (POST /feedback), with the return's reason. */
export const FEEDBACK_TABLE_SQL = `CREATE TABLE IF NOT EXISTS feedback (
  id      INTEGER PRIMARY KEY,
  lead_id TEXT NOT NULL,
  buyer   TEXT NOT NULL,
  kind    TEXT NOT NULL CHECK (kind IN ('returned', 'converted')),
  reason  TEXT,
  at      INTEGER NOT NULL,
  source  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_lead_id ON feedback (lead_id)`;

function inboxSql(): string {
  return [INBOX_TABLE_SQL, ...INBOX_INDEX_SQL].join(';\n') + ';';
}

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'router state: cap counters, dedupe keys, outcome events, decision journal',
    sql: `
      CREATE TABLE caps (
        key        TEXT PRIMARY KEY,
        value      REAL NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX caps_expires_at ON caps (expires_at);

      CREATE TABLE dedupe_keys (
        key        TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX dedupe_keys_expires_at ON dedupe_keys (expires_at);

      CREATE TABLE events (
        id      INTEGER PRIMARY KEY,
        kind    TEXT NOT NULL CHECK (kind IN ('sold', 'accepted', 'rejected', 'returned', 'converted')),
        buyer   TEXT NOT NULL,
        lead_id TEXT NOT NULL,
        at      INTEGER NOT NULL,
        price   REAL
      );
      CREATE INDEX events_buyer_kind_at ON events (buyer, kind, at);
      CREATE INDEX events_lead_id ON events (lead_id);

      CREATE TABLE decisions (
        id        INTEGER PRIMARY KEY,
        lead_id   TEXT NOT NULL,
        flow      TEXT NOT NULL,
        status    TEXT NOT NULL,
        buyers    TEXT NOT NULL,
        price     REAL NOT NULL,
        exclusive INTEGER NOT NULL,
        rule_id   TEXT,
        rule_text TEXT,
        rule_line INTEGER,
        reason    TEXT,
        errors    TEXT,
        random    INTEGER NOT NULL,
        at        INTEGER NOT NULL,
        trace     TEXT NOT NULL,
        hold_until INTEGER,
        auction   TEXT,
        rewrites  TEXT,
        extra     TEXT
      );
      CREATE INDEX decisions_at ON decisions (at);
      CREATE INDEX decisions_lead_id ON decisions (lead_id);
    `,
  },
  {
    version: 2,
    description: 'delivery journal: one row per ping, post or pixel request',
    // IF NOT EXISTS because a SqliteJournal may have created the table in this
    // file first: the same DDL as the journal's, so either may come first.
    sql: [ATTEMPTS_TABLE_SQL, ...ATTEMPTS_INDEX_SQL].join(';\n') + ';',
  },
  {
    version: 3,
    description: "the service's inbox: every lead `leadroute serve` acknowledged, until it is finished",
    sql: inboxSql(),
  },
  {
    version: 4,
    description: 'returns and conversions posted to `leadroute serve`, with reasons',
    sql: FEEDBACK_TABLE_SQL + ';',
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The highest migration applied to `db` (0 for a new database). */
export function schemaVersion(db: Database.Database): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (exists === undefined) return 0;
  const v = db.prepare('SELECT max(version) FROM schema_version').pluck().get() as number | null;
  return v ?? 0;
}

/**
 * Bring `db` up to `target` (the latest by default), in one IMMEDIATE
 * transaction so two processes opening a new file do not both migrate it.
 * Refuses a database written by a newer leadroute. Returns the versions applied.
 */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): number[] {
  const run = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version     INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      applied_at  TEXT NOT NULL
    )`);
    const current = schemaVersion(db);
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `the database's schema is version ${current}, newer than this leadroute understands (${SCHEMA_VERSION}); upgrade leadroute`,
      );
    }
    const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue;
      db.exec(m.sql);
      record.run(m.version, m.description, new Date().toISOString());
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
