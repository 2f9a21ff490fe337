// A case's expectations against the decision the router made: one FieldDiff
// per expectation that does not hold, in the order of the keys in spec.ts, each
// with the expected and the actual value as the user reads them.

import type { Decision, TraceEntry } from '../runtime/index.js';
import type { CaseExpectJson } from './spec.js';

export interface FieldDiff {
  field: string;
  expected: string;
  actual: string;
}

const CENT = 0.005;
const money = (n: number) => `$${n.toFixed(2)}`;
const list = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));
const quoted = (s: string | null) => (s === null ? '(none)' : JSON.stringify(s));

/** A trace line matches a word: its code, or (case ignored) a part of its sentence. */
export function traceMatches(t: TraceEntry, word: string): boolean {
  return t.code === word || t.message.toLowerCase().includes(word.toLowerCase());
}

export function compareExpectations(e: CaseExpectJson, d: Decision): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const differ = (field: string, expected: string, actual: string) => diffs.push({ field, expected, actual });
  if (e.status !== undefined && e.status !== d.status) differ('status', e.status, d.status);
  if (e.buyers !== undefined) {
    const want = e.buyers === 'none' || e.buyers === 'unsold' ? [] : e.buyers;
    const got = d.buyers.map((b) => b.name);
    if (want.length !== got.length || want.some((b, i) => b !== got[i])) differ('buyers', list(want), list(got));
  }
  if (e.price !== undefined && Math.abs(e.price - d.price) >= CENT) differ('price', money(e.price), money(d.price));
  if (e.exclusive !== undefined && e.exclusive !== d.exclusive) differ('exclusive', String(e.exclusive), String(d.exclusive));
  if (e.rule !== undefined && e.rule !== d.rule?.id) differ('rule', e.rule, d.rule ? `${d.rule.id} (${d.rule.text})` : '(none)');
  if (e.reason !== undefined && !reasonMatches(d, e.reason)) differ('reason', `containing ${quoted(e.reason)}`, quoted(d.reason));
  for (const [buyer, word] of Object.entries(e.skipped ?? {})) {
    const about = d.trace.filter((t) => t.buyer === buyer);
    if (!about.some((t) => traceMatches(t, word))) {
      differ(`skipped ${buyer}`, word, about.length === 0 ? 'not in the trace' : about.map((t) => `${t.code}: ${t.message}`).join('; '));
    }
  }
  for (const word of e.trace ?? []) if (!d.trace.some((t) => traceMatches(t, word))) differ('trace', `a line with ${quoted(word)}`, 'none');
  for (const [field, value] of Object.entries(e.rewrites ?? {})) {
    const got = Object.hasOwn(d.rewrites, field) ? d.rewrites[field] : undefined;
    if (JSON.stringify(got) !== JSON.stringify(value)) differ(`rewrites.${field}`, JSON.stringify(value), got === undefined ? 'not rewritten' : JSON.stringify(got));
  }
  if (e.holdUntil !== undefined && Date.parse(e.holdUntil) !== (d.holdUntil === null ? NaN : Date.parse(d.holdUntil))) {
    differ('holdUntil', e.holdUntil, d.holdUntil ?? '(not held)');
  }
  return diffs;
}

/** A lead not sold, for this reason: a part of the decision's reason, or (the lead unsold) a code of its trace. */
function reasonMatches(d: Decision, word: string): boolean {
  if ((d.reason ?? '').toLowerCase().includes(word.toLowerCase())) return true;
  return d.status !== 'routed' && d.trace.some((t) => t.code === word);
}
