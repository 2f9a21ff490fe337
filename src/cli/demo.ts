// `npm start` / `leadroute demo`: the sample leads sold by ping-post auction.
//
// Starts the mock buyers of examples/mock-buyers.json in-process (real HTTP on
// 127.0.0.1), compiles rules/solar-pingpost.route, and sells every lead of
// examples/leads.jsonl with the Seller, several at a time: each is a real
// auction (pings, bids, floors, posts, pixels) over loopback. Prints one line
// a lead, then what each buyer did, then stops the servers.
//
// With --ephemeral the mock buyers take any free ports and the plan's URLs that
// point at their configured ports are redirected to them (tests use this).
// The configured ports sit below Linux's ephemeral range, so a local port a
// test run left in TIME_WAIT can't block a `npm start` right after it.
//
//   leadroute demo [--rules FILE] [--leads FILE.jsonl] [--buyers CONFIG.json]
//                  [--limit N] [--concurrency N (20)] [--ephemeral] [--at ISO-TIME]
//                  [--seed S] [--quiet] [--no-color]
//   leadroute demo --plain      the routing-only demo (rules/solar.route, no HTTP)

import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Seller, type AuctionRecord, type BidRecord, type Sale } from '../auction/index.js';
import { MissingSecretError } from '../deliver/index.js';
import type { Plan } from '../compile/index.js';
import { Router } from '../runtime/index.js';
import { MemoryStore } from '../adapters/index.js';
import { MockBuyersError, startMockBuyers, withEphemeralPorts, MOCK_HOST, type MockBuyers, type MockBuyersConfig } from '../mock/index.js';
import { loadPlanArgument } from './check.js';
import { formatMockStats, loadMockConfig } from './mock-buyers.js';
import { UsageError, isoTimeOption, packageRoot, paint, parseOptions, str, type Io } from './io.js';

