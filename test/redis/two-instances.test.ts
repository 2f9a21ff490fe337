// Scale-out end to end: two `leadroute serve` child processes on one real
// redis-server (`--store redis://…`, each with its own SQLite journal), 5,000
// leads posted to them at once, half to each. Premium's cap of 100/h holds
// across both: exactly 100 leads are posted to Premium's buyer, the rest
// overflow to Standard, counted by the mock buyers themselves.

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockBuyers, type MockBuyers } from '../../src/mock/index.js';
import { scratchDir } from '../cli/helpers.js';
import { lead, post, SERVE_LEAD, spawnServe } from '../serve/helpers.js';
import { redisSkipReason, startRedis, type RunningRedis } from '../helpers/redis.js';

const KEY = 'two-instances-test-key';
const LEADS = 5000;
const IN_FLIGHT = 64;

describe.skipIf(redisSkipReason !== null)('two leadroute serve instances on one Redis', () => {
  const children: ChildProcess[] = [];
  let redis: RunningRedis | null = null;
  let mock: MockBuyers | null = null;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await mock?.close();
    await redis?.stop();
  });

  it('5,000 leads against a cap of 100/h: exactly 100 go to Premium, the rest overflow', async () => {
    redis = await startRedis();
    mock = await startMockBuyers({ seed: 1, keep: 10, buyers: [{ name: 'Premium', port: 0 }, { name: 'Standard', port: 0 }] });
    const url = (name: string) => mock!.buyers.find((b) => b.name === name)!.url;
    const dir = scratchDir();
    const rules = join(dir, 'capped.route');
    writeFileSync(
      rules,
      `${SERVE_LEAD}
buyer Premium {
  price $50
  cap 100/h
  overflow Standard
  post "${url('Premium')}/post" timeout 10s accepted "result" == "success"
}
buyer Standard {
  price $20
  post "${url('Standard')}/post" timeout 10s accepted "result" == "success"
}
flow solar { route Premium }
`,
    );
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ sources: [{ name: 'test', key: KEY, rate: { max: 1_000_000, window: '1 minute' } }] }));
    const start = (name: string) => {
      const s = spawnServe([rules, '--port', '0', '--store', redis!.url, '--journal', join(dir, `${name}.db`), '--keys', join(dir, 'keys.json'), '--no-watch', '--log-level', 'warn']);
      children.push(s.child);
      return s.listening;
    };
    const [a, b] = await Promise.all([start('a'), start('b')]);
    expect(a.output()).toMatch(/shared state in Redis redis:\/\/127\.0\.0\.1:\d+; journal .*a\.db/);

    const outcomes = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < LEADS; i = next++) {
        const to = i % 2 === 0 ? a : b;
        const r = await post(`${to.url}/leads/solar`, lead(`L${i}`, { email: `l${i}@example.com` }), { 'x-api-key': KEY });
        const deliveries = (r.json.deliveries ?? []) as { buyer: string; status: string }[];
        const key = r.status === 200 ? deliveries.map((d) => `${d.buyer}:${d.status}`).join(',') : `HTTP ${r.status} ${String(r.json.error)}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

    expect(Object.fromEntries(outcomes)).toEqual({ 'Premium:accepted': 100, 'Standard:accepted': LEADS - 100 });
    // Counted by the buyers, not by leadroute's own answers.
    const posts = (name: string) => mock!.stats().buyers.find((x) => x.name === name)!.posts;
    expect(posts('Premium').accepted).toBe(100);
    expect(posts('Premium').total).toBe(100);
    expect(posts('Standard').accepted).toBe(LEADS - 100);
    // Both instances sold to Premium: the cap was shared, not split in halves.
    const metric = async (s: { url: string }) => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      const m = /leadroute_decisions_total\{[^}]*buyer="Premium"[^}]*\} (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const [pa, pb] = await Promise.all([metric(a), metric(b)]);
    expect(pa + pb).toBe(100);
    expect(pa).toBeGreaterThan(0);
    expect(pb).toBeGreaterThan(0);
  }, 240_000);
});
