// One behaviour contract for every RouterStore. memory.test.ts and
// sqlite.test.ts run it; a new store (Redis) runs it too.
//
//   storeContract('SqliteStore', () => new SqliteStore(file()), (s) => { s.close(); return new SqliteStore(samePath); });
//
// `reopen`, when given, closes a store and opens a new one on the same state:
// the restart tests run only then.

import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostics, Router, type Plan } from '../../src/index.js';
import type { Decision } from '../../src/runtime/decision.js';
import type { RouterStore } from '../../src/runtime/store.js';
import type { JournalStore } from '../../src/adapters/index.js';

const T0 = Date.parse('2026-11-23T14:00:00Z'); // a Monday
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const CONTRACT_RULES = `
lead {
  id: string
  homeowner: bool
}

buyer Capped {
  price $45
  cap 3/h
  overflow Spare
}

buyer Dollars {
  price $45
  cap $100/day
}

buyer Spare {
  price $5
}

flow main {
  route Capped
}

flow dollars {
  when homeowner route Dollars
  otherwise route Spare
}
`;

let cachedPlan: Plan | null = null;
export function contractPlan(): Plan {
  if (cachedPlan) return cachedPlan;
  const { plan, diagnostics } = compile(CONTRACT_RULES, { file: 'contract.route' });
  if (!plan) throw new Error(formatDiagnostics(diagnostics, { 'contract.route': CONTRACT_RULES }));
  return (cachedPlan = plan);
}

const lead = (i: number) => ({ id: `C${i}`, homeowner: true });

/** Whether the router writes decisions to its store (the RouterStore router). */
function routerJournals(make: () => RouterStore): boolean {
  const s = make();
  try {
    new Router(contractPlan(), { store: s }).route(lead(0), { now: T0 });
    const j = s as Partial<JournalStore>;
    return j.stats !== undefined && j.stats().decisions > 0;
  } finally {
    s.close();
  }
}

/** A decision with the fields newer routers always set, for comparing with one read back. */
const full = (d: Decision): Decision => Object.assign({ holdUntil: null, auction: null, rewrites: {} }, d);

function names(d: Decision): string {
  return d.status === 'routed' ? d.buyers.map((b) => b.name).join('+') : d.status;
}

