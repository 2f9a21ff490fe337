// `buildServer(options)`: the Fastify app of `leadroute serve`, usable in
// process (tests listen on port 0). Routes and their schemas are in routes.ts,
// the work in service.ts; here: keys, limits, the error answers (every bad
// request a 4xx whose JSON body names the problem), logs and wiring.

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { resolve } from 'node:path';
import type { Sale } from '../auction/index.js';
import type { SecretSource } from '../deliver/secrets.js';
import type { Plan } from '../compile/index.js';
import { MemoryInbox, MemoryStore, SqliteInbox, SqliteStore, type JournalStore } from '../adapters/index.js';
import { isRedisUrl, RedisStore } from '../adapters/redis-store.js';
import type { LeadInbox } from './inbox.js';
import { DEFAULT_PINGS, DEFAULT_RATE, type ApiKeys, type Limit, type Source } from './keys.js';
import { DASHBOARD_HTML, dashboardData } from './dashboard.js';
import { ServeMetrics } from './metrics.js';
import { ServeAlerts } from './alerts.js';
import { openApiDocument } from './openapi.js';
import { loadPlanFile, PlanWatcher } from './plan-file.js';
import { ROUTES } from './routes.js';
import { LeadService, type FeedbackInput, type PingAnswer } from './service.js';

export interface ServerOptions {
  /** The rule file or compiled plan.json (resolved against the working directory). */
  rules: string;
  /** SQLite file for caps, journals and the inbox; absent: in memory (nothing survives a restart).
   *  Or `redis://…`: caps, fair-split counts, dedupe keys and outcomes shared in Redis by every
   *  instance given the same URL, the journals and inbox in `journal`. */
  store?: string;
  /** With a Redis store: the SQLite file of this instance's journals and inbox (absent: in memory). */
  journal?: string;
  /** With a Redis store: the prefix of its keys (instances sharing state share it). */
  redisPrefix?: string;
  /** API keys per source; absent or null: no key is asked for (source `anonymous`). */
  keys?: ApiKeys | null;
  /** Largest request body, bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Fastify's logger (pino) options, or false. Secrets and personal data are redacted whatever is given. */
  logger?: boolean | { level?: string; stream?: { write(line: string): void } };
  /** A change to every plan loaded (`--buyers`: URLs pointed at the mock buyers). */
  adaptPlan?: (plan: Plan) => Plan;
  /** Reload when the rule file's folder changes. Default true. */
  watch?: boolean;
  seed?: string;
  secrets?: SecretSource;
  version?: string;
  /** SQLite's synchronous setting: NORMAL (default: an acknowledged lead survives a process crash) or FULL (a power loss too, at an fsync per commit). */
  synchronous?: 'NORMAL' | 'FULL';
  /** Reasons a lead may be returned for (POST /feedback); default DEFAULT_RETURN_REASONS. */
  returnReasons?: readonly string[];
  /** How long after its sale a lead may be returned, ms; default 7 days. */
  returnWindowMs?: number;
  /** Time between evaluations of the rule file's alerts, ms; default 30 s. */
  alertEveryMs?: number;
  /** A Redis URL (`redis://host:port`): delayed posts, retries and batches run on BullMQ queues there (docs/SERVE.md, Scale-out). */
  queue?: string;
}

/** The initial plan does not load: its errors, one text each. */
export class PlanLoadError extends Error {
  constructor(readonly errors: string[]) {
    super(`the plan does not load:\n${errors.join('\n')}`);
  }
}

/** What buildServer hangs on the app for its caller and tests. */
export interface Serve {
  service: LeadService;
  watcher: PlanWatcher;
  metrics: ServeMetrics;
  /** The rule file's alerts; `alerts.evaluate()` evaluates them now. */
  alerts: ServeAlerts;
  store: JournalStore;
  inbox: LeadInbox;
  /** Settles when the leads left unfinished by the last run were taken up. */
  resumed: Promise<{ resumed: number; failed: number }>;
}

declare module 'fastify' {
  interface FastifyInstance {
    leadroute: Serve;
  }
  interface FastifyRequest {
    source: Source | null;
  }
}

const ANONYMOUS: Source = { name: 'anonymous', rate: DEFAULT_RATE, pings: DEFAULT_PINGS, flows: null };

/** Log paths never written (pino redact): keys, and any lead or body that might be logged. */
export const REDACT_PATHS = [
  'req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie',
  'headers["x-api-key"]', 'headers.authorization', 'lead', '*.lead', 'body', '*.body',
];

