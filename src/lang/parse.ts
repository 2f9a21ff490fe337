// Source text → AST + syntax diagnostics. Never throws: whatever the input, the
// result is an AST (possibly with `error` nodes) and the diagnostics that explain
// what could not be read.
//
// The token stream is cut into top-level declarations, and each is parsed on
// its own: a declaration broken beyond Chevrotain's in-rule recovery then
// costs only itself, and the mistakes in the others are still reported. The
// text is lexed a slice of lines at a time and each declaration parsed as
// soon as the next starts, so a large file's tokens are never all alive.

import type { ILexingError, ILexingResult, IToken, TokenType } from 'chevrotain';
import { tokenMatcher } from './chevrotain.js';
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
  return parseInSlices(source, file, SLICE_CHARS);
}

/** `parse`, lexing `sliceChars` characters (whole lines) at a time. The
 *  result is the same for any slice size; tests parse in tiny slices to show it. */
export function parseInSlices(source: string, file: string, sliceChars: number): ParseResult {
  // Chevrotain's error recovery throws and catches an exception for every
  // syntax error; their stack traces are never read, and capturing them was a
  // quarter of the time on a file of 100,000 bad lines.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseUnsafe(source, file, sliceChars);
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

function parseUnsafe(source: string, file: string, sliceChars: number): ParseResult {
  const builder = new AstBuilder(file, source);
  // Kept apart until the end, to come out in the order of a lexing of the
  // whole before its parse: the lexer's errors, the unterminated strings, then
  // each declaration's (`syntaxErrors` keeps that order).
  const lexingErrors: Diagnostic[] = [];
  const unterminated: Diagnostic[] = [];
  const diagnostics: Diagnostic[] = [];
  const endSpan = builder.emptySpan();
  const ast: RuleFile = { file, buyers: [], flows: [], alerts: [], span: { ...endSpan, end: source.length } };
  const comments: Trivia['comments'] = [];
  const seen = new Set<number>();
  const parseChunk = (chunk: IToken[], nextFollows: boolean): void => {
    try {
      parseDeclaration(chunk, nextFollows, builder, ast, diagnostics, seen);
    } catch (err) {
      // A bug, or a stack the nesting guard did not foresee: reported at the
      // declaration it happened in, and the other declarations still parse.
      const where = builder.tokenSpan(chunk[0]!);
      diagnostics.push(err instanceof RangeError ? diagnostic('LR106', where, MAX_EXPR_DEPTH) : diagnostic('LR100.internal', where, (err as Error).message));
    }
  };

  const readSlice = (lexed: ILexingResult): IToken[] => {
    reportLexingErrors(lexed.errors, source, file, lexingErrors);
    for (const t of lexed.groups[T.COMMENT_GROUP] ?? []) comments.push({ text: t.image, span: builder.tokenSpan(t) });
    const tokens = lexed.tokens;
    for (let i = 0; i < tokens.length; i++) tokens[i] = readUnterminated(tokens[i]!, builder, unterminated);
    return tokens;
  };
  for (const { tokens, nextFollows } of declarationTokens(source, sliceChars, readSlice)) parseChunk(tokens, nextFollows);

  // concat, not a spread: a file of 100,000 bad lines has more diagnostics than a call takes arguments.
  const all = lexingErrors.concat(unterminated, diagnostics, builder.diagnostics);
  const errors = all.filter((d) => d.severity === 'error').map((d) => d.span.start);
  if (errors.length > 0) ast.syntaxErrors = errors;
  return { ast, diagnostics: sortDiagnostics(all), trivia: { comments, blankLines: blankLines(source) } };
}

/**
 * The tokens of each top-level declaration of `source`, in order. The text is
 * lexed a slice of lines at a time (`readSlice` sees each slice's lexing and
 * returns the tokens to cut), and a declaration is handed out as soon as the
 * next one starts: a large file's tokens are never all alive at once (a
 * 100,000-buyer file has 5.5 million; its parse's peak memory went from 1.40
 * to 1.03 GB). `nextFollows`: another declaration comes after this one.
 * bench/scale.ts times this and Chevrotain's recognition alone, the part of a
 * parse before the AST builder.
 */
export function* declarationTokens(
  source: string,
  sliceChars: number,
  readSlice: (lexed: ILexingResult) => readonly IToken[],
): Generator<{ tokens: IToken[]; nextFollows: boolean }> {
  const cutter = new DeclarationCutter();
  for (const slice of lineSlices(source, sliceChars)) {
    for (const t of readSlice(T.ruleLexer.tokenizeLines(source, slice.start, slice.end, slice.line))) cutter.push(t);
    const last = slice.end === source.length;
    for (const tokens of cutter.complete(last)) yield { tokens, nextFollows: true };
    if (last) {
      const rest = cutter.rest();
      if (rest.length > 0) yield { tokens: rest, nextFollows: false };
    }
  }
}

/** Characters a lexed slice holds at least (it runs on to the end of its line).
 *  A slice's tokens live until its declarations are parsed, and every minor
 *  collection meanwhile copies them: 8 KB slices made the minor collections
 *  of a 10,000-buyer parse a quarter to a third cheaper than 64 KB ones. */
export const SLICE_CHARS = 1 << 13;

/** [start, end) of each slice of whole lines of about SLICE_CHARS, with the
 *  1-based line it starts on, counted as the lexer counts lines (`\n`, `\r\n`
 *  and a lone `\r` each end one). The whole source is one slice when short. */
function* lineSlices(source: string, size: number): Generator<{ start: number; end: number; line: number }> {
  let line = 1;
  // Where the next `\r` is: most files have none, and then counting a slice's
  // lines is a search for `\n` alone.
  let nextReturn = source.indexOf('\r');
  for (let start = 0; ; ) {
    const newline = start + size >= source.length ? -1 : source.indexOf('\n', start + size - 1);
    const end = newline < 0 ? source.length : newline + 1;
    yield { start, end, line };
    if (end === source.length) return;
    if (nextReturn < 0 || nextReturn >= end) line += newlines(source, start, end);
    else {
      line += lineEnds(source, start, end);
      nextReturn = source.indexOf('\r', end);
    }
    start = end;
  }
}

/** How many `\n` source[start, end) holds. */
function newlines(source: string, start: number, end: number): number {
  let count = 0;
  for (let i = source.indexOf('\n', start); i >= 0 && i < end; i = source.indexOf('\n', i + 1)) count++;
  return count;
}

/** How many line ends source[start, end) holds, as the lexer counts them. */
function lineEnds(source: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) count++;
  }
  return count;
}

