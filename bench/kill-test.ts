// Crash consistency of the SQLite store under `kill -9`: a router process
// routes leads into one file without pause, and is killed (SIGKILL) at a
// random moment; the next one carries on in the same file. After every kill
// the file is read back: the cap counter must equal the journal (decisions
// routed to the buyer, and `sold` events), whatever the moment of the kill.
//
//   npx tsx bench/kill-test.ts [--kills 25] [--mode statement|tick|transaction|all] [--max-ms 400] [--seed 1]
//
// Exits 1 when any kill left the counter and the journal apart. Each router
// is a real child process (test/adapters/store-worker.ts); the next one starts
// while the current one routes, so a kill costs little more than its moment.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../src/sim/sample-leads.js';
import { SqliteStore } from '../src/adapters/index.js';
import type { WorkerMode } from '../test/adapters/store-worker.js';
import { ledger, Worker, type Ledger } from '../test/adapters/workers.js';

/** A cap that never fills: every lead sold counts, so any drift between counter and journal shows. */
const RULES = 'buyer Premium { price $45  cap 1000000/h }\nflow main { route Premium }';
const MODES: readonly WorkerMode[] = ['statement', 'tick', 'transaction'];

interface KillResult {
  afterMs: number;
  ledger: Ledger;
  consistent: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function killRun(mode: WorkerMode, kills: number, maxMs: number, rand: () => number, log: (s: string) => void): Promise<KillResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'leadroute-kill-'));
  const path = join(dir, 'killed.sqlite');
  new SqliteStore(path).close();
  const results: KillResult[] = [];
  let next = new Worker();
  try {
    for (let k = 0; k < kills; k++) {
      const w = next;
      await w.ask({ cmd: 'open', path, mode, rules: RULES });
      next = new Worker(); // starts up while this one routes
      await w.ask({ cmd: 'forever' });
      const afterMs = Math.round(rand() * maxMs);
      await sleep(afterMs);
      w.child.kill('SIGKILL');
      const end = await w.exited;
      if (end.signal !== 'SIGKILL') throw new Error(`router ${k + 1} ended by itself (code ${end.code}): ${w.errors}`);
      const l = ledger(path, 'Premium');
      const consistent = l.counters === l.routed && l.soldEvents === l.routed;
      results.push({ afterMs, ledger: l, consistent });
      log(
        `  kill ${String(k + 1).padStart(2)} after ${String(afterMs).padStart(3)} ms: counter ${l.counters}, ` +
          `routed decisions ${l.routed}, sold events ${l.soldEvents}${consistent ? '' : '   <-- APART'}`,
      );
    }
  } finally {
    next.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '25' },
      mode: { type: 'string', default: 'statement' },
      'max-ms': { type: 'string', default: '400' },
      seed: { type: 'string', default: '1' },
    },
  });
  const kills = Number(values.kills);
  const maxMs = Number(values['max-ms']);
  const modes = values.mode === 'all' ? MODES : MODES.filter((m) => m === values.mode);
  if (modes.length === 0 || !Number.isInteger(kills) || kills < 1) {
    console.error('usage: npx tsx bench/kill-test.ts [--kills N] [--mode statement|tick|transaction|all] [--max-ms MS] [--seed N]');
    return 2;
  }
  const rand = mulberry32(Number(values.seed)); // seeded, so a run's kill moments can be repeated
  let apart = 0;
  for (const mode of modes) {
    console.log(`${mode} mode: ${kills} kills (SIGKILL) at random moments up to ${maxMs} ms into routing, one file`);
    const results = await killRun(mode, kills, maxMs, rand, console.log);
    const bad = results.filter((r) => !r.consistent).length;
    const last = results[results.length - 1]!.ledger;
    console.log(`${mode} mode: ${kills - bad} of ${kills} kills left counter = journal; ${last.decisions} decisions journaled in all\n`);
    apart += bad;
  }
  return apart === 0 ? 0 : 1;
}

process.exitCode = await main();
