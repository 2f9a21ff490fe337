// RedisStore: two routers, each with its own RedisStore (as two instances of
// `leadroute serve` would be), on one real redis-server. Caps, fair-split
// counts, dedupe keys and outcomes are shared; each one's journal is its own.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/adapters/index.js';
import { RedisStore, redactUrl } from '../../src/adapters/redis-store.js';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { redisSkipReason, startRedis, type RunningRedis } from '../helpers/redis.js';

const CAPPED = `
lead {
  id: string
  state: state
  email: email pii
}
buyer Premium { price $50  cap 100/h  overflow Standard }
buyer Standard { price $20 }
flow main { route Premium }
`;

const AT = Date.parse('2026-12-01T10:00:00Z');

describe.skipIf(redisSkipReason !== null)('RedisStore on a real redis-server', () => {
  let redis: RunningRedis;
  const stores: RedisStore[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const s of stores) await s.shutdown();
    await redis?.stop();
  });

  async function pair(source: string): Promise<[Router, Router, RedisStore, RedisStore]> {
    const plan = planOf(source);
    const prefix = `t${++prefixes}:`;
    const a = await RedisStore.connect(redis.url, { local: new MemoryStore(), prefix });
    const b = await RedisStore.connect(redis.url, { local: new MemoryStore(), prefix });
    stores.push(a, b);
    return [new Router(plan, { store: a, seed: 'a' }), new Router(plan, { store: b, seed: 'b' }), a, b];
  }

  it('a cap of 100/h is 100 across two instances routing at once, the rest overflow', async () => {
    const [ra, rb, a, b] = await pair(CAPPED);
    const lead = (i: number) => ({ id: `L${i}`, state: 'CA', email: `p${i}@example.com` });
    // Both instances route 1,000 leads each, all in flight together.
    const all = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? ra : rb).routeConfirmed(lead(i), { now: AT + i })),
    );
    const premium = all.filter((d) => d.buyers.some((x) => x.name === 'Premium')).length;
    const standard = all.filter((d) => d.buyers.some((x) => x.name === 'Standard')).length;
    expect(premium).toBe(100);
    expect(standard).toBe(1900);
    // The instances really raced: some units were refused and routed again.
    expect(a.conflicts + b.conflicts).toBeGreaterThan(0);
    // Each instance journals only its own decisions.
    expect(a.decisions().length).toBe(1000);
    expect(b.decisions().length).toBe(1000);
  });

  it('a new instance starts from the counts already in Redis', async () => {
    const [ra, , a] = await pair(CAPPED);
    for (let i = 0; i < 100; i++) await ra.routeConfirmed({ id: `M${i}`, state: 'CA', email: `m${i}@example.com` }, { now: AT });
    const late = await RedisStore.connect(redis.url, { local: new MemoryStore(), prefix: (a as unknown as { prefix: string }).prefix });
    stores.push(late);
    const d = await new Router(planOf(CAPPED), { store: late }).routeConfirmed({ id: 'N1', state: 'CA', email: 'n1@example.com' }, { now: AT });
    expect(d.buyers.map((x) => x.name)).toEqual(['Standard']);
    expect(late.conflicts).toBe(1);
  });

  it('fair-split counts are shared: the shares hold over both instances together', async () => {
    const [ra, rb] = await pair(`
lead { id: string  state: state }
buyer Alpha { price $20 }
buyer Beta { price $20 }
buyer Gamma { price $20 }
flow main { split fair { Alpha 50%, Beta 30%, Gamma 20% } }
`);
    const all = await Promise.all(Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? ra : rb).routeConfirmed({ id: `F${i}`, state: 'TX' }, { now: AT })));
    const count = (n: string) => all.filter((d) => d.buyers[0]?.name === n).length;
    // A fair split is exact to within one lead of each share, over the shared count.
    expect(Math.abs(count('Alpha') - 500)).toBeLessThanOrEqual(1);
    expect(Math.abs(count('Beta') - 300)).toBeLessThanOrEqual(1);
    expect(Math.abs(count('Gamma') - 200)).toBeLessThanOrEqual(1);
  });

  it('a dedupe key one instance stored refuses the same email at the other', async () => {
    const [ra, rb] = await pair(`
lead { id: string  state: state  email: email pii }
buyer Premium { price $50  dedupe email within 30d }
flow main { route Premium }
`);
    const first = await ra.routeConfirmed({ id: 'D1', state: 'CA', email: 'same@example.com' }, { now: AT });
    const again = await rb.routeConfirmed({ id: 'D2', state: 'CA', email: 'SAME@example.com' }, { now: AT + 1000 });
    expect(first.buyers.map((x) => x.name)).toEqual(['Premium']);
    expect(again.status).toBe('unrouted');
    expect(again.reason).toMatch(/Premium: duplicate email/);
  });

  it('outcomes one instance records steer the other instance`s performance split', async () => {
    const [ra, rb, , b] = await pair(`
lead { id: string  state: state }
buyer Alpha { price $25 }
buyer Beta { price $25 }
flow main { split by performance conversion over 7d min 10% max 90% { Alpha, Beta } }
`);
    // Instance A sells 40 leads and hears back that every one sold to Alpha converted.
    for (let i = 0; i < 40; i++) {
      const d = await ra.routeConfirmed({ id: `P${i}`, state: 'CA' }, { now: AT + i });
      for (const x of d.buyers) if (x.name === 'Alpha') ra.recordOutcome(d.leadId, 'Alpha', 'converted', { at: AT + i });
    }
    await new Promise((r) => setTimeout(r, 50)); // outcomes are sent without waiting
    // Instance B, which sold nothing itself, learns them when its first unit
    // finds its copy stale (metrics are then cached for a minute of routing
    // time, as on one instance), and sends most leads to Alpha.
    await rb.routeConfirmed({ id: 'Q-first', state: 'CA' }, { now: AT + 999 });
    const all = await Promise.all(Array.from({ length: 400 }, (_, i) => rb.routeConfirmed({ id: `Q${i}`, state: 'CA' }, { now: AT + 1000 + i })));
    const alpha = all.filter((d) => d.buyers[0]?.name === 'Alpha').length;
    expect(alpha).toBeGreaterThan(300);
    expect(b.conflicts).toBeGreaterThan(0);
    expect(b.events({ kind: 'converted' })).toEqual([]); // its journal holds only its own
  });

  it('a counter expires in Redis as in memory: an add after its expiry starts it again, at every instance', async () => {
    const [, , a, b] = await pair(CAPPED);
    const H = 3_600_000;
    const unit = async (s: RedisStore, now: number, amount: number, expiresAt: number) => {
      for (;;) {
        const u = s.remoteUnit(() => {
          const before = s.get('x', now);
          s.add('x', amount, expiresAt);
          return before;
        });
        if (await u.held) return u.result;
      }
    };
    expect(await unit(a, AT, 5, AT + H)).toBe(0);
    expect(await unit(b, AT + 10, 1, AT + H)).toBe(5); // b learns 5 (one refusal), adds 1
    expect(b.conflicts).toBe(1);
    // Past the expiry the counter reads 0 and an add starts it again, in Redis too:
    expect(await unit(a, AT + 2 * H, 2, AT + 3 * H)).toBe(0);
    expect(await unit(b, AT + 2 * H + 10, 1, AT + 3 * H)).toBe(2);
    expect(b.get('x', AT + 2 * H + 20)).toBe(3);
  });

  it('auction sales committed at two instances at once count against one cap: 5 of 40 winners kept', async () => {
    const [ra, rb] = await pair(`
lead { id: string  state: state }
buyer A { price $40  cap 5/h  ping "https://a.example/ping" }
buyer Z { price $1 }
flow main {
  auction { A } timeout 300ms
  route Z
}
`);
    const pending = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? ra : rb).routeConfirmed({ id: `U${i}`, state: 'CA' }, { now: AT })));
    expect(pending.every((d) => d.status === 'auction')).toBe(true);
    // Every auction was won by A at $45; the commits race across the instances.
    const done = await Promise.all(pending.map((d, i) => (i % 2 === 0 ? ra : rb).commitConfirmed(d, [{ name: 'A', price: 45 }], { now: AT + 300 })));
    expect(done.filter((d) => d.status === 'routed').length).toBe(5);
    expect(done.filter((d) => d.status === 'unrouted').length).toBe(35);
  });

  it('a password in a Redis URL never reaches a message', () => {
    expect(redactUrl('redis://app:s3cret@127.0.0.1:6379/0')).toBe('redis://app:***@127.0.0.1:6379/0');
  });

  it('an unreachable Redis is a clear error naming the URL, not a hang', async () => {
    await expect(RedisStore.connect('redis://127.0.0.1:1', { local: new MemoryStore() })).rejects.toThrow(/cannot use Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
