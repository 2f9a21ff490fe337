// Writers on one SQLite file take the write lock before they read (BEGIN
// IMMEDIATE), so a cap check and its count cannot be split by another writer;
// a writer that cannot get the lock in busyTimeoutMs gets a StoreBusyError and
// has written nothing. In one process, two connections on one file stand for
// two processes: a hook runs the second router in the middle of the first
// one's lead, between its cap check and its cap count.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteJournal, SqliteStore, StoreBusyError, type SqliteStoreOptions } from '../../src/adapters/index.js';
import type { Decision } from '../../src/runtime/decision.js';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { ledger } from './workers.js';

const dir = mkdtempSync(join(tmpdir(), 'leadroute-locking-'));
let n = 0;
const file = () => join(dir, `locking-${++n}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAN = planOf('buyer Premium { price $45  cap 100/h }\nflow main { route Premium }');
const T0 = Date.parse('2026-03-10T14:10:00Z');
let leadNo = 0;
const lead = () => ({ id: `L${++leadNo}`, state: 'NY', credit_score: 720 });

/** Run `during` once, the next time `store` reads a cap counter, between the read and the rest of the lead. */
function onNextCapRead(store: SqliteStore, during: () => void): void {
  const get = store.get.bind(store);
  let armed = true;
  store.get = (key, now) => {
    const v = get(key, now);
    if (armed && key.startsWith('buyer|')) {
      armed = false;
      during();
    }
    return v;
  };
}

type Mode = 'statement' | 'tick' | 'transaction';

function twoRouters(mode: Mode) {
  const path = file();
  const aOptions: SqliteStoreOptions = mode === 'tick' ? { commit: 'tick' } : {};
  const a = new SqliteStore(path, aOptions);
  const b = new SqliteStore(path, { busyTimeoutMs: 20 });
  const ra = new Router(PLAN, { store: a });
  const rb = new Router(PLAN, { store: b });
  const routeA = (): Decision => (mode === 'transaction' ? a.transaction(() => ra.route(lead(), { now: T0 })) : ra.route(lead(), { now: T0 }));
  return { path, a, b, ra, rb, routeA };
}

describe('a second writer between a cap check and its count', () => {
  for (const mode of ['statement', 'tick', 'transaction'] as const) {
    it(`${mode} mode: waits for the first writer's lead, so the cap is not exceeded`, () => {
      const { path, a, b, rb, routeA } = twoRouters(mode);
      for (let i = 0; i < 99; i++) routeA();
      a.flush();
      let other: unknown = null;
      onNextCapRead(a, () => {
        try {
          other = rb.route(lead(), { now: T0 });
        } catch (err) {
          other = err;
        }
      });
      // A reads 99 of 100: room for one. B wants the same slot in the middle of A's lead.
      const last = routeA();
      expect(last.status).toBe('routed');
      expect(other).toBeInstanceOf(StoreBusyError); // B could not write while A held the lock
      a.close();
      b.close();
      expect(ledger(path, 'Premium')).toEqual({ counters: 100, soldEvents: 100, routed: 100, decisions: 100 });
    });
  }
});

describe('a lead is all or nothing', () => {
  for (const mode of ['statement', 'tick', 'transaction'] as const) {
    it(`${mode} mode: a lead that fails after its cap count leaves no count behind; the batch goes on`, () => {
      const { path, a, ra } = twoRouters(mode);
      const record = a.recordDecision.bind(a);
      let failOn = 'L-fails';
      a.recordDecision = (d) => {
        if (d.leadId === failOn) throw new Error('disk full (simulated)');
        record(d);
      };
      const batch = () => {
        const errors: string[] = [];
        for (const id of ['L-1', failOn, 'L-3']) {
          try {
            ra.route({ id, state: 'NY', credit_score: 720 }, { now: T0 });
          } catch (err) {
            errors.push((err as Error).message);
          }
        }
        return errors;
      };
      const errors = mode === 'transaction' ? a.transaction(batch) : batch();
      expect(errors).toEqual(['disk full (simulated)']);
      failOn = '';
      a.close();
      expect(ledger(path, 'Premium')).toEqual({ counters: 2, soldEvents: 2, routed: 2, decisions: 2 });
    });
  }
});

describe('the lock wait is bounded and ends in a clear error', () => {
  function lockedByAnother(path: string): Database.Database {
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    return holder;
  }

  it('route(): StoreBusyError, nothing of the lead written; routed once the lock is free', () => {
    const path = file();
    const s = new SqliteStore(path, { busyTimeoutMs: 30 });
    const r = new Router(PLAN, { store: s });
    r.route(lead(), { now: T0 });
    const holder = lockedByAnother(path);
    const waiting = lead();
    let err: unknown = null;
    try {
      r.route(waiting, { now: T0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreBusyError);
    expect((err as Error).message).toMatch(/locked by another writer.*30 ms.*busyTimeoutMs.*nothing was written/);
    expect((err as StoreBusyError).waitedMs).toBe(30);
    holder.exec('COMMIT');
    holder.close();
    expect(r.route(waiting, { now: T0 }).status).toBe('routed');
    s.close();
    expect(ledger(path, 'Premium')).toEqual({ counters: 2, soldEvents: 2, routed: 2, decisions: 2 });
  });

  it('transaction(): StoreBusyError before the batch runs', () => {
    const path = file();
    const s = new SqliteStore(path, { busyTimeoutMs: 10 });
    const holder = lockedByAnother(path);
    let ran = false;
    expect(() => s.transaction(() => (ran = true))).toThrow(StoreBusyError);
    expect(ran).toBe(false);
    holder.exec('ROLLBACK');
    holder.close();
    expect(s.transaction(() => (ran = true))).toBe(true);
    s.close();
  });

  it("tick mode and single writes (an outcome, an attempt): StoreBusyError too", () => {
    const path = file();
    const tick = new SqliteStore(path, { busyTimeoutMs: 10, commit: 'tick' });
    const plain = new SqliteStore(path, { busyTimeoutMs: 10 });
    const holder = lockedByAnother(path);
    expect(() => new Router(PLAN, { store: tick }).route(lead(), { now: T0 })).toThrow(StoreBusyError);
    expect(() => plain.recordEvent({ kind: 'accepted', buyer: 'Premium', leadId: 'L', at: T0 })).toThrow(StoreBusyError);
    expect(() =>
      plain.recordAttempt({ leadId: 'L', buyer: 'Premium', kind: 'post', url: 'http://127.0.0.1/', startedAt: T0, durationMs: 1, outcome: 'accepted' }),
    ).toThrow(StoreBusyError);
    holder.exec('ROLLBACK');
    holder.close();
    tick.close();
    plain.close();
    expect(ledger(path, 'Premium')).toEqual({ counters: 0, soldEvents: 0, routed: 0, decisions: 0 });
  });

  it('a SqliteJournal on a file of its own waits for the lock too (5 s by default), then StoreBusyError', () => {
    const path = file();
    const byDefault = new SqliteJournal(path);
    expect(byDefault.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    byDefault.close();
    const j = new SqliteJournal(path, { busyTimeoutMs: 10 });
    const holder = lockedByAnother(path);
    const attempt = { leadId: 'L', buyer: 'Premium', kind: 'post', url: 'http://127.0.0.1/', startedAt: T0, durationMs: 1, outcome: 'accepted' } as const;
    expect(() => j.recordAttempt(attempt)).toThrow(StoreBusyError);
    holder.exec('ROLLBACK');
    holder.close();
    j.recordAttempt(attempt);
    expect(j.attempts()).toHaveLength(1);
    j.close();
  });
});