const OPTIONS = {
  buyers: { type: 'string' },
  rules: { type: 'string' },
  leads: { type: 'string' },
  limit: { type: 'string' },
  concurrency: { type: 'string' },
  ephemeral: { type: 'boolean' },
  at: { type: 'string' },
  seed: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

/** Routing time of the demo: a Monday afternoon (UTC), as in the plain demo. */
const DEMO_AT = '2026-11-23T15:00:00Z';

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1 (got \`${v}\`)`);
  return n;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Point the plan's URLs at the mock buyers that actually listen: a URL on
 * 127.0.0.1:P where the configuration put a buyer on port P goes to the port
 * that buyer got. Returns the plan and any URL that leaves the machine.
 */
export function redirectPlan(plan: Plan, ports: Map<number, number>): { plan: Plan; external: string[] } {
  const external: string[] = [];
  const fix = (url: string, where: string): string => {
    const m = /^(https?):\/\/([^/:?#]+|\[[^\]]+\])(?::(\d+))?(.*)$/s.exec(url);
    if (!m) return url;
    const [, scheme, host, portText, rest] = m;
    if (!LOOPBACK.has(host!.toLowerCase())) {
      external.push(`${where}: ${url}`);
      return url;
    }
    const port = portText === undefined ? (scheme === 'https' ? 443 : 80) : Number(portText);
    const to = ports.get(port);
    return to === undefined ? url : `${scheme}://${MOCK_HOST}:${to}${rest}`;
  };
  const copy = JSON.parse(JSON.stringify(plan)) as Plan;
  for (const b of copy.buyers) {
    if (b.ping) b.ping.url = fix(b.ping.url, `${b.name} ping`);
    if (b.post) b.post.url = fix(b.post.url, `${b.name} post`);
    if (b.backupPost) b.backupPost.url = fix(b.backupPost.url, `${b.name} backup post`);
    for (const p of b.pixels ?? []) p.url = fix(p.url, `${b.name} pixel`);
    const batch = b.delivery?.batch;
    if (batch && /^https?:/.test(batch.to)) batch.to = fix(batch.to, `${b.name} batch`);
  }
  return { plan: copy, external };
}

interface BuyerRow {
  pings: number;
  bids: number;
  noBids: number;
  invalid: number;
  errors: number;
  timeouts: number;
  wins: number;
  postsRejected: number;
  postsFailed: number;
  posts: number;
  postsAccepted: number;
  viaBackup: number;
  revenue: number;
  times: number[];
}

const newRow = (): BuyerRow => ({
  pings: 0,
  bids: 0,
  noBids: 0,
  invalid: 0,
  errors: 0,
  timeouts: 0,
  wins: 0,
  postsRejected: 0,
  postsFailed: 0,
  posts: 0,
  postsAccepted: 0,
  viaBackup: 0,
  revenue: 0,
  times: [],
});

const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const DISCARDED = new Set(['below-floor', 'below-exclusive-min', 'condition', 'unranked']);

/** An auction's bids in a few words ("3 bids of 2 pinged + 1 fixed price, 1 discarded (1 below floor)"). */
export function describeBids(bids: BidRecord[]): string {
  const pinged = bids.filter((b) => b.source === 'ping' && b.outcome !== 'skipped' && b.outcome !== 'refused').length;
  const got = bids.filter((b) => b.outcome === 'bid');
  const count = (o: BidRecord['outcome']) => bids.filter((b) => b.outcome === o).length;
  const fixed = got.filter((b) => b.source === 'fixed').length;
  const parts = [`${got.length} bid${got.length === 1 ? '' : 's'} of ${pinged} pinged${fixed ? ` + ${fixed} fixed price${fixed === 1 ? '' : 's'}` : ''}`];
  const discarded = got.filter((b) => b.fate !== null && DISCARDED.has(b.fate));
  const invalid = count('invalid');
  if (discarded.length + invalid > 0) {
    const why = [
      ...(discarded.filter((b) => b.fate === 'below-floor').length ? [`${discarded.filter((b) => b.fate === 'below-floor').length} below floor`] : []),
      ...(discarded.filter((b) => b.fate === 'below-exclusive-min').length ? [`${discarded.filter((b) => b.fate === 'below-exclusive-min').length} below exclusive min`] : []),
      ...(discarded.filter((b) => b.fate === 'condition' || b.fate === 'unranked').length ? [`${discarded.filter((b) => b.fate === 'condition' || b.fate === 'unranked').length} conditions`] : []),
      ...(invalid ? [`${invalid} invalid`] : []),
    ];
    parts.push(`${discarded.length + invalid} discarded (${why.join(', ')})`);
  }
  const timeouts = count('timeout');
  const errors = count('error');
  if (timeouts) parts.push(`${timeouts} timeout${timeouts === 1 ? '' : 's'}`);
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  const rejected = bids.filter((b) => b.fate === 'post-rejected' || b.fate === 'post-duplicate' || b.fate === 'post-failed').length;
  if (rejected) parts.push(`${rejected} post${rejected === 1 ? '' : 's'} refused`);
  return parts.join(', ');
}

/** What happened to the posts: every one for a plain sale; for an auction only the notable (retried, backup, failed). */
function describeDeliveries(sale: Sale): string {
  const parts: string[] = [];
  for (const r of sale.deliveries) {
    const tries = r.attempts.length;
    const notable = r.endpoint === 'backup' || tries > 1 || (r.status !== 'accepted' && r.status !== 'rejected');
    if (sale.auction && !notable) continue;
    const how = [r.endpoint === 'backup' ? 'via backup' : '', tries > 1 ? `${tries} attempts` : ''].filter(Boolean).join(', ');
    parts.push(`${r.buyer} post ${r.status}${how ? ` (${how})` : ''}`);
  }
  return parts.join(', ');
}

function formatSale(sale: Sale, color: boolean): string {
  const c = paint(color);
  const d = sale.decision;
  const a = sale.auction;
  const head = c.bold(d.leadId.padEnd(8));
  const posts = describeDeliveries(sale);
  const tail = [a ? `tier ${a.tiersPinged.join('→')}` : '', a ? describeBids(a.bids) : '', posts, a ? `${Math.round(a.durationMs)}ms` : '']
    .filter(Boolean)
    .map((t) => c.dim(t))
    .join('  ');
  if (d.status === 'routed') {
    const who = d.buyers.map((b) => `${b.name} ${money(b.price)}`).join(', ');
    return `${head} ${c.green('→')} ${who} ${d.exclusive ? 'exclusive' : 'shared'}${tail ? `  ${tail}` : ''}`;
  }
  const why = d.reason ?? d.status;
  const label = d.status === 'rejected' ? c.red('rejected') : c.yellow('unsold');
  return `${head} ${label}: ${why}${tail ? `  ${tail}` : ''}`;
}

/** Sell `leads` with `seller`, `concurrency` at a time, reporting each sale in input order. */
async function sellAll(seller: Seller, leads: unknown[], concurrency: number, now: number, onSale: (i: number, sale: Sale | Error) => void): Promise<void> {
  const done: (Sale | Error | undefined)[] = new Array(leads.length);
  let next = 0;
  let printed = 0;
  const flush = () => {
    while (printed < leads.length && done[printed] !== undefined) {
      onSale(printed, done[printed]!);
      done[printed] = undefined; // printed: let it go
      printed++;
    }
  };
  const worker = async () => {
    while (next < leads.length) {
      const i = next++;
      try {
        done[i] = await seller.sell(leads[i], { now });
      } catch (err) {
        done[i] = err instanceof Error ? err : new Error(String(err));
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, leads.length) }, worker));
  flush();
}

function readLeadsFile(path: string, label: string): unknown[] {
  if (!existsSync(path)) throw new UsageError(`cannot read \`${label}\``);
  const out: unknown[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line));
      } catch {
        throw new UsageError(`line ${i + 1} of ${label} is not valid JSON`);
      }
    });
  return out;
}

