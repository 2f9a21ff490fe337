// Every diagnostic leadroute can report, in one table with stable codes
// (the habit borrowed from TypeScript's diagnosticMessages). Codes never change
// meaning once published; retired codes are not reused.

import type { Span } from './ast.js';

export type Severity = 'error' | 'warning';

export interface DiagnosticInfo {
  severity: Severity;
  title: string;
}

export const DIAGNOSTIC_CODES = {
  // 1xx: reading the file
  LR100: { severity: 'error', title: 'syntax error' },
  LR101: { severity: 'error', title: 'unterminated string' },
  LR102: { severity: 'error', title: 'unexpected character' },
  LR103: { severity: 'error', title: 'invalid literal' },
  LR104: { severity: 'error', title: 'unknown word' },
  // 2xx: names
  LR200: { severity: 'error', title: 'unknown field' },
  LR201: { severity: 'error', title: 'unknown buyer' },
  LR202: { severity: 'error', title: 'unknown flow' },
  LR203: { severity: 'error', title: 'duplicate buyer' },
  LR204: { severity: 'error', title: 'duplicate flow' },
  LR205: { severity: 'error', title: 'duplicate field' },
  LR206: { severity: 'error', title: 'no flow' },
  LR207: { severity: 'error', title: 'no lead schema' },
  LR208: { severity: 'error', title: 'lead schema file unusable' },
  LR209: { severity: 'error', title: 'duplicate clause' },
  LR210: { severity: 'error', title: 'reserved name' },
  LR211: { severity: 'error', title: 'second lead schema' },
  LR212: { severity: 'error', title: 'unknown option' },
  LR213: { severity: 'warning', title: 'required field in `requires`' },
  LR214: { severity: 'error', title: 'field listed twice' },
  // 3xx: types
  LR300: { severity: 'error', title: 'type mismatch' },
  LR301: { severity: 'error', title: 'value outside the enum' },
  LR302: { severity: 'error', title: 'not a US state code' },
  LR303: { severity: 'error', title: 'random compared outside 1..100' },
  LR304: { severity: 'error', title: 'condition is not true/false' },
  LR305: { severity: 'error', title: 'unknown function' },
  LR306: { severity: 'error', title: 'wrong number of arguments' },
  LR307: { severity: 'error', title: 'empty range' },
  LR308: { severity: 'warning', title: 'value outside the declared range' },
  LR309: { severity: 'warning', title: 'condition is always true' },
  LR310: { severity: 'warning', title: 'condition is never true' },
  LR311: { severity: 'error', title: 'value out of range' },
  // 4xx: flow structure
  LR400: { severity: 'error', title: 'split weights do not sum to 100%' },
  LR401: { severity: 'warning', title: 'overlapping random ranges' },
  LR402: { severity: 'warning', title: 'gap in random ranges' },
  LR403: { severity: 'warning', title: 'unreachable rule' },
  LR404: { severity: 'error', title: 'overflow cycle' },
  LR405: { severity: 'error', title: 'flow cycle' },
  LR406: { severity: 'error', title: 'buyer listed twice' },
  LR407: { severity: 'error', title: 'otherwise must be the last rule' },
  LR408: { severity: 'error', title: 'invalid share size' },
  LR409: { severity: 'warning', title: 'overflow to the same buyer' },
  LR410: { severity: 'error', title: 'impossible performance split bounds' },
  LR411: { severity: 'error', title: 'rank weights do not sum to 100%' },
  LR412: { severity: 'error', title: 'rank factor listed twice' },
  LR413: { severity: 'error', title: 'split weight missing or not allowed' },
  // 5xx: time
  LR500: { severity: 'error', title: 'unknown time zone' },
  LR501: { severity: 'error', title: 'invalid business hours' },
  LR502: { severity: 'error', title: 'unknown holiday calendar' },
  LR503: { severity: 'warning', title: 'buyer is never closed' },
  // 6xx: caps
  LR600: { severity: 'error', title: 'invalid cap' },
  LR601: { severity: 'error', title: 'invalid count' },
  // 7xx: selling over HTTP, templates and personal data
  LR700: { severity: 'error', title: 'invalid URL' },
  LR701: { severity: 'error', title: 'bid without ping' },
  LR702: { severity: 'error', title: 'auction buyer without ping' },
  LR703: { severity: 'error', title: 'invalid reply mapping' },
  LR704: { severity: 'error', title: 'template file unreadable' },
  LR705: { severity: 'error', title: 'template syntax error' },
  LR706: { severity: 'error', title: 'unknown template variable' },
  LR707: { severity: 'error', title: 'unknown template helper' },
  LR708: { severity: 'error', title: 'personal data in a ping' },
  LR709: { severity: 'warning', title: 'backup post without a post' },
  // 9xx: leadroute's own bugs, reported instead of thrown
  LR901: { severity: 'error', title: 'internal error in the checker' },
} as const satisfies Record<string, DiagnosticInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  /** A concrete fix, e.g. "did you mean `credit_score`?". */
  suggestion?: string;
}

export function diagnostic(
  code: DiagnosticCode,
  span: Span,
  message: string,
  suggestion?: string,
): Diagnostic {
  const d: Diagnostic = { code, severity: DIAGNOSTIC_CODES[code].severity, message, span };
  if (suggestion !== undefined) d.suggestion = suggestion;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sort by file, then position, then code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.start - b.span.start ||
      a.code.localeCompare(b.code),
  );
}

export interface FormatOptions {
  color?: boolean;
}

const ansi = (code: string, on: boolean) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/**
 * Render one diagnostic the way a compiler does:
 *
 *   rules/solar.route:4:12: error LR200: unknown field `credit_scor`
 *      4 |   accepts credit_scor >= 700
 *        |           ^^^^^^^^^^^
 *     = help: did you mean `credit_score`?
 */
export function formatDiagnostic(d: Diagnostic, source: string | undefined, opts: FormatOptions = {}): string {
  const color = opts.color ?? false;
  const red = ansi('31;1', color);
  const yellow = ansi('33;1', color);
  const bold = ansi('1', color);
  const cyan = ansi('36', color);
  const sev = d.severity === 'error' ? red(`error ${d.code}`) : yellow(`warning ${d.code}`);
  const lines = [`${bold(`${d.span.file}:${d.span.line}:${d.span.col}`)}: ${sev}: ${d.message}`];
  const text = source?.split(/\r?\n/)[d.span.line - 1];
  if (text !== undefined) {
    const num = String(d.span.line);
    const pad = ' '.repeat(num.length);
    const width =
      d.span.endLine === d.span.line ? Math.max(1, d.span.endCol - d.span.col) : Math.max(1, text.length - d.span.col + 1);
    const caretLine = ' '.repeat(Math.max(0, d.span.col - 1)) + '^'.repeat(width);
    lines.push(`${cyan(`${num} |`)} ${text}`);
    lines.push(`${cyan(`${pad} |`)} ${d.severity === 'error' ? red(caretLine) : yellow(caretLine)}`);
  }
  if (d.suggestion) lines.push(`${cyan('  = help:')} ${d.suggestion}`);
  return lines.join('\n');
}

export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: Record<string, string>,
  opts: FormatOptions = {},
): string {
  return sortDiagnostics(diagnostics)
    .map((d) => formatDiagnostic(d, sources[d.span.file], opts))
    .join('\n\n');
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a distance that scales with the name's length. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d <= limit) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const best = closestName(name, candidates);
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}
