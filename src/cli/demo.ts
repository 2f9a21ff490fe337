// `npm start` / `leadroute demo`: `leadroute sell` on the sample files.
//
//   leadroute demo [sell options]  =  leadroute sell rules/solar-pingpost.route
//       --leads examples/leads.jsonl --buyers examples/mock-buyers.json
//       --at 2026-11-23T15:00:00Z --seed 7 [sell options]
//
// The mock buyers of examples/mock-buyers.json start in-process (real HTTP on
// 127.0.0.1) and every sample lead is a real auction over loopback. The
// configured ports sit below Linux's ephemeral range, so a local port a test
// run left in TIME_WAIT can't block a `npm start` right after it; --ephemeral
// moves the buyers to free ports (tests use it). The one difference from
// `sell`: the sample buyers fail some posts on purpose (their `faults`), so a
// failed delivery is shown and counted but does not make the exit code 1.
// --rules RULES replaces the sample rule file; --leads and --buyers the others.
//
//   leadroute demo --plain      the routing-only demo (rules/solar.route, no HTTP):
//       `leadroute route` on the sample leads at the same time and seed

import { resolve } from 'node:path';
import type { DemoOptions } from './commands.js';
import { routeCommand } from './route.js';
import { sellCommand } from './sell.js';
import { UsageError, packageRoot, paint, type Io } from './io.js';

/** Routing time of the demo: a Monday afternoon (UTC). */
const DEMO_AT = '2026-11-23T15:00:00Z';
const DEMO_SEED = '7';

/** The selling options `demo --plain` has no use for (it sends nothing). */
const NOT_FOR_PLAIN = ['buyers', 'ephemeral', 'store', 'dryRun', 'quiet'] as const;

export async function demoCommand(args: string[], o: DemoOptions, io: Io): Promise<number> {
  if (args.length > 0) throw new UsageError('`demo` takes no file; use --rules, --leads and --buyers');
  const root = packageRoot();
  const leads = o.leads ?? resolve(root, 'examples/leads.jsonl');
  if (o.plain) {
    const misplaced = NOT_FOR_PLAIN.find((k) => o[k] !== false && o[k] !== undefined);
    if (misplaced !== undefined) throw new UsageError(`--${misplaced.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} is for the selling demo; \`demo --plain\` sends nothing`);
    const rules = o.rules ?? resolve(root, 'rules/solar.route');
    io.out(paint(io.color).bold(`leadroute demo: ${leads} through ${rules}\n`));
    return routeCommand([rules], { lead: undefined, leads, flow: o.flow, at: o.at ?? DEMO_AT, seed: o.seed ?? DEMO_SEED, limit: o.limit, json: o.json, trace: false, maxErrors: o.maxErrors }, io);
  }
  const rules = o.rules ?? resolve(root, 'rules/solar-pingpost.route');
  const { plain: _plain, rules: _rules, ...selling } = o;
  return sellCommand(
    [rules],
    { ...selling, leads, buyers: o.buyers ?? resolve(root, 'examples/mock-buyers.json'), at: o.at ?? DEMO_AT, seed: o.seed ?? DEMO_SEED },
    io,
    { command: 'demo', failedDeliveryIsError: false },
  );
}
