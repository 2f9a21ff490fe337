// HTTP to buyers over undici: one keep-alive Pool per origin, created on first
// use and reused for every ping, post and pixel after it; a hard timeout per
// request (headers and body); a cap on the response size; errors classified
// (timeout, reset, refused, ...) so callers can record a reason and decide on
// a retry.

import { setMaxListeners } from 'node:events';
import { Pool, type Dispatcher } from 'undici';

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
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

// Abort reasons for deadlines, made once: an Error per abort would capture a
// stack trace each time, and callers tell the two apart by Deadline.expired.
const DEADLINE_EXPIRED = new Error('timeout');
const DEADLINE_ABORTED = new Error('aborted');

/**
 * One timeout for many requests: expires `ms` after it is made, and aborts
 * early when `outer` aborts or `abort()` is called. Call `cancel()` when done.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private expiredAt: number | null = null;
  private readonly onOuterAbort = () => this.abort();

  constructor(
    readonly ms: number,
    private readonly outer?: AbortSignal,
  ) {
    setMaxListeners(0, this.controller.signal); // every request sharing it listens
    this.timer = setTimeout(() => {
      this.expiredAt = performance.now();
      this.controller.abort(DEADLINE_EXPIRED);
    }, Math.max(1, ms));
    if (outer?.aborted) this.abort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the time ran out (not when aborted). */
  get expired(): boolean {
    return this.expiredAt !== null;
  }

  /** End every request still waiting on it, as 'aborted'. */
  abort(): void {
    this.cancel();
    if (!this.controller.signal.aborted) this.controller.abort(DEADLINE_ABORTED);
  }

  /** Stop the timer (requests still waiting are left to their own bounds). */
  cancel(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
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

type Answer = Dispatcher.ResponseData;

/**
 * The answer's body as text, or null when it is larger than `max` bytes. A
 * declared length within the limit is read in one go (undici fails a body that
 * overruns its content-length); otherwise the bytes are counted as they come.
 */
async function readBody(res: Answer, max: number): Promise<string | null> {
  const declared = res.headers['content-length'];
  const length = typeof declared === 'string' ? Number(declared) : NaN;
  if (Number.isFinite(length)) {
    if (length > max) {
      discard(res);
      return null;
    }
    return res.body.text();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) {
      discard(res);
      return null;
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Stop reading an answer (its connection is dropped); the abort it reports is expected. */
function discard(res: Answer): void {
  res.body.on('error', () => undefined);
  res.body.destroy();
}

const msSince = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

/** Read an answer into an HttpResult (too large: an error). */
async function answerOf(res: Answer, maxBytes: number | undefined, startedAt: number, t0: number): Promise<HttpResult> {
  const max = maxBytes ?? DEFAULT_MAX_BYTES;
  const body = await readBody(res, max);
  const status = res.statusCode;
  if (body === null) return { ok: false, error: 'too-large', detail: `answer larger than ${max} bytes`, status, startedAt, durationMs: msSince(t0) };
  return { ok: true, status, headers: flatHeaders(res.headers), body, startedAt, durationMs: msSince(t0) };
}

/** Response headers as single strings (repeated headers joined with ", "). */
function flatHeaders(raw: Answer['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in raw) {
    const v = raw[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function classify(err: unknown, timedOut: boolean, aborted: boolean): { error: HttpErrorKind; detail: string } {
  if (timedOut) return { error: 'timeout', detail: 'no complete answer in time' };
  if (aborted) return { error: 'aborted', detail: 'request aborted' };
  const e = err as { code?: string; message?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { error: 'timeout', detail: 'no complete answer in time' };
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
  private closed = false;

  constructor(options: HttpClientOptions = {}) {
    this.dispatcher = options.dispatcher ?? null;
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
    const startedAt = Date.now();
    const t0 = performance.now();
    const target = this.target(req.url);
    if (target === null) return Promise.resolve({ ok: false, error: 'bad-url', detail: 'not an http(s) URL', status: null, startedAt, durationMs: 0 });
    if (this.closed) return Promise.resolve({ ok: false, error: 'aborted', detail: 'client closed', status: null, startedAt, durationMs: 0 });
    if (req.deadline) return this.requestBefore(req, req.deadline, target, startedAt, t0);
    return this.requestAlone(req, target, startedAt, t0);
  }

  /** A request with a deadline of its own (linked to the caller's signal). */
  private async requestAlone(req: HttpRequest, target: Target, startedAt: number, t0: number): Promise<HttpResult> {
    const own = new Deadline(req.timeoutMs, req.signal);
    try {
      return await this.requestBefore(req, own, target, startedAt, t0);
    } finally {
      own.cancel();
    }
  }

  /** A request bounded by a deadline: its own, or one shared with other requests. */
  private async requestBefore(req: HttpRequest, deadline: Deadline, target: Target, startedAt: number, t0: number): Promise<HttpResult> {
    let status: number | null = null;
    try {
      const res = await this.dispatcherFor(target.origin).request({
        origin: target.origin,
        path: target.path,
        method: req.method,
        headers: req.headers ?? {},
        body: req.body,
        signal: deadline.signal,
        // The deadline ends the exchange; undici's own timeouts are only a backstop,
        // kept above 1 s so they run on its coarse shared timers, not one per request.
        headersTimeout: Math.max(req.timeoutMs + 50, BACKSTOP_MIN_MS),
        bodyTimeout: Math.max(req.timeoutMs + 50, BACKSTOP_MIN_MS),
      });
      status = res.statusCode;
      return await answerOf(res, req.maxBytes, startedAt, t0);
    } catch (err) {
      const { error, detail } = classify(err, deadline.expired, deadline.signal.aborted);
      return { ok: false, error, detail, status, startedAt, durationMs: msSince(t0) };
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
