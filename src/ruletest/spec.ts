// The test file beside a rule file (`solar.test.yaml` next to `solar.route`),
// declared once with TypeBox: its TypeScript types and the JSON Schema ajv
// checks it against come from this one declaration. docs/TESTING.md documents
// every key; `testFileKeys()` walks this schema so a test can hold the two
// together.

import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Text = Type.String({ minLength: 1 });
/** A lead or part of one: plain JSON, checked by the rule file's own lead schema when routed. */
const LeadPart = Type.Record(Type.String(), Type.Unknown());
const Seed = Type.Union([Type.String(), Type.Integer()]);

/** Where and when a lead is routed: shared by cases, distributions and the file's defaults. */
const routing = {
  /** Routing time: `2026-11-24T08:59` (read in `zone`, UTC without one) or an ISO time with Z or an offset. */
  at: Type.Optional(Text),
  zone: Type.Optional(Text),
  flow: Type.Optional(Text),
  seed: Type.Optional(Seed),
};

/** A buyer's (or a rule's) cap counters before the lead: `full`, every counter at N, or per cap (`100/h: 100`, as `:cap`). */
const CapSetting = Type.Union([
  Type.Literal('full'),
  Type.Number({ minimum: 0 }),
  Type.Record(Type.String({ pattern: '^\\$?\\d+(\\.\\d+)?/[a-z]+$' }), Type.Number({ minimum: 0 })),
]);

/** A pinged buyer's simulated answer: a price, `none` (no bid), or a price that asks for the lead alone. */
const BidSetting = Type.Union([
  Type.Literal('none'),
  Type.Number({ minimum: 0 }),
  Type.Object({ price: Type.Number({ minimum: 0 }), exclusive: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
]);

const Status = Type.Union(['routed', 'unrouted', 'rejected', 'held', 'auction'].map((s) => Type.Literal(s)));

export const CaseExpect = Type.Object(
  {
    status: Type.Optional(Status),
    /** The buyers sold to, in order; `none` or `unsold` (or an empty list) for no sale. */
    buyers: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('unsold'), Type.Array(Text)])),
    /** The decision's price: the sum of the buyers' prices, dollars. */
    price: Type.Optional(Type.Number()),
    exclusive: Type.Optional(Type.Boolean()),
    /** The id of the rule that placed the lead (`solar#0`). */
    rule: Type.Optional(Text),
    /** Why the lead was not sold: a part of the decision's reason (case ignored), or a trace code of its trace (`NoRulePlaced`, `Rejected`, `LeadInvalid`). */
    reason: Type.Optional(Text),
    /** Per buyer, why it passed the lead over: a trace code (`CapExceeded`) or a substring of the trace line about it. */
    skipped: Type.Optional(Type.Record(Type.String(), Text)),
    /** Trace codes or substrings of trace lines that must appear, each in some line. */
    trace: Type.Optional(Type.Array(Text)),
    /** Lead fields a fallback chain rewrote, with their values. */
    rewrites: Type.Optional(LeadPart),
    /** For a held lead: when its buyer opens (an ISO time). */
    holdUntil: Type.Optional(Text),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const TestCase = Type.Object(
  {
    name: Text,
    lead: Type.Optional(LeadPart),
    ...routing,
    /** Route with the first seed under which this lead's `random` is this number (1..100); not with `seed`. */
    random: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    caps: Type.Optional(Type.Record(Type.String(), CapSetting)),
    /** Leads routed first, at the same time and on the same counters (dedupe, caps). */
    before: Type.Optional(Type.Array(LeadPart)),
    bids: Type.Optional(Type.Record(Type.String(), BidSetting)),
    /** Buyers that refused this lead at delivery: routing passes them over, as the Seller's re-route does. */
    exclude: Type.Optional(Type.Array(Text)),
    expect: CaseExpect,
  },
  { additionalProperties: false },
);

export const Distribution = Type.Object(
  {
    name: Text,
    /** A JSON-lines file of leads, relative to the test file. */
    leads: Type.Optional(Text),
    /** Or leads generated for the rule file's lead schema (src/sim), each merged with `lead`. */
    generate: Type.Optional(
      Type.Object(
        { count: Type.Integer({ minimum: 1, maximum: 100_000 }), seed: Type.Optional(Seed), lead: Type.Optional(LeadPart) },
        { additionalProperties: false },
      ),
    ),
    ...routing,
    /** Leads an hour on the simulated clock (the simulator's default, 600, when absent). */
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    expect: Type.Object(
      {
        /** Percent of the leads that entered the flow, per buyer; `unsold` for the leads no buyer took. */
        shares: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 100 }), { minProperties: 1 }),
        /** How far a share may be from its expectation, in percentage points. */
        tolerance: Type.Number({ minimum: 0, maximum: 100 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const TestFileSchema = Type.Object(
  {
    /** The rule file, relative to the test file; by default NAME.route beside NAME.test.yaml. */
    rules: Type.Optional(Text),
    defaults: Type.Optional(Type.Object({ lead: Type.Optional(LeadPart), ...routing }, { additionalProperties: false })),
    cases: Type.Optional(Type.Array(TestCase)),
    distributions: Type.Optional(Type.Array(Distribution)),
    coverage: Type.Optional(
      Type.Object(
        {
          /** Branches no lead can take, left out of the coverage with the reason why (each must match a branch). */
          ignore: Type.Array(Type.Object({ branch: Text, reason: Text }, { additionalProperties: false }), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type TestFileJson = Static<typeof TestFileSchema>;
export type TestCaseJson = Static<typeof TestCase>;
export type CaseExpectJson = Static<typeof CaseExpect>;
export type DistributionJson = Static<typeof Distribution>;
export type CapSettingJson = Static<typeof CapSetting>;
export type BidSettingJson = Static<typeof BidSetting>;

/** Every key a test file may hold, as dotted paths (`cases[].expect.buyers`), walked from the schema. */
export function testFileKeys(): string[] {
  const keys: string[] = [];
  const walk = (schema: TSchema, at: string) => {
    const s = schema as { type?: unknown; properties?: Record<string, TSchema>; items?: TSchema; anyOf?: TSchema[] };
    if (s.anyOf) for (const member of s.anyOf) walk(member, at);
    if (s.items) walk(s.items, `${at}[]`);
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const path = at === '' ? key : `${at}.${key}`;
      if (!keys.includes(path)) keys.push(path);
      walk(sub, path);
    }
  };
  walk(TestFileSchema, '');
  return keys;
}
