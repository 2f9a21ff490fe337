// The parser lexes a large file a slice of whole lines at a time and parses
// each declaration as soon as the next starts. The result must not depend on
// where the slices are cut: here every rule and corpus file, and generated
// text full of line ends, strings and broken declarations, parse to the same
// AST, diagnostics and trivia in slices of one line and up as in one piece.

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from '../../src/lang/index.js';
import { parseInSlices } from '../../src/lang/parse.js';

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return routeFiles(path);
    return name.endsWith('.route') ? [path] : [];
  });
}

const FILES = [...routeFiles('rules'), ...routeFiles('test/corpus'), ...routeFiles('examples')];

describe('parsing in slices of lines', () => {
  it('gives every rule and corpus file the same result as one piece', () => {
    expect(FILES.length).toBeGreaterThan(50);
    for (const path of FILES) {
      const source = readFileSync(path, 'utf8');
      const whole = parse(source, path);
      for (const size of [1, 2, 40, 500]) expect(parseInSlices(source, path, size), `${path} in slices of ${size}`).toEqual(whole);
    }
  });

  // Pieces chosen to land on slice edges: every kind of line end, strings and
  // comments that stop at one, characters the lexer refuses, and declaration
  // starts whose deciding tokens (`flow NAME {`, `alert NAME when`) are split
  // across lines.
  const piece = fc.constantFrom(
    '\n', '\r\n', '\r', '\n\n', ' ', '\t',
    'buyer', 'buyer.price', 'lead', 'flow', 'alert', 'when', 'route', 'split', 'otherwise', 'cap', 'price',
    'A', 'f', 'x', '{', '}', '(', ')', '[', ']', ',', '%', '$5', '10', '60%', '100/h', '<=', '==', 'and',
    'flow\nf {', 'flow f\n{', 'alert x\nwhen', '"str"', '"open', "'q'", '€', '@', '# note', 'state: state', 'accepts state == CA',
  );
  const program = fc.array(piece, { maxLength: 80 }).map((xs) => xs.join(' '));

  it('gives generated text the same result in any slice size', () => {
    fc.assert(
      fc.property(program, fc.integer({ min: 1, max: 30 }), (source, size) => {
        expect(parseInSlices(source, 'g.route', size)).toEqual(parse(source, 'g.route'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('cuts a declaration whose deciding tokens are on the lines after its keyword', () => {
    const source = 'buyer A { price $1 }\nflow\nf\n{ otherwise route A }\nalert\nslow\nwhen sales < 1 over 1h\nflow g\n{ otherwise route A }\n';
    const whole = parse(source, 'd.route');
    expect(whole.ast.flows.map((f) => f.name.name)).toEqual(['f', 'g']);
    expect(whole.ast.alerts).toHaveLength(1);
    for (const size of [1, 2, 3, 5]) expect(parseInSlices(source, 'd.route', size)).toEqual(whole);
  });

  it('reports every lexing error of a file of 200,000 bad lines, without running out of stack', () => {
    const source = '€\n'.repeat(100_000) + '"open\n'.repeat(100_000);
    const { diagnostics } = parse(source, 'bad.route');
    const count = (code: string): number => diagnostics.filter((d) => d.code === code).length;
    expect([count('LR102'), count('LR101')]).toEqual([100_000, 100_000]);
    expect(diagnostics.some((d) => d.code === 'LR100' && d.message.includes('internal'))).toBe(false);
  });

  it('places the tokens of a later slice on their own lines, whatever ends them', () => {
    const source = 'buyer A { price $1 }\r\nbuyer B { price $2 }\rbuyer C { price $3 }\nbuyer D { price € }\n';
    const { ast, diagnostics } = parseInSlices(source, 's.route', 1);
    expect(ast.buyers.map((b) => [b.name.name, b.span.line, b.span.col])).toEqual([
      ['A', 1, 1],
      ['B', 2, 1],
      ['C', 3, 1],
      ['D', 4, 1],
    ]);
    expect(diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`)).toContain('LR102@4:17');
  });
});
