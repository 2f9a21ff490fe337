// What the selling clauses (src/clauses: ping, bid, post, pixel, batch,
// breaker) share when checked: URLs must be absolute http(s) URLs (a batch may
// also go to a `file:` path), durations above zero, whole counts, and the
// reply tests of `bid` and `post`.

import type { Expr, HeaderSpec, Ident, ResponseTest, Span, StringLit, TemplateRef, ValueTest } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { HTTP_METHODS, type HttpMethod } from '../plan/index.js';
import { hasFixedHost } from '../core/urls.js';
import { hasControlCharacter, headerNameProblem, looksLikeWrittenCredential } from '../core/headers.js';
import { type CheckContext, isSpan, lineOf, listText } from './context.js';
import type { ExprChecker } from './exprs.js';
import { render } from './render.js';

// ---------------------------------------------------------------- URLs

/** An absolute http(s) URL (or, with `file`, a `file:` path). Pixel URLs may
 *  hold `{{…}}` placeholders, which are left out of the test. */
export function checkUrl(ctx: CheckContext, lit: StringLit | undefined, what: string, opts: { file?: boolean } = {}): void {
  if (!lit || typeof lit.value !== 'string') return;
  const span = isSpan(lit.span) ? lit.span : ctx.fileStart();
  const text = lit.value.trim();
  if (text === '') {
    ctx.report(opts.file ? 'LR700.emptyOrFile' : 'LR700.empty', span, what);
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
    if (opts.file && !/^[a-z]+:\/\//i.test(text) && !/^[\w.-]+\.(com|net|org|io)\b/i.test(text))
      ctx.report('LR700.notAbsoluteFile', span, what, JSON.stringify(lit.value), text);
    else ctx.report('LR700', span, what, JSON.stringify(lit.value), text.replace(/^\/+/, ''));
    return;
  }
  if (scheme === 'http' || scheme === 'https') {
    // The host is fixed text: a `{{…}}` anywhere before the path would let lead data choose where the request goes.
    if (url.hostname === '' || !hasFixedHost(text)) {
      ctx.report('LR700.fixedHost', span, what, JSON.stringify(lit.value));
    }
    return;
  }
  if (scheme === 'file' && opts.file) {
    if (text.slice('file:'.length).replace(/^\/\//, '') === '')
      ctx.report('LR700.namesFile', span, what, JSON.stringify(lit.value));
    return;
  }
  const id = opts.file ? 'LR700.batchScheme' : scheme === 'file' ? 'LR700.buyerFileScheme' : 'LR700.buyerScheme';
  ctx.report(id, span, what, scheme, url.host + (url.pathname === '/' ? '' : url.pathname));
}

// ---------------------------------------------------------------- numbers

/** A duration that must be above zero (timeouts, windows, cooldowns). */
export function positiveDuration(ctx: CheckContext, exprs: ExprChecker, e: Expr | undefined, what: string, zeroMeans: string): void {
  const ms = exprs.duration(e, what);
  if (ms !== undefined && !(ms > 0) && e) ctx.report('LR311', e.span, what, render(e), zeroMeans);
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
  if (Number.isInteger(n)) ctx.report('LR601', span, what, String(min), String(n), example);
  else ctx.report('LR601.whole', span, what, String(n), example);
}

// ---------------------------------------------------------------- replies

/** The right side of `"status" == "accepted"`: a literal. */
export function checkResponseValue(ctx: CheckContext, e: Expr): void {
  if (e.kind === 'string' || e.kind === 'number' || e.kind === 'bool' || e.kind === 'error') return;
  ctx.report('LR300.replyLiteral', e.span, render(e), e.kind === 'name' ? e.name : undefined);
}

export function checkResponseTest(ctx: CheckContext, t: ResponseTest | undefined): void {
  if (!t || typeof t !== 'object') return;
  if (t.path && typeof t.path.value === 'string' && t.path.value.trim() === '')
    ctx.report('LR703', t.path.span ?? t.span);
  if (t.test && typeof t.test === 'object') checkValueTest(ctx, t.test);
}

/** `== v` / `in [..]`: literals, at least one, and `ignoring case` only on text. */
export function checkValueTest(ctx: CheckContext, t: ValueTest): void {
  const values = Array.isArray(t.values) ? t.values : [];
  if (t.op === 'in' && values.length === 0) ctx.report('LR714.emptyIn', t.span);
  for (const v of values) {
    if (!v || typeof v !== 'object') continue;
    checkResponseValue(ctx, v);
    if (t.ignoreCase && (v.kind === 'number' || v.kind === 'bool')) ctx.report('LR714.ignoreCaseText', v.span, `\`${render(v)}\``);
  }
}

// ---------------------------------------------------------------- headers

/**
 * `header "Name" "value"` options of one ping or post: a valid name that the
 * HTTP client does not set itself, each name once (in any case), a value on
 * one line, which `checkValue` checks as a template of its request. A
 * credential header whose value holds written text rather than
 * `{{secret.NAME}}` is warned about (LR713): a rule file is not a safe.
 */
export function checkHeaders(ctx: CheckContext, headers: HeaderSpec[] | undefined, checkValue: (value: StringLit, what: string) => void): void {
  if (!Array.isArray(headers)) return;
  const seen = new Map<string, HeaderSpec>();
  for (const h of headers) {
    const name = h.name.value;
    const problem = headerNameProblem(name);
    const prev = seen.get(name.toLowerCase());
    if (problem === 'invalid') ctx.report('LR712', h.name.span, name);
    else if (problem === 'reserved') ctx.report('LR712.reserved', h.name.span, name);
    else if (prev) ctx.report('LR712.twice', h.name.span, name, lineOf(prev.name.span));
    else seen.set(name.toLowerCase(), h);
    if (hasControlCharacter(h.value.value)) {
      ctx.report('LR712.value', h.value.span, name);
      continue;
    }
    checkValue(h.value, `the header \`${name}\``);
    if (looksLikeWrittenCredential(name, h.value.value)) ctx.report('LR713.written', h.value.span, name);
  }
}

// ---------------------------------------------------------------- methods

/** The method a `ping GET "…"` or `post PUT "…"` names, upper-cased, when it is one. */
export function methodOf(method: Ident | undefined): HttpMethod | undefined {
  const m = typeof method?.name === 'string' ? method.name.toUpperCase() : undefined;
  return (HTTP_METHODS as readonly string[]).includes(m ?? '') ? (m as HttpMethod) : undefined;
}

/** A method is GET, POST or PUT (any case: LR710); a GET sends no body, so it takes no template. */
export function checkMethod(ctx: CheckContext, method: Ident | undefined, what: 'ping' | 'post', template: TemplateRef | undefined): void {
  if (!method || typeof method.name !== 'string') return;
  const m = methodOf(method);
  if (m === undefined) {
    ctx.report('LR710', method.span, method.name, didYouMean(method.name.toUpperCase(), HTTP_METHODS) ?? `a ${what} is sent with ${listText([...HTTP_METHODS])}`);
    return;
  }
  if (m === 'GET' && template) ctx.report('LR710.getWithBody', template.span ?? method.span, what);
}
