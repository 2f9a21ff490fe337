import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, computeMetrics, Limiter, percentile, type Attempt } from '../../src/deliver/index.js';
import { MemoryJournal, SqliteJournal } from '../../src/adapters/index.js';

const row = (o: Partial<Attempt>): Attempt => ({
  leadId: 'L1',
  buyer: 'A',
  kind: 'ping',
  url: 'http://127.0.0.1/ping',
  startedAt: 1000,
  durationMs: 10,
  outcome: 'bid',
  status: 200,
  detail: null,
  price: null,
  ...o,
});

describe('journals', () => {
  it('MemoryJournal records and filters', () => {
    const j = new MemoryJournal();
    j.recordAttempt(row({ price: 5 }));
    j.recordAttempt(row({ buyer: 'B', kind: 'post', outcome: 'accepted', startedAt: 2000 }));
    expect(j.attempts()).toHaveLength(2);
    expect(j.attempts({ buyer: 'B' })[0]).toMatchObject({ id: 2, kind: 'post', price: null });
    expect(j.attempts({ since: 1500 })).toHaveLength(1);
    expect(j.attempts({ kind: 'ping', leadId: 'L1' })[0]!.price).toBe(5);
  });

  it('MemoryJournal keeps exactly the last `max` attempts, however many came', () => {
    const j = new MemoryJournal(10);
    for (let i = 1; i <= 37; i++) {
      j.recordAttempt(row({ startedAt: i }));
      const kept = j.attempts();
      expect(kept).toHaveLength(Math.min(i, 10));
      expect(kept[kept.length - 1]!.id).toBe(i);
      expect(kept[0]!.startedAt).toBe(Math.max(1, i - 9));
      expect(j.size).toBe(kept.length);
    }
    j.clear();
    j.recordAttempt(row({}));
    expect(j.attempts()[0]!.id).toBe(1);
  });

  it('MemoryJournal keeps the last `max` attempts across its chunks of rows, each as it was recorded', () => {
    const j = new MemoryJournal(5000);
    const total = 13_001;
    for (let i = 1; i <= total; i++) {
      j.recordAttempt(
        row({
          leadId: `L${i}`,
          buyer: i % 2 ? 'A' : 'B',
          kind: i % 3 ? 'ping' : 'post',
          startedAt: i,
          durationMs: i / 4,
          status: i % 5 ? 200 : null,
          detail: i % 7 ? null : `d${i}`,
          price: i % 11 ? i / 100 : null,
        }),
      );
    }
    const kept = j.attempts();
    expect(j.size).toBe(5000);
    expect(kept.map((r) => r.id)).toEqual(Array.from({ length: 5000 }, (_, k) => total - 4999 + k));
    for (const r of kept) {
      const i = r.id;
      expect(r).toEqual({
        id: i,
        leadId: `L${i}`,
        buyer: i % 2 ? 'A' : 'B',
        kind: i % 3 ? 'ping' : 'post',
        url: 'http://127.0.0.1/ping',
        startedAt: i,
        durationMs: i / 4,
        outcome: 'bid',
        status: i % 5 ? 200 : null,
        detail: i % 7 ? null : `d${i}`,
        price: i % 11 ? i / 100 : null,
      });
    }
    // Filters read the columns; only kept rows match.
    expect(j.attempts({ leadId: 'L100' })).toEqual([]);
    expect(j.attempts({ leadId: `L${total}` }).map((r) => r.id)).toEqual([total]);
    expect(j.attempts({ buyer: 'B', kind: 'post', since: 12_000, until: 12_012 }).map((r) => r.id)).toEqual([12_000, 12_006]);
  });

  it('an unbounded MemoryJournal keeps every attempt', () => {
    const j = new MemoryJournal(Infinity);
    for (let i = 1; i <= 9000; i++) j.recordAttempt(row({ startedAt: i }));
    expect(j.size).toBe(9000);
    expect(j.attempts({ since: 8999 }).map((r) => r.id)).toEqual([8999, 9000]);
    expect(() => new MemoryJournal(0)).toThrow(RangeError);
  });

  it('SqliteJournal writes the attempts table with the agreed columns', () => {
    const db = new Database(':memory:');
    const j = new SqliteJournal(db);
    j.recordAttempt(row({ price: 12.5, detail: 'x' }));
    j.recordAttempt(row({ kind: 'post', outcome: 'rejected', status: 422, detail: 'HTTP 422' }));
    const cols = (db.prepare('PRAGMA table_info(attempts)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['id', 'lead_id', 'buyer', 'kind', 'url', 'started_at', 'duration_ms', 'outcome', 'status', 'detail', 'price']);
    expect(j.attempts({ kind: 'post' })).toEqual([
      { id: 2, leadId: 'L1', buyer: 'A', kind: 'post', url: 'http://127.0.0.1/ping', startedAt: 1000, durationMs: 10, outcome: 'rejected', status: 422, detail: 'HTTP 422', price: null },
    ]);
    // a second journal on the same database reuses the table
    new SqliteJournal(db).recordAttempt(row({}));
    expect(j.attempts()).toHaveLength(3);
    j.close(); // not owned: stays open
    expect(db.open).toBe(true);
    db.close();
  });

  it('SqliteJournal works on an attempts table made without the price column', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE attempts (id INTEGER PRIMARY KEY, lead_id TEXT NOT NULL, buyer TEXT NOT NULL, kind TEXT NOT NULL,
      url TEXT NOT NULL, started_at INTEGER NOT NULL, duration_ms REAL NOT NULL, outcome TEXT NOT NULL, status INTEGER, detail TEXT)`);
    const j = new SqliteJournal(db);
    expect(j.hasPrice).toBe(false);
    j.recordAttempt(row({ price: 9 }));
    expect(j.attempts()[0]).toMatchObject({ outcome: 'bid', price: null });
    db.close();
  });
});

describe('metrics', () => {
  it('percentiles by nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99)]).toEqual([50, 95, 99]);
    expect(percentile([], 50)).toBeNull();
  });

  it('rates per buyer and per flow', () => {
    const rows = [
      row({ leadId: 'L1', price: 40, durationMs: 20 }),
      row({ leadId: 'L1', kind: 'post', outcome: 'error', status: 503, durationMs: 5 }),
      row({ leadId: 'L1', kind: 'post', outcome: 'accepted', price: 40, durationMs: 7 }),
      row({ leadId: 'L2', outcome: 'no-bid', durationMs: 30 }),
      row({ leadId: 'L3', outcome: 'timeout', status: null, durationMs: 500 }),
      row({ leadId: 'L4', outcome: 'refused', status: null }),
      row({ leadId: 'L4', buyer: 'B', price: 20 }),
      row({ leadId: 'L4', buyer: 'B', kind: 'pixel', outcome: 'fired' }),
    ].map((r, i) => ({ ...r, id: i + 1, price: r.price ?? null }));
    const m = computeMetrics(rows, { flowOf: (id) => (id === 'L4' ? 'other' : 'main') });
    const A = m.buyers.A!;
    expect(A).toMatchObject({ pings: 3, refused: 1, responses: 2, bids: 1, wins: 1, posts: 1, accepted: 1, revenue: 40, leads: 4 });
    expect(A.pingResponseRate).toBe(0.6667);
    expect(A.bidRate).toBe(0.3333);
    expect(A.revenuePerPing).toBe(13.33);
    expect(A.revenuePerLead).toBe(10);
    expect(A.pingTime).toMatchObject({ count: 2, p50: 20, p99: 30 });
    expect(A.postTime.count).toBe(2);
    expect(m.buyers.B).toMatchObject({ bids: 1, wins: 0, winRate: 0, pixelsFired: 1, revenue: 0 });
    expect(m.flows.main!.revenue).toBe(40);
    expect(m.flows.other!.bids).toBe(1);
    expect(m.overall.leads).toBe(4);
  });
});

describe('building blocks', () => {
  it('CircuitBreaker: closed → open → half-open (one probe) → closed', () => {
    let t = 0;
    const b = new CircuitBreaker(2, 100, () => t);
    b.failure();
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    t = 100;
    expect(b.allow()).toBe(true); // the probe
    expect(b.allow()).toBe(false); // only one
    b.success();
    expect(b.state).toBe('closed');
    b.success();
    b.failure();
    expect(b.state).toBe('closed'); // consecutive count reset by the success
  });

  it('Limiter runs at most N at once, in order', async () => {
    const l = new Limiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        l.run(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await new Promise((r) => setTimeout(r, 10));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });
});
