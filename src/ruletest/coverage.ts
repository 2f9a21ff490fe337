// What the tests of a rule file exercised, and what they did not. The branches
// come from the plan, not from a list kept per model:
//   - each rule: its `when` taken true and false (RuleMatched / RuleSkipped in
//     the trace), or, for `otherwise` and bare actions, matched;
//   - each buyer or flow an action names, found from the plan schema's `x-ref`
//     marks (actionRefs: a split's entries, a waterfall's tiers, a fallback's
//     steps, a rank's candidates, an auction's tiers …): offered the lead (a
//     trace line of that rule about the buyer) or entered (a line of the flow
//     after one of the rule); an entry with its own `when` (a waterfall tier, a
//     specialist) counts its condition true and false, evaluated by the
//     runtime's evaluator on the lead it was offered;
//   - each buyer: sold a lead, each refusal its clauses can make (the clause
//     table says which apply to it), its overflow and its off-hours send or hold.
// Every routed lead counts: cases, their `before` leads and distributions.

import { CLAUSES, REFUSAL_ORDER } from '../clauses/index.js';
import type { Plan } from '../compile/index.js';
import { actionRefs } from '../models/plan.js';
import type { PlanExpr } from '../plan/index.js';
import { evaluatorFor, loadPlan, type TraceCode } from '../runtime/index.js';
import type { Observation } from './context.js';

export interface CoverageItem {
  /** The rule file's line the item is about. */
  line: number;
  what: string;
  covered: boolean;
  /** Why the test file leaves it out (`coverage.ignore`): not counted either way. */
  ignored?: string;
}

export interface FileCoverage {
  file: string;
  items: CoverageItem[];
}

/** The trace line each buyer refusal writes: typed by the refusal order, so a new refusing clause fails to compile until it is here. */
const REFUSAL_TRACE: Record<(typeof REFUSAL_ORDER)[number], TraceCode> = {
  accepts: 'FilterFailed',
  requires: 'MissingField',
  hours: 'Closed',
  holidays: 'Holiday',
  dedupe: 'Duplicate',
  cap: 'CapExceeded',
};

const TEXT_SHOWN = 60;
const brief = (text: string) => (text.length > TEXT_SHOWN ? `${text.slice(0, TEXT_SHOWN - 1)}…` : text);
const isExpr = (v: unknown): v is PlanExpr => typeof v === 'object' && v !== null && 'op' in v;

/** The object holding the value at a JSON path ("/tiers/1/buyer" → tiers[1]). */
function parentAt(root: unknown, path: string): Record<string, unknown> | null {
  const parts = path.split('/').slice(1, -1);
  let node: unknown = root;
  for (const p of parts) node = Array.isArray(node) ? node[Number(p)] : (node as Record<string, unknown> | undefined)?.[p];
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : null;
}

