// Stores side by side: decisions/s routing the same 100,000 leads through
// bench/rules.route with a MemoryStore and with a SqliteStore (a file in a
// temp dir), the router journaling every decision and sale (its default).
//
//   npx tsx bench/store.ts            (also the last part of `npm run bench`)
//
// SQLite is timed three ways: 1,000 leads per store.transaction() (batch
// jobs, the simulator); `commit: 'tick'` with a plain loop (writes gathered
// automatically, committed every turn of the event loop); and the default,
// every lead its own commit (what a server routing one lead per request pays,
// within ~10%). The
// figures to read are the ratios; absolute rates depend on the machine and disk.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, loadPlan, Router, type LoadedPlan } from '../src/index.js';
import { MemoryStore, SqliteStore, type JournalStore } from '../src/adapters/index.js';
import { makeLeads, type SampleLead } from '../src/sim/sample-leads.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const LEAD_COUNT = Number(process.env.STORE_BENCH_LEADS ?? 100_000);
const LEAD_SEED = 7;
const ROUTER_SEED = 42;
const BATCH = 1000;
/** Leads arrive 100 ms apart from Monday 14:00 UTC, so hourly caps fill and roll over. */
const FROM = Date.parse('2026-11-23T14:00:00Z');
const GAP_MS = 100;

interface Row {
  name: string;
  seconds: number;
  rate: number;
  note: string;
}

function loadBenchPlan(): LoadedPlan {
  const file = join(HERE, 'rules.route');
  const { plan } = compile(readFileSync(file, 'utf8'), { file: 'bench/rules.route' });
  if (!plan) throw new Error('bench/rules.route did not compile');
  return loadPlan(JSON.parse(JSON.stringify(plan)));
}

/** Route every lead, `batch` > 1: that many per store.transaction(). */
async function routeAll(
  plan: LoadedPlan,
  store: JournalStore,
  leads: readonly SampleLead[],
  batch: number,
  trace: boolean,
): Promise<{ seconds: number; sold: number }> {
  const router = new Router(plan, { store, seed: ROUTER_SEED, trace });
  let sold = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < leads.length; i += batch) {
    const end = Math.min(leads.length, i + batch);
    const run = () => {
      for (let j = i; j < end; j++) sold += router.route(leads[j], { now: FROM + j * GAP_MS }).buyers.length;
    };
    if (batch > 1) store.transaction(run);
    else run();
    if (i % 10_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve)); // let a tick-mode store commit as a server would
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, sold };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Run the store benchmark and print its table; returns the rows. */
export async function benchStores(count = LEAD_COUNT, log: (s: string) => void = console.log): Promise<Row[]> {
  const plan = loadBenchPlan();
  const leads = makeLeads(count, LEAD_SEED);
  const dir = mkdtempSync(join(tmpdir(), 'leadroute-bench-'));
  const rows: Row[] = [];
  try {
    // warm-up (JIT), outside the timings
    await routeAll(plan, new MemoryStore(), leads.slice(0, 5000), 1, true);

    const timeMemory = async (trace: boolean) => {
      const store = new MemoryStore();
      const r = await routeAll(plan, store, leads, 1, trace);
      rows.push({ name: `MemoryStore (trace ${trace ? 'on' : 'off'})`, seconds: r.seconds, rate: count / r.seconds, note: `${fmtInt(store.stats().decisions)} decisions journaled` });
    };
    let n = 0;
    const timeSqlite = async (batch: number, trace: boolean, commit: 'statement' | 'tick' = 'statement') => {
      const path = join(dir, `bench-${++n}.sqlite`);
      const store = new SqliteStore(path, { commit });
      const r = await routeAll(plan, store, leads, batch, trace);
      const stats = store.stats();
      store.close();
      const mb = statSync(path).size / 1e6;
      rows.push({
        name: `SqliteStore, ${commit === 'tick' ? "commit: 'tick', plain loop" : batch === 1 ? 'every lead its own commit' : `${fmtInt(batch)} leads per transaction()`} (trace ${trace ? 'on' : 'off'})`,
        seconds: r.seconds,
        rate: count / r.seconds,
        note: `${fmtInt(stats.decisions)} decisions, ${fmtInt(stats.events)} events, ${mb.toFixed(0)} MB`,
      });
    };
    await timeMemory(false);
    await timeMemory(true);
    await timeSqlite(BATCH, false);
    await timeSqlite(BATCH, true);
    await timeSqlite(1, false, 'tick');
    await timeSqlite(1, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const mem = rows[0]!.rate;
  const header = ['store', 'decisions/s', '×memory', 'time', 'notes'];
  const body = rows.map((r) => [r.name, fmtInt(r.rate), (r.rate / mem).toFixed(2) + '×', `${r.seconds.toFixed(2)} s`, r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  log('');
  log(`stores: ${fmtInt(count)} leads (makeLeads seed ${LEAD_SEED}) through bench/rules.route, ${GAP_MS} ms apart, router journaling decisions and sales`);
  log(line(header));
  log('|' + widths.map((w, i) => (i === 0 || i === 4 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const row of body) log(line(row));
  return rows;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  benchStores().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
