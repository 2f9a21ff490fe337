// Flows: duplicate names, rule conditions, and each rule's action, checked by
// its routing model (src/models/). Reachability and cycles live in reach.ts
// and cycles.ts.

import type { Action, FlowDecl, Rule } from '../lang/ast.js';
import { type CheckContext, headSpan, lineOf } from './context.js';
import type { ExprChecker } from './exprs.js';
import { modelOf } from '../models/index.js';

/** Record flow names, reporting duplicates (LR204) and a file without flows (LR206). */
export function declareFlows(ctx: CheckContext, flows: FlowDecl[]): void {
  const first = new Map<string, FlowDecl>();
  for (const f of flows) {
    const name = f?.name?.name;
    if (typeof name !== 'string' || name === '') continue;
    const prev = first.get(name);
    if (prev) {
      ctx.report('LR204', f.name.span ?? f.span, name, lineOf(prev.name.span));
      continue;
    }
    first.set(name, f);
    ctx.flows.add(name);
  }
  if (flows.length === 0) {
    ctx.report('LR206', ctx.fileStart());
  }
}

export function rulesOf(flow: FlowDecl | undefined): Rule[] {
  return Array.isArray(flow?.rules) ? flow.rules.filter((r) => !!r && typeof r === 'object') : [];
}

export function checkFlow(ctx: CheckContext, exprs: ExprChecker, flow: FlowDecl): void {
  const rules = rulesOf(flow);
  rules.forEach((rule, i) => {
    if (rule.kind === 'when') exprs.condition(rule.condition, 'the condition');
    if (rule.kind === 'otherwise' && i < rules.length - 1) {
      ctx.report('LR407', headSpan(rule.span, 'otherwise'.length), flow.name?.name ?? '?');
    }
    if (rule.action) checkAction(ctx, exprs, rule.action);
  });
}

function checkAction(ctx: CheckContext, exprs: ExprChecker, action: Action): void {
  modelOf(action.kind)?.check(ctx, exprs, action);
}
