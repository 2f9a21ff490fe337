// `leadroute sell RULES --leads FILE.jsonl`: sell your leads through your rule
// file over real HTTP with the Seller (pings, auctions, posts, pixels), and
// print a line a lead and a summary.
//
//   leadroute sell RULES --leads FILE.jsonl [--buyers CONFIG [--ephemeral]]
//                  [--store DB] [--dry-run] [--json] [--flow F] [--at ISO-TIME]
//                  [--seed S] [--limit N] [--concurrency N (20)] [--quiet]
//
// --buyers starts mock buyers from a configuration first (src/mock) and points
// the rule file's 127.0.0.1 URLs at them; --store keeps caps, dedupe keys and
// the decision and delivery journals in a SQLite file across runs; --dry-run
// prints every request a real run would send and sends none (see
// src/deliver/recording-http.ts). Exit codes: 0 every lead was handled (sold,
// unsold or rejected by the rules); 1 a line was not JSON, the seller failed on
// a lead, a delivery failed (no answer after retries and the backup post), or
// the mock buyers could not start; 2 usage or rule errors. `leadroute demo` is
// this command on the sample files (src/cli/demo.ts).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Seller, type Sale } from '../auction/index.js';
import type { Plan } from '../compile/index.js';
import { RecordingHttpClient, type RecordedHttpRequest } from '../deliver/index.js';
import { Router } from '../runtime/index.js';
import type { RouterStore } from '../runtime/store.js';
import { MemoryStore, SqliteStore } from '../adapters/index.js';
import { MOCK_HOST, type MockBuyers } from '../mock/index.js';
import { loadPlanArgument } from './check.js';
import { describeMockBuyers, formatMockStats } from './mock-buyers.js';
import { startBuyersFor } from './sell-buyers.js';
import { dryRunPlan, formatDryRunFile, formatDryRunSale, formatDryRunTotals, readDryRunFiles, requestLabels } from './sell-dry-run.js';
import {
  failedLineJson,
  formatBuyerSummary,
  formatSale,
  formatTotals,
  newRow,
  newTotals,
  quantile,
  saleJson,
  tally,
  totalsJson,
  type BuyerRow,
} from './sell-report.js';
import type { SellOptions } from './commands.js';
import { UsageError, isoTimeOption, paint, parseLeadLine, type Io } from './io.js';
import { progressBar } from './progress.js';

/** What `demo` changes in the command: its name in messages, and that the sample mock buyers' injected faults are not the run's failure. */
export interface SellVariant {
  command: 'sell' | 'demo';
  /** A failed delivery makes the exit code 1 (sell); demo's mock buyers fail some on purpose. */
  failedDeliveryIsError: boolean;
}

const SELL: SellVariant = { command: 'sell', failedDeliveryIsError: true };

type LeadInput = { line: number; lead: unknown } | { line: number; error: string };
type LeadResult = { line: number; sale: Sale } | { line: number; unreadable: string } | { line: number; error: string };

function readLeadLines(file: string, io: Io): LeadInput[] {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch {
    throw new UsageError(`cannot read \`${file}\``);
  }
  const out: LeadInput[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const input = parseLeadLine(line, i + 1, file);
    if (input) out.push(input);
  });
  return out;
}

/** Sell every input, `concurrency` at a time, handing each result over in input order. */
async function sellAll(inputs: LeadInput[], concurrency: number, sellOne: (lead: unknown) => Promise<Sale>, onResult: (r: LeadResult) => void): Promise<void> {
  const done: (LeadResult | undefined)[] = new Array(inputs.length);
  let next = 0;
  let handed = 0;
  const flush = () => {
    while (handed < inputs.length && done[handed] !== undefined) {
      onResult(done[handed]!);
      done[handed] = undefined; // handed over: let it go
      handed++;
    }
  };
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i]!;
      if ('error' in input) done[i] = { line: input.line, unreadable: input.error };
      else {
        try {
          done[i] = { line: input.line, sale: await sellOne(input.lead) };
        } catch (err) {
          done[i] = { line: input.line, error: err instanceof Error ? err.message : String(err) };
        }
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  flush();
}

