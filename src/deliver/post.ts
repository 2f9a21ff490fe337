// Posting a sold lead to a buyer: render the payload (the buyer's template or
// the default JSON), send it, read the answer as accepted or rejected.
//
// Policy:
// - An attempt that gets no usable answer (timeout, connection error, 5xx, 429)
//   is retried up to `retries` times, waiting backoffMs, 2×, 4× … between tries.
// - When the primary endpoint is exhausted, the backup endpoint (backupPost) is
//   tried with its own retries. A rejection (the buyer said no: a 4xx, a 2xx
//   failing the accept rule, holding a rejection word, or not parsing in the
//   declared answer format) is final: no retry, no failover; so is a duplicate
//   (the buyer's `sale duplicate` rule held).
// - The answer is read by the buyer's `sale` rules (./answers.ts): its reason,
//   redirect URL, lead id and a post-time price go on the delivery record.
// - A circuit breaker guards each endpoint (per buyer: one for the post URL, one
//   for the backup): while open, the endpoint is skipped without a request.
// - The default payload is JSON: { lead, ping_id, post_id, price, exclusive, buyer }.

import { DEFAULT_POST_TIMEOUT_MS, type PlanBuyer, type PlanPost, type PlanResponseTest, type PlanSale } from '../plan/index.js';
import { failsBecause, parseAnswer, passes, priceOf, redirectOf, rejectionWordIn, textOf } from './answers.js';
import { CircuitBreaker } from './breaker.js';
import type { HttpClient, HttpResult } from './http.js';
import type { AttemptOutcome, Journal } from './journal.js';
import { sleep } from './limiter.js';
import { brief, getPath } from './paths.js';
import { isTemplatedUrl } from '../core/urls.js';
import { contentTypeOf, renderHeaders, templateKey, TemplateError, type TemplateSet } from './templates.js';
import type { DeliveryRecord, PostAttemptRecord, SaleContext } from './types.js';

export { DEFAULT_POST_TIMEOUT_MS };
/** Longest wait between two retries. */
export const MAX_BACKOFF_MS = 60_000;

export interface Verdict {
  outcome: Extract<AttemptOutcome, 'accepted' | 'rejected' | 'duplicate' | 'error' | 'timeout'>;
  /** Worth another try (and counts as a failure for the breaker). */
  failure: boolean;
  detail: string | null;
  /** What the answer said beyond yes or no (`sale reason/redirect/id/price`); absent when nothing was read. */
  answer?: SaleAnswer;
}

/** What a post's answer says besides its verdict. */
export interface SaleAnswer {
  reason: string | null;
  redirectUrl: string | null;
  buyerLeadId: string | null;
  price: number | null;
}

/** The detail of a post accepted only because its answer was a 2xx (no `accepted` rule). */
export const ASSUMED_ACCEPTED = 'assumed accepted (HTTP 2xx)';

/** How a post's answer is read: the post's own `accepted`, or the buyer's `sale`. */
export type SaleRules = PlanSale & { accepted?: PlanResponseTest };

/** The rules a post's answer is judged by: the buyer's `sale`, its accept rule
 *  the post's own when the post has one (the checker allows only one of the two). */
export function saleRulesOf(post: PlanPost, sale: PlanSale | undefined): SaleRules | null {
  if (!sale) return post.accepted ? { accepted: post.accepted } : null;
  return post.accepted ? { ...sale, accepted: post.accepted } : sale;
}

