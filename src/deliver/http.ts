// HTTP to buyers over undici: one keep-alive Pool per origin, created on first
// use and reused for every ping, post and pixel after it; a hard timeout per
// request (headers and body); a cap on the response size; errors classified
// (timeout, reset, refused, ...) so callers can record a reason and decide on
// a retry. Requests go through undici's dispatch API with a handler of our own
// (Exchange) that collects the answer's bytes directly: undici's request() would
// add a response stream, an abort listener and an async resource per request,
// which cost more than the rest of sending a ping.

import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange (connect, headers, body) must finish within this. */
  timeoutMs: number;
  /** Larger responses are cut off and count as an error. Default 1 MiB. */
  maxBytes?: number;
  /** Aborting it ends the request with error 'aborted'. */
  signal?: AbortSignal;
  /**
   * A timer shared by many requests (the pings of one auction tier): it stands
   * in for the request's own timeout timer and abort signal, which cost more
   * than the rest of sending a request. When it expires the request fails with
   * 'timeout'; when it is aborted, with 'aborted'. Without one, the request gets
   * a deadline of its own, `timeoutMs` long and linked to `signal` (with one,
   * `signal` is not read: link the deadline to it instead).
   */
  deadline?: Deadline;
}

/** Something a Deadline ends: a request still waiting for its answer. */
interface Waiting {
  end(kind: 'timeout' | 'aborted'): void;
}

/**
 * One timeout for many requests: expires `ms` after it is made, and aborts
 * early when `outer` aborts or `abort()` is called. Call `cancel()` when done.
 * It keeps the requests waiting on it in a set and ends them itself, so a
 * request costs no timer, abort signal or listener of its own.
 */
export class Deadline {
  private readonly waiting = new Set<Waiting>();
  private readonly timer: NodeJS.Timeout;
  private endedAs: 'timeout' | 'aborted' | null = null;
  private readonly onOuterAbort = () => this.abort();

  constructor(
    readonly ms: number,
    private readonly outer?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.end('timeout'), Math.max(1, ms));
    if (outer?.aborted) this.abort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** True once the time ran out (not when aborted). */
  get expired(): boolean {
    return this.endedAs === 'timeout';
  }

  /** True once it expired or was aborted: requests sent on it now fail at once. */
  get ended(): boolean {
    return this.endedAs !== null;
  }

  /** End every request still waiting on it, as 'aborted'. */
  abort(): void {
    this.cancel();
    this.end('aborted');
  }

  /** Stop the timer (requests still waiting are left to their own bounds). */
  cancel(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  /** @internal A request starts waiting; false when the deadline has already ended. */
  enter(w: Waiting): boolean {
    if (this.endedAs !== null) return false;
    this.waiting.add(w);
    return true;
  }

  /** @internal A request has its answer (or failed on its own). */
  leave(w: Waiting): void {
    this.waiting.delete(w);
  }

  private end(kind: 'timeout' | 'aborted'): void {
    if (this.endedAs !== null) return;
    this.endedAs = kind;
    const ending = [...this.waiting];
    this.waiting.clear();
    for (const w of ending) w.end(kind);
  }
}

export type HttpErrorKind = 'timeout' | 'reset' | 'refused' | 'too-large' | 'aborted' | 'bad-url' | 'error';

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; body: string; startedAt: number; durationMs: number }
  | { ok: false; error: HttpErrorKind; detail: string; status: number | null; startedAt: number; durationMs: number };

export interface HttpClientOptions {
  /** Use this dispatcher for every request instead of the per-origin pools (an undici Agent, MockAgent, ...). */
  dispatcher?: Dispatcher;
  /** Connections per origin. Default 16. */
  connections?: number;
  /** Idle keep-alive. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /**
   * Applied to every answer's text (its body, and an error's detail) before
   * anyone reads it: the Seller's secret redaction, so a buyer that echoes a
   * key back hands leadroute `[secret NAME]` instead (src/deliver/secrets.ts).
   */
  redact?: (text: string) => string;
}

