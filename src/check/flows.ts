// Flows: duplicate names, rule conditions, and each action's buyers, weights,
// tiers and shares (the newer routing models in models.ts). Reachability and
// cycles live in reach.ts and cycles.ts.

import type { Action, FlowDecl, Rule } from '../lang/ast.js';
import { checkBuyerRef, checkCaps } from './buyers.js';
import { type CheckContext, headSpan, lineOf } from './context.js';
import type { ExprChecker } from './exprs.js';
import {
  checkAuction,
  checkBuyerList,
  checkFallback,
  checkFlowRef,
  checkHybrid,
  checkRank,
  checkSpecialize,
  checkSplit,
} from './models.js';

/** Record flow names, reporting duplicates (LR204) and a file without flows (LR206). */
export function declareFlows(ctx: CheckContext, flows: FlowDecl[]): void {
  const first = new Map<string, FlowDecl>();
  for (const f of flows) {
    const name = f?.name?.name;
    if (typeof name !== 'string' || name === '') continue;
    const prev = first.get(name);
    if (prev) {
      ctx.report(
        'LR204',
        f.name.span ?? f.span,
        `flow \`${name}\` is already declared at ${lineOf(prev.name.span)}`,
        'merge the two flows or rename one',
      );
      continue;
    }
    first.set(name, f);
    ctx.flows.add(name);
  }
  if (flows.length === 0) {
    ctx.report(
      'LR206',
      ctx.fileStart(),
      'the file declares no flow, so no lead can be routed',
      'add one, e.g. `flow main { route SomeBuyer }`',
    );
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
      ctx.report(
        'LR407',
        headSpan(rule.span, 'otherwise'.length),
        `\`otherwise\` must be the last rule of flow \`${flow.name?.name ?? '?'}\``,
        'move it to the end, or turn it into a `when` rule',
      );
    }
    if (rule.action) checkAction(ctx, exprs, rule.action);
  });
}

function checkAction(ctx: CheckContext, exprs: ExprChecker, action: Action): void {
  switch (action.kind) {
    case 'route': {
      checkBuyerRef(ctx, action.buyer);
      checkCaps(ctx, action.caps);
      if (action.overflow) {
        const known = checkBuyerRef(ctx, action.overflow);
        if (known && action.overflow.name === action.buyer?.name) {
          ctx.report(
            'LR409',
            action.overflow.span,
            `this rule overflows \`${action.overflow.name}\` to itself: a lead it turns away for lack of room cannot go back to it`,
            'overflow to another buyer, or drop `overflow`',
          );
        }
      }
      break;
    }
    case 'split':
      checkSplit(ctx, exprs, action);
      break;
    case 'rank':
      checkRank(ctx, exprs, action);
      break;
    case 'specialize':
      checkSpecialize(ctx, exprs, action);
      break;
    case 'fallback':
      checkFallback(ctx, exprs, action);
      break;
    case 'hybrid':
      checkHybrid(ctx, exprs, action);
      break;
    case 'auction':
      checkAuction(ctx, exprs, action);
      break;
    case 'waterfall': {
      const tiers = Array.isArray(action.tiers) ? action.tiers.filter(Boolean) : [];
      checkBuyerList(
        ctx,
        tiers.map((t) => t.buyer),
        'waterfall',
      );
      for (const t of tiers) if (t.condition) exprs.condition(t.condition, 'the tier condition');
      break;
    }
    case 'share': {
      const entries = Array.isArray(action.entries) ? action.entries.filter(Boolean) : [];
      if (typeof action.max === 'number' && (!(action.max >= 1) || !Number.isInteger(action.max))) {
        ctx.report(
          'LR408',
          action.span,
          action.max >= 1
            ? `\`share max ${action.max}\`: a lead is shared with a whole number of buyers`
            : `\`share max ${action.max}\` shares the lead with nobody: it needs at least 1`,
          `write \`share max ${Math.max(1, Math.floor(action.max) || 1)}\``,
        );
      }
      checkBuyerList(
        ctx,
        entries.map((e) => e.buyer),
        'share',
      );
      for (const e of entries) if (e.price) exprs.price(e.price, `the shared price for \`${e.buyer?.name ?? '?'}\``);
      break;
    }
    case 'flow':
      checkFlowRef(ctx, action.flow);
      break;
    default:
      break;
  }
}
