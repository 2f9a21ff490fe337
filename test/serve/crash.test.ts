// Durability end to end: a real `leadroute serve` child process on a SQLite
// file, killed with SIGKILL while posts are in flight and a delayed delivery
// waits, then started again on the same file. The mock buyers live in this
// process (real HTTP servers on 127.0.0.1), so they outlive the crash and can
// be counted: every lead the service took is delivered exactly once, each
// post carrying the same Idempotency-Key before and after the crash.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockBuyers, type MockBuyers } from '../../src/mock/index.js';
import { scratchDir } from '../cli/helpers.js';
import { get, lead, post, SERVE_LEAD, spawnServe, until, type ServeChild } from './helpers.js';

const children: ChildProcess[] = [];
let mock: MockBuyers | null = null;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await mock?.close();
  mock = null;
});

function serve(args: string[]): Promise<ServeChild> {
  const started = spawnServe(args);
  children.push(started.child);
  return started.listening;
}

describe('leadroute serve: kill -9 and restart', () => {
  it('delivers every lead it took exactly once: posts cut off in flight and a delayed delivery resume with the same idempotency key', async () => {
    // Alpha answers posts after 1.5 s, so a kill lands while they are in flight.
    mock = await startMockBuyers({
      seed: 1,
      keep: 10_000,
      buyers: [
        { name: 'Alpha', port: 0, post: { latency: { dist: 'fixed', value: 1500 } } },
        { name: 'Beta', port: 0 },
      ],
    });
    const url = (name: string) => mock!.buyers.find((b) => b.name === name)!.url;
    const dir = scratchDir();
    const rules = join(dir, 'crash.route');
    writeFileSync(
      rules,
      `${SERVE_LEAD}
buyer Alpha {
  price $20
  post "${url('Alpha')}/post" timeout 20s accepted "result" == "success"
}
buyer Beta {
  price $12
  delay 4s
  post "${url('Beta')}/post" timeout 20s accepted "result" == "success"
}
flow solar {
  when state in [CA] route Alpha
  otherwise route Beta
}
`,
    );
    const store = join(dir, 'serve.db');
    const first = await serve([rules, '--port', '0', '--store', store, '--no-watch']);

    // Acknowledged before the crash: two leads delivered, one whose delayed delivery waits.
    const acked: string[] = [];
    for (const id of ['A1', 'A2']) {
      const r = await post(`${first.url}/leads/solar`, lead(id));
      expect(r.json).toMatchObject({ status: 'routed', deliveries: [{ buyer: 'Alpha', status: 'accepted' }] });
      acked.push(id);
    }
    const delayed = await post(`${first.url}/leads/solar`, lead('B1', { state: 'TX' }));
    expect(delayed.json).toMatchObject({ status: 'routed', deliveries: [{ buyer: 'Beta', status: 'scheduled' }] });
    acked.push('B1');

    // Taken (in the inbox) but cut off: posts in flight when the process dies.
    const inFlight = ['C1', 'C2', 'C3'];
    const cut = inFlight.map((id) => post(`${first.url}/leads/solar`, lead(id)).then(() => 'answered', () => 'cut off'));
    const alphaSaw = (id: string) => mock!.stats().buyers.find((b) => b.name === 'Alpha')!.recent.some((r) => r.path === '/post' && r.body.includes(`"${id}"`));
    await until('the in-flight posts to reach Alpha', () => inFlight.every(alphaSaw));
    first.child.kill('SIGKILL');
    expect(await Promise.all(cut)).toEqual(['cut off', 'cut off', 'cut off']);
    // Beta's delayed delivery had not been sent.
    expect(mock.stats().buyers.find((b) => b.name === 'Beta')!.posts.total).toBe(0);

    const second = await serve([rules, '--port', '0', '--store', store, '--no-watch']);
    const done = async (id: string) => (await get(`${second.url}/leads/${id}`)).json.state === 'done';
    await until('every lead finished after the restart', async () => (await Promise.all([...acked, ...inFlight].map(done))).every(Boolean));

    // Exactly once, counted by the buyers: one accepted post per lead, and the
    // posts sent again after the restart were replays of the same key.
    const recent = mock.stats().buyers.flatMap((b) => b.recent.filter((r) => r.path === '/post').map((r) => ({ ...r, buyer: b.name })));
    for (const id of [...acked, ...inFlight]) {
      const posts = recent.filter((r) => r.body.includes(`"id":"${id}"`));
      const accepted = posts.filter((r) => r.outcome === 'accepted');
      expect(accepted.length, id).toBe(1);
      expect(new Set(posts.map((r) => r.idempotencyKey)).size, `${id}: one key`).toBe(1);
    }
    for (const id of inFlight) {
      expect(recent.filter((r) => r.body.includes(`"id":"${id}"`)).map((r) => r.outcome), id).toEqual(['accepted', 'replay']);
    }
    const b1 = (await get(`${second.url}/leads/B1`)).json;
    expect(b1).toMatchObject({ state: 'done', outcome: { deliveries: [{ buyer: 'Beta', status: 'accepted' }] } });
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 60_000);
});
