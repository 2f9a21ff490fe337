// Buyers: duplicate names, clauses that may appear once, and each clause by
// its own module (src/clauses/). checkBuyerRef is shared with the routing
// models and the clauses that name a buyer (`overflow`, `when closed send`).

import type { BuyerClause, BuyerDecl, Ident, Span } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { type BuyerCheckEnv, clauseOf, onceKey } from '../clauses/index.js';
import { type CheckContext, headSpan, lineOf } from './context.js';
import type { ExprChecker } from './exprs.js';
import { TemplateChecker } from './templates.js';

export { checkCaps, checkFieldList, checkHours } from '../clauses/index.js';

/** Record buyer names, reporting duplicates (LR203). */
export function declareBuyers(ctx: CheckContext, buyers: BuyerDecl[]): void {
  const first = new Map<string, BuyerDecl>();
  for (const b of buyers) {
    const name = b?.name?.name;
    if (typeof name !== 'string' || name === '') continue;
    const prev = first.get(name);
    if (prev) {
      ctx.report('LR203', b.name.span ?? b.span, name, lineOf(prev.name.span));
      continue;
    }
    first.set(name, b);
    ctx.buyers.add(name);
    ctx.buyerDecls.set(name, b);
  }
}

/** The word a repeat is quoted by. */
function clauseWord(key: string): string {
  return key === 'closed' ? 'when closed' : key;
}

export function checkBuyer(ctx: CheckContext, exprs: ExprChecker, b: BuyerDecl, templates?: TemplateChecker): void {
  const clauses: BuyerClause[] = Array.isArray(b?.clauses) ? b.clauses.filter((c) => !!c && typeof c === 'object') : [];
  const seen = new Map<string, BuyerClause>();
  const name = b?.name?.name ?? '?';
  const env: BuyerCheckEnv = {
    name,
    clauses,
    hasPing: clauses.some((c) => c.kind === 'ping'),
    hasPost: clauses.some((c) => c.kind === 'post' && !c.backup),
    templates: templates ?? new TemplateChecker(ctx, {}),
    isFirst: (c) => {
      const key = onceKey(c);
      return key === null || seen.get(key) === c;
    },
  };
  for (const c of clauses) {
    const module = clauseOf(c.kind);
    if (module === undefined) continue; // a kind no clause has: only a hand-built AST
    const key = onceKey(c);
    if (key !== null) {
      const prev = seen.get(key);
      if (prev) {
        const word = clauseWord(key);
        // A clause may say how to merge two of it; its help comes with the clause.
        const clauseHelp = module.traits.onceHelp;
        if (key === 'backup post') ctx.report('LR209.backupPost', headSpan(c.span, word.length), name, word, lineOf(prev.span));
        else if (clauseHelp !== undefined) ctx.report('LR209.clauseHelp', headSpan(c.span, word.length), name, word, lineOf(prev.span), clauseHelp);
        else ctx.report('LR209', headSpan(c.span, word.length), name, word, lineOf(prev.span));
      } else seen.set(key, c);
    }
    module.check(ctx, exprs, c, env);
  }
}

/** A reference to a buyer by name (LR201). */
export function checkBuyerRef(ctx: CheckContext, ref: { name: string; span: Span } | undefined): boolean {
  if (!ref || typeof ref.name !== 'string' || ref.name === '') return false;
  if (denotes(ctx, ref, 'buyer')) return true;
  const best = didYouMean(ref.name, ctx.buyers);
  if (best === undefined && ctx.buyers.size === 0) ctx.report('LR201.noBuyers', ref.span, ref.name);
  else ctx.report('LR201', ref.span, ref.name, best);
  return false;
}

/**
 * Whether a buyer or flow reference names a declared one: read from the
 * binding made before the passes ran. A node the binder did not reach (a
 * hand-built AST, or a binder that crashed, which is reported as LR900) is
 * looked up among the declared names instead.
 */
export function denotes(ctx: CheckContext, ref: { name: string; span: Span }, kind: 'buyer' | 'flow'): boolean {
  const symbol = ctx.bindings.symbolOf(ref as Ident);
  if (symbol !== undefined) return symbol.kind === kind;
  return (kind === 'buyer' ? ctx.buyers : ctx.flows).has(ref.name);
}
