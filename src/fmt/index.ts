// `leadroute fmt`: one canonical layout for rule files, comments kept. The
// layout is in ./layout.ts; this is the guard around it. A file with a syntax
// error is not formatted (its diagnostics are returned instead), and a layout
// that would read back as other tokens or other comments than the file's is
// refused as an internal error rather than returned: formatting never changes
// what a file means.

import { diagnostic, hasErrors, parse, type Diagnostic } from '../lang/index.js';
import * as T from '../lang/lexer.js';
import { layout } from './layout.js';
import { structureOf } from './structure.js';

export type FormatResult =
  /** The file in canonical layout (`text` equals the source when it already was); `diagnostics` are the parser's warnings. */
  | { ok: true; text: string; diagnostics: Diagnostic[] }
  /** The file cannot be formatted: its syntax errors, or an internal error. */
  | { ok: false; diagnostics: Diagnostic[] };

export function format(source: string, file = '<input>'): FormatResult {
  const { diagnostics } = parse(source, file);
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };
  const structure = structureOf(source);
  if (structure === null) return internalError(file, 'the parser and the formatter disagree on the file');
  const text = layout(structure);
  const drift = firstDifference(source, text);
  if (drift !== null) return internalError(file, `the layout would change ${drift}`);
  return { ok: true, text, diagnostics };
}

function internalError(file: string, what: string): FormatResult {
  const span = { file, line: 1, col: 1, endLine: 1, endCol: 1, start: 0, end: 0 };
  return { ok: false, diagnostics: [diagnostic('LR100.internal', span, `formatter: ${what}`)] };
}

/** The first token or comment that reads differently in `after` than in `before`, described; null when none does. */
function firstDifference(before: string, after: string): string | null {
  const a = T.ruleLexer.tokenize(before);
  const b = T.ruleLexer.tokenize(after);
  if (b.errors.length > 0) return 'the file into one the lexer refuses';
  const words = (tokens: { image: string; tokenType: { name: string } }[]) => tokens.map((t) => `${t.tokenType.name} ${t.image}`);
  const comments = (groups: typeof a.groups) => (groups[T.COMMENT_GROUP] ?? []).map((c) => c.image.trimEnd());
  const tokensA = words(a.tokens);
  const tokensB = words(b.tokens);
  for (let i = 0; i < Math.max(tokensA.length, tokensB.length); i++) {
    if (tokensA[i] !== tokensB[i]) return `token ${i + 1} (\`${tokensA[i] ?? 'the end'}\` into \`${tokensB[i] ?? 'the end'}\`)`;
  }
  const commentsA = comments(a.groups);
  const commentsB = comments(b.groups);
  for (let i = 0; i < Math.max(commentsA.length, commentsB.length); i++) {
    if (commentsA[i] !== commentsB[i]) return `comment ${i + 1}`;
  }
  return null;
}
