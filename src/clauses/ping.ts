// `ping "https://…" [timeout 2s] [fields a, b, zip3] [template "…"]`: ask the
// buyer for a bid before selling (src/auction). No personal data (a `pii`
// field) may reach a ping, named in `fields` or read by its template.
//
// Derived `zip3` (from the first field of type zip, else one named `zip`, as
// the runtime picks it) may be sent in a ping even when that field is `pii`:
// the first three digits name a sectional centre covering tens of thousands
// of people, coarse enough not to identify anyone (the cut HIPAA's safe
// harbour makes). The full ZIP of a pii field may not.

import type { Ident } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import type { CheckContext } from '../check/context.js';
import { checkHeaders, checkMethod, checkUrl, methodOf, positiveDuration } from '../check/http.js';
import { zipSource } from '../check/templates.js';
import { DEFAULT_PING_TIMEOUT_MS, type PlanPing } from '../plan/index.js';
import { durationMs, emitHeaders, loadsNothing, type ClauseModule } from './types.js';

/** The bid mapping of a ping without `bid`: the reply's `price`. */
export const defaultBid = (): PlanPing['bid'] => ({ accepted: null, price: 'price', id: null, exclusive: null, states: null, maxAge: null });

/** `fields a, b, zip3`: known fields, none twice, none personal. */
function checkPingFields(ctx: CheckContext, fields: Ident[]): void {
  const seen = new Map<string, Ident>();
  for (const f of fields) {
    if (!f || typeof f.name !== 'string' || f.name === '') continue;
    const prev = seen.get(f.name);
    if (prev) {
      ctx.report('LR214', f.span, f.name);
      continue;
    }
    seen.set(f.name, f);
    const field = ctx.fields.get(f.name);
    if (!field) {
      if (f.name === 'zip3') {
        if (zipSource(ctx) === undefined && ctx.fieldsKnown)
          ctx.report('LR200.zip3Derived', f.span);
        continue;
      }
      if (!ctx.fieldsKnown) continue;
      ctx.report('LR200', f.span, f.name, didYouMean(f.name, [...ctx.fields.keys(), ...(zipSource(ctx) !== undefined ? ['zip3'] : [])]));
      continue;
    }
    if (field.pii) {
      ctx.report(field.type.kind === 'zip' || f.name === 'zip' ? 'LR708.pingZip' : 'LR708.pingField', f.span, f.name);
    }
  }
}

export const pingClause: ClauseModule<'ping'> = {
  kind: 'ping',
  check(ctx, exprs, c, buyer) {
    const ping = c.ping;
    if (!ping || typeof ping !== 'object') return;
    checkUrl(ctx, ping.url, 'the ping URL');
    checkMethod(ctx, ping.method, 'ping', ping.template);
    // `{{…}}` in the path or query: checked as a ping template (no personal data).
    const use = { kind: 'ping', hasPing: true, hasPost: buyer.hasPost } as const;
    buyer.templates.inline(ping.url, use, 'the ping URL');
    // Header values are templates of the ping too: no personal data, secrets allowed.
    checkHeaders(ctx, ping.headers, (value, what) => buyer.templates.inline(value, use, `${what} of the ping`));
    if (ping.timeout) positiveDuration(ctx, exprs, ping.timeout, 'a ping timeout', 'lets no reply arrive');
    if (Array.isArray(ping.fields)) checkPingFields(ctx, ping.fields);
    if (ping.template) buyer.templates.file(ping.template, use);
  },
  emit(c, draft, env) {
    const p = c.ping;
    const method = methodOf(p.method);
    draft.plan.ping = {
      ...(method && method !== 'POST' ? { method } : {}),
      url: p.url.value,
      timeoutMs: p.timeout ? durationMs(p.timeout) : DEFAULT_PING_TIMEOUT_MS,
      fields: p.fields ? p.fields.map((f) => f.name) : null,
      template: env.template(p.template),
      ...emitHeaders(p.headers),
      bid: draft.bid ?? defaultBid(), // a `bid` written before the ping
    };
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'once', onceHelp: 'a buyer is pinged at one URL' },
};
