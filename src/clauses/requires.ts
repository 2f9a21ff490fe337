// `requires phone, email`: the buyer takes only leads where those (optional)
// fields are present and non-empty.

import type { Ident } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import type { CheckContext } from '../check/context.js';
import type { LeadField } from '../check/types.js';
import { FAIL_MISSING, isPresent, OK } from '../runtime/run.js';
import type { ClauseModule, Refusal } from './types.js';

/** A list of lead fields (`dedupe`, `requires`): known, none twice. */
export function checkFieldList(
  ctx: CheckContext,
  fields: Ident[] | undefined,
  what: string,
  each?: (f: LeadField, id: Ident) => void,
): void {
  if (!Array.isArray(fields)) return;
  const seen = new Set<string>();
  for (const id of fields) {
    if (!id || typeof id.name !== 'string' || id.name === '') continue;
    if (seen.has(id.name)) {
      ctx.report('LR214.list', id.span, id.name, what);
      continue;
    }
    seen.add(id.name);
    const f = ctx.fields.get(id.name);
    if (!f) {
      if (ctx.fieldsKnown) ctx.report('LR200', id.span, id.name, didYouMean(id.name, ctx.fields.keys()));
      continue;
    }
    each?.(f, id);
  }
}

const refuseIncomplete: Refusal = (engine, run, buyer) => {
  const requires = buyer.requires;
  const lead = run.ctx.lead;
  for (let i = 0; i < requires.length; i++) {
    if (!isPresent(lead[requires[i]!])) {
      engine.fail(run, buyer.index, FAIL_MISSING, requires[i]);
      if (run.trace) engine.note(run, 'MissingField', `${buyer.name} skipped: missing ${requires[i]}`, buyer.name);
      return FAIL_MISSING;
    }
  }
  return OK;
};

export const requiresClause: ClauseModule<'requires'> = {
  kind: 'requires',
  check(ctx, _exprs, c) {
    checkFieldList(ctx, c.fields, '`requires`', (f, id) => {
      if (!f.optional)
        ctx.report('LR213', id.span, f.name);
    });
  },
  emit(c, draft) {
    draft.plan.requires.push(...c.fields.map((f) => f.name));
  },
  load(b, into) {
    into.requires = b.requires ?? [];
  },
  refusal: { refuse: refuseIncomplete, applies: (b) => b.requires.length > 0 },
  traits: { canRefuse: true, selling: false, perBuyer: 'many' },
};
