// The simulator: route a stream of leads through a plan on a simulated clock
// (lead i arrives at from + i/rate) against a scratch store, and sum up what
// happened per buyer: leads, share against the plan's target, revenue, cap hits
// and the reasons buyers were skipped, plus the leads nobody took.

import type { Plan } from '../models/plan.js';
import type { Decision } from '../runtime/decision.js';
import { loadPlan, type LoadedPlan } from '../runtime/load.js';
import { Router, type RouterOptions } from '../runtime/router.js';
import type { RouterStore } from '../runtime/store.js';
import { MemoryStore } from '../adapters/memory-store.js';
import { inTransaction } from '../adapters/types.js';
import { targetShares } from './targets.js';

export const DEFAULT_FROM = Date.parse('2026-11-23T14:00:00Z'); // a Monday, 09:00 in New York
export const DEFAULT_RATE_PER_HOUR = 600;
const HOUR = 3_600_000;
/** Leads routed per store transaction. */
const BATCH = 500;

/** Trace codes that are a buyer being considered and not taking the lead. */
export const SKIP_CODES: ReadonlySet<string> = new Set([
  'FilterFailed',
  'Closed',
  'CapExceeded',
  'PriceInvalid',
  'TierSkipped',
  'Holiday',
  'MissingField',
  'Duplicate',
  'BelowMin',
  'Held',
  'OffHoursSend',
]);

export interface SimulateOptions {
  /** Scratch store; a fresh MemoryStore by default. */
  store?: RouterStore;
  /** Router seed (the per-lead `random` and split draws). */
  seed?: string | number;
  /** First arrival, ms. */
  from?: number;
  ratePerHour?: number;
  /** The flow to run; the plan's default by default. */
  flow?: string;
  /** How many leads there will be (for progress), when known. */
  total?: number;
  /** Called every few hundred leads and at the end. */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Called with every decision (for a caller that wants them all). */
  onDecision?: (d: Decision, lead: unknown) => void;
  /** The rule file, for the report. */
  file?: string;
  /** Let the router journal decisions and sales in the store: by default only
   *  when the caller passes a store (a scratch store needs no journal). */
  journal?: boolean;
}

export interface BuyerSummary {
  name: string;
  /** Leads sold to the buyer (each buyer of a shared sale counts the lead). */
  leads: number;
  /** Percent of the leads that entered the flow (passed validation). */
  share: number;
  /** The share the plan states for the buyer (percent), or null. */
  target: number | null;
  revenue: number;
  /** Times a cap (the buyer's or a rule's) turned the buyer away. */
  capHits: number;
  /** Times the buyer was skipped, by trace code (FilterFailed, Closed, CapExceeded, …). */
  skips: Record<string, number>;
}

export interface HourSummary {
  /** Start of the hour, ISO 8601. */
  hour: string;
  leads: number;
  /** Leads sold per buyer in the hour. */
  buyers: Record<string, number>;
  unrouted: number;
  revenue: number;
}

