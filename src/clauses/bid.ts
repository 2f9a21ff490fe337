// `bid [json|xml|form|text] price "bid.amount", id "…", accepted "status" == "ok", …`:
// where in a ping's answer the bid is, and how the answer is read. It has no
// meaning without a `ping` (LR701). The entries' grammar and checks are
// shared with `sale` (./answer-mapping.ts).

import type { AnswerMapping, Span } from '../lang/ast.js';
import { type CheckContext, headSpan } from '../check/context.js';
import type { PlanPing } from '../plan/index.js';
import { checkAnswerMapping, emitValueTest, entryPath } from './answer-mapping.js';
import { defaultBid } from './ping.js';
import { loadsNothing, type BuyerCheckEnv, type BuyerEmitEnv, type ClauseModule } from './types.js';

export const BID_KEYS: readonly string[] = ['price', 'id', 'exclusive', 'accepted', 'states', 'max_age', 'reason', 'duplicate', 'carry', 'rejection_words'];

function checkBid(ctx: CheckContext, mapping: AnswerMapping | undefined, clauseSpan: Span, buyer: BuyerCheckEnv): void {
  if (!mapping || typeof mapping !== 'object') return;
  if (!buyer.hasPing) {
    ctx.report('LR701', headSpan(clauseSpan, 'bid'.length), buyer.name);
  }
  checkAnswerMapping(ctx, mapping, 'bid', BID_KEYS);
  const entries = Array.isArray(mapping.entries) ? mapping.entries : [];
  if (entries.length > 0 && !entries.some((e) => e?.key?.name === 'price')) {
    ctx.report('LR703.noPrice', headSpan(clauseSpan, 'bid'.length));
  }
}

function emitBidMapping(m: AnswerMapping, env: BuyerEmitEnv): PlanPing['bid'] {
  const bid = defaultBid();
  if (m.format !== undefined && m.format !== 'json') bid.format = m.format;
  for (const e of m.entries) {
    const path = entryPath(e);
    switch (e.key.name) {
      case 'price':
        if (path !== undefined) bid.price = path;
        break;
      case 'id':
        bid.id = path ?? null;
        break;
      case 'exclusive':
        bid.exclusive = path ?? null;
        break;
      case 'states':
        bid.states = path ?? null;
        break;
      case 'max_age':
        bid.maxAge = path ?? null;
        break;
      case 'accepted':
        if (path !== undefined) bid.accepted = e.test ? emitValueTest(path, e.test, env) : { path, equals: true };
        break;
      case 'reason':
        if (path !== undefined) bid.reason = path;
        break;
      case 'duplicate':
        if (path !== undefined) bid.duplicate = e.test ? emitValueTest(path, e.test, env) : { path, equals: true };
        break;
      case 'carry':
        if (path !== undefined && e.name) (bid.carry ??= []).push({ name: e.name.name, path });
        break;
      case 'rejection_words':
        if (e.words && e.words.length > 0) bid.rejectionWords = e.words.map((w) => w.value);
        break;
      default:
        break; // the checker reports unknown keys
    }
  }
  return bid;
}

export const bidClause: ClauseModule<'bid'> = {
  kind: 'bid',
  check: (ctx, _exprs, c, buyer) => checkBid(ctx, c.mapping, c.span, buyer),
  emit(c, draft, env) {
    // Kept for a ping written after it; lands in one written before.
    draft.bid = emitBidMapping(c.mapping, env);
    if (draft.plan.ping) draft.plan.ping.bid = draft.bid;
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'once' },
};
