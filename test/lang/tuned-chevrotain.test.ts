// The lexer and the parser replace a few Chevrotain internals for speed
// (src/lang/lexer.ts, src/lang/tuned-cst-parser.ts). These tests pin what the
// replacements rely on: the methods still exist under those names, and the
// tuned lexer reads every text exactly as Chevrotain's own lexer with a
// pattern per keyword does.

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { IToken } from 'chevrotain';
import { CstParser, Lexer } from '../../src/lang/chevrotain.js';
import * as T from '../../src/lang/lexer.js';
import { ruleParser } from '../../src/lang/parser.js';
import { REPLACED_CST_METHODS } from '../../src/lang/tuned-cst-parser.js';

const ROOT = join(import.meta.dirname, '../..');

/** Chevrotain's lexer over every token, keywords tried as patterns. */
const reference = new Lexer(T.ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });

const fields = (t: IToken) => [t.tokenType.name, t.tokenTypeIdx, t.image, t.startOffset, t.endOffset, t.startLine, t.endLine, t.startColumn, t.endColumn];

function sameAsReference(text: string): void {
  const ours = T.ruleLexer.tokenize(text);
  const theirs = reference.tokenize(text);
  expect(ours.tokens.map(fields)).toEqual(theirs.tokens.map(fields));
  expect((ours.groups[T.COMMENT_GROUP] ?? []).map(fields)).toEqual((theirs.groups[T.COMMENT_GROUP] ?? []).map(fields));
  expect(ours.errors).toEqual(theirs.errors);
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return routeFiles(path);
    return name.endsWith('.route') ? [path] : [];
  });
}

describe('the tuned lexer', () => {
  it('still replaces a method Chevrotain has', () => {
    expect(typeof (Lexer.prototype as unknown as Record<string, unknown>)['createFullToken']).toBe('function');
  });

  it('reads every rule file of the repository as Chevrotain does', () => {
    const files = [...routeFiles(join(ROOT, 'rules')), ...routeFiles(join(ROOT, 'test/corpus'))];
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) sameAsReference(readFileSync(file, 'utf8'));
  });

  it('reads keywords, near-keywords and stray characters as Chevrotain does', () => {
    const words = [...T.KEYWORD_WORDS, ...T.SOFT_KEYWORD_WORDS];
    const piece = fc.oneof(
      fc.constantFrom(...words),
      fc.constantFrom(...words).map((w) => `${w}x`),
      fc.constantFrom(...words).map((w) => w.slice(0, -1)),
      fc.constantFrom(...words).map((w) => `_${w}`),
      fc.constantFrom(...words).map((w) => w.toUpperCase()),
      fc.constantFrom(' ', '\n', '\r\n', '\r', '\t', '5', '5min', '$3', '9:00', '10%', '"s"', '"open', '# c\n', '{', '.', '..', '@', 'é', "'"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => sameAsReference(pieces.join(''))), { numRuns: 500 });
  });
});

describe('the tuned CST parser', () => {
  it('still replaces methods Chevrotain has', () => {
    for (const name of REPLACED_CST_METHODS) {
      expect(typeof (CstParser.prototype as unknown as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('builds children with no inherited keys and locations Chevrotain reads as unset', () => {
    ruleParser.input = T.ruleLexer.tokenize('buyer A { price $2 }').tokens;
    const cst = ruleParser.declaration();
    expect(ruleParser.errors).toEqual([]);
    const buyer = cst.children['buyerDecl']![0]! as typeof cst;
    expect('toString' in buyer.children).toBe(false);
    expect(Object.keys(buyer.children).sort()).toEqual(['Buyer', 'Identifier', 'LCurly', 'RCurly', 'buyerClause']);
    expect(buyer.location).toMatchObject({ startOffset: 0, startLine: 1, startColumn: 1, endOffset: 19, endLine: 1, endColumn: 20 });
  });
});