/** Read a buyer's answer to a post. */
export function judgePost(res: HttpResult, rules: SaleRules | null): Verdict {
  if (!res.ok) {
    return { outcome: res.error === 'timeout' ? 'timeout' : 'error', failure: res.error !== 'bad-url', detail: res.detail };
  }
  const s = res.status;
  if (s >= 500 || s === 429 || s === 408) return { outcome: 'error', failure: true, detail: `HTTP ${s}` };
  if (s >= 300 && s < 400) return { outcome: 'rejected', failure: false, detail: `HTTP ${s} (redirects are not followed)` };
  if (s >= 400) return { outcome: 'rejected', failure: false, detail: `HTTP ${s}` };
  // No rules at all: any 2xx is taken as a sale, and the record says so, so a
  // report can tell these apart from sales the buyer's answer confirmed.
  if (rules === null) return { outcome: 'accepted', failure: false, detail: ASSUMED_ACCEPTED };
  const parsed = parseAnswer(res.body, rules.format);
  if (!parsed.ok) return { outcome: 'rejected', failure: false, detail: parsed.reason };
  const body = parsed.value;
  const answer = saleAnswerOf(body, rules);
  const say = (detail: string) => (answer.reason === null ? detail : `${detail}: ${answer.reason}`);
  if (rules.duplicate) {
    const v = getPath(body, rules.duplicate.path);
    if (passes(v, rules.duplicate)) return { outcome: 'duplicate', failure: false, detail: say(`duplicate (${rules.duplicate.path} is ${brief(v)})`), answer };
  }
  const word = rejectionWordIn(res.body, rules.rejectionWords);
  if (word !== undefined) return { outcome: 'rejected', failure: false, detail: say(`the answer holds the rejection word ${brief(word)}`), answer };
  if (rules.accepted) {
    const v = getPath(body, rules.accepted.path);
    if (!passes(v, rules.accepted)) return { outcome: 'rejected', failure: false, detail: say(failsBecause(v, rules.accepted)), answer };
    return { outcome: 'accepted', failure: false, detail: answer.note, answer };
  }
  return { outcome: 'accepted', failure: false, detail: answer.note === null ? ASSUMED_ACCEPTED : `${ASSUMED_ACCEPTED}; ${answer.note}`, answer };
}

/** The reason, redirect, lead id and price a post's answer gives, and a note on a redirect or price that was ignored. */
function saleAnswerOf(body: unknown, rules: SaleRules): SaleAnswer & { note: string | null } {
  const notes: string[] = [];
  const redirect = rules.redirect ? redirectOf(getPath(body, rules.redirect)) : { url: null, note: null };
  if (redirect.note !== null) notes.push(redirect.note);
  let price: number | null = null;
  if (rules.price) {
    const raw = getPath(body, rules.price);
    price = priceOf(raw);
    if (price === null && raw !== undefined && raw !== null && raw !== '') notes.push(`price ${brief(raw)} is not a price; the sale price stands`);
  }
  return {
    reason: rules.reason ? textOf(getPath(body, rules.reason)) : null,
    redirectUrl: redirect.url,
    buyerLeadId: rules.id ? textOf(getPath(body, rules.id)) : null,
    price,
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}

/** Breakers by buyer and endpoint. */
export class Breakers {
  private readonly map = new Map<string, CircuitBreaker>();
  constructor(private readonly clock: () => number = Date.now) {}

  get(buyer: PlanBuyer, endpoint: 'primary' | 'backup' | 'batch'): CircuitBreaker | null {
    const cfg = buyer.delivery?.breaker;
    if (!cfg) return null;
    const key = buyer.name + '\u0000' + endpoint;
    let b = this.map.get(key);
    if (!b) this.map.set(key, (b = new CircuitBreaker(cfg.failures, cfg.cooldownMs, this.clock)));
    return b;
  }

  /** The breaker state of a buyer's endpoint ('closed' when it has none). */
  state(buyer: PlanBuyer, endpoint: 'primary' | 'backup' | 'batch' = 'primary'): string {
    return this.get(buyer, endpoint)?.state ?? 'closed';
  }
}

export interface PosterOptions {
  http: HttpClient;
  journal: Journal;
  templates: TemplateSet;
  breakers: Breakers;
  /** Aborts retries' waits (Seller.close). */
  signal?: AbortSignal;
  /** The secrets the plan reads, by name (src/deliver/secrets.ts); none by default. */
  secrets?: Readonly<Record<string, string>>;
}

/** The default post payload. */
export function defaultPostBody(sale: SaleContext): string {
  return JSON.stringify({
    lead: sale.lead,
    ping_id: sale.pingId,
    post_id: sale.postId,
    price: sale.price,
    exclusive: sale.exclusive,
    buyer: sale.buyer,
  });
}

/** What a post's templates (its body, its URL, its headers) see. */
function postContext(sale: SaleContext, secrets: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    lead: sale.lead,
    // Carried values first: `ping.id` is always the ping's own id.
    ping: sale.carried ? { ...sale.carried, id: sale.pingId ?? '' } : { id: sale.pingId ?? '' },
    post: { id: sale.postId },
    sale: { price: sale.price, buyer: sale.buyer, exclusive: sale.exclusive },
    now: new Date().toISOString(),
    secret: secrets,
  };
}

