// Target shares: what share of the leads a flow says each buyer should get.
//
// A plan states a share in two ways:
// - `random` ranges: `when random <= 60 route A` / `when random > 60 route B`
//   give A 60% and B 40% of the leads entering the flow. Ranges are taken in
//   rule order, each rule keeping only the numbers no earlier random-guarded
//   rule claimed (first match); `otherwise`/unguarded rules get what is left.
// - `split { A 60%, B 30%, C 10% }`: the weights, times the share of leads the
//   split rule handles (its random range, or, under a condition on lead fields,
//   the share of leads that matched the condition in this run). A performance
//   split moves its weights as it goes, so it states no target.
//
// A rule guarded by lead fields places leads the random rules after it never
// see; those later ranges are scaled by the share of leads such rules placed.
// `otherwise` (or an unguarded rule) states the rest of a random partition
// only when no rule on lead fields came before it. Buyers the plan states no
// share for have no target (null).

import type { PlanExpr } from '../plan/index.js';
import type { Plan, PlanFlow } from '../models/plan.js';
import { modelOf } from '../models/index.js';
import { compileExpr } from '../runtime/index.js';

const NO_FIELDS: Record<string, unknown> = {};

/** What the run observed, per rule id: leads whose condition held, and leads the rule placed. */
export interface RuleCounts {
  matched: Map<string, number>;
  placed: Map<string, number>;
  /** Leads that entered the flow (passed validation). */
  entered: number;
}

type Kind = 'random' | 'field';

function kindOf(e: PlanExpr): Kind {
  switch (e.op) {
    case 'field':
    case 'call':
      return 'field';
    case 'lit':
    case 'random':
      return 'random';
    case 'list':
      return e.items.every((x) => kindOf(x) === 'random') ? 'random' : 'field';
    case 'not':
    case 'neg':
      return kindOf(e.arg);
    case 'arith':
    case 'compare':
      return kindOf(e.left) === 'random' && kindOf(e.right) === 'random' ? 'random' : 'field';
    case 'and':
    case 'or':
      return e.args.every((x) => kindOf(x) === 'random') ? 'random' : 'field';
    case 'in':
      return kindOf(e.value) === 'random' && kindOf(e.list) === 'random' ? 'random' : 'field';
    case 'between':
      return [e.value, e.low, e.high].every((x) => kindOf(x) === 'random') ? 'random' : 'field';
  }
}

/**
 * Target share per buyer, in percentage points of the leads entering `flow`,
 * or null where the plan states none.
 */
export function targetShares(plan: Plan, flow: PlanFlow, counts: RuleCounts): Map<string, number | null> {
  const targets = new Map<string, number | null>(plan.buyers.map((b) => [b.name, null]));
  const add = (buyer: string, points: number) => targets.set(buyer, (targets.get(buyer) ?? 0) + points);
  const remaining = new Array<boolean>(101).fill(true);
  remaining[0] = false;
  const entered = Math.max(1, counts.entered);
  let placedByFieldRules = 0;
  let sawRandomGuard = false;
  let sawField = false;

  for (const rule of flow.rules) {
    const kind: Kind = rule.when === null ? 'random' : kindOf(rule.when);
    let points: number; // share of leads the rule handles, in points
    if (kind === 'random') {
      let claimed = 0;
      // The runtime's own evaluator, over a lead with no fields: the condition reads only `random` and literals.
      const holds = rule.when === null ? null : compileExpr(rule.when);
      for (let r = 1; r <= 100; r++) {
        if (!remaining[r]) continue;
        if (holds === null || holds({ lead: NO_FIELDS, random: r, now: 0 }) === true) {
          remaining[r] = false;
          claimed++;
        }
      }
      points = claimed * (1 - placedByFieldRules / entered);
    } else {
      points = (100 * (counts.matched.get(rule.id) ?? 0)) / entered;
    }
    const a = rule.action;
    // An unguarded route states a share only as the rest of a random partition
    // (`when random <= 60 route A` / `otherwise route B`), not after a field rule.
    const states = rule.when !== null ? kind === 'random' : sawRandomGuard && placedByFieldRules === 0 && !sawField;
    if (rule.when !== null && kind === 'random') sawRandomGuard = true;
    if (kind === 'field') sawField = true;
    // Each routing model says what share it states (a route its buyer's, a split its weights).
    modelOf(a.kind)?.traits.targets(a, { points, states, add });
    if (kind === 'field') placedByFieldRules += counts.placed.get(rule.id) ?? 0;
  }
  return targets;
}