export function coverageOf(file: string, plan: Plan, seen: readonly Observation[]): FileCoverage {
  const items: CoverageItem[] = [];
  const item = (line: number, what: string, covered: boolean) => items.push({ line, what, covered });
  const anyTrace = (test: (code: TraceCode, rule: string | undefined, buyer: string | undefined) => boolean) =>
    seen.some((o) => o.decision.trace.some((t) => test(t.code, t.rule, t.buyer)));

  for (const flow of plan.flows) {
    for (const rule of flow.rules) {
      const line = rule.source.line;
      const named = `\`${brief(rule.text)}\``;
      if (rule.guard === 'when') {
        item(line, `${named}: condition true`, anyTrace((c, r) => c === 'RuleMatched' && r === rule.id));
        item(line, `${named}: condition false`, anyTrace((c, r) => c === 'RuleSkipped' && r === rule.id));
      } else item(line, `${named}: matched`, anyTrace((c, r) => c === 'RuleMatched' && r === rule.id));

      // An action with caps of its own (`route Premium cap 100/h`): reaching them is a branch.
      const caps = (rule.action as { caps?: unknown }).caps;
      if (Array.isArray(caps) && caps.length > 0) item(line, `${named}: its cap reached`, anyTrace((c, r) => c === 'CapExceeded' && r === rule.id));

      for (const ref of actionRefs(rule.action)) {
        if (ref.kind === 'flow') {
          item(line, `${named}: hands the lead to flow ${ref.name}`, seen.some((o) => entersFlow(o, rule.id, ref.name)));
          continue;
        }
        const offered = seen.filter(
          (o) => o.decision.trace.some((t) => t.rule === rule.id && t.buyer === ref.name) || (o.auction?.rule === rule.id && o.auction.buyers.includes(ref.name)),
        );
        const arm = parentAt(rule.action, ref.path);
        const when = arm?.when;
        if (!isExpr(when)) {
          item(line, `${named}: offers the lead to ${ref.name}`, offered.length > 0);
          continue;
        }
        const cond = typeof arm?.whenText === 'string' ? `\`${arm.whenText}\`` : 'its condition';
        const test = evaluatorFor(when);
        const values = offered.map((o) => Boolean(test({ lead: { ...o.lead, ...o.decision.rewrites }, random: o.decision.random, now: Date.parse(o.decision.at) })));
        item(line, `${named}: ${ref.name} when ${cond} true`, values.includes(true));
        item(line, `${named}: ${ref.name} when ${cond} false`, values.includes(false));
      }
    }
  }

  const loaded = loadPlan(plan);
  for (const buyer of plan.buyers) {
    const line = buyer.source.line;
    const name = `buyer ${buyer.name}`;
    item(line, `${name}: sold a lead`, seen.some((o) => o.decision.status === 'routed' && o.decision.buyers.some((b) => b.name === buyer.name)));
    const lb = loaded.buyers[loaded.buyerIndex.get(buyer.name)!]!;
    for (const kind of REFUSAL_ORDER) {
      // The cap check runs for every buyer (it also sets the price, and counts a
      // rule's caps, which are the rule's branch below); a buyer without caps of
      // its own has no cap to reach.
      const applies = kind === 'cap' ? lb.counters.length > 0 : CLAUSES[kind].refusal?.applies(lb) === true;
      if (!applies) continue;
      const code = REFUSAL_TRACE[kind];
      item(line, `${name}: refused by its \`${kind}\` (${code})`, anyTrace((c, _r, b) => c === code && b === buyer.name));
    }
    if (buyer.overflow !== null) item(line, `${name}: overflows to ${buyer.overflow}`, anyTrace((c, _r, b) => c === 'Overflow' && b === buyer.name));
    const off = buyer.offHours;
    if (off?.kind === 'send') item(line, `${name}: closed, sends the lead to ${off.buyer}`, anyTrace((c, _r, b) => c === 'OffHoursSend' && b === buyer.name));
    if (off?.kind === 'hold') item(line, `${name}: closed, holds the lead`, seen.some((o) => o.decision.status === 'held' && o.decision.buyers.some((b) => b.name === buyer.name)));
  }
  return { file, items };
}

/** Whether, in this lead's trace, flow `flow` ran after rule `ruleId` had. */
function entersFlow(o: Observation, ruleId: string, flow: string): boolean {
  const trace = o.decision.trace;
  const from = trace.findIndex((t) => t.rule === ruleId);
  return from >= 0 && trace.slice(from + 1).some((t) => t.rule?.startsWith(`${flow}#`) === true);
}

/**
 * Mark the items a test file's `coverage.ignore` leaves out: each entry's
 * `branch` is a part of an item's text (`buyer BuyerB: refused by its \`accepts\``).
 * Returns the index of each entry that matched no item.
 */
export function applyIgnores(cov: FileCoverage, ignore: readonly { branch: string; reason: string }[]): number[] {
  const unmatched: number[] = [];
  ignore.forEach((entry, i) => {
    const hits = cov.items.filter((item) => item.what.includes(entry.branch));
    if (hits.length === 0) unmatched.push(i);
    for (const item of hits) item.ignored = entry.reason;
  });
  return unmatched;
}

/** Covered items over all items not ignored, in percent (100 when there is nothing to cover). */
export function percentCovered(files: readonly FileCoverage[]): { covered: number; total: number; percent: number } {
  const all = files.flatMap((f) => f.items).filter((i) => i.ignored === undefined);
  const covered = all.filter((i) => i.covered).length;
  return { covered, total: all.length, percent: all.length === 0 ? 100 : (100 * covered) / all.length };
}
