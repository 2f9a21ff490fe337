// What `leadroute sell` (and `demo`, its alias on the sample files) prints: a
// line a lead, the JSON object a lead under --json, the tallies per buyer and
// for the run.

import type { AuctionRecord, BidRecord, Sale } from '../auction/index.js';
import type { Plan } from '../compile/index.js';
import type { RecordedHttpRequest } from '../deliver/index.js';
import { paint } from './io.js';
import { alignedRow, columnWidths } from '../core/text-table.js';

/** How a lead ended. `refused`: the rules placed it, but every buyer refused the post. */
export type LeadOutcome = 'sold' | 'refused' | 'unsold' | 'rejected' | 'error';

export const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The buyers who took the lead: placed by the rules and not refused at delivery (rejected, or failed). */
export function buyersWhoBought(sale: Sale): { name: string; price: number }[] {
  const d = sale.decision;
  if (d.status !== 'routed') return [];
  const refused = new Set(sale.deliveries.filter((r) => r.status === 'rejected' || r.status === 'failed').map((r) => r.buyer));
  return d.buyers.filter((b) => !refused.has(b.name)).map((b) => ({ name: b.name, price: b.price }));
}

export function outcomeOf(sale: Sale): LeadOutcome {
  const status = sale.decision.status;
  switch (status) {
    case 'routed':
      return buyersWhoBought(sale).length > 0 ? 'sold' : 'refused';
    case 'rejected':
      return 'rejected';
    case 'unrouted':
    case 'held':
    case 'auction':
      return 'unsold';
    default: {
      const never: never = status;
      return never;
    }
  }
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
    const fated = (...fates: string[]) => discarded.filter((b) => b.fate !== null && fates.includes(b.fate)).length;
    const why = [
      ...(fated('below-floor') ? [`${fated('below-floor')} below floor`] : []),
      ...(fated('below-exclusive-min') ? [`${fated('below-exclusive-min')} below exclusive min`] : []),
      ...(fated('condition', 'unranked') ? [`${fated('condition', 'unranked')} conditions`] : []),
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

/** One line for a lead: who bought it at what price, or why it was not sold. */
export function formatSale(sale: Sale, color: boolean): string {
  const c = paint(color);
  const d = sale.decision;
  const a = sale.auction;
  const head = c.bold(d.leadId.padEnd(8));
  const posts = describeDeliveries(sale);
  const tail = [a ? `tier ${a.tiersPinged.join('→')}` : '', a ? describeBids(a.bids) : '', posts, a ? `${Math.round(a.durationMs)}ms` : '']
    .filter(Boolean)
    .map((t) => c.dim(t))
    .join('  ');
  const outcome = outcomeOf(sale);
  if (outcome === 'sold') {
    const who = buyersWhoBought(sale).map((b) => `${b.name} ${money(b.price)}`).join(', ');
    return `${head} ${c.green('→')} ${who} ${d.exclusive ? 'exclusive' : 'shared'}${tail ? `  ${tail}` : ''}`;
  }
  const why = outcome === 'refused' ? (d.reason ?? `${d.buyers.map((b) => b.name).join(', ')} refused the lead at delivery`) : (d.reason ?? d.status);
  const label = outcome === 'rejected' ? c.red('rejected') : outcome === 'refused' ? c.yellow('refused') : c.yellow('unsold');
  return `${head} ${label}: ${why}${tail ? `  ${tail}` : ''}`;
}

/** A recorded request as the dry run prints it: method and URL, then headers and body indented. */
export function formatRequest(r: RecordedHttpRequest, label: string, color: boolean): string {
  const c = paint(color);
  const lines = [`    ${c.cyan(`${label}:`)} ${r.method} ${r.url}`];
  for (const [name, value] of Object.entries(r.headers)) lines.push(c.dim(`      ${name}: ${value}`));
  if (r.body !== undefined && r.body.trim() !== '') lines.push(...r.body.trimEnd().split('\n').map((l) => `      ${l}`));
  return lines.join('\n');
}

/** The --json object for a lead that was sold (or not). */
export function saleJson(line: number, sale: Sale, requests?: RecordedHttpRequest[]) {
  const d = sale.decision;
  const a = sale.auction;
  const bought = buyersWhoBought(sale);
  return {
    type: 'lead' as const,
    line,
    lead: d.leadId,
    flow: d.flow,
    outcome: outcomeOf(sale),
    buyers: bought,
    exclusive: d.status === 'routed' ? d.exclusive : null,
    revenue: round2(bought.reduce((n, b) => n + b.price, 0)),
    reason: outcomeOf(sale) === 'sold' ? null : (d.reason ?? null),
    deliveries: sale.deliveries.map((r) => ({
      buyer: r.buyer,
      status: r.status,
      endpoint: r.endpoint,
      price: r.price,
      attempts: r.attempts.length,
      detail: r.detail,
    })),
    auction: a
      ? {
          tiersPinged: a.tiersPinged,
          pinged: a.bids.filter((b) => b.source === 'ping' && b.outcome !== 'skipped' && b.outcome !== 'refused').length,
          bids: a.bids.filter((b) => b.outcome === 'bid').length,
          durationMs: Math.round(a.durationMs),
          reason: a.reason,
        }
      : null,
    ...(sale.commitError !== undefined ? { commitError: sale.commitError } : {}),
    ...(requests ? { requests } : {}),
  };
}

/** The --json object for a line that never became a sale: not JSON, or the seller failed on it. */
export function failedLineJson(line: number, outcome: 'rejected' | 'error', reason: string, requests?: RecordedHttpRequest[]) {
  return { type: 'lead' as const, line, lead: null, flow: null, outcome, buyers: [], exclusive: null, revenue: 0, reason, deliveries: [], auction: null, ...(requests ? { requests } : {}) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

// ------------------------------------------------------------------ tallies

export interface BuyerRow {
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

export const newRow = (): BuyerRow => ({
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

export interface Totals {
  leads: number;
  sold: number;
  exclusive: number;
  shared: number;
  unsold: number;
  /** Placed by the router, but every buyer refused the post. */
  refused: number;
  /** Rejected by the rules (a field missing or invalid), or a line that is not JSON. */
  rejected: number;
  /** Lines that were not JSON (counted in `rejected` too). */
  unreadable: number;
  /** Leads the seller failed on (a bug, or a store that failed). */
  errors: number;
  /** Delivery records that ended `failed`: no answer after retries and the backup post. */
  failedDeliveries: number;
  revenue: number;
  auctionMs: number[];
}

export const newTotals = (): Totals => ({ leads: 0, sold: 0, exclusive: 0, shared: 0, unsold: 0, refused: 0, rejected: 0, unreadable: 0, errors: 0, failedDeliveries: 0, revenue: 0, auctionMs: [] });

export function tally(sale: Sale, rows: Map<string, BuyerRow>, totals: Totals): void {
  const d = sale.decision;
  const a: AuctionRecord | null = sale.auction;
  totals.leads++;
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
    if (r.status === 'failed') totals.failedDeliveries++;
    const row = rows.get(r.buyer);
    if (!row || r.mode === 'none') continue;
    row.posts++;
    if (r.status === 'accepted') row.postsAccepted++;
    if (r.endpoint === 'backup') row.viaBackup++;
    if (!a && r.status === 'rejected') row.postsRejected++;
    if (!a && r.status === 'failed') row.postsFailed++;
  }
  const outcome = outcomeOf(sale);
  switch (outcome) {
    case 'sold': {
      totals.sold++;
      if (d.exclusive) totals.exclusive++;
      else totals.shared++;
      for (const b of buyersWhoBought(sale)) {
        const row = rows.get(b.name);
        if (row) {
          row.wins++;
          row.revenue += b.price;
        }
        totals.revenue += b.price;
      }
      return;
    }
    case 'refused':
      totals.refused++;
      return;
    case 'rejected':
      totals.rejected++;
      return;
    case 'unsold':
      totals.unsold++;
      return;
    case 'error':
      totals.errors++;
      return;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** The run's one-line summary: leads, sold, revenue, rejected leads, failed deliveries. */
export function formatTotals(t: Totals): string {
  const errors = t.errors > 0 ? `${t.errors} failed with an error, ` : '';
  return (
    `${t.leads} leads: ${t.sold} sold (${t.exclusive} exclusive, ${t.shared} shared), ${t.unsold} unsold, ` +
    `${t.refused > 0 ? `${t.refused} refused at delivery, ` : ''}${errors}${t.rejected} rejected; revenue ${money(t.revenue)}; ` +
    `${t.failedDeliveries} ${t.failedDeliveries === 1 ? 'delivery' : 'deliveries'} failed`
  );
}

export function totalsJson(t: Totals, dryRun: boolean) {
  return {
    type: 'summary' as const,
    leads: t.leads,
    sold: t.sold,
    exclusive: t.exclusive,
    shared: t.shared,
    unsold: t.unsold,
    refused: t.refused,
    rejected: t.rejected,
    unreadable: t.unreadable,
    errors: t.errors,
    failedDeliveries: t.failedDeliveries,
    revenue: round2(t.revenue),
    dryRun,
  };
}

export function formatBuyerSummary(plan: Plan, rows: Map<string, BuyerRow>, color: boolean): string {
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
  const widths = columnWidths(table);
  return table
    .map((r, ri) => {
      const text = alignedRow(r, widths);
      return ri === 0 || ri === table.length - 1 ? c.bold(text) : text;
    })
    .join('\n');
}
