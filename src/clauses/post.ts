// `post "https://…" [timeout 5s] [retry 2 backoff 1s] [accepted "…" == … | in […] [ignoring case]]
// [template "…"]` and `backup post "…"` (one construct: the backup is the
// failover endpoint): where a sold lead is delivered (src/deliver).

import type { BuyerClause, PostSpec } from '../lang/ast.js';
import { headSpan } from '../check/context.js';
import { checkHeaders, checkMethod, checkResponseTest, checkUrl, methodOf, positiveDuration, wholeCount } from '../check/http.js';
import { DEFAULT_POST_TIMEOUT_MS, type PlanPost } from '../plan/index.js';
import { carriedNames, emitValueTest } from './answer-mapping.js';
import { saleAccepts } from './sale.js';
import { durationMs, emitHeaders, loadsNothing, type BuyerEmitEnv, type ClauseModule } from './types.js';

/** The backoff between retries when none is given. */
const DEFAULT_BACKOFF_MS = 1000;

function emitPost(p: PostSpec, env: BuyerEmitEnv): PlanPost {
  const method = methodOf(p.method);
  return {
    ...(method && method !== 'POST' ? { method } : {}),
    url: p.url.value,
    timeoutMs: p.timeout ? durationMs(p.timeout) : DEFAULT_POST_TIMEOUT_MS,
    retries: p.retries ?? 0,
    backoffMs: p.backoff ? durationMs(p.backoff) : DEFAULT_BACKOFF_MS,
    template: env.template(p.template),
    accepted: p.accepted ? emitValueTest(p.accepted.path.value, p.accepted.test, env) : null,
    ...emitHeaders(p.headers),
  };
}

/** Whether anything judges a buyer's post answers: an `accepted` on a post or in `sale`. */
function hasAcceptRule(clauses: readonly BuyerClause[]): boolean {
  return saleAccepts(clauses) || clauses.some((c) => c.kind === 'post' && c.post?.accepted !== undefined);
}

export const postClause: ClauseModule<'post'> = {
  kind: 'post',
  check(ctx, exprs, c, buyer) {
    const post = c.post;
    if (post && typeof post === 'object') {
      const use = { kind: 'post', hasPing: buyer.hasPing, hasPost: true, carried: carriedNames(buyer.clauses) } as const;
      checkUrl(ctx, post.url, c.backup ? 'the backup post URL' : 'the post URL');
      checkMethod(ctx, post.method, 'post', post.template);
      const what = c.backup ? 'the backup post' : 'the post';
      buyer.templates.inline(post.url, use, `${what} URL`);
      checkHeaders(ctx, post.headers, (value, header) => buyer.templates.inline(value, use, `${header} of ${what}`));
      if (post.timeout) positiveDuration(ctx, exprs, post.timeout, 'a post timeout', 'lets no reply arrive');
      if (post.backoff) exprs.duration(post.backoff, '`backoff`');
      if (typeof post.retries === 'number') wholeCount(ctx, post.retries, post.span, '`retry`', 0, 'retry 2');
      if (post.accepted) checkResponseTest(ctx, post.accepted);
      if (post.template) buyer.templates.file(post.template, use);
      // Reported once, at the buyer's post: a buyer none of whose answers is judged
      // (no `accepted` on a post or a backup post, none in `sale`).
      if (!c.backup && buyer.isFirst(c) && !hasAcceptRule(buyer.clauses)) ctx.report('LR711', headSpan(c.span, 'post'.length));
    }
    if (c.backup && !buyer.hasPost)
      ctx.report('LR709', headSpan(c.span, 'backup post'.length), buyer.name);
  },
  emit(c, draft, env) {
    if (c.backup) draft.plan.backupPost = emitPost(c.post, env);
    else draft.plan.post = emitPost(c.post, env);
  },
  load: loadsNothing,
  refusal: null,
  // Once each: a `post` and a `backup post` (index.ts counts them apart).
  traits: { canRefuse: false, selling: true, perBuyer: 'once', onceHelp: 'a buyer has one post; add `backup post "…"` for a failover endpoint' },
};
