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
      ast: { file, buyers: [], flows: [], alerts: [], span },
      diagnostics: [diagnostic('LR100.internal', span, (err as Error).message)],
      trivia: { comments: [], blankLines: blankLines(source) },
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function parseUnsafe(source: string, file: string): ParseResult {
  const builder = new AstBuilder(file, source);
  const diagnostics: Diagnostic[] = [];
  const lexed = T.ruleLexer.tokenize(source);

  for (const e of lexed.errors) {
    const ch = source.slice(e.offset, e.offset + e.length);
    const span = { file, line: e.line ?? 1, col: e.column ?? 1, endLine: e.line ?? 1, endCol: (e.column ?? 1) + e.length, start: e.offset, end: e.offset + e.length };
    diagnostics.push(diagnostic(ch.startsWith("'") ? 'LR102.quote' : e.length > 1 ? 'LR102.several' : 'LR102', span, ch));
  }

  // Read in place: a copy of the token array is a large allocation on a large file.
  const tokens: (IToken | undefined)[] = lexed.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType !== T.UnterminatedString) continue;
    diagnostics.push(diagnostic('LR101', builder.tokenSpan(t)));
    tokens[i] = { ...t, tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx! } as IToken;
  }

  const endSpan = builder.emptySpan();
  const ast: RuleFile = { file, buyers: [], flows: [], alerts: [], span: { ...endSpan, end: source.length } };
  const seen = new Set<number>();
  const starts = declarationStarts(tokens as IToken[]);
  starts.forEach((start, index) => {
    const last = index === starts.length - 1;
    const end = last ? tokens.length : starts[index + 1]!;
    const chunk = tokens.slice(start, end) as IToken[];
    // Each token is read by one declaration's parse only: let it go after
    // that, so a large file's tokens do not all stay alive to the end.
    tokens.fill(undefined, start, end);
    try {
      parseDeclaration(chunk, !last, builder, ast, diagnostics, seen);
    } catch (err) {
      // A bug, or a stack the nesting guard did not foresee: reported at the
      // declaration it happened in, and the other declarations still parse.
      const where = builder.tokenSpan(chunk[0]!);
      diagnostics.push(err instanceof RangeError ? diagnostic('LR106', where, MAX_EXPR_DEPTH) : diagnostic('LR100.internal', where, (err as Error).message));
    }
  });

  diagnostics.push(...builder.diagnostics);
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => d.span.start);
  if (errors.length > 0) ast.syntaxErrors = errors;
  const comments = (lexed.groups[T.COMMENT_GROUP] ?? []).map((t) => ({ text: t.image, span: builder.tokenSpan(t) }));
  return { ast, diagnostics: sortDiagnostics(diagnostics), trivia: { comments, blankLines: blankLines(source) } };
}

/** The 1-based numbers of the lines that are empty or only whitespace. Read in
 *  place: a string per line of a large file was a large allocation. */
function blankLines(source: string): number[] {
  const blank: number[] = [];
  for (let line = 1, start = 0; ; line++) {
    const newline = source.indexOf('\n', start);
    const end = newline < 0 ? source.length : newline;
    if (onlyWhitespace(source, start, end)) blank.push(line);
    if (newline < 0) return blank;
    start = newline + 1;
  }
}

/** Whether source[start, end) is all whitespace, as `trim` and `\s` count it. */
function onlyWhitespace(source: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c < 128 || !/\s/.test(source[i]!)) return false;
  }
  return true;
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

/**
 * Where the declarations start: the tokens are cut at every `lead` or `buyer`
 * keyword (never valid inside a block), at every `flow NAME {` (the `flow
 * NAME` action has no brace) and every `alert NAME when` (`alert` is a soft
 * keyword, a name elsewhere), so a missing `}` does not swallow the next
 * declaration. The first declaration starts at the first token.
 */
function declarationStarts(tokens: IToken[]): number[] {
  const starts: number[] = tokens.length > 0 ? [0] : [];
  for (let i = 1; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    const startsDeclaration =
      type === T.Lead ||
      (type === T.Buyer && tokens[i + 1]?.tokenType !== T.Dot) ||
      (type === T.Flow && isName(tokens[i + 1]) && tokens[i + 2]?.tokenType === T.LCurly) ||
      (type === T.Alert && isName(tokens[i + 1]) && tokens[i + 2]?.tokenType === T.When);
    if (startsDeclaration) starts.push(i);
  }
  return starts;
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