/** A post's request: its URL, its `header` options, and its body with the
 *  body's content type, or none for a GET (its values are in the URL). */
interface PostPayload {
  url: string;
  headers: Record<string, string>;
  body: { text: string; type: string } | null;
}

function renderPost(templates: TemplateSet, key: string, post: PlanPost, sale: SaleContext, secrets: Readonly<Record<string, string>>): PostPayload {
  let context: Record<string, unknown> | undefined;
  const contextOf = () => (context ??= postContext(sale, secrets));
  let url = post.url;
  if (isTemplatedUrl(post.url)) {
    const u = templates.get(templateKey.url(key));
    if (!u) throw new TemplateError('URL template was not compiled', `${sale.buyer} post URL`, 0, 0, 'compile');
    url = u.render(contextOf());
  }
  const headers = renderHeaders(templates, key, post.headers, contextOf);
  if (post.method === 'GET') return { url, headers, body: null };
  if (!post.template) return { url, headers, body: { text: defaultPostBody(sale), type: 'application/json' } };
  const t = templates.get(key);
  if (!t) throw new TemplateError('template was not compiled', post.template.name, 0, 0, 'compile');
  return { url, headers, body: { text: t.render(contextOf()), type: contentTypeOf(t.format) } };
}

/** leadroute's own post headers, then the post's `header` options (which replace one of the same name). */
function postHeaders(payload: PostPayload, postId: string): Record<string, string> {
  const own: Record<string, string> = payload.body
    ? { 'content-type': payload.body.type, 'user-agent': 'leadroute', 'idempotency-key': postId }
    : { 'user-agent': 'leadroute', 'idempotency-key': postId };
  return { ...own, ...payload.headers };
}

/** A sale's delivery record before anything is sent. */
export function newDeliveryRecord(buyer: PlanBuyer, sale: SaleContext): DeliveryRecord {
  return {
    buyer: buyer.name,
    leadId: sale.leadId,
    postId: sale.postId,
    pingId: sale.pingId,
    price: sale.price,
    exclusive: sale.exclusive,
    mode: 'post',
    status: 'failed',
    endpoint: null,
    detail: null,
    reason: null,
    redirectUrl: null,
    buyerLeadId: null,
    postPrice: null,
    attempts: [],
  };
}

/** What a post's answer said, on its delivery record; a post-time price only on a sale. */
function recordAnswer(rec: DeliveryRecord, outcome: Verdict['outcome'], answer: SaleAnswer): void {
  rec.reason = answer.reason;
  rec.redirectUrl = answer.redirectUrl;
  rec.buyerLeadId = answer.buyerLeadId;
  if (outcome === 'accepted' && answer.price !== null) {
    rec.postPrice = answer.price;
    rec.price = answer.price;
  }
}

/** Where a post stands in its buyer's policy: the endpoint, the try on it
 *  (1-based), and what each endpoint already given up on said. Plain data: a
 *  delivery queue carries it between tries (./scheduler.ts). */
export interface PostPosition {
  endpoint: 'primary' | 'backup';
  attempt: number;
  failures: string[];
}

/** The first try of a post. */
export const FIRST_TRY: PostPosition = { endpoint: 'primary', attempt: 1, failures: [] };

/** After one try: the delivery is final (its record says how), or the next
 *  try is due `waitMs` from now, at `next`. */
export type PostStep = { kind: 'final' } | { kind: 'retry'; next: PostPosition; waitMs: number };

/** The wait after failed try `attempt` (1-based): backoff, 2×, 4× …, at most MAX_BACKOFF_MS. */
export function backoffDelay(backoffMs: number, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, Math.max(0, backoffMs) * 2 ** (attempt - 1));
}

/** How many tries a post endpoint gets: its retries, plus the first. */
export function triesOf(post: PlanPost): number {
  return Math.max(0, Math.floor(post.retries)) + 1;
}