function reportLexingErrors(errors: readonly ILexingError[], source: string, file: string, diagnostics: Diagnostic[]): void {
  for (const e of errors) {
    const ch = source.slice(e.offset, e.offset + e.length);
    const span = { file, line: e.line ?? 1, col: e.column ?? 1, endLine: e.line ?? 1, endCol: (e.column ?? 1) + e.length, start: e.offset, end: e.offset + e.length };
    diagnostics.push(diagnostic(ch.startsWith("'") ? 'LR102.quote' : e.length > 1 ? 'LR102.several' : 'LR102', span, ch));
  }
}

/** An unterminated string is reported, and read on as a string. */
function readUnterminated(t: IToken, builder: AstBuilder, diagnostics: Diagnostic[]): IToken {
  if (t.tokenType !== T.UnterminatedString) return t;
  diagnostics.push(diagnostic('LR101', builder.tokenSpan(t)));
  return { ...t, tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx! } as IToken;
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
 * Cuts the token stream into top-level declarations as it arrives. A
 * declaration starts at every `lead` or `buyer` keyword (never valid inside
 * a block), at every `flow NAME {` (the `flow NAME` action has no brace) and
 * every `alert NAME when` (`alert` is a soft keyword, a name elsewhere), so a
 * missing `}` does not swallow the next declaration. The first declaration
 * starts at the first token.
 */
class DeclarationCutter {
  /** The tokens not yet handed out: the open declaration's, from its first. */
  private pending: IToken[] = [];
  /** The next index of `pending` to look at for a start. */
  private next = 1;

  push(t: IToken): void {
    this.pending.push(t);
  }

  /** The declarations that are whole: those the start of another follows.
   *  Until `last`, a start whose next two tokens have not arrived waits. */
  complete(last: boolean): IToken[][] {
    const tokens = this.pending;
    const decidable = last ? tokens.length : tokens.length - 2;
    const starts: number[] = [0];
    for (; this.next < decidable; this.next++) if (startsDeclaration(tokens, this.next)) starts.push(this.next);
    if (starts.length === 1) return [];
    const chunks = starts.slice(0, -1).map((s, k) => tokens.slice(s, starts[k + 1]));
    const open = starts[starts.length - 1]!;
    this.pending = tokens.slice(open);
    this.next -= open;
    return chunks;
  }

  /** The tokens of the last declaration, once every token has arrived. */
  rest(): IToken[] {
    return this.pending;
  }
}

function startsDeclaration(tokens: readonly IToken[], i: number): boolean {
  const type = tokens[i]!.tokenType;
  return (
    type === T.Lead ||
    (type === T.Buyer && tokens[i + 1]?.tokenType !== T.Dot) ||
    (type === T.Flow && isName(tokens[i + 1]) && tokens[i + 2]?.tokenType === T.LCurly) ||
    (type === T.Alert && isName(tokens[i + 1]) && tokens[i + 2]?.tokenType === T.When)
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
