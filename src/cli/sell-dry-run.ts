// `sell --dry-run`: the plan a dry run sells with, and how it prints what it
// would have sent. The requests themselves are written down by a
// RecordingHttpClient (src/deliver/recording-http.ts), which answers none: in a
// dry run no bid arrives, so an auction stops after its pings, and a post is
// printed once (retries and the circuit breaker are turned off in the plan,
// since every post "fails").

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sale } from '../auction/index.js';
import type { Plan } from '../compile/index.js';
import type { RecordedHttpRequest } from '../deliver/index.js';
import { money, formatRequest, formatSale, type Totals } from './sell-report.js';
import { paint } from './io.js';

/** A batch file a dry run wrote into its scratch folder instead of the buyer's target. */
export interface DryRunFile {
  buyer: string;
  /** The target the rules name (`file:…`). */
  to: string;
  /** The folder under the scratch folder that stands in for it. */
  folder: string;
}

/**
 * The plan a dry run sells with: every post tried once and no circuit breaker
 * (what it prints is each request once), and every `file:` batch target
 * moved into `scratch` (one new file a batch there), so a dry run writes none
 * of the buyer's files; readDryRunFiles reads back what would have been written.
 */
export function dryRunPlan(plan: Plan, scratch: string): { plan: Plan; files: DryRunFile[] } {
  const copy = structuredClone(plan);
  const files: DryRunFile[] = [];
  copy.buyers.forEach((b, i) => {
    if (b.post) b.post.retries = 0;
    if (b.backupPost) b.backupPost.retries = 0;
    if (b.delivery) b.delivery.breaker = null;
    const batch = b.delivery?.batch;
    if (batch && batch.to.startsWith('file:')) {
      const folder = join(scratch, `${i}`);
      files.push({ buyer: b.name, to: batch.to, folder });
      batch.to = `${pathToFileURL(folder).href}/`;
    }
  });
  return { plan: copy, files };
}

/** What the dry run's batches wrote, per target, in the order written. */
export function readDryRunFiles(files: DryRunFile[]): { buyer: string; to: string; content: string }[] {
  const out: { buyer: string; to: string; content: string }[] = [];
  for (const f of files) {
    if (!existsSync(f.folder)) continue;
    for (const name of readdirSync(f.folder).sort()) out.push({ buyer: f.buyer, to: f.to, content: readFileSync(join(f.folder, name), 'utf8') });
  }
  return out;
}

export function formatDryRunFile(f: { buyer: string; to: string; content: string }, color: boolean): string {
  const c = paint(color);
  return [`    ${c.cyan(`${f.buyer} batch:`)} would write to ${f.to}`, ...f.content.trimEnd().split('\n').map((l) => `      ${l}`)].join('\n');
}

interface Endpoint {
  label: string;
  /** The URL up to its first template or query: what every request to the endpoint starts with. */
  prefix: string;
}

/** Each buyer endpoint of the plan, to name the requests ("SunPeak ping"). */
export function requestLabels(plan: Plan): Endpoint[] {
  const out: Endpoint[] = [];
  const add = (label: string, url: string) => out.push({ label, prefix: url.split(/\{\{|\?/)[0]! });
  for (const b of plan.buyers) {
    if (b.ping) add(`${b.name} ping`, b.ping.url);
    if (b.post) add(`${b.name} post`, b.post.url);
    if (b.backupPost) add(`${b.name} backup`, b.backupPost.url);
    for (const p of b.pixels ?? []) add(`${b.name} pixel`, p.url);
    const batch = b.delivery?.batch;
    if (batch && /^https?:/.test(batch.to)) add(`${b.name} batch`, batch.to);
  }
  // The longest prefix wins (a ping at /ping and a post at /ping/post, say).
  return out.sort((a, b) => b.prefix.length - a.prefix.length);
}

function labelOf(url: string, endpoints: Endpoint[]): string {
  return endpoints.find((e) => url.startsWith(e.prefix))?.label ?? 'request';
}

/** A lead of a dry run: what the rules decided, then every request it would send. */
export function formatDryRunSale(sale: Sale | null, requests: RecordedHttpRequest[], endpoints: Endpoint[], color: boolean): string {
  const c = paint(color);
  const lines: string[] = [];
  if (sale) {
    const d = sale.decision;
    const head = c.bold(d.leadId.padEnd(8));
    const pings = requests.filter((r) => labelOf(r.url, endpoints).endsWith(' ping')).length;
    if (sale.auction) {
      const posts = requests.length - pings;
      lines.push(
        `${head} ${c.cyan('dry run')}: auction, ${pings} ping${pings === 1 ? '' : 's'} printed below; in a dry run no bid arrives, ` +
          `so nothing after the pings is sent${posts > 0 ? ` (except ${posts} request${posts === 1 ? '' : 's'} to buyers with a fixed price)` : ''}`,
      );
    } else if (d.status === 'routed') {
      const who = d.buyers.map((b) => `${b.name} ${money(b.price)}`).join(', ');
      const backup = requests.some((r) => labelOf(r.url, endpoints).endsWith(' backup'));
      const later = sale.deliveries.filter((r) => r.mode === 'delayed' || r.mode === 'batch').map((r) => `${r.buyer}'s ${r.mode === 'batch' ? 'batch' : 'delayed post'}`);
      const without = sale.deliveries.filter((r) => r.mode === 'none').map((r) => r.buyer);
      const notes = [
        requests.length > 0 ? `the requests below would be sent${backup ? ' (no answer arrives in a dry run, so the backup post, sent only when the main post fails, is shown too)' : ''}` : '',
        later.length > 0 ? `${later.join(', ')} at the end` : '',
        without.length > 0 ? `${without.join(', ')}: no post endpoint, nothing to send` : '',
      ].filter(Boolean);
      lines.push(`${head} ${c.cyan('dry run')}: routed to ${who} ${d.exclusive ? 'exclusive' : 'shared'}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`);
    } else {
      lines.push(`${formatSale(sale, color)}  ${c.dim('(nothing to send)')}`);
    }
  }
  for (const r of requests) lines.push(formatRequest(r, labelOf(r.url, endpoints), color));
  return lines.join('\n');
}

export function formatDryRunTotals(t: Totals, requests: number): string {
  return `${t.leads} lead${t.leads === 1 ? '' : 's'}, ${t.rejected} rejected; dry run: ${requests} request${requests === 1 ? '' : 's'} printed, none sent`;
}
