// What the REPL shows for an auction: by default a dry run (the pings each
// eligible buyer would get, built by the auction's own ping builder and PII
// guard, and not sent: so no bid arrives and nothing is sold), or, against
// mock buyers, the sale the Seller made (every ping's answer, the posts).

import { PingBuilder, piiViolation, type BidRecord, type Sale } from '../auction/index.js';
import { formatDecision, money } from '../cli/decisions.js';
import { paint } from '../cli/io.js';
import { TemplateSet } from '../deliver/templates.js';
import type { Plan } from '../compile/index.js';
import type { Decision } from '../runtime/index.js';

/** Shown in place of a ping id: a dry run has no real ping. */
const DRY_PING_ID = 'dry-run';

/** The pings an auction decision would send, one per eligible buyer, tier by tier. */
export function dryRunAuction(plan: Plan, decision: Decision, lead: Record<string, unknown>, color: boolean): string {
  const c = paint(color);
  const auction = decision.auction;
  if (auction === null) return '';
  const seen = { ...lead, ...decision.rewrites };
  const builder = new PingBuilder(plan.lead.fields, seen, TemplateSet.forPlan(plan), decision.at);
  const byName = new Map(plan.buyers.map((b) => [b.name, b]));
  const lines = [c.bold('dry run: these pings are shown, not sent (`:mock CONFIG` runs the auction against mock buyers)')];
  auction.tiers.forEach((tier, i) => {
    const floor = tier.floor === null ? '' : `, floor ${money(tier.floor)}`;
    lines.push(`  tier ${i + 1}${floor}:`);
    for (const name of tier.buyers) {
      const buyer = byName.get(name);
      if (buyer === undefined) continue;
      if (!buyer.ping) {
        lines.push(`    ${name}: no ping; it would bid its plan price`);
        continue;
      }
      try {
        const ping = builder.build(buyer, DRY_PING_ID);
        const refused = piiViolation(plan.lead.fields, seen, ping.body, ping.url);
        const method = buyer.ping.method ?? 'POST';
        if (refused !== null) lines.push(`    ${name}: ${c.red('refused')} by the PII guard: ${refused}`);
        else lines.push(`    ${name}: ${method} ${ping.url}${ping.body ? ` ${ping.body}` : ''}`);
      } catch (err) {
        lines.push(`    ${name}: ${c.red('not sent')}: ${(err as Error).message}`);
      }
    }
  });
  lines.push(c.dim('  no bids arrive in a dry run: the lead is not sold, and no cap counts it'));
  return lines.join('\n');
}

/** A sale against mock buyers: the final decision with its trace, each ping's answer, each post. */
export function formatSale(sale: Sale, color: boolean): string {
  const c = paint(color);
  const lines = [formatDecision(sale.decision, true, color)];
  const a = sale.auction;
  if (a !== null) {
    lines.push(c.bold(`auction ${a.ruleId}: tiers ${a.tiersPinged.join(' → ') || 'none'} pinged, ${Math.round(a.durationMs)} ms${a.reason ? `; ${a.reason}` : ''}`));
    for (const b of a.bids) lines.push(`    ${describeBid(b)}`);
  }
  for (const d of sale.deliveries) {
    if (d.mode === 'none') continue;
    lines.push(`    post to ${d.buyer}: ${d.status}${d.detail ? ` (${d.detail})` : ''}`);
  }
  if (sale.commitError) lines.push(c.red(`    not recorded: ${sale.commitError}`));
  return lines.join('\n');
}

function describeBid(b: BidRecord): string {
  const what = b.outcome === 'bid' && b.price !== null ? `bid ${money(b.price)}${b.exclusive ? ' exclusive' : ''}` : b.outcome;
  const why = b.reason ? ` (${b.reason})` : '';
  const fate = b.fate ? ` → ${b.fate}` : '';
  return `${b.buyer} (tier ${b.tier}): ${what}${why}${fate}`;
}
