// The syntax of the routing actions (`route`, `split`, …), one entry per
// action in ACTION_SYNTAX: its keyword, its grammar rules, its AST type and
// how its CST becomes that AST. The parser (./parser.ts) offers every entry's
// rule as an alternative of `action`; the AST builder (./ast-builder.ts) hands
// the matched rule's node to the entry's `build`; `Action` (./ast.ts) is the
// union of what the entries build, so `ActionKind`, and with it the models'
// table (src/models/index.ts), follow this table: an entry without a model
// does not compile (test/models/registry.test.ts).
//
// Keywords here are made with ./tokens.ts's `keyword` (reserved) and `soft`
// (still usable as a name) and are collected for the lexer as they are made.
// Words several constructs share (`cap`, `when`, `max`, …) live in ./tokens.ts.
//
// Why one file over ~500 lines: the eleven actions' grammar and building are
// small and alike; one table in one file is what makes a new action one entry.

import type { CstElement, CstNode, IToken, TokenType } from 'chevrotain';
import type { CapSpec, Expr, Ident, Span } from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import * as T from './tokens.js';

// ---------------------------------------------------------------- keywords

const keywords: TokenType[] = [];
const softKeywords: TokenType[] = [];
const keyword = (word: string): TokenType => {
  const token = T.keyword(word);
  keywords.push(token);
  return token;
};
const soft = (word: string): TokenType => {
  const token = T.soft(word);
  softKeywords.push(token);
  return token;
};

export const Route = keyword('route');
export const Split = keyword('split');
export const Waterfall = keyword('waterfall');
export const Share = keyword('share');
export const Reject = keyword('reject');
export const Rank = soft('rank');
export const Specialize = soft('specialize');
export const Fallback = soft('fallback');
export const Hybrid = soft('hybrid');
export const Auction = soft('auction');

/** Reserved words that start an action (in the order made), for the lexer. */
export const ACTION_KEYWORDS: readonly TokenType[] = keywords;
/** Soft keywords of the actions, for the lexer. */
export const ACTION_SOFT_KEYWORDS: readonly TokenType[] = softKeywords;

// ---------------------------------------------------------------- what an entry is given

/** A grammar rule as the parser holds it (Chevrotain's rule function). */
export type GrammarRule = (idx?: number) => CstNode;
/** The rules of the parser's own an action may use. */
export type ParserRuleName = 'expression' | 'additive' | 'capList' | 'nameList';

