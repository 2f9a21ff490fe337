// What every case and distribution of one test file shares: the test file,
// the plan of its rule file, and the checks of a test file's names against the
// plan (a buyer, flow or rule the plan does not have is a bad test file, said
// with its position and a did-you-mean, before anything is routed).

import { closestName } from '../core/suggest.js';
import type { Plan } from '../compile/index.js';
import { parseRoutingTime } from '../repl/session.js';
import { DEFAULT_FROM } from '../sim/simulate.js';
import type { Decision } from '../runtime/index.js';
import { dotted, type Path, type TestFile } from './read.js';

/** A routed lead as coverage reads it: the decision (with its trace) and the lead as given. */
export interface Observation {
  decision: Decision;
  lead: Record<string, unknown>;
  /** The auction rule's id and the buyers it pinged (or took a fixed price from), when the lead was auctioned:
   *  the trace names only the winners and the refusals, the auction record every bidder. */
  auction?: { rule: string; buyers: string[] };
}

export interface FileContext {
  test: TestFile;
  /** The rule file, as shown. */
  rulesFile: string;
  plan: Plan;
  /** The folder of the test file: a distribution's `leads` is relative to it. */
  dir: string;
  /** Problems with the test file found against the plan (positioned); routing stops at the first case with one. */
  problems: string[];
}

/** The routing time of a case or distribution: its own `at`/`zone`, else the file's defaults, else the simulator's Monday 09:00 in New York. */
export function routingTime(ctx: FileContext, own: { at?: string; zone?: string }, path: Path): number | null {
  const d = ctx.test.json.defaults ?? {};
  const at = own.at ?? d.at;
  // The file's zone reads a case's local `at` too; an `at` with Z or an offset says its own.
  const absolute = /(Z|[+-]\d\d:?\d\d)$/i.test(at ?? '');
  const zone = own.zone ?? (absolute ? undefined : d.zone);
  if (at === undefined) {
    if (zone !== undefined) problem(ctx, [...path, 'zone'], '`zone` needs an `at` to read in it');
    return zone === undefined ? DEFAULT_FROM : null;
  }
  const parsed = parseRoutingTime(at, zone);
  if ('error' in parsed) {
    problem(ctx, own.at !== undefined ? [...path, 'at'] : ['defaults', 'at'], parsed.error);
    return null;
  }
  return parsed.ms;
}

export function problem(ctx: FileContext, path: Path, message: string): void {
  ctx.problems.push(`${ctx.test.where(path)}: ${dotted(path)}: ${message}`);
}

/** True when `name` is one of `names`; otherwise records the problem with a did-you-mean. */
export function known(ctx: FileContext, what: string, name: string, names: readonly string[], path: Path): boolean {
  if (names.includes(name)) return true;
  const near = closestName(name, names);
  problem(ctx, path, `no ${what} \`${name}\` in ${ctx.rulesFile}${near ? ` (did you mean \`${near}\`?)` : `; it has ${names.join(', ') || 'none'}`}`);
  return false;
}

export const buyerNames = (plan: Plan) => plan.buyers.map((b) => b.name);
export const flowNames = (plan: Plan) => plan.flows.map((f) => f.name);
export const ruleIds = (plan: Plan) => plan.flows.flatMap((f) => f.rules.map((r) => r.id));

/** The flow of a case or distribution, checked; undefined for the plan's default. */
export function flowOf(ctx: FileContext, own: { flow?: string }, path: Path): string | undefined {
  const flow = own.flow ?? ctx.test.json.defaults?.flow;
  if (flow !== undefined) known(ctx, 'flow', flow, flowNames(ctx.plan), own.flow !== undefined ? [...path, 'flow'] : ['defaults', 'flow']);
  return flow;
}
