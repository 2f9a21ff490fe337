// The canonical layout of a rule file, from its tokens and its CST (see
// grammar/REFERENCE.md, "Layout"). The author's line breaks are kept; what a
// line holds is re-spaced and re-indented:
//
// - indentation: two spaces per bracket open around the line's first token,
//   plus one level when the line continues an item begun on an earlier line
//   (a clause, a rule, a declaration: what a `{ }` block or the file lists);
// - one space between tokens, but none before `,` `;` `:` `.` `..` `)` `]`,
//   none after `(` `[` `.` `..`, none between a name and its call's `(`, and
//   `+ - * /` spaced only between two operands (`a - b`, but `-5`, `100/h`,
//   `Mon-Fri`, `09:00-17:00`): which of these an operator is comes from the
//   grammar rule that holds it, so a new clause needs no change here;
// - comments kept where they are: after code, one space before the `#`; on a
//   line of their own, indented as the code line they precede;
// - runs of blank lines become one; none at the start or end of the file,
//   after a line ending in an opening bracket or before a line starting with a
//   closing one; one newline at the end.

import type { IToken, TokenType } from 'chevrotain';
import * as T from '../lang/lexer.js';
import { commonAncestor, isCloser, isOpener, type Structure } from './structure.js';

const INDENT = '  ';

const NO_SPACE_BEFORE: ReadonlySet<TokenType> = new Set([T.Comma, T.Semicolon, T.Colon, T.Dot, T.DotDot, T.RParen, T.RBracket]);
const NO_SPACE_AFTER: ReadonlySet<TokenType> = new Set([T.LParen, T.LBracket, T.Dot, T.DotDot]);
const SEPARATORS: ReadonlySet<TokenType> = new Set([T.Comma, T.Semicolon]);
const ARITHMETIC: ReadonlySet<TokenType> = new Set([T.Plus, T.Minus, T.Star, T.Slash]);

/** One source line that holds something: its code tokens (first..last, or none) and its comment. */
interface Line {
  number: number;
  /** Index of the first and last code token on the line; -1 when it holds only a comment. */
  first: number;
  last: number;
  comment: IToken | undefined;
}

export function layout(s: Structure): string {
  const lines = linesOf(s);
  const out: string[] = [];
  const levels = indentation(s, lines);
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    const previous = lines[k - 1];
    if (previous !== undefined && line.number - previous.number > 1 && blankAllowed(s, previous, line)) out.push('');
    out.push(INDENT.repeat(levels[k]!) + lineText(s, line));
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function linesOf(s: Structure): Line[] {
  const byNumber = new Map<number, Line>();
  const lineAt = (number: number): Line => {
    let line = byNumber.get(number);
    if (line === undefined) byNumber.set(number, (line = { number, first: -1, last: -1, comment: undefined }));
    return line;
  };
  s.tokens.forEach((t, i) => {
    const line = lineAt(t.startLine!);
    if (line.first < 0) line.first = i;
    line.last = i;
  });
  for (const c of s.comments) lineAt(c.startLine!).comment = c;
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

function lineText(s: Structure, line: Line): string {
  let text = '';
  for (let i = line.first; i >= 0 && i <= line.last; i++) {
    if (i > line.first && spaced(s, i)) text += ' ';
    text += s.tokens[i]!.image;
  }
  if (line.comment === undefined) return text;
  const comment = line.comment.image.trimEnd();
  return text === '' ? comment : `${text} ${comment}`;
}

/** A blank line is kept between two lines unless it would open or close a bracket's contents. */
function blankAllowed(s: Structure, above: Line, below: Line): boolean {
  if (above.last >= 0 && isOpener(s.tokens[above.last]!)) return false;
  if (below.first >= 0 && isCloser(s.tokens[below.first]!)) return false;
  return true;
}

// ---------------------------------------------------------------- indentation

/**
 * Each line's indentation, in levels. A comment on its own line is indented
 * as the next code line, or as the inside of the block that line closes (read
 * from the end of the file back, so a run of comment lines costs no rescans).
 */
function indentation(s: Structure, lines: Line[]): number[] {
  const levels: number[] = new Array<number>(lines.length);
  let forComments = 0;
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k]!;
    if (line.first < 0) {
      levels[k] = forComments;
      continue;
    }
    levels[k] = indentLevels(s, line.first);
    forComments = levels[k]! + (isCloser(s.tokens[line.first]!) ? 1 : 0);
  }
  return levels;
}

