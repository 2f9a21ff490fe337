// Dependencies point one way. One table says, per top-level folder of src/,
// which folders (or, where only a part is meant, which files) it may import;
// every import in src/ (static, `export … from`, dynamic `import()`, `require`,
// type-only included) is checked against it. A folder missing from the table
// fails until it is given its place. On top of the table:
//   - nothing in src/ imports a file outside src/ (examples/, test/, bench/);
//   - nothing the runtime loads, directly or through what it imports, imports
//     a store, a native module or I/O;
//   - importing the runtime in a fresh process does not load better-sqlite3;
//   - the build (tsconfig.build.json) compiles only src/, so emits no dist/examples.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { cachingHost } from './helpers/type-errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** The phases and what each may import besides itself: a folder of src/, or one file ('adapters/memory-journal.ts'). */
const MAY_IMPORT = {
  // The language's vocabulary: depends on nothing.
  core: [],
  // The plan, declared once; compile writes it, runtime reads it.
  plan: ['core'],
  lang: ['core'],
  // The formatter reads the language's tokens and grammar, nothing else.
  fmt: ['core', 'lang'],
  check: ['core', 'lang', 'plan', 'models', 'clauses'],
  compile: ['core', 'lang', 'check', 'plan', 'models', 'clauses'],
  // One file per routing construct, beside the phases: each holds its check, emit, load and run.
  models: ['core', 'lang', 'check', 'plan', 'runtime', 'clauses'],
  // One file per buyer clause, the same way: its check, emit, load, refusal and traits.
  clauses: ['core', 'lang', 'check', 'plan', 'runtime', 'models'],
  // No store, no selling, no I/O.
  runtime: ['core', 'plan', 'models', 'clauses'],
  // Selling: the Journal interface and attempt types are deliver's own.
  deliver: ['core', 'plan', 'lang', 'runtime'],
  // The Seller's default journal is the in-memory one (no I/O).
  auction: ['core', 'plan', 'runtime', 'deliver', 'adapters/memory-journal.ts'],
  // Stores and journals implement the runtime's and the selling side's interfaces, and nothing above.
  adapters: [
    'core', 'plan',
    'runtime/store.ts', 'runtime/caps.ts', 'runtime/decision.ts', 'runtime/memory-state.ts',
    'deliver/journal.ts', 'deliver/scheduler.ts', 'deliver/types.ts', 'serve/inbox.ts',
  ],
  sim: ['core', 'plan', 'lang', 'check', 'compile', 'models', 'clauses', 'runtime', 'adapters'],
  // Mock buyers: a demo and test tool, standing apart from the product.
  mock: ['core'],
  cli: ['core', 'plan', 'lang', 'fmt', 'check', 'compile', 'models', 'clauses', 'runtime', 'deliver', 'auction', 'adapters', 'sim', 'mock', 'repl', 'ruletest', 'serve'],
  // The service: the pipeline as any embedder uses it, behind Fastify; the CLI starts it.
  serve: ['core', 'plan', 'lang', 'compile', 'runtime', 'deliver', 'auction', 'adapters'],
  // The REPL sits with the CLI at the edge: it prints decisions, compiles files and
  // starts mock buyers as the commands do, through those CLI files (none imports the REPL).
  repl: [
    'core', 'plan', 'lang', 'compile', 'runtime', 'deliver', 'auction', 'adapters', 'mock',
    'cli/io.ts', 'cli/decisions.ts', 'cli/check.ts', 'cli/mock-buyers.ts', 'cli/sell-buyers.ts',
  ],
  // `leadroute test`: test files run through the pipeline as a caller would, with the
  // REPL's time and cap settings, the simulator, and the Seller over simulated buyers
  // (the mock buyers' answer writer); of the CLI only its I/O and the rule-file loader.
  ruletest: [
    'core', 'plan', 'lang', 'compile', 'models', 'clauses', 'runtime', 'deliver', 'auction', 'adapters', 'sim', 'mock',
    'repl/session.ts', 'repl/caps.ts', 'cli/io.ts', 'cli/check.ts',
  ],
  // The package root (src/index.ts): the embedding API, without the CLI and the mock buyers.
  'index.ts': ['core', 'plan', 'lang', 'fmt', 'check', 'compile', 'models', 'clauses', 'runtime', 'deliver', 'auction', 'adapters', 'sim'],
} satisfies Record<string, readonly string[]>;

type Part = keyof typeof MAY_IMPORT;

/** Packages that mean a store, a native module or I/O: nothing the runtime loads may import them. */
const IO_PACKAGES = new Set([
  'better-sqlite3', 'undici',
  ...['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'child_process', 'cluster', 'worker_threads']
    .flatMap((m) => [m, `node:${m}`]),
]);

const isPart = (name: string): name is Part => Object.hasOwn(MAY_IMPORT, name);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(m|c)?tsx?$/.test(name) ? [path] : [];
  });
}

interface Import {
  from: string;
  /** As written. */
  specifier: string;
  /** The file it names (relative imports only), absolute. */
  target: string | null;
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName }) => ({
    from: file,
    specifier: fileName,
    target: fileName.startsWith('.') ? resolve(dirname(file), fileName).replace(/\.(m|c)?js$/, '.$1ts') : null,
  }));
}

