// Side-by-side benchmark: the same routing three ways.
//
//   npm run bench
//
//   (a) leadroute: bench/rules.route compiled, the plan round-tripped through
//       JSON and loaded, routed by Router with a MemoryStore (trace off and on);
//   (b) json-rules-engine 7: the flow's conditions and the buyers' filters as
//       engine rules (priority orders the flow rules for first match), run with
//       `await engine.run(facts)` per lead; the events carry the actions, and a
//       small JS placement loop applies caps, overflow and the split;
//   (c) hand-written JS: plain if/else, a Map of cap counters.
//
// All three use the same per-lead random number (leadRandom), the same split
// draw (splitDraw) and the same fixed routing time, so caps fill up and the
// overflow paths run. Before anything is timed, every lead's buyer choice is
// compared across the three; any disagreement aborts the benchmark.
//
// The figures to read are the ratios: absolute leads/s depend on the machine.
// Then bench/scale.ts prints how parse, check and emit scale with file size, and
// bench/serve-load.ts the load test of `leadroute serve` (leads/s, p50/p99).

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { compile, loadPlan, Router } from '../src/index.js';
import { leadRandom, splitDraw } from '../src/runtime/index.js';
import { MemoryStore } from '../src/adapters/index.js';
import type { Decision } from '../src/runtime/decision.js';
import { formatDiagnostics } from '../src/lang/diagnostics.js';
import { makeLeads, type SampleLead } from '../src/sim/sample-leads.js';
import { benchStores } from './store.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RULES = join(HERE, 'rules.route');

const LEAD_COUNT = 100_000;
const LEAD_SEED = 7;
/** json-rules-engine is timed on the first JRE_COUNT leads only. */
const JRE_COUNT = 10_000;
const ROUTER_SEED = 42;
/** Every lead is routed at this instant (a Monday afternoon, UTC). */
const NOW = new Date('2026-11-23T15:30:00.000Z');
const NOW_MS = NOW.getTime();
const ROUNDS = 5;
const JRE_ROUNDS = 3;

/** What each implementation decides for a lead: "Buyer@price", or "unrouted". */
type Choice = string;

// ---------------------------------------------------------------------------
// Shared by (b) and (c): cap counting and the buyers' caps, overflow and prices
// as bench/rules.route declares them.

const HOUR_MS = 3_600_000;

/** Lead counts per key and hourly window. Buyers here have no `hours`, so
 *  their windows are UTC hours. */
class HourlyCounter {
  private readonly counts = new Map<string, number>();
  has(key: string, hour: number, limit: number): boolean {
    return (this.counts.get(key + '|' + hour) ?? 0) < limit;
  }
  add(key: string, hour: number): void {
    const k = key + '|' + hour;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
}

type BuyerName = 'Premium' | 'Standard' | 'Budget' | 'CatchAll';

const BUYERS: Record<BuyerName, { price: number; capPerHour: number | null; overflow: BuyerName | null }> = {
  Premium: { price: 45, capPerHour: 100, overflow: null },
  Standard: { price: 25, capPerHour: 2000, overflow: 'Budget' },
  Budget: { price: 12, capPerHour: null, overflow: null },
  CatchAll: { price: 4, capPerHour: null, overflow: null },
};

/** The id the plan gives the split rule (checked against the compiled plan). */
const SPLIT_RULE_ID = 'bench#2';
const ROUTE_RULE_ID = 'bench#0';

const sold = (b: BuyerName): Choice => b + '@' + BUYERS[b].price;

// ---------------------------------------------------------------------------
// (c) Hand-written JS.

const PREMIUM_STATES = new Set(['CA', 'TX', 'FL', 'NY', 'AZ']);
const BUDGET_EXCLUDED_STATES = new Set(['AK', 'HI']);
const SPLIT_SOURCES = new Set(['google', 'facebook', 'bing']);
const BIG_BILLS = new Set(['200-300', '300+']);

class HandRouter {
  private readonly caps = new HourlyCounter();
  constructor(private readonly seed: number) {}