export async function auctionDemo(args: string[], io: Io): Promise<number> {
  const parsed = parseOptions(args, OPTIONS);
  if (parsed.values['no-color'] === true) io.color = false;
  if (parsed.positionals.length > 0) throw new UsageError('`demo` takes no file; use --rules, --leads and --buyers');
  const c = paint(io.color);
  const root = packageRoot();
  const rel = (p: string | undefined, dflt: string) => (p === undefined ? resolve(root, dflt) : resolve(io.cwd, p));
  const rulesFile = rel(str(parsed.values.rules), 'rules/solar-pingpost.route');
  const leadsFile = rel(str(parsed.values.leads), 'examples/leads.jsonl');
  const buyersFile = rel(str(parsed.values.buyers), 'examples/mock-buyers.json');
  const concurrency = positiveInt(str(parsed.values.concurrency), 'concurrency', 20);
  const limit = parsed.values.limit === undefined ? Infinity : positiveInt(str(parsed.values.limit), 'limit', 1);
  const now = isoTimeOption('at', str(parsed.values.at), Date.parse(DEMO_AT));
  const quiet = parsed.values.quiet === true;
  const show = (p: string) => {
    const r = relative(io.cwd, p);
    return r.startsWith('..') || isAbsolute(r) ? p : r;
  };

  // 1. The rules.
  const compiled = loadPlanArgument(show(rulesFile), io);
  if (!compiled) return 1;

  // 2. The mock buyers.
  const loaded = loadMockConfig(buyersFile, io);
  if (!loaded) return 1;
  let config: MockBuyersConfig = loaded;
  if (parsed.values.ephemeral === true) config = withEphemeralPorts(config);
  let mock: MockBuyers;
  try {
    mock = await startMockBuyers(config);
  } catch (err) {
    if (err instanceof MockBuyersError && err.code === 'EADDRINUSE') {
      io.err(`leadroute demo: port ${err.port} (mock buyer ${err.buyer}) is already in use on ${MOCK_HOST}.`);
      io.err('  Another `leadroute mock-buyers` or demo may be running: stop it, or run `leadroute demo --ephemeral`');
      io.err('  (the mock buyers then take free ports, and the rules are pointed at them).');
      return 1;
    }
    if (err instanceof MockBuyersError) {
      io.err(`leadroute demo: ${err.message}`);
      return 1;
    }
    throw err;
  }

  try {
    const ports = new Map<number, number>();
    loaded.buyers.forEach((b, i) => {
      if (b.port) ports.set(b.port, mock.buyers[i]!.port);
    });
    const { plan, external } = redirectPlan(compiled, ports);
    if (external.length > 0) {
      io.err(`leadroute demo: the demo only sends to ${MOCK_HOST}, but the rules name other hosts:\n${external.map((e) => `  ${e}`).join('\n')}`);
      return 1;
    }
    const leads = readLeadsFile(leadsFile, str(parsed.values.leads) ?? leadsFile).slice(0, limit);

    const auctioned = plan.flows.some((f) => f.rules.some((r) => r.action.kind === 'auction'));
    io.out(c.bold(`leadroute demo: ${leads.length} leads sold${auctioned ? ' by ping-post auction' : ''} through ${show(rulesFile)}`));
    io.out(c.dim(`mock buyers of ${show(buyersFile)}, real HTTP on ${MOCK_HOST}: ${mock.buyers.map((b) => `${b.name} :${b.port}`).join(', ')}`));
    io.out(c.dim(`${concurrency} leads at a time; routing time ${new Date(now).toISOString()}\n`));

    const router = new Router(plan, { store: new MemoryStore(), seed: str(parsed.values.seed) ?? '7' });
    let seller: Seller;
    try {
      // The CLI is the edge: `{{secret.NAME}}` reads this process's environment.
      seller = new Seller(router, { secrets: process.env });
    } catch (err) {
      if (!(err instanceof MissingSecretError)) throw err;
      io.err(`leadroute demo: ${err.message}`);
      return 2;
    }
    const rows = new Map<string, BuyerRow>(plan.buyers.map((b) => [b.name, newRow()]));
    const totals: Totals = { leads: 0, sold: 0, exclusive: 0, shared: 0, unsold: 0, refused: 0, rejected: 0, failed: 0, revenue: 0, auctionMs: [] };

    const t0 = performance.now();
    await sellAll(seller, leads, concurrency, now, (_i, sale) => {
      totals.leads++;
      if (sale instanceof Error) {
        totals.failed++;
        io.out(`${c.red('error')}: ${sale.message}`);
        return;
      }
      tally(sale, rows, totals);
      if (!quiet) io.out(formatSale(sale, io.color));
    });
    const elapsed = performance.now() - t0;
    await seller.close();
    const serverStats = mock.stats();

    io.out('');
    io.out(formatBuyerSummary(plan, rows, io.color));
    const ams = [...totals.auctionMs].sort((a, b) => a - b);
    io.out(
      c.bold(
        `${totals.leads} leads: ${totals.sold} sold (${totals.exclusive} exclusive, ${totals.shared} shared), ${totals.unsold} unsold, ` +
          `${totals.refused > 0 ? `${totals.refused} refused at delivery, ` : ''}${totals.rejected} rejected; revenue ${money(totals.revenue)}`,
      ),
    );
    const auctions = ams.length > 0 ? `; ${ams.length} auctions, p50 ${quantile(ams, 0.5).toFixed(0)}ms, p95 ${quantile(ams, 0.95).toFixed(0)}ms` : '';
    io.out(c.dim(`${(elapsed / 1000).toFixed(1)}s, ${((totals.leads / elapsed) * 1000).toFixed(0)} leads/s, ${concurrency} at a time${auctions}`));
    io.out(`\n${c.bold('what the mock buyers saw')} ${c.dim('(server side; buyers that saw no request left out)')}`);
    io.out(formatMockStats({ ...serverStats, buyers: serverStats.buyers.filter((b) => b.requests > 0) }, io.color));
    return totals.failed > 0 ? 1 : 0;
  } finally {
    await mock.close();
  }
}

