// Source text → AST + syntax diagnostics. Never throws: whatever the input, the
// result is an AST (possibly with `error` nodes) and the diagnostics that explain
// what could not be read.
//
// The token stream is cut into top-level declarations before parsing, and each
// is parsed on its own: a declaration broken beyond Chevrotain's in-rule
// recovery then costs only itself, and the mistakes in the others are still
// reported.

import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import type { RuleFile, Trivia } from './ast.js';
import { AstBuilder } from './ast-builder.js';
import { diagnostic, didYouMean, sortDiagnostics, suggest, type Diagnostic } from './diagnostics.js';
import * as T from './lexer.js';
import { ruleParser } from './parser.js';
import { MAX_EXPR_DEPTH } from '../core/limits.js';

export interface ParseResult {
  ast: RuleFile;
  diagnostics: Diagnostic[];
  /** Comments and blank lines, for a formatter. */
  trivia: Trivia;
}

export function parse(source: string, file = '<input>'): ParseResult {
  // Chevrotain's error recovery throws and catches an exception for every
  // syntax error; their stack traces are never read, and capturing them was a
  // quarter of the time on a file of 100,000 bad lines.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseUnsafe(source, file);
  } catch (err) {
    // A bug in the parser must still come out as a diagnostic, not a stack trace.
    const builder = new AstBuilder(file, source);
    const span = builder.emptySpan();
    return {
      ast: { file, buyers: [], flows: [], span },
      diagnostics: [diagnostic('LR100.internal', span, (err as Error).message)],
      trivia: { comments: [], blankLines: blankLines(source) },
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function parseUnsafe(source: string, file: string): ParseResult {
  const builder = new AstBuilder(file, source);
  const endSpan = builder.emptySpan();
  const ast: RuleFile = { file, buyers: [], flows: [], span: { ...endSpan, end: source.length } };
  // Kept apart to be listed in the order of a whole-file lex: the lexer's errors, the unterminated strings, then the parser's.
  const lexerErrors: Diagnostic[] = [];
  const unterminated: Diagnostic[] = [];
  const diagnostics: Diagnostic[] = [];
  const comments: IToken[] = [];
  const seen = new Set<number>();

  const parseChunk = (chunk: IToken[], last: boolean): void => {
    try {
      parseDeclaration(chunk, !last, builder, ast, diagnostics, seen);
    } catch (err) {
      // A bug, or a stack the nesting guard did not foresee: reported at the
      // declaration it happened in, and the other declarations still parse.
      const where = builder.tokenSpan(chunk[0]!);
      diagnostics.push(err instanceof RangeError ? diagnostic('LR106', where, MAX_EXPR_DEPTH) : diagnostic('LR100.internal', where, (err as Error).message));
    }
  };

  // The tokens lexed and not yet parsed: each declaration is parsed as soon as
  // the next one's start is lexed (see lexInPieces), then let go.
  let pending: IToken[] = [];
  /** Where in `pending` to look for the next declaration's start. */
  let scan = 1;
  const pieces = T.lexInPieces(source);
  for (let next = pieces.next(); !next.done; ) {
    const lexed = next.value;
    for (const e of lexed.errors) {
      const ch = source.slice(e.offset, e.offset + e.length);
      const span = { file, line: e.line ?? 1, col: e.column ?? 1, endLine: e.line ?? 1, endCol: (e.column ?? 1) + e.length, start: e.offset, end: e.offset + e.length };
      lexerErrors.push(diagnostic(ch.startsWith("'") ? 'LR102.quote' : e.length > 1 ? 'LR102.several' : 'LR102', span, ch));
    }
    for (const t of lexed.groups[T.COMMENT_GROUP] ?? []) comments.push(t);
    for (let t of lexed.tokens) {
      if (t.tokenType === T.UnterminatedString) {
        unterminated.push(diagnostic('LR101', builder.tokenSpan(t)));
        t = { ...t, tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx! } as IToken;
      }
      pending.push(t);
    }
    next = pieces.next();
    // Past the last piece every token is here; before it, a start is decided
    // only where the tokens it looks at (up to two ahead) are.
    const end = next.done ? pending.length : pending.length - DECLARATION_LOOKAHEAD;
    let from = 0;
    for (; scan < end; scan++) {
      if (!startsDeclaration(pending, scan)) continue;
      parseChunk(pending.slice(from, scan), false);
      from = scan;
    }
    if (from > 0) {
      pending = pending.slice(from);
      scan -= from;
    }
  }
  if (pending.length > 0) parseChunk(pending, true);

  // concat, not a spread: a file of many bad lines has more diagnostics than a call takes arguments.
  const all = lexerErrors.concat(unterminated, diagnostics, builder.diagnostics);
  const errors = all.filter((d) => d.severity === 'error').map((d) => d.span.start);
  if (errors.length > 0) ast.syntaxErrors = errors;
  const trivia = { comments: comments.map((t) => ({ text: t.image, span: builder.tokenSpan(t) })), blankLines: blankLines(source) };
  return { ast, diagnostics: sortDiagnostics(all), trivia };
}

function blankLines(source: string): number[] {
  const blank: number[] = [];
  source.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') blank.push(i + 1);
  });
  return blank;
}

