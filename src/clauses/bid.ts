// `bid { price "bid.amount", id "…", accepted "status" == "ok", … }`: where
// in a ping's reply the bid is. It has no meaning without a `ping` (LR701).

import type { BidMapping, Span } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { type CheckContext, headSpan, isSpan, lineOf, listText } from '../check/context.js';
import { checkResponseValue } from '../check/http.js';
import type { PlanPing } from '../plan/index.js';
import { defaultBid } from './ping.js';
import { literalValue, loadsNothing, type BuyerCheckEnv, type BuyerEmitEnv, type ClauseModule } from './types.js';

export const BID_KEYS: readonly string[] = ['price', 'id', 'exclusive', 'accepted', 'states', 'max_age'];

function checkBid(ctx: CheckContext, mapping: BidMapping | undefined, clauseSpan: Span, buyer: BuyerCheckEnv): void {
  if (!mapping || typeof mapping !== 'object') return;
  if (!buyer.hasPing) {
    ctx.report('LR701', headSpan(clauseSpan, 'bid'.length), buyer.name);
  }
  const entries = Array.isArray(mapping.entries) ? mapping.entries.filter((e) => !!e && typeof e === 'object') : [];
  const seen = new Map<string, Span>();
  for (const e of entries) {
    const key = e.key?.name;
    if (typeof key !== 'string' || key === '') continue;
    const keySpan = isSpan(e.key.span) ? e.key.span : e.span;
    if (!BID_KEYS.includes(key)) {
      const best = didYouMean(key, BID_KEYS);
      if (best !== undefined) ctx.report('LR212.bidKey', keySpan, key, best);
      else ctx.report('LR212.bidKeyList', keySpan, key, listText(BID_KEYS.map((k) => `\`${k}\``)));
      continue;
    }
    const prev = seen.get(key);
    if (prev) {
      ctx.report('LR703.bidKeyTwice', keySpan, key, lineOf(prev));
      continue;
    }
    seen.set(key, keySpan);
    if (e.path && typeof e.path.value === 'string' && e.path.value.trim() === '')
      ctx.report('LR703.bidPathEmpty', e.path.span ?? e.span, key);
    if (key === 'accepted') {
      if (e.equals) checkResponseValue(ctx, e.equals);
      else
        ctx.report('LR703.acceptedValue', e.span ?? keySpan, JSON.stringify(e.path?.value ?? 'status'));
    } else if (e.equals) {
      ctx.report('LR703.onlyAccepted', e.equals.span ?? e.span, key, JSON.stringify(e.path?.value ?? ''));
    }
  }
  if (entries.length > 0 && !seen.has('price') && !entries.some((e) => e.key?.name === 'price')) {
    ctx.report('LR703.noPrice', headSpan(clauseSpan, 'bid'.length));
  }
}

function emitBidMapping(m: BidMapping, env: BuyerEmitEnv): PlanPing['bid'] {
  const bid = defaultBid();
  for (const e of m.entries) {
    switch (e.key.name) {
      case 'price':
        bid.price = e.path.value;
        break;
      case 'id':
        bid.id = e.path.value;
        break;
      case 'exclusive':
        bid.exclusive = e.path.value;
        break;
      case 'states':
        bid.states = e.path.value;
        break;
      case 'max_age':
        bid.maxAge = e.path.value;
        break;
      case 'accepted':
        bid.accepted = { path: e.path.value, equals: literalValue(e.equals, env) };
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
