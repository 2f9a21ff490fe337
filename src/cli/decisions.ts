// How a routing Decision is printed: one line (and its trace), as JSON, and a
// batch's per-buyer summary. One source of truth for `route` and the REPL
// (src/repl), which both print decisions.

import type { Plan } from '../compile/index.js';
import { fixedPriceOf, type Decision, type PendingAuction } from '../runtime/index.js';
import { paint } from './io.js';
import { alignedRow, columnWidths } from '../core/text-table.js';

export function decisionJson(d: Decision) {
  return {
    lead: d.leadId,
    flow: d.flow,
    status: d.status,
    buyers: d.buyers,
    exclusive: d.exclusive,
    price: d.price,
    rule: d.rule,
    reason: d.reason,
    ...(d.errors.length > 0 ? { errors: d.errors } : {}),
    ...(d.holdUntil ? { holdUntil: d.holdUntil } : {}),
    ...(d.auction ? { auction: d.auction } : {}),
    ...(d.rewrites && Object.keys(d.rewrites).length > 0 ? { rewrites: d.rewrites } : {}),
    random: d.random,
    at: d.at,
    trace: d.trace,
  };
}

export const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function formatDecision(d: Decision, withTrace: boolean, color: boolean): string {
  const c = paint(color);
  const head = `${c.bold(d.leadId.padEnd(8))} ${c.dim(`random ${String(d.random).padStart(3)}`)}  `;
  let line: string;
  switch (d.status) {
    case 'routed': {
      const who = d.buyers.map((b) => `${b.name} ${money(b.price)}`).join(', ');
      const rule = d.rule ? c.dim(`  (${d.rule.id}, line ${d.rule.line})`) : '';
      line = `${head}${c.green('→')} ${who} ${d.exclusive ? 'exclusive' : 'shared'}${rule}`;
      break;
    }
    case 'unrouted':
      line = `${head}${c.yellow('unrouted')}: ${d.reason ?? ''}`;
      break;
    case 'rejected':
      line = `${head}${c.red('rejected')}: ${d.reason ?? ''}`;
      break;
    case 'held':
      line = `${head}${c.yellow('held')} until ${d.holdUntil ?? '?'}: ${d.reason ?? ''}`;
      break;
    case 'auction':
      line = `${head}${c.cyan('auction')}: ${d.auction === null ? '' : auctionBidders(d.auction)} (sell with a Seller to run it)`;
      break;
    default: {
      const never: never = d.status;
      line = `${head}${String(never)}`;
    }
  }
  if (!withTrace) return line;
  return [line, ...d.trace.map((t) => `    ${c.dim('·')} ${t.message}`)].join('\n');
}

/** Distinct not-routed reasons a Summary tallies; the rest are counted together. */
const MAX_REASONS = 1000;

export class Summary {
  private byBuyer = new Map<string, { leads: number; revenue: number }>();
  total = 0;
  unrouted = 0;
  rejected = 0;
  rejectedLines = 0;
  shared = 0;
  /** Leads an `auction` rule matched, not sold by routing alone (the REPL's dry run). */
  auctions = 0;
  /** Why leads were not routed (unrouted and rejected), and how often. */
  private readonly reasons = new Map<string, number>();
  private otherReasons = 0;

  add(d: Decision): void {
    this.total++;
    if (d.status === 'unrouted') this.unrouted++;
    if (d.status === 'rejected') this.rejected++;
    if (d.status === 'auction') this.auctions++;
    if ((d.status === 'unrouted' || d.status === 'rejected') && d.reason !== null) {
      const why = `${d.status}: ${d.reason}`;
      const seen = this.reasons.get(why);
      // Bounded: a 100,000-lead batch of distinct reasons keeps the first thousand.
      if (seen !== undefined || this.reasons.size < MAX_REASONS) this.reasons.set(why, (seen ?? 0) + 1);
      else this.otherReasons++;
    }
    if (d.status === 'routed' && !d.exclusive) this.shared++;
    for (const b of d.buyers) {
      const row = this.byBuyer.get(b.name) ?? { leads: 0, revenue: 0 };
      row.leads++;
      row.revenue += b.price;
      this.byBuyer.set(b.name, row);
    }
  }

  format(plan: Plan, color: boolean): string {
    const c = paint(color);
    const total = this.total + this.rejectedLines;
    const pct = (n: number) => (total === 0 ? '0.0%' : `${((100 * n) / total).toFixed(1)}%`);
    const rows: string[][] = [['buyer', 'leads', 'share', 'revenue']];
    let revenue = 0;
    for (const b of plan.buyers) {
      const row = this.byBuyer.get(b.name) ?? { leads: 0, revenue: 0 };
      revenue += row.revenue;
      rows.push([b.name, String(row.leads), pct(row.leads), money(row.revenue)]);
    }
    rows.push(['(unrouted)', String(this.unrouted), pct(this.unrouted), '']);
    rows.push(['(rejected)', String(this.rejected + this.rejectedLines), pct(this.rejected + this.rejectedLines), '']);
    const widths = columnWidths(rows);
    const lines = rows.map((r, ri) => {
      const text = alignedRow(r, widths);
      return ri === 0 ? c.bold(text) : text;
    });
    const sharedNote = this.shared > 0 ? `, ${this.shared} sold shared` : '';
    lines.push(c.bold(`${total} leads, ${total - this.unrouted - this.rejected - this.rejectedLines} routed${sharedNote}, revenue ${money(revenue)}`));
    return lines.join('\n');
  }

  /** The reasons leads were not routed, most frequent first (at most `limit` of them). */
  formatReasons(limit = 10): string {
    const sorted = [...this.reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const lines = sorted.slice(0, limit).map(([why, n]) => `${String(n).padStart(6)}  ${why}`);
    const others = sorted.slice(limit).reduce((n, [, k]) => n + k, this.otherReasons);
    if (others > 0) lines.push(`${String(others).padStart(6)}  (other reasons)`);
    return lines.join('\n');
  }
}

/** The auction's bidders, tier by tier: `A, B, F at $30.00 then C` (F bids a fixed price, unpinged). */
function auctionBidders(auction: PendingAuction): string {
  const bidder = (name: string) => {
    const fixed = fixedPriceOf(auction, name);
    return fixed === undefined ? name : `${name} at $${fixed.toFixed(2)}`;
  };
  return auction.tiers.map((t) => t.buyers.map(bidder).join(', ')).join(' then ');
}
