// A distribution test: many leads routed by the simulator (src/sim: a fresh
// store, lead i arriving at `at` + i/rate), each buyer's share of the leads
// that entered the flow compared with the expected share, within a tolerance
// in percentage points. The leads come from a JSON-lines file beside the test
// file, or from the simulator's generator for the rule file's lead schema with
// the template's fields set on each.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseLeadLine } from '../cli/io.js';
import { generateLeads } from '../sim/leads.js';
import { DEFAULT_RATE_PER_HOUR, simulate, type SimSummary } from '../sim/simulate.js';
import { buyerNames, flowOf, known, problem, routingTime, type FileContext, type Observation } from './context.js';
import type { FieldDiff } from './expect.js';
import type { Path } from './read.js';
import type { DistributionJson } from './spec.js';

/** The share key for the leads no buyer took. */
export const UNSOLD = 'unsold';
const HOUR = 3_600_000;

export interface DistributionResult {
  name: string;
  where: string;
  diffs: FieldDiff[];
  /** Every expected share with the one measured, for the report. */
  shares: { name: string; expected: number; actual: number }[];
  tolerance: number;
  leads: number;
}

export function runDistribution(ctx: FileContext, index: number, observe: (o: Observation) => void): DistributionResult | null {
  const dist = ctx.test.json.distributions![index]!;
  const path: Path = ['distributions', index];
  const before = ctx.problems.length;
  const from = routingTime(ctx, dist, path);
  const flow = flowOf(ctx, dist, path);
  const names = [...buyerNames(ctx.plan), UNSOLD];
  for (const name of Object.keys(dist.expect.shares)) known(ctx, 'buyer', name, names, [...path, 'expect', 'shares', name]);
  if ((dist.leads === undefined) === (dist.generate === undefined)) problem(ctx, path, 'give `leads` (a file) or `generate`, one of the two');
  if (ctx.problems.length > before || from === null) return null;
  const rate = dist.rate ?? DEFAULT_RATE_PER_HOUR;
  const leads = leadsOf(ctx, dist, path, (i) => from + Math.floor((i * HOUR) / rate));
  if (leads === null) return null;

  const summary = simulate(ctx.plan, leads, {
    seed: dist.seed ?? ctx.test.json.defaults?.seed ?? 0,
    from,
    ratePerHour: rate,
    ...(flow !== undefined ? { flow } : {}),
    onDecision: (decision, lead) => observe({ decision, lead: lead as Record<string, unknown> }),
  });
  const shares = Object.entries(dist.expect.shares).map(([name, expected]) => ({ name, expected, actual: shareOf(summary, name) }));
  const tolerance = dist.expect.tolerance;
  const diffs = shares
    .filter((s) => Math.abs(s.actual - s.expected) > tolerance + 1e-9)
    .map((s) => ({ field: `share ${s.name}`, expected: `${s.expected}% ±${tolerance}`, actual: `${s.actual.toFixed(1)}%` }));
  return { name: dist.name, where: ctx.test.where(path), diffs, shares, tolerance, leads: summary.leads };
}

/** Percent of the leads that entered the flow: sold to the buyer, or (`unsold`) sold to nobody. */
function shareOf(s: SimSummary, name: string): number {
  if (s.entered === 0) return 0;
  if (name === UNSOLD) return (100 * (s.entered - s.routed)) / s.entered;
  return s.buyers.find((b) => b.name === name)?.share ?? 0;
}

function leadsOf(ctx: FileContext, dist: DistributionJson, path: Path, arrival: (i: number) => number): Record<string, unknown>[] | null {
  if (dist.generate !== undefined) {
    const g = dist.generate;
    return [...generateLeads(ctx.plan, { count: g.count, seed: g.seed ?? 1, arrival })].map((lead) => ({ ...lead, ...(g.lead ?? {}) }));
  }
  const file = resolve(ctx.dir, dist.leads!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problem(ctx, [...path, 'leads'], `cannot read \`${dist.leads}\` (${file})`);
    return null;
  }
  const leads: Record<string, unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const read = parseLeadLine(lines[i]!, i + 1, dist.leads!);
    if (read === null) continue;
    if ('error' in read) {
      problem(ctx, [...path, 'leads'], read.error);
      return null;
    }
    leads.push(read.lead as Record<string, unknown>);
  }
  if (leads.length === 0) problem(ctx, [...path, 'leads'], `\`${dist.leads}\` holds no leads`);
  return leads.length === 0 ? null : leads;
}