const DEFAULT_MAX_BYTES = 1 << 20;
const TARGET_CACHE_SIZE = 1024;
/** undici runs timeouts above 1 s on coarse shared timers. */
const BACKSTOP_MIN_MS = 1_001;

interface Target {
  origin: string;
  path: string;
}

function parseTarget(raw: string): Target | null {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return { origin: url.origin, path: url.pathname + url.search };
  } catch {
    return null;
  }
}

const msSince = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

/** Response headers as single strings (repeated headers joined with ", "). */
function flatHeaders(raw: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in raw) {
    const v = raw[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

// Reasons handed to undici when we stop an exchange ourselves, made once (an
// Error captures a stack trace); the result already says what happened.
const STOPPED_TIMEOUT = new Error('timeout');
const STOPPED_ABORTED = new Error('aborted');
const STOPPED_TOO_LARGE = new Error('answer too large');

/**
 * One request's exchange, as an undici dispatch handler: the answer's bytes are
 * collected as they come (no response stream, no promise per step), counted
 * against the size limit, and the result is handed over once, whichever comes
 * first: the answer, an error, or the end of its deadline.
 */
class Exchange implements Dispatcher.DispatchHandler, Waiting {
  private controller: Dispatcher.DispatchController | null = null;
  private status: number | null = null;
  private headers: IncomingHttpHeaders | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly deadline: Deadline,
    private readonly maxBytes: number,
    private readonly startedAt: number,
    private readonly t0: number,
    private readonly settle: (r: HttpResult) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(STOPPED_ABORTED); // ended while queued in the pool
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.settled) return; // 1xx: the real answer follows
    this.status = statusCode;
    this.headers = headers;
    const declared = headers['content-length'];
    if (typeof declared === 'string' && Number(declared) > this.maxBytes) this.tooLarge(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.tooLarge(controller);
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const body = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.finish({ ok: true, status: this.status ?? 0, headers: flatHeaders(this.headers ?? {}), body, startedAt: this.startedAt, durationMs: msSince(this.t0) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    this.fail(classify(err, this.deadline.expired, this.deadline.ended));
  }

  /** The deadline ended before the answer came. */
  end(kind: 'timeout' | 'aborted'): void {
    if (this.settled) return;
    this.fail(kind === 'timeout' ? TIMED_OUT : ABORTED);
    this.controller?.abort(kind === 'timeout' ? STOPPED_TIMEOUT : STOPPED_ABORTED);
  }

  /** The request could not be handed to undici at all. */
  refused(err: unknown): void {
    this.fail(classify(err, false, false));
  }

  /** Stop reading (undici drops the connection) and report the answer as too large. */
  private tooLarge(controller: Dispatcher.DispatchController): void {
    this.fail({ error: 'too-large', detail: `answer larger than ${this.maxBytes} bytes` });
    controller.abort(STOPPED_TOO_LARGE);
  }

  private fail(why: { error: HttpErrorKind; detail: string }): void {
    this.finish({ ok: false, error: why.error, detail: why.detail, status: this.status, startedAt: this.startedAt, durationMs: msSince(this.t0) });
  }

  private finish(result: HttpResult): void {
    this.settled = true;
    this.chunks = [];
    this.deadline.leave(this);
    this.settle(result);
  }
}

const TIMED_OUT = { error: 'timeout', detail: 'no complete answer in time' } as const;
const ABORTED = { error: 'aborted', detail: 'request aborted' } as const;

function classify(err: unknown, timedOut: boolean, aborted: boolean): { error: HttpErrorKind; detail: string } {
  if (timedOut) return TIMED_OUT;
  if (aborted) return ABORTED;
  const e = err as { code?: string; message?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return TIMED_OUT;
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_CLOSED':
      return { error: 'reset', detail: 'connection reset by the buyer' };
    case 'ECONNREFUSED':
      return { error: 'refused', detail: 'connection refused' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: 'error', detail: 'host not found' };
  }
  return { error: 'error', detail: (e.message ?? String(err)).slice(0, 200) };
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>();
  private readonly targets = new Map<string, Target | null>();
  private readonly dispatcher: Dispatcher | null;
  private readonly connections: number;
  private readonly keepAliveTimeout: number;
  private readonly redact: ((text: string) => string) | null;
  private closed = false;

  constructor(options: HttpClientOptions = {}) {
    this.dispatcher = options.dispatcher ?? null;
    this.redact = options.redact ?? null;
    this.connections = options.connections ?? 16;
    this.keepAliveTimeout = options.keepAliveTimeoutMs ?? 30_000;
  }

  /** Number of per-origin pools opened so far. */
  get poolCount(): number {
    return this.pools.size;
  }

  private dispatcherFor(origin: string): Dispatcher {
    if (this.dispatcher) return this.dispatcher;
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.connections,
        keepAliveTimeout: this.keepAliveTimeout,
        keepAliveMaxTimeout: Math.max(this.keepAliveTimeout, 60_000),
        pipelining: 1,
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** A URL's origin and path, parsed once per distinct URL (plan URLs repeat on every ping and post). */
  private target(raw: string): Target | null {
    let t = this.targets.get(raw);
    if (t === undefined) {
      t = parseTarget(raw);
      // Pixel URLs carry templated queries and need not repeat: keep the cache bounded.
      if (this.targets.size >= TARGET_CACHE_SIZE) this.targets.clear();
      this.targets.set(raw, t);
    }
    return t;
  }

  /** Send one request. Never throws: failures come back as { ok: false, error, detail }. */
  request(req: HttpRequest): Promise<HttpResult> {
    return new Promise<HttpResult>((resolve) => this.send(req, resolve));
  }

  /**
   * Send one request and hand its result to `done`, once: at once when it cannot
   * be sent, else when the answer, an error or the deadline comes. The auction's
   * pings use this form: the answer is read inside the same callback that
   * received it, with no promise and no turn of the event loop in between.
   * `done` runs inside undici's parser callback and must not throw.
   */
  send(req: HttpRequest, answered: (result: HttpResult) => void): void {
    const redact = this.redact;
    const done = redact === null ? answered : (r: HttpResult) => answered(r.ok ? { ...r, body: redact(r.body) } : { ...r, detail: redact(r.detail) });
    const startedAt = Date.now();
    const t0 = performance.now();
    const target = this.target(req.url);
    if (target === null) return done({ ok: false, error: 'bad-url', detail: 'not an http(s) URL', status: null, startedAt, durationMs: 0 });
    if (this.closed) return done({ ok: false, error: 'aborted', detail: 'client closed', status: null, startedAt, durationMs: 0 });
    if (req.deadline) return this.dispatch(req, req.deadline, target, startedAt, t0, done);
    // A request of its own gets a deadline of its own, linked to the caller's signal.
    const own = new Deadline(req.timeoutMs, req.signal);
    this.dispatch(req, own, target, startedAt, t0, (r) => {
      own.cancel();
      done(r);
    });
  }

  /** Hand the request to undici, bounded by a deadline (its own, or one shared with other requests). */
  private dispatch(req: HttpRequest, deadline: Deadline, target: Target, startedAt: number, t0: number, done: (r: HttpResult) => void): void {
    const exchange = new Exchange(deadline, req.maxBytes ?? DEFAULT_MAX_BYTES, startedAt, t0, done);
    if (!deadline.enter(exchange)) return exchange.end(deadline.expired ? 'timeout' : 'aborted');
    try {
      this.dispatcherFor(target.origin).dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: req.method,
          headers: req.headers ?? {},
          body: req.body,
          // The deadline ends the exchange; undici's own timeouts are only a backstop,
          // kept above 1 s so they run on its coarse shared timers, not one per request.
          headersTimeout: Math.max(req.timeoutMs + 50, BACKSTOP_MIN_MS),
          bodyTimeout: Math.max(req.timeoutMs + 50, BACKSTOP_MIN_MS),
        },
        exchange,
      );
    } catch (err) {
      exchange.refused(err); // invalid options or a closed pool: undici throws before sending
    }
  }

  /** Close every pool (in-flight requests finish first). */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }

  /** Close every pool now, failing in-flight requests. */
  async destroy(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
