// The corpus files (every *.route under test/corpus) and the diagnostics they expect.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_ROOT = new URL('.', import.meta.url).pathname;

export function corpusFiles(dir: string = CORPUS_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? corpusFiles(join(dir, e.name)) : e.name.endsWith('.route') ? [join(dir, e.name)] : [],
  );
}

/** The `# expect: LR200@6:11` lines of a corpus file, as `LR200@6:11`. */
export function expectedDiagnostics(source: string): string[] {
  return [...source.matchAll(/^# expect: (\S+)\s*$/gm)].map((m) => m[1]!);
}
