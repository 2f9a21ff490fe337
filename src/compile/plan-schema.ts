// JSON Schema (draft-07, as understood by ajv 8) for a routing plan: the `Plan`
// type of ./plan.ts, precisely. Tagged unions (`FieldType.kind`, `PlanExpr.op`,
// `PlanAction.kind`) are written as an `enum` on the tag plus one
// `if {tag: const} then {exact shape}` per variant, so a validator reports the
// errors of the variant the object claims to be rather than of every variant.

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/definitions/${name}` });
const nullable = (name: string): Json => ({
  type: ['object', 'null'],
  if: { type: 'object' },
  then: ref(name),
});

/** A tagged union: `tag` must be one of the variants; each variant's shape is exact. */
function taggedUnion(tag: string, variants: Record<string, { required?: string[]; properties?: Record<string, Json> }>): Json {
  return {
    type: 'object',
    required: [tag],
    properties: { [tag]: { enum: Object.keys(variants) } },
    allOf: Object.entries(variants).map(([name, v]) => ({
      if: { required: [tag], properties: { [tag]: { const: name } } },
      then: {
        required: [tag, ...(v.required ?? [])],
        properties: { [tag]: { const: name }, ...(v.properties ?? {}) },
        additionalProperties: false,
      },
    })),
  };
}

/** `null` or an object of the given (exact) shape. */
const nullableObject = (schema: Json): Json => ({ type: ['object', 'null'], if: { type: 'object' }, then: schema });

/** An object with exactly these properties, all required unless listed in `optional`. */
function exact(properties: Record<string, Json>, optional: string[] = []): Json {
  return {
    type: 'object',
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
    properties,
  };
}

const nullableString = { type: ['string', 'null'] };
const nonNegative = { type: 'number', minimum: 0 };
const names = { type: 'array', items: { type: 'string', minLength: 1 } };

const rangeProps = { min: { type: 'number' }, max: { type: 'number' } };

const exprArray = { type: 'array', items: ref('expr') };

export const PLAN_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leadroute.dev/schema/plan-1.json',
  title: 'leadroute routing plan',
  type: 'object',
  required: ['leadroute', 'version', 'file', 'lead', 'buyers', 'flows', 'defaultFlow'],
  additionalProperties: false,
  properties: {
    leadroute: { const: 'plan' },
    version: { const: 1 },
    file: { type: 'string' },
    lead: {
      type: 'object',
      required: ['fields', 'schema'],
      additionalProperties: false,
      properties: {
        fields: { type: 'array', items: ref('field') },
        schema: { type: 'object' },
      },
    },
    buyers: { type: 'array', items: ref('buyer') },
    flows: { type: 'array', minItems: 1, items: ref('flow') },
    defaultFlow: { type: 'string', minLength: 1 },
  },
  definitions: {
    name: { type: 'string', minLength: 1 },
    source: {
      type: 'object',
      required: ['file', 'line', 'col'],
      additionalProperties: false,
      properties: {
        file: { type: 'string' },
        line: { type: 'integer', minimum: 0 },
        col: { type: 'integer', minimum: 0 },
      },
    },
    fieldType: taggedUnion('kind', {
      int: { properties: rangeProps },
      number: { properties: rangeProps },
      money: { properties: rangeProps },
      string: {},
      bool: {},
      enum: { required: ['values'], properties: { values: { type: 'array', items: { type: 'string' } } } },
      state: {},
      zip: {},
      email: {},
      phone: {},
      time: {},
      list: { required: ['of'], properties: { of: ref('fieldType') } },
    }),
    field: {
      type: 'object',
      required: ['name', 'type', 'pii', 'optional'],
      additionalProperties: false,
      properties: {
        name: ref('name'),
        type: ref('fieldType'),
        pii: { type: 'boolean' },
        optional: { type: 'boolean' },
      },
    },
    value: { type: ['number', 'string', 'boolean'] },
    expr: taggedUnion('op', {
      lit: { required: ['value'], properties: { value: ref('value') } },
      list: { required: ['items'], properties: { items: exprArray } },
      field: { required: ['name'], properties: { name: ref('name') } },
      random: {},
      not: { required: ['arg'], properties: { arg: ref('expr') } },
      neg: { required: ['arg'], properties: { arg: ref('expr') } },
      arith: {
        required: ['fn', 'left', 'right'],
        properties: { fn: { enum: ['+', '-', '*', '/'] }, left: ref('expr'), right: ref('expr') },
      },
      compare: {
        required: ['fn', 'left', 'right'],
        properties: { fn: { enum: ['==', '!=', '<', '<=', '>', '>='] }, left: ref('expr'), right: ref('expr') },
      },
      and: { required: ['args'], properties: { args: exprArray } },
      or: { required: ['args'], properties: { args: exprArray } },
      in: {
        required: ['value', 'list', 'negated'],
        properties: { value: ref('expr'), list: ref('expr'), negated: { type: 'boolean' } },
      },
      between: {
        required: ['value', 'low', 'high'],
        properties: { value: ref('expr'), low: ref('expr'), high: ref('expr') },
      },
      call: { required: ['fn', 'args'], properties: { fn: ref('name'), args: exprArray } },
    }),
    condition: {
      type: 'object',
      required: ['expr', 'text'],
      additionalProperties: false,
      properties: { expr: ref('expr'), text: { type: 'string' } },
    },
    cap: {
      type: 'object',
      required: ['measure', 'limit', 'unit'],
      additionalProperties: false,
      properties: {
        measure: { enum: ['leads', 'dollars'] },
        limit: { type: 'number', exclusiveMinimum: 0 },
        unit: { enum: ['minute', 'hour', 'day', 'week', 'month'] },
      },
    },
    caps: { type: 'array', items: ref('cap') },
    hours: {
      type: 'object',
      required: ['days', 'from', 'to', 'zone'],
      additionalProperties: false,
      properties: {
        days: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: 7 } },
        from: { type: 'integer', minimum: 0, maximum: 1440 },
        to: { type: 'integer', minimum: 0, maximum: 1440 },
        zone: ref('name'),
      },
    },
    buyer: {
      type: 'object',
      required: ['name', 'accepts', 'price', 'caps', 'hours', 'zone', 'overflow', 'source'],
      additionalProperties: false,
      properties: {
        name: ref('name'),
        accepts: { type: 'array', items: ref('condition') },
        price: nullable('expr'),
        caps: ref('caps'),
        hours: { type: 'array', items: ref('hours') },
        zone: ref('name'),
        overflow: { anyOf: [ref('name'), { type: 'null' }] },
        source: ref('source'),
        // Routing models (optional).
        prefers: {
          type: 'array',
          items: exact({ expr: ref('expr'), text: { type: 'string' }, weight: nonNegative }),
        },
        relationship: { type: 'number', minimum: 0, maximum: 1 },
        holidays: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$' } },
        offHours: taggedUnion('kind', {
          skip: {},
          hold: {},
          send: { required: ['buyer'], properties: { buyer: ref('name') } },
        }),
        dedupe: nullableObject(
          exact({
            fields: { type: 'array', minItems: 1, items: ref('name') },
            windowMs: { type: 'number', exclusiveMinimum: 0 },
          }),
        ),
        requires: { type: 'array', items: ref('name') },
        // Selling over HTTP (optional; carried through, used by src/auction and src/deliver).
        ping: nullable('ping'),
        post: nullable('post'),
        backupPost: nullable('post'),
        pixels: { type: 'array', items: ref('pixel') },
        delivery: ref('delivery'),
      },
    },
    template: exact({
      format: { enum: ['json', 'xml', 'form', 'text'] },
      name: { type: 'string' },
      source: { type: 'string' },
    }),
    responseTest: exact({ path: { type: 'string', minLength: 1 }, equals: ref('value') }),
    ping: exact({
      url: { type: 'string', minLength: 1 },
      timeoutMs: { type: 'number', exclusiveMinimum: 0 },
      fields: { anyOf: [names, { type: 'null' }] },
      template: nullable('template'),
      bid: exact({
        accepted: nullable('responseTest'),
        price: { type: 'string', minLength: 1 },
        id: nullableString,
        exclusive: nullableString,
        states: nullableString,
        maxAge: nullableString,
      }),
    }),
    post: exact({
      url: { type: 'string', minLength: 1 },
      timeoutMs: { type: 'number', exclusiveMinimum: 0 },
      retries: { type: 'integer', minimum: 0 },
      backoffMs: nonNegative,
      template: nullable('template'),
      accepted: nullable('responseTest'),
    }),
    pixel: exact({
      url: { type: 'string', minLength: 1 },
      on: { type: 'array', items: { enum: ['sold', 'delivered', 'rejected', 'returned'] } },
      when: nullable('expr'),
    }),
    delivery: exact({
      delayMs: nonNegative,
      batch: nullableObject(
        exact({
          maxCount: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
          maxWaitMs: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }] },
          format: { enum: ['csv', 'json'] },
          to: { type: 'string', minLength: 1 },
        }),
      ),
      breaker: nullableObject(
        exact({ failures: { type: 'integer', minimum: 1 }, cooldownMs: { type: 'number', exclusiveMinimum: 0 } }),
      ),
    }),
    action: taggedUnion('kind', {
      route: {
        required: ['buyer', 'caps', 'overflow'],
        properties: { buyer: ref('name'), caps: ref('caps'), overflow: { anyOf: [ref('name'), { type: 'null' }] } },
      },
      split: {
        required: ['entries'],
        properties: {
          entries: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['buyer', 'weight'],
              additionalProperties: false,
              properties: { buyer: ref('name'), weight: { type: 'number', minimum: 0, maximum: 100 } },
            },
          },
          mode: { enum: ['random', 'fair', 'performance'] },
          performance: nullableObject(
            exact({
              metric: { enum: ['conversion', 'acceptance'] },
              windowMs: { type: 'number', exclusiveMinimum: 0 },
              min: { type: 'number', minimum: 0, maximum: 100 },
              max: { type: 'number', minimum: 0, maximum: 100 },
            }),
          ),
        },
      },
      waterfall: {
        required: ['tiers'],
        properties: {
          tiers: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['buyer', 'when', 'whenText'],
              additionalProperties: false,
              properties: {
                buyer: ref('name'),
                when: nullable('expr'),
                whenText: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
      share: {
        required: ['max', 'entries'],
        properties: {
          max: { type: 'integer', minimum: 1 },
          entries: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['buyer', 'price'],
              additionalProperties: false,
              properties: { buyer: ref('name'), price: nullable('expr') },
            },
          },
        },
      },
      flow: { required: ['flow'], properties: { flow: ref('name') } },
      reject: { required: ['reason'], properties: { reason: { type: 'string' } } },
      rank: {
        required: ['buyers', 'factors', 'min', 'top', 'windowMs'],
        properties: {
          buyers: { type: 'array', minItems: 1, items: ref('name') },
          factors: {
            type: 'array',
            items: exact({
              factor: { enum: ['price', 'quality', 'capacity', 'performance', 'relationship', 'expected_value'] },
              weight: nonNegative,
            }),
          },
          min: { type: ['number', 'null'], minimum: 0, maximum: 1 },
          top: { type: 'integer', minimum: 1 },
          windowMs: nonNegative,
        },
      },
      specialize: {
        required: ['specialists', 'fallback'],
        properties: {
          specialists: {
            type: 'array',
            minItems: 1,
            items: exact({
              buyer: ref('name'),
              when: nullable('expr'),
              whenText: nullableString,
              premium: exact({ kind: { enum: ['percent', 'dollars'] }, amount: { type: 'number' } }),
            }),
          },
          fallback: {
            type: ['object', 'null'],
            if: { type: 'object' },
            then: taggedUnion('kind', {
              buyer: { required: ['buyer'], properties: { buyer: ref('name') } },
              flow: { required: ['flow'], properties: { flow: ref('name') } },
            }),
          },
        },
      },
      fallback: {
        required: ['steps'],
        properties: {
          steps: {
            type: 'array',
            minItems: 1,
            items: exact({
              flow: ref('name'),
              rewrites: {
                type: 'array',
                items: exact({ field: ref('name'), value: ref('expr'), text: { type: 'string' } }),
              },
            }),
          },
        },
      },
      hybrid: {
        required: ['primary', 'secondaries', 'max', 'delayMs'],
        properties: {
          primary: ref('name'),
          secondaries: { type: 'array', items: exact({ buyer: ref('name'), price: nullable('expr') }) },
          max: { type: 'integer', minimum: 1 },
          delayMs: nonNegative,
        },
      },
      auction: {
        required: ['tiers', 'timeoutMs', 'floor', 'exclusiveMin', 'shared', 'rank'],
        properties: {
          tiers: {
            type: 'array',
            minItems: 1,
            items: exact({ buyers: { type: 'array', minItems: 1, items: ref('name') }, floor: nullable('expr') }),
          },
          timeoutMs: { type: 'number', exclusiveMinimum: 0 },
          floor: nullable('expr'),
          exclusiveMin: { type: ['number', 'null'], minimum: 0 },
          shared: { type: 'integer', minimum: 1 },
          rank: nullable('expr'),
        },
      },
    }),
    rule: {
      type: 'object',
      required: ['id', 'when', 'guard', 'text', 'action', 'source'],
      additionalProperties: false,
      properties: {
        id: ref('name'),
        when: nullable('expr'),
        guard: { enum: ['when', 'otherwise', 'always'] },
        text: { type: 'string' },
        action: ref('action'),
        source: ref('source'),
      },
    },
    flow: {
      type: 'object',
      required: ['name', 'rules', 'source'],
      additionalProperties: false,
      properties: {
        name: ref('name'),
        rules: { type: 'array', items: ref('rule') },
        source: ref('source'),
      },
    },
  },
} as const;
