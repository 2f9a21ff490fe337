// Test helpers for selling: real HTTP servers on 127.0.0.1 (ephemeral ports),
// leads, and a Router to sell through. The plan builders here hand-build plans
// for what the language refuses (PII in a ping or pixel, post.id in a post
// template, broken templates) and buyer objects for unit tests of ping and bid
// building; every other selling plan is rule text (./rules.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FieldType, PlanBuyer, PlanDelivery, PlanExpr, PlanField, PlanPing, PlanPixel, PlanPost, PlanTemplate, PlanValue } from '../../src/plan/index.js';
import type { Plan, PlanAction } from '../../src/models/plan.js';
import { Router } from '../../src/runtime/index.js';

// ---------------------------------------------------------------- servers

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type Reply =
  | { status?: number; json?: unknown; body?: string; delayMs?: number; headers?: Record<string, string> }
  | 'hang'
  | 'reset';

export type Handler = (req: Received, n: number) => Reply | Promise<Reply>;

export interface TestServer {
  url: string;
  port: number;
  received: Received[];
  /** TCP connections accepted so far. */
  connections: number;
  setHandler(h: Handler): void;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  let h = handler;
  const sockets = new Set<Socket>();
  const received: Received[] = [];
  const state = { connections: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(r);
      let reply: Reply;
      try {
        reply = await h(r, received.length);
      } catch {
        reply = { status: 500 };
      }
      if (reply === 'hang') return;
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
        const headers = { 'content-type': reply.json !== undefined ? 'application/json' : 'text/plain', ...(reply.headers ?? {}) };
        res.writeHead(reply.status ?? 200, headers);
        res.end(body);
      };
      const d = reply.delayMs;
      if (d) setTimeout(send, d);
      else send();
    });
  });
  server.on('connection', (s: Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    get connections() {
      return state.connections;
    },
    setHandler(x: Handler) {
      h = x;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Start servers and close them all at the end of a test. */
export class Servers {
  private readonly all: TestServer[] = [];
  async start(handler: Handler): Promise<TestServer> {
    const s = await startServer(handler);
    this.all.push(s);
    return s;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((s) => s.close()));
  }
}

/** A bid answer in the default mapping's shape. */
export const bid = (price: unknown, extra: Record<string, unknown> = {}): Reply => ({ json: { status: 'accepted', bid: { amount: price }, ...extra } });
export const noBid: Reply = { json: { status: 'declined' } };
export const accept: Reply = { json: { result: 'success' } };
export const reject: Reply = { json: { result: 'duplicate' } };

// ---------------------------------------------------------------- plans

export const src = { file: 'sell.route', line: 1, col: 1 };
export const lit = (value: PlanValue): PlanExpr => ({ op: 'lit', value });
export const f = (name: string): PlanExpr => ({ op: 'field', name });

export const FIELDS: PlanField[] = [
  { name: 'id', type: { kind: 'string' }, pii: false, optional: true },
  { name: 'state', type: { kind: 'state' }, pii: false, optional: false },
  { name: 'zip', type: { kind: 'zip' }, pii: false, optional: true },
  { name: 'credit_score', type: { kind: 'int', min: 300, max: 850 }, pii: false, optional: true },
  { name: 'homeowner', type: { kind: 'bool' }, pii: false, optional: true },
  { name: 'created_at', type: { kind: 'time' }, pii: false, optional: true },
  { name: 'email', type: { kind: 'email' }, pii: true, optional: true },
  { name: 'phone', type: { kind: 'phone' }, pii: true, optional: true },
  { name: 'first_name', type: { kind: 'string' }, pii: true, optional: true },
];

function typeSchema(t: FieldType): Record<string, unknown> {
  switch (t.kind) {
    case 'int':
      return { type: 'integer' };
    case 'number':
    case 'money':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { enum: t.values };
    case 'list':
      return { type: 'array', items: typeSchema(t.of) };
    default:
      return { type: 'string' };
  }
}

export function leadSchema(fields: PlanField[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((x) => [x.name, typeSchema(x.type)])),
    required: fields.filter((x) => !x.optional).map((x) => x.name),
  };
}

export function ping(url: string, o: Partial<PlanPing> & { bidMap?: Partial<PlanPing['bid']> } = {}): PlanPing {
  return {
    url,
    // generous defaults: a loaded test machine must not turn answers into timeouts
    timeoutMs: o.timeoutMs ?? 2000,
    fields: o.fields === undefined ? ['state', 'zip3', 'credit_score'] : o.fields,
    template: o.template ?? null,
    bid: {
      accepted: { path: 'status', equals: 'accepted' },
      price: 'bid.amount',
      id: 'ping_id',
      exclusive: 'exclusive',
      states: 'states',
      maxAge: 'max_age',
      ...(o.bidMap ?? {}),
    },
  };
}

export function post(url: string, o: Partial<PlanPost> = {}): PlanPost {
  return {
    url,
    timeoutMs: o.timeoutMs ?? 2000,
    retries: o.retries ?? 0,
    backoffMs: o.backoffMs ?? 10,
    template: o.template ?? null,
    accepted: o.accepted === undefined ? { path: 'result', equals: 'success' } : o.accepted,
  };
}

export const template = (format: PlanTemplate['format'], source: string): PlanTemplate => ({ format, name: `inline.${format}.hbs`, source });

export interface HttpBuyerOpts {
  ping?: PlanPing | null;
  post?: PlanPost | null;
  backupPost?: PlanPost | null;
  pixels?: PlanPixel[];
  delivery?: Partial<PlanDelivery>;
  price?: number | null;
  accepts?: { expr: PlanExpr; text: string }[];
  caps?: PlanBuyer['caps'];
}

export function httpBuyer(name: string, o: HttpBuyerOpts = {}): PlanBuyer {
  const b: PlanBuyer = {
    name,
    accepts: o.accepts ?? [],
    price: o.price === undefined || o.price === null ? null : lit(o.price),
    caps: o.caps ?? [],
    hours: [],
    zone: 'UTC',
    overflow: null,
    source: src,
  };
  if (o.ping !== undefined) b.ping = o.ping;
  if (o.post !== undefined) b.post = o.post;
  if (o.backupPost !== undefined) b.backupPost = o.backupPost;
  if (o.pixels !== undefined) b.pixels = o.pixels;
  if (o.delivery !== undefined) b.delivery = { delayMs: 0, batch: null, breaker: null, ...o.delivery };
  return b;
}

export interface AuctionOpts {
  tiers: { buyers: string[]; floor?: number | PlanExpr | null }[];
  timeoutMs?: number;
  floor?: number | PlanExpr | null;
  exclusiveMin?: number | null;
  shared?: number;
  rank?: PlanExpr | null;
}

const exprOf = (v: number | PlanExpr | null | undefined): PlanExpr | null => (v === undefined || v === null ? null : typeof v === 'number' ? lit(v) : v);

export function auction(o: AuctionOpts): PlanAction {
  return {
    kind: 'auction',
    tiers: o.tiers.map((t) => ({ buyers: t.buyers, floor: exprOf(t.floor) })),
    timeoutMs: o.timeoutMs ?? 3000,
    floor: exprOf(o.floor),
    exclusiveMin: o.exclusiveMin ?? null,
    shared: o.shared ?? 1,
    rank: o.rank ?? null,
  };
}

export function makePlan(buyers: PlanBuyer[], action: PlanAction, fields: PlanField[] = FIELDS): Plan {
  return {
    leadroute: 'plan',
    version: 1,
    file: 'sell.route',
    lead: { fields, schema: leadSchema(fields) },
    buyers,
    flows: [{ name: 'main', rules: [{ id: 'main#0', when: null, guard: 'always', text: action.kind, action, source: src }], source: src }],
    defaultFlow: 'main',
  };
}

export function routerFor(plan: Plan): Router {
  return new Router(plan);
}

let n = 0;
export function lead(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `L${++n}`,
    state: 'CA',
    zip: '94107',
    credit_score: 720,
    homeowner: true,
    email: 'jane.doe@example.com',
    phone: '(415) 555-0142',
    first_name: 'Jane',
    ...extra,
  };
}

/** Wait until `cond` holds (polling), or fail after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
