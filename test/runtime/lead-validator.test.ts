// leadValidator checks a compiled lead schema's `required` list on the side
// (src/runtime/lead-validator.ts). Its answers and errors must be ajv's own on
// the whole schema: compared here with the validator of the same schema plus
// `minProperties: 0`, a key that never fails and sends it down the plain ajv
// path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadValidator } from '../../src/runtime/lead-validator.js';
import { loadPlan } from '../../src/index.js';
import { planOf } from '../helpers/lang.js';

const FIELDS: readonly (readonly [string, string])[] = [
  ['id', 'string'],
  ['state', 'state'],
  ['zip', 'zip'],
  ['owner', 'bool'],
  ['bill', '"low" | "high"'],
  ['score', 'int 300..850'],
  ['amount', 'money'],
  ['at', 'time'],
  ['email', 'email pii'],
  ['tags', 'list string'],
];

/** A lead schema as compile writes it, with some fields optional. */
const schemaArb = fc.array(fc.boolean(), { minLength: FIELDS.length, maxLength: FIELDS.length }).map((optional) => {
  const lead = `lead {\n${FIELDS.map(([n, t], i) => `  ${n}: ${t}${optional[i] ? ' optional' : ''}`).join('\n')}\n}`;
  return planOf(`${lead}\nbuyer A { price $1 }\nflow f { route A }`).lead.schema as Record<string, unknown>;
});

const value = fc.oneof(
  fc.constantFrom('CA', 'XX', '94103', '9410', 'a@b.co', 'nope', '2026-11-23T15:00:00Z', 'low', 'high', ''),
  fc.integer({ min: 200, max: 900 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom('x', 1, null), { maxLength: 2 }),
);
const leadArb = fc.oneof(
  { weight: 9, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS.map(([n]) => n), 'extra', 'toString', '__proto__'), value) },
  { weight: 1, arbitrary: fc.constantFrom(null, [], 'a lead', 7, [{ id: 'x' }]) },
);

describe('leadValidator', () => {
  it('answers as ajv does on the whole schema, with the same errors in the same order', () => {
    fc.assert(
      fc.property(schemaArb, fc.array(leadArb, { minLength: 1, maxLength: 5 }), (schema, leads) => {
        expect(schema.required, 'the shape checked on the side').toBeDefined();
        const side = leadValidator(schema);
        const whole = leadValidator({ ...schema, minProperties: 0 });
        for (const lead of leads) {
          const valid = whole(lead);
          expect(side(lead), JSON.stringify(lead)).toBe(valid);
          expect(side.errors ?? null, JSON.stringify(lead)).toEqual(whole.errors ?? null);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names every missing field of a loaded plan, before its bad values', () => {
    const plan = loadPlan(planOf(`lead {\n  id: string\n  score: int 300..850\n  zip: zip\n}\nbuyer A { price $1 }\nflow f { route A }`));
    expect(plan.validateLead({ score: 5 })).toEqual([
      { field: 'id', message: 'is required' },
      { field: 'zip', message: 'is required' },
      { field: 'score', message: 'must be >= 300' },
    ]);
    expect(plan.validateLead('a lead')).toEqual([{ field: 'lead', message: 'must be object' }]);
  });
});
