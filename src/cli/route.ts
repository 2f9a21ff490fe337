import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Plan } from '../compile/index.js';
import { fixedPriceOf, Router, type Decision, type PendingAuction } from '../runtime/index.js';
import { MemoryStore } from '../adapters/index.js';
import { loadPlanArgument } from './check.js';
import { UsageError, isoTimeOption, packageRoot, parseLeadLine, parseOptions, paint, str, type Io } from './io.js';

const ROUTE_OPTIONS = {
  lead: { type: 'string' },
  leads: { type: 'string' },
  flow: { type: 'string' },
  at: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  trace: { type: 'boolean' },
} as const;

type LeadInput = { line: number; lead: unknown } | { line: number; error: string };

async function* readLeads(values: { lead?: string; leads?: string }, io: Io): AsyncGenerator<LeadInput> {
  if (values.lead !== undefined) {
    try {
      yield { line: 1, lead: JSON.parse(values.lead) };
    } catch (err) {
      throw new UsageError(`--lead is not valid JSON: ${(err as Error).message}`);
    }
    return;
  }
  const path = resolve(io.cwd, values.leads!);
  if (!existsSync(path)) throw new UsageError(`cannot read \`${values.leads}\``);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    const input = parseLeadLine(line, ++n, values.leads!);
    if (input) yield input;
  }
}

export async function routeCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseOptions(args, ROUTE_OPTIONS);
  const positionals = parsed.positionals;
  const values = {
    lead: str(parsed.values.lead),
    leads: str(parsed.values.leads),
    flow: str(parsed.values.flow),
    at: str(parsed.values.at),
    seed: str(parsed.values.seed),
    json: parsed.values.json === true,
    trace: parsed.values.trace === true,
    'no-color': parsed.values['no-color'] === true,
  };
  if (values['no-color']) io.color = false;
  if (positionals.length !== 1) throw new UsageError('`route` takes exactly one rule file or plan');
  if ((values.lead === undefined) === (values.leads === undefined)) throw new UsageError('`route` needs either --lead JSON or --leads FILE.jsonl');
  const plan = loadPlanArgument(positionals[0]!, io);
  if (!plan) return 1;
  if (values.flow !== undefined && !plan.flows.some((f) => f.name === values.flow)) {
    throw new UsageError(`no flow \`${values.flow}\`; the file has ${plan.flows.map((f) => `\`${f.name}\``).join(', ')}`);
  }
  const seed = values.seed ?? '0';
  const router = new Router(plan, { store: new MemoryStore(), seed, trace: true });
  const now = isoTimeOption('at', values.at, Date.now());
  const summary = new Summary();
  const showTrace = values.trace === true || values.lead !== undefined;
  let failed = 0;

  for await (const input of readLeads(values, io)) {
    if ('error' in input) {
      summary.rejectedLines++;
      if (values.json) io.out(JSON.stringify({ lead: null, line: input.line, status: 'rejected', buyers: [], reason: input.error, trace: [] }));
      else io.out(paint(io.color).red(`line ${input.line}: rejected: ${input.error}`));
      continue;
    }
    let decision: Decision;
    try {
      decision = router.route(input.lead, { now, ...(values.flow !== undefined ? { flow: values.flow } : {}) });
    } catch (err) {
      // The router rejects bad leads itself, so this is a leadroute bug or a
      // failing store: the lead is reported, the batch goes on, the exit code is 1.
      failed++;
      summary.rejectedLines++;
      const reason = `could not be routed: ${(err as Error)?.message ?? String(err)}`;
      if (values.json) io.out(JSON.stringify({ lead: null, line: input.line, status: 'rejected', buyers: [], reason, trace: [] }));
      else io.out(paint(io.color).red(`line ${input.line}: rejected: ${reason}`));
      continue;
    }
    summary.add(decision);
    io.out(values.json ? JSON.stringify(decisionJson(decision)) : formatDecision(decision, showTrace, io.color));
  }
  if (!values.json) io.out(`\n${summary.format(plan, io.color)}`);
  return failed > 0 ? 1 : 0;
}

/** `npm start`: `sell` on the sample files, the sample leads sold by ping-post auction to mock buyers over loopback HTTP (src/cli/demo.ts).
 *  `demo --plain`: the sample leads routed through the solar rules, at a fixed Monday-morning time so business hours are open. */
export async function demoCommand(args: string[], io: Io): Promise<number> {
  if (!args.includes('--plain')) return (await import('./demo.js')).auctionDemo(args, io);
  args = args.filter((a) => a !== '--plain');
  const root = packageRoot();
  const rules = resolve(root, 'rules/solar.route');
  const leads = resolve(root, 'examples/leads.jsonl');
  io.out(paint(io.color).bold(`leadroute demo: ${leads} through ${rules}\n`));
  return routeCommand([rules, '--leads', leads, '--at', '2026-11-23T15:00:00Z', '--seed', '7', ...args], io);
}

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

const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

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

class Summary {
  private byBuyer = new Map<string, { leads: number; revenue: number }>();
  total = 0;
  unrouted = 0;
  rejected = 0;
  rejectedLines = 0;
  shared = 0;

  add(d: Decision): void {
    this.total++;
    if (d.status === 'unrouted') this.unrouted++;
    if (d.status === 'rejected') this.rejected++;
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
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const lines = rows.map((r, ri) => {
      const text = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
      return ri === 0 ? c.bold(text) : text;
    });
    const sharedNote = this.shared > 0 ? `, ${this.shared} sold shared` : '';
    lines.push(c.bold(`${total} leads, ${total - this.unrouted - this.rejected - this.rejectedLines} routed${sharedNote}, revenue ${money(revenue)}`));
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
