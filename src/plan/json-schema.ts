// PLAN_JSON_SCHEMA: the plan's JSON Schema (draft-07, as understood by ajv 8),
// derived from the TypeBox declaration in ./declaration.ts (with the models'
// action schemas: src/models/plan.ts calls `planJsonSchema`). TypeBox already
// emits JSON Schema; this pass only rewrites three shapes so a validator's
// errors stay precise:
//   - a union of objects tagged by one property (`kind`, `op`) becomes an `enum`
//     on the tag plus one `if {tag: const} then {exact shape}` per variant, so the
//     errors are those of the variant the object claims to be, not of every variant;
//   - a union of string literals becomes an `enum` ("must be one of …"), and one
//     of bare types a `type` list;
//   - `X | null` becomes `type: [X's type, 'null']` (or if-object-then-X), so a
//     wrong value gets one error instead of one per alternative;
// and it moves the recursive declarations (`$id`) into `definitions`, and drops
// the verifier's reference marks (`x-ref`), which are not JSON Schema.

import type { TSchema } from '@sinclair/typebox';
import { FieldTypeSchema, PlanExprSchema, REF_MARK } from './declaration.js';

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The tag shared by every variant (a property each declares as a `const`), if any. */
function unionTag(members: Json[]): string | undefined {
  const first = members[0];
  if (first === undefined || !isObject(first.properties)) return undefined;
  return Object.keys(first.properties).find((key) =>
    members.every((m) => isObject(m.properties) && isObject(m.properties[key]) && 'const' in m.properties[key]),
  );
}

/** How a tagged union picks its variant: portable `if`/`then` per variant, or
 *  ajv's `discriminator` (OpenAPI's keyword: the same errors, found without
 *  trying each variant, so about twice as fast on a large plan). */
export type Dispatch = 'if-then' | 'discriminator';

function taggedUnion(tag: string, members: Json[], dispatch: Dispatch): Json {
  const constOf = (m: Json) => ((m.properties as Json)[tag] as Json).const;
  const head = { type: 'object', required: [tag], properties: { [tag]: { enum: members.map(constOf) } } };
  if (dispatch === 'discriminator') return { ...head, discriminator: { propertyName: tag }, oneOf: members };
  return { ...head, allOf: members.map((m) => ({ if: { required: [tag], properties: { [tag]: { const: constOf(m) } } }, then: m })) };
}

function nullableOf(schema: Json): Json {
  if (typeof schema.$ref === 'string' || schema.type === 'object') return { type: ['object', 'null'], if: { type: 'object' }, then: schema };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

function unionOf(members: Json[], dispatch: Dispatch): Json {
  const nonNull = members.filter((m) => m.type !== 'null');
  if (nonNull.length === 1 && members.length === 2) return nullableOf(nonNull[0]!);
  if (members.every((m) => 'const' in m)) return { enum: members.map((m) => m.const) };
  if (members.every((m) => typeof m.type === 'string' && Object.keys(m).length === 1)) return { type: members.map((m) => m.type) };
  if (members.every((m) => m.type === 'object')) {
    const tag = unionTag(members);
    if (tag !== undefined) return taggedUnion(tag, members, dispatch);
  }
  return { anyOf: members };
}

/** Rewrites one TypeBox schema (already plain JSON) and, in `definitions`, the `$id`s it declares. */
function rewrite(node: unknown, definitions: Json, dispatch: Dispatch): unknown {
  if (Array.isArray(node)) return node.map((x) => rewrite(x, definitions, dispatch));
  if (!isObject(node)) return node;
  if (typeof node.$id === 'string') {
    const { $id, ...rest } = node;
    if (!(node.$id in definitions)) {
      definitions[node.$id] = {}; // reserved first: the declaration refers to itself
      definitions[node.$id] = rewrite(rest, definitions, dispatch);
    }
    return { $ref: `#/definitions/${$id as string}` };
  }
  if (typeof node.$ref === 'string') return { $ref: `#/definitions/${node.$ref}` };
  if (Array.isArray(node.anyOf)) return unionOf(node.anyOf.map((m) => rewrite(m, definitions, dispatch) as Json), dispatch);
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) if (key !== REF_MARK) out[key] = rewrite(value, definitions, dispatch);
  return out;
}

/** The JSON Schema of a plan schema built by `planSchemaFor`: `if-then` for any
 *  draft-07 validator (PLAN_JSON_SCHEMA), `discriminator` for the verifier's ajv. */
export function planJsonSchema(planSchema: TSchema, dispatch: Dispatch): Readonly<Json> {
  const definitions: Json = {};
  // JSON round trip: drops TypeBox's symbol-keyed metadata, leaving the schema.
  const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema));
  // The recursive declarations, which the rest refers to by `$ref` only.
  for (const declared of [FieldTypeSchema, PlanExprSchema]) rewrite(plain(declared), definitions, dispatch);
  const root = rewrite(plain(planSchema), definitions, dispatch) as Json;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://leadroute.dev/schema/plan-1.json',
    title: 'leadroute routing plan',
    ...root,
    definitions,
  };
}
