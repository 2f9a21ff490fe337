// Every route of the service with its JSON schemas: Fastify validates and
// serializes with these, and GET /openapi.json is written from the same
// table (openapi.ts), so the description cannot drift from what runs.

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

/** Every 4xx and 5xx answer: a word for the problem and a sentence naming it. */
export const ErrorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { ...str, description: 'what went wrong, as one word: unknown-flow, bad-json, missing-key, wrong-key, invalid-lead, too-large, rate-limited, …' },
    message: str,
    fields: {
      type: 'array',
      description: 'for invalid-lead: each field and what is wrong with it',
      items: { type: 'object', required: ['field', 'message'], properties: { field: str, message: str } },
    },
    leadId: str,
    flows: { type: 'array', items: str },
    status: anyObject,
    allowed: { type: 'array', items: str },
  },
  additionalProperties: false,
} as const;

const Delivery = {
  type: 'object',
  properties: {
    buyer: str,
    status: { ...str, enum: ['accepted', 'rejected', 'duplicate', 'failed', 'scheduled', 'queued', 'none'] },
    price: num,
    mode: str,
    detail: { type: ['string', 'null'] },
    deliverAt: str,
  },
  additionalProperties: true,
} as const;

export const LeadAnswer = {
  type: 'object',
  required: ['leadId', 'flow', 'status', 'buyers', 'price', 'trace'],
  properties: {
    leadId: str,
    flow: str,
    status: { ...str, enum: ['routed', 'unrouted', 'rejected', 'held', 'auction'], description: "the router's decision, after the auction when there was one" },
    buyers: { type: 'array', items: { type: 'object', properties: { name: str, price: num }, additionalProperties: true } },
    price: num,
    exclusive: { type: 'boolean' },
    reason: { type: ['string', 'null'] },
    rule: { type: ['object', 'null'], additionalProperties: true },
    trace: { type: 'array', description: 'every buyer considered and why it was taken or skipped', items: anyObject },
    auction: { type: ['object', 'null'], additionalProperties: true, description: 'every bid of the auction, when the flow ran one' },
    deliveries: { type: 'array', items: Delivery },
  },
  additionalProperties: false,
} as const;

export const PingAnswerBody = {
  type: 'object',
  required: ['flow', 'bid'],
  properties: {
    flow: str,
    bid: { type: 'boolean' },
    price: { ...num, description: 'dollars, when bid is true' },
    buyers: { type: 'array', items: str },
    reason: { ...str, description: 'why there is no bid' },
  },
  additionalProperties: false,
} as const;

export const LeadStatus = {
  type: 'object',
  required: ['leadId', 'flow', 'source', 'state', 'receivedAt'],
  properties: {
    leadId: str,
    flow: str,
    source: str,
    state: { ...str, enum: ['received', 'done'], description: 'received: acknowledged and not finished (deliveries to come); done: every delivery final' },
    receivedAt: str,
    finishedAt: { type: ['string', 'null'] },
    outcome: { type: ['object', 'null'], additionalProperties: true },
    decisions: { type: 'array', items: anyObject, description: "the router's decisions, in order" },
    attempts: { type: 'array', items: anyObject, description: 'every ping, post and pixel request, in order' },
    feedback: { type: 'array', items: anyObject, description: 'returns and conversions, in order' },
  },
  additionalProperties: false,
} as const;