function problem(reply: FastifyReply, status: number, error: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).type('application/json').send({ error, message, ...extra });
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const rulesPath = resolve(options.rules);
  const first = loadPlanFile(rulesPath);
  if (!first.ok) throw new PlanLoadError(first.errors);
  const adapt = options.adaptPlan ?? ((p: Plan) => p);
  const bodyLimit = options.bodyLimit ?? 64 * 1024;

  const redisUrl = options.store !== undefined && isRedisUrl(options.store) ? options.store : null;
  const sqliteFile = redisUrl !== null ? options.journal : options.store;
  // `tick`: the leads routed in one turn of the event loop share one commit;
  // LeadService.receive answers only once it is done (store.committed()).
  const sqlite = sqliteFile !== undefined ? new SqliteStore(resolve(sqliteFile), { synchronous: options.synchronous ?? 'NORMAL', commit: 'tick' }) : null;
  const local: JournalStore = sqlite ?? new MemoryStore();
  let shared: RedisStore | null = null;
  if (redisUrl !== null) {
    try {
      shared = await RedisStore.connect(redisUrl, { local, ...(options.redisPrefix !== undefined ? { prefix: options.redisPrefix } : {}) });
    } catch (err) {
      local.close();
      throw err;
    }
  }
  const store: JournalStore = shared ?? local;
  const inbox: LeadInbox = sqlite ? new SqliteInbox(sqlite.db) : new MemoryInbox();
  let metrics: ServeMetrics | null = null;
  let alerts: ServeAlerts | null = null;
  const service = new LeadService({
    store,
    inbox,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.secrets !== undefined ? { secrets: options.secrets } : {}),
    ...(options.returnReasons !== undefined ? { returnReasons: options.returnReasons } : {}),
    ...(options.returnWindowMs !== undefined ? { returnWindowMs: options.returnWindowMs } : {}),
    // Loaded only when asked for: bullmq and ioredis are not the service's load otherwise.
    ...(options.queue !== undefined
      ? { deliveries: (await import('../adapters/bullmq-deliveries.js')).bullmqDeliveries({ url: options.queue, onError: (err) => app.log.warn(`delivery queue: ${err.message}`) }) }
      : {}),
    observer: {
      sold: (flow, sale, ms) => {
        metrics?.sold(flow, sale, ms);
        alerts?.sold(sale);
      },
      delivered: (rec) => {
        metrics?.delivered(rec);
        alerts?.delivered(rec);
      },
      pinged: (flow, a) => metrics?.pinged(flow, a),
      resumed: (id, how, err) => {
        metrics?.resumed(id, how, err);
        if (err !== undefined) app.log.warn({ leadId: id }, `could not resume lead ${id}: ${err}`);
      },
    },
  });
  try {
    service.install(adapt(first.plan));
  } catch (err) {
    store.close();
    throw new PlanLoadError([`${rulesPath}: the plan cannot run: ${(err as Error).message}`]);
  }
  metrics = new ServeMetrics(service, store);
  const m = metrics;
  const watching = new ServeAlerts({
    alerts: () => service.plan?.alerts ?? [],
    registry: m.registry,
    log: () => app.log,
    ...(options.alertEveryMs !== undefined ? { everyMs: options.alertEveryMs } : {}),
  });
  alerts = watching;

  const logger: FastifyServerOptions['logger'] =
    options.logger === false
      ? false
      : {
          level: (typeof options.logger === 'object' && options.logger.level) || 'info',
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          ...(typeof options.logger === 'object' && options.logger.stream ? { stream: options.logger.stream } : {}),
        };
  const app = Fastify({ logger, bodyLimit });
  // JSON only: a text body is a 415, not a string the body schema then refuses.
  app.removeContentTypeParser('text/plain');
  const watcher = new PlanWatcher({
    file: rulesPath,
    install: (plan) => service.install(adapt(plan)),
    onReload: (r) => {
      m.reload(r.ok);
      // The new plan's alerts replace the old ones now, not at the next tick.
      if (r.ok) watching.evaluate();
      if (r.ok) app.log.info('rule file reloaded: the new plan is in service');
      else app.log.error({ errors: r.errors }, 'rule file reload refused: the previous plan keeps serving');
    },
  });
  const keys = options.keys && options.keys.size > 0 ? options.keys : null;
  app.decorateRequest('source', null);

  // Keys first (before the body is read): a request without a valid key costs nothing more.
  app.addHook('onRequest', async (req, reply) => {
    const spec = req.routeOptions.config as { keyed?: boolean } | undefined;
    if (!spec?.keyed) return;
    if (!keys) {
      req.source = ANONYMOUS;
      return;
    }
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') return problem(reply, 401, 'missing-key', 'send your API key in the x-api-key header');
    const source = keys.sourceOf(key);
    if (!source) return problem(reply, 401, 'wrong-key', 'the x-api-key header holds no known key');
    req.source = source;
  });

  await app.register(rateLimit, {
    global: false,
    hook: 'preParsing',
    keyGenerator: (req: FastifyRequest) => req.source?.name ?? req.ip,
    errorResponseBuilder: (req: FastifyRequest, ctx) => ({
      statusCode: 429,
      error: 'rate-limited',
      message: `source ${req.source?.name ?? req.ip}: more than ${ctx.max} requests in the window; retry in ${ctx.after}`,
    }),
  });
  const limited = (which: (s: Source) => Limit) => ({
    rateLimit: {
      max: (req: FastifyRequest) => which(req.source ?? ANONYMOUS).max,
      timeWindow: (req: FastifyRequest) => which(req.source ?? ANONYMOUS).windowMs,
    },
  });

  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string; validation?: unknown; error?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 429) return problem(reply, 429, 'rate-limited', err.message ?? 'rate limited');
    if (err.validation) return problem(reply, 400, 'bad-request', err.message ?? 'the request does not match its schema');
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return problem(reply, 413, 'too-large', `the body is over the limit of ${bodyLimit} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return problem(reply, 415, 'not-json', 'send the body as application/json');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return problem(reply, 400, 'bad-json', 'the body is empty; send a JSON object');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        // Never the parser's message: it quotes the body, which may hold personal data.
        return problem(reply, 400, 'bad-json', 'the body is not valid JSON');
    }
    if (status === 400 && err.message?.includes('JSON')) return problem(reply, 400, 'bad-json', 'the body is not valid JSON');
    if (status >= 400 && status < 500) return problem(reply, status, 'bad-request', err.message ?? 'bad request');
    req.log.error({ code: err.code }, `request failed: ${err.message ?? 'unknown error'}`);
    return problem(reply, 500, 'internal', 'the service failed on this request; its log says why');
  });
  app.setNotFoundHandler((req, reply) => problem(reply, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}; see GET /openapi.json`));

  const flowAllowed = (req: FastifyRequest, reply: FastifyReply, flow: string): boolean => {
    const flows = req.source?.flows ?? null;
    if (flows === null || flows.includes(flow)) return true;
    void problem(reply, 403, 'flow-not-allowed', `source ${req.source!.name} may post to ${flows.map((f) => `\`${f}\``).join(', ')}, not \`${flow}\``);
    return false;
  };

  const r = ROUTES;
  app.route({
    method: r.postLead.method, url: r.postLead.url, schema: r.postLead.schema, config: { keyed: true, ...limited((s) => s.rate) },
    handler: async (req, reply) => {
      const { flow } = req.params as { flow: string };
      if (!flowAllowed(req, reply, flow)) return reply;
      const receipt = await service.receive(flow, req.body, req.source!.name);
      switch (receipt.kind) {
        case 'sold': {
          const d = receipt.sale.decision;
          req.log.info({ leadId: receipt.leadId, flow, source: req.source!.name, status: d.status, buyers: d.buyers.map((b) => b.name) }, 'lead sold');
          return reply.send(answerOf(receipt.sale));
        }
        case 'invalid':
          m.lead(flow, 'invalid');
          req.log.info({ leadId: receipt.leadId, flow, fields: receipt.errors.map((e) => e.field) }, 'lead refused: invalid');
          return problem(reply, 422, 'invalid-lead', `the lead fails the lead schema: ${receipt.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { fields: receipt.errors, leadId: receipt.leadId });
        case 'unknown-flow':
          return problem(reply, 404, 'unknown-flow', `no flow \`${receipt.flow}\`; the plan's flows: ${receipt.flows.join(', ')}`, { flows: receipt.flows });
        case 'duplicate':
          m.lead(flow, 'duplicate');
          return problem(reply, 409, 'duplicate-lead', `lead ${receipt.leadId} was received before (${receipt.lead.state}); GET /leads/${encodeURIComponent(receipt.leadId)} says what became of it`, {
            leadId: receipt.leadId,
            status: { state: receipt.lead.state, outcome: receipt.lead.outcome },
          });
        case 'not-ready':
          return problem(reply, 503, 'not-ready', 'no plan is loaded yet');
        case 'not-written':
          m.lead(flow, 'not-written');
          req.log.error({ leadId: receipt.leadId, flow }, `inbox write failed: ${receipt.error}`);
          return problem(reply, 503, 'inbox-unavailable', 'the lead could not be written down, so it was not taken; send it again', { leadId: receipt.leadId });
        case 'failed':
          m.lead(flow, 'failed');
          req.log.error({ leadId: receipt.leadId, flow }, `sale failed: ${receipt.error}`);
          return problem(reply, 500, 'sale-failed', `the lead is kept in the inbox and is sold again when the service restarts: ${receipt.error}`, { leadId: receipt.leadId });
        default: {
          const never: never = receipt;
          return never;
        }
      }
    },
  });

  app.route({
    method: r.ping.method, url: r.ping.url, schema: r.ping.schema, config: { keyed: true, ...limited((s) => s.pings) },
    handler: async (req, reply) => {
      const { flow } = req.params as { flow: string };
      if (!flowAllowed(req, reply, flow)) return reply;
      return pingReply(reply, service.ping(flow, req.body));
    },
  });

  app.route({
    method: r.leadStatus.method, url: r.leadStatus.url, schema: r.leadStatus.schema, config: { keyed: true, ...limited((s) => s.rate) },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const lead = inbox.get(id);
      // Another source's lead is as unknown as a lead never received.
      if (!lead || (keys !== null && lead.source !== req.source!.name)) return problem(reply, 404, 'unknown-lead', `no lead \`${id}\` was received${keys ? ' from this source' : ''}`);
      return reply.send({
        leadId: lead.leadId,
        flow: lead.flow,
        source: lead.source,
        state: lead.state,
        receivedAt: new Date(lead.receivedAt).toISOString(),
        finishedAt: lead.finishedAt === null ? null : new Date(lead.finishedAt).toISOString(),
        outcome: lead.outcome,
        decisions: store.decisions({ leadId: id }),
        attempts: store.attempts({ leadId: id }),
        feedback: inbox.feedback(id).map((f) => ({ ...f, at: new Date(f.at).toISOString() })),
      });
    },
  });

  app.route({
    method: r.feedback.method, url: r.feedback.url, schema: r.feedback.schema, config: { keyed: true, ...limited((s) => s.rate) },
    handler: async (req, reply) => {
      const body = req.body as FeedbackInput;
      const lead = inbox.get(body.leadId);
      if (lead && keys !== null && lead.source !== req.source!.name) return problem(reply, 404, 'unknown-lead', `no lead \`${body.leadId}\` was received from this source`);
      const result = service.feedback(body, req.source!.name);
      switch (result.kind) {
        case 'recorded': {
          const f = result.feedback;
          m.feedback(f.buyer, f.kind);
          req.log.info({ leadId: f.leadId, buyer: f.buyer, kind: f.kind, reason: f.reason }, 'feedback recorded');
          return reply.send({ ...f, at: new Date(f.at).toISOString() });
        }
        case 'unknown-lead':
          return problem(reply, 404, 'unknown-lead', `no lead \`${result.leadId}\` was received`);
        case 'not-sold':
          return problem(reply, 422, 'not-sold', `lead ${result.leadId} was not sold to ${result.buyer}${result.buyers.length > 0 ? `; it was sold to ${result.buyers.join(', ')}` : ''}`);
        case 'bad-reason':
          return problem(reply, 422, 'bad-reason', `${result.reason === null ? 'a return needs a reason' : `\`${result.reason}\` is not a return reason`}; allowed: ${result.allowed.join(', ')}`, {
            fields: [{ field: 'reason', message: result.reason === null ? 'is required for a return' : 'is not an allowed reason' }],
            allowed: [...result.allowed],
          });
        case 'window-closed':
          return problem(reply, 422, 'return-window-closed', `the return window closed at ${new Date(result.closedAt).toISOString()} (sold at ${new Date(result.soldAt).toISOString()})`);
        case 'already':
          return problem(reply, 409, 'feedback-recorded-before', `${result.feedback.buyer} already ${result.feedback.kind === 'returned' ? 'returned' : 'converted'} lead ${result.feedback.leadId} (at ${new Date(result.feedback.at).toISOString()})`);
        default: {
          const never: never = result;
          return never;
        }
      }
    },
  });

  const health = () => ({ ok: true, plan: service.plan !== null, store: (sqlite === null || sqlite.open) && (shared === null || shared.connected), pending: service.pending });
  app.route({ method: r.health.method, url: r.health.url, schema: r.health.schema, handler: async () => health() });
  app.route({
    method: r.ready.method, url: r.ready.url, schema: r.ready.schema,
    handler: async (_req, reply) => {
      const h = health();
      const ready = h.plan && h.store;
      return reply.code(ready ? 200 : 503).send({ ...h, ok: ready });
    },
  });
  app.route({
    method: r.plan.method, url: r.plan.url, schema: r.plan.schema, config: { keyed: true },
    handler: async () => {
      const plan = service.plan;
      const last = watcher.last;
      return {
        file: rulesPath,
        loadedAt: watcher.loadedAt === null ? null : new Date(watcher.loadedAt).toISOString(),
        flows: plan?.flows.map((f) => f.name) ?? [],
        buyers: plan?.buyers.map((b) => b.name) ?? [],
        reloads: watcher.reloads,
        lastReload: last === null ? null : { at: new Date(last.at).toISOString(), ok: last.ok, errors: last.errors },
      };
    },
  });
  app.route({
    method: r.metrics.method, url: r.metrics.url,
    handler: async (_req, reply) => reply.type(m.registry.contentType).send(await m.registry.metrics()),
  });
  app.route({ method: r.dashboard.method, url: r.dashboard.url, handler: async (_req, reply) => reply.type('text/html; charset=utf-8').send(DASHBOARD_HTML) });
  app.route({
    method: r.dashboardData.method, url: r.dashboardData.url, schema: r.dashboardData.schema, config: { keyed: true, ...limited((s) => s.rate) },
    handler: async () => dashboardData(service, store, inbox, watcher, watching.last),
  });
  const openapi = openApiDocument(options.version ?? '0');
  app.route({ method: r.openapi.method, url: r.openapi.url, schema: r.openapi.schema, handler: async () => openapi });

  watcher.loadedAt = Date.now();
  if (options.watch !== false) watcher.start();
  let settle!: (v: { resumed: number; failed: number }) => void;
  const resumed = new Promise<{ resumed: number; failed: number }>((res) => (settle = res));
  app.decorate('leadroute', { service, watcher, metrics: m, alerts: watching, store, inbox, resumed });
  app.addHook('onReady', async () => {
    watching.start();
    // In the background: a slow buyer must not keep the service from answering.
    void service.resume().then(settle, (err: unknown) => {
      app.log.error(`resuming unfinished leads failed: ${(err as Error).message}`);
      settle({ resumed: 0, failed: -1 });
    });
  });
  // A graceful stop: requests in progress finish; their answers end their
  // connection, so a keep-alive client (the dashboard polling, a source) does
  // not hold the server open until its keep-alive timeout.
  // Sockets with no request in them (a browser's preconnected spare) would hold
  // it until the headers timeout: once no request is in progress, every
  // remaining connection is closed.
  let closing = false;
  let inFlight = 0;
  app.addHook('onRequest', async () => {
    inFlight++;
  });
  app.addHook('onResponse', async () => {
    inFlight--;
  });
  app.addHook('onRequestAbort', async (_req) => {
    inFlight--;
  });
  app.addHook('preClose', async () => {
    closing = true;
    const sweep = setInterval(() => {
      if (inFlight <= 0) app.server.closeAllConnections();
      else app.server.closeIdleConnections();
    }, 50);
    app.server.once('close', () => clearInterval(sweep));
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    watching.stop();
    watcher.close();
    await service.close();
    if (shared !== null) await shared.shutdown();
    else store.close();
  });
  return app;
}

function answerOf(sale: Sale): Record<string, unknown> {
  const d = sale.decision;
  return {
    leadId: d.leadId,
    flow: d.flow,
    status: d.status,
    buyers: d.buyers,
    price: d.price,
    exclusive: d.exclusive,
    reason: d.reason,
    rule: d.rule,
    trace: d.trace,
    auction: sale.auction,
    deliveries: sale.deliveries.map((x) => ({ buyer: x.buyer, status: x.status, price: x.price, mode: x.mode, detail: x.detail, ...(x.deliverAt ? { deliverAt: x.deliverAt } : {}) })),
  };
}

function pingReply(reply: FastifyReply, a: PingAnswer): FastifyReply {
  switch (a.kind) {
    case 'bid':
      return reply.send({ flow: a.flow, bid: true, price: a.price, buyers: a.buyers });
    case 'no-bid':
      return reply.send({ flow: a.flow, bid: false, reason: a.reason });
    case 'invalid':
      return problem(reply, 422, 'invalid-ping', `the ping fails the lead schema: ${a.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { fields: a.errors });
    case 'unknown-flow':
      return problem(reply, 404, 'unknown-flow', `no flow \`${a.flow}\`; the plan's flows: ${a.flows.join(', ')}`, { flows: a.flows });
    case 'not-ready':
      return problem(reply, 503, 'not-ready', 'no plan is loaded yet');
    default: {
      const never: never = a;
      return never;
    }
  }
}
