// The answer to a lead waits for its commit. serve's SQLite store commits the
// leads routed in one turn of the event loop together (`tick` mode), so the
// service answers only once that commit is done: a second connection to the
// file, opened the moment the service answers, already sees the lead finished
// and its decision journalled.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lead, SERVE_LEAD, startHarness, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('leadroute serve: acknowledged means committed', () => {
  it('a lead routed without posts is on disk, finished, when receive() answers', async () => {
    h = await startHarness();
    writeFileSync(h.rules, `${SERVE_LEAD}\nbuyer Alpha { price $20 }\nflow solar { route Alpha }\n`);
    expect(h.app.leadroute.watcher.reload().ok).toBe(true);
    const service = h.app.leadroute.service;
    const receipts = await Promise.all(['T1', 'T2', 'T3'].map((id) => service.receive('solar', lead(id), 'anonymous')));
    expect(receipts.map((r) => r.kind)).toEqual(['sold', 'sold', 'sold']);
    const other = new Database(h.store, { readonly: true });
    try {
      const rows = other.prepare(`SELECT lead_id, state FROM inbox WHERE lead_id IN ('T1', 'T2', 'T3') ORDER BY lead_id`).all();
      expect(rows).toEqual([
        { lead_id: 'T1', state: 'done' },
        { lead_id: 'T2', state: 'done' },
        { lead_id: 'T3', state: 'done' },
      ]);
      const decisions = other.prepare(`SELECT COUNT(*) AS n FROM decisions WHERE lead_id IN ('T1', 'T2', 'T3')`).get() as { n: number };
      expect(decisions.n).toBe(3);
    } finally {
      other.close();
    }
  });
});
