// HTTP to buyers over undici: one keep-alive Pool per origin, created on first
// use and reused for every ping, post and pixel after it; a hard timeout per
// request (headers and body); a cap on the response size; errors classified
// (timeout, reset, refused, ...) so callers can record a reason and decide on
// a retry.

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

  /** Send one request. Never throws: failures come back as { ok: false, error, detail }. */
  async request(req: HttpRequest): Promise<HttpResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const elapsed = () => Math.round((performance.now() - t0) * 100) / 100;
    let url: URL;
    try {
      url = new URL(req.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      return { ok: false, error: 'bad-url', detail: 'not an http(s) URL', status: null, startedAt, durationMs: 0 };
    }
    if (this.closed) return { ok: false, error: 'aborted', detail: 'client closed', status: null, startedAt, durationMs: 0 };

    const ac = new AbortController();
    let timedOut = false;
    let aborted = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        ac.abort(new Error('timeout'));
      },
      Math.max(1, req.timeoutMs),
    );
    const onAbort = () => {
      aborted = true;
      ac.abort(new Error('aborted'));
    };
    if (req.signal) {
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener('abort', onAbort, { once: true });
    }
    let status: number | null = null;
    try {
      const res = await this.dispatcherFor(url.origin).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.method,
        headers: req.headers ?? {},
        body: req.body,
        signal: ac.signal,
        headersTimeout: req.timeoutMs + 50,
        bodyTimeout: req.timeoutMs + 50,
      });
      status = res.statusCode;
      const max = req.maxBytes ?? DEFAULT_MAX_BYTES;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > max) {
          res.body.destroy();
          return { ok: false, error: 'too-large', detail: `answer larger than ${max} bytes`, status, startedAt, durationMs: elapsed() };
        }
        chunks.push(b);
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return { ok: true, status, headers, body: Buffer.concat(chunks).toString('utf8'), startedAt, durationMs: elapsed() };
    } catch (err) {
      const { error, detail } = classify(err, timedOut, aborted);
      return { ok: false, error, detail, status, startedAt, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
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
