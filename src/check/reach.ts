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
  type ConjunctionInfo,
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
  key?: string;
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
function fallbackNote(earlier: Earlier[]): string | undefined {
  if (earlier.every((e) => e.rule.action?.kind === 'reject')) return undefined;
  return `it only gets leads ${lines(earlier)} cannot place; reorder the rules if this one should come first`;
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

export function checkReachability(ctx: CheckContext, flow: FlowDecl, facts: BuyerFacts = buyerFacts(ctx.buyerDecls)): void {
  const rules = rulesOf(flow);
  const recovered = hasSyntaxError(ctx, flow);
  const report: CheckContext['report'] = (code, ...rest) => {
    if (code !== 'LR403' || !recovered) ctx.report(code, ...rest);
  };
  const earlier: Earlier[] = [];
  let terminal: Earlier | undefined;
  let catchAll = false;
  let anyGuarded = false;
  let allRandom = true;
  let taken = randomSet(() => false);

  for (const rule of rules) {
    const here: Earlier = { rule, line: lineNo(rule), shadows: shadows(rule, facts) };
    if (terminal) {
      const t = terminal;
      const what =
        t.rule.kind === 'otherwise'
          ? `this rule comes after \`otherwise\` (line ${t.line}), which every lead matches first`
          : t.rule.action?.kind === 'reject'
            ? `this rule comes after the unguarded \`reject\` at line ${t.line}, which stops every lead`
            : `this rule comes after the unguarded rule at line ${t.line}, which every lead matches first`;
      report('LR403', ruleSpan(rule), `unreachable: ${what}`, fallbackNote([t]));
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
    here.key = structuralKey(cond);
    const rand = pureRandomSet(cond);
    if (rand) {
      if (countOf(rand) === 0) continue; // never true: reported where the condition is checked
      here.random = rand;
      const before = earlier.filter((e) => e.random);
      const shadowing = before.filter((e) => e.shadows);
      const cover = shadowing.reduce((u, e) => unionBits(u, e.random!), randomSet(() => false));
      const left = minusBits(rand, cover);
      if (countOf(left) === 0) {
        const by = shadowing.filter((e) => countOf(intersectBits(rand, e.random!)) > 0);
        report(
          'LR403',
          ruleSpan(rule),
          `unreachable: random ${rangesText(rand)} is already taken by ${lines(by)}`,
          fallbackNote(by),
        );
      } else {
        const overlaps = before
          .map((e) => ({ e, both: intersectBits(rand, e.random!) }))
          .filter((o) => countOf(o.both) > 0);
        if (overlaps.length > 0) {
          const parts = overlaps.map(
            (o, i) => `random ${rangesText(o.both)} ${i === 0 ? 'is already taken by' : 'by'} the rule at line ${o.e.line}`,
          );
          const free = minusBits(rand, before.reduce((u, e) => unionBits(u, e.random!), randomSet(() => false)));
          const n = countOf(free);
          report(
            'LR401',
            ruleSpan(rule),
            parts.join(', and '),
            n > 0
              ? `so this rule gets random ${rangesText(free)} (${n}% of leads), not the ${countOf(rand)}% its condition says`
              : undefined,
          );
        }
      }
      taken = unionBits(taken, rand);
      earlier.push(here);
      continue;
    }
    allRandom = false;
    if (here.conj.empty) continue; // never true: reported as LR310
    const same = earlier.find((e) => e.shadows && e.key !== undefined && e.key === here.key);
    if (same) {
      report(
        'LR403',
        ruleSpan(rule),
        `unreachable: the rule at line ${same.line} has the same condition and is tried first`,
        fallbackNote([same]),
      );
    } else {
      const wider = earlier.find((e) => e.shadows && e.conj && implies(here.conj!.constraints, e.conj));
      if (wider) {
        const cond2 = wider.rule.kind === 'when' ? quote(wider.rule.condition, 60) : undefined;
        report(
          'LR403',
          ruleSpan(rule),
          `unreachable: every lead this rule matches also matches the rule at line ${wider.line}${
            cond2 ? ` (${cond2})` : ''
          }, which is tried first`,
          fallbackNote([wider]),
        );
      }
    }
    earlier.push(here);
  }

  if (anyGuarded && allRandom && !catchAll) {
    const gap = randomSet((r) => taken[r] !== 1);
    const n = countOf(gap);
    if (n > 0 && n < 100) {
      const text = rangesText(gap);
      const several = text.includes(' and ') || text.includes(',');
      report(
        'LR402',
        isSpan(flow.name?.span) ? flow.name.span : flow.span,
        `random ${text} ${several ? 'match' : 'matches'} no rule of flow \`${flow.name?.name ?? '?'}\`: those leads (${n}%) go unrouted`,
        'add an `otherwise` rule, or widen a range',
      );
    }
  }
}
