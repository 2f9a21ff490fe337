import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, SqliteStore, migrate } from '../../src/adapters/index.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'leadroute-store-'));
let n = 0;
const file = () => join(dir, `store-${++n}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract(
  'SqliteStore',
  () => new SqliteStore(file()),
  (s) => {
    const path = (s as SqliteStore).path;
    s.close();
    return new SqliteStore(path);
  },
);

storeContract(
  "SqliteStore (commit: 'tick')",
  () => new SqliteStore(file(), { commit: 'tick' }),
  (s) => {
    const path = (s as SqliteStore).path;
    s.close();
    return new SqliteStore(path, { commit: 'tick' });
  },
);

describe("SqliteStore commit: 'tick'", () => {
  it('gathers writes into one transaction committed on the next turn of the event loop', async () => {
    const path = file();
    const a = new SqliteStore(path, { commit: 'tick' });
    const b = new SqliteStore(path);
    a.add('k', 1, 10_000);
    a.recordEvent({ kind: 'sold', buyer: 'A', leadId: 'L', at: 1, price: 2 });
    expect(a.get('k', 0)).toBe(1); // its own connection sees the write
    expect(b.get('k', 0)).toBe(0); // others once it commits
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.get('k', 0)).toBe(1);
    expect(b.countEvents('A', 'sold', 0)).toBe(1);
    a.add('k', 1, 10_000);
    a.flush();
    expect(b.get('k', 0)).toBe(2);
    a.add('k', 1, 10_000);
    a.close(); // close commits too
    expect(b.get('k', 0)).toBe(3);
    b.close();
  });

  it('a transaction() inside the gathered one rolls back alone', () => {
    const s = new SqliteStore(file(), { commit: 'tick' });
    s.add('k', 1, 10_000);
    expect(() =>
      s.transaction(() => {
        s.add('k', 5, 10_000);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    s.transaction(() => s.add('k', 2, 10_000));
    expect(s.get('k', 0)).toBe(3);
    s.close();
  });

  it('commits every 10,000 writes within one tick', () => {
    const path = file();
    const s = new SqliteStore(path, { commit: 'tick' });
    const other = new SqliteStore(path);
    for (let i = 0; i < 10_001; i++) s.add(`k${i % 10}`, 1, 10_000);
    expect(other.get('k0', 0)).toBe(1000);
    s.close();
    other.close();
  });
});

describe('SqliteStore', () => {
  it('opens a file in WAL mode at the latest schema version', () => {
    const path = file();
    const s = new SqliteStore(path);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    const versions = s.db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['attempts', 'caps', 'decisions', 'dedupe_keys', 'events', 'feedback', 'inbox', 'schema_version']);
    s.close();
    s.close(); // idempotent
    expect(existsSync(path)).toBe(true);
  });

  it('the attempts table has the columns the delivery side writes', () => {
    const s = new SqliteStore(file());
    const cols = s.db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all('attempts');
    expect(cols).toEqual(['id', 'lead_id', 'buyer', 'kind', 'url', 'started_at', 'duration_ms', 'outcome', 'status', 'detail', 'price']);
    s.close();
  });

  it('migrates an older database forward and applies nothing twice', () => {
    const path = file();
    const db = new Database(path);
    expect(migrate(db, 1)).toEqual([1]);
    db.prepare('INSERT INTO caps (key, value, expires_at) VALUES (?, ?, ?)').run('k', 4, Date.parse('2030-01-01T00:00:00Z'));
    db.close();
    const s = new SqliteStore(path);
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.get('k')).toBe(4);
    s.close();
    const again = new Database(path);
    expect(migrate(again)).toEqual([]);
    again.close();
  });

  it('refuses a database from a newer leadroute', () => {
    const path = file();
    const db = new Database(path);
    migrate(db);
    db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 'x');
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/newer than this leadroute/);
  });

  it('a transaction that throws rolls back its writes', () => {
    const s = new SqliteStore(file());
    s.add('a', 1, 10_000);
    expect(() =>
      s.transaction(() => {
        s.add('a', 5, 10_000);
        s.recordEvent({ kind: 'sold', buyer: 'A', leadId: 'L', at: 1, price: 1 });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(s.get('a', 0)).toBe(1);
    expect(s.countEvents('A', 'sold', 0)).toBe(0);
    s.close();
  });

  it('a second connection sees committed state (two processes can share a file)', () => {
    const path = file();
    const a = new SqliteStore(path);
    const b = new SqliteStore(path);
    a.add('shared', 2, 10_000);
    expect(b.get('shared', 0)).toBe(2);
    b.add('shared', 1, 10_000);
    expect(a.get('shared', 0)).toBe(3);
    a.close();
    b.close();
  });

  it('keeps decision fields it has no column for in `extra`', () => {
    const s = new SqliteStore(file());
    const d = {
      leadId: 'L1', flow: 'f', status: 'routed', buyers: [{ name: 'A', price: 1 }], exclusive: true, price: 1,
      rule: { id: 'f#0', text: 'route A', line: 3 }, reason: null, errors: [], random: 50,
      at: '2026-11-23T14:00:00.000Z', trace: [], holdUntil: null, auction: null, rewrites: {}, future: { x: 1 },
    };
    s.recordDecision(d as never);
    expect(s.decisions()).toEqual([d]);
    s.close();
  });
});