  private premium(lead: SampleLead, hour: number, viaRouteRule: boolean): Choice | null {
    if (!(PREMIUM_STATES.has(lead.state) && lead.credit_score >= 700 && lead.homeowner)) return null;
    const buyerRoom = this.caps.has('Premium', hour, 100);
    const ruleRoom = !viaRouteRule || this.caps.has(ROUTE_RULE_ID + '/Premium', hour, 100);
    if (buyerRoom && ruleRoom) {
      this.caps.add('Premium', hour);
      if (viaRouteRule) this.caps.add(ROUTE_RULE_ID + '/Premium', hour);
      return sold('Premium');
    }
    // Capped: the route rule overflows to Standard; Premium itself has no overflow.
    return viaRouteRule ? this.standard(lead, hour) : null;
  }

  private standard(lead: SampleLead, hour: number): Choice | null {
    if (!(lead.credit_score >= 620 && lead.homeowner)) return null;
    if (this.caps.has('Standard', hour, 2000)) {
      this.caps.add('Standard', hour);
      return sold('Standard');
    }
    return this.budget(lead); // Standard overflows to Budget
  }

  private budget(lead: SampleLead): Choice | null {
    if (BUDGET_EXCLUDED_STATES.has(lead.state) || lead.credit_score < 550) return null;
    return sold('Budget');
  }

  route(lead: SampleLead, now: number): Choice {
    const hour = Math.floor(now / HOUR_MS);
    const random = leadRandom(this.seed, lead.id);
    let b: Choice | null;
    if (random <= 60 && (b = this.premium(lead, hour, true))) return b;
    if (lead.lead_score >= 80 && lead.homeowner && (b = this.standard(lead, hour))) return b;
    if (SPLIT_SOURCES.has(lead.source)) {
      // Standard 50%, Budget 30%, Premium 20%; then the others, heaviest first.
      const draw = splitDraw(this.seed, lead.id, SPLIT_RULE_ID);
      if (draw < 50) {
        if ((b = this.standard(lead, hour)) || (b = this.budget(lead)) || (b = this.premium(lead, hour, false))) return b;
      } else if (draw < 80) {
        if ((b = this.budget(lead)) || (b = this.standard(lead, hour)) || (b = this.premium(lead, hour, false))) return b;
      } else if ((b = this.premium(lead, hour, false)) || (b = this.standard(lead, hour)) || (b = this.budget(lead))) {
        return b;
      }
    }
    if (BIG_BILLS.has(lead.electric_bill) && (b = this.budget(lead))) return b;
    return sold('CatchAll');
  }
}

// ---------------------------------------------------------------------------
// (b) json-rules-engine. Buyer filters are rules whose event says "this buyer
// accepts"; flow rules carry their action in the event, and their priority
// orders them for first match. The engine decides which conditions hold; the
// placement loop below applies caps, overflow and the split, which
// json-rules-engine has no notion of.

type JreAction =
  | { kind: 'route'; buyer: BuyerName; capPerHour: number; overflow: BuyerName }
  | { kind: 'split'; entries: { buyer: BuyerName; weight: number }[] }
  | { kind: 'route'; buyer: BuyerName; capPerHour?: undefined; overflow?: undefined };

function jreRules(): RuleProperties[] {
  const accepts = (buyer: BuyerName, conditions: TopLevelCondition): RuleProperties => ({
    name: `accepts ${buyer}`,
    conditions,
    event: { type: 'accepts', params: { buyer } },
    priority: 100,
  });
  const flowRule = (index: number, conditions: TopLevelCondition, action: JreAction): RuleProperties => ({
    name: `bench#${index}`,
    conditions,
    event: { type: 'rule', params: { index, action } },
    priority: 50 - index, // earlier rules first
  });
  return [
    accepts('Premium', {
      all: [
        { fact: 'state', operator: 'in', value: ['CA', 'TX', 'FL', 'NY', 'AZ'] },
        { fact: 'credit_score', operator: 'greaterThanInclusive', value: 700 },
        { fact: 'homeowner', operator: 'equal', value: true },
      ],
    }),
    accepts('Standard', {
      all: [
        { fact: 'credit_score', operator: 'greaterThanInclusive', value: 620 },
        { fact: 'homeowner', operator: 'equal', value: true },
      ],
    }),
    accepts('Budget', {
      all: [
        { fact: 'state', operator: 'notIn', value: ['AK', 'HI'] },
        { fact: 'credit_score', operator: 'greaterThanInclusive', value: 550 },
      ],
    }),
    accepts('CatchAll', { all: [] }),
    flowRule(0, { all: [{ fact: 'random', operator: 'lessThanInclusive', value: 60 }] }, {
      kind: 'route',
      buyer: 'Premium',
      capPerHour: 100,
      overflow: 'Standard',
    }),
    flowRule(
      1,
      {
        all: [
          { fact: 'lead_score', operator: 'greaterThanInclusive', value: 80 },
          { fact: 'homeowner', operator: 'equal', value: true },
        ],
      },
      { kind: 'route', buyer: 'Standard' },
    ),
    flowRule(2, { any: [{ fact: 'source', operator: 'in', value: ['google', 'facebook', 'bing'] }] }, {
      kind: 'split',
      entries: [
        { buyer: 'Standard', weight: 50 },
        { buyer: 'Budget', weight: 30 },
        { buyer: 'Premium', weight: 20 },
      ],
    }),
    flowRule(3, { all: [{ fact: 'electric_bill', operator: 'in', value: ['200-300', '300+'] }] }, {
      kind: 'route',
      buyer: 'Budget',
    }),
    flowRule(4, { all: [] }, { kind: 'route', buyer: 'CatchAll' }), // otherwise
  ];
}

class JreRouter {
  private readonly engine = new Engine(jreRules());
  private readonly caps = new HourlyCounter();
  constructor(private readonly seed: number) {}

