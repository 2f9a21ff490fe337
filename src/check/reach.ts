// Which rules of a flow a lead can reach first: random ranges that overlap
// (LR401) or leave gaps (LR402), and rules that earlier rules shadow (LR403):
// after `otherwise` or an unguarded action, with a condition identical to an
// earlier one, or one an earlier rule's condition already covers.
//
// Under first-match semantics a matching rule that cannot place a lead passes
// it on. Only a rule that always places (or stops) the leads it matches
// shadows later ones: each routing model declares whether its rules may fall
// through (src/models/, traits.fallsThrough), e.g. a `route` whose buyer can
// refuse (accepts, caps, hours, dedupe, …), a `flow NAME` or a `fallback`.
// The note on LR403 says a shadowed rule still gets the leads the earlier
// rule's buyers turn away at delivery (a Seller's re-route).
//
// In a flow with a syntax error the rules are what the parser recovered, not
// what was written, so LR403 is not reported there.

import type { Expr, FlowDecl, Rule, Span } from '../lang/ast.js';
import type { MessageArgs, MessageId } from '../lang/diagnostics.js';
import { type CheckContext, headSpan, isSpan, listText, plural } from './context.js';
import {
  conjunction,
  countOf,
  implies,
  intersectBits,
  minusBits,
  pureRandomSet,
  randomSet,
  rangesText,
  unionBits,
  type Conjunction,
  type ConjunctionInfo,
  type Constraint,
  type RandomSet,
} from './constraints.js';
import { rulesOf } from './flows.js';
import { buyerFacts } from '../models/buyer-facts.js';
import { modelOf, type BuyerFacts } from '../models/index.js';
import { quote, structuralKey } from './render.js';

interface Earlier {
  rule: Rule;
  line: number;
  shadows: boolean;
  random?: RandomSet;
  conj?: ConjunctionInfo;
}

function lineNo(rule: Rule): number {
  return isSpan(rule.span) ? rule.span.line : 0;
}

function ruleSpan(rule: Rule): Span {
  if (rule.kind === 'when' && rule.condition && isSpan(rule.condition.span)) return rule.condition.span;
  if (rule.kind === 'otherwise') return headSpan(rule.span, 'otherwise'.length);
  return isSpan(rule.action?.span) ? rule.action.span : rule.span;
}

function lines(rules: Earlier[]): string {
  const ls = [...new Set(rules.map((r) => r.line))];
  return `${plural(ls.length, 'the rule at line', 'the rules at lines')} ${listText(ls.map(String))}`;
}

/** "it only gets leads the rule at line 3 cannot place", unless that rule rejects. */
/** The earlier rules an unreachable one still gets leads from (those they cannot place), for LR403's help; none when they all reject. */
function fallbackFrom(earlier: Earlier[]): string | undefined {
  if (earlier.every((e) => e.rule.action?.kind === 'reject')) return undefined;
  return lines(earlier);
}

/** Whether a matched rule always places (or stops) the lead, so that later rules only see what it turns away at delivery. */
function shadows(rule: Rule, facts: BuyerFacts): boolean {
  const a = rule.action;
  const model = a && typeof a === 'object' ? modelOf(a.kind) : undefined;
  return model !== undefined && !model.traits.fallsThrough(a, facts);
}

/** Whether the parser reported a syntax error inside the flow. */
function hasSyntaxError(ctx: CheckContext, flow: FlowDecl): boolean {
  const offsets = ctx.file?.syntaxErrors;
  if (!Array.isArray(offsets) || offsets.length === 0 || !isSpan(flow.span)) return false;
  return offsets.some((o) => o >= flow.span.start && o <= flow.span.end);
}

/**
 * The earlier shadowing rules, indexed so that finding the first one whose
 * condition a later rule's implies does not compare with every earlier rule
 * (that was quadratic in the length of a flow).
 *
 * `implies(later, e)` needs every field `e` constrains to be constrained in
 * `later` to a subset. So each rule is filed under one of its fields, its
 * anchor: with the values of an `==`/`in` set (a later subset holds one of
 * them), the slots of a random range (a later sub-range holds one of them),
 * or else the field alone. A later rule looks up each of its fields, with one
 * of its values or slots, and tests only the rules found there.
 */
