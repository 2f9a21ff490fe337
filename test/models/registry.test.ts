// The model table's type makes a missing construct, phase or trait a compile
// error, and so does an action the syntax table (src/lang/actions.ts) has and
// the model table has not: ModelRegistry is the models the syntax table's
// kinds need. Two proofs:
// 1. The `@ts-expect-error` lines below are checked by `npx tsc --noEmit`
//    (tsconfig.json includes test/): if a broken table ever compiled, the
//    directive would be unused and the build would fail.
// 2. The test compiles a broken table with the TypeScript compiler and reads
//    the error it gives, next to the same table complete, which compiles.

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { typeErrors } from '../helpers/type-errors.js';
import { MODELS, type ModelRegistry } from '../../src/models/index.js';
import { routeModel } from '../../src/models/route.js';

const { load: _load, ...routeWithoutLoad } = routeModel;
// @ts-expect-error -- `route` has no `load` phase
const missingPhase = { ...MODELS, route: routeWithoutLoad } satisfies ModelRegistry;

const { auction: _auction, ...withoutAuction } = MODELS;
// @ts-expect-error -- the `auction` kind has no model
const missingKind = withoutAuction satisfies ModelRegistry;

const { fallsThrough: _fallsThrough, ...traitsWithoutFallsThrough } = routeModel.traits;
// @ts-expect-error -- `route` declares no `fallsThrough` trait
const missingTrait = { ...MODELS, route: { ...routeModel, traits: traitsWithoutFallsThrough } } satisfies ModelRegistry;

// @ts-expect-error -- a model for one kind in another kind's place
const wrongModel = { ...MODELS, share: MODELS.split } satisfies ModelRegistry;

const here = dirname(fileURLToPath(import.meta.url));

describe('the routing model table', () => {
  it('has a model for every action kind, each under its own kind', () => {
    for (const [kind, model] of Object.entries(MODELS)) expect(model.kind).toBe(kind);
    // The expected failures above are values too; they exist only for the type checker.
    expect([missingPhase, missingKind, missingTrait, wrongModel, _load, _auction, _fallsThrough].every((x) => x !== null)).toBe(true);
  });

  it('fails to compile when a construct misses a phase, or an action its model, and compiles when all are there', () => {
    // One program (type-checking is the slow part): a complete table on line 6,
    // one missing a phase on line 8; the same model table checked against the
    // real syntax table on line 13 and against one with an action more on line 14.
    const errors = typeErrors(
      here,
      [
        "import { MODELS, type ModelRegistry, type ModelsFor } from '@src/models/index.js';",
        "import { routeModel } from '@src/models/route.js';",
        "import { ACTION_SYNTAX, syntaxTable, type ActionKindOf } from '@src/lang/actions.js';",
        "import type { Span } from '@src/lang/ast.js';",
        'const route = { ...routeModel };',
        'export const complete = { ...MODELS, route } satisfies ModelRegistry;',
        'const { run: _run, ...noRun } = routeModel;',
        'export const broken = { ...MODELS, route: noRun } satisfies ModelRegistry;',
        'const withPing = syntaxTable({',
        '  ...ACTION_SYNTAX,',
        "  ping: { rule: 'pingAction', rules: {}, build: (_node, b): { kind: 'ping'; span: Span } => ({ kind: 'ping', span: b.nodeSpan(undefined) }) },",
        '});',
        'export const real = MODELS satisfies ModelsFor<ActionKindOf<typeof ACTION_SYNTAX>>;',
        'export const unmodelled = MODELS satisfies ModelsFor<ActionKindOf<typeof withPing>>;',
      ].join('\n'),
    );
    expect(errors.map((e) => e.line)).toEqual([8, 14]);
    expect(errors[0]!.message).toMatch(/Property 'run' is missing/);
    expect(errors[1]!.message).toMatch(/Property 'ping' is missing/);
  }, 120_000);
});
