// The mock buyers' configuration (examples/mock-buyers.json): its types, its JSON
// Schema, and validation with ajv plus the checks a schema cannot say (unique
// names and ports, min ≤ max, fault rates that add up to at most 1).

import { Ajv, type ErrorObject } from 'ajv';
import type { Distribution } from './distributions.js';
import type { MockPingAnswer, MockPostAnswer } from './answers.js';

/** How often a request goes wrong instead of being answered normally; each a probability 0..1, summing to at most 1. */
export interface FaultRates {
  /** Answer HTTP 500. */
  error?: number;
  /** Never answer (the connection is dropped after `hangMs`). */
  timeout?: number;
  /** Answer 200 with something unusable: not JSON, a negative price, a price that is a string. */
  garbage?: number;
  /** Reset the connection without answering. */
  reset?: number;
}

export interface MockBidConfig {
  /** The bid before multipliers, in dollars. Default uniform $10..$50. */
  price?: Distribution;
  /** Probability of declining a ping that could be bid on. Default 0. */
  noBidRate?: number;
  /** Probability that a bid is exclusive. Default 0. */
  exclusiveRate?: number;
  /** Exclusive bids are this many times the price drawn. Default 1 (no premium). */
  exclusivePremium?: number;
  /** Probability of answering a ping "duplicate" (the buyer already has the lead), with reason "duplicate". Default 0. */
  duplicateRate?: number;
  /** How the ping answer is worded (format, paths, status words); see answers.ts for the defaults. */
  answer?: MockPingAnswer;
  /** Bid only on pings whose `state` is one of these; others get a no-bid ("out_of_area"). */
  states?: string[];
  /** Per ping field, per value (as a string), a factor on the price: {"electric_bill": {"300+": 1.3}}. */
  multipliers?: Record<string, Record<string, number>>;
  /** Price × (field / pivot) ^ power (power default 1) for a numeric ping field: {"field": "credit_score", "pivot": 700}. */
  scaleBy?: { field: string; pivot: number; power?: number };
}

export interface MockPostConfig {
  /** Probability of a well-formed rejection ({"result":"rejected","reason":…}). Default 0. */
  rejectRate?: number;
  /** Rejection reasons, drawn uniformly. Default duplicate, out_of_area, invalid_phone, cap_reached. */
  reasons?: string[];
  /** Latency of posts; default the buyer's latency. */
  latency?: Distribution;
  /** Faults of posts; default the buyer's faults. */
  faults?: FaultRates;
  /** Reject posts that quote no ping_id of a ping this buyer bid on, the buyer's or the seller's ("unknown_ping"). Default false. */
  requirePing?: boolean;
  /** Probability of answering a post "duplicate" (reason "duplicate"), drawn before a rejection. Default 0. */
  duplicateRate?: number;
  /** A price decided at post time, written in accepted answers (at answer.paths.price). Default none. */
  price?: Distribution;
  /** A URL for the consumer, written in accepted answers (at answer.paths.redirect); `{leadId}` becomes the buyer's lead id. Default none. */
  redirectUrl?: string;
  /** How the post answer is worded (format, paths, status words); see answers.ts for the defaults. */
  answer?: MockPostAnswer;
}

/** A header every ping and post must carry, else the answer is 401. The value is read from an environment variable when the servers start: no secret sits in the configuration. */
export interface MockRequireHeader {
  /** Header name (case-insensitive), e.g. "Authorization". */
  name: string;
  /** The environment variable holding the expected value, e.g. "SOLARCO_TOKEN". */
  valueFromEnv: string;
  /** Text expected before the value, e.g. "Bearer ". Default "". */
  prefix?: string;
}

export interface MockBuyerConfig {
  /** Names the buyer in output and in stats. */
  name: string;
  /** Port on 127.0.0.1; 0 (the default) takes any free port. */
  port?: number;
  /** Time to answer, in ms. Default 0. */
  latency?: Distribution;
  bid?: MockBidConfig;
  post?: MockPostConfig;
  /** Faults of pings (and posts, unless post.faults says otherwise). */
  faults?: FaultRates;
  /** Answer 401 to pings and posts without this header. Default none. */
  requireHeader?: MockRequireHeader;
}

export interface MockBuyersConfig {
  /** Seeds every buyer's answers. Default 1. */
  seed?: number | string;
  /** How many recent requests each buyer keeps (bodies included) for inspection. Default 100. */
  keep?: number;
  /** How long a request chosen to time out is held before its connection is dropped. Default 30000 ms. */
  hangMs?: number;
  buyers: MockBuyerConfig[];
}

