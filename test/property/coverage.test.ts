// The program generator (./programs.ts) writes its actions and clauses by
// hand, and actions from the corpus files' `# fuzz:` lines. This test reads
// the registries, so a routing model or buyer clause added to the language
// that the generator never writes fails here instead of going unfuzzed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAUSE_KINDS } from '../../src/clauses/index.js';
import { parse } from '../../src/lang/index.js';
import { MODELS } from '../../src/models/index.js';
import { fuzzAction, program } from './programs.js';

/** Enough programs that every kind shows up many times over (each appears in
 *  more than 1 in 30 of them): a missing kind is missing, not unlucky. */
const SAMPLES = 300;

describe('the program generator', () => {
  it('writes every routing model of MODELS and every buyer clause of CLAUSES', () => {
    const actions = new Set<string>();
    const clauses = new Set<string>();
    for (const source of fc.sample(program, { numRuns: SAMPLES, seed: 1 })) {
      const { ast } = parse(source, 'p.route');
      for (const flow of ast.flows) for (const rule of flow.rules) actions.add(rule.action.kind);
      for (const buyer of ast.buyers) for (const clause of buyer.clauses) clauses.add(clause.kind);
    }
    expect(Object.keys(MODELS).filter((k) => !actions.has(k)), 'models the generator never writes (give each a `# fuzz:` line in its corpus file)').toEqual([]);
    expect(CLAUSE_KINDS.filter((k) => !clauses.has(k)), 'clauses the generator never writes').toEqual([]);
  });

  it('writes a `# fuzz:` template with every placeholder drawn afresh, and refuses an unknown one', () => {
    const arb = fuzzAction('pick {buyer} or {buyer} {buyers} when {condition} cap {caps} price {amount} {percent} {number} {duration} then {flow}', ['g']);
    const written = fc.sample(arb!, { numRuns: 50, seed: 2 });
    for (const w of written) expect(w).toMatch(/^pick [A-D] or [A-D] [A-D](, [A-D])* when .+ cap .+ price .+ \d+% \d+ \S+ then g$/);
    expect(new Set(written).size, 'drawn afresh').toBeGreaterThan(40);
    for (const w of written) expect(w.slice(5, 6), `${w}: one template's buyers are distinct`).not.toBe(w.slice(10, 11));
    expect(fuzzAction('go {flow}', []), 'no later flow to name').toBeNull();
    expect(() => fuzzAction('pick {byer}', [])).toThrow(/unknown placeholder \{byer\}/);
  });
});