class ConditionIndex {
  private readonly byField = new Map<string, Indexed[]>();
  private readonly byValue = new Map<string, Indexed[]>();
  private count = 0;

  add(rule: Earlier, conj: ConjunctionInfo): void {
    if (!conj.complete || conj.constraints.size === 0) return; // implies() is false for it
    const entry: Indexed = { rule, conj, order: this.count++ };
    const anchor = bestAnchor(conj.constraints);
    if (anchor === undefined) file(this.byField, firstKey(conj.constraints), entry);
    else for (const value of anchor.values) file(this.byValue, valueKey(anchor.key, value), entry);
  }

  /** The earliest rule whose condition every lead matching `later` matches. */
  firstImplied(later: Conjunction): Earlier | undefined {
    let best: Indexed | undefined;
    const consider = (entries: Indexed[] | undefined): void => {
      for (const e of entries ?? []) {
        if (best !== undefined && e.order >= best.order) break; // filed in order: the rest are later
        if (implies(later, e.conj)) best = e;
      }
    };
    for (const [key, c] of later) {
      consider(this.byField.get(key));
      const probe = probeValue(c);
      if (probe !== undefined) consider(this.byValue.get(valueKey(key, probe)));
    }
    return best?.rule;
  }
}

interface Indexed {
  rule: Earlier;
  conj: ConjunctionInfo;
  /** Position among the indexed rules: the first match is the one reported. */
  order: number;
}

function file(index: Map<string, Indexed[]>, key: string, entry: Indexed): void {
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
}

const valueKey = (field: string, value: string): string => `${field}\u0000${value}`;

function firstKey(c: Conjunction): string {
  for (const key of c.keys()) return key;
  return '';
}

/** The values a constraint holds, if any later subset of it must hold one of them. */
function anchorValues(c: Constraint): string[] | undefined {
  switch (c.kind) {
    case 'set':
      return c.negated ? undefined : [...c.values];
    case 'rand':
      return randomSlots(c.bits);
    case 'num':
      return undefined;
    default: {
      const never: never = c;
      return never;
    }
  }
}

/** The field with the fewest anchor values, the narrowest place to file a rule. */
function bestAnchor(c: Conjunction): { key: string; values: string[] } | undefined {
  let best: { key: string; values: string[] } | undefined;
  for (const [key, constraint] of c) {
    const values = anchorValues(constraint);
    if (values !== undefined && values.length > 0 && (best === undefined || values.length < best.values.length)) best = { key, values };
  }
  return best;
}

/** One value a non-empty constraint holds, under which a wider rule is filed. */
function probeValue(c: Constraint): string | undefined {
  switch (c.kind) {
    case 'set':
      return c.negated ? undefined : c.values.values().next().value;
    case 'rand':
      return randomSlots(c.bits)[0];
    case 'num':
      return undefined;
    default: {
      const never: never = c;
      return never;
    }
  }
}

function randomSlots(bits: RandomSet): string[] {
  const slots: string[] = [];
  for (let r = 1; r <= 100; r++) if (bits[r] === 1) slots.push(String(r));
  return slots;
}

