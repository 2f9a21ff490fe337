import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Router, type Decision } from '../runtime/index.js';
import { MemoryStore } from '../adapters/index.js';
import { loadPlanArgument } from './check.js';
import { UsageError, isoTimeOption, packageRoot, parseLeadLine, parseOptions, paint, str, type Io } from './io.js';
import { Summary, decisionJson, formatDecision } from './decisions.js';

// The decision printing lives in decisions.ts (the REPL prints decisions the same way).
export { decisionJson, formatDecision } from './decisions.js';

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
  let unreadable = 0;

  for await (const input of readLeads(values, io)) {
    if ('error' in input) {
      summary.rejectedLines++;
      unreadable++;
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
  // A line that is not JSON is not a lead the rules refused: the input is broken (exit 1, as `sell`).
  return failed > 0 || unreadable > 0 ? 1 : 0;
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
