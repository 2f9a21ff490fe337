// Length (about 630 lines): one server's request handling (each endpoint's
// answers, faults, latency and recording) in one place; its public shapes are in types.ts.
// Mock lead buyers: one real node:http server per buyer on 127.0.0.1, each
// answering like a typical buyer API.
//
//   POST /ping   {"state":"CA","zip3":"945",...}
//     → 200 {"status":"accepted","bid":{"amount":42.5,"currency":"USD"},"ping_id":"sun-1k2j3","exclusive":false,"expires_in":300}
//     → 200 {"status":"rejected","reason":"no_demand","ping_id":"sun-…"}
//   POST /post   the full lead (JSON or form)
//     → 200 {"result":"success","lead_id":"sun-L-…"}
//     → 200 {"result":"rejected","reason":"duplicate"}
//   GET  /pixel?… → 200, a 1×1 GIF
//
// Those are the default answers; a buyer's `bid.answer` and `post.answer` say
// otherwise (XML, form, text; other paths and status words; prices as text:
// answers.ts), and `requireHeader` makes pings and posts without a header 401s.
//
// Latency, bids, rejections and faults (500s, hangs, garbage, resets) follow
// the buyer's configuration, drawn from a generator seeded by the run's seed,
// the buyer, the endpoint and the request's content (less volatile keys such
// as ping_id and timestamps) and how many identical requests came before: the
// same requests get the same answers whatever order they arrive in.
//
// Every request is counted; the last `keep` are kept with their bodies.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FaultRates, MockBuyerConfig, MockBuyersConfig } from './config.js';
import { validateMockConfig } from './config.js';
import { hash53, Rng, sample, type Distribution } from './distributions.js';
import { price, renderAnswer, resolvePingAnswer, resolvePostAnswer, type AnswerFields, type ResolvedPingAnswer, type ResolvedPostAnswer } from './answers.js';

export const MOCK_HOST = '127.0.0.1';
const MAX_BODY = 1 << 20;
/** A bid's price when `bid.price` is not set. */
export const DEFAULT_PRICE: Distribution = { dist: 'uniform', min: 10, max: 50 };
/** Rejection reasons when `post.reasons` is not set. */
export const DEFAULT_REASONS = ['duplicate', 'out_of_area', 'invalid_phone', 'cap_reached'];
/** Keys left out of a request's content when seeding its answer: they differ on every request. */
const VOLATILE_KEYS = new Set(['ping_id', 'post_id', 'request_id', 'received_at', 'sent_at', 'timestamp', 'now']);
/** Pings remembered per buyer (for posts that quote a ping_id). */
const MAX_PINGS_REMEMBERED = 100_000;
/** Service times kept per buyer and endpoint for percentiles. */
const MAX_SAMPLES = 50_000;

import { MockBuyersError, type Endpoint, type MockOutcome, type RecordedRequest, type LatencySummary, type MockBuyerStats, type MockBuyers } from './types.js';

export { MockBuyersError, type Endpoint, type MockOutcome, type RecordedRequest, type LatencySummary, type MockBuyerStats, type MockBuyersStats, type MockBuyerAddress, type MockBuyers } from './types.js';

// ------------------------------------------------------------------ helpers

class Samples {
  private readonly values = new Float64Array(MAX_SAMPLES);
  private n = 0;
  add(v: number): void {
    this.values[this.n % MAX_SAMPLES] = v;
    this.n++;
  }
  summary(): LatencySummary {
    const len = Math.min(this.n, MAX_SAMPLES);
    if (len === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    const s = Array.from(this.values.subarray(0, len)).sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(len - 1, Math.max(0, Math.ceil(p * len) - 1))]!;
    return { count: this.n, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[len - 1]! };
  }
  clear(): void {
    this.n = 0;
  }
}

const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const PHONE_RE = /(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/;

/** The request's content with volatile keys removed, as a stable string. */
function canonical(body: string, contentType: string): { text: string; json: Record<string, unknown> | null; form: URLSearchParams | null } {
  if (contentType.includes('x-www-form-urlencoded')) {
    const form = new URLSearchParams(body);
    const kept = [...form].filter(([k]) => !VOLATILE_KEYS.has(k));
    return { text: new URLSearchParams(kept).toString(), json: null, form };
  }
  try {
    const v = JSON.parse(body) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const json = v as Record<string, unknown>;
      const text = JSON.stringify(json, (k, val: unknown) => (VOLATILE_KEYS.has(k) ? undefined : val));
      return { text, json, form: null };
    }
  } catch {
    // not JSON: the raw text
  }
  return { text: body, json: null, form: null };
}

