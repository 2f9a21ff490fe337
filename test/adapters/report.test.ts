// docs/STORE.md's SQL, run against a store filled by routing real leads: every
// `-- report:` query runs, the distribution report gives the numbers the store
// API gives, and every column of every table is documented.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, Router } from '../../src/index.js';
import { SqliteStore } from '../../src/adapters/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DOC = readFileSync(join(ROOT, 'docs/STORE.md'), 'utf8');
const DAY = 86_400_000;
const START = Date.parse('2026-11-16T00:00:00Z');
const NOW = Date.parse('2026-11-25T00:00:00Z');
const SINCE = NOW - 7 * DAY;

const RULES = `
lead {
  id: string
  score: int 0..100
}
buyer Big { price $30 }
buyer Mid {
  price $20
  cap 40/day
  overflow Small
}
buyer Small { price $5 + score / 10 }
flow main {
  when score < 5 reject "score too low"
  split { Big 50%, Mid 30%, Small 20% }
}
`;

/** The `sql` blocks of the doc that start with `-- report:`. */
const reports = [...DOC.matchAll(/```sql\n(-- report:([^\n]*)\n[\s\S]*?)```/g)].map((m) => ({ name: m[2]!.trim(), sql: m[1]! }));

let dir: string;
let store: SqliteStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadroute-report-'));
  store = new SqliteStore(join(dir, 'report.sqlite'));
  const { plan } = compile(RULES, { file: 'report.route' });
  const router = new Router(plan!, { store, seed: 5, trace: true });
  // 9 days of leads, 100 a day; each sale pinged (a bid) and posted, posts answered in
  // 100 ms (Big), 250 ms (Mid), 400 ms (Small); every 7th post refused.
  const latency: Record<string, number> = { Big: 100, Mid: 250, Small: 400 };
  store.transaction(() => {
    for (let i = 0; i < 900; i++) {
      const at = START + Math.floor((i * 9 * DAY) / 900);
      const before = store.stats().decisions;
      const d = router.route({ id: `R${i}`, score: (i * 37) % 101 }, { now: at });
      if (store.stats().decisions === before) {
        // a router that does not journal yet: record what it would
        store.recordDecision(d);
        for (const b of d.buyers) store.recordEvent({ kind: 'sold', buyer: b.name, leadId: d.leadId, at, price: b.price });
      }
      for (const b of d.buyers) {
        store.recordAttempt({ leadId: d.leadId, buyer: b.name, kind: 'ping', url: 'http://127.0.0.1/ping', startedAt: at, durationMs: 20, outcome: 'bid', status: 200, price: b.price });
        store.recordAttempt({
          leadId: d.leadId,
          buyer: b.name,
          kind: 'post',
          url: 'http://127.0.0.1/post',
          startedAt: at + 50,
          durationMs: latency[b.name]! + (i % 3),
          outcome: i % 7 === 0 ? 'rejected' : 'accepted',
          status: i % 7 === 0 ? 422 : 200,
          price: i % 7 === 0 ? null : b.price,
        });
      }
    }
  });
});

afterAll(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('docs/STORE.md reports', () => {
  it('has the distribution report and the others', () => {
    expect(reports.map((r) => r.name)).toContain('distribution over the window starting at :since');
    expect(reports.length).toBeGreaterThanOrEqual(5);
  });

  it('every report query runs and returns rows', () => {
    for (const r of reports) {
      const rows = store.db.prepare(r.sql).all({ since: SINCE });
      expect(rows.length, r.name).toBeGreaterThan(0);
    }
  });

  it('the distribution report gives leads, share, response time and successes per buyer over 7 days', () => {
    const sql = reports.find((r) => r.name.startsWith('distribution'))!.sql;
    const rows = store.db.prepare(sql).all({ since: SINCE }) as {
      buyer: string;
      leads: number;
      share_pct: number;
      avg_response_ms: number;
      successes: number;
      deliveries: number;
      revenue: number;
    }[];
    const sold = store.events({ kind: 'sold', since: SINCE });
    const posts = store.attempts({ kind: 'post', since: SINCE });
    expect(sold.length).toBeLessThan(store.events({ kind: 'sold' }).length); // the window leaves the first two days out
    expect(rows.map((r) => r.buyer).sort()).toEqual(['Big', 'Mid', 'Small']);
    for (const r of rows) {
      const mine = sold.filter((e) => e.buyer === r.buyer);
      const myPosts = posts.filter((a) => a.buyer === r.buyer);
      expect(r.leads).toBe(mine.length);
      expect(r.share_pct).toBeCloseTo((100 * mine.length) / sold.length, 1);
      expect(r.avg_response_ms).toBeCloseTo(myPosts.reduce((s, a) => s + a.durationMs, 0) / myPosts.length, 1);
      expect(r.successes).toBe(myPosts.filter((a) => a.outcome === 'accepted').length);
      expect(r.deliveries).toBe(myPosts.length);
      expect(r.revenue).toBeCloseTo(mine.reduce((s, e) => s + (e.price ?? 0), 0), 2);
    }
    expect(rows[0]!.leads).toBeGreaterThanOrEqual(rows[1]!.leads);
    expect(rows.find((r) => r.buyer === 'Big')!.avg_response_ms).toBeCloseTo(101, 0);
  });

  it('the journal report agrees with the events', () => {
    const sql = reports.find((r) => r.name.startsWith('leads per buyer and flow'))!.sql;
    const rows = store.db.prepare(sql).all({ since: SINCE }) as { buyer: string; flow: string; leads: number }[];
    for (const r of rows) expect(r.leads).toBe(store.events({ kind: 'sold', buyer: r.buyer, since: SINCE }).length);
  });

  it('documents every column of every table', () => {
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    for (const t of tables) {
      const section = new RegExp('### `' + t + '`\\n([\\s\\S]*?)(?=\\n### |\\n## )').exec(DOC);
      expect(section, `docs/STORE.md has no section for table ${t}`).not.toBeNull();
      const documented = [...section![1]!.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
      const actual = store.db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(t);
      expect(documented, t).toEqual(actual);
    }
  });
});
