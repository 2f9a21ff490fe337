// `leadroute simulate FILE (--leads FILE.jsonl | --count N) [--seed S]
//    [--from TIME] [--rate N/h] [--flow F] [--store FILE.sqlite]
//    [--report report.html] [--json]`
//
// Routes leads through a rule file (or plan.json) on a simulated clock — lead i
// arrives at from + i/rate — against a scratch store, and prints a table per
// buyer: leads, share against the plan's target, revenue, cap hits, skips by
// reason; then the unsold leads and the distribution accuracy.

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RouterStore } from '../runtime/store.js';
import { generateLeads } from '../sim/leads.js';
import { renderReport } from '../sim/report.js';
import { DEFAULT_FROM, DEFAULT_RATE_PER_HOUR, simulate } from '../sim/simulate.js';
import { formatSummary } from '../sim/table.js';
import { MemoryStore } from '../adapters/memory-store.js';
import { SqliteStore } from '../adapters/sqlite-store.js';
import { loadPlanArgument } from './check.js';
import type { SimulateOptions } from './commands.js';
import { UsageError, isoTimeOption, paint, type Io } from './io.js';
import { progressBar } from './progress.js';

const HOUR = 3_600_000;

/** `600`, `600/h`, `10/min`, `14400/day`, `1/s` → leads per hour. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hr|hour|d|day))?\s*$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new UsageError(`--rate \`${text}\` is not a rate like 600/h, 10/min or 1/s`);
  const unit = m[2] ?? 'h';
  const perHour = unit.startsWith('s') ? 3600 : unit.startsWith('m') ? 60 : unit.startsWith('d') ? 1 / 24 : 1;
  return n * perHour;
}

function parseCount(text: string): number {
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--count \`${text}\` is not a whole number`);
  return n;
}

function readJsonl(path: string, io: Io): unknown[] {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, path), 'utf8');
  } catch {
    throw new UsageError(`cannot read \`${path}\``);
  }
  const leads: unknown[] = [];
  const lines = text.split('\n');
  let bad = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      leads.push(JSON.parse(line));
    } catch {
      if (++bad <= 3) io.err(`leadroute: line ${i + 1} of ${path} is not valid JSON; skipped`);
    }
  }
  if (bad > 3) io.err(`leadroute: ${bad} lines of ${path} were not valid JSON; skipped`);
  return leads;
}

export async function simulateCommand([file]: string[], values: SimulateOptions, io: Io): Promise<number> {
  if (file === undefined) throw new UsageError('`simulate` takes exactly one rule file or plan');
  const { leads: leadsFile, count: countText, flow } = values;
  if ((leadsFile === undefined) === (countText === undefined)) throw new UsageError('`simulate` needs either --leads FILE.jsonl or --count N');
  const count = countText === undefined ? undefined : parseCount(countText);
  const from = isoTimeOption('from', values.from, DEFAULT_FROM, '2026-11-23T14:00:00Z');
  const rate = values.rate === undefined ? DEFAULT_RATE_PER_HOUR : parseRate(values.rate);
  const seed = values.seed ?? '1';

  const plan = loadPlanArgument(file, io, values.maxErrors);
  if (!plan) return 1;
  if (flow !== undefined && !plan.flows.some((f) => f.name === flow)) {
    throw new UsageError(`no flow \`${flow}\`; the file has ${plan.flows.map((f) => `\`${f.name}\``).join(', ')}`);
  }

  const arrival = (i: number) => from + Math.floor((i * HOUR) / rate);
  const leads: Iterable<unknown> =
    leadsFile !== undefined ? readJsonl(leadsFile, io) : generateLeads(plan, { count: count!, seed, arrival });
  const total = leadsFile !== undefined ? (leads as unknown[]).length : count!;

  const storePath = values.store;
  const store: RouterStore = storePath !== undefined ? new SqliteStore(resolve(io.cwd, storePath)) : new MemoryStore();
  const bar = progressBar(io, 'simulating', total, 'leads');
  let summary;
  try {
    summary = simulate(plan, leads, {
      store,
      seed,
      from,
      ratePerHour: rate,
      ...(flow !== undefined ? { flow } : {}),
      total,
      file,
      journal: storePath !== undefined, // a --store file gets the decision journal; the scratch store needs none
      onProgress: (done) => bar.update(done),
    });
  } finally {
    bar.done();
    store.close();
  }

  if (values.json) io.out(JSON.stringify(summary, null, 2));
  else io.out(formatSummary(summary, paint(io.color)));
  const report = values.report;
  if (report !== undefined) {
    writeFileSync(resolve(io.cwd, report), renderReport(summary));
    io.err(`wrote ${report}`);
  }
  return 0;
}
