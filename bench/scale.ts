// How checking and compiling scale with the size of a rule file.
//
//   npx tsx bench/scale.ts [rules|buyers|1k …]   (also printed by `npm run bench`)
//
// It times the BUILT code, what users run: it first runs `tsc -p
// tsconfig.build.json` and imports the pipeline from dist/. (Under tsx every
// closure is wrapped for its name, which made the parser about twice as slow.)
//
// Generated rule files at 1k, 10k and 100k flow rules and at 10k and 100k
// buyers. The content is what a real file holds: buyers with `accepts`,
// `price`, `cap`, `hours` and `overflow`; flows of when-rules routing to them
// (with rule caps, overflow and `random`) and weighted splits. Parse, check and
// emit (the steps of `compile()`; emit includes its `verifyPlan`, and uses the
// check's bindings as compile() does) are timed apart and summed; before each
// parse, the part of it that is Chevrotain's (lexing, cutting into declarations,
// recognition with the CST) is timed alone, the floor under the parse column.
// Each figure is the median of a few runs after a warm-up run. The ratios
// between sizes are the figures to read: linear growth is 10× per 10× the size.

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The pipeline's entry points, loaded from dist/ by `loadBuilt()`. */
interface Pipeline {
  check: typeof import('../src/check/index.js').check;
  compile: typeof import('../src/compile/index.js').compile;
  emitPlan: typeof import('../src/compile/index.js').emitPlan;
  hasErrors: typeof import('../src/lang/index.js').hasErrors;
  parse: typeof import('../src/lang/index.js').parse;
  verifyPlan: typeof import('../src/models/plan.js').verifyPlan;
  declarationTokens: typeof import('../src/lang/parse.js').declarationTokens;
  SLICE_CHARS: typeof import('../src/lang/parse.js').SLICE_CHARS;
  ruleParser: typeof import('../src/lang/parser.js').ruleParser;
}

/** Build dist/ and import the pipeline from it. The paths are computed so that
 *  TypeScript does not resolve them: dist/ need not exist when type-checking. */
async function loadBuilt(): Promise<Pipeline> {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const built = (path: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(ROOT, 'dist/src', path)).href);
  const mods = await Promise.all(['check/index.js', 'compile/index.js', 'lang/index.js', 'models/plan.js', 'lang/parse.js', 'lang/parser.js'].map(built));
  return Object.assign({}, ...mods) as Pipeline;
}

/** Rules per generated flow: a file is many ordinary flows, not one huge one. */
const RULES_PER_FLOW = 100;
/** Buyers per split in the generated files. */
const SPLIT_WIDTH = 4;
const STATES = ['CA', 'TX', 'FL', 'NY', 'AZ', 'NV', 'OR', 'WA', 'GA', 'NC'];
const SOURCES = ['google', 'facebook', 'bing', 'affiliate', 'organic'];
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];

const LEAD = `lead {
  id: string
  state: state
  zip: zip
  homeowner: bool
  credit_score: int 300..850
  lead_score: int 0..100
  source: "google" | "facebook" | "bing" | "affiliate" | "organic"
  loan_amount: money
  created_at: time
  email: email pii
  phone: phone pii
}
`;

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

/** A buyer with every everyday clause; every third one overflows to the next. */
function buyerText(i: number, count: number): string {
  const lines = [
    `buyer B${i} {`,
    `  accepts state in [${pick(STATES, i)}, ${pick(STATES, i + 3)}, ${pick(STATES, i + 7)}] and credit_score >= ${550 + (i % 150)}`,
    `  price $${10 + (i % 40)} + (credit_score - 500) / 20`,
    `  cap ${50 + (i % 200)}/h, ${500 + (i % 2000)}/day, $${5000 + (i % 100) * 10}/day`,
    `  hours Mon-Fri 09:00-18:00 "${pick(ZONES, i)}"`,
  ];
  if (i % 3 === 0 && i + 1 < count) lines.push(`  overflow B${i + 1}`);
  lines.push('}');
  return lines.join('\n');
}

/** The part of rule `i`'s condition that no other rule of its flow shares (a
 *  state and a credit band), so no rule hides another. */
