// What the layout needs to know about a file that parses: its tokens, which
// grammar rule holds each of them (from the parser's CST), and how its brackets
// pair up. Read from the live grammar, so a clause or option added to it is
// laid out without a change here.

import type { CstElement, CstNode, IToken, TokenType } from 'chevrotain';
import * as T from '../lang/lexer.js';
import { ruleParser } from '../lang/parser.js';

/** A node of the CST, reduced to what the layout reads. */
export interface RuleNode {
  /** The grammar rule's name (`buyerClause`, `additive` …). */
  name: string;
  parent: RuleNode | null;
  depth: number;
  /** Indexes of its first and last token in `Structure.tokens`. */
  first: number;
  last: number;
}

export interface Structure {
  tokens: IToken[];
  comments: IToken[];
  /** The node that holds each token directly, by token index. */
  holder: RuleNode[];
  /** The whole file (the grammar's `file` rule). */
  root: RuleNode;
  /** For an opening bracket's index, its closer's; for a closer's, its opener's. */
  partner: Map<number, number>;
  /** The innermost bracket open just before each token (-1: none), by token index;
   *  for a closer, the one around its pair. */
  enclosing: number[];
  /** How many brackets are open around each token (a closer is outside its pair). */
  nesting: number[];
}

const OPENERS: ReadonlySet<TokenType> = new Set([T.LCurly, T.LBracket, T.LParen]);
const CLOSERS: ReadonlySet<TokenType> = new Set([T.RCurly, T.RBracket, T.RParen]);
export const isOpener = (t: IToken): boolean => OPENERS.has(t.tokenType);
export const isCloser = (t: IToken): boolean => CLOSERS.has(t.tokenType);

/**
 * The structure of `source`, which must parse without errors (the caller ran
 * `parse` first); null when the lexer or the parser still finds a problem,
 * which would be a disagreement between them and `parse`.
 */
export function structureOf(source: string): Structure | null {
  const lexed = T.ruleLexer.tokenize(source);
  if (lexed.errors.length > 0) return null;
  const tokens = lexed.tokens;
  if (tokens.some((t) => t.tokenType === T.UnterminatedString)) return null;
  ruleParser.input = tokens;
  const cst = ruleParser.file();
  if (ruleParser.errors.length > 0 || cst === undefined) return null;
  const comments = lexed.groups[T.COMMENT_GROUP] ?? [];
  const { holder, root } = holders(cst, tokens);
  if (holder.length !== tokens.length || holder.some((h) => h === undefined)) return null;
  const brackets = pairBrackets(tokens);
  if (brackets === null) return null;
  return { tokens, comments, holder, root, ...brackets };
}

/** Each token's holding node, walking the CST with a stack (no recursion, whatever the nesting). */
function holders(cst: CstNode, tokens: IToken[]): { holder: RuleNode[]; root: RuleNode } {
  const indexAt = new Map<number, number>(tokens.map((t, i) => [t.startOffset, i]));
  const indexAtEnd = new Map<number, number>(tokens.map((t, i) => [t.endOffset!, i]));
  const holder: RuleNode[] = new Array<RuleNode>(tokens.length);
  const root: RuleNode = { name: cst.name, parent: null, depth: 0, first: 0, last: tokens.length - 1 };
  const stack: { cst: CstNode; node: RuleNode }[] = [{ cst, node: root }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { cst: at, node } = top;
    for (const children of Object.values(at.children) as CstElement[][]) {
      for (const child of children) {
        if (isToken(child)) {
          const index = indexAt.get(child.startOffset);
          if (index !== undefined) holder[index] = node;
          continue;
        }
        const loc = child.location;
        const first = loc?.startOffset === undefined ? undefined : indexAt.get(loc.startOffset);
        const last = loc?.endOffset === undefined ? undefined : indexAtEnd.get(loc.endOffset);
        // A node that holds no token (an empty repetition) has nothing to lay out.
        if (first === undefined || last === undefined) continue;
        stack.push({ cst: child, node: { name: child.name, parent: node, depth: node.depth + 1, first, last } });
      }
    }
  }
  return { holder, root };
}

const isToken = (e: CstElement): e is IToken => (e as IToken).tokenType !== undefined;

function pairBrackets(tokens: IToken[]): Pick<Structure, 'partner' | 'enclosing' | 'nesting'> | null {
  const partner = new Map<number, number>();
  const enclosing: number[] = new Array<number>(tokens.length);
  const nesting: number[] = new Array<number>(tokens.length);
  const open: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isCloser(t)) {
      const opener = open.pop();
      if (opener === undefined) return null;
      partner.set(opener, i);
      partner.set(i, opener);
    }
    enclosing[i] = open.at(-1) ?? -1;
    nesting[i] = open.length;
    if (isOpener(t)) open.push(i);
  }
  return open.length === 0 ? { partner, enclosing, nesting } : null;
}

/** The nearest node holding both nodes. */
export function commonAncestor(a: RuleNode, b: RuleNode): RuleNode {
  let x = a;
  let y = b;
  while (x.depth > y.depth) x = x.parent!;
  while (y.depth > x.depth) y = y.parent!;
  while (x !== y) {
    x = x.parent!;
    y = y.parent!;
  }
  return x;
}