  /** Try `buyer`, with a rule cap if the route rule names one; follow overflow when capped. */
  private take(
    buyer: BuyerName,
    accepted: ReadonlySet<string>,
    hour: number,
    rule?: { id: string; capPerHour: number; overflow: BuyerName },
  ): Choice | null {
    if (!accepted.has(buyer)) return null;
    const b = BUYERS[buyer];
    const buyerRoom = b.capPerHour === null || this.caps.has(buyer, hour, b.capPerHour);
    const ruleRoom = rule === undefined || this.caps.has(rule.id + '/' + buyer, hour, rule.capPerHour);
    if (buyerRoom && ruleRoom) {
      if (b.capPerHour !== null) this.caps.add(buyer, hour);
      if (rule !== undefined) this.caps.add(rule.id + '/' + buyer, hour);
      return sold(buyer);
    }
    const next = rule?.overflow ?? b.overflow;
    return next === null ? null : this.take(next, accepted, hour);
  }

  async route(lead: SampleLead, now: number): Promise<Choice> {
    const hour = Math.floor(now / HOUR_MS);
    const { events } = await this.engine.run({ ...lead, random: leadRandom(this.seed, lead.id) });
    const accepted = new Set<string>();
    const matched: { index: number; action: JreAction }[] = [];
    for (const e of events) {
      const p = e.params as Record<string, unknown>;
      if (e.type === 'accepts') accepted.add(p.buyer as string);
      else matched.push(p as unknown as { index: number; action: JreAction });
    }
    matched.sort((x, y) => x.index - y.index);
    for (const { index, action } of matched) {
      let b: Choice | null = null;
      if (action.kind === 'route') {
        const rule =
          action.capPerHour === undefined
            ? undefined
            : { id: `bench#${index}`, capPerHour: action.capPerHour, overflow: action.overflow };
        b = this.take(action.buyer, accepted, hour, rule);
      } else {
        const draw = splitDraw(this.seed, lead.id, `bench#${index}`);
        let acc = 0;
        let drawn = action.entries[action.entries.length - 1]!;
        for (const entry of action.entries) {
          acc += entry.weight;
          if (draw < acc) {
            drawn = entry;
            break;
          }
        }
        const order = [drawn, ...action.entries.filter((e) => e !== drawn).sort((x, y) => y.weight - x.weight)];
        for (const entry of order) if ((b = this.take(entry.buyer, accepted, hour))) break;
      }
      if (b) return b;
    }
    return 'unrouted';
  }
}

// ---------------------------------------------------------------------------
// (a) leadroute.

type LeadValidator = (lead: unknown) => unknown[] | null;

function loadRouterFactory(): { make: (trace: boolean) => Router; ruleIds: string[]; validate: LeadValidator } {
  const source = readFileSync(RULES, 'utf8');
  const file = relative(process.cwd(), RULES);
  const { plan, diagnostics } = compile(source, { file });
  if (diagnostics.length > 0) console.error(formatDiagnostics(diagnostics, { [file]: source }));
  if (plan === null || diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`${file} did not compile`);
  }
  // Ship the plan the way a service would: as JSON, loaded without the parser.
  const loaded = loadPlan(JSON.parse(JSON.stringify(plan)));
  const ruleIds = plan.flows.find((f) => f.name === plan.defaultFlow)!.rules.map((r) => r.id);
  return {
    make: (trace) => new Router(loaded, { store: new MemoryStore(), seed: ROUTER_SEED, trace, journal: false }),
    ruleIds,
    // The plan's own compiled lead validator, so the validating baseline does exactly the same checks.
    validate: (lead) => loaded.validateLead(lead),
  };
}

