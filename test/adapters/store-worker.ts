// A router process on a shared SQLite file, driven over IPC by the
// multi-process tests (test/adapters/processes.test.ts) and the kill test
// (bench/kill-test.ts). Forked with `node --import tsx`; every message is one
// command, answered with one message (except `forever`, which routes until the
// process is killed).
//
//   { cmd: 'ping' }                                 → { ok: 'pong' } (once loaded)
//   { cmd: 'open', path, mode, busyTimeoutMs? }  → { ok: 'open' }
//   { cmd: 'route', count, startAt?, killAtAdd? }  → { ok: 'routed', sold, unrouted, errors }
//   { cmd: 'forever' }                              → { ok: 'routing' }, then routes until killed
//   { cmd: 'exit' }                                 → exits 0
//
// Every lead is routed at one time (T0), so all count against one window of
// the cap. A lead whose routing throws is counted in `errors` and the batch
// goes on: a worker never crashes on a store error, so a crash is a bug.
// `killAtAdd: n` makes the process kill itself (SIGKILL) right after the n-th
// cap counter add: the worst moment, between a cap count and its decision.

import { Router } from '../../src/runtime/index.js';
import { SqliteStore } from '../../src/adapters/index.js';
import { planOf } from '../helpers/lang.js';

export type WorkerMode = 'statement' | 'tick' | 'transaction';

export type WorkerCommand =
  | { cmd: 'ping' }
  | { cmd: 'open'; path: string; mode: WorkerMode; busyTimeoutMs?: number; rules?: string }
  | { cmd: 'route'; count: number; startAt?: number; killAtAdd?: number }
  | { cmd: 'forever' }
  | { cmd: 'exit' };

export type WorkerReply =
  | { ok: 'pong' }
  | { ok: 'open' }
  | { ok: 'routed'; sold: number; unrouted: number; errors: string[] }
  | { ok: 'routing' };

/** One buyer with a cap of 100 an hour: against it, any number of routers together sell exactly 100. */
export const CAPPED_RULES = `
buyer Premium { price $45  cap 100/h }
flow main { route Premium }`;

/** Routing time of every lead: a Tuesday afternoon, well inside one hour window. */
export const T0 = Date.parse('2026-03-10T14:10:00Z');

/** Leads per store.transaction() in `transaction` mode. */
const BATCH = 50;
/** In `tick` mode, give the event loop a turn (the tick commits) every this many leads. */
const TICK_EVERY = 10;

let store: SqliteStore | null = null;
let router: Router | null = null;
let mode: WorkerMode = 'statement';
let leadNo = 0;

const lead = () => ({ id: `${process.pid}-${++leadNo}`, state: 'NY', credit_score: 720 });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const reply = (r: WorkerReply) => process.send!(r);

function open(c: Extract<WorkerCommand, { cmd: 'open' }>): void {
  mode = c.mode;
  store = new SqliteStore(c.path, {
    commit: c.mode === 'tick' ? 'tick' : 'statement',
    ...(c.busyTimeoutMs !== undefined ? { busyTimeoutMs: c.busyTimeoutMs } : {}),
  });
  router = new Router(planOf(c.rules ?? CAPPED_RULES), { store });
}

/** Make the process kill itself right after the n-th cap counter add. */
function killAfterAdd(s: SqliteStore, n: number): void {
  const add = s.add.bind(s);
  let adds = 0;
  s.add = (key, amount, expiresAt) => {
    add(key, amount, expiresAt);
    if (++adds === n) process.kill(process.pid, 'SIGKILL');
  };
}

async function route(c: Extract<WorkerCommand, { cmd: 'route' }>): Promise<WorkerReply> {
  const s = store!;
  const r = router!;
  if (c.killAtAdd !== undefined) killAfterAdd(s, c.killAtAdd);
  const now = c.startAt ?? T0;
  let sold = 0;
  let unrouted = 0;
  const errors: string[] = [];
  const one = () => {
    try {
      const d = r.route(lead(), { now });
      if (d.status === 'routed') sold++;
      else unrouted++;
    } catch (err) {
      errors.push(String((err as Error).message));
    }
  };
  if (mode === 'transaction') {
    for (let i = 0; i < c.count; i += BATCH) {
      const end = Math.min(c.count, i + BATCH);
      const before = { sold, unrouted };
      try {
        s.transaction(() => {
          for (let j = i; j < end; j++) one();
        });
      } catch (err) {
        // The batch rolled back: none of its leads was sold.
        sold = before.sold;
        unrouted = before.unrouted;
        errors.push(`batch of ${end - i} leads: ${String((err as Error).message)}`);
      }
    }
  } else {
    for (let i = 0; i < c.count; i++) {
      one();
      if (mode === 'tick' && i % TICK_EVERY === TICK_EVERY - 1) await turn();
    }
  }
  s.close();
  store = null;
  return { ok: 'routed', sold, unrouted, errors };
}

/** Route until killed, yielding now and then so a tick-mode store commits. */
async function forever(): Promise<never> {
  const r = router!;
  const s = store!;
  for (let i = 0; ; i++) {
    if (mode === 'transaction') s.transaction(() => { for (let j = 0; j < BATCH; j++) r.route(lead(), { now: T0 }); });
    else r.route(lead(), { now: T0 });
    if (i % TICK_EVERY === 0) await turn();
  }
}

process.on('message', (m: WorkerCommand) => {
  void (async () => {
    switch (m.cmd) {
      case 'ping':
        return reply({ ok: 'pong' });
      case 'open':
        open(m);
        return reply({ ok: 'open' });
      case 'route':
        return reply(await route(m));
      case 'forever':
        reply({ ok: 'routing' });
        return forever();
      case 'exit':
        return process.exit(0);
      default: {
        const never: never = m;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  })().catch((err: unknown) => {
    // A crash is reported as one, with its message, and ends the process.
    console.error(`store worker crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(70);
  });
});
