// One line of source, one expectation: `expectDiagnostics(src, ['LR200@1:17'])`.

import { expect } from 'vitest';
import { checkStrict } from '../../src/check/checker.js';
import type { CheckOptions, CheckResult } from '../../src/check/index.js';
import type { Diagnostic } from '../../src/lang/diagnostics.js';
import { parse } from '../../src/lang/index.js';

/** Declarations appended (from line 2) to a one-line test unless it opts out. */
export const PRELUDE = [
  'lead { id: string  state: state  zip: zip  homeowner: bool  bill: "0-100" | "100-200" | "300+"',
  '  credit_score: int 300..850  lead_score: int 0..100 optional  amount: money  ratio: number',
  '  created_at: time  email: email pii  phone: phone pii  tags: list string  states: list state  source: string }',
  'buyer A { price $10 }',
  'buyer B { price $10 }',
  'buyer C { price $10 }',
].join('\n');

export interface RunOptions extends CheckOptions {
  /** Append PRELUDE after the source (default true). */
  prelude?: boolean;
}

export function run(source: string, options: RunOptions = {}): CheckResult & { parseDiagnostics: Diagnostic[] } {
  const text = options.prelude === false ? source : `${source}\n${PRELUDE}`;
  const { ast, diagnostics } = parse(text, 't.route');
  return { ...checkStrict(ast, options), parseDiagnostics: diagnostics };
}

export const at = (d: Diagnostic) => `${d.code}@${d.span.line}:${d.span.col}`;

/** The checker's diagnostics as `CODE@line:col`; the source must parse cleanly. */
export function codes(source: string, options: RunOptions = {}): string[] {
  const r = run(source, options);
  expect(r.parseDiagnostics.map((d) => `${at(d)} ${d.message}`)).toEqual([]);
  return r.diagnostics.map(at);
}

export function expectDiagnostics(source: string, expected: string[], options: RunOptions = {}): void {
  expect(codes(source, options)).toEqual(expected);
}

/** The one diagnostic a source produces (asserting there is exactly one). */
export function only(source: string, options: RunOptions = {}): Diagnostic {
  const r = run(source, options);
  expect(r.parseDiagnostics.map(at)).toEqual([]);
  expect(r.diagnostics.map(at)).toHaveLength(1);
  return r.diagnostics[0]!;
}
