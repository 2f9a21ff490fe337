// Embedding leadroute in a Node service.
//
//   npx tsx examples/embed.ts [rules/some.route]
//
// 1. compile a rule file and report its diagnostics the way the CLI does;
// 2. route a few leads and print the decisions with their traces;
// 3. save the compiled plan as JSON and load it back without the parser, which
//    is how a service ships rules: compile in CI, deploy the plan file.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, loadPlan, Router } from '../src/index.js';
import { MemoryStore } from '../src/adapters/index.js';
import { formatDiagnostics } from '../src/lang/diagnostics.js';
import type { Decision } from '../src/runtime/decision.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// --- 1. Compile ------------------------------------------------------------

const rulePath = resolve(ROOT, process.argv[2] ?? 'rules/solar.route');
const file = relative(ROOT, rulePath); // how diagnostics name the file
const source = readFileSync(rulePath, 'utf8');

const { plan, diagnostics } = compile(source, {
  file,
  // `lead from "…"` paths are resolved against baseDir (the rule file's folder)
  // and read with readFile; both default to the file system. A service that
  // keeps rules elsewhere (a database, a bundle) passes its own readFile.
  baseDir: dirname(rulePath),
  readFile: (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined; // reported as LR208
    }
  },
});

if (diagnostics.length > 0) {
  // Warnings do not stop compilation; errors do (and then there is no plan).
  console.error(formatDiagnostics(diagnostics, { [file]: source }, { color: process.stderr.isTTY }));
  console.error('');
}
if (plan === null) {
  console.error(`${file}: not compiled (${diagnostics.filter((d) => d.severity === 'error').length} error(s))`);
  process.exit(1);
}
console.log(
  `compiled ${file}: ${plan.buyers.length} buyers, flows ${plan.flows.map((f) => f.name).join(', ')}` +
    ` (default ${plan.defaultFlow})`,
);

// --- 2. Route ----------------------------------------------------------------

// Caps live in the store; a MemoryStore is per process. Use the SQLite store to
// keep counts across restarts or share them between workers.
const router = new Router(plan, { store: new MemoryStore(), seed: 1, trace: true });

// Routing time is passed in, so this example prints the same thing every run:
// a Monday morning on the US West Coast.
const now = new Date('2026-11-23T17:30:00.000Z');

const leads: Record<string, unknown>[] = [
  {
    id: 'lead-1',
    state: 'CA',
    zip: '94110',
    homeowner: true,
    electric_bill: '300+',
    credit_score: 760,
    lead_score: 88,
    source: 'google',
    loan_amount: 320000,
    created_at: '2026-11-23T17:21:04.000Z',
    email: 'ava.chen@example.com',
    phone: '415-555-0101',
    first_name: 'Ava',
    last_name: 'Chen',
  },
  {
    id: 'lead-2',
    state: 'OH',
    zip: '43215',
    homeowner: true,
    electric_bill: '100-200',
    credit_score: 655,
    lead_score: 52,
    source: 'facebook',
    loan_amount: 180000,
    created_at: '2026-11-23T17:25:40.000Z',
    email: 'ben.okafor@example.org',
    phone: '614-555-0102',
    first_name: 'Ben',
    last_name: 'Okafor',
  },
  {
    // Invalid on purpose: the schema says credit_score is 300..850.
    id: 'lead-3',
    state: 'TX',
    zip: '73301',
    homeowner: false,
    electric_bill: '200-300',
    credit_score: 905,
    lead_score: 40,
    source: 'affiliate',
    loan_amount: 90000,
    created_at: '2026-11-23T17:29:12.000Z',
    email: 'carmen.reyes@example.net',
    phone: '512-555-0103',
    first_name: 'Carmen',
    last_name: 'Reyes',
  },
];

function show(d: Decision): void {
  const head =
    d.status === 'routed'
      ? `${d.exclusive ? 'sold exclusively' : 'sold shared'} to ${d.buyers.map((b) => `${b.name} ($${b.price})`).join(', ')}` +
        (d.rule ? ` by line ${d.rule.line}: ${d.rule.text}` : '')
      : `${d.status}: ${d.reason ?? ''}`;
  console.log(`\n${d.leadId}  random=${d.random}  flow=${d.flow}  ${head}`);
  for (const e of d.errors) console.log(`    invalid ${e.field}: ${e.message}`);
  for (const t of d.trace) console.log(`    ${t.code.padEnd(12)} ${t.message}`);
}

const decisions = leads.map((lead) => router.route(lead, { now }));
decisions.forEach(show);

// --- 3. Save and load the plan ----------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'leadroute-embed-'));
const planFile = join(dir, 'solar.plan.json');
try {
  writeFileSync(planFile, JSON.stringify(plan, null, 2) + '\n');
  console.log(`\nsaved the plan (${readFileSync(planFile, 'utf8').length} bytes of JSON) to ${planFile}`);

  // Elsewhere, without the parser: validate and load the plan, then route.
  const loaded = loadPlan(JSON.parse(readFileSync(planFile, 'utf8')) as unknown);
  const fromFile = new Router(loaded, { store: new MemoryStore(), seed: 1, trace: false });
  const again = leads.map((lead) => fromFile.route(lead, { now }));
  const same = again.every(
    (d, i) => d.status === decisions[i]!.status && JSON.stringify(d.buyers) === JSON.stringify(decisions[i]!.buyers),
  );
  console.log(
    `loaded it back and routed the same leads: ${same ? 'same decisions' : 'DIFFERENT decisions'}` +
      ` (${again.map((d) => `${d.leadId} → ${d.status === 'routed' ? d.buyers.map((b) => b.name).join('+') : d.status}`).join(', ')})`,
  );
  if (!same) process.exitCode = 1;

  // A plan file that is not a plan is refused before anything is routed.
  try {
    loadPlan({ leadroute: 'plan', version: 999 });
    console.log('loadPlan accepted a bogus plan (unexpected)');
    process.exitCode = 1;
  } catch (err) {
    const [first, ...rest] = (err as Error).message.split('\n');
    console.log(`loadPlan refuses a bogus plan: ${first}`);
    for (const line of rest.slice(0, 3)) console.log(`    ${line.trim()}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