export function checkReachability(ctx: CheckContext, flow: FlowDecl, facts: BuyerFacts = buyerFacts(ctx.buyerDecls)): void {
  const rules = rulesOf(flow);
  const recovered = hasSyntaxError(ctx, flow);
  const report = <I extends MessageId>(id: I, span: Span | undefined, ...args: MessageArgs<I>): void => {
    if (!id.startsWith('LR403') || !recovered) ctx.report(id, span, ...args);
  };
  /** The earlier rules with a pure random condition, in order. */
  const randomEarlier: Earlier[] = [];
  let shadowCover = randomSet(() => false);
  /** The first shadowing rule with each condition (by structural key). */
  const sameCondition = new Map<string, Earlier>();
  const widerConditions = new ConditionIndex();
  /** File a rule a later one may be shadowed by. */
  const remember = (here: Earlier, key: string | undefined): void => {
    if (!here.shadows || !here.conj) return;
    if (key !== undefined && !sameCondition.has(key)) sameCondition.set(key, here);
    widerConditions.add(here, here.conj);
  };
  let terminal: Earlier | undefined;
  let catchAll = false;
  let anyGuarded = false;
  let allRandom = true;
  let taken = randomSet(() => false);

  for (const rule of rules) {
    const here: Earlier = { rule, line: lineNo(rule), shadows: shadows(rule, facts) };
    if (terminal) {
      const t = terminal;
      const id = t.rule.kind === 'otherwise' ? 'LR403' : t.rule.action?.kind === 'reject' ? 'LR403.afterReject' : 'LR403.afterUnguarded';
      report(id, ruleSpan(rule), String(t.line), fallbackFrom([t]));
      continue;
    }
    if (rule.kind !== 'when') {
      catchAll = true; // every lead matches it: none is left to a random gap
      if (here.shadows) terminal = here;
      continue;
    }
    anyGuarded = true;
    const cond: Expr | undefined = rule.condition;
    if (!cond || cond.kind === 'error') {
      allRandom = false;
      continue;
    }
    here.conj = conjunction(ctx, cond);
    const key = structuralKey(cond);
    const rand = pureRandomSet(cond);
    if (rand) {
      if (countOf(rand) === 0) continue; // never true: reported where the condition is checked
      here.random = rand;
      // `taken` and `shadowCover` are the unions over the earlier random rules,
      // kept as they grow, so that the rules are only listed for a report.
      const left = minusBits(rand, shadowCover);
      if (countOf(left) === 0) {
        const by = randomEarlier.filter((e) => e.shadows && countOf(intersectBits(rand, e.random!)) > 0);
        report('LR403.randomTaken', ruleSpan(rule), rangesText(rand), lines(by), fallbackFrom(by));
      } else if (countOf(intersectBits(rand, taken)) > 0) {
        const overlaps = randomEarlier
          .map((e) => ({ e, both: intersectBits(rand, e.random!) }))
          .filter((o) => countOf(o.both) > 0);
        if (overlaps.length > 0) {
          const [first, ...more] = overlaps;
          // Each further overlap is one more clause of the same sentence.
          const others = more.map((o) => `, and random ${rangesText(o.both)} by the rule at line ${o.e.line}`).join('');
          const free = minusBits(rand, taken);
          const n = countOf(free);
          if (n > 0) report('LR401', ruleSpan(rule), rangesText(first!.both), String(first!.e.line), others, rangesText(free), String(n), String(countOf(rand)));
          else report('LR401.allTaken', ruleSpan(rule), rangesText(first!.both), String(first!.e.line), others);
        }
      }
      if (here.shadows) shadowCover = unionBits(shadowCover, rand);
      remember(here, key);
      randomEarlier.push(here);
      taken = unionBits(taken, rand);
      continue;
    }
    allRandom = false;
    if (here.conj.empty) continue; // never true: reported as LR310
    const same = key === undefined ? undefined : sameCondition.get(key);
    if (same) {
      report('LR403.sameCondition', ruleSpan(rule), String(same.line), fallbackFrom([same]));
    } else {
      const wider = widerConditions.firstImplied(here.conj.constraints);
      if (wider) {
        const cond2 = wider.rule.kind === 'when' ? quote(wider.rule.condition, 60) : undefined;
        report('LR403.implied', ruleSpan(rule), String(wider.line), cond2 ? ` (${cond2})` : '', fallbackFrom([wider]));
      }
    }
    remember(here, key);
  }

  if (anyGuarded && allRandom && !catchAll) {
    const gap = randomSet((r) => taken[r] !== 1);
    const n = countOf(gap);
    if (n > 0 && n < 100) {
      const text = rangesText(gap);
      const several = text.includes(' and ') || text.includes(',');
      report('LR402', isSpan(flow.name?.span) ? flow.name.span : flow.span, text, several ? 'match' : 'matches', flow.name?.name ?? '?', String(n));
    }
  }
}