export interface SimSummary {
  file: string | null;
  flow: string;
  seed: string;
  /** First and last arrival, ISO 8601. */
  from: string;
  to: string;
  ratePerHour: number;
  leads: number;
  /** Leads that passed validation and entered the flow. */
  entered: number;
  routed: number;
  unrouted: number;
  rejected: number;
  held: number;
  auction: number;
  /** Routed leads sold to more than one buyer. */
  shared: number;
  revenue: number;
  buyers: BuyerSummary[];
  /** Leads nobody took (unrouted and rejected), with the most frequent reasons. */
  wastage: { leads: number; percent: number; reasons: { reason: string; count: number }[] };
  /** Max |share − target| over buyers with a target, in percentage points. */
  accuracy: { maxDeviation: number; buyer: string } | null;
  hourly: HourSummary[];
  elapsedMs: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Route `leads` through `plan` on the simulated clock and summarise. */
export function simulate(planOrLoaded: Plan | LoadedPlan, leads: Iterable<unknown>, opts: SimulateOptions = {}): SimSummary {
  const started = performance.now();
  const loaded = loadPlan(planOrLoaded);
  const plan = loaded.plan;
  const store = opts.store ?? new MemoryStore();
  const seed = opts.seed ?? 0;
  const from = opts.from ?? DEFAULT_FROM;
  const rate = opts.ratePerHour ?? DEFAULT_RATE_PER_HOUR;
  const flowName = opts.flow ?? plan.defaultFlow;
  const flow = plan.flows.find((f) => f.name === flowName);
  if (!flow) throw new Error(`no flow '${flowName}'; the plan has ${plan.flows.map((f) => `'${f.name}'`).join(', ')}`);
  const journal = opts.journal ?? opts.store !== undefined;
  const router = new Router(loaded, { store, seed, trace: true, journal } as RouterOptions);
  const arrival = (i: number) => from + Math.floor((i * HOUR) / rate);

  const buyers = new Map<string, BuyerSummary>(
    plan.buyers.map((b) => [b.name, { name: b.name, leads: 0, share: 0, target: null, revenue: 0, capHits: 0, skips: {} }]),
  );
  const buyerRow = (name: string): BuyerSummary => {
    let row = buyers.get(name);
    if (!row) buyers.set(name, (row = { name, leads: 0, share: 0, target: null, revenue: 0, capHits: 0, skips: {} }));
    return row;
  };
  const matched = new Map<string, number>();
  const placed = new Map<string, number>();
  const reasons = new Map<string, number>();
  const hours = new Map<number, HourSummary>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let n = 0;
  let routed = 0;
  let unrouted = 0;
  let rejected = 0;
  let held = 0;
  let auction = 0;
  let shared = 0;
  let revenue = 0;
  let last = from;

  const one = (lead: unknown): void => {
    const now = arrival(n);
    last = now;
    const d = router.route(lead, { now, flow: flowName });
    n++;
    const hourStart = Math.floor(now / HOUR) * HOUR;
    let h = hours.get(hourStart);
    if (!h) hours.set(hourStart, (h = { hour: new Date(hourStart).toISOString(), leads: 0, buyers: {}, unrouted: 0, revenue: 0 }));
    h.leads++;
    for (const t of d.trace) {
      if (t.code === 'RuleMatched' && t.rule !== undefined) bump(matched, t.rule);
      else if (t.buyer !== undefined && SKIP_CODES.has(t.code)) {
        const row = buyerRow(t.buyer);
        row.skips[t.code] = (row.skips[t.code] ?? 0) + 1;
        if (t.code === 'CapExceeded') row.capHits++;
      }
    }
    switch (d.status) {
      case 'routed': {
        routed++;
        if (d.buyers.length > 1) shared++;
        if (d.rule) bump(placed, d.rule.id);
        for (const b of d.buyers) {
          const row = buyerRow(b.name);
          row.leads++;
          row.revenue += b.price;
          h.buyers[b.name] = (h.buyers[b.name] ?? 0) + 1;
        }
        revenue += d.price;
        h.revenue += d.price;
        break;
      }
      case 'unrouted':
        unrouted++;
        h.unrouted++;
        bump(reasons, d.reason ?? 'unrouted');
        break;
      case 'rejected':
        rejected++;
        h.unrouted++;
        bump(reasons, `invalid lead: ${d.reason ?? ''}`);
        break;
      default:
        if ((d.status as string) === 'held') held++;
        else if ((d.status as string) === 'auction') auction++;
    }
    opts.onDecision?.(d, lead);
  };

  let batch: unknown[] = [];
  const flush = () => {
    const list = batch;
    batch = [];
    inTransaction(store, () => {
      for (const lead of list) one(lead);
    });
    opts.onProgress?.(n, opts.total);
  };
  for (const lead of leads) {
    batch.push(lead);
    if (batch.length >= BATCH) flush();
  }
  if (batch.length > 0) flush();

  const entered = n - rejected;
  const targets = targetShares(plan, flow, { matched, placed, entered });
  let accuracy: SimSummary['accuracy'] = null;
  const rows = [...buyers.values()];
  for (const row of rows) {
    row.share = entered > 0 ? (100 * row.leads) / entered : 0;
    row.target = targets.get(row.name) ?? null;
    row.revenue = round2(row.revenue);
    if (row.target !== null) {
      const dev = Math.abs(row.share - row.target);
      if (accuracy === null || dev > accuracy.maxDeviation) accuracy = { maxDeviation: dev, buyer: row.name };
    }
  }
  const wasted = unrouted + rejected;
  return {
    file: opts.file ?? plan.file ?? null,
    flow: flowName,
    seed: String(seed),
    from: new Date(from).toISOString(),
    to: new Date(last).toISOString(),
    ratePerHour: rate,
    leads: n,
    entered,
    routed,
    unrouted,
    rejected,
    held,
    auction,
    shared,
    revenue: round2(revenue),
    buyers: rows,
    wastage: {
      leads: wasted,
      percent: n > 0 ? (100 * wasted) / n : 0,
      reasons: [...reasons]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 10)
        .map(([reason, count]) => ({ reason, count })),
    },
    accuracy,
    hourly: [...hours.values()].sort((a, b) => (a.hour < b.hour ? -1 : 1)).map((x) => ({ ...x, revenue: round2(x.revenue) })),
    elapsedMs: Math.round(performance.now() - started),
  };
}
