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
//   leadroute demo --plain      the routing-only demo (rules/solar.route, no HTTP; src/cli/route.ts)

import { resolve } from 'node:path';
import { SELL_OPTIONS, sellCommand } from './sell.js';
import { UsageError, packageRoot, parseOptions, type Io } from './io.js';

/** Routing time of the demo: a Monday afternoon (UTC), as in the plain demo. */
const DEMO_AT = '2026-11-23T15:00:00Z';

export async function auctionDemo(args: string[], io: Io): Promise<number> {
  const parsed = parseOptions(args, { ...SELL_OPTIONS, rules: { type: 'string' } });
  if (parsed.positionals.length > 0) throw new UsageError('`demo` takes no file; use --rules, --leads and --buyers');
  const root = packageRoot();
  const v = parsed.values;
  const rules = v.rules === undefined ? resolve(root, 'rules/solar-pingpost.route') : resolve(io.cwd, String(v.rules));
  const rest = withoutOption(args, '--rules');
  const defaults = [
    ...(v.leads === undefined ? ['--leads', resolve(root, 'examples/leads.jsonl')] : []),
    ...(v.buyers === undefined ? ['--buyers', resolve(root, 'examples/mock-buyers.json')] : []),
    ...(v.at === undefined ? ['--at', DEMO_AT] : []),
    ...(v.seed === undefined ? ['--seed', '7'] : []),
  ];
  return sellCommand([rules, ...defaults, ...rest], io, { command: 'demo', failedDeliveryIsError: false });
}

/** The arguments without `name VALUE` (or `name=VALUE`). */
function withoutOption(args: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) i++;
    else if (!args[i]!.startsWith(`${name}=`)) out.push(args[i]!);
  }
  return out;
}
