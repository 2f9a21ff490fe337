// Issue 12: expression limits and unusable numbers are caught where the AST is
// built, reported once at their position, and never reach a later phase.
import { describe, expect, it } from 'vitest';
import { MAX_EXPR_DEPTH, MAX_EXPR_NODES } from '../../src/core/limits.js';
import { compile, MemoryStore, Router } from '../../src/index.js';

const HEAD = 'lead {\n  x: int\n}\nbuyer A {\n  price $1\n}\n';

/** Compile; it must not throw. Returns the plan and `CODE@line:col` of each diagnostic. */
function compiled(source: string) {
  const { plan, diagnostics } = compile(source, { file: 't.route' });
  return { plan, found: diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`), diagnostics };
}

const terms = (n: number, term: string, op: string) => Array.from({ length: n }, () => term).join(` ${op} `);

describe('expression limits (MAX_EXPR_DEPTH, MAX_EXPR_NODES)', () => {
  const cases: [string, string, string][] = [
    ['175 nested parentheses', `${HEAD}flow f {\n  when ${'('.repeat(175)}x > 1${')'.repeat(175)} route A\n}`, 'LR106@8:8'],
    ['100,000 nested parentheses', `${HEAD}flow f {\n  when ${'('.repeat(100_000)}x > 1${')'.repeat(100_000)} route A\n}`, 'LR106@8:8'],
    ['a 500-term price sum', `lead {\n  x: int\n}\nbuyer A {\n  price ${terms(500, '$1', '+')}\n}\nflow f {\n  route A\n}`, 'LR106@5:9'],
    ['a 5,000-term `and`', `${HEAD}flow f {\n  when ${terms(5000, 'x > 1', 'and')} route A\n}`, 'LR106@8:8'],
    ['100,000 `not`s', `${HEAD}flow f {\n  when ${'not '.repeat(100_000)}x > 1 route A\n}`, 'LR106@8:8'],
    ['100,000 nested lists', `${HEAD}flow f {\n  when x in ${'['.repeat(100_000)}1${']'.repeat(100_000)} route A\n}`, 'LR106@8:8'],
    ['a list of 10,001 items', `${HEAD}flow f {\n  when x in [${Array.from({ length: MAX_EXPR_NODES + 1 }, (_, i) => i).join(', ')}] route A\n}`, 'LR106@8:8'],
  ];

  for (const [name, source, expected] of cases) {
    it(`${name}: exactly the limit diagnostic, no plan, no throw`, () => {
      const { plan, found } = compiled(source);
      expect(found).toEqual([expected]);
      expect(plan).toBeNull();
    });
  }

  it('names the limit and how to get under it', () => {
    const [d] = compiled(cases[3]![1]).diagnostics;
    expect(d!.message).toBe(`this expression nests more than ${MAX_EXPR_DEPTH} levels deep`);
    expect(d!.suggestion).toBe('split it into several rules or use `in [...]`');
  });

  it('an expression just under both limits compiles and routes', () => {
    const parens = MAX_EXPR_DEPTH - 1; // the comparison is the last level
    const source = [
      'lead {\n  x: int\n}',
      `buyer A {\n  price ${terms(MAX_EXPR_DEPTH + 1, '$1', '+')}\n}`, // 100 additions: depth 100
      'buyer B {\n  price $2\n}',
      'flow f {',
      `  when ${'('.repeat(parens)}x > 1${')'.repeat(parens)} route A`,
      `  when x in [${Array.from({ length: MAX_EXPR_NODES - 3 }, (_, i) => i).join(', ')}] route B`,
      '}',
    ].join('\n');
    const { plan, found } = compiled(source);
    expect(found).toEqual([]);
    const router = new Router(plan!, { store: new MemoryStore(), seed: 1 });
    expect(router.route({ id: '1', x: 5 }).buyers).toEqual([{ name: 'A', price: MAX_EXPR_DEPTH + 1 }]);
    expect(router.route({ id: '2', x: 0 }).buyers).toEqual([{ name: 'B', price: 2 }]);
  });
});

describe('numbers too large to hold exactly', () => {
  const nines = '9'.repeat(400);

  it.each([
    ['a price', `lead {\n  x: int\n}\nbuyer A {\n  price $${nines}\n}\nflow f {\n  route A\n}`, 'LR105@5:9'],
    ['a number in a condition', `${HEAD}flow f {\n  when x > ${nines} route A\n}`, 'LR105@8:12'],
    ['an unsafe integer', `${HEAD}flow f {\n  when x > 9007199254740993 route A\n}`, 'LR105@8:12'],
    ['a percent', `${HEAD}buyer B {\n  price $1\n}\nflow f {\n  split { A ${nines}%, B 40% }\n}`, 'LR105@11:13'],
    ['a duration', `lead {\n  x: int\n}\nbuyer A {\n  delay ${nines}d\n}\nflow f {\n  route A\n}`, 'LR105@5:9'],
    ['a range bound', `lead {\n  x: int 0..${nines}\n}\nbuyer A {\n  price $1\n}\nflow f {\n  route A\n}`, 'LR105@2:13'],
  ])('%s: one LR105 at the literal, no plan', (_, source, expected) => {
    const { plan, found } = compiled(source);
    expect(found).toEqual([expected]);
    expect(plan).toBeNull();
  });

  it('a cap of 400 nines gets LR105, not an LR600 that suggests `Infinity/h`', () => {
    const { found, diagnostics } = compiled(`${HEAD.replace('price $1', `cap ${nines}/h`)}flow f {\n  route A cap ${nines}/day\n}`);
    expect(found).toEqual(['LR105@5:7', 'LR105@8:15']);
    for (const d of diagnostics) expect(`${d.message} ${d.suggestion}`).not.toMatch(/Infinity/);
  });
});