const distribution = {
  anyOf: [
    { type: 'number', minimum: 0 },
    {
      type: 'object',
      properties: { dist: { const: 'fixed' }, value: { type: 'number', minimum: 0 } },
      required: ['dist', 'value'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { dist: { const: 'uniform' }, min: { type: 'number', minimum: 0 }, max: { type: 'number', minimum: 0 } },
      required: ['dist', 'min', 'max'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        dist: { const: 'normal' },
        mean: { type: 'number' },
        sd: { type: 'number', minimum: 0 },
        min: { type: 'number', minimum: 0 },
        max: { type: 'number', minimum: 0 },
      },
      required: ['dist', 'mean', 'sd'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        dist: { const: 'lognormal' },
        median: { type: 'number', exclusiveMinimum: 0 },
        sigma: { type: 'number', minimum: 0 },
        min: { type: 'number', minimum: 0 },
        max: { type: 'number', minimum: 0 },
      },
      required: ['dist', 'median', 'sigma'],
      additionalProperties: false,
    },
  ],
};

const rate = { type: 'number', minimum: 0, maximum: 1 };

// A dotted path ("bid.amount"), or null to leave the value out (pattern applies to strings only).
const path = { type: ['string', 'null'], pattern: '^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*$' };
const format = { enum: ['json', 'xml', 'form', 'text'] };
const word = { type: ['string', 'boolean'] };

const pingAnswer = {
  type: 'object',
  properties: {
    format,
    priceAsText: { type: 'boolean' },
    paths: {
      type: 'object',
      properties: { status: path, price: path, reason: path, id: path, bidId: path, exclusive: path },
      additionalProperties: false,
    },
    words: { type: 'object', properties: { bid: word, noBid: word, duplicate: word }, additionalProperties: false },
  },
  additionalProperties: false,
};

const postAnswer = {
  type: 'object',
  properties: {
    format,
    priceAsText: { type: 'boolean' },
    paths: {
      type: 'object',
      properties: { status: path, reason: path, leadId: path, redirect: path, price: path },
      additionalProperties: false,
    },
    words: { type: 'object', properties: { accepted: word, rejected: word, duplicate: word }, additionalProperties: false },
  },
  additionalProperties: false,
};

const faults = {
  type: 'object',
  properties: { error: rate, timeout: rate, garbage: rate, reset: rate },
  additionalProperties: false,
};

export const MOCK_BUYERS_SCHEMA = {
  $id: 'leadroute:mock-buyers',
  type: 'object',
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string' },
    seed: { type: ['integer', 'string'] },
    keep: { type: 'integer', minimum: 0, maximum: 100000 },
    hangMs: { type: 'integer', minimum: 0 },
    buyers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
          description: { type: 'string' },
          port: { type: 'integer', minimum: 0, maximum: 65535 },
          latency: distribution,
          faults,
          requireHeader: {
            type: 'object',
            properties: {
              name: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
              valueFromEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
              prefix: { type: 'string' },
            },
            required: ['name', 'valueFromEnv'],
            additionalProperties: false,
          },
          bid: {
            type: 'object',
            properties: {
              price: distribution,
              noBidRate: rate,
              exclusiveRate: rate,
              exclusivePremium: { type: 'number', minimum: 0 },
              duplicateRate: rate,
              answer: pingAnswer,
              states: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } },
              multipliers: {
                type: 'object',
                additionalProperties: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
              },
              scaleBy: {
                type: 'object',
                properties: { field: { type: 'string' }, pivot: { type: 'number', exclusiveMinimum: 0 }, power: { type: 'number' } },
                required: ['field', 'pivot'],
                additionalProperties: false,
              },
            },
            additionalProperties: false,
          },
          post: {
            type: 'object',
            properties: {
              rejectRate: rate,
              reasons: { type: 'array', minItems: 1, items: { type: 'string' } },
              latency: distribution,
              faults,
              requirePing: { type: 'boolean' },
              duplicateRate: rate,
              price: distribution,
              redirectUrl: { type: 'string', pattern: '^https?://' },
              answer: postAnswer,
            },
            additionalProperties: false,
          },
        },
        required: ['name'],
        additionalProperties: false,
      },
    },
  },
  required: ['buyers'],
  additionalProperties: false,
} as const;

export class MockConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid mock buyer configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MockConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateSchema = ajv.compile(MOCK_BUYERS_SCHEMA);

/** "/buyers/2/bid/price" → "buyers[2].bid.price" (with the buyer's name when known). */
function where(path: string, root: unknown): string {
  const parts = path.split('/').slice(1);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (/^\d+$/.test(p)) {
      out += `[${p}]`;
      if (parts[i - 1] === 'buyers' && i === 1) {
        const name = (root as { buyers?: { name?: unknown }[] }).buyers?.[Number(p)]?.name;
        if (typeof name === 'string') out += ` (${name})`;
      }
    } else out += out === '' ? p : `.${p}`;
  }
  return out === '' ? 'the configuration' : out;
}

