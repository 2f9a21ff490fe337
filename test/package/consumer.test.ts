// A strict consumer of the packed package. The package is built and packed the
// way `npm publish` would (the tarball, not the source tree), unpacked into a
// scratch project whose node_modules holds it as `leadroute` plus ONLY its
// declared `dependencies` and their own dependencies, never the repo's
// devDependencies. A small strict TypeScript file using the README's embedding
// API is then type-checked with `skipLibCheck: false`: a type the package's
// .d.ts files take from a package that is only a devDependency (an @types
// package, say) fails here as it would for a real user. The compiled consumer
// then runs, so a runtime import of an undeclared package fails too.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODULES = realpathSync(join(ROOT, 'node_modules'));
const TSC = join(MODULES, 'typescript/bin/tsc');
// Building and packing take most of the time; a loaded CI machine needs room.
const SETUP_TIMEOUT_MS = 180_000;
// Packing needs the npm client; without it there is nothing to test.
const NPM_MISSING = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0;

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Where Node would find package `name` required from `fromDir`: the nearest node_modules up the tree. */
function packageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return null;
  }
}

/** The package's runtime dependency closure: name -> installed folder (the first one found for a name). */
function dependencyClosure(manifest: Manifest, fromDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (m: Manifest, dir: string, optional: Set<string>) => {
    for (const name of [...Object.keys(m.dependencies ?? {}), ...optional]) {
      const at = packageDir(name, dir);
      if (at === null) {
        if (optional.has(name)) continue;
        throw new Error(`dependency ${name} of ${m.name} is not installed`);
      }
      if (found.has(name)) continue;
      found.set(name, at);
      const child = readManifest(at);
      visit(child, at, new Set(Object.keys(child.optionalDependencies ?? {})));
    }
  };
  visit(manifest, fromDir, new Set());
  return found;
}

function run(cmd: string, args: string[], cwd: string): { status: number | null; stdout: string; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    noEmitOnError: true,
    // Resolve from the linked dependency folders, not from where the links
    // point (the repo's node_modules, which also holds the devDependencies).
    preserveSymlinks: true,
    outDir: 'out',
  },
  files: ['index.ts'],
};

// The README's embedding API, used the way the README shows it.
const CONSUMER_SOURCE = `
import {
  compile, Router, MemoryStore, formatDiagnostics, loadPlan, Seller, SqliteStore, SqliteJournal,
  type Plan, type PlanBuyer, type PlanFlow, type PlanRule, type PlanAction, type LoadedPlan,
  type Decision, type Diagnostic, type Sale,
} from 'leadroute';

const file = 'rules/consumer.route';
const source = [
  'lead {',
  '  id: string',
  '  state: state',
  '  credit_score: int 300..850',
  '}',
  'buyer Premium {',
  '  accepts state in [CA, TX] and credit_score >= 700',
  '  price $45',
  '  cap 100/h',
  '}',
  'buyer Standard {',
  '  price $20',
  '}',
  'flow main {',
  '  when credit_score >= 700 route Premium overflow Standard',
  '  otherwise route Standard',
  '}',
].join('\\n');

const { plan, diagnostics } = compile(source, { file });
if (!plan) throw new Error(formatDiagnostics(diagnostics, { [file]: source }));
const reported: Diagnostic[] = diagnostics;
const buyers: string[] = plan.buyers.map((b: PlanBuyer) => b.name);
const flows: PlanFlow[] = plan.flows;
const actions: PlanAction['kind'][] = flows.flatMap((f) => f.rules.map((r: PlanRule) => r.action.kind));

// A saved plan loads without the parser.
const saved: Plan = JSON.parse(JSON.stringify(plan)) as Plan;
const loaded: LoadedPlan = loadPlan(saved);

const lead = { id: 'L1', state: 'CA', credit_score: 760 };
const now = Date.parse('2026-11-23T15:00:00Z');
const router = new Router(plan, { store: new MemoryStore(), seed: 7 });
const decision: Decision = router.route(lead, { now });

const durable = new Router(loaded, { store: new SqliteStore(':memory:') });
const again: Decision = durable.route({ ...lead, id: 'L2', credit_score: 600 }, { now });
durable.recordOutcome('L1', 'Premium', 'converted');

const seller = new Seller(new Router(plan, { store: new MemoryStore() }), { journal: new SqliteJournal(':memory:') });
const sale: Sale = await seller.sell({ ...lead, id: 'L3' }, { now });
await seller.close();

console.log(JSON.stringify({
  diagnostics: reported.length,
  buyers,
  actions,
  routed: [decision.status, decision.buyers.map((b) => b.name), decision.price],
  durable: [again.status, again.buyers.map((b) => b.name)],
  sold: [sale.decision.status, sale.decision.buyers.map((b) => b.name)],
}));
`;