function parseDeclaration(
  chunk: IToken[],
  nextFollows: boolean,
  builder: AstBuilder,
  ast: RuleFile,
  diagnostics: Diagnostic[],
  seen: Set<number>,
): void {
  ruleParser.input = chunk;
  const cst = ruleParser.declaration();
  for (const err of ruleParser.errors) {
    const tok = realTokenOr(err.token, chunk[chunk.length - 1]);
    if (!tok || seen.has(tok.startOffset)) continue;
    seen.add(tok.startOffset);
    // The chunk ends where the next declaration starts, not at the end of the file.
    const message = nextFollows ? err.message.replace('the end of the file', 'the next declaration') : err.message;
    diagnostics.push(suggest(diagnostic('LR100', builder.tokenSpan(tok), message), keywordSuggestion(err.token)));
  }
  for (const offset of ruleParser.cutBrackets) builder.cutBrackets.add(offset);
  if (cst) builder.declaration(cst, ast);
}

/** How many tokens after a declaration keyword startsDeclaration reads. */
const DECLARATION_LOOKAHEAD = 2;

/**
 * Whether a declaration starts at tokens[i]: the tokens are cut at every
 * `lead` or `buyer` keyword (never valid inside a block) and at every `flow
 * NAME {` (the `flow NAME` action has no brace), so a missing `}` does not
 * swallow the next declaration. The first declaration starts at the first token.
 */
function startsDeclaration(tokens: readonly IToken[], i: number): boolean {
  const type = tokens[i]!.tokenType;
  return (
    type === T.Lead ||
    (type === T.Buyer && tokens[i + 1]?.tokenType !== T.Dot) ||
    (type === T.Flow && isName(tokens[i + 1]) && tokens[i + 2]?.tokenType === T.LCurly)
  );
}

/** A name, including soft keywords used as one (`flow shared { … }`). */
const isName = (t: IToken | undefined): boolean => t !== undefined && tokenMatcher(t, T.Identifier);

function realTokenOr(tok: IToken, fallback: IToken | undefined): IToken | undefined {
  if (Number.isFinite(tok.startOffset) && tok.tokenType.name !== 'EOF') return tok;
  return fallback;
}

const KEYWORD_BY_WORD = new Map<string, TokenType>(T.KEYWORDS.map((k, i) => [T.KEYWORD_WORDS[i]!, k]));

/** `rout Premium` → "did you mean `route`?" */
function keywordSuggestion(tok: IToken): string | undefined {
  if (!isName(tok)) return undefined;
  return didYouMean(tok.image, KEYWORD_BY_WORD.keys());
}