function describeErrors(errors: ErrorObject[], root: unknown): string[] {
  // anyOf over distribution shapes produces one error per branch; say it once.
  const seen = new Set<string>();
  const out: string[] = [];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    let msg: string;
    if (anyOfPaths.has(e.instancePath) || [...anyOfPaths].some((p) => e.instancePath.startsWith(p + '/'))) {
      const base = [...anyOfPaths].find((p) => e.instancePath === p || e.instancePath.startsWith(p + '/'))!;
      msg = `${where(base, root)}: must be a number, or {"dist": "fixed", "value"}, {"dist": "uniform", "min", "max"}, {"dist": "normal", "mean", "sd"} or {"dist": "lognormal", "median", "sigma"}`;
    } else if (e.keyword === 'additionalProperties') {
      msg = `${where(e.instancePath, root)}: unknown key \`${(e.params as { additionalProperty: string }).additionalProperty}\``;
    } else if (e.keyword === 'required') {
      msg = `${where(e.instancePath, root)}: missing \`${(e.params as { missingProperty: string }).missingProperty}\``;
    } else {
      msg = `${where(e.instancePath, root)}: ${e.message ?? 'is invalid'}`;
    }
    if (!seen.has(msg)) {
      seen.add(msg);
      out.push(msg);
    }
  }
  return out;
}

function checkDistribution(d: Distribution | undefined, at: string, problems: string[]): void {
  if (d === undefined || typeof d === 'number') return;
  if (d.dist === 'uniform' && d.min > d.max) problems.push(`${at}: min ${d.min} is above max ${d.max}`);
  if ((d.dist === 'normal' || d.dist === 'lognormal') && d.min !== undefined && d.max !== undefined && d.min > d.max) {
    problems.push(`${at}: min ${d.min} is above max ${d.max}`);
  }
}

function checkFaults(f: FaultRates | undefined, at: string, problems: string[]): void {
  if (!f) return;
  const sum = (f.error ?? 0) + (f.timeout ?? 0) + (f.garbage ?? 0) + (f.reset ?? 0);
  if (sum > 1 + 1e-9) problems.push(`${at}: the fault rates add up to ${+sum.toFixed(4)}, more than 1`);
}

/** Validate a parsed configuration; throws MockConfigError listing every problem. */
export function validateMockConfig(json: unknown): MockBuyersConfig {
  if (!validateSchema(json)) throw new MockConfigError(describeErrors(validateSchema.errors ?? [], json));
  const config = json as unknown as MockBuyersConfig;
  const problems: string[] = [];
  const names = new Map<string, number>();
  const ports = new Map<number, string>();
  config.buyers.forEach((b, i) => {
    const at = `buyers[${i}] (${b.name})`;
    if (names.has(b.name)) problems.push(`${at}: the name \`${b.name}\` is already used by buyers[${names.get(b.name)}]`);
    names.set(b.name, i);
    if (b.port !== undefined && b.port !== 0) {
      const other = ports.get(b.port);
      if (other !== undefined) problems.push(`${at}: port ${b.port} is already used by ${other}`);
      ports.set(b.port, b.name);
    }
    checkDistribution(b.latency, `${at}.latency`, problems);
    checkDistribution(b.bid?.price, `${at}.bid.price`, problems);
    checkDistribution(b.post?.latency, `${at}.post.latency`, problems);
    checkDistribution(b.post?.price, `${at}.post.price`, problems);
    checkFaults(b.faults, `${at}.faults`, problems);
    checkFaults(b.post?.faults, `${at}.post.faults`, problems);
  });
  if (problems.length > 0) throw new MockConfigError(problems);
  return config;
}

/** Parse and validate a configuration file's text. */
export function parseMockConfig(text: string, file = 'configuration'): MockBuyersConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MockConfigError([`${file} is not valid JSON: ${(err as Error).message}`]);
  }
  return validateMockConfig(json);
}

/** The same configuration with every buyer on an ephemeral port. */
export function withEphemeralPorts(config: MockBuyersConfig): MockBuyersConfig {
  return { ...config, buyers: config.buyers.map((b) => ({ ...b, port: 0 })) };
}

/**
 * Every key a configuration may hold, as dotted paths (`buyers[].bid.answer.format`),
 * walked from the schema: docs/MOCK-BUYERS.md documents exactly these (a test
 * compares its key table with this list).
 */
export function mockConfigKeys(): string[] {
  const keys: string[] = [];
  const walk = (schema: unknown, prefix: string) => {
    const s = schema as { properties?: Record<string, unknown>; items?: unknown };
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const path = `${prefix}${key}`;
      const child = sub as { type?: unknown; properties?: unknown; items?: { properties?: unknown } };
      if (child.type === 'array' && child.items?.properties) {
        keys.push(`${path}[]`);
        walk(child.items, `${path}[].`);
      } else {
        keys.push(path);
        if (child.properties) walk(child, `${path}.`);
      }
    }
  };
  walk(MOCK_BUYERS_SCHEMA, '');
  return keys;
}
