// Selling over HTTP: `ping`, `bid`, `post`, `backup post`, `pixel` and
// `batch`. URLs must be absolute http(s) URLs (a batch may also go to a
// `file:` path); templates are checked in templates.ts; and no personal data
// (a `pii` field) may reach a ping, whether named in `fields` or read by the
// ping's template.
//
// Derived `zip3` (from the first field of type zip, else one named `zip`, as
// the runtime picks it) may be sent in a ping even when that field is `pii`:
// the first three digits name a sectional centre covering tens of thousands
// of people, coarse enough not to identify anyone (the cut HIPAA's safe
// harbour makes). The full ZIP of a pii field may not.

import type { BatchSpec, BidMapping, BuyerDecl, Expr, Ident, PingSpec, PixelSpec, PostSpec, ResponseTest, Span, StringLit } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { type CheckContext, headSpan, isSpan, lineOf, listText } from './context.js';
import type { ExprChecker } from './exprs.js';
import { render } from './render.js';
import { type TemplateChecker, type TemplateUse, zipSource } from './templates.js';

export const BID_KEYS: readonly string[] = ['price', 'id', 'exclusive', 'accepted', 'states', 'max_age'];
export const PIXEL_EVENTS: readonly string[] = ['sold', 'delivered', 'rejected', 'returned'];
export const BATCH_FORMATS: readonly string[] = ['csv', 'json'];

/** What a buyer's HTTP clauses share: whether it pings and posts. */
export interface BuyerHttp {
  name: string;
  hasPing: boolean;
  hasPost: boolean;
}

export function buyerHttp(b: BuyerDecl | undefined): BuyerHttp {
  const clauses = Array.isArray(b?.clauses) ? b.clauses : [];
  return {
    name: b?.name?.name ?? '?',
    hasPing: clauses.some((c) => c?.kind === 'ping'),
    hasPost: clauses.some((c) => c?.kind === 'post' && !c.backup),
  };
}

// ---------------------------------------------------------------- URLs

/** An absolute http(s) URL (or, with `file`, a `file:` path). Pixel URLs may
 *  hold `{{…}}` placeholders, which are left out of the test. */