/** `CONSUME`, `CONSUME1` … `CONSUME9`: Chevrotain's numbered variants of a DSL method. */
type Numbered<B extends string> = B | `${B}${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;
type Label = { LABEL?: string };
type Alternative = { ALT: () => unknown; GATE?: () => boolean };
type Repetition = (() => unknown) | { DEF: () => unknown; GATE?: () => boolean };
type Separated = { SEP: TokenType; DEF: () => unknown };

/** The names of Chevrotain's DSL methods the parser lends (GRAMMAR_DSL, all their numbered variants). */
export const GRAMMAR_DSL = ['CONSUME', 'SUBRULE', 'OPTION', 'OR', 'MANY', 'MANY_SEP', 'AT_LEAST_ONE', 'AT_LEAST_ONE_SEP'] as const;

/**
 * Chevrotain's grammar DSL, as the parser lends it to the actions' rules (its
 * methods are protected): the same calls, numbered variants included, that a
 * rule in ./parser.ts makes on `this`.
 */
export type ActionGrammar = { [N in Numbered<'CONSUME'>]: (token: TokenType, options?: Label) => IToken } & {
  [N in Numbered<'SUBRULE'>]: (rule: GrammarRule, options?: Label) => CstNode;
} & { [N in Numbered<'OPTION'> | Numbered<'MANY'> | Numbered<'AT_LEAST_ONE'>]: (f: Repetition) => void } & {
  [N in Numbered<'OR'>]: (alternatives: Alternative[]) => void;
} & { [N in Numbered<'MANY_SEP'> | Numbered<'AT_LEAST_ONE_SEP'>]: (options: Separated) => void } & {
  /** A rule by name: one of this file's, or one of the parser's (ParserRuleName);
   *  an unknown name fails the parser's construction, at load. */
  rule(name: string): GrammarRule;
};

type Children = Record<string, CstElement[] | undefined>;

/** What building an action's AST needs from the AST builder (./ast-builder.ts). */
export interface ActionBuildKit {
  readonly diagnostics: Diagnostic[];
  /** A real (not recovery-inserted) token child, by token name. */
  tok(c: Children, name: string, i?: number): IToken | undefined;
  toks(c: Children, name: string): IToken[];
  node(c: Children, name: string, i?: number): CstNode | undefined;
  nodes(c: Children, name: string): CstNode[];
  ident(t: IToken | undefined): Ident | undefined;
  nodeSpan(node: CstElement | undefined, fallback?: Span): Span;
  tokenSpan(t: IToken): Span;
  join(a: Span, b: Span): Span;
  /** A number where the grammar wants one (an unusable one is reported, and the action dropped). */
  num(t: IToken): number;
  durationExpr(t: IToken): Expr;
  expression(node: CstNode | undefined, fallback: Span): Expr;
  stringValue(t: IToken): string;
  nameList(node: CstNode | undefined): Ident[];
  capList(node: CstNode | undefined): CapSpec[];
}

/** One action's syntax. `rule` is the rule the `action` rule offers; `rules`
 *  are the grammar rules the entry adds, `rule` among them. */
export interface ActionSyntax<K extends string> {
  rule: string;
  rules: Record<string, (g: ActionGrammar) => void>;
  build(node: CstNode, b: ActionBuildKit): ({ kind: K } & { span: Span }) | undefined;
}

/** A table of action syntaxes: each entry builds the kind it is filed under. */
export type ActionSyntaxTable<S> = { [K in keyof S]: ActionSyntax<K & string> };
export const syntaxTable = <S extends ActionSyntaxTable<S>>(table: S): S => table;

/** The action a table's entries build, and its kinds. */
export type ActionOf<S extends ActionSyntaxTable<S>> = { [K in keyof S]: NonNullable<ReturnType<S[K]['build']>> }[keyof S];
export type ActionKindOf<S extends ActionSyntaxTable<S>> = ActionOf<S>['kind'];

// ---------------------------------------------------------------- rules shared by several actions

const SHARED_RULES = {
  buyerSet(g: ActionGrammar): void {
    g.CONSUME(T.LCurly);
    g.SUBRULE(g.rule('nameList'));
    g.CONSUME(T.RCurly);
  },
  shareEntry(g: ActionGrammar): void {
    g.CONSUME(T.Identifier);
    g.OPTION(() => g.CONSUME(T.Money));
  },
};

/** `{ tier; tier; … }`: tiers parsed by `tierRule`, separated by semicolons (a
 *  trailing one allowed), inside one action rule (it uses SUBRULE, SUBRULE2,
 *  MANY and OPTION of that rule). */
function semicolonTiers(g: ActionGrammar, tierRule: string): void {
  g.CONSUME(T.LCurly);
  g.SUBRULE(g.rule(tierRule));
  g.MANY(() => {
    g.CONSUME(T.Semicolon);
    g.OPTION(() => g.SUBRULE2(g.rule(tierRule)));
  });
  g.CONSUME(T.RCurly);
}

function buyerSet(node: CstNode | undefined, b: ActionBuildKit): Ident[] {
  return node ? b.nameList(b.node(node.children, 'nameList')) : [];
}

export interface ShareEntry {
  buyer: Ident;
  /** Per-entry price override for the shared sale. */
  price?: Expr;
  span: Span;
}

function shareEntries(nodes: CstNode[], b: ActionBuildKit): ShareEntry[] {
  const entries: ShareEntry[] = [];
  for (const e of nodes) {
    const buyer = b.ident(b.tok(e.children, 'Identifier'));
    if (!buyer) continue;
    const entry: ShareEntry = { buyer, span: b.nodeSpan(e) };
    const price = b.tok(e.children, 'Money');
    if (price) entry.price = { kind: 'money', value: b.num(price), span: b.tokenSpan(price) };
    entries.push(entry);
  }
  return entries;
}

// ---------------------------------------------------------------- the actions' AST

export interface RouteAction {
  kind: 'route';
  buyer: Ident;
  caps: CapSpec[];
  overflow?: Ident;
  span: Span;
}

export interface SplitEntry {
  buyer: Ident;
  /** Percent, 0..100; absent in a performance split, which computes weights. */
  weight?: number;
  span: Span;
}

export type SplitMode =
  | { kind: 'random' }
  | { kind: 'fair'; span: Span }
  | { kind: 'performance'; metric: Ident; window: Expr; min: number; max: number; span: Span };

export interface SplitAction {
  kind: 'split';
  mode: SplitMode;
  entries: SplitEntry[];
  span: Span;
}

export interface WaterfallTier {
  buyer: Ident;
  condition?: Expr;
  span: Span;
}

export interface WaterfallAction {
  kind: 'waterfall';
  tiers: WaterfallTier[];
  span: Span;
}

export interface ShareAction {
  kind: 'share';
  max: number;
  entries: ShareEntry[];
  span: Span;
}

export interface RankFactorSpec {
  factor: Ident;
  /** Percent; absent means an equal share of what the others leave. */
  weight?: number;
  span: Span;
}

export interface RankAction {
  kind: 'rank';
  buyers: Ident[];
  factors: RankFactorSpec[];
  min?: number;
  top?: number;
  window?: Expr;
  span: Span;
}

export interface SpecialistTier {
  buyer: Ident;
  condition?: Expr;
  premium: { kind: 'percent' | 'dollars'; amount: number; span: Span };
  span: Span;
}

export interface SpecializeAction {
  kind: 'specialize';
  tiers: SpecialistTier[];
  fallback?: { kind: 'buyer' | 'flow'; name: Ident };
  span: Span;
}

export interface FallbackStep {
  flow: Ident;
  rewrites: { field: Ident; value: Expr; span: Span }[];
  span: Span;
}

export interface FallbackAction {
  kind: 'fallback';
  steps: FallbackStep[];
  span: Span;
}

export interface HybridAction {
  kind: 'hybrid';
  primary: Ident;
  max: number;
  secondaries: ShareEntry[];
  delay: Expr;
  span: Span;
}

export interface AuctionTier {
  buyers: Ident[];
  floor?: Expr;
  span: Span;
}

export interface AuctionAction {
  kind: 'auction';
  tiers: AuctionTier[];
  timeout?: Expr;
  exclusiveMin?: Expr;
  sharedMax?: number;
  rank?: Expr;
  span: Span;
}

export interface FlowAction {
  kind: 'flow';
  flow: Ident;
  span: Span;
}

export interface RejectAction {
  kind: 'reject';
  reason: string;
  span: Span;
}

// ---------------------------------------------------------------- the table

/** Every action, in the order the `action` rule tries them (and a syntax error lists them). */
export const ACTION_SYNTAX = syntaxTable({
  // `route X [cap …] [overflow Y]`
  route: {
    rule: 'routeAction',
    rules: {
      routeAction(g) {
        g.CONSUME(Route);
        g.CONSUME(T.Identifier);
        g.OPTION(() => {
          g.CONSUME(T.Cap);
          g.SUBRULE(g.rule('capList'));
        });
        g.OPTION2(() => {
          g.CONSUME(T.Overflow);
          g.CONSUME2(T.Identifier);
        });
      },
    },
    build(node, b): RouteAction | undefined {
      const c = node.children;
      const names = b.toks(c, 'Identifier');
      const buyer = b.ident(names[0]);
      if (!buyer) return undefined;
      const action: RouteAction = { kind: 'route', buyer, caps: b.capList(b.node(c, 'capList')), span: b.nodeSpan(node) };
      const overflow = b.tok(c, 'Overflow') ? b.ident(names[1]) : undefined;
      if (overflow) action.overflow = overflow;
      return action;
    },
  },

  // `split [fair | by performance METRIC over D min P max P] { A 60%, B 40% }`
  split: {
    rule: 'splitAction',
    rules: {
      splitAction(g) {
        g.CONSUME(Split);
        g.OPTION(() =>
          g.OR([
            { ALT: () => g.CONSUME(T.Fair) },
            {
              ALT: () => {
                g.CONSUME(T.By);
                g.CONSUME(T.Identifier); // the word `performance`
                g.CONSUME2(T.Identifier); // conversion | acceptance
                g.CONSUME(T.Over);
                g.CONSUME(T.Duration);
                g.CONSUME(T.Min);
                g.CONSUME(T.Percent);
                g.CONSUME(T.Max);
                g.CONSUME2(T.Percent);
              },
            },
          ]),
        );
        g.CONSUME(T.LCurly);
        g.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => g.SUBRULE(g.rule('splitEntry')) });
        g.CONSUME(T.RCurly);
      },
      splitEntry(g) {
        g.CONSUME(T.Identifier);
        g.OPTION(() => g.CONSUME(T.Percent));
      },
    },
    build(node, b): SplitAction {
      const c = node.children;
      const span = b.nodeSpan(node);
      const entries: SplitEntry[] = [];
      for (const e of b.nodes(c, 'splitEntry')) {
        const buyer = b.ident(b.tok(e.children, 'Identifier'));
        const pct = b.tok(e.children, 'Percent');
        if (!buyer) continue;
        const entry: SplitEntry = { buyer, span: b.nodeSpan(e) };
        if (pct) entry.weight = b.num(pct);
        entries.push(entry);
      }
      let mode: SplitMode = { kind: 'random' };
      const fair = b.tok(c, 'Kw_fair');
      if (fair) mode = { kind: 'fair', span: b.tokenSpan(fair) };
      const by = b.tok(c, 'Kw_by');
      if (by) {
        const words = b.toks(c, 'Identifier');
        const pcts = b.toks(c, 'Percent');
        const window = b.tok(c, 'Duration');
        if (words[0] && words[0].image !== 'performance') {
          b.diagnostics.push(diagnostic('LR104.performance', b.tokenSpan(words[0]), words[0].image));
        }
        const metric = b.ident(words[1]);
        if (metric && window && pcts.length === 2) {
          mode = {
            kind: 'performance',
            metric,
            window: b.durationExpr(window),
            min: b.num(pcts[0]!),
            max: b.num(pcts[1]!),
            span: b.join(b.tokenSpan(by), b.tokenSpan(pcts[1]!)),
          };
        }
      }
      return { kind: 'split', mode, entries, span };
    },
  },

  // `waterfall { A when …; B }`
  waterfall: {
    rule: 'waterfallAction',
    rules: {
      waterfallAction(g) {
        g.CONSUME(Waterfall);
        semicolonTiers(g, 'waterfallTier');
      },
      waterfallTier(g) {
        g.CONSUME(T.Identifier);
        g.OPTION(() => {
          g.CONSUME(T.When);
          g.SUBRULE(g.rule('expression'));
        });
      },
    },
    build(node, b): WaterfallAction {
      const tiers: WaterfallTier[] = [];
      for (const t of b.nodes(node.children, 'waterfallTier')) {
        const buyer = b.ident(b.tok(t.children, 'Identifier'));
        if (!buyer) continue;
        const span = b.nodeSpan(t);
        const tier: WaterfallTier = { buyer, span };
        if (b.tok(t.children, 'When')) tier.condition = b.expression(b.node(t.children, 'expression'), span);
        tiers.push(tier);
      }
      return { kind: 'waterfall', tiers, span: b.nodeSpan(node) };
    },
  },

  // `share max N { A $30, B }`
  share: {
    rule: 'shareAction',
    rules: {
      shareAction(g) {
        g.CONSUME(Share);
        g.CONSUME(T.Max);
        g.CONSUME(T.NumberLiteral);
        g.CONSUME(T.LCurly);
        g.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => g.SUBRULE(g.rule('shareEntry')) });
        g.CONSUME(T.RCurly);
      },
    },
    build(node, b): ShareAction {
      const c = node.children;
      const span = b.nodeSpan(node);
      const count = b.tok(c, 'NumberLiteral');
      return { kind: 'share', max: count ? b.num(count) : 0, entries: shareEntries(b.nodes(c, 'shareEntry'), b), span };
    },
  },

  // `rank { A, B } by price 40%, quality [min 0.5] [top 2] [over 30d]`
  rank: {
    rule: 'rankAction',
    rules: {
      rankAction(g) {
        g.CONSUME(Rank);
        g.SUBRULE(g.rule('buyerSet'));
        g.CONSUME(T.By);
        g.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => g.SUBRULE(g.rule('rankFactor')) });
        g.MANY(() =>
          g.OR([
            { ALT: () => { g.CONSUME(T.Min); g.CONSUME(T.NumberLiteral, { LABEL: 'min' }); } },
            { ALT: () => { g.CONSUME(T.Top); g.CONSUME2(T.NumberLiteral, { LABEL: 'top' }); } },
            { ALT: () => { g.CONSUME(T.Over); g.CONSUME(T.Duration); } },
          ]),
        );
      },
      rankFactor(g) {
        g.CONSUME(T.Identifier);
        g.OPTION(() => g.CONSUME(T.Percent));
      },
    },
    build(node, b): RankAction {
      const c = node.children;
      const action: RankAction = { kind: 'rank', buyers: buyerSet(b.node(c, 'buyerSet'), b), factors: [], span: b.nodeSpan(node) };
      for (const f of b.nodes(c, 'rankFactor')) {
        const factor = b.ident(b.tok(f.children, 'Identifier'));
        if (!factor) continue;
        const pct = b.tok(f.children, 'Percent');
        action.factors.push(pct ? { factor, weight: b.num(pct), span: b.nodeSpan(f) } : { factor, span: b.nodeSpan(f) });
      }
      const min = b.tok(c, 'min');
      if (min) action.min = b.num(min);
      const top = b.tok(c, 'top');
      if (top) action.top = b.num(top);
      const window = b.tok(c, 'Duration');
      if (window) action.window = b.durationExpr(window);
      return action;
    },
  },

  // `specialize { A when … premium 20%; B premium $5 } [else [flow] X]`
  specialize: {
    rule: 'specializeAction',
    rules: {
      specializeAction(g) {
        g.CONSUME(Specialize);
        semicolonTiers(g, 'specialistTier');
        g.OPTION2(() => {
          g.CONSUME(T.Else);
          g.OPTION3(() => g.CONSUME(T.Flow));
          g.CONSUME(T.Identifier);
        });
      },
      specialistTier(g) {
        g.CONSUME(T.Identifier);
        g.OPTION(() => {
          g.CONSUME(T.When);
          g.SUBRULE(g.rule('expression'));
        });
        g.CONSUME(T.Premium);
        g.OR([{ ALT: () => g.CONSUME(T.Percent) }, { ALT: () => g.CONSUME(T.Money) }]);
      },
    },
    build(node, b): SpecializeAction {
      const c = node.children;
      const tiers: SpecialistTier[] = [];
      for (const t of b.nodes(c, 'specialistTier')) {
        const buyer = b.ident(b.tok(t.children, 'Identifier'));
        const pct = b.tok(t.children, 'Percent');
        const money = b.tok(t.children, 'Money');
        if (!buyer || (!pct && !money)) continue;
        const span = b.nodeSpan(t);
        const premium = pct
          ? { kind: 'percent' as const, amount: b.num(pct), span: b.tokenSpan(pct) }
          : { kind: 'dollars' as const, amount: b.num(money!), span: b.tokenSpan(money!) };
        const tier: SpecialistTier = { buyer, premium, span };
        if (b.tok(t.children, 'When')) tier.condition = b.expression(b.node(t.children, 'expression'), span);
        tiers.push(tier);
      }
      const action: SpecializeAction = { kind: 'specialize', tiers, span: b.nodeSpan(node) };
      const target = b.ident(b.tok(c, 'Identifier'));
      if (b.tok(c, 'Kw_else') && target) action.fallback = { kind: b.tok(c, 'Flow') ? 'flow' : 'buyer', name: target };
      return action;
    },
  },

  // `fallback F -> G with field = value, … -> H`
  fallback: {
    rule: 'fallbackAction',
    rules: {
      fallbackAction(g) {
        g.CONSUME(Fallback);
        g.CONSUME(T.Identifier);
        g.AT_LEAST_ONE(() => {
          g.CONSUME(T.Arrow);
          g.SUBRULE(g.rule('fallbackStep'));
        });
      },
      fallbackStep(g) {
        g.CONSUME(T.Identifier);
        g.OPTION(() => {
          g.CONSUME(T.With);
          g.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => g.SUBRULE(g.rule('rewrite')) });
        });
      },
      rewrite(g) {
        g.CONSUME(T.Identifier);
        g.CONSUME(T.EqEq);
        g.SUBRULE(g.rule('additive'));
      },
    },
    build(node, b): FallbackAction {
      const c = node.children;
      const steps: FallbackStep[] = [];
      const first = b.ident(b.tok(c, 'Identifier'));
      if (first) steps.push({ flow: first, rewrites: [], span: first.span });
      for (const st of b.nodes(c, 'fallbackStep')) {
        const flow = b.ident(b.tok(st.children, 'Identifier'));
        if (!flow) continue;
        const rewrites: FallbackStep['rewrites'] = [];
        for (const r of b.nodes(st.children, 'rewrite')) {
          const field = b.ident(b.tok(r.children, 'Identifier'));
          const span = b.nodeSpan(r);
          if (field) rewrites.push({ field, value: b.expression(b.node(r.children, 'additive'), span), span });
        }
        steps.push({ flow, rewrites, span: b.nodeSpan(st) });
      }
      return { kind: 'fallback', steps, span: b.nodeSpan(node) };
    },
  },

  // `hybrid A then share max N { B, C } after 2m`
  hybrid: {
    rule: 'hybridAction',
    rules: {
      hybridAction(g) {
        g.CONSUME(Hybrid);
        g.CONSUME(T.Identifier);
        g.CONSUME(T.Then);
        g.CONSUME(Share);
        g.CONSUME(T.Max);
        g.CONSUME(T.NumberLiteral);
        g.CONSUME(T.LCurly);
        g.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => g.SUBRULE(g.rule('shareEntry')) });
        g.CONSUME(T.RCurly);
        g.CONSUME(T.After);
        g.CONSUME(T.Duration);
      },
    },
    build(node, b): HybridAction | undefined {
      const c = node.children;
      const primary = b.ident(b.tok(c, 'Identifier'));
      const max = b.tok(c, 'NumberLiteral');
      const delay = b.tok(c, 'Duration');
      if (!primary) return undefined;
      const span = b.nodeSpan(node);
      return {
        kind: 'hybrid',
        primary,
        max: max ? b.num(max) : 0,
        secondaries: shareEntries(b.nodes(c, 'shareEntry'), b),
        delay: delay ? b.durationExpr(delay) : { kind: 'duration', ms: 0, text: '0s', span },
        span,
      };
    },
  },

  // `auction { A, B } floor $10 then { C } [timeout D] [exclusive min E] [shared max N] [rank by E]`
  auction: {
    rule: 'auctionAction',
    rules: {
      auctionAction(g) {
        g.CONSUME(Auction);
        g.SUBRULE(g.rule('auctionTier'));
        g.MANY(() => {
          g.CONSUME(T.Then);
          g.SUBRULE2(g.rule('auctionTier'));
        });
        g.MANY2(() =>
          g.OR([
            { ALT: () => { g.CONSUME(T.Timeout); g.CONSUME(T.Duration); } },
            { ALT: () => { g.CONSUME(T.Exclusive); g.CONSUME(T.Min); g.SUBRULE(g.rule('additive'), { LABEL: 'exclusiveMin' }); } },
            { ALT: () => { g.CONSUME(T.Shared); g.CONSUME(T.Max); g.CONSUME(T.NumberLiteral); } },
            { ALT: () => { g.CONSUME(Rank); g.CONSUME(T.By); g.SUBRULE2(g.rule('additive'), { LABEL: 'rankBy' }); } },
          ]),
        );
      },
      auctionTier(g) {
        g.SUBRULE(g.rule('buyerSet'));
        g.OPTION(() => {
          g.CONSUME(T.Floor);
          g.SUBRULE(g.rule('additive'));
        });
      },
    },
    build(node, b): AuctionAction {
      const c = node.children;
      const span = b.nodeSpan(node);
      const tiers: AuctionTier[] = [];
      for (const t of b.nodes(c, 'auctionTier')) {
        const tier: AuctionTier = { buyers: buyerSet(b.node(t.children, 'buyerSet'), b), span: b.nodeSpan(t) };
        if (b.tok(t.children, 'Kw_floor')) tier.floor = b.expression(b.node(t.children, 'additive'), tier.span);
        tiers.push(tier);
      }
      const action: AuctionAction = { kind: 'auction', tiers, span };
      const timeout = b.tok(c, 'Duration');
      if (timeout) action.timeout = b.durationExpr(timeout);
      const shared = b.tok(c, 'NumberLiteral');
      if (shared) action.sharedMax = b.num(shared);
      const exclusiveMin = b.node(c, 'exclusiveMin');
      if (exclusiveMin) action.exclusiveMin = b.expression(exclusiveMin, span);
      const rankBy = b.node(c, 'rankBy');
      if (rankBy) action.rank = b.expression(rankBy, span);
      return action;
    },
  },

  // `flow NAME`
  flow: {
    rule: 'flowAction',
    rules: {
      flowAction(g) {
        g.CONSUME(T.Flow);
        g.CONSUME(T.Identifier);
      },
    },
    build(node, b): FlowAction | undefined {
      const flow = b.ident(b.tok(node.children, 'Identifier'));
      return flow ? { kind: 'flow', flow, span: b.nodeSpan(node) } : undefined;
    },
  },

  // `reject "reason"`
  reject: {
    rule: 'rejectAction',
    rules: {
      rejectAction(g) {
        g.CONSUME(Reject);
        g.CONSUME(T.StringLiteral);
      },
    },
    build(node, b): RejectAction | undefined {
      const reason = b.tok(node.children, 'StringLiteral');
      return reason ? { kind: 'reject', reason: b.stringValue(reason), span: b.nodeSpan(node) } : undefined;
    },
  },
});

/** A flow action: the union of what the table's entries build. */
export type Action = ActionOf<typeof ACTION_SYNTAX>;

/** Every rule this file adds, in the order the parser defines them: the shared ones, then each action's. */
export const ACTION_RULES: readonly [string, (g: ActionGrammar) => void][] = [
  ...Object.entries(SHARED_RULES),
  ...Object.values(ACTION_SYNTAX).flatMap((s): [string, (g: ActionGrammar) => void][] => Object.entries(s.rules)),
];

/** The entry whose rule a CST child is named after (`routeAction` → route's). */
export const SYNTAX_BY_RULE: ReadonlyMap<string, ActionSyntax<string>> = new Map(
  Object.values(ACTION_SYNTAX).map((s): [string, ActionSyntax<string>] => [s.rule, s]),
);
