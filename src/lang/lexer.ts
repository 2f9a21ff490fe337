// The lexer: every token of ./tokens.ts and the action keywords of
// ./actions.ts, in the order the lexer tries them. Re-exports both, so the
// parser reads every token as `T.Name`.

import type { ILexingResult, IToken, TokenType } from 'chevrotain';
import { Lexer } from './chevrotain.js';
import { ACTION_KEYWORDS, ACTION_SOFT_KEYWORDS } from './actions.js';
import {
  Accepted, Accepts, After, And, Arrow, Backoff, Backup, Batch, Between, Bid, Breaker, Buyer, By, Cap, Clock, Closed, Colon, Comma, Comment,
  Cooldown, Dedupe, Delay, Dot, DotDot, Duration, Else, EqEq, Exclusive, False, Fair, Fields, Floor, Flow, Form, From, Greater, GreaterEq,
  Header, Hold, Holidays, Hours, Identifier, In, Json, LBracket, LCurly, Lead, Less, LessEq, List, LParen, Max, Min, Minus, Money, Not, NotEq,
  NumberLiteral, On, Optional, Or, Otherwise, Over, Overflow, Percent, Pii, Ping, Pipe, Pixel, Plus, Post, Prefers, Premium, Price,
  Random, RBracket, RCurly, Relationship, Requires, Retry, RParen, Semicolon, Send, Shared, Skip, Slash, Star, StringLiteral, Text, Then,
  Timeout, To, Top, True, UnterminatedString, Weight, When, WhiteSpace, With, Within, Xml, Sale, Ignoring, Case, Alert,
} from './tokens.js';

export * from './tokens.js';

export const SOFT_KEYWORDS: readonly TokenType[] = [
  Price, Prefers, Weight, Relationship, Holidays, Closed, Dedupe, Within, Requires, Ping, Post, Bid, Pixel, Delay, Batch,
  Breaker, Cooldown, Backup, Fair, By, Over, Premium, With, Then, After,
  Timeout, Retry, Backoff, Fields, Accepted, Header, On, Exclusive, Shared, Floor, Min, Max, Top, To, Json, Xml, Form, Text,
  Skip, Hold, Send, Else, Sale, Ignoring, Case, Alert, ...ACTION_SOFT_KEYWORDS,
];

export const KEYWORDS: readonly TokenType[] = [
  Lead, From, Buyer, Flow, Accepts, Cap, Hours, Overflow, When, Otherwise, ...ACTION_KEYWORDS,
  And, Or, Not, In, Between, True, False, Random, Pii, Optional, List,
];

const wordOf = (k: TokenType): string => String(k.PATTERN).replace(/^\/|\/$/g, '');
export const KEYWORD_WORDS: readonly string[] = KEYWORDS.map(wordOf);
export const SOFT_KEYWORD_WORDS: readonly string[] = SOFT_KEYWORDS.map(wordOf);

// Longer keywords first, so `shared` is not read as `share` + `d` and
// `overflow` not as `over` + `flow`.
const KEYWORDS_LONGEST_FIRST = [...KEYWORDS, ...SOFT_KEYWORDS].sort((a, b) => wordOf(b).length - wordOf(a).length);

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  Money,
  Clock,
  Duration,
  Percent,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  ...KEYWORDS_LONGEST_FIRST,
  Identifier,
  LCurly, RCurly, LBracket, RBracket, LParen, RParen, Comma, Semicolon, Colon, Pipe, DotDot, Dot, Arrow,
  LessEq, GreaterEq, NotEq, EqEq, Less, Greater, Plus, Minus, Star, Slash,
];

/**
 * A token as the lexer makes it: the fields and values of Chevrotain's own
 * tokens, in a class of its own. Chevrotain's tokens are object literals of
 * the same shape as its end-of-input token, whose positions are NaN, so V8
 * keeps every position of every token as a boxed number: six allocations a
 * token, which on a 100,000-buyer file were most of the heap.
 */
class Token implements IToken {
  constructor(
    public image: string,
    public startOffset: number,
    public endOffset: number,
    public startLine: number,
    public endLine: number,
    public startColumn: number,
    public endColumn: number,
    public tokenTypeIdx: number,
    public tokenType: TokenType,
  ) {}
}

/** Every keyword and soft keyword by its word. */
const KEYWORD_BY_WORD = new Map<string, TokenType>([...KEYWORDS, ...SOFT_KEYWORDS].map((k) => [wordOf(k), k]));

/**
 * The rule lexer. Keywords are not among its patterns: a word is read as an
 * Identifier and is a keyword when the whole word is one (what `longer_alt:
 * Identifier` makes of the keyword patterns, without trying each keyword
 * that starts with the word's first letter).
 */
export class RuleLexer extends Lexer {
  /** Added to the offsets and lines of the tokens being made (see tokenizeLines). */
  private offsetShift = 0;
  private lineShift = 0;

  /**
   * The tokens and errors of `source`'s characters [start, end), placed in the
   * whole of `source`: offsets and lines as if the whole had been lexed.
   * `start` must be 0 or just after a `\n`, and `line` its 1-based line: no
   * token spans a line end (strings and comments stop at one, and whitespace
   * is skipped), so the tokens are those of the whole, and columns need no
   * change.
   */
  tokenizeLines(source: string, start: number, end: number, line: number): ILexingResult {
    // Tokens are placed as they are made (createFullToken adds the shifts)
    // rather than moved by a second pass over them: lexing a 100,000-buyer
    // file (5.5 million tokens) went from 534-604 to 512-531 ms.
    this.offsetShift = start;
    this.lineShift = line - 1;
    let lexed: ILexingResult;
    try {
      lexed = this.tokenize(start === 0 && end === source.length ? source : source.slice(start, end));
    } finally {
      this.offsetShift = 0;
      this.lineShift = 0;
    }
    for (const e of lexed.errors) {
      e.offset += start;
      if (e.line !== undefined) e.line += line - 1;
    }
    return lexed;
  }

  /** Chevrotain's `createFullToken` (lexer_public.js), which its lexer calls
   *  for each token when `positionTracking` is 'full'; the same fields. */
  protected createFullToken(image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType, startLine: number, startColumn: number, imageLength: number): IToken {
    const keyword = tokenType === Identifier ? KEYWORD_BY_WORD.get(image) : undefined;
    if (keyword !== undefined) {
      tokenType = keyword;
      tokenTypeIdx = keyword.tokenTypeIdx!;
    }
    const offset = startOffset + this.offsetShift;
    const line = startLine + this.lineShift;
    return new Token(image, offset, offset + imageLength - 1, line, line, startColumn, startColumn + imageLength - 1, tokenTypeIdx, tokenType);
  }
}

const KEYWORD_SET: ReadonlySet<TokenType> = new Set(KEYWORDS_LONGEST_FIRST);
export const ruleLexer: RuleLexer = new RuleLexer(
  ALL_TOKENS.filter((t) => !KEYWORD_SET.has(t)),
  { positionTracking: 'full', ensureOptimizations: false },
);