export function checkUrl(ctx: CheckContext, lit: StringLit | undefined, what: string, opts: { file?: boolean } = {}): void {
  if (!lit || typeof lit.value !== 'string') return;
  const span = isSpan(lit.span) ? lit.span : ctx.fileStart();
  const text = lit.value.trim();
  if (text === '') {
    ctx.report('LR700', span, `${what} is empty`, opts.file ? 'write `"https://…"` or `"file:out/batch.csv"`' : 'write `"https://…"`');
    return;
  }
  const probe = text.replace(/\{\{\{?[^}]*\}?\}\}/g, 'x');
  let url: URL | undefined;
  try {
    url = new URL(probe);
  } catch {
    url = undefined;
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (!url || scheme === undefined) {
    const help =
      opts.file && !/^[a-z]+:\/\//i.test(text) && !/^[\w.-]+\.(com|net|org|io)\b/i.test(text)
        ? `to write a file, say so: \`"file:${text}"\``
        : `write it in full, e.g. \`"https://${text.replace(/^\/+/, '')}"\``;
    ctx.report('LR700', span, `${what} \`${JSON.stringify(lit.value)}\` is not an absolute URL`, help);
    return;
  }
  if (scheme === 'http' || scheme === 'https') {
    if (url.hostname === '' || url.hostname === 'x' && /^https?:\/\/\{\{/.test(text)) {
      ctx.report('LR700', span, `${what} \`${JSON.stringify(lit.value)}\` has no fixed host`, 'name the host; only the path and query may hold `{{…}}`');
    }
    return;
  }
  if (scheme === 'file' && opts.file) {
    if (text.slice('file:'.length).replace(/^\/\//, '') === '')
      ctx.report('LR700', span, `${what} \`${JSON.stringify(lit.value)}\` names no file`, 'write e.g. `"file:out/batch.csv"`');
    return;
  }
  ctx.report(
    'LR700',
    span,
    `${what} uses \`${scheme}:\`; ${opts.file ? 'a batch goes to an http(s) URL or a `file:` path' : 'buyers are reached over `http:` or `https:`'}`,
    scheme === 'file' ? 'only a `batch` may write to a file' : `write \`"https://${url.host}${url.pathname === '/' ? '' : url.pathname}…"\``,
  );
}

// ---------------------------------------------------------------- numbers

/** A duration that must be above zero (timeouts, windows, cooldowns). */
export function positiveDuration(ctx: CheckContext, exprs: ExprChecker, e: Expr | undefined, what: string, zeroMeans: string): void {
  const ms = exprs.duration(e, what);
  if (ms !== undefined && !(ms > 0) && e) ctx.report('LR311', e.span, `${what} of ${render(e)} ${zeroMeans}`, 'give it a length above zero');
}

export function wholeCount(
  ctx: CheckContext,
  n: number | undefined,
  span: Span,
  what: string,
  min: number,
  example: string,
): void {
  if (typeof n !== 'number') return;
  if (Number.isInteger(n) && n >= min) return;
  ctx.report(
    'LR601',
    span,
    Number.isInteger(n) ? `${what} must be at least ${min}, not ${n}` : `${what} is a whole number, not ${n}`,
    `write e.g. \`${example}\``,
  );
}

// ---------------------------------------------------------------- ping

export function checkPing(
  ctx: CheckContext,
  exprs: ExprChecker,
  templates: TemplateChecker,
  ping: PingSpec | undefined,
  buyer: BuyerHttp,
): void {
  if (!ping || typeof ping !== 'object') return;
  checkUrl(ctx, ping.url, 'the ping URL');
  if (ping.timeout) positiveDuration(ctx, exprs, ping.timeout, 'a ping timeout', 'lets no reply arrive');
  if (Array.isArray(ping.fields)) checkPingFields(ctx, ping.fields);
  if (ping.template) templates.file(ping.template, { kind: 'ping', hasPing: true, hasPost: buyer.hasPost });
}

/** `fields a, b, zip3`: known fields, none twice, none personal. */
function checkPingFields(ctx: CheckContext, fields: Ident[]): void {
  const seen = new Map<string, Ident>();
  for (const f of fields) {
    if (!f || typeof f.name !== 'string' || f.name === '') continue;
    const prev = seen.get(f.name);
    if (prev) {
      ctx.report('LR214', f.span, `\`${f.name}\` is already in this \`fields\` list`, 'list each field once');
      continue;
    }
    seen.set(f.name, f);
    const field = ctx.fields.get(f.name);
    if (!field) {
      if (f.name === 'zip3') {
        if (zipSource(ctx) === undefined && ctx.fieldsKnown)
          ctx.report(
            'LR200',
            f.span,
            '`zip3` is derived from a ZIP code field, and the lead has none',
            'declare `zip: zip`, or drop `zip3`',
          );
        continue;
      }
      if (!ctx.fieldsKnown) continue;
      ctx.report('LR200', f.span, `unknown field \`${f.name}\``, didYouMean(f.name, [...ctx.fields.keys(), ...(zipSource(ctx) !== undefined ? ['zip3'] : [])]));
      continue;
    }
    if (field.pii) {
      ctx.report(
        'LR708',
        f.span,
        `the ping would send \`${f.name}\`, which is personal data (it is marked \`pii\`)`,
        field.type.kind === 'zip' || f.name === 'zip'
          ? 'pings carry no personal data; send `zip3` in the ping and the full ZIP in the post'
          : 'pings carry no personal data; send it in the post',
      );
    }
  }
}

// ---------------------------------------------------------------- bid

export function checkBid(ctx: CheckContext, mapping: BidMapping | undefined, clauseSpan: Span, buyer: BuyerHttp): void {
  if (!mapping || typeof mapping !== 'object') return;
  if (!buyer.hasPing) {
    ctx.report(
      'LR701',
      headSpan(clauseSpan, 'bid'.length),
      `buyer \`${buyer.name}\` reads bids, but has no \`ping\` to ask for them`,
      'add `ping "https://…"`, or drop `bid`',
    );
  }
  const entries = Array.isArray(mapping.entries) ? mapping.entries.filter((e) => !!e && typeof e === 'object') : [];
  const seen = new Map<string, Span>();
  for (const e of entries) {
    const key = e.key?.name;
    if (typeof key !== 'string' || key === '') continue;
    const keySpan = isSpan(e.key.span) ? e.key.span : e.span;
    if (!BID_KEYS.includes(key)) {
      ctx.report(
        'LR212',
        keySpan,
        `unknown bid key \`${key}\``,
        didYouMean(key, BID_KEYS) ?? `the keys are ${listText(BID_KEYS.map((k) => `\`${k}\``))}`,
      );
      continue;
    }
    const prev = seen.get(key);
    if (prev) {
      ctx.report('LR703', keySpan, `the bid mapping already has \`${key}\` at ${lineOf(prev)}`, 'keep one');
      continue;
    }
    seen.set(key, keySpan);
    if (e.path && typeof e.path.value === 'string' && e.path.value.trim() === '')
      ctx.report('LR703', e.path.span ?? e.span, `the bid mapping's \`${key}\` has an empty path`, 'name where in the reply it is, e.g. `"bid.amount"`');
    if (key === 'accepted') {
      if (e.equals) checkResponseValue(ctx, e.equals);
      else
        ctx.report(
          'LR703',
          e.span ?? keySpan,
          '`accepted` needs the value that means a bid',
          `write e.g. \`accepted ${JSON.stringify(e.path?.value ?? 'status')} == "accepted"\``,
        );
    } else if (e.equals) {
      ctx.report(
        'LR703',
        e.equals.span ?? e.span,
        `only \`accepted\` compares the reply with a value; \`${key}\` names where a value is`,
        `write \`${key} ${JSON.stringify(e.path?.value ?? '')}\``,
      );
    }
  }
  if (entries.length > 0 && !seen.has('price') && !entries.some((e) => e.key?.name === 'price')) {
    ctx.report(
      'LR703',
      headSpan(clauseSpan, 'bid'.length),
      'the bid mapping has no `price`: where in the reply the bid amount is',
      'add e.g. `price "bid.amount"`',
    );
  }
}

/** The right side of `"status" == "accepted"`: a literal. */
function checkResponseValue(ctx: CheckContext, e: Expr): void {
  if (e.kind === 'string' || e.kind === 'number' || e.kind === 'bool' || e.kind === 'error') return;
  ctx.report(
    'LR300',
    e.span,
    `a reply is compared with a literal (a string, number or true/false), not \`${render(e)}\``,
    e.kind === 'name' ? `quote it: \`"${e.name}"\`` : undefined,
  );
}

function checkResponseTest(ctx: CheckContext, t: ResponseTest | undefined): void {
  if (!t || typeof t !== 'object') return;
  if (t.path && typeof t.path.value === 'string' && t.path.value.trim() === '')
    ctx.report('LR703', t.path.span ?? t.span, 'the reply test has an empty path', 'name where in the reply the value is, e.g. `"status"`');
  if (t.equals) checkResponseValue(ctx, t.equals);
}

// ---------------------------------------------------------------- post

export function checkPost(
  ctx: CheckContext,
  exprs: ExprChecker,
  templates: TemplateChecker,
  post: PostSpec | undefined,
  backup: boolean,
  buyer: BuyerHttp,
): void {
  if (!post || typeof post !== 'object') return;
  const what = backup ? 'the backup post URL' : 'the post URL';
  checkUrl(ctx, post.url, what);
  if (post.timeout) positiveDuration(ctx, exprs, post.timeout, 'a post timeout', 'lets no reply arrive');
  if (post.backoff) exprs.duration(post.backoff, '`backoff`');
  if (typeof post.retries === 'number') wholeCount(ctx, post.retries, post.span, '`retry`', 0, 'retry 2');
  if (post.accepted) checkResponseTest(ctx, post.accepted);
  if (post.template) templates.file(post.template, { kind: 'post', hasPing: buyer.hasPing, hasPost: true });
}

// ---------------------------------------------------------------- pixel

export function checkPixel(
  ctx: CheckContext,
  exprs: ExprChecker,
  templates: TemplateChecker,
  pixel: PixelSpec | undefined,
  buyer: BuyerHttp,
): void {
  if (!pixel || typeof pixel !== 'object') return;
  checkUrl(ctx, pixel.url, 'the pixel URL');
  const use: TemplateUse = { kind: 'pixel', hasPing: buyer.hasPing, hasPost: buyer.hasPost };
  templates.inline(pixel.url, use, 'the pixel URL');
  for (const ev of Array.isArray(pixel.on) ? pixel.on : []) {
    if (!ev || typeof ev.name !== 'string' || ev.name === '') continue;
    if (!PIXEL_EVENTS.includes(ev.name)) {
      ctx.report(
        'LR212',
        ev.span,
        `unknown pixel event \`${ev.name}\``,
        didYouMean(ev.name, PIXEL_EVENTS) ?? `the events are ${listText(PIXEL_EVENTS.map((k) => `\`${k}\``))}`,
      );
    }
  }
  if (pixel.condition) exprs.condition(pixel.condition, 'the pixel condition');
}

// ---------------------------------------------------------------- batch

export function checkBatch(ctx: CheckContext, exprs: ExprChecker, batch: BatchSpec | undefined): void {
  if (!batch || typeof batch !== 'object') return;
  const span = isSpan(batch.span) ? batch.span : ctx.fileStart();
  if (typeof batch.count === 'number') wholeCount(ctx, batch.count, headSpan(span, 'batch'.length), 'a batch size', 1, 'batch 100');
  if (batch.every) positiveDuration(ctx, exprs, batch.every, 'a batch interval', 'would send every lead at once');
  const format = batch.format?.name;
  if (typeof format === 'string' && format !== '' && !BATCH_FORMATS.includes(format)) {
    ctx.report(
      'LR212',
      batch.format.span ?? span,
      `unknown batch format \`${format}\``,
      didYouMean(format, BATCH_FORMATS) ?? 'a batch is `csv` or `json`',
    );
  }
  checkUrl(ctx, batch.to, 'the batch destination', { file: true });
}
