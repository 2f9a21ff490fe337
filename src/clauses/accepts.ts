// `accepts <condition>`: the buyer takes only leads for which the condition
// holds. Emitted as its `and`-parts, so a trace can say which part failed.

import type { Expr } from '../lang/ast.js';
import { condFailed, FAIL_FILTER, OK } from '../runtime/run.js';
import type { ClauseModule, Refusal } from './types.js';

/** `a and b and c` → [a, b, c]. */
function conjuncts(e: Expr): Expr[] {
  if (e.kind === 'logical' && e.op === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

const refuseUnaccepted: Refusal = (engine, run, buyer) => {
  const accepts = buyer.accepts;
  const ctx = run.ctx;
  for (let i = 0; i < accepts.length; i++) {
    const c = accepts[i]!;
    if (!c.test(ctx)) {
      engine.fail(run, buyer.index, FAIL_FILTER, c);
      if (run.trace) engine.note(run, 'FilterFailed', `${buyer.name} skipped: accepts ${condFailed(c, ctx)}`, buyer.name);
      return FAIL_FILTER;
    }
  }
  return OK;
};

export const acceptsClause: ClauseModule<'accepts'> = {
  kind: 'accepts',
  check: (_ctx, exprs, c) => exprs.condition(c.condition, 'the `accepts` condition'),
  emit(c, draft, env) {
    for (const part of conjuncts(c.condition)) draft.plan.accepts.push({ expr: env.expr(part), text: env.text(part.span) });
  },
  load(b, into, env, path) {
    into.accepts = b.accepts.map((c, j) => env.cond(c.expr, c.text, `${path}/accepts/${j}/expr`));
  },
  refusal: { refuse: refuseUnaccepted, applies: (b) => b.accepts.length > 0 },
  traits: { canRefuse: true, selling: false, perBuyer: 'once', onceHelp: 'combine the conditions with `and`' },
};
