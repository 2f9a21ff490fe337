// The clause table's type makes a missing clause kind, phase or trait a
// compile error. Two proofs, as for the routing models (test/models/registry.test.ts):
// 1. The `@ts-expect-error` lines below are checked by `npx tsc --noEmit`
//    (tsconfig.json includes test/): if a broken table ever compiled, the
//    directive would be unused and the build would fail.
// 2. The test compiles a broken table with the TypeScript compiler and reads
//    the error it gives, next to the same table complete, which compiles.
// Then the traits and the refusal order agree with each other.

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { typeErrors } from '../helpers/type-errors.js';
import { CLAUSES, REFUSAL_ORDER, type ClauseKind, type ClauseRegistry } from '../../src/clauses/index.js';
import { hoursClause } from '../../src/clauses/hours.js';

const { emit: _emit, ...hoursWithoutEmit } = hoursClause;
// @ts-expect-error -- `hours` has no `emit` phase
const missingPhase = { ...CLAUSES, hours: hoursWithoutEmit } satisfies ClauseRegistry;

const { dedupe: _dedupe, ...withoutDedupe } = CLAUSES;
// @ts-expect-error -- the `dedupe` kind has no module
const missingKind = withoutDedupe satisfies ClauseRegistry;

const { canRefuse: _canRefuse, ...traitsWithoutCanRefuse } = hoursClause.traits;
// @ts-expect-error -- `hours` declares no `canRefuse` trait
const missingTrait = { ...CLAUSES, hours: { ...hoursClause, traits: traitsWithoutCanRefuse } } satisfies ClauseRegistry;

// @ts-expect-error -- a module for one kind in another kind's place
const wrongModule = { ...CLAUSES, holidays: CLAUSES.hours } satisfies ClauseRegistry;

const here = dirname(fileURLToPath(import.meta.url));

describe('the buyer clause table', () => {
  it('has a module for every clause kind, each under its own kind', () => {
    for (const [kind, module] of Object.entries(CLAUSES)) expect(module.kind).toBe(kind);
    // The expected failures above are values too; they exist only for the type checker.
    expect([missingPhase, missingKind, missingTrait, wrongModule, _emit, _dedupe, _canRefuse].every((x) => x !== null)).toBe(true);
  });

  it('runs a refusal for exactly the clauses that can refuse, each once, cap (which sets the price) last', () => {
    const refusing = (Object.keys(CLAUSES) as ClauseKind[]).filter((k) => CLAUSES[k].refusal !== null);
    const canRefuse = (Object.keys(CLAUSES) as ClauseKind[]).filter((k) => CLAUSES[k].traits.canRefuse);
    expect([...REFUSAL_ORDER].sort()).toEqual([...refusing].sort());
    expect(new Set(REFUSAL_ORDER).size).toBe(REFUSAL_ORDER.length);
    expect(canRefuse.sort()).toEqual([...refusing].sort());
    expect(REFUSAL_ORDER.at(-1)).toBe('cap');
  });

  it('marks the selling clauses, which the router does not load', () => {
    const selling = (Object.keys(CLAUSES) as ClauseKind[]).filter((k) => CLAUSES[k].traits.selling);
    expect(selling.sort()).toEqual(['batch', 'bid', 'breaker', 'delay', 'pixel', 'ping', 'post', 'sale'].sort());
    for (const k of selling) expect(CLAUSES[k].traits.canRefuse).toBe(false);
  });

  it('fails to compile when a clause misses a phase, and compiles when it has them all', () => {
    // One program (type-checking is the slow part): a complete table on line 4, a broken one on line 6.
    const errors = typeErrors(
      here,
      [
        "import { CLAUSES, type ClauseRegistry } from '@src/clauses/index.js';",
        "import { acceptsClause } from '@src/clauses/accepts.js';",
        'const accepts = { ...acceptsClause };',
        'export const complete = { ...CLAUSES, accepts } satisfies ClauseRegistry;',
        'const { load: _load, ...noLoad } = acceptsClause;',
        'export const broken = { ...CLAUSES, accepts: noLoad } satisfies ClauseRegistry;',
      ].join('\n'),
    );
    expect(errors.map((e) => e.line)).toEqual([6]);
    expect(errors[0]!.message).toMatch(/Property 'load' is missing/);
  }, 120_000);
});