function ownCondition(i: number): string {
  const j = i % RULES_PER_FLOW;
  const low = 300 + Math.floor(j / STATES.length) * 55;
  return `state == ${pick(STATES, j)} and credit_score between ${low} and ${low + 54}`;
}

/** One when-rule of four shapes, routing to buyers among `buyers`. */
function ruleText(i: number, buyers: number): string {
  const b = (k: number): string => `B${(i * 7 + k * 13) % buyers}`;
  const when = `  when ${ownCondition(i)}`;
  switch (i % 4) {
    case 0:
      return `${when} and homeowner route ${b(0)}`;
    case 1:
      return `${when} and lead_score >= ${i % 100} route ${b(0)} cap ${100 + (i % 50)}/h overflow ${b(1)}`;
    case 2:
      return `${when} and source in ["${pick(SOURCES, i)}", "${pick(SOURCES, i + 2)}"] split { ${b(0)} 50%, ${b(1)} 30%, ${b(2)} 20% }`;
    default:
      return `${when} and random <= ${1 + (i % 99)} and loan_amount > $${1000 + (i % 50) * 1000} route ${b(0)}`;
  }
}

/** Flows of RULES_PER_FLOW rules each, every flow ending in a catch-all. */
function flowsText(rules: readonly string[], catchAll: string): string {
  const out: string[] = [];
  for (let f = 0; f * RULES_PER_FLOW < rules.length; f++) {
    out.push(`flow f${f} {`, ...rules.slice(f * RULES_PER_FLOW, (f + 1) * RULES_PER_FLOW), `  otherwise route ${catchAll}`, '}');
  }
  return out.join('\n');
}

/** A file of `ruleCount` flow rules over one buyer per ten rules (at least 20). */
export function rulesFile(ruleCount: number): string {
  const buyers = Math.max(20, Math.floor(ruleCount / 10));
  const rules = Array.from({ length: ruleCount }, (_, i) => ruleText(i, buyers));
  return [LEAD, ...Array.from({ length: buyers }, (_, i) => buyerText(i, buyers)), 'buyer CatchAll { price $2 }', flowsText(rules, 'CatchAll')].join('\n') + '\n';
}

/** A file of `buyerCount` buyers, each in one split of SPLIT_WIDTH even shares. */
export function buyersFile(buyerCount: number): string {
  const rules: string[] = [];
  for (let i = 0; i + SPLIT_WIDTH <= buyerCount; i += SPLIT_WIDTH) {
    const names = Array.from({ length: SPLIT_WIDTH }, (_, k) => `B${i + k} ${100 / SPLIT_WIDTH}%`);
    rules.push(`  when ${ownCondition(rules.length)} split { ${names.join(', ')} }`);
  }
  return [LEAD, ...Array.from({ length: buyerCount }, (_, i) => buyerText(i, buyerCount)), 'buyer CatchAll { price $2 }', flowsText(rules, 'CatchAll')].join('\n') + '\n';
}

interface Case {
  name: string;
  /** The case a tenth of this size, which the growth ratios compare with. */
  base?: string;
  source: () => string;
  runs: number;
}

const CASES: Case[] = [
  { name: '1k rules', source: () => rulesFile(1_000), runs: 7 },
  { name: '10k rules', base: '1k rules', source: () => rulesFile(10_000), runs: 5 },
  { name: '100k rules', base: '10k rules', source: () => rulesFile(100_000), runs: 3 },
  { name: '10k buyers', source: () => buyersFile(10_000), runs: 5 },
  { name: '100k buyers', base: '10k buyers', source: () => buyersFile(100_000), runs: 3 },
];

const STAGES = ['chevrotain', 'parse', 'check', 'emit', 'total'] as const;
type Stage = (typeof STAGES)[number];
type Timings = Record<Stage, number>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** The part of a parse that is Chevrotain's: the file lexed and cut into
 *  declarations as parse() does, and each recognized with its CST, with no AST
 *  built. The floor under the parse column, however fast the rest. */