function indentLevels(s: Structure, first: number): number {
  return s.nesting[first]! + (continuesItem(s, first) ? 1 : 0);
}

/**
 * Whether the line starting at token `i` continues an item of the block it is
 * in, rather than starting one. Only `{ }` blocks and the file list items;
 * inside `( )` and `[ ]` the bracket's own indentation is enough. The items
 * of a block are the children of the rule that holds its `{` (a buyer's
 * clauses, a flow's rules); when the whole of the block's contents is one
 * rule (a list of names), a line after one of its separators starts an item.
 */
function continuesItem(s: Structure, i: number): boolean {
  const token = s.tokens[i]!;
  if (i === 0 || isCloser(token)) return false;
  const opener = s.enclosing[i]!;
  if (opener >= 0 && s.tokens[opener]!.tokenType !== T.LCurly) return false;
  if (opener === i - 1) return false;
  const owner = opener >= 0 ? s.holder[opener]! : s.root;
  const shared = commonAncestor(s.holder[i - 1]!, s.holder[i]!);
  if (shared === owner) return false;
  // `{ A,\n B }`: the one rule inside the braces is a list, and a line after its separator starts an entry.
  const wholeContents = opener >= 0 && shared.first === opener + 1 && shared.last === s.partner.get(opener)! - 1;
  return !(wholeContents && SEPARATORS.has(s.tokens[i - 1]!.tokenType));
}

// ---------------------------------------------------------------- spacing

/** Whether a space goes between token `i - 1` and token `i` on one line. */
function spaced(s: Structure, i: number): boolean {
  const before = s.tokens[i - 1]!.tokenType;
  const token = s.tokens[i]!.tokenType;
  if (NO_SPACE_BEFORE.has(token) || NO_SPACE_AFTER.has(before)) return false;
  if (before === T.LCurly && token === T.RCurly) return false;
  // A call: the name and its `(` are held by one rule; a parenthesised value's `(` starts a rule of its own.
  if (token === T.LParen && s.holder[i] === s.holder[i - 1]) return false;
  // A sign is tight to its operand, but `- -3` keeps its space (`--3` reads as one operator).
  if (ARITHMETIC.has(before) && operatorRole(s, i - 1) !== 'infix' && !ARITHMETIC.has(token)) return false;
  if (ARITHMETIC.has(token) && operatorRole(s, i) === 'joined') return false;
  return true;
}

type OperatorRole = 'infix' | 'prefix' | 'joined';

/**
 * What an arithmetic sign does where it stands, read from the rule that holds
 * it: as the rule's first token, or just after another sign of the rule, it
 * is a sign (`-5`, `- -5`, the second `-` of `a - -5`: tight after); after an
 * operand that is a rule of its own, and before one or before a sign, it is
 * infix (`a - b`, spaced); between two plain tokens it joins them (`100/h`,
 * `Mon-Fri`, `09:00-17:00`).
 */
function operatorRole(s: Structure, i: number): OperatorRole {
  const holder = s.holder[i]!;
  if (i === holder.first) return 'prefix';
  const before = i - 1;
  if (s.holder[before] === holder && ARITHMETIC.has(s.tokens[before]!.tokenType)) return 'prefix';
  const operandBefore = s.holder[before] !== holder;
  const operandAfter = i < holder.last && (s.holder[i + 1] !== holder || ARITHMETIC.has(s.tokens[i + 1]!.tokenType));
  return operandBefore && operandAfter ? 'infix' : 'joined';
}
