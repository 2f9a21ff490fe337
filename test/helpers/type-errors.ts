// Type-check a small TypeScript file against the source tree and return its
// errors: the registry tests (test/models, test/clauses) show a broken table
// fails to compile by reading the error the compiler gives.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};

// Parsed files of the libraries and of src/ are kept for the next program in
// the same worker (the other registry test, the layering test's build): parsing them is much of the cost, and
// a file is read again when it changed on disk. The checked file itself is
// never cached (each gets its own temporary folder).
const SCRATCH_PREFIX = '.registry-';
const parsed = new Map<string, { text: string; file: ts.SourceFile }>();

/** A compiler host that shares parsed files with every other program made through it in this worker. */
export function cachingHost(options: ts.CompilerOptions = OPTIONS): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = fileName.includes(SCRATCH_PREFIX) ? undefined : ts.sys.readFile(fileName);
    if (text === undefined) return read(fileName, languageVersion, onError, shouldCreate);
    const key = `${fileName}\u0000${JSON.stringify(languageVersion)}`;
    const hit = parsed.get(key);
    if (hit !== undefined && hit.text === text) return hit.file;
    const file = read(fileName, languageVersion, onError, shouldCreate);
    if (file !== undefined) parsed.set(key, { text, file });
    return file;
  };
  return host;
}

/**
 * Type-checks `source` as a file placed in `dir` (a folder of test/, so its
 * imports resolve) and returns its errors by line. `@src/` in the source
 * stands for the repository's src/ folder.
 */
export function typeErrors(dir: string, source: string): { line: number; message: string }[] {
  const scratch = mkdtempSync(join(dir, SCRATCH_PREFIX));
  const file = join(scratch, 'table.ts');
  try {
    writeFileSync(file, source.replaceAll('@src/', `${relative(scratch, join(ROOT, 'src'))}/`));
    const program = ts.createProgram([file], OPTIONS, cachingHost());
    const sf = program.getSourceFile(file)!;
    return program.getSemanticDiagnostics(sf).map((d) => ({
      line: sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
