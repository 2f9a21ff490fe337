// Several router processes on one SQLite file (docs/STORE.md, "Several
// processes"): real child processes, a real file in a temp dir. Against
// `cap 100/h` two processes routing 400 leads each sell exactly 100 between
// them, in every commit mode, and neither crashes nor loses a lead to a lock.
// A process killed between a cap count and its decision leaves counters equal
// to the journal.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/index.js';
import type { WorkerMode, WorkerReply } from './store-worker.js';
import { ledger, Worker } from './workers.js';

const dir = mkdtempSync(join(tmpdir(), 'leadroute-processes-'));
let n = 0;
const file = () => join(dir, `shared-${++n}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Started together, so they load (tsx, the sources) side by side.
const sharing = [new Worker(), new Worker()];
const doomed = new Worker();
afterAll(async () => {
  doomed.child.kill('SIGKILL');
  await Promise.all(sharing.map((w) => w.stop()));
});

const TRIALS = 10;
const LEADS = 400;

type Routed = Extract<WorkerReply, { ok: 'routed' }>;

describe('two router processes on one SQLite file, cap 100/h', () => {
  const workers = sharing;
  beforeAll(async () => {
    await Promise.all(workers.map((w) => w.ask({ cmd: 'ping' }))); // loaded: the trials time routing only
  });

  for (const mode of ['statement', 'tick', 'transaction'] as const satisfies readonly WorkerMode[]) {
    it(`${TRIALS} trials × 2 processes × ${LEADS} leads, ${mode} mode: exactly 100 sold every time, no errors`, async () => {
      const outcomes: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const path = file();
        // Both open the new file at once (they race to create and migrate it),
        // then both route at once.
        await Promise.all(workers.map((w) => w.ask({ cmd: 'open', path, mode })));
        const replies = (await Promise.all(workers.map((w) => w.ask({ cmd: 'route', count: LEADS })))) as Routed[];
        const sold = replies.reduce((s, r) => s + r.sold, 0);
        const errors = replies.flatMap((r) => r.errors);
        const l = ledger(path, 'Premium');
        outcomes.push(
          `sold ${sold}, errors ${errors.length}${errors.length > 0 ? ` (${errors[0]})` : ''}, ` +
            `counter ${l.counters}, sold events ${l.soldEvents}, routed ${l.routed}, decisions ${l.decisions}`,
        );
      }
      const expected = `sold 100, errors 0, counter 100, sold events 100, routed 100, decisions ${2 * LEADS}`;
      expect(outcomes).toEqual(Array.from({ length: TRIALS }, () => expected));
    });
  }
});

describe('a router process killed between a cap count and its decision', () => {
  it('leaves the cap counter equal to the journal (default commit mode)', async () => {
    const path = file();
    new SqliteStore(path).close();
    const w = doomed;
    await w.ask({ cmd: 'open', path, mode: 'statement', rules: 'buyer Premium { price $45  cap 100000/h }\nflow main { route Premium }' });
    // Dies right after the 7th lead's cap count, before its sale and decision are written.
    w.child.send({ cmd: 'route', count: 20, killAtAdd: 7 });
    const end = await w.exited;
    expect(end.signal).toBe('SIGKILL');
    const l = ledger(path, 'Premium');
    expect(l.routed).toBe(6);
    expect({ counters: l.counters, soldEvents: l.soldEvents }).toEqual({ counters: l.routed, soldEvents: l.routed });
  });
});
