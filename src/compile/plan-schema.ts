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
      },
    },
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