export async function sellCommand([rulesFile]: string[], v: SellOptions, io: Io, variant: SellVariant = SELL): Promise<number> {
  const cmd = variant.command;
  if (rulesFile === undefined) throw new UsageError(`\`${cmd}\` takes exactly one rule file or plan`);
  const { leads: leadsFile, dryRun, json, store: storeFile, buyers: buyersFile, flow } = v;
  if (dryRun && storeFile !== undefined) throw new UsageError('--dry-run routes on a scratch store and writes nothing: leave out --store');
  if (v.ephemeral && buyersFile === undefined) throw new UsageError('--ephemeral moves the mock buyers of --buyers CONFIG to free ports: it needs --buyers');
  // A dry run sells one lead at a time, so each request printed belongs to the lead above it.
  const concurrency = dryRun ? 1 : v.concurrency;
  const limit = v.limit ?? Infinity;
  const now = isoTimeOption('at', v.at, Date.now());

  const compiled = loadPlanArgument(rulesFile, io, v.maxErrors);
  if (!compiled) return 2;
  if (flow !== undefined && !compiled.flows.some((f) => f.name === flow)) {
    throw new UsageError(`no flow \`${flow}\`; the file has ${compiled.flows.map((f) => `\`${f.name}\``).join(', ')}`);
  }
  const inputs = readLeadLines(leadsFile, io).slice(0, limit);

  let plan: Plan = compiled;
  let mock: MockBuyers | null = null;
  let banner: string | null = null;
  if (buyersFile !== undefined) {
    const started = await startBuyersFor(plan, buyersFile, io, { ephemeral: v.ephemeral, command: cmd });
    if (!started.ok) return started.code;
    mock = started.mock;
    plan = started.plan;
    banner = describeMockBuyers(started.config, mock, io.color);
  }
  try {
    return await run({ io, variant, plan, inputs, mock, banner, dryRun, json, storeFile, concurrency, now, flow, rulesFile, leadsFile, buyersFile, seed: v.seed ?? '7', quiet: v.quiet });
  } finally {
    await mock?.close();
  }
}

interface Run {
  io: Io;
  variant: SellVariant;
  plan: Plan;
  inputs: LeadInput[];
  mock: MockBuyers | null;
  banner: string | null;
  dryRun: boolean;
  json: boolean;
  storeFile: string | undefined;
  concurrency: number;
  now: number;
  flow: string | undefined;
  rulesFile: string;
  leadsFile: string;
  buyersFile: string | undefined;
  seed: string;
  quiet: boolean;
}

async function run(r: Run): Promise<number> {
  const { io, json } = r;
  const c = paint(io.color);
  const scratch = r.dryRun ? mkdtempSync(join(tmpdir(), 'leadroute-dry-run-')) : null;
  const dry = scratch !== null ? dryRunPlan(r.plan, scratch) : null;
  const plan = dry?.plan ?? r.plan;
  const store: RouterStore = r.storeFile !== undefined ? new SqliteStore(resolve(io.cwd, r.storeFile)) : new MemoryStore();
  const recorder = r.dryRun ? new RecordingHttpClient() : null;
  let seller: Seller;
  try {
    const router = new Router(plan, { store, seed: r.seed });
    // A dry run does not cascade: no post is refused, none is answered. The CLI is
    // the edge where `{{secret.NAME}}` reads this process's environment; a missing
    // one is a MissingSecretError, reported below like any plan that cannot run.
    seller = new Seller(router, { secrets: process.env, ...(recorder ? { http: recorder, cascade: 0 } : {}), ...(r.storeFile !== undefined ? { journal: store as SqliteStore } : {}) });
  } catch (err) {
    store.close();
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
    io.err(`leadroute ${r.variant.command}: ${r.rulesFile}: ${(err as Error).message}`);
    return 2;
  }

  if (!json) {
    const auctioned = plan.flows.some((f) => f.rules.some((rule) => rule.action.kind === 'auction'));
    const how = r.dryRun ? 'dry run (nothing is sent)' : `${auctioned ? 'sold by ping-post auction' : 'sold'}`;
    io.out(c.bold(`leadroute ${r.variant.command}: ${r.inputs.length} lead${r.inputs.length === 1 ? '' : 's'} of ${show(r.leadsFile, io)} ${how} through ${show(r.rulesFile, io)}`));
    if (r.mock && r.banner !== null) io.out(c.dim(`mock buyers of ${show(r.buyersFile!, io)}, real HTTP on ${MOCK_HOST}:`) + `\n${r.banner}`);
    io.out(c.dim(`${r.concurrency} lead${r.concurrency === 1 ? '' : 's'} at a time; routing time ${new Date(r.now).toISOString()}${r.storeFile !== undefined ? `; store ${r.storeFile}` : ''}\n`));
  }

  const rows = new Map<string, BuyerRow>(plan.buyers.map((b) => [b.name, newRow()]));
  const totals = newTotals();
  const labels = requestLabels(plan);
  const requestsOf = new Map<Sale, RecordedHttpRequest[]>();
  let requestCount = 0;
  const bar = progressBar(io, 'selling', r.inputs.length, 'leads');
  const print = (line: string) => {
    bar.hide();
    io.out(line);
  };
  let handled = 0;
  const sellOne = async (lead: unknown): Promise<Sale> => {
    const from = recorder?.requests.length ?? 0;
    const sale = await seller.sell(lead, { now: r.now, ...(r.flow !== undefined ? { flow: r.flow } : {}) });
    // What a dry run prints is what would leave, less its secrets.
    if (recorder) requestsOf.set(sale, seller.secrets.redactDeep(recorder.since(from)));
    return sale;
  };

  const t0 = performance.now();
  try {
    await sellAll(r.inputs, r.concurrency, sellOne, (res) => {
      bar.update(++handled);
      if ('unreadable' in res || 'error' in res) {
        totals.leads++;
        const unreadable = 'unreadable' in res;
        const reason = unreadable ? res.unreadable : `could not be sold: ${res.error}`;
        if (unreadable) {
          totals.rejected++;
          totals.unreadable++;
        } else totals.errors++;
        if (json) print(JSON.stringify(failedLineJson(res.line, unreadable ? 'rejected' : 'error', reason)));
        else print(c.red(`line ${res.line}: ${unreadable ? 'rejected' : 'error'}: ${reason}`));
        return;
      }
      tally(res.sale, rows, totals);
      const requests = requestsOf.get(res.sale);
      requestsOf.delete(res.sale);
      requestCount += requests?.length ?? 0;
      if (json) print(JSON.stringify(saleJson(res.line, res.sale, requests)));
      else if (requests) print(formatDryRunSale(res.sale, requests, labels, io.color));
      else if (!r.quiet) print(formatSale(res.sale, io.color));
    });
    const sent = recorder?.requests.length ?? 0;
    await seller.close(); // delayed and batched deliveries are sent now
    const later = recorder ? seller.secrets.redactDeep(recorder.since(sent)) : [];
    requestCount += later.length;
    const files = dry ? seller.secrets.redactDeep(readDryRunFiles(dry.files)) : [];
    bar.done();
    const elapsed = performance.now() - t0;

    if (json) {
      io.out(JSON.stringify({ ...totalsJson(totals, r.dryRun), ...(recorder ? { requests: requestCount, later, files } : {}) }));
    } else if (r.dryRun) {
      if (later.length + files.length > 0) {
        io.out(`\n${c.bold('sent later (delayed and batched deliveries, at the end of a run):')}`);
        for (const q of later) io.out(formatDryRunLater(q, labels, io.color));
        for (const f of files) io.out(formatDryRunFile(f, io.color));
      }
      io.out(`\n${c.bold(formatDryRunTotals(totals, requestCount))}`);
    } else {
      io.out('');
      io.out(formatBuyerSummary(plan, rows, io.color));
      io.out(c.bold(formatTotals(totals)));
      const ams = [...totals.auctionMs].sort((a, b) => a - b);
      const auctions = ams.length > 0 ? `; ${ams.length} auctions, p50 ${quantile(ams, 0.5).toFixed(0)}ms, p95 ${quantile(ams, 0.95).toFixed(0)}ms` : '';
      io.out(c.dim(`${(elapsed / 1000).toFixed(1)}s, ${((totals.leads / Math.max(elapsed, 1)) * 1000).toFixed(0)} leads/s, ${r.concurrency} at a time${auctions}`));
      if (seller.journalErrors > 0) io.err(`leadroute ${r.variant.command}: ${seller.journalErrors} journal write(s) failed: ${seller.lastJournalError?.message ?? ''}`);
      if (r.mock) {
        const stats = r.mock.stats();
        io.out(`\n${c.bold('what the mock buyers saw')} ${c.dim('(server side; buyers that saw no request left out)')}`);
        io.out(formatMockStats({ ...stats, buyers: stats.buyers.filter((b) => b.requests > 0) }, io.color));
      }
    }
  } finally {
    bar.done();
    await seller.close();
    store.close();
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
  const failedDeliveries = !r.dryRun && r.variant.failedDeliveryIsError && totals.failedDeliveries > 0;
  return totals.unreadable > 0 || totals.errors > 0 || failedDeliveries ? 1 : 0;
}

function formatDryRunLater(q: RecordedHttpRequest, labels: ReturnType<typeof requestLabels>, color: boolean): string {
  return formatDryRunSale(null, [q], labels, color);
}

/** A path as the user would write it: relative to the working directory when inside it. */
function show(p: string, io: Io): string {
  const abs = resolve(io.cwd, p);
  const rel = relative(io.cwd, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}