function timeChevrotain({ declarationTokens, SLICE_CHARS, ruleParser }: Pipeline, source: string): number {
  const t0 = process.hrtime.bigint();
  for (const { tokens } of declarationTokens(source, SLICE_CHARS, (lexed) => lexed.tokens)) {
    ruleParser.input = tokens;
    ruleParser.declaration();
    if (ruleParser.errors.length > 0) throw new Error(`generated file: syntax error: ${ruleParser.errors[0]!.message}`);
  }
  return msSince(t0);
}

/** One timed pass, the steps `compile()` takes (emit: the plan from the AST and
 *  the check's bindings, then `verifyPlan` on it); throws if the file has errors. */
function timeOnce(p: Pipeline, source: string, file: string): Timings {
  const { parse, check, hasErrors, emitPlan, verifyPlan } = p;
  const chevrotainMs = timeChevrotain(p, source);
  let t0 = process.hrtime.bigint();
  const parsed = parse(source, file);
  const parseMs = msSince(t0);
  t0 = process.hrtime.bigint();
  const checked = check(parsed.ast, { readFile: () => undefined, baseDir: '.' });
  const checkMs = msSince(t0);
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics];
  if (hasErrors(diagnostics)) {
    const first = diagnostics.find((d) => d.severity === 'error')!;
    throw new Error(`generated ${file} has errors: ${first.span.line}:${first.span.col} ${first.code} ${first.message}`);
  }
  t0 = process.hrtime.bigint();
  const plan = emitPlan({ ast: parsed.ast, source, fields: checked.fields, bindings: checked.bindings });
  const problems = verifyPlan(plan);
  const emitMs = msSince(t0);
  if (problems.length > 0) throw new Error(`generated ${file}: the plan is invalid: ${problems[0]!.path}: ${problems[0]!.message}`);
  return { chevrotain: chevrotainMs, parse: parseMs, check: checkMs, emit: emitMs, total: parseMs + checkMs + emitMs };
}

function timeCase(p: Pipeline, c: Case): { timings: Timings; lines: number } {
  const source = c.source();
  const file = `${c.name.replace(/\s+/g, '-')}.route`;
  const runs = Array.from({ length: c.runs }, () => timeOnce(p, source, file));
  const timings = Object.fromEntries(STAGES.map((s) => [s, median(runs.map((r) => r[s]))])) as Timings;
  return { timings, lines: source.split('\n').length };
}

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** Time the cases whose names contain one of `only` (all by default) and
 *  print the table with growth ratios. */
export async function scaleBench(only: readonly string[] = []): Promise<void> {
  const p = await loadBuilt();
  const cases = CASES.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));
  console.log('');
  console.log('check and compile scaling: ms per stage, median of a few runs after a warm-up');
  console.log('(×: a stage\'s time over its time at a tenth of the size; linear growth is 10×, issue 12 allows up to 12×)');
  console.log('timed: the built JavaScript in dist/ (tsc -p tsconfig.build.json), run by plain node, as users run it');
  p.compile(rulesFile(1_000), { file: 'warm-up.route', readFile: () => undefined, baseDir: '.' }); // warm-up: JIT, Chevrotain's grammar
  const results = new Map<string, Timings>();
  const header = ['file', 'lines', ...STAGES, ...STAGES.map((s) => `${s} ×`)];
  const rows: string[][] = [];
  for (const c of cases) {
    const { timings, lines } = timeCase(p, c);
    results.set(c.name, timings);
    const base = c.base === undefined ? undefined : results.get(c.base);
    const ratio = (s: Stage): string => (base === undefined ? '' : `${(timings[s] / base[s]).toFixed(1)}×`);
    rows.push([c.name, lines.toLocaleString('en-US'), ...STAGES.map((s) => fmtMs(timings[s])), ...STAGES.map(ratio)]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log(`generated files: flows of ${RULES_PER_FLOW} when-rules (routes with caps and overflow, splits, random) over buyers with accepts, price, cap, hours and overflow; total = parse + check + emit, what compile() does.`);
  console.log('chevrotain: the part of parse that is lexing and Chevrotain\'s recognition with its CST (no AST), timed on its own before each parse and not added to the total.');
}

// `npx tsx bench/scale.ts [name…]`: e.g. `npx tsx bench/scale.ts rules` for the rule cases only.
if (process.argv[1] === fileURLToPath(import.meta.url)) await scaleBench(process.argv.slice(2));