export const PlanInfoBody = {
  type: 'object',
  properties: {
    file: str,
    loadedAt: { type: ['string', 'null'] },
    flows: { type: 'array', items: str },
    buyers: { type: 'array', items: str },
    reloads: { type: 'integer' },
    lastReload: {
      type: ['object', 'null'],
      properties: { at: str, ok: { type: 'boolean' }, errors: { type: 'array', items: str } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

export const FeedbackBody = {
  type: 'object',
  required: ['leadId', 'buyer', 'kind'],
  properties: {
    leadId: str,
    buyer: { ...str, description: 'a buyer the lead was sold to' },
    kind: { ...str, enum: ['returned', 'converted'] },
    reason: { ...str, description: 'for a return: one of the allowed reasons' },
  },
} as const;

const FeedbackRecorded = {
  type: 'object',
  properties: { leadId: str, buyer: str, kind: str, reason: { type: ['string', 'null'] }, at: str, source: str },
  additionalProperties: false,
} as const;

const Health = { type: 'object', properties: { ok: { type: 'boolean' }, plan: { type: 'boolean' }, store: { type: 'boolean' }, pending: { type: 'integer' } }, additionalProperties: false } as const;

const flowParams = { type: 'object', required: ['flow'], properties: { flow: str } } as const;
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

export interface RouteSpec {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  /** Needs the x-api-key header (when the service has keys). */
  keyed: boolean;
  schema: {
    params?: object;
    body?: object;
    response: Record<number, object>;
  };
  /** Answers other than JSON (for OpenAPI): content type. */
  produces?: string;
}

export const ROUTES = {
  postLead: {
    method: 'POST',
    url: '/leads/:flow',
    summary: 'Validate a lead, write it to the inbox (committed before the answer), route and sell it; answers with the decision, the deliveries and the trace',
    keyed: true,
    schema: { params: flowParams, body: { type: 'object', description: "the lead: the rule file's lead fields" }, response: { 200: LeadAnswer, ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503) } },
  },
  ping: {
    method: 'POST',
    url: '/ping/:flow',
    summary: "Price a source's ping (some lead fields, no personal data): a bid or a reason; no lead is created, no cap counted",
    keyed: true,
    schema: { params: flowParams, body: { type: 'object', description: 'lead fields without personal data' }, response: { 200: PingAnswerBody, ...errors(400, 401, 403, 404, 413, 415, 422, 429, 503) } },
  },
  leadStatus: {
    method: 'GET',
    url: '/leads/:id',
    summary: 'A lead: its state, its decisions and every request made for it',
    keyed: true,
    schema: { params: { type: 'object', required: ['id'], properties: { id: str } }, response: { 200: LeadStatus, ...errors(401, 404, 429) } },
  },
  feedback: {
    method: 'POST',
    url: '/feedback',
    summary: 'A return (within the return window, for an allowed reason) or a conversion of a sold lead; feeds the buyer metrics performance splits and `rank by` read',
    keyed: true,
    schema: { body: FeedbackBody, response: { 200: FeedbackRecorded, ...errors(400, 401, 404, 409, 422, 429) } },
  },
  health: { method: 'GET', url: '/health', summary: 'The process answers', keyed: false, schema: { response: { 200: Health } } },
  ready: { method: 'GET', url: '/ready', summary: 'Ready to take leads: a plan loaded and the store open (503 otherwise)', keyed: false, schema: { response: { 200: Health, 503: Health } } },
  plan: { method: 'GET', url: '/plan', summary: 'The plan in service and the last reload, with its errors when it was refused', keyed: true, schema: { response: { 200: PlanInfoBody, ...errors(401) } } },
  dashboard: { method: 'GET', url: '/dashboard', summary: 'The dashboard page (it polls /dashboard.json; a key goes in the URL fragment: /dashboard#key=…)', keyed: false, schema: { response: {} }, produces: 'text/html' },
  dashboardData: {
    method: 'GET',
    url: '/dashboard.json',
    summary: 'What the dashboard shows: distribution against targets, bids, revenue, buyer health, cap usage, the alerts of the rule file, recent leads with traces, the plan and its last reload',
    keyed: true,
    schema: { response: { 200: anyObject, ...errors(401, 429) } },
  },
  metrics: { method: 'GET', url: '/metrics', summary: 'Prometheus metrics', keyed: false, schema: { response: {} }, produces: 'text/plain' },
  openapi: { method: 'GET', url: '/openapi.json', summary: 'This description', keyed: false, schema: { response: { 200: anyObject } } },
} as const satisfies Record<string, RouteSpec>;