interface Totals {
  leads: number;
  sold: number;
  exclusive: number;
  shared: number;
  unsold: number;
  /** Placed by the router, but every buyer refused the post. */
  refused: number;
  rejected: number;
  failed: number;
  revenue: number;
  auctionMs: number[];
}

function tally(sale: Sale, rows: Map<string, BuyerRow>, totals: Totals): void {
  const d = sale.decision;
  const a: AuctionRecord | null = sale.auction;
  if (a) {
    totals.auctionMs.push(a.durationMs);
    for (const b of a.bids) {
      const row = rows.get(b.buyer);
      if (!row) continue;
      // A fixed-price bidder's post counts as any winner's; it was not pinged.
      if (b.fate === 'post-rejected' || b.fate === 'post-duplicate') row.postsRejected++;
      if (b.fate === 'post-failed') row.postsFailed++;
      if (b.source !== 'ping' || b.outcome === 'skipped' || b.outcome === 'refused') continue;
      row.pings++;
      if (b.outcome === 'bid') row.bids++;
      else if (b.outcome === 'no-bid') row.noBids++;
      else if (b.outcome === 'invalid') row.invalid++;
      else if (b.outcome === 'error') row.errors++;
      else if (b.outcome === 'timeout') row.timeouts++;
      if (b.durationMs > 0) row.times.push(b.durationMs);
    }
  }
  for (const r of sale.deliveries) {
    const row = rows.get(r.buyer);
    if (!row || r.mode === 'none') continue;
    row.posts++;
    if (r.status === 'accepted') row.postsAccepted++;
    if (r.endpoint === 'backup') row.viaBackup++;
    if (!a && r.status === 'rejected') row.postsRejected++;
    if (!a && r.status === 'failed') row.postsFailed++;
  }
  if (d.status === 'routed') {
    // A buyer whose post was refused (rejected, or failed after retries and backup) did not buy the lead.
    const refused = new Set(sale.deliveries.filter((r) => r.status === 'rejected' || r.status === 'failed').map((r) => r.buyer));
    const bought = d.buyers.filter((b) => !refused.has(b.name));
    if (bought.length === 0) {
      totals.refused++;
      return;
    }
    totals.sold++;
    if (d.exclusive) totals.exclusive++;
    else totals.shared++;
    for (const b of bought) {
      const row = rows.get(b.name);
      if (row) {
        row.wins++;
        row.revenue += b.price;
      }
      totals.revenue += b.price;
    }
  } else if (d.status === 'rejected') totals.rejected++;
  else totals.unsold++;
}

