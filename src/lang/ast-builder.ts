// CST → AST. The CST may be partial (error recovery leaves children out), so
// every accessor tolerates a missing child and yields an `error` node instead of
// throwing; the parser has already reported the syntax error.
//
// Why one file over ~500 lines: it mirrors ./parser.ts rule by rule (one
// method per grammar rule), and every method shares the state of one build:
// the file's spans, the expression depth and size limits and the diagnostics
// they raise. The actions' building is in ./actions.ts.

import type { CstElement, CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import { MAX_EXPR_DEPTH, MAX_EXPR_NODES } from '../core/limits.js';
import { SYNTAX_BY_RULE, type ActionBuildKit } from './actions.js';
import { buildAlert } from './alerts.js';
import { diagnostic, didYouMean, suggest, type Diagnostic } from './diagnostics.js';

type Children = Record<string, CstElement[] | undefined>;

const isToken = (e: CstElement | undefined): e is IToken => e !== undefined && 'image' in e;
const isNode = (e: CstElement | undefined): e is CstNode => e !== undefined && 'children' in e;

/** A token that really came from the source (recovery can insert virtual ones). */
const isRealToken = (t: IToken): boolean => !t.isInsertedInRecovery && Number.isFinite(t.startOffset);

/** A child that is a token from the source. */
const isSourceToken = (e: CstElement | undefined): e is IToken => isToken(e) && isRealToken(e);

/** Where a token or a node lies, as both record it. */
type Positions = Pick<IToken, 'startOffset' | 'startLine' | 'startColumn' | 'endOffset' | 'endLine' | 'endColumn'>;

/** A real token, or a node that holds one: where it lies (what `tokenSpan` and `nodeSpan` read). */
function positionsOf(e: IToken | CstNode): Positions | undefined {
  if (isToken(e)) return isRealToken(e) ? e : undefined;
  const at = e.location;
  return at && Number.isFinite(at.startOffset) && Number.isFinite(at.endOffset) ? at : undefined;
}

/** The first token among a node's children, in the order their keys were added. */
function firstToken(c: Children): IToken | undefined {
  for (const key in c) {
    for (const e of c[key]!) if (isToken(e)) return e;
  }
  return undefined;
}

/** Expression levels that, holding one operand and nothing else, are that operand. */
const PASS_THROUGH = new Set(['expression', 'additive']);

/** An operand of a chain, with the prefix operators before it and, in a chain of `and`/`or`, the rest of its comparison. */
interface Prefixed {
  prefixes: IToken[];
  operand: CstNode;
  comparison: CstNode | undefined;
}

/** A run of operands joined by a chain's tighter operators. */
interface Run {
  items: Prefixed[];
  ops: IToken[];
}

/** The earliest start and the latest end among the tokens and nodes added
 *  (those with a position), for the span over them; kept as positions, so
 *  only the span made from them is allocated. */
class Extent {
  from: Positions | undefined = undefined;
  to: Positions | undefined = undefined;

  add(e: IToken | CstNode): void {
    const at = positionsOf(e);
    if (at === undefined) return;
    if (this.from === undefined || at.startOffset < this.from.startOffset) this.from = at;
    if (this.to === undefined || (at.endOffset ?? at.startOffset) > (this.to.endOffset ?? this.to.startOffset)) this.to = at;
  }

  /** An operand with its prefix operators and its comparison. */
  addOperand({ prefixes, operand, comparison }: Prefixed): void {
    for (const p of prefixes) this.add(p);
    this.add(operand);
    if (comparison !== undefined) this.add(comparison);
  }

  /** A run's operands and operators. */
  addRun(r: Run): void {
    for (const item of r.items) this.addOperand(item);
    for (const op of r.ops) this.add(op);
  }
}

/** A chain's grammar: its operand rule, its operator tokens (the looser ones by image), its prefix operator. */
interface Chain {
  operand: string;
  /** The rule that follows an operand to compare it (`== x`), if the chain has one. */
  comparison?: string;
  operators: readonly string[];
  loose: ReadonlySet<string>;
  prefix: string;
  prefixOp: 'not' | '-';
  /** The operator an operator token stands for (none: a token recovery left out). */
  make(op: IToken | undefined): A.ArithOp | 'and' | 'or';
}

const LOGICAL_CHAIN: Chain = {
  operand: 'additive',
  comparison: 'comparison',
  operators: ['And', 'Or'],
  loose: new Set(['or']),
  prefix: 'Not',
  prefixOp: 'not',
  make: (op) => (op?.image === 'or' ? 'or' : 'and'),
};

const ARITHMETIC_CHAIN: Chain = {
  operand: 'primary',
  operators: ['Plus', 'Minus', 'Star', 'Slash'],
  loose: new Set(['+', '-']),
  prefix: 'sign',
  prefixOp: '-',
  make: (op) => (op?.image ?? '+') as A.ArithOp,
};

/** Tokens in source order. */
const byOffset = (ts: IToken[]): IToken[] => (ts.length > 1 ? ts.sort((a, b) => a.startOffset - b.startOffset) : ts);

/** A node's only child, when it has exactly one and that one is a node. */
function onlyChildNode(node: CstNode): CstNode | undefined {
  let only: CstElement | undefined;
  for (const key in node.children) {
    const list = node.children[key];
    if (!list || list.length === 0) continue;
    if (only !== undefined || list.length > 1) return undefined;
    only = list[0];
  }
  return isNode(only) ? only : undefined;
}

const TYPE_NAMES = ['int', 'number', 'money', 'string', 'bool', 'state', 'zip', 'email', 'phone', 'time'] as const;
const RANGED_TYPES = new Set(['int', 'number', 'money']);
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_GROUPS: Record<string, number[]> = {
  daily: [1, 2, 3, 4, 5, 6, 7],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [6, 7],
};
// Exactly the units grammar/REFERENCE.md lists (`unit = "min" | "minute" | "h"
// | "hour" | "day" | "week" | "month"`); `/hr`, `/d`, `/wk` … are errors there.
export const CAP_UNITS: Record<string, A.CapUnit> = {
  min: 'minute', minute: 'minute',
  h: 'hour', hour: 'hour',
  day: 'day',
  week: 'week',
  month: 'month',
};
/** `\`a\`, \`b\` or \`c\``: words for a message, the last joined by `last`. */
function codeList(words: readonly string[], last: string): string {
  const quoted = words.map((w) => `\`${w}\``);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')}${last}${quoted[quoted.length - 1]}`;
}
const DURATION_MS: Record<A.DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a numeric token says, unchecked: dollars, percent points, milliseconds or a plain number. */
function numericValue(t: IToken): number {
  switch (t.tokenType.name) {
    case 'Money':
      return Number(t.image.slice(1));
    case 'Percent':
      return Number(t.image.slice(0, -1));
    case 'Duration': {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(t.image)!;
      return Number(m[1]) * DURATION_MS[m[2] as A.DurationUnit];
    }
    default:
      return Number(t.image);
  }
}


export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  /** Start offsets of the brackets the parser skipped as too deeply nested (RuleParser.cutBrackets). */
  readonly cutBrackets = new Set<number>();

  constructor(
    private readonly file: string,
    private readonly source: string,
  ) {}

  // ------------------------------------------------------------ spans

  tokenSpan(t: IToken): A.Span {
    return this.spanFrom(t, t);
  }

  /** The span from where `from` starts to where `to` ends. */
  private spanFrom(from: Positions, to: Positions): A.Span {
    return {
      file: this.file,
      line: from.startLine ?? 1,
      col: from.startColumn ?? 1,
      endLine: to.endLine ?? to.startLine ?? 1,
      endCol: (to.endColumn ?? to.startColumn ?? 0) + 1,
      start: from.startOffset,
      end: (to.endOffset ?? to.startOffset) + 1,
    };
  }

  /** The span from the first to the last real token under a node. The parser
   *  tracks each node's location as it consumes tokens (tokens inserted by
   *  error recovery have no offsets and do not count); walking the CST for
   *  every node's edges instead was most of the time spent building a large
   *  file's AST. */
  nodeSpan(node: CstElement | undefined, fallback?: A.Span): A.Span {
    const at = node === undefined ? undefined : positionsOf(node);
    return at === undefined ? (fallback ?? this.emptySpan()) : this.spanFrom(at, at);
  }

  join(a: A.Span, b: A.Span): A.Span {
    return { ...a, endLine: b.endLine, endCol: b.endCol, end: b.end };
  }

  emptySpan(): A.Span {
    return { file: this.file, line: 1, col: 1, endLine: 1, endCol: 1, start: 0, end: 0 };
  }

  text(span: A.Span): string {
    return this.source.slice(span.start, span.end);
  }

  // ------------------------------------------------------------ child access

  private tok(c: Children, name: string, i = 0): IToken | undefined {
    const t = c[name]?.[i];
    return isSourceToken(t) ? t : undefined;
  }

  private toks(c: Children, name: string): IToken[] {
    return (c[name] ?? []).filter(isSourceToken);
  }

  private node(c: Children, name: string, i = 0): CstNode | undefined {
    const n = c[name]?.[i];
    return isNode(n) ? n : undefined;
  }

  private nodes(c: Children, name: string): CstNode[] {
    return (c[name] ?? []).filter(isNode);
  }

  private ident(t: IToken | undefined): A.Ident | undefined {
    return t ? { name: t.image, span: this.tokenSpan(t) } : undefined;
  }

  // ------------------------------------------------------------ declarations

  declaration(node: CstNode, into: A.RuleFile): void {
    const c = node.children;
    const lead = this.node(c, 'leadDecl');
    const buyer = this.node(c, 'buyerDecl');
    const flow = this.node(c, 'flowDecl');
    const alert = this.node(c, 'alertDecl');
    if (alert) {
      const a = buildAlert(alert, this.actionKit);
      if (a) into.alerts.push(a);
    }
    if (lead) {
      const decl = this.leadDecl(lead);
      if (!decl) return;
      if (into.lead) {
        this.diagnostics.push(diagnostic('LR211', decl.span));
      } else into.lead = decl;
    }
    if (buyer) {
      const b = this.buyerDecl(buyer);
      if (b) into.buyers.push(b);
    }
    if (flow) {
      const f = this.flowDecl(flow);
      if (f) into.flows.push(f);
    }
  }

  private leadDecl(node: CstNode): A.LeadDecl | undefined {
    const c = node.children;
    const span = this.nodeSpan(node);
    const path = this.tok(c, 'StringLiteral');
    if (path) return { kind: 'file', path: this.stringValue(path), pathSpan: this.tokenSpan(path), span };
    if (this.tok(c, 'From')) return undefined;
    const fields: A.FieldDecl[] = [];
    for (const f of this.nodes(c, 'fieldDecl')) {
      const decl = this.fieldDecl(f);
      if (decl) fields.push(decl);
    }
    return { kind: 'inline', fields, span };
  }

  private fieldDecl(node: CstNode): A.FieldDecl | undefined {
    const c = node.children;
    const name = this.ident(this.tok(c, 'Identifier'));
    const typeNode = this.node(c, 'fieldType');
    if (!name || !typeNode) return undefined;
    const type = this.fieldType(typeNode);
    if (!type) return undefined;
    return {
      name,
      type,
      // `not pii` says no; `pii` says yes; neither leaves it to the field's type.
      pii: this.toks(c, 'Not').length > 0 ? false : this.toks(c, 'Pii').length > 0 ? true : undefined,
      optional: this.toks(c, 'Optional').length > 0,
      span: this.nodeSpan(node),
    };
  }

  private fieldType(node: CstNode): A.TypeExpr | undefined {
    const c = node.children;
    const span = this.nodeSpan(node);
    const strings = this.toks(c, 'StringLiteral');
    if (strings.length > 0) return { kind: 'enum', values: strings.map((s) => this.stringValue(s)), span };
    const inner = this.node(c, 'fieldType');
    if (this.tok(c, 'List')) {
      const of = inner ? this.fieldType(inner) : undefined;
      return of ? { kind: 'list', of, span } : undefined;
    }
    const word = this.tok(c, 'Identifier');
    if (!word) return undefined;
    const name = word.image;
    const rangeNode = this.node(c, 'range');
    const range = rangeNode ? this.dropIfBadNumber(() => this.range(rangeNode)) : undefined;
    if (!(TYPE_NAMES as readonly string[]).includes(name)) {
      const unknown = diagnostic('LR104', this.tokenSpan(word), name, codeList(TYPE_NAMES, ', '));
      this.diagnostics.push(suggest(unknown, didYouMean(name, [...TYPE_NAMES, 'list'])));
      return undefined;
    }
    if (range && !RANGED_TYPES.has(name)) {
      this.diagnostics.push(diagnostic('LR103.range', this.nodeSpan(rangeNode), name));
    }
    switch (name) {
      case 'int':
      case 'number':
      case 'money':
        return { kind: name, ...(range ?? {}), span };
      case 'string':
      case 'bool':
      case 'state':
      case 'zip':
      case 'email':
      case 'phone':
      case 'time':
        return { kind: name, span };
      default:
        return undefined;
    }
  }

  private range(node: CstNode): { min: number; max: number } | undefined {
    const c = node.children;
    const nums = this.toks(c, 'NumberLiteral');
    if (nums.length < 2) return undefined;
    const minus = this.toks(c, 'Minus');
    let min = this.num(nums[0]!);
    let max = this.num(nums[1]!);
    // A minus sign belongs to the number that follows it.
    for (const m of minus) {
      if (m.startOffset < nums[0]!.startOffset) min = -min;
      else max = -max;
    }
    return { min, max };
  }

  // ------------------------------------------------------------ buyers

  private buyerDecl(node: CstNode): A.BuyerDecl | undefined {
    const c = node.children;
    const name = this.ident(this.tok(c, 'Identifier'));
    if (!name) return undefined;
    const clauses: A.BuyerClause[] = [];
    for (const n of this.nodes(c, 'buyerClause')) {
      const clause = this.buyerClause(n);
      if (clause) clauses.push(clause);
    }
    return { name, clauses, span: this.nodeSpan(node) };
  }

  private buyerClause(node: CstNode): A.BuyerClause | undefined {
    return this.dropIfBadNumber(() => this.buyerClauseOf(node));
  }

  private buyerClauseOf(node: CstNode): A.BuyerClause | undefined {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (this.tok(c, 'Accepts')) return { kind: 'accepts', condition: this.expression(this.node(c, 'expression'), span), span };
    if (this.tok(c, 'Kw_price')) return { kind: 'price', value: this.expression(this.node(c, 'expression'), span), span };
    if (this.tok(c, 'Cap')) return { kind: 'cap', caps: this.capList(this.node(c, 'capList')), span };
    if (this.tok(c, 'Hours')) {
      const spec = this.node(c, 'hoursSpec');
      const hours = spec ? this.hoursSpec(spec) : undefined;
      return hours ? { kind: 'hours', hours, span } : undefined;
    }
    if (this.tok(c, 'Overflow')) {
      const target = this.ident(this.tok(c, 'Identifier'));
      return target ? { kind: 'overflow', target, span } : undefined;
    }
    if (this.tok(c, 'Kw_prefers')) {
      const weight = this.tok(c, 'NumberLiteral');
      return { kind: 'prefers', condition: this.expression(this.node(c, 'expression'), span), weight: weight ? this.num(weight) : 1, span };
    }
    if (this.tok(c, 'Kw_relationship')) {
      const score = this.tok(c, 'NumberLiteral');
      return score ? { kind: 'relationship', score: this.num(score), span } : undefined;
    }
    if (this.tok(c, 'Kw_holidays')) {
      return { kind: 'holidays', calendars: this.toks(c, 'StringLiteral').map((t) => this.stringLit(t)), span };
    }
    const closed = this.node(c, 'closedClause');
    if (closed) return this.closedClause(closed, span);
    if (this.tok(c, 'Kw_dedupe')) {
      const window = this.tok(c, 'Duration');
      return { kind: 'dedupe', fields: this.nameList(this.node(c, 'nameList')), window: window ? this.durationExpr(window) : { kind: 'error', span }, span };
    }
    if (this.tok(c, 'Kw_requires')) return { kind: 'requires', fields: this.nameList(this.node(c, 'nameList')), span };
    const ping = this.node(c, 'pingClause');
    if (ping) return this.pingClause(ping, span);
    const bid = this.node(c, 'bidClause');
    if (bid) return this.bidClause(bid, span);
    const post = this.node(c, 'postClause');
    if (post) return this.postClause(post, span);
    const sale = this.node(c, 'saleClause');
    if (sale) return this.saleClause(sale, span);
    const pixel = this.node(c, 'pixelClause');
    if (pixel) return this.pixelClause(pixel, span);
    if (this.tok(c, 'Kw_delay')) {
      const d = this.tok(c, 'Duration');
      return d ? { kind: 'delay', delay: this.durationExpr(d), span } : undefined;
    }
    const batch = this.node(c, 'batchClause');
    if (batch) return this.batchClause(batch, span);
    if (this.tok(c, 'Kw_breaker')) {
      const n = this.tok(c, 'NumberLiteral');
      const d = this.tok(c, 'Duration');
      return n && d ? { kind: 'breaker', failures: this.num(n), cooldown: this.durationExpr(d), span } : undefined;
    }
    return undefined;
  }

  private stringLit(t: IToken): A.StringLit {
    return { value: this.stringValue(t), span: this.tokenSpan(t) };
  }

  // ------------------------------------------------------------ numbers

  /** Unusable numeric literals met so far; see `dropIfBadNumber`. */
  private badNumbers = 0;

  /**
   * The value of a numeric token: `45`, `$4.50` in dollars, `60%` as 60,
   * `500ms` in milliseconds. A value JavaScript cannot hold exactly (past
   * Number.MAX_SAFE_INTEGER, or Infinity) gets an LR105 at the token and
   * undefined: no phase after this one ever sees it.
   */
  private numeric(t: IToken): number | undefined {
    const value = numericValue(t);
    if (Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return value;
    this.badNumbers++;
    const shown = t.image.length > 24 ? `${t.image.slice(0, 12)}…${t.image.slice(-6)}` : t.image;
    this.diagnostics.push(diagnostic('LR105', this.tokenSpan(t), shown, Number.MAX_SAFE_INTEGER));
    return undefined;
  }

  /** A number where the grammar wants one; 0 stands in for an unusable one, whose element is then dropped. */
  private num(t: IToken): number {
    return this.numeric(t) ?? 0;
  }

  /**
   * Build a clause, action or field, and drop it if it holds an unusable number
   * (already reported): a stand-in value would only draw false errors later.
   */
  private dropIfBadNumber<T>(build: () => T | undefined): T | undefined {
    const before = this.badNumbers;
    const built = build();
    return this.badNumbers > before ? undefined : built;
  }

  /** A numeric literal as an expression node, or undefined if it is unusable. */
  private numberExpr(t: IToken): A.Expr | undefined {
    const value = this.numeric(t);
    if (value === undefined) return undefined;
    const span = this.tokenSpan(t);
    switch (t.tokenType.name) {
      case 'Money':
        return { kind: 'money', value, span };
      case 'Percent':
        return { kind: 'percent', value, span };
      case 'Duration':
        return { kind: 'duration', ms: value, text: t.image, span };
      default:
        return { kind: 'number', value, span };
    }
  }

  private durationExpr(t: IToken): A.Expr {
    return this.numberExpr(t) ?? { kind: 'error', span: this.tokenSpan(t) };
  }

  private nameList(node: CstNode | undefined): A.Ident[] {
    if (!node) return [];
    return this.toks(node.children, 'Identifier').map((t) => ({ name: t.image, span: this.tokenSpan(t) }));
  }

  private closedClause(node: CstNode, span: A.Span): A.BuyerClause | undefined {
    const c = node.children;
    if (this.tok(c, 'Kw_skip')) return { kind: 'closed', action: 'skip', span };
    if (this.tok(c, 'Kw_hold')) return { kind: 'closed', action: 'hold', span };
    const target = this.ident(this.tok(c, 'Identifier'));
    if (this.tok(c, 'Kw_send') && target) return { kind: 'closed', action: 'send', target, span };
    return undefined;
  }

  private templateRef(node: CstNode | undefined): A.TemplateRef | undefined {
    if (!node) return undefined;
    const c = node.children;
    const path = this.tok(c, 'StringLiteral');
    const format = (['json', 'xml', 'form', 'text'] as const).find((f) => this.tok(c, `Kw_${f}`));
    if (!path || !format) return undefined;
    return { format, path: this.stringLit(path), span: this.nodeSpan(node) };
  }

  /** The `header "Name" "value"` options of a ping or a post, in order; undefined when none. */
  private headerOptions(c: Children): A.HeaderSpec[] | undefined {
    const headers: A.HeaderSpec[] = [];
    for (const h of this.nodes(c, 'headerOption')) {
      const name = this.tok(h.children, 'name');
      const value = this.tok(h.children, 'value');
      if (name && value) headers.push({ name: this.stringLit(name), value: this.stringLit(value), span: this.nodeSpan(h) });
    }
    return headers.length > 0 ? headers : undefined;
  }

  private pingClause(node: CstNode, span: A.Span): A.BuyerClause | undefined {
    const c = node.children;
    const url = this.tok(c, 'StringLiteral');
    if (!url) return undefined;
    const ping: A.PingSpec = { url: this.stringLit(url), span };
    const method = this.ident(this.tok(c, 'method'));
    if (method) ping.method = method;
    const timeout = this.tok(c, 'Duration');
    if (timeout) ping.timeout = this.durationExpr(timeout);
    if (this.tok(c, 'Kw_fields')) ping.fields = this.nameList(this.node(c, 'nameList'));
    const template = this.templateRef(this.node(c, 'templateRef'));
    if (template) ping.template = template;
    const headers = this.headerOptions(c);
    if (headers) ping.headers = headers;
    return { kind: 'ping', ping, span };
  }

  private bidClause(node: CstNode, span: A.Span): A.BuyerClause {
    return { kind: 'bid', mapping: this.answerMapping(this.node(node.children, 'answerMapping'), span), span };
  }

  private saleClause(node: CstNode, span: A.Span): A.BuyerClause {
    return { kind: 'sale', mapping: this.answerMapping(this.node(node.children, 'answerMapping'), span), span };
  }

  private answerMapping(node: CstNode | undefined, span: A.Span): A.AnswerMapping {
    const mapping: A.AnswerMapping = { entries: [], span };
    if (!node) return mapping;
    const format = (['json', 'xml', 'form', 'text'] as const).find((f) => this.tok(node.children, `Kw_${f}`));
    if (format) mapping.format = format;
    for (const e of this.nodes(node.children, 'bidEntry')) {
      const entry = this.answerEntry(e);
      if (entry) mapping.entries.push(entry);
    }
    return mapping;
  }

  private answerEntry(node: CstNode): A.AnswerEntry | undefined {
    const c = node.children;
    const key = this.ident(this.tok(c, 'Identifier'));
    if (!key) return undefined;
    const entry: A.AnswerEntry = { key, span: this.nodeSpan(node) };
    if (this.tok(c, 'LBracket')) {
      entry.words = this.toks(c, 'word').map((t) => this.stringLit(t));
      return entry;
    }
    const path = this.tok(c, 'StringLiteral');
    if (!path) return undefined;
    entry.path = this.stringLit(path);
    const name = this.ident(this.tok(c, 'name'));
    if (name) entry.name = name;
    const test = this.valueTest(this.node(c, 'valueTest'), entry.span);
    if (test) entry.test = test;
    return entry;
  }

  /** `== v` / `in [a, b]`, `ignoring case`. */
  private valueTest(node: CstNode | undefined, fallback: A.Span): A.ValueTest | undefined {
    if (!node) return undefined;
    const c = node.children;
    const span = this.nodeSpan(node, fallback);
    const ignoreCase = this.tok(c, 'Kw_ignoring') !== undefined;
    const list = this.node(c, 'listLiteral');
    if (this.tok(c, 'In')) {
      if (!list) return undefined;
      const open = this.tok(list.children, 'LBracket');
      if (open && this.cutBrackets.has(open.startOffset)) return { op: 'in', values: [this.tooDeep(span)], ignoreCase, span };
      return { op: 'in', values: this.nodes(list.children, 'expression').map((e) => this.expression(e, span)), ignoreCase, span };
    }
    const value = this.node(c, 'primary');
    return value ? { op: '==', values: [this.expression(value, span)], ignoreCase, span } : undefined;
  }

  private postClause(node: CstNode, span: A.Span): A.BuyerClause | undefined {
    const c = node.children;
    const strings = this.toks(c, 'StringLiteral');
    if (!strings[0]) return undefined;
    const post: A.PostSpec = { url: this.stringLit(strings[0]), span };
    const method = this.ident(this.tok(c, 'method'));
    if (method) post.method = method;
    const timeout = this.tok(c, 'timeout');
    if (timeout) post.timeout = this.durationExpr(timeout);
    const backoff = this.tok(c, 'backoff');
    if (backoff) post.backoff = this.durationExpr(backoff);
    const retry = this.tok(c, 'NumberLiteral');
    if (retry) post.retries = this.num(retry);
    const accepted = this.tok(c, 'Kw_accepted');
    const acceptedPath = this.tok(c, 'acceptedPath');
    const test = this.valueTest(this.node(c, 'valueTest'), span);
    if (accepted && acceptedPath && test) {
      post.accepted = { path: this.stringLit(acceptedPath), test, span: this.join(this.tokenSpan(accepted), test.span) };
    }
    const template = this.templateRef(this.node(c, 'templateRef'));
    if (template) post.template = template;
    const headers = this.headerOptions(c);
    if (headers) post.headers = headers;
    return { kind: 'post', post, backup: this.tok(c, 'Kw_backup') !== undefined, span };
  }

  private pixelClause(node: CstNode, span: A.Span): A.BuyerClause | undefined {
    const c = node.children;
    const url = this.tok(c, 'StringLiteral');
    if (!url) return undefined;
    const pixel: A.PixelSpec = { url: this.stringLit(url), on: this.nameList(this.node(c, 'nameList')), span };
    if (this.tok(c, 'When')) pixel.condition = this.expression(this.node(c, 'expression'), span);
    return { kind: 'pixel', pixel, span };
  }

  private batchClause(node: CstNode, span: A.Span): A.BuyerClause | undefined {
    const c = node.children;
    const format = this.ident(this.tok(c, 'Identifier'));
    const to = this.tok(c, 'StringLiteral');
    if (!format || !to) return undefined;
    const batch: A.BatchSpec = { format, to: this.stringLit(to), span };
    for (const trig of this.nodes(c, 'batchTrigger')) {
      const n = this.tok(trig.children, 'NumberLiteral');
      const d = this.tok(trig.children, 'Duration');
      if (n) batch.count = this.num(n);
      if (d) batch.every = this.durationExpr(d);
    }
    return { kind: 'batch', batch, span };
  }

  private capList(node: CstNode | undefined): A.CapSpec[] {
    if (!node) return [];
    const caps: A.CapSpec[] = [];
    for (const n of this.nodes(node.children, 'capSpec')) {
      const cap = this.capSpec(n);
      if (cap) caps.push(cap);
    }
    return caps;
  }

  private capSpec(node: CstNode): A.CapSpec | undefined {
    const c = node.children;
    const num = this.tok(c, 'NumberLiteral');
    const money = this.tok(c, 'Money');
    const unitTok = this.tok(c, 'Identifier');
    if ((!num && !money) || !unitTok) return undefined;
    const unit = CAP_UNITS[unitTok.image];
    if (!unit) {
      const unknown = diagnostic('LR104.capUnit', this.tokenSpan(unitTok), unitTok.image, codeList(Object.keys(CAP_UNITS), ' or '));
      this.diagnostics.push(suggest(unknown, didYouMean(unitTok.image, Object.keys(CAP_UNITS))));
      return undefined;
    }
    return money
      ? { measure: 'dollars', limit: this.num(money), unit, span: this.nodeSpan(node) }
      : { measure: 'leads', limit: this.num(num!), unit, span: this.nodeSpan(node) };
  }

  private hoursSpec(node: CstNode): A.HoursSpec | undefined {
    const c = node.children;
    const clocks = this.toks(c, 'Clock');
    const zoneTok = this.tok(c, 'StringLiteral');
    if (clocks.length < 2 || !zoneTok) return undefined;
    const days = new Set<number>();
    for (const d of this.nodes(c, 'dayRange')) for (const day of this.dayRange(d)) days.add(day);
    const from = this.clock(clocks[0]!);
    const to = this.clock(clocks[1]!);
    if (from === undefined || to === undefined) return undefined;
    return {
      days: [...days].sort((a, b) => a - b),
      from,
      to,
      zone: this.stringValue(zoneTok),
      zoneSpan: this.tokenSpan(zoneTok),
      span: this.nodeSpan(node),
    };
  }

  private dayRange(node: CstNode): number[] {
    const words = this.toks(node.children, 'Identifier');
    if (words.length === 1 && DAY_GROUPS[words[0]!.image]) return DAY_GROUPS[words[0]!.image]!;
    const idx = words.map((w) => {
      const i = DAY_NAMES.indexOf(w.image);
      if (i < 0) {
        const unknown = diagnostic('LR104.day', this.tokenSpan(w), w.image, '`Mon` … `Sun`, `daily`, `weekdays` or `weekends`');
        this.diagnostics.push(suggest(unknown, didYouMean(w.image, [...DAY_NAMES, ...Object.keys(DAY_GROUPS)])));
      }
      return i + 1;
    });
    if (idx.some((i) => i === 0)) return [];
    if (idx.length === 1) return [idx[0]!];
    // `Fri-Mon` wraps around the weekend.
    const out: number[] = [];
    for (let d = idx[0]!; ; d = (d % 7) + 1) {
      out.push(d);
      if (d === idx[1]) break;
    }
    return out;
  }

  private clock(t: IToken): number | undefined {
    const colon = t.image.indexOf(':');
    const h = Number(t.image.slice(0, colon));
    const m = Number(t.image.slice(colon + 1));
    if (h > 24 || m > 59 || (h === 24 && m !== 0)) {
      this.diagnostics.push(diagnostic('LR103', this.tokenSpan(t), t.image));
      return undefined;
    }
    return h * 60 + m;
  }

  // ------------------------------------------------------------ flows

  private flowDecl(node: CstNode): A.FlowDecl | undefined {
    const c = node.children;
    const name = this.ident(this.tok(c, 'Identifier'));
    if (!name) return undefined;
    const rules: A.Rule[] = [];
    for (const r of this.nodes(c, 'rule')) {
      const rule = this.rule(r);
      if (rule) rules.push(rule);
    }
    return { name, rules, span: this.nodeSpan(node) };
  }

  private rule(node: CstNode): A.Rule | undefined {
    const c = node.children;
    const span = this.nodeSpan(node);
    const actionNode = this.node(c, 'action');
    const action = actionNode ? this.action(actionNode) : undefined;
    if (!action) return undefined;
    if (this.tok(c, 'When')) return { kind: 'when', condition: this.expression(this.node(c, 'expression'), span), action, span };
    if (this.tok(c, 'Otherwise')) return { kind: 'otherwise', action, span };
    return { kind: 'always', action, span };
  }

  private action(node: CstNode): A.Action | undefined {
    return this.dropIfBadNumber(() => this.actionOf(node));
  }

  /** The action's own rule is the one child of `action`; its entry in ./actions.ts builds it. */
  private actionOf(node: CstNode): A.Action | undefined {
    for (const rule in node.children) {
      const syntax = SYNTAX_BY_RULE.get(rule);
      const child = this.node(node.children, rule);
      if (syntax && child) return syntax.build(child, this.actionKit) as A.Action | undefined;
    }
    return undefined;
  }

  /** What the actions' `build` functions use of this builder. */
  private readonly actionKit: ActionBuildKit = {
    diagnostics: this.diagnostics,
    tok: (c, name, i) => this.tok(c, name, i),
    toks: (c, name) => this.toks(c, name),
    node: (c, name, i) => this.node(c, name, i),
    nodes: (c, name) => this.nodes(c, name),
    ident: (t) => this.ident(t),
    nodeSpan: (n, fallback) => this.nodeSpan(n, fallback),
    tokenSpan: (t) => this.tokenSpan(t),
    join: (x, y) => this.join(x, y),
    num: (t) => this.num(t),
    durationExpr: (t) => this.durationExpr(t),
    expression: (n, fallback) => this.expression(n, fallback),
    stringValue: (t) => this.stringValue(t),
    nameList: (n) => this.nameList(n),
    capList: (n) => this.capList(n),
  };

  // ------------------------------------------------------------ expressions

  /**
   * A whole expression (a condition, a price, a floor …). One over
   * MAX_EXPR_DEPTH or MAX_EXPR_NODES is reported here, once, at its position,
   * and replaced by an `error` node: no later phase (checker, emitter, loader)
   * ever sees it, so none of them can recurse too deep or cascade.
   */
  expression(node: CstNode | undefined, fallback: A.Span): A.Expr {
    const e = this.expr(node, fallback);
    const depth = this.depthOf(e);
    const size = this.sizeOf(e);
    // The measures are only ever read while their whole expression is built.
    this.depths.clear();
    this.sizes.clear();
    if (depth <= MAX_EXPR_DEPTH && size <= MAX_EXPR_NODES) return e;
    // The whole expression, outer parentheses included.
    const span = this.nodeSpan(node, e.span);
    this.diagnostics.push(depth > MAX_EXPR_DEPTH ? diagnostic('LR106', span, MAX_EXPR_DEPTH) : diagnostic('LR106.size', span, MAX_EXPR_NODES));
    return { kind: 'error', span };
  }

  /** Depth and size of the non-leaf nodes of the expression being built,
   *  computed from their children's as they are made; a leaf has depth 0 and
   *  size 1. Plain maps emptied after each whole expression: a WeakMap of
   *  every node of the file cost the garbage collector more than the rest. */
  private readonly depths = new Map<A.Expr, number>();
  private readonly sizes = new Map<A.Expr, number>();

  private depthOf(e: A.Expr): number {
    return this.depths.get(e) ?? 0;
  }

  private sizeOf(e: A.Expr): number {
    return this.sizes.get(e) ?? 1;
  }

  /** Record a node's depth (one more than its deepest child's) and size (its own, plus its children's). */
  private made<E extends A.Expr>(e: E, ...children: A.Expr[]): E {
    if (children.length === 0) return e;
    let depth = 0;
    let size = 1;
    for (const child of children) {
      const d = this.depthOf(child);
      if (d > depth) depth = d;
      size += this.sizeOf(child);
    }
    this.depths.set(e, depth + 1);
    this.sizes.set(e, size);
    return e;
  }

  /** A bracket the parser did not descend into: deeper than any limit. */
  private tooDeep(span: A.Span): A.Expr {
    const e: A.Expr = { kind: 'error', span };
    this.depths.set(e, Infinity);
    return e;
  }

  private expr(node: CstNode | undefined, fallback: A.Span): A.Expr {
    if (!node) return { kind: 'error', span: fallback };
    // Most levels of most expressions hold one operand and no operator: they
    // add nothing, so go straight to the operand (its span is the level's).
    const operand = PASS_THROUGH.has(node.name) ? onlyChildNode(node) : undefined;
    if (operand) return this.expr(operand, fallback);
    const span = this.nodeSpan(node, fallback);
    switch (node.name) {
      case 'expression':
        return this.logical(node, span);
      case 'additive':
        return this.arithmetic(node, span);
      case 'primary':
        return this.primary(node, span);
      default:
        return { kind: 'error', span };
    }
  }

  /** `not not x`, `- -x`: the operators nest outward from the operand, each spanning to the end of the whole. */
  private prefixed(ops: IToken[], op: 'not' | '-', operand: A.Expr, whole: A.Span): A.Expr {
    let e = operand;
    for (let i = ops.length - 1; i >= 0; i--) e = this.made({ kind: 'unary', op, arg: e, span: this.join(this.tokenSpan(ops[i]!), whole) }, e);
    return e;
  }

  // The grammar keeps a whole chain of `and`/`or`, and of `+ - * /`, in one
  // node, and the builder applies the precedence. The spans are those the
  // nodes of a rule per precedence level had: a run's span runs from its
  // first token to its last, operators included.

  /** A chain of `and` and `or`: `and` binds tighter, and a run of `not` applies to its operand alone. */
  private logical(node: CstNode, span: A.Span): A.Expr {
    const c = node.children;
    // The usual chain, `and`s alone: one level, whose span is the node's.
    if (c['Or'] === undefined && c['Not'] === undefined) {
      const operands = this.chainOperands(c, LOGICAL_CHAIN, this.toks(c, 'And'), []);
      return this.leftNested(operands.map((o) => this.operand(o, span)), () => 'and', span);
    }
    return this.twoLevels(node, span, LOGICAL_CHAIN);
  }

  /**
   * A chain's operands in order, each with the prefix operators and the
   * comparison that belong to it: those between the operator before it and
   * the operator after it (`ops`, in source order).
   */
  private chainOperands(c: Children, chain: Chain, ops: IToken[], prefixes: IToken[]): Prefixed[] {
    const operands = this.nodes(c, chain.operand);
    const comparisons = chain.comparison === undefined ? [] : this.nodes(c, chain.comparison);
    const out: Prefixed[] = [];
    let prefixAt = 0;
    let comparisonAt = 0;
    for (let i = 0; i < operands.length; i++) {
      const end = ops[i]?.startOffset ?? Infinity;
      const own: IToken[] = [];
      while (prefixAt < prefixes.length && prefixes[prefixAt]!.startOffset < end) own.push(prefixes[prefixAt++]!);
      // A comparison always starts with a real token (its operator, `in`, `within` or `between`).
      const next = comparisons[comparisonAt];
      const comparison = next !== undefined && (next.location?.startOffset ?? Infinity) < end ? next : undefined;
      if (comparison !== undefined) comparisonAt++;
      out.push({ prefixes: own, operand: operands[i]!, comparison });
    }
    return out;
  }

  /** A chain's real operator tokens, in source order. */
  private operatorTokens(c: Children, names: readonly string[]): IToken[] {
    const ops: IToken[] = [];
    for (const name of names) for (const e of c[name] ?? []) if (isSourceToken(e)) ops.push(e);
    return byOffset(ops);
  }

  /** An operand of a chain, compared if it has a comparison; its prefix operators are applied by the caller. */
  private operand({ operand, comparison }: Prefixed, fallback: A.Span): A.Expr {
    if (comparison === undefined) return this.expr(operand, fallback);
    return this.comparison(operand, comparison, this.spanOver([operand, comparison], fallback));
  }

  /** A chain of `+ - * /`: `*` and `/` bind tighter, and a run of signs applies to its operand alone. */
  private arithmetic(node: CstNode, span: A.Span): A.Expr {
    const c = node.children;
    // Operators of one level only, and no signs: one level, whose span is the node's.
    const oneLevel = (c['Plus'] === undefined && c['Minus'] === undefined) || (c['Star'] === undefined && c['Slash'] === undefined);
    if (oneLevel && c['sign'] === undefined) {
      const ops = this.operatorTokens(c, ARITHMETIC_CHAIN.operators);
      return this.leftNested(this.nodes(c, 'primary').map((o) => this.expr(o, span)), (i) => ARITHMETIC_CHAIN.make(ops[i]), span);
    }
    return this.twoLevels(node, span, ARITHMETIC_CHAIN);
  }

  /**
   * A chain of operands of two precedence levels, each operand with its
   * prefix operators: the looser operators split it into runs of the tighter,
   * each level nests to the left, and a run of prefix operators nests outward
   * from its operand.
   */
  private twoLevels(node: CstNode, fallback: A.Span, chain: Chain): A.Expr {
    const c = node.children;
    const ops = this.operatorTokens(c, chain.operators);
    const operands = this.chainOperands(c, chain, ops, this.toks(c, chain.prefix));
    const runs: Run[] = [];
    const runOps: IToken[] = [];
    let run: Run = { items: [], ops: [] };
    for (let i = 0; i < operands.length; i++) {
      run.items.push(operands[i]!);
      const next = ops[i];
      if (next === undefined) break;
      if (chain.loose.has(next.image)) {
        runs.push(run);
        runOps.push(next);
        run = { items: [], ops: [] };
      } else run.ops.push(next);
    }
    runs.push(run);
    const all = new Extent();
    for (const r of runs) all.addRun(r);
    for (const op of runOps) all.add(op);
    const span = this.spanOf(all, fallback);
    const runExprs = runs.map((r) => {
      const runExtent = new Extent();
      runExtent.addRun(r);
      const runSpan = this.spanOf(runExtent, span);
      const items = r.items.map((item) => {
        const operandExtent = new Extent();
        operandExtent.addOperand(item);
        const whole = this.spanOf(operandExtent, runSpan);
        return this.prefixed(item.prefixes, chain.prefixOp, this.operand(item, whole), whole);
      });
      return this.leftNested(items, (i) => chain.make(r.ops[i]), runSpan);
    });
    return this.leftNested(runExprs, (i) => chain.make(runOps[i]), span);
  }

  /** The span from the earliest to the latest of `elements` that has a
   *  position, or `fallback` if none has. */
  private spanOver(elements: readonly (IToken | CstNode)[], fallback: A.Span): A.Span {
    const extent = new Extent();
    for (const e of elements) extent.add(e);
    return this.spanOf(extent, fallback);
  }

  private spanOf({ from, to }: Extent, fallback: A.Span): A.Span {
    return from === undefined || to === undefined ? fallback : this.spanFrom(from, to);
  }

  /** `a op b op c`, nested to the left; `opAt(i)` is the operator between operands i and i + 1. */
  private leftNested(operands: A.Expr[], opAt: (i: number) => A.ArithOp | 'and' | 'or', span: A.Span): A.Expr {
    if (operands.length === 0) return { kind: 'error', span };
    let left = operands[0]!;
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i]!;
      const op = opAt(i - 1);
      const joined = this.join(left.span, right.span);
      const made: A.Expr = op === 'and' || op === 'or' ? { kind: 'logical', op, left, right, span: joined } : { kind: 'binary', op, left, right, span: joined };
      left = this.made(made, left, right);
    }
    return left;
  }

  /** `left` compared as `rest` says (`== x`, `not in [..]`, `within 5m`, `between a and b`). */
  private comparison(leftNode: CstNode, rest: CstNode, span: A.Span): A.Expr {
    const c = rest.children;
    const sides = this.nodes(c, 'additive');
    const left = this.expr(leftNode, span);
    const opNode = this.node(c, 'compareOp');
    if (opNode) {
      const opTok = firstToken(opNode.children);
      const image = opTok?.image === '=' ? '==' : (opTok?.image ?? '==');
      const right = this.expr(sides[0], span);
      return this.made({ kind: 'compare', op: image as A.CompareOp, left, right, span }, left, right);
    }
    if (this.tok(c, 'In')) {
      const list = this.expr(sides[0], span);
      return this.made({ kind: 'in', negated: this.tok(c, 'Not') !== undefined, value: left, list, span }, left, list);
    }
    if (this.tok(c, 'Kw_within')) {
      const duration = this.expr(sides[0], span);
      return this.made({ kind: 'within', value: left, duration, span }, left, duration);
    }
    if (this.tok(c, 'Between')) {
      const low = this.expr(sides[0], span);
      const high = this.expr(sides[1], span);
      return this.made({ kind: 'between', value: left, low, high, span }, left, low, high);
    }
    return left;
  }

  private primary(node: CstNode, span: A.Span): A.Expr {
    const c = node.children;
    // A name or a call (its parenthesis and arguments are this node's too).
    if (c['Identifier'] !== undefined || c['Buyer'] !== undefined) return this.nameOrCall(c, span);
    const paren = this.tok(c, 'LParen');
    if (paren && this.cutBrackets.has(paren.startOffset)) return this.tooDeep(span);
    const inner = this.node(c, 'expression');
    if (inner) {
      // A parenthesis is a level of nesting, though the AST keeps no node for it.
      const e = this.expr(inner, span);
      this.depths.set(e, this.depthOf(e) + 1);
      return e;
    }
    const list = this.node(c, 'listLiteral');
    if (list) {
      const open = this.tok(list.children, 'LBracket');
      if (open && this.cutBrackets.has(open.startOffset)) return this.tooDeep(span);
      const items = this.nodes(list.children, 'expression').map((e) => this.expr(e, span));
      return this.made({ kind: 'list', items, span }, ...items);
    }
    const t = firstToken(c);
    if (!t || !isRealToken(t)) return { kind: 'error', span };
    switch (t.tokenType.name) {
      case 'NumberLiteral':
      case 'Money':
      case 'Percent':
      case 'Duration':
        return this.numberExpr(t) ?? { kind: 'error', span };
      case 'StringLiteral':
        return { kind: 'string', value: this.stringValue(t), span };
      case 'True':
        return { kind: 'bool', value: true, span };
      case 'False':
        return { kind: 'bool', value: false, span };
      case 'Random':
        return { kind: 'name', name: 'random', span };
      default:
        return { kind: 'error', span };
    }
  }

  private nameOrCall(c: Children, span: A.Span): A.Expr {
    const parts = c['Buyer'] === undefined ? this.toks(c, 'Identifier') : byOffset([...this.toks(c, 'Buyer'), ...this.toks(c, 'Identifier')]);
    const name = parts[0];
    if (!name) return { kind: 'error', span };
    // `bid.price`: a dotted name is one name.
    if (parts.length > 1) return { kind: 'name', name: parts.map((p) => p.image).join('.'), span };
    const open = this.tok(c, 'LParen');
    if (!open) return { kind: 'name', name: name.image, span };
    if (this.cutBrackets.has(open.startOffset)) return this.tooDeep(span);
    const args = this.nodes(c, 'expression').map((e) => this.expr(e, span));
    return this.made({ kind: 'call', callee: { name: name.image, span: this.tokenSpan(name) }, args, span }, ...args);
  }

  /** The value of a string literal: quotes removed, `\"` `\\` `\n` `\t` unescaped. */
  stringValue(t: IToken): string {
    const body = t.image.endsWith('"') && t.image.length > 1 ? t.image.slice(1, -1) : t.image.slice(1);
    if (!body.includes('\\')) return body;
    return body.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
  }
}