/** A ping_id quoted anywhere in a post body (top level, or one object deep). */
function quotedPingId(json: Record<string, unknown> | null, form: URLSearchParams | null): string | null {
  if (form) return form.get('ping_id');
  if (!json) return null;
  if (typeof json.ping_id === 'string') return json.ping_id;
  for (const v of Object.values(json)) {
    const inner = v && typeof v === 'object' ? (v as Record<string, unknown>).ping_id : undefined;
    if (typeof inner === 'string') return inner;
  }
  return null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

type Fault = 'error' | 'timeout' | 'garbage' | 'reset' | null;

type Recorder = (outcome: MockOutcome, extra?: Pick<RecordedRequest, 'bid' | 'delayMs' | 'idempotencyKey'>) => void;

function drawFault(f: FaultRates | undefined, rng: Rng): Fault {
  const u = rng.next();
  if (!f) return null;
  let acc = 0;
  for (const k of ['error', 'timeout', 'garbage', 'reset'] as const) {
    acc += f[k] ?? 0;
    if (u < acc) return k;
  }
  return null;
}

// ------------------------------------------------------------------ one buyer

class MockBuyer {
  readonly server: Server;
  port = 0;
  private readonly prefix: string;
  private readonly seen = new Map<string, number>();
  private readonly pings = new Map<string, { amount: number; exclusive: boolean }>();
  /** Posts' final answers by Idempotency-Key, decided when the post arrived: a post sent again gets the same answer. */
  private readonly answeredKeys = new Map<string, { contentType: string; body: string }>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<NodeJS.Timeout>();
  private readonly pingTimes = new Samples();
  private readonly postTimes = new Samples();
  private recentBuf: RecordedRequest[] = [];
  private s = MockBuyer.zero();
  private closed = false;
  private readonly pingAnswer: ResolvedPingAnswer;
  private readonly postAnswer: ResolvedPostAnswer;

  constructor(
    readonly config: MockBuyerConfig,
    private readonly seed: string,
    private readonly keep: number,
    private readonly hangMs: number,
    /** The header pings and posts must carry (name lower-cased, the whole expected value), or null. */
    private readonly required: { name: string; value: string } | null,
  ) {
    this.pingAnswer = resolvePingAnswer(config.bid?.answer);
    this.postAnswer = resolvePostAnswer(config.post?.answer);
    this.prefix = config.name.replace(/[^A-Za-z0-9]/g, '').slice(0, 4).toLowerCase() || 'buy';
    this.server = createServer({ keepAlive: true }, (req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (sock: Socket) => {
      sock.setNoDelay(true);
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    // A client that gives up mid-request is not the server's problem.
    this.server.on('clientError', (_err, sock: Socket) => sock.destroy());
  }

  private static zero() {
    return {
      requests: 0,
      pings: { total: 0, bids: 0, exclusiveBids: 0, noBids: 0, duplicates: 0, unauthorized: 0, errors: 0, timeouts: 0, garbage: 0, resets: 0, badRequests: 0, bidTotal: 0, withPii: 0 },
      posts: { total: 0, accepted: 0, rejected: 0, duplicates: 0, unauthorized: 0, errors: 0, timeouts: 0, garbage: 0, resets: 0, badRequests: 0, matchedPing: 0, replays: 0 },
      pixels: 0,
      other: 0,
    };
  }

  get url(): string {
    return `http://${MOCK_HOST}:${this.port}`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        this.server.off('error', onError);
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, MOCK_HOST);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const t of this.hanging) clearTimeout(t);
    this.hanging.clear();
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  resetStats(): void {
    this.s = MockBuyer.zero();
    this.recentBuf = [];
    this.pingTimes.clear();
    this.postTimes.clear();
  }

  stats(): MockBuyerStats {
    return {
      name: this.config.name,
      url: this.url,
      port: this.port,
      requests: this.s.requests,
      pings: { ...this.s.pings, bidTotal: round2(this.s.pings.bidTotal) },
      posts: { ...this.s.posts },
      pixels: this.s.pixels,
      other: this.s.other,
      pingLatency: this.pingTimes.summary(),
      postLatency: this.postTimes.summary(),
      recent: [...this.recentBuf],
    };
  }

  private record(r: RecordedRequest): void {
    if (this.keep <= 0) return;
    this.recentBuf.push(r);
    if (this.recentBuf.length > this.keep) this.recentBuf.splice(0, this.recentBuf.length - this.keep);
  }

  /** The generator for this request: seed, buyer, endpoint, content, and how many identical requests came before. */
  private rngFor(endpoint: Endpoint, content: string): Rng {
    const base = `${this.seed}\u0000${this.config.name}\u0000${endpoint}\u0000${content}`;
    const h = hash53(base).toString(36);
    const n = this.seen.get(h) ?? 0;
    if (this.seen.size > 1_000_000) this.seen.clear();
    this.seen.set(h, n + 1);
    return new Rng(`${base}\u0000${n}`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const arrived = performance.now();
    const at = Date.now();
    this.s.requests++;
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    const method = req.method ?? 'GET';
    const contentType = String(req.headers['content-type'] ?? '');
    const endpoint: Endpoint = path === '/ping' ? 'ping' : path === '/post' ? 'post' : path === '/pixel' ? 'pixel' : 'other';

    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const rec: Recorder = (outcome, extra) =>
        this.record({ at, method, path, query, contentType, body: body.length > 65536 ? body.slice(0, 65536) : body, outcome, ...extra });
      if (tooLarge) {
        rec('bad-request');
        this.countBad(endpoint);
        this.send(res, 413, { error: 'payload_too_large' });
        return;
      }
      if ((endpoint === 'ping' || endpoint === 'post') && !this.authorized(req)) return this.unauthorized(res, rec, endpoint);
      switch (endpoint) {
        case 'ping':
          if (method !== 'POST') return this.methodNotAllowed(res, rec, endpoint);
          return this.ping(req, res, body, contentType, arrived, rec);
        case 'post':
          if (method !== 'POST') return this.methodNotAllowed(res, rec, endpoint);
          return this.post(req, res, body, contentType, arrived, rec);
        case 'pixel':
          this.s.pixels++;
          rec('pixel');
          res.writeHead(200, { 'content-type': 'image/gif', 'content-length': GIF.length, 'cache-control': 'no-store' });
          res.end(GIF);
          return;
        default:
          this.s.other++;
          rec('not-found');
          this.send(res, 404, { error: 'not_found', path });
      }
    });
  }

  private countBad(endpoint: Endpoint): void {
    if (endpoint === 'ping') {
      this.s.pings.total++;
      this.s.pings.badRequests++;
    } else if (endpoint === 'post') {
      this.s.posts.total++;
      this.s.posts.badRequests++;
    } else this.s.other++;
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.required) return true;
    const got = req.headers[this.required.name];
    return typeof got === 'string' && got === this.required.value;
  }

  private unauthorized(res: ServerResponse, rec: Recorder, endpoint: 'ping' | 'post'): void {
    const counts = endpoint === 'ping' ? this.s.pings : this.s.posts;
    counts.total++;
    counts.unauthorized++;
    rec('unauthorized');
    res.setHeader('www-authenticate', this.required!.name === 'authorization' ? 'Bearer' : this.required!.name);
    this.send(res, 401, { error: 'unauthorized', message: `missing or wrong ${this.required!.name} header` });
  }

  private methodNotAllowed(res: ServerResponse, rec: Recorder, endpoint: Endpoint): void {
    this.countBad(endpoint);
    rec('bad-request');
    res.setHeader('allow', 'POST');
    this.send(res, 405, { error: 'method_not_allowed' });
  }

  private send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
    if (res.destroyed || res.writableEnded) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Run `fn` after the drawn latency (at once when it is under 0.5 ms). */
  private later(ms: number, fn: () => void): void {
    if (ms < 0.5) fn();
    else setTimeout(fn, ms);
  }

  /** Shared fault handling; true when the fault took the request over. */
  private fault(fault: Fault, req: IncomingMessage, res: ServerResponse, delayMs: number, counts: { errors: number; timeouts: number; resets: number }, rec: Recorder): boolean {
    switch (fault) {
      case 'timeout': {
        counts.timeouts++;
        rec('timeout', { delayMs: undefined });
        const t = setTimeout(() => {
          this.hanging.delete(t);
          req.socket.destroy();
        }, this.hangMs);
        this.hanging.add(t);
        res.on('close', () => {
          clearTimeout(t);
          this.hanging.delete(t);
        });
        return true;
      }
      case 'reset':
        counts.resets++;
        rec('reset');
        this.later(delayMs, () => req.socket.destroy());
        return true;
      case 'error':
        counts.errors++;
        rec('error');
        this.later(delayMs, () => this.send(res, 500, { error: 'internal_error', message: 'upstream database unavailable' }));
        return true;
      default:
        return false;
    }
  }

  /** Send an answer worded as the buyer's configuration says. */
  private answer(res: ServerResponse, format: ResolvedPingAnswer['format'], fields: AnswerFields): void {
    const { contentType, body } = renderAnswer(format, fields);
    this.send(res, 200, body, contentType);
  }

  private ping(req: IncomingMessage, res: ServerResponse, body: string, contentType: string, arrived: number, rec: Recorder): void {
    const p = this.s.pings;
    p.total++;
    const c = canonical(body, contentType);
    const fields: Record<string, unknown> | null = c.json ?? (c.form ? Object.fromEntries(c.form) : null);
    // The content less volatile keys (a ping_id may well hold ten digits in a row).
    if (EMAIL_RE.test(c.text) || PHONE_RE.test(c.text)) p.withPii++;
    if (fields === null) {
      p.badRequests++;
      rec('bad-request');
      this.send(res, 400, { status: 'error', reason: 'invalid_request', message: 'expected a JSON object' });
      return;
    }
    const rng = this.rngFor('ping', c.text);
    const cfg = this.config;
    const bidCfg = cfg.bid ?? {};
    const delay = sample(cfg.latency ?? 0, rng);
    const fault = drawFault(cfg.faults, rng);
    const note: Recorder = (o, extra) => rec(o, { delayMs: Math.round(delay * 1000) / 1000, ...extra });
    const noBid = rng.chance(bidCfg.noBidRate ?? 0);
    let amount = sample(bidCfg.price ?? DEFAULT_PRICE, rng);
    const exclusive = rng.chance(bidCfg.exclusiveRate ?? 0);
    const garbageKind = rng.pick(3);
    const pingId = `${this.prefix}-${hash53(`${c.text}\u0000${rng.next()}`).toString(36)}`;
    // Drawn after the draws above, so a configuration without duplicates answers as it always did.
    const duplicate = bidCfg.duplicateRate !== undefined && rng.chance(bidCfg.duplicateRate);

    if (this.fault(fault, req, res, delay, p, note)) return;
    const done = () => this.pingTimes.add(performance.now() - arrived);

    let reason: string | null = null;
    const state = fields.state;
    if (bidCfg.states && !(typeof state === 'string' && bidCfg.states.includes(state.toUpperCase()))) reason = 'out_of_area';
    else if (noBid) reason = 'no_demand';
    else {
      for (const [field, table] of Object.entries(bidCfg.multipliers ?? {})) {
        const v = fields[field];
        if (v === undefined || v === null) continue;
        const f = table[String(v)];
        if (f !== undefined) amount *= f;
      }
      if (bidCfg.scaleBy) {
        const v = Number(fields[bidCfg.scaleBy.field]);
        if (Number.isFinite(v) && v > 0) amount *= Math.pow(v / bidCfg.scaleBy.pivot, bidCfg.scaleBy.power ?? 1);
      }
      if (exclusive) amount *= bidCfg.exclusivePremium ?? 1;
      amount = round2(amount);
      if (amount <= 0) reason = 'no_demand';
    }

    const a = this.pingAnswer;
    if (fault === 'garbage') {
      p.garbage++;
      note('garbage');
      this.later(delay, () => {
        done();
        if (garbageKind === 0) this.send(res, 200, '<html><body><h1>Service Temporarily Unavailable</h1></body></html>', 'text/html');
        else {
          const bad = garbageKind === 1 ? -Math.max(1, amount) : `$${Math.max(1, amount).toFixed(2)}`;
          this.answer(res, a.format, [[a.paths.status, a.words.bid], [a.paths.price, bad], [a.paths.id, pingId], [a.paths.exclusive, false]]);
        }
      });
      return;
    }
    if (duplicate && reason === null) {
      p.duplicates++;
      note('duplicate');
      this.later(delay, () => {
        done();
        this.answer(res, a.format, [[a.paths.status, a.words.duplicate], [a.paths.reason, 'duplicate'], [a.paths.id, pingId]]);
      });
      return;
    }
    if (reason !== null) {
      p.noBids++;
      note('no-bid');
      const why = reason;
      this.later(delay, () => {
        done();
        this.answer(res, a.format, [[a.paths.status, a.words.noBid], [a.paths.reason, why], [a.paths.id, pingId]]);
      });
      return;
    }
    p.bids++;
    if (exclusive) p.exclusiveBids++;
    p.bidTotal += amount;
    // A post may quote the buyer's ping_id or the seller's own (sent in the ping body or an x-ping-id header).
    const theirs = typeof fields.ping_id === 'string' ? fields.ping_id : typeof req.headers['x-ping-id'] === 'string' ? req.headers['x-ping-id'] : null;
    while (this.pings.size >= MAX_PINGS_REMEMBERED) this.pings.delete(this.pings.keys().next().value!);
    this.pings.set(pingId, { amount, exclusive });
    if (theirs !== null) this.pings.set(theirs, { amount, exclusive });
    const bidId = a.paths.bidId === null ? undefined : `${pingId}-b`;
    if (bidId !== undefined) this.pings.set(bidId, { amount, exclusive });
    note('bid', { bid: { amount, exclusive } });
    this.later(delay, () => {
      done();
      this.answer(res, a.format, [
        [a.paths.status, a.words.bid],
        [a.paths.price, price(amount, a.priceAsText)],
        [a.paths.id, pingId],
        [a.paths.bidId, bidId],
        [a.paths.exclusive, exclusive],
      ]);
    });
  }

  private post(req: IncomingMessage, res: ServerResponse, body: string, contentType: string, arrived: number, recAll: Recorder): void {
    const p = this.s.posts;
    p.total++;
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const rec: Recorder = key === null ? recAll : (o, extra) => recAll(o, { ...extra, idempotencyKey: key });
    const prior = key === null ? undefined : this.answeredKeys.get(key);
    if (prior !== undefined) {
      p.replays++;
      rec('replay');
      this.send(res, 200, prior.body, prior.contentType);
      return;
    }
    // The final answer, kept under the key as soon as it is decided (a client that
    // dies before the answer arrives and sends the post again gets the same one).
    const final = (fields: AnswerFields) => {
      const rendered = renderAnswer(this.postAnswer.format, fields);
      if (key !== null) {
        if (this.answeredKeys.size >= MAX_PINGS_REMEMBERED) this.answeredKeys.delete(this.answeredKeys.keys().next().value!);
        this.answeredKeys.set(key, rendered);
      }
      return rendered;
    };
    const c = canonical(body, contentType);
    if (c.json === null && c.form === null) {
      p.badRequests++;
      rec('bad-request');
      this.send(res, 400, { result: 'error', reason: 'invalid_request', message: 'expected JSON or a form' });
      return;
    }
    const rng = this.rngFor('post', c.text);
    const cfg = this.config;
    const postCfg = cfg.post ?? {};
    const delay = sample(postCfg.latency ?? cfg.latency ?? 0, rng);
    const fault = drawFault(postCfg.faults ?? cfg.faults, rng);
    const note: Recorder = (o, extra) => rec(o, { delayMs: Math.round(delay * 1000) / 1000, ...extra });
    const reject = rng.chance(postCfg.rejectRate ?? 0);
    const reasons = postCfg.reasons ?? DEFAULT_REASONS;
    const reason = reasons[rng.pick(reasons.length)]!;
    const leadId = `${this.prefix}-L-${hash53(`${c.text}\u0000${rng.next()}`).toString(36)}`;
    // Drawn after the draws above, so a configuration without them answers as it always did.
    const duplicate = postCfg.duplicateRate !== undefined && rng.chance(postCfg.duplicateRate);
    const postPrice = postCfg.price === undefined ? undefined : round2(sample(postCfg.price, rng));
    const pingId = quotedPingId(c.json, c.form);
    const known = pingId !== null && this.pings.has(pingId);
    if (known) p.matchedPing++;

    if (this.fault(fault, req, res, delay, p, note)) return;
    const done = () => this.postTimes.add(performance.now() - arrived);
    const a = this.postAnswer;
    if (fault === 'garbage') {
      p.garbage++;
      note('garbage');
      this.later(delay, () => {
        done();
        this.send(res, 200, 'OK - lead received', 'text/plain');
      });
      return;
    }
    if (duplicate) {
      p.duplicates++;
      note('duplicate');
      const answer = final([[a.paths.status, a.words.duplicate], [a.paths.reason, 'duplicate']]);
      this.later(delay, () => {
        done();
        this.send(res, 200, answer.body, answer.contentType);
      });
      return;
    }
    let why: string | null = reject ? reason : null;
    if (why === null && postCfg.requirePing && !known) why = 'unknown_ping';
    if (why !== null) {
      p.rejected++;
      note('rejected');
      const answer = final([[a.paths.status, a.words.rejected], [a.paths.reason, why]]);
      this.later(delay, () => {
        done();
        this.send(res, 200, answer.body, answer.contentType);
      });
      return;
    }
    p.accepted++;
    note('accepted');
    const redirect = postCfg.redirectUrl?.replace(/\{leadId\}/g, encodeURIComponent(leadId));
    const answer = final([
      [a.paths.status, a.words.accepted],
      [a.paths.leadId, leadId],
      [a.paths.price, postPrice === undefined ? undefined : price(postPrice, a.priceAsText)],
      [a.paths.redirect, redirect],
    ]);
    this.later(delay, () => {
      done();
      this.send(res, 200, answer.body, answer.contentType);
    });
  }
}

// ------------------------------------------------------------------ all buyers

/** Start one server per configured buyer on 127.0.0.1. The configuration is validated first. */
export async function startMockBuyers(config: MockBuyersConfig): Promise<MockBuyers> {
  const cfg = validateMockConfig(config);
  const seed = String(cfg.seed ?? 1);
  const keep = cfg.keep ?? 100;
  const hangMs = cfg.hangMs ?? 30_000;
  const started: MockBuyer[] = [];
  const required = new Map<string, { name: string; value: string } | null>();
  for (const b of cfg.buyers) {
    const h = b.requireHeader;
    if (!h) continue;
    const secret = process.env[h.valueFromEnv];
    if (secret === undefined || secret === '') {
      throw new MockBuyersError(
        `mock buyer ${b.name} requires the header ${h.name}, whose value is read from the environment variable ${h.valueFromEnv}, which is not set`,
        'ENV',
        b.name,
        b.port ?? 0,
      );
    }
    required.set(b.name, { name: h.name.toLowerCase(), value: `${h.prefix ?? ''}${secret}` });
  }
  for (const b of cfg.buyers) {
    const buyer = new MockBuyer(b, seed, keep, hangMs, required.get(b.name) ?? null);
    const port = b.port ?? 0;
    try {
      await buyer.listen(port);
    } catch (err) {
      await Promise.all(started.map((s) => s.close()));
      const e = err as NodeJS.ErrnoException;
      const code = e.code ?? 'ERROR';
      const why =
        code === 'EADDRINUSE'
          ? `port ${port} on ${MOCK_HOST} is already in use (another \`leadroute mock-buyers\` or demo still running?); stop it, or use ephemeral ports (port 0)`
          : code === 'EACCES'
            ? `no permission to listen on port ${port} on ${MOCK_HOST}`
            : `${e.message}`;
      throw new MockBuyersError(`mock buyer ${b.name} cannot start: ${why}`, code, b.name, port);
    }
    started.push(buyer);
  }
  let closing: Promise<void> | null = null;
  return {
    buyers: started.map((s) => ({ name: s.config.name, url: s.url, port: s.port, configuredPort: s.config.port ?? 0 })),
    stats() {
      const buyers = started.map((s) => s.stats());
      return { requests: buyers.reduce((n, b) => n + b.requests, 0), buyers };
    },
    resetStats() {
      for (const s of started) s.resetStats();
    },
    close() {
      closing ??= Promise.all(started.map((s) => s.close())).then(() => undefined);
      return closing;
    },
  };
}