let work = '';
let packError: string | null = null;
let packedFiles: string[] = [];
let consumer = '';

beforeAll(() => {
  if (NPM_MISSING) return;
  work = mkdtempSync(join(tmpdir(), 'leadroute-consumer-'));
  const stage = join(work, 'stage');

  // The package as it would be published: the source tree without node_modules,
  // .git or a stale dist, built fresh into its own dist (the repo's dist/ is left
  // alone: the CLI tests read it while this runs).
  cpSync(ROOT, stage, {
    recursive: true,
    filter: (src) => !/^(node_modules|dist|\.git)$/.test(src.slice(ROOT.length + 1).split('/')[0] ?? ''),
  });
  execFileSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], { cwd: ROOT, stdio: 'pipe' });

  // `prepare` would rebuild with the stage's (absent) node_modules: the build is done above.
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage);
  if (pack.status !== 0) {
    packError = pack.out;
    return;
  }
  const report = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const packed = report[0];
  if (!packed) throw new Error(`npm pack printed no package: ${pack.out}`);
  packedFiles = packed.files.map((f) => f.path);

  consumer = join(work, 'consumer');
  const installed = join(consumer, 'node_modules', 'leadroute');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1']);

  for (const [name, dir] of dependencyClosure(readManifest(installed), ROOT)) {
    const link = join(consumer, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(dir, link, 'dir');
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
  writeFileSync(join(consumer, 'index.ts'), CONSUMER_SOURCE);
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(NPM_MISSING)(`the packed package${NPM_MISSING ? ' (skipped: no npm client on PATH to pack it)' : ''}`, () => {
  it('packs', () => {
    expect(packError, 'npm pack failed').toBeNull();
  });

  it('holds the library, the CLI and the demo data, and no tests, benchmarks or TypeScript sources', () => {
    expect(packedFiles).toEqual(expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE', // the package says MIT; the text ships with it
      'bin/leadroute.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/index.js',
      // `leadroute demo` reads these from the package folder.
      'rules/solar.route',
      'rules/solar-pingpost.route',
      'rules/templates/solar-post.json.hbs',
      'examples/leads.jsonl',
      'examples/mock-buyers.json',
    ]));
    const stray = packedFiles.filter(
      (p) =>
        /^(test|bench|src|\.ci)\//.test(p) ||
        (p.startsWith('dist/') && !p.startsWith('dist/src/')) ||
        /(?<!\.d)\.ts$/.test(p),
    );
    expect(stray).toEqual([]);
  });

  it('type-checks a strict consumer with skipLibCheck off, given only its declared dependencies', () => {
    const tsc = run(process.execPath, [TSC, '-p', 'tsconfig.json'], consumer);
    expect(tsc.out).toBe('');
    expect(tsc.status).toBe(0);
    // A full type-check of the package's declarations and its dependencies': on a
    // loaded 2-core machine it has taken 47 s.
  }, SETUP_TIMEOUT_MS);

  it('runs the consumer', () => {
    const node = run(process.execPath, ['--preserve-symlinks', 'out/index.js'], consumer);
    expect(node.status, node.out).toBe(0);
    expect(JSON.parse(node.stdout)).toEqual({
      diagnostics: 0,
      buyers: ['Premium', 'Standard'],
      actions: ['route', 'route'],
      routed: ['routed', ['Premium'], 45],
      durable: ['routed', ['Standard']],
      sold: ['routed', ['Premium']],
    });
  }, SETUP_TIMEOUT_MS);
});
