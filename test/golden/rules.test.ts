// Golden baselines for every rule file in rules/: the plan it compiles to, and
// the routing trace of examples/leads.jsonl through it (a fixed clock that
// advances a minute a lead, a fixed seed, a fresh memory store). A change that
// alters either shows up as a diff here; rewrite them with
// `npm run golden:update` after an intended change.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, MemoryStore, Router, type Decision } from '../../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rulesDir = path.join(root, 'rules');
const goldenDir = path.join(root, 'test/golden/rules');
const update = process.env.UPDATE_GOLDEN === '1';
const START = Date.parse('2026-11-23T15:00:00Z');
const STEP_MS = 60_000;

const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.route'))
  .sort();
const leads = readFileSync(path.join(root, 'examples/leads.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as unknown);

function traceLine(d: Decision): string {
  const sold = d.buyers.map((b) => `${b.name} $${b.price}${b.deliverAt ? ` at ${b.deliverAt}` : ''}`).join(', ');
  const head = [d.leadId, `r${d.random}`, d.flow, d.status, sold, d.rule?.id ?? '', d.reason ?? ''].join(' | ');
  const extra = [
    ...(d.holdUntil ? [`  hold until ${d.holdUntil}`] : []),
    ...(d.auction ? [`  auction ${JSON.stringify(d.auction)}`] : []),
    ...(Object.keys(d.rewrites).length > 0 ? [`  rewrites ${JSON.stringify(d.rewrites)}`] : []),
    ...d.errors.map((e) => `  error ${e.field}: ${e.message}`),
  ];
  const trace = d.trace.map((t) => `  ${t.code}${t.buyer ? ` [${t.buyer}]` : ''}${t.rule ? ` {${t.rule}}` : ''} ${t.message}`);
  return [head, ...extra, ...trace].join('\n');
}

function routeAll(file: string): { plan: string; trace: string } {
  const source = readFileSync(path.join(rulesDir, file), 'utf8');
  const { plan, diagnostics } = compile(source, { file: `rules/${file}`, baseDir: rulesDir });
  if (!plan) throw new Error(`${file} does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  const router = new Router(plan, { store: new MemoryStore(), seed: 7, trace: true });
  const lines = leads.map((lead, i) => traceLine(router.route(lead, { now: START + i * STEP_MS })));
  return { plan: `${JSON.stringify(plan, null, 1)}\n`, trace: `${lines.join('\n')}\n` };
}

function compareOrWrite(file: string, actual: string): void {
  const target = path.join(goldenDir, file);
  if (update || !existsSync(target)) {
    writeFileSync(target, actual);
    if (!update) throw new Error(`wrote ${target}; review it and run again`);
    return;
  }
  expect(actual).toBe(readFileSync(target, 'utf8'));
}

describe('golden plans and traces of rules/', () => {
  it('has rule files', () => {
    expect(ruleFiles.length).toBeGreaterThan(10);
  });
  it.each(ruleFiles)('%s', (file) => {
    const { plan, trace } = routeAll(file);
    const base = file.replace(/\.route$/, '');
    compareOrWrite(`${base}.plan.json`, plan);
    compareOrWrite(`${base}.trace.txt`, trace);
  });
});
