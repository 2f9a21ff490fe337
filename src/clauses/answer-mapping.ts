// What `bid` and `sale` share: a mapping of an answer (`[json|xml|form|text]
// key "path" [test], …`), checked and emitted the same way for both. The keys
// each one reads are its own (BID_KEYS in bid.ts, SALE_KEYS in sale.ts).

import type { AnswerEntry, AnswerMapping, BuyerClause, Span, ValueTest } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { type CheckContext, isSpan, lineOf, listText } from '../check/context.js';
import { checkValueTest } from '../check/http.js';
import type { PlanResponseTest } from '../plan/index.js';
import { literalValue, type BuyerEmitEnv } from './types.js';

/** The keys that test a value (`accepted "p" == v`); every other key names where one is. */
const TESTED_KEYS: readonly string[] = ['accepted', 'duplicate'];

/** Check one mapping's entries against the keys its clause reads. */
export function checkAnswerMapping(ctx: CheckContext, mapping: AnswerMapping, clause: 'bid' | 'sale', keys: readonly string[]): void {
  const entries = Array.isArray(mapping.entries) ? mapping.entries.filter((e) => !!e && typeof e === 'object') : [];
  const seen = new Map<string, Span>();
  const carried = new Map<string, Span>();
  for (const e of entries) {
    const key = e.key?.name;
    if (typeof key !== 'string' || key === '') continue;
    const keySpan = isSpan(e.key.span) ? e.key.span : e.span;
    if (!keys.includes(key)) {
      const best = didYouMean(key, keys);
      const list = listText(keys.map((k) => `\`${k}\``));
      if (clause === 'bid' && best !== undefined) ctx.report('LR212.bidKey', keySpan, key, best);
      else if (clause === 'bid') ctx.report('LR212.bidKeyList', keySpan, key, list);
      else if (best !== undefined) ctx.report('LR212.saleKey', keySpan, key, best);
      else ctx.report('LR212.saleKeyList', keySpan, key, list);
      continue;
    }
    if (key !== 'carry') {
      const prev = seen.get(key);
      if (prev) {
        if (clause === 'bid') ctx.report('LR703.bidKeyTwice', keySpan, key, lineOf(prev));
        else ctx.report('LR714.keyTwice', keySpan, clause, key, lineOf(prev));
        continue;
      }
      seen.set(key, keySpan);
    }
    checkEntry(ctx, e, clause, carried);
  }
}

function checkEntry(ctx: CheckContext, e: AnswerEntry, clause: 'bid' | 'sale', carried: Map<string, Span>): void {
  const key = e.key.name;
  const pathText = JSON.stringify(e.path?.value ?? 'path');
  if (key === 'rejection_words') {
    if (!e.words) ctx.report('LR714.wordsList', e.path?.span ?? e.span, pathText);
    for (const w of e.words ?? []) if (typeof w.value === 'string' && w.value === '') ctx.report('LR714.emptyWord', w.span ?? e.span);
    return;
  }
  if (e.words) {
    ctx.report('LR714.wordsOnly', e.key.span ?? e.span, key);
    return;
  }
  if (e.path && typeof e.path.value === 'string' && e.path.value.trim() === '') {
    if (clause === 'bid') ctx.report('LR703.bidPathEmpty', e.path.span ?? e.span, key);
    else ctx.report('LR714.pathEmpty', e.path.span ?? e.span, clause, key);
  }
  if (key === 'carry') checkCarry(ctx, e, pathText, carried);
  else if (e.name) ctx.report('LR714.nameOnlyCarry', e.name.span ?? e.span, key, pathText, e.name.name);
  if (TESTED_KEYS.includes(key)) {
    if (e.test) checkValueTest(ctx, e.test);
    else if (clause === 'bid' && key === 'accepted') ctx.report('LR703.acceptedValue', e.span, pathText);
    else ctx.report('LR714.needsTest', e.span, key, pathText);
  } else if (e.test) {
    const at = e.test.values?.[0]?.span ?? e.test.span ?? e.span;
    if (clause === 'bid') ctx.report('LR703.onlyAccepted', at, key, pathText);
    else ctx.report('LR714.noTest', at, key, pathText);
  }
}

function checkCarry(ctx: CheckContext, e: AnswerEntry, pathText: string, carried: Map<string, Span>): void {
  const name = e.name;
  if (!name || typeof name.name !== 'string') {
    ctx.report('LR714.carryName', e.span, pathText);
    return;
  }
  if (name.name === 'id') {
    ctx.report('LR714.carryId', name.span ?? e.span, pathText);
    return;
  }
  const prev = carried.get(name.name);
  if (prev) ctx.report('LR714.carryTwice', name.span ?? e.span, name.name, lineOf(prev));
  else carried.set(name.name, name.span ?? e.span);
}

/** A test as the plan writes it: `== v` stays `equals`; a list or `ignoring case` is `in`. */
export function emitValueTest(path: string, t: ValueTest, env: BuyerEmitEnv): PlanResponseTest {
  const values = t.values.map((v) => literalValue(v, env));
  if (t.op === '==' && !t.ignoreCase) return { path, equals: values[0] ?? true };
  return { path, in: values.length > 0 ? values : [true], ignoreCase: t.ignoreCase };
}

/** The names a buyer's `bid` carries to its post templates (`carry bid_id "…"` → `bid_id`). */
export function carriedNames(clauses: readonly BuyerClause[]): string[] {
  const names: string[] = [];
  for (const c of clauses) {
    if (c.kind !== 'bid' || !Array.isArray(c.mapping?.entries)) continue;
    for (const e of c.mapping.entries) if (e?.key?.name === 'carry' && e.name && e.name.name !== 'id' && !names.includes(e.name.name)) names.push(e.name.name);
  }
  return names;
}

/** An entry's path; undefined for a word list (or an entry whose path the parser lost). */
export function entryPath(e: AnswerEntry): string | undefined {
  return e.path && typeof e.path.value === 'string' ? e.path.value : undefined;
}