function formatBuyerSummary(plan: Plan, rows: Map<string, BuyerRow>, color: boolean): string {
  const c = paint(color);
  const table: string[][] = [['buyer', 'pings', 'bids', 'no-bid', 'invalid', 'error', 'timeout', 'wins', 'revenue', 'avg price', 'posts', 'ok', 'refused', 'backup', 'p50 ms', 'p95 ms']];
  let revenue = 0;
  for (const b of plan.buyers) {
    const r = rows.get(b.name)!;
    const t = [...r.times].sort((x, y) => x - y);
    revenue += r.revenue;
    const ms = (p: number) => (t.length === 0 ? '-' : quantile(t, p).toFixed(0));
    table.push([
      b.name,
      String(r.pings),
      String(r.bids),
      String(r.noBids),
      String(r.invalid),
      String(r.errors),
      String(r.timeouts),
      String(r.wins),
      money(r.revenue),
      r.wins === 0 ? '-' : money(r.revenue / r.wins),
      String(r.posts),
      String(r.postsAccepted),
      String(r.postsRejected + r.postsFailed),
      String(r.viaBackup),
      ms(0.5),
      ms(0.95),
    ]);
  }
  table.push(['total', '', '', '', '', '', '', '', money(revenue), '', '', '', '', '', '', '']);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table
    .map((r, ri) => {
      const text = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
      return ri === 0 || ri === table.length - 1 ? c.bold(text) : text;
    })
    .join('\n');
}
