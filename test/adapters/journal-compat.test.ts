// The store and the delivery journal share the `attempts` table: either may
// create it first, and a SqliteStore can stand in for a delivery Journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/deliver/journal.js';
import { MemoryStore, SqliteJournal, SqliteStore } from '../../src/adapters/index.js';

const dir = mkdtempSync(join(tmpdir(), 'leadroute-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns = (path: string) => {
  const db = new Database(path, { readonly: true });
  const cols = db.prepare('SELECT name, type FROM pragma_table_info(?) ORDER BY cid').all('attempts');
  db.close();
  return cols;
};

const attempt = { leadId: 'L1', buyer: 'A', kind: 'post', url: 'http://127.0.0.1/p', startedAt: 1000, durationMs: 12, outcome: 'accepted', status: 200, detail: null, price: 30 } as const;

describe('attempts table shared by SqliteStore and SqliteJournal', () => {
  it('the same columns whichever creates the table', () => {
    const a = join(dir, 'store-first.sqlite');
    new SqliteStore(a).close();
    const j = new SqliteJournal(a);
    expect(j.hasPrice).toBe(true);
    j.close();

    const b = join(dir, 'journal-first.sqlite');
    const j2 = new SqliteJournal(b);
    j2.recordAttempt(attempt);
    j2.close();
    const s = new SqliteStore(b); // migration 2 finds the table there
    expect(s.attempts()).toEqual([{ id: 1, ...attempt }]);
    s.close();
    expect(columns(a)).toEqual(columns(b));
  });

  it('what the journal writes the store reads, and the reverse', () => {
    const path = join(dir, 'shared.sqlite');
    const s = new SqliteStore(path);
    const j = new SqliteJournal(s.db);
    j.recordAttempt(attempt);
    s.recordAttempt({ ...attempt, kind: 'ping', outcome: 'bid', leadId: 'L2' });
    expect(s.attempts().map((a) => [a.leadId, a.kind, a.outcome, a.price])).toEqual([
      ['L1', 'post', 'accepted', 30],
      ['L2', 'ping', 'bid', 30],
    ]);
    expect(j.attempts()).toEqual(s.attempts());
    s.close();
  });

  it('both stores satisfy the delivery Journal interface', () => {
    const journals: Journal[] = [new MemoryStore(), new SqliteStore(join(dir, 'as-journal.sqlite'))];
    for (const j of journals) {
      j.recordAttempt(attempt);
      expect(j.attempts({ buyer: 'A', kind: 'post' })).toEqual([{ id: 1, ...attempt }]);
      j.close?.();
    }
  });
});
