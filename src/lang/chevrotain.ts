// Chevrotain, as every part of leadroute loads it: from the one-file ES module
// build its package ships (lib/chevrotain.mjs, the same version's code bundled
// with the lodash-es functions it uses) instead of its package entry
// (lib/src/api.js), which imports lodash-es as about 600 modules of their own.
// Importing the entry took 0.44–0.50 s on the CI machine and the bundle
// 0.03–0.04 s (1.2–1.3 s and 0.09 s while it was busy), and every `leadroute`
// command, `serve` start, test worker and embedder of the package paid it.
// The package's `exports` names only its entry, so the bundle is found beside
// it; were a later Chevrotain to ship it elsewhere, the entry is loaded
// instead (test/lang/chevrotain.test.ts says which was loaded). One copy for
// the whole program: a token type or a parser class from the other copy would
// not be this one's.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

/** Where the bundle is: lib/chevrotain.mjs, beside the entry's lib/src/; null
 *  when the entry cannot be resolved as a file (say, in a bundle of leadroute). */
function bundlePath(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('chevrotain')), '..', 'chevrotain.mjs');
  } catch {
    return null;
  }
}

export const CHEVROTAIN_BUNDLE: string | null = bundlePath();

/** Chevrotain from `bundle`, or from its package entry when that cannot be loaded. */
export async function loadChevrotain(bundle: string | null = CHEVROTAIN_BUNDLE): Promise<{ api: Chevrotain; bundled: boolean }> {
  if (bundle !== null) {
    try {
      return { api: (await import(pathToFileURL(bundle).href)) as Chevrotain, bundled: true };
    } catch {
      // Not there (or not loadable): the package entry below.
    }
  }
  return { api: await import('chevrotain'), bundled: false };
}

const loaded = await loadChevrotain();

/** Whether the bundle was loaded (false: the package entry). */
export const CHEVROTAIN_BUNDLED: boolean = loaded.bundled;

export const { createSyntaxDiagramsCode, createToken, CstParser, EOF, Lexer, tokenMatcher, VERSION: CHEVROTAIN_VERSION } = loaded.api;