/** Tries left for a buyer's post from `from` on: the rest of that endpoint's, then the backup's. */
export function triesLeft(buyer: PlanBuyer, from: PostPosition): number {
  let left = 0;
  let counting = false;
  for (const [name, post] of endpointsOf(buyer)) {
    if (name === from.endpoint) {
      counting = true;
      left += Math.max(1, triesOf(post) - from.attempt + 1);
    } else if (counting) left += triesOf(post);
  }
  return Math.max(1, left);
}

/** One try's result: final answers, worth another try, or given up on this endpoint. */
type TryResult = 'accepted' | 'rejected' | 'duplicate' | 'retry' | 'failed';

type Endpoint = readonly ['primary' | 'backup', PlanPost, string];

export class Poster {
  constructor(private readonly o: PosterOptions) {}

  /**
   * The record of a sale to a buyer with no post endpoint (sold without HTTP),
   * at once; null when the buyer has one and `post` must run.
   */
  withoutHttp(buyer: PlanBuyer, sale: SaleContext, record?: DeliveryRecord): DeliveryRecord | null {
    if (buyer.post || buyer.backupPost) return null;
    const rec = record ?? newDeliveryRecord(buyer, sale);
    rec.status = 'none';
    rec.detail = 'no post endpoint: sold without HTTP';
    return rec;
  }

  /** Post a sold lead to the buyer's endpoint(s), retrying in process; resolves with the record (never rejects). */
  async post(buyer: PlanBuyer, sale: SaleContext, record?: DeliveryRecord): Promise<DeliveryRecord> {
    const none = this.withoutHttp(buyer, sale, record);
    if (none) return none;
    const rec = record ?? newDeliveryRecord(buyer, sale);
    const reasons: string[] = [];
    for (const endpoint of endpointsOf(buyer)) {
      const result = await this.postTo(buyer, endpoint, sale, rec);
      if (result !== 'failed') return rec;
      reasons.push(`${endpoint[0]}: ${rec.detail ?? result}`);
    }
    rec.status = 'failed';
    rec.detail = reasons.join('; ');
    return rec;
  }

  /**
   * One try at `from`, for a delivery queue that waits between tries itself:
   * the same requests, journal rows, breakers and record as `post`, whose loop
   * this is cut at its waits. An endpoint given up on fails over to the backup
   * at once, as `post` does. Never rejects.
   */
  async step(buyer: PlanBuyer, sale: SaleContext, rec: DeliveryRecord, from: PostPosition): Promise<PostStep> {
    if (this.withoutHttp(buyer, sale, rec)) return { kind: 'final' };
    const endpoints = endpointsOf(buyer);
    const failures = [...from.failures];
    let i = endpoints.findIndex(([name]) => name === from.endpoint);
    if (i < 0) {
      // The plan changed since the try before (a reload dropped the backup).
      failures.push(`${from.endpoint}: no longer in the plan`);
      i = endpoints.length;
    }
    for (let attempt = from.attempt; i < endpoints.length; i++, attempt = 1) {
      const endpoint = endpoints[i]!;
      const [name, post] = endpoint;
      const payload = this.render(buyer, endpoint, sale, rec);
      const result = payload === null ? 'failed' : await this.tryOnce(buyer, endpoint, payload, attempt, sale, rec);
      if (result === 'accepted' || result === 'rejected' || result === 'duplicate') return { kind: 'final' };
      if (result === 'retry' && attempt < triesOf(post) && !this.o.signal?.aborted) {
        return { kind: 'retry', next: { endpoint: name, attempt: attempt + 1, failures }, waitMs: backoffDelay(post.backoffMs, attempt) };
      }
      failures.push(`${name}: ${rec.detail ?? 'failed'}`);
    }
    rec.status = 'failed';
    rec.detail = failures.join('; ');
    return { kind: 'final' };
  }

  private async postTo(buyer: PlanBuyer, endpoint: Endpoint, sale: SaleContext, rec: DeliveryRecord): Promise<'accepted' | 'rejected' | 'duplicate' | 'failed'> {
    const payload = this.render(buyer, endpoint, sale, rec);
    if (payload === null) return 'failed';
    const tries = triesOf(endpoint[1]);
    const { signal } = this.o;
    for (let attempt = 1; attempt <= tries; attempt++) {
      const result = await this.tryOnce(buyer, endpoint, payload, attempt, sale, rec);
      if (result !== 'retry') return result;
      if (attempt === tries || signal?.aborted) break;
      const wait = backoffDelay(endpoint[1].backoffMs, attempt);
      if (wait > 0 && !(await sleep(wait, signal))) break;
    }
    return 'failed';
  }

