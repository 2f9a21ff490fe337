// What `leadroute test` prints: per test file a line per case (a failure with
// its position, expected and actual value per field, and the decision's trace,
// shortened), the tally, and with --coverage what no test exercised.

import { paint } from '../cli/io.js';
import type { Decision } from '../runtime/index.js';
import { percentCovered } from './coverage.js';
import type { FieldDiff } from './expect.js';
import type { FileRun } from './run.js';

/** Trace lines shown under a failed case: enough to see the path the lead took. */
const TRACE_SHOWN = 12;

export interface Tally {
  passed: number;
  failed: number;
  cases: number;
  distributions: number;
  badFiles: number;
  untested: number;
}

export function tally(runs: readonly FileRun[]): Tally {
  const t: Tally = { passed: 0, failed: 0, cases: 0, distributions: 0, badFiles: 0, untested: 0 };
  for (const r of runs) {
    if (r.problems.length > 0) t.badFiles++;
    if (r.test === null) t.untested++;
    t.cases += r.cases.length;
    t.distributions += r.distributions.length;
    for (const x of [...r.cases, ...r.distributions]) {
      if (x.diffs.length === 0) t.passed++;
      else t.failed++;
    }
  }
  return t;
}

export function formatRun(run: FileRun, color: boolean): string {
  const c = paint(color);
  if (run.test === null) return c.yellow(`${run.rules}: no test file`);
  const lines = [c.bold(`${run.test}`) + c.dim(` (${run.rules})`)];
  if (run.problems.length > 0) {
    lines.push(...run.problems.map((p) => `  ${c.red('error')} ${p}`));
    return lines.join('\n');
  }
  for (const r of run.cases) {
    if (r.diffs.length === 0) lines.push(`  ${c.green('✓')} ${r.name}`);
    else lines.push(`  ${c.red('✗')} ${r.name}  ${c.dim(r.where)}`, ...diffLines(r.diffs, color), ...traceLines(r.decision, color));
  }
  for (const d of run.distributions) {
    const shares = d.shares.map((s) => `${s.name} ${s.actual.toFixed(1)}%`).join(', ');
    const head = `distribution ${d.name}: ${d.leads} leads, ${shares} (±${d.tolerance})`;
    if (d.diffs.length === 0) lines.push(`  ${c.green('✓')} ${head}`);
    else lines.push(`  ${c.red('✗')} ${head}  ${c.dim(d.where)}`, ...diffLines(d.diffs, color));
  }
  return lines.join('\n');
}

function diffLines(diffs: readonly FieldDiff[], color: boolean): string[] {
  const c = paint(color);
  const width = Math.max(...diffs.map((d) => d.field.length));
  return diffs.flatMap((d) => [
    `      ${d.field.padEnd(width)}  expected  ${c.green(d.expected)}`,
    `      ${' '.repeat(width)}  actual    ${c.red(d.actual)}`,
  ]);
}

function traceLines(d: Decision, color: boolean): string[] {
  const c = paint(color);
  const sold = d.buyers.length === 0 ? 'no buyer' : d.buyers.map((b) => `${b.name} $${b.price.toFixed(2)}`).join(', ');
  const head = `      decision: ${d.status}, ${sold}${d.reason ? ` (${d.reason})` : ''}, random ${d.random}, at ${d.at}`;
  const shown = d.trace.slice(0, TRACE_SHOWN).map((t) => c.dim(`        ${t.code.padEnd(12)} ${t.message}`));
  const more = d.trace.length > TRACE_SHOWN ? [c.dim(`        … ${d.trace.length - TRACE_SHOWN} more trace lines`)] : [];
  return [head, ...shown, ...more];
}

export function formatTally(t: Tally, color: boolean): string {
  const c = paint(color);
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const parts = [`${n(t.cases, 'case')}, ${n(t.distributions, 'distribution')}: ${t.passed} passed, ${t.failed} failed`];
  if (t.badFiles > 0) parts.push(n(t.badFiles, 'file') + ' not run (errors above)');
  if (t.untested > 0) parts.push(`${n(t.untested, 'rule file')} without tests`);
  const text = parts.join('; ');
  return t.failed > 0 || t.badFiles > 0 ? c.red(text) : c.green(text);
}

export function formatCoverage(runs: readonly FileRun[], min: number | null, color: boolean): string {
  const c = paint(color);
  const files = runs.flatMap((r) => (r.coverage ? [r.coverage] : []));
  const { covered, total, percent } = percentCovered(files);
  const lines: string[] = [];
  for (const f of files) {
    const missed = f.items.filter((i) => !i.covered && i.ignored === undefined);
    if (missed.length === 0) continue;
    lines.push(`  ${c.bold(f.file)}: ${missed.length} of ${f.items.length} not exercised`);
    for (const i of missed) lines.push(`    ${f.file}:${i.line}  ${i.what}`);
  }
  const ignored = files.flatMap((f) => f.items.filter((i) => i.ignored !== undefined).map((i) => ({ file: f.file, item: i })));
  if (ignored.length > 0) {
    lines.push(c.dim(`  ignored by the test files (not counted):`));
    lines.push(...ignored.map(({ file, item }) => c.dim(`    ${file}:${item.line}  ${item.what}: ${item.ignored}`)));
  }
  const pct = `${formatPercent(percent)} (${covered} of ${total} branches, ${files.length} rule file${files.length === 1 ? '' : 's'}${ignored.length > 0 ? `, ${ignored.length} ignored` : ''})`;
  const under = min !== null && percent < min;
  const head = `coverage: ${pct}${min !== null ? (under ? `, under the minimum of ${min}%` : `, minimum ${min}%`) : ''}`;
  return [under ? c.red(head) : c.green(head), ...lines].join('\n');
}

/** 100% only when everything is covered: 99.96% is not rounded up. */
export function formatPercent(p: number): string {
  const floored = Math.floor(p * 10) / 10;
  return `${floored.toFixed(1)}%`;
}