function choiceOf(d: Decision): Choice {
  if (d.status !== 'routed') return d.status === 'rejected' ? `rejected(${d.reason ?? ''})` : 'unrouted';
  return d.buyers.map((b) => `${b.name}@${b.price}`).join('+');
}

// ---------------------------------------------------------------------------
// Timing.

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Leads per second, median over `rounds` timed rounds after one warm-up round.
 *  `setup` (a fresh router with empty caps) runs outside the timed region. */
function timeSync<T>(rounds: number, count: number, setup: () => T, run: (state: T) => number): number {
  run(setup()); // warm-up
  const rates: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const state = setup();
    const t0 = process.hrtime.bigint();
    sink += run(state);
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push(count / (ns / 1e9));
  }
  if (sink === -1) console.log(''); // keep the work observable
  return median(rates);
}

async function timeAsync<T>(
  rounds: number,
  count: number,
  setup: () => T,
  run: (state: T) => Promise<number>,
): Promise<number> {
  await run(setup());
  const rates: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const state = setup();
    const t0 = process.hrtime.bigint();
    sink += await run(state);
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push(count / (ns / 1e9));
  }
  if (sink === -1) console.log('');
  return median(rates);
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtRatio = (n: number): string =>
  (n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n >= 0.1 ? n.toFixed(2) : n.toPrecision(2)) + '×';

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`leadroute bench — node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? '?'})`);
  console.log(`rules: ${relative(process.cwd(), RULES)}; leads: makeLeads(${LEAD_COUNT}, ${LEAD_SEED}); router seed ${ROUTER_SEED}; now ${NOW.toISOString()}`);

  const leads = makeLeads(LEAD_COUNT, LEAD_SEED);
  const { make, ruleIds, validate } = loadRouterFactory();
  if (ruleIds[0] !== ROUTE_RULE_ID || ruleIds[2] !== SPLIT_RULE_ID) {
    throw new Error(`plan rule ids ${ruleIds.join(', ')} do not match the ids the baselines use`);
  }

  // 1. Agreement, before any timing: every lead, fresh state for each
  //    implementation. Pass one routes all leads at the fixed time the timing
  //    uses (the caps fill early and most leads take the overflow paths); pass
  //    two routes each lead at its own created_at, so hourly windows roll over
  //    and the uncapped paths run too.
  const passes: { name: string; at: (lead: SampleLead) => number }[] = [
    { name: `at ${NOW.toISOString()}`, at: () => NOW_MS },
    { name: 'at each lead\'s created_at', at: (lead) => Date.parse(lead.created_at) },
  ];
  for (const pass of passes) {
    const lr = make(false);
    const hand = new HandRouter(ROUTER_SEED);
    const jre = new JreRouter(ROUTER_SEED);
    let agree = 0;
    const byBuyer = new Map<string, number>();
    const mismatches: string[] = [];
    for (const lead of leads) {
      const now = pass.at(lead);
      const a = choiceOf(lr.route(lead, { now }));
      const b = await jre.route(lead, now);
      const c = hand.route(lead, now);
      if (a === b && b === c) agree++;
      else if (mismatches.length < 10) mismatches.push(`  ${lead.id}: leadroute ${a}, json-rules-engine ${b}, hand-written ${c}`);
      const name = a.split('@')[0]!;
      byBuyer.set(name, (byBuyer.get(name) ?? 0) + 1);
    }
    console.log(
      `agreement ${pass.name}: ${agree.toLocaleString('en-US')} / ${leads.length.toLocaleString('en-US')} leads ` +
        `routed identically by all three (${[...byBuyer].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    );
    if (agree !== leads.length) {
      console.error('the implementations disagree; first differences:\n' + mismatches.join('\n'));
      process.exitCode = 1;
      return;
    }
  }

  // 2. Timing.
  const routeAll = (router: Router, list: readonly SampleLead[]): number => {
    let total = 0;
    for (const lead of list) total += router.route(lead, { now: NOW }).price;
    return total;
  };
  const handAll = (h: HandRouter, list: readonly SampleLead[]): number => {
    let n = 0;
    for (const lead of list) n += h.route(lead, NOW_MS).length;
    return n;
  };
  const handValidatedAll = (h: HandRouter, list: readonly SampleLead[]): number => {
    let n = 0;
    for (const lead of list) if (validate(lead) === null) n += h.route(lead, NOW_MS).length;
    return n;
  };
  const jreSubset = leads.slice(0, JRE_COUNT);

  const rows: { name: string; rate: number }[] = [];
  rows.push({ name: 'leadroute plan (trace off)', rate: timeSync(ROUNDS, leads.length, () => make(false), (r) => routeAll(r, leads)) });
  rows.push({ name: 'leadroute plan (trace on)', rate: timeSync(ROUNDS, leads.length, () => make(true), (r) => routeAll(r, leads)) });
  const jreRate = await timeAsync(JRE_ROUNDS, jreSubset.length, () => new JreRouter(ROUTER_SEED), async (j) => {
    let n = 0;
    for (const lead of jreSubset) n += (await j.route(lead, NOW_MS)).length;
    return n;
  });
  rows.push({ name: `json-rules-engine 7 (${JRE_COUNT.toLocaleString('en-US')}-lead subset)`, rate: jreRate });
  const handRate = timeSync(ROUNDS, leads.length, () => new HandRouter(ROUTER_SEED), (h) => handAll(h, leads));
  rows.push({ name: 'hand-written JS', rate: handRate });
  const handValidatedRate = timeSync(ROUNDS, leads.length, () => new HandRouter(ROUTER_SEED), (h) => handValidatedAll(h, leads));
  rows.push({ name: 'hand-written JS + same lead validation', rate: handValidatedRate });

  // 3. The table.
  const header = ['implementation', 'leads/s', '×json-rules-engine', '×hand-written', '×hand-written+validation'];
  const body = rows.map((r) => [
    r.name,
    fmtInt(r.rate),
    fmtRatio(r.rate / jreRate),
    fmtRatio(r.rate / handRate),
    fmtRatio(r.rate / handValidatedRate),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log('');
  console.log(line(header));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const row of body) console.log(line(row));
  console.log('');
  console.log(
    `median of ${ROUNDS} rounds over ${LEAD_COUNT.toLocaleString('en-US')} leads after a warm-up round ` +
      `(json-rules-engine: ${JRE_ROUNDS} rounds over the first ${JRE_COUNT.toLocaleString('en-US')} leads, it is slow); ` +
      `each round starts with empty caps.`,
  );
  console.log(
    'leadroute validates every lead against the schema (ajv) and builds a Decision. The plain hand-written and ' +
      'json-rules-engine rows skip validation; "hand-written JS + same lead validation" runs the plan\'s compiled ' +
      'validator before the same hand-written routing, the like-for-like baseline.',
  );
  await benchStores(); // bench/store.ts: MemoryStore vs SqliteStore, decisions/s
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await (await import('./auction.js')).auctionBench(); // ping-post auctions over loopback HTTP: Seller vs global fetch, with an undici-only floor
  await (await import('./scale.js')).scaleBench(); // parse, check and emit of generated files at 1k-100k rules and 10k-100k buyers, with growth ratios
  await (await import('./serve-load.js')).serveLoadBench(); // autocannon against `leadroute serve` child processes (journal on), beside a bare Fastify floor
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