  /** The endpoint's request, or null when it cannot be rendered (journalled, and said on the record). */
  private render(buyer: PlanBuyer, [endpoint, post, key]: Endpoint, sale: SaleContext, rec: DeliveryRecord): PostPayload | null {
    try {
      return renderPost(this.o.templates, key, post, sale, this.o.secrets ?? {});
    } catch (err) {
      const detail = err instanceof TemplateError ? `template: ${err.message}` : `payload: ${(err as Error).message}`;
      this.note(rec, this.o.journal, buyer.name, sale, endpoint, post.url, 1, 'error', null, detail, Date.now(), 0);
      rec.detail = detail;
      return null;
    }
  }

  /** One request to the endpoint (unless its breaker is open), journalled and read onto the record. */
  private async tryOnce(
    buyer: PlanBuyer,
    [endpoint, post]: Endpoint,
    payload: PostPayload,
    attempt: number,
    sale: SaleContext,
    rec: DeliveryRecord,
  ): Promise<TryResult> {
    const { http, journal, breakers, signal } = this.o;
    const breaker = breakers.get(buyer, endpoint);
    if (breaker && !breaker.allow()) {
      const at = breaker.retryAt;
      const detail = `circuit open${at ? ` until ${new Date(at).toISOString()}` : ''}`;
      this.note(rec, journal, buyer.name, sale, endpoint, post.url, attempt, 'skipped', null, detail, Date.now(), 0);
      rec.detail = detail;
      return 'failed';
    }
    const { body } = payload;
    const res = await http.request({
      url: payload.url,
      method: post.method ?? 'POST',
      headers: postHeaders(payload, sale.postId),
      ...(body ? { body: body.text } : {}),
      timeoutMs: post.timeoutMs > 0 ? post.timeoutMs : DEFAULT_POST_TIMEOUT_MS,
      signal,
    });
    const v = judgePost(res, saleRulesOf(post, buyer.sale));
    if (v.answer) recordAnswer(rec, v.outcome, v.answer);
    this.note(rec, journal, buyer.name, sale, endpoint, post.url, attempt, v.outcome, res.status, v.detail, res.startedAt, res.durationMs);
    rec.endpoint = endpoint;
    rec.detail = v.detail;
    if (v.outcome === 'accepted' || v.outcome === 'rejected' || v.outcome === 'duplicate') {
      breaker?.success();
      rec.status = v.outcome;
      return v.outcome;
    }
    if (v.failure) breaker?.failure();
    return v.failure ? 'retry' : 'failed';
  }

  private note(
    rec: DeliveryRecord,
    journal: Journal,
    buyer: string,
    sale: SaleContext,
    endpoint: 'primary' | 'backup',
    url: string,
    attempt: number,
    outcome: AttemptOutcome,
    status: number | null,
    detail: string | null,
    startedAt: number,
    durationMs: number,
  ): void {
    const a: PostAttemptRecord = { endpoint, url, attempt, outcome, status, detail, startedAt, durationMs };
    rec.attempts.push(a);
    journal.recordAttempt({
      leadId: sale.leadId,
      buyer,
      kind: 'post',
      url,
      startedAt,
      durationMs,
      outcome,
      status,
      detail: endpoint === 'backup' ? `backup: ${detail ?? outcome}` : detail,
      price: outcome === 'accepted' ? rec.price : null,
    });
  }
}

/** The endpoints a buyer posts to, in order: its post, then its backup. */
function endpointsOf(buyer: PlanBuyer): Endpoint[] {
  const endpoints: Endpoint[] = [];
  if (buyer.post) endpoints.push(['primary', buyer.post, templateKey.post(buyer.name)]);
  if (buyer.backupPost) endpoints.push(['backup', buyer.backupPost, templateKey.backup(buyer.name)]);
  return endpoints;
}
