// `sale [json|xml|form|text] accepted "status" in ["ok", "accepted"] ignoring case,
// duplicate "isValidPost" == false, reason "message", redirect "redirect_url",
// price "payout", id "lead_id", rejection_words ["Rejected", "Error"]`: how a
// post's answer (the `post` and the `backup post`) is read (src/deliver/post.ts).
// Without a post it means nothing (LR714); its `accepted` and the post's own
// `accepted "p" == v` are two accept rules, which is one too many (LR714).

import type { AnswerMapping, BuyerClause, Span } from '../lang/ast.js';
import { type CheckContext, headSpan, isSpan, lineOf } from '../check/context.js';
import type { PlanSale } from '../plan/index.js';
import { checkAnswerMapping, emitValueTest, entryPath } from './answer-mapping.js';
import { loadsNothing, type BuyerCheckEnv, type BuyerEmitEnv, type ClauseModule } from './types.js';

export const SALE_KEYS: readonly string[] = ['accepted', 'duplicate', 'reason', 'redirect', 'price', 'id', 'rejection_words'];

/** Whether a buyer's `sale` has an accept rule. */
export function saleAccepts(clauses: readonly BuyerClause[]): boolean {
  return clauses.some((c) => c.kind === 'sale' && Array.isArray(c.mapping?.entries) && c.mapping.entries.some((e) => e?.key?.name === 'accepted'));
}

function checkSale(ctx: CheckContext, mapping: AnswerMapping | undefined, clauseSpan: Span, buyer: BuyerCheckEnv): void {
  if (!mapping || typeof mapping !== 'object') return;
  const posts = buyer.clauses.filter((c) => c.kind === 'post');
  if (posts.length === 0) ctx.report('LR714', headSpan(clauseSpan, 'sale'.length), buyer.name);
  checkAnswerMapping(ctx, mapping, 'sale', SALE_KEYS);
  const accepted = Array.isArray(mapping.entries) ? mapping.entries.find((e) => e?.key?.name === 'accepted') : undefined;
  const postAccepted = posts.find((c) => c.kind === 'post' && c.post?.accepted !== undefined);
  if (accepted && postAccepted && postAccepted.kind === 'post') {
    const at = postAccepted.post.accepted?.span;
    ctx.report('LR714.twoAcceptRules', isSpan(accepted.key?.span) ? accepted.key.span : accepted.span, buyer.name, lineOf(at));
  }
}

function emitSale(m: AnswerMapping, env: BuyerEmitEnv): PlanSale {
  const sale: PlanSale = {};
  if (m.format !== undefined && m.format !== 'json') sale.format = m.format;
  for (const e of m.entries) {
    const path = entryPath(e);
    switch (e.key.name) {
      case 'accepted':
        if (path !== undefined) sale.accepted = e.test ? emitValueTest(path, e.test, env) : { path, equals: true };
        break;
      case 'duplicate':
        if (path !== undefined) sale.duplicate = e.test ? emitValueTest(path, e.test, env) : { path, equals: true };
        break;
      case 'reason':
      case 'redirect':
      case 'price':
      case 'id':
        if (path !== undefined) sale[e.key.name] = path;
        break;
      case 'rejection_words':
        if (e.words && e.words.length > 0) sale.rejectionWords = e.words.map((w) => w.value);
        break;
      default:
        break; // the checker reports unknown keys
    }
  }
  return sale;
}

export const saleClause: ClauseModule<'sale'> = {
  kind: 'sale',
  check: (ctx, _exprs, c, buyer) => checkSale(ctx, c.mapping, c.span, buyer),
  emit(c, draft, env) {
    draft.plan.sale = emitSale(c.mapping, env);
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'once', onceHelp: 'a buyer reads its post answers one way: put every entry in one `sale`' },
};