/** 'adapters/memory-journal.ts' for src/adapters/memory-journal.ts; its part is 'adapters'. A file directly in src/ is its own part. */
const srcPath = (file: string): string => relative(SRC, file).split(sep).join('/');
const partOf = (file: string): string => srcPath(file).split('/')[0]!;

function allowed(from: string, target: string): boolean {
  const fromPart = partOf(from);
  const toPart = partOf(target);
  if (fromPart === toPart) return true;
  const rules: readonly string[] = isPart(fromPart) ? MAY_IMPORT[fromPart] : [];
  return rules.includes(toPart) || rules.includes(srcPath(target));
}

const FILES = sourceFiles(SRC);
const IMPORTS = FILES.flatMap(importsOf);

describe('layering', () => {
  it('every top-level folder and file of src/ has its place in the table', () => {
    const unknown = readdirSync(SRC).filter((name) => !isPart(name));
    expect(unknown, 'add these to MAY_IMPORT in test/layering.test.ts, with what they may import').toEqual([]);
  });

  it('the table names only parts it declares, and only files that exist (a moved file leaves no stale permission)', () => {
    for (const rules of Object.values(MAY_IMPORT)) {
      for (const r of rules as readonly string[]) {
        expect(isPart(r.split('/')[0]!), r).toBe(true);
        if (r.includes('/')) expect(FILES.includes(join(SRC, ...r.split('/'))), `${r} exists`).toBe(true);
      }
    }
  });

  it('each import goes where the table allows', () => {
    const bad = IMPORTS.filter((i) => i.target !== null && i.target.startsWith(SRC + sep) && !allowed(i.from, i.target)).map(
      (i) => `${srcPath(i.from)} imports ${i.specifier}`,
    );
    expect(bad).toEqual([]);
  });

  it('nothing in src/ imports examples/, test/, bench/ or anything else outside src/', () => {
    const out = IMPORTS.filter((i) => i.target !== null && !i.target.startsWith(SRC + sep)).map((i) => `${srcPath(i.from)} imports ${i.specifier}`);
    expect(out).toEqual([]);
  });

  it('nothing the runtime loads imports a store, a native module or I/O', () => {
    const seen = new Set<string>();
    const queue = [join(SRC, 'runtime', 'index.ts'), join(SRC, 'runtime', 'router.ts')];
    const bad: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const i of importsOf(file)) {
        if (i.target !== null) queue.push(i.target);
        else if (IO_PACKAGES.has(i.specifier)) bad.push(`${srcPath(file)} imports ${i.specifier}`);
      }
    }
    expect(seen.size).toBeGreaterThan(10); // the walk did follow the imports
    expect(bad).toEqual([]);
  });
});

describe('importing the router', () => {
  const MODULES = ['src/runtime/router.ts', 'src/runtime/index.ts', 'src/adapters/index.ts'] as const;
  let loaded: Record<(typeof MODULES)[number], string[]> | undefined;
  /**
   * The packages among better-sqlite3 and undici that one fresh process has
   * loaded after importing each of MODULES in turn (so far, cumulatively). One
   * process, not one per module (each costs a tsx start): while the runtime's
   * modules load neither package, what the adapters add is theirs alone.
   */
  function loadedAfter(module: (typeof MODULES)[number]): string[] {
    // ESM imports of CommonJS packages go through the CommonJS loader, whose
    // cache (require.cache) holds every package file loaded, however imported.
    const script = `
      import { createRequire } from 'node:module';
      import { pathToFileURL } from 'node:url';
      const found = {};
      for (const module of ${JSON.stringify(MODULES)}) {
        await import(pathToFileURL(${JSON.stringify(ROOT + sep)} + module).href);
        const files = Object.keys(createRequire(import.meta.url).cache);
        found[module] = [...new Set(files.map((f) => /[\\\\/]node_modules[\\\\/](better-sqlite3|undici)[\\\\/]/.exec(f)?.[1]).filter(Boolean))].sort();
      }
      process.stdout.write(JSON.stringify(found));`;
    loaded ??= JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as Record<(typeof MODULES)[number], string[]>;
    return loaded[module];
  }

  it('does not load better-sqlite3 (nor undici)', () => {
    expect(loadedAfter('src/runtime/router.ts')).toEqual([]);
    expect(loadedAfter('src/runtime/index.ts')).toEqual([]);
  }, 60_000);

  it('the check sees it when it is loaded: importing the adapters does', () => {
    // The runtime loaded nothing of the two (above), so this is the adapters' doing.
    expect(loadedAfter('src/runtime/index.ts')).toEqual([]);
    expect(loadedAfter('src/adapters/index.ts')).toEqual(['better-sqlite3']);
  }, 60_000);
});

describe('the build', () => {
  it('compiles only src/, so it emits no dist/examples (nor dist/test, dist/bench)', () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    expect(config).toBeDefined();
    const program = ts.createProgram({ rootNames: config!.fileNames, options: config!.options, host: cachingHost(config!.options) });
    const emitted = program
      .getSourceFiles()
      .filter((f) => !f.isDeclarationFile && !program.isSourceFileFromExternalLibrary(f))
      .map((f) => relative(ROOT, f.fileName).split(sep).join('/'));
    expect(emitted.length).toBeGreaterThan(50);
    expect(emitted.filter((f) => !f.startsWith('src/'))).toEqual([]);
  }, 60_000);
});