export function storeContract(name: string, make: () => RouterStore, reopen?: (s: RouterStore) => RouterStore): void {
  const journal = (s: RouterStore) => s as RouterStore & Partial<JournalStore>;

  describe(`${name}: RouterStore contract`, () => {
    describe('cap counters', () => {
      it('reads 0 for an absent counter; adds accumulate per key, fractions included', () => {
        const s = make();
        expect(s.get('a')).toBe(0);
        expect(s.get('a', T0)).toBe(0);
        s.add('a', 1, T0 + HOUR);
        s.add('a', 2.5, T0 + HOUR);
        s.add('b', 7, T0 + HOUR);
        expect(s.get('a', T0)).toBe(3.5);
        expect(s.get('b', T0)).toBe(7);
        expect(s.get('a')).toBe(3.5);
        s.close();
      });

      it('a counter expires at its expiry time; without a now expiry is not judged', () => {
        const s = make();
        s.add('a', 5, T0 + HOUR);
        expect(s.get('a', T0 + HOUR - 1)).toBe(5);
        expect(s.get('a', T0 + HOUR)).toBe(0);
        const t = make();
        t.add('old', 5, Date.parse('2001-01-01T00:00:00Z'));
        expect(t.get('old')).toBe(5);
        s.close();
        t.close();
      });

      it('an add after expiry starts the counter again', () => {
        const s = make();
        s.add('a', 5, T0 + HOUR);
        expect(s.get('other', T0 + 2 * HOUR)).toBe(0); // routing time moves on
        s.add('a', 1, T0 + 3 * HOUR);
        expect(s.get('a', T0 + 2 * HOUR)).toBe(1);
        s.close();
      });

      it('an add extends a counter to the later expiry', () => {
        const s = make();
        s.add('a', 1, T0 + HOUR);
        s.add('a', 1, T0 + 2 * HOUR);
        expect(s.get('a', T0 + HOUR + 1)).toBe(2);
        s.close();
      });

      it('sweep drops expired counters and keys only', () => {
        const s = journal(make());
        if (!s.sweep || !s.stats) return s.close();
        s.add('old', 1, T0);
        s.add('new', 1, T0 + DAY);
        s.putKey('k-old', T0);
        s.putKey('k-new', T0 + DAY);
        s.sweep(T0 + 1);
        expect(s.stats()).toMatchObject({ counters: 1, keys: 1 });
        expect(s.get('new')).toBe(1);
        expect(s.hasKey('k-new', T0 + 1)).toBe(true);
        s.close();
      });
    });

    describe('dedupe keys', () => {
      it('a key is remembered until it expires, and is apart from counters', () => {
        const s = make();
        expect(s.hasKey('k', T0)).toBe(false);
        s.putKey('k', T0 + 7 * DAY);
        expect(s.hasKey('k', T0)).toBe(true);
        expect(s.hasKey('k', T0 + 7 * DAY - 1)).toBe(true);
        expect(s.hasKey('k', T0 + 7 * DAY)).toBe(false);
        expect(s.get('k', T0)).toBe(0);
        s.add('k', 3, T0 + HOUR);
        expect(s.hasKey('k', T0 + 8 * DAY)).toBe(false);
        s.close();
      });

      it('putting a key again extends it; an expired key can be put anew', () => {
        const s = make();
        s.putKey('k', T0 + HOUR);
        s.putKey('k', T0 + 2 * HOUR);
        expect(s.hasKey('k', T0 + HOUR + 1)).toBe(true);
        s.putKey('k', T0 + HOUR); // shorter: the longer expiry stands
        expect(s.hasKey('k', T0 + HOUR + 1)).toBe(true);
        expect(s.hasKey('k', T0 + 3 * HOUR)).toBe(false);
        s.putKey('k', T0 + 4 * HOUR);
        expect(s.hasKey('k', T0 + 3 * HOUR + 1)).toBe(true);
        s.close();
      });
    });

    describe('events', () => {
      it('counts events by buyer and kind at or after `since`', () => {
        const s = make();
        s.recordEvent({ kind: 'sold', buyer: 'A', leadId: 'L1', at: T0, price: 45 });
        s.recordEvent({ kind: 'sold', buyer: 'A', leadId: 'L2', at: T0 + HOUR, price: 45 });
        s.recordEvent({ kind: 'sold', buyer: 'B', leadId: 'L3', at: T0 + HOUR, price: 20 });
        s.recordEvent({ kind: 'accepted', buyer: 'A', leadId: 'L1', at: T0 + MIN });
        s.recordEvent({ kind: 'converted', buyer: 'A', leadId: 'L1', at: T0 + DAY });
        expect(s.countEvents('A', 'sold', 0)).toBe(2);
        expect(s.countEvents('A', 'sold', T0)).toBe(2); // inclusive
        expect(s.countEvents('A', 'sold', T0 + 1)).toBe(1);
        expect(s.countEvents('A', 'sold', T0 + HOUR + 1)).toBe(0);
        expect(s.countEvents('B', 'sold', 0)).toBe(1);
        expect(s.countEvents('A', 'accepted', 0)).toBe(1);
        expect(s.countEvents('A', 'converted', T0)).toBe(1);
        expect(s.countEvents('A', 'returned', 0)).toBe(0);
        expect(s.countEvents('Nobody', 'sold', 0)).toBe(0);
        s.close();
      });

      it('windows: a 7-day window over events recorded out of order', () => {
        const s = make();
        const times = [9, 1, 5, 8, 2, 7, 3, 6, 0, 4].map((d) => T0 + d * DAY);
        times.forEach((at, i) => s.recordEvent({ kind: 'returned', buyer: 'A', leadId: `L${i}`, at }));
        const now = T0 + 9 * DAY + HOUR;
        expect(s.countEvents('A', 'returned', now - 7 * DAY)).toBe(7); // days 3..9
        expect(s.countEvents('A', 'returned', now - DAY)).toBe(1);
        expect(s.countEvents('A', 'returned', T0)).toBe(10);
        const j = journal(s);
        if (j.events) {
          const read = j.events({ buyer: 'A', since: T0 + 3 * DAY, until: T0 + 5 * DAY });
          expect(read.map((e) => e.at)).toEqual([T0 + 3 * DAY, T0 + 4 * DAY]);
          expect(read[0]).toEqual({ kind: 'returned', buyer: 'A', leadId: 'L6', at: T0 + 3 * DAY });
        }
        s.close();
      });

      it('keeps the price of a sale and refuses an unknown kind', () => {
        const s = journal(make());
        s.recordEvent({ kind: 'sold', buyer: 'A', leadId: 'L1', at: T0, price: 12.5 });
        if (s.events) expect(s.events({ kind: 'sold' })).toEqual([{ kind: 'sold', buyer: 'A', leadId: 'L1', at: T0, price: 12.5 }]);
        expect(() => s.recordEvent({ kind: 'bogus' as 'sold', buyer: 'A', leadId: 'L1', at: T0 })).toThrow(/kind/);
        s.close();
      });
    });

    describe('decisions and attempts', () => {
      it('journals decisions as the router made them', () => {
        const s = journal(make());
        const scratch = make();
        const router = new Router(contractPlan(), { store: scratch, seed: 3, trace: true });
        const made = [
          router.route(lead(1), { now: T0 }),
          router.route({ id: 'bad', homeowner: 'yes' }, { now: T0 + MIN }),
          router.route({ id: 'X', homeowner: false }, { now: T0 + 2 * MIN, flow: 'dollars' }),
        ];
        scratch.close();
        const before = s.stats?.().decisions ?? 0;
        for (const d of made) s.recordDecision(d);
        if (s.decisions) {
          const read = s.decisions().slice(before);
          expect(read.map(full)).toEqual(made.map(full));
          expect(read[1]!.status).toBe('rejected');
          expect(read[1]!.errors.length).toBeGreaterThan(0);
          expect(s.decisions({ leadId: 'X' }).map(full)).toEqual([full(made[2]!)]);
          expect(s.decisions({ since: T0 + MIN }).map((d) => d.leadId)).toEqual(['bad', 'X']);
          expect(s.decisions({ limit: 1 })).toHaveLength(1);
        }
        s.close();
      });

      it('journals delivery attempts', () => {
        const s = journal(make());
        if (!s.recordAttempt || !s.attempts) return s.close();
        s.recordAttempt({ leadId: 'L1', buyer: 'A', kind: 'post', url: 'http://127.0.0.1/p', startedAt: T0, durationMs: 120, outcome: 'accepted', status: 200, price: 45 });
        s.recordAttempt({ leadId: 'L1', buyer: 'A', kind: 'pixel', url: 'http://127.0.0.1/x', startedAt: T0 + 200, durationMs: 8, outcome: 'timeout' });
        expect(s.attempts({ kind: 'post' })).toEqual([
          { id: 1, leadId: 'L1', buyer: 'A', kind: 'post', url: 'http://127.0.0.1/p', startedAt: T0, durationMs: 120, outcome: 'accepted', status: 200, detail: null, price: 45 },
        ]);
        expect(s.attempts({ buyer: 'A' })).toHaveLength(2);
        expect(() => s.recordAttempt!({ leadId: 'L1', buyer: 'A', kind: 'fax' as 'post', url: '', startedAt: T0, durationMs: 1, outcome: 'accepted' })).toThrow(/kind/);
        s.close();
      });
    });

    describe('with a Router', () => {
      it('lead caps: the fourth lead in the hour overflows; the next hour starts at zero', () => {
        const s = make();
        const r = new Router(contractPlan(), { store: s, seed: 1 });
        const got = [0, 1, 2, 3].map((i) => names(r.route(lead(i), { now: T0 + i * MIN })));
        expect(got).toEqual(['Capped', 'Capped', 'Capped', 'Spare']);
        expect(names(r.route(lead(9), { now: T0 + HOUR }))).toBe('Capped');
        s.close();
      });

      it('dollar caps count price, not leads: $100/day takes two $45 leads', () => {
        const s = make();
        const r = new Router(contractPlan(), { store: s, seed: 1, trace: true });
        const got = [0, 1, 2, 3].map((i) => names(r.route(lead(i), { now: T0 + i * MIN, flow: 'dollars' })));
        expect(got).toEqual(['Dollars', 'Dollars', 'Spare', 'Spare']);
        const d = r.route(lead(5), { now: T0 + 5 * MIN, flow: 'dollars' });
        expect(d.trace.find((t) => t.code === 'CapExceeded')?.message).toMatch(/\$100\/day reached.*\$90\.00 used/);
        expect(names(r.route(lead(6), { now: T0 + DAY, flow: 'dollars' }))).toBe('Dollars');
        s.close();
      });

      it('a batch routed in a transaction counts like leads routed one by one', () => {
        const s = journal(make());
        const r = new Router(contractPlan(), { store: s, seed: 1 });
        const run = () => [0, 1, 2, 3, 4].map((i) => names(r.route(lead(i), { now: T0 + i * MIN })));
        const got = s.transaction ? s.transaction(run) : run();
        expect(got).toEqual(['Capped', 'Capped', 'Capped', 'Spare', 'Spare']);
        s.close();
      });

      it('a transaction that throws leaves no trace of its writes (SQLite) or keeps them (memory)', () => {
        const s = journal(make());
        if (!s.transaction) return s.close();
        expect(() =>
          s.transaction!(() => {
            s.add('t', 1, T0 + HOUR);
            throw new Error('boom');
          }),
        ).toThrow('boom');
        expect([0, 1]).toContain(s.get('t', T0));
        s.close();
      });

      it.runIf(routerJournals(make))('the router journals every decision and sale in the store', () => {
        const s = journal(make());
        const r = new Router(contractPlan(), { store: s, seed: 1, trace: true });
        for (let i = 0; i < 5; i++) r.route(lead(i), { now: T0 + i * MIN });
        expect(s.stats!().decisions).toBe(5);
        expect(s.countEvents('Capped', 'sold', T0)).toBe(3);
        expect(s.countEvents('Spare', 'sold', T0)).toBe(2);
        s.close();
      });
    });

    if (reopen) {
      describe('across a restart', () => {
        it('caps hold: close and reopen, the hour is still full', () => {
          let s = make();
          let r = new Router(contractPlan(), { store: s, seed: 1 });
          expect([0, 1, 2].map((i) => names(r.route(lead(i), { now: T0 + i * MIN })))).toEqual(['Capped', 'Capped', 'Capped']);
          expect([0, 1].map((i) => names(r.route(lead(i), { now: T0 + i * MIN, flow: 'dollars' })))).toEqual(['Dollars', 'Dollars']);
          s = reopen(s);
          r = new Router(contractPlan(), { store: s, seed: 1 });
          expect(names(r.route(lead(3), { now: T0 + 10 * MIN }))).toBe('Spare');
          expect(names(r.route(lead(4), { now: T0 + 10 * MIN, flow: 'dollars' }))).toBe('Spare');
          expect(names(r.route(lead(5), { now: T0 + HOUR + MIN }))).toBe('Capped');
          s.close();
        });

        it('keys, events, decisions and attempts survive', () => {
          let s = journal(make());
          s.putKey('k', T0 + DAY);
          s.recordEvent({ kind: 'sold', buyer: 'A', leadId: 'L1', at: T0, price: 45 });
          const scratch = make();
          const d = new Router(contractPlan(), { store: scratch, seed: 1, trace: true }).route(lead(1), { now: T0 });
          scratch.close();
          s.recordDecision(d);
          s.recordAttempt?.({ leadId: 'L1', buyer: 'A', kind: 'post', url: 'http://127.0.0.1/', startedAt: T0, durationMs: 5, outcome: 'accepted' });
          s = journal(reopen(s));
          expect(s.hasKey('k', T0)).toBe(true);
          expect(s.countEvents('A', 'sold', 0)).toBe(1);
          if (s.decisions) expect(full(s.decisions({ leadId: 'C1' }).at(-1)!)).toEqual(full(d));
          if (s.attempts) expect(s.attempts()).toHaveLength(1);
          s.close();
        });
      });
    }
  });
}
