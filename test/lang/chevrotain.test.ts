// src/lang/chevrotain.ts loads Chevrotain's one-file build instead of its
// package entry (a tenth of the start-up time). These tests fail if a
// Chevrotain upgrade moves or drops that file (the loader would then fall back
// to the entry, and start-up would be slow again without a word), or if a part
// of leadroute loaded the other copy.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHEVROTAIN_BUNDLE, CHEVROTAIN_BUNDLED, CHEVROTAIN_VERSION, CstParser, Lexer, loadChevrotain } from '../../src/lang/chevrotain.js';
import { ruleLexer } from '../../src/lang/lexer.js';
import { ruleParser } from '../../src/lang/parser.js';
import { parse } from '../../src/lang/index.js';

const PACKAGE = JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules/chevrotain/package.json'), 'utf8')) as { version: string };

describe('Chevrotain as leadroute loads it', () => {
  it('is the one-file build the package ships, of the installed version', () => {
    expect(CHEVROTAIN_BUNDLE?.replace(/\\/g, '/')).toMatch(/node_modules\/chevrotain\/lib\/chevrotain\.mjs$/);
    expect(CHEVROTAIN_BUNDLED).toBe(true);
    expect(CHEVROTAIN_VERSION).toBe(PACKAGE.version);
  });

  it('is the copy the lexer and the parser are made from', () => {
    expect(ruleLexer).toBeInstanceOf(Lexer);
    expect(ruleParser).toBeInstanceOf(CstParser);
    expect(parse('buyer A { price $1 }').diagnostics).toEqual([]);
  });

  it('falls back to the package entry when the file cannot be loaded, or not be found', async () => {
    for (const bundle of [join(import.meta.dirname, 'no-such-chevrotain.mjs'), null]) {
      const loaded = await loadChevrotain(bundle);
      expect(loaded.bundled).toBe(false);
      expect(loaded.api.VERSION).toBe(PACKAGE.version);
      expect(loaded.api.Lexer).not.toBe(Lexer);
    }
  });
});
