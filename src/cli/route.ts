import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Router, type Decision } from '../runtime/index.js';
import { MemoryStore } from '../adapters/index.js';
import { loadPlanArgument } from './check.js';
import type { RouteOptions } from './commands.js';
import { UsageError, isoTimeOption, parseLeadLine, paint, type Io } from './io.js';
import { Summary, decisionJson, formatDecision } from './decisions.js';

// The decision printing lives in decisions.ts (the REPL prints decisions the same way).
export { decisionJson, formatDecision } from './decisions.js';

type LeadInput = { line: number; lead: unknown } | { line: number; error: string };

async function* readLeads(values: { lead?: string | undefined; leads?: string | undefined }, io: Io): AsyncGenerator<LeadInput> {
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

export async function routeCommand([file]: string[], values: RouteOptions, io: Io): Promise<number> {
  if (file === undefined) throw new UsageError('`route` takes exactly one rule file or plan');
  if ((values.lead === undefined) === (values.leads === undefined)) throw new UsageError('`route` needs either --lead JSON or --leads FILE.jsonl');
  const plan = loadPlanArgument(file, io, values.maxErrors);
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

  let seen = 0;
  for await (const input of readLeads(values, io)) {
    if (values.limit !== undefined && seen++ >= values.limit) break;
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
