// Every diagnostic leadroute can report, in one table with stable codes
// (the habit borrowed from TypeScript's diagnosticMessages). Codes never change
// meaning once published; retired codes are not reused.
//
// A code's entry holds its message template: `{0}`, `{1}` … are the arguments
// the call site passes, so `diagnostic('LR211', span)` or
// `diagnostic('LR104.capUnit', span, 'hr', units)` is the whole call. A code that
// says several different things names each extra phrasing in `variants`,
// addressed as `CODE.variant`. Codes without a template yet still take the
// message and help as text (`diagnostic(code, span, message, help)`).

import { MAX_DIAGNOSTICS_SHOWN } from '../core/limits.js';
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning';

export interface MessageTemplate {
  /** The message, with `{0}`, `{1}` … for the call site's arguments. */
  message: string;
  /** The suggestion, with the same placeholders. */
  help?: string;
}

export interface DiagnosticInfo extends Partial<MessageTemplate> {
  severity: Severity;
  title: string;
  variants?: Record<string, MessageTemplate>;
}

export const DIAGNOSTIC_CODES = {
  // 1xx: reading the file
  LR100: {
    severity: 'error',
    title: 'syntax error',
    // The expectation is composed from the grammar itself (see parser.ts).
    message: '{0}',
    variants: { internal: { message: 'internal parser error: {0}', help: 'please report this file' } },
  },
  LR101: { severity: 'error', title: 'unterminated string', message: 'this string has no closing `"`', help: 'add a `"` before the end of the line' },
  LR102: {
    severity: 'error',
    title: 'unexpected character',
    message: 'unexpected character `{0}`',
    variants: {
      several: { message: 'unexpected characters `{0}`' },
      quote: { message: 'unexpected character `{0}`', help: 'strings use double quotes: "like this"' },
    },
  },
  LR103: {
    severity: 'error',
    title: 'invalid literal',
    message: '`{0}` is not a time of day',
    help: 'write times as HH:MM, 00:00 to 24:00',
    variants: {
      range: { message: 'a range only applies to `int`, `number` and `money`, not `{0}`' },
    },
  },
  LR104: {
    severity: 'error',
    title: 'unknown word',
    message: 'unknown type `{0}`',
    help: 'a type is one of {1}, `list T`, or strings separated by `|`',
    variants: {
      capUnit: { message: 'unknown cap period `{0}`', help: 'a cap period is {1}' },
      day: { message: 'unknown day `{0}`', help: 'days are {1}' },
      performance: {
        message: 'expected `performance` after `split by`, found `{0}`',
        help: 'write `split by performance conversion over 7d min 10% max 50% { A, B }`',
      },
    },
  },
  LR105: {
    severity: 'error',
    title: 'number too large',
    message: '`{0}` is too large a number to hold exactly',
    help: 'numbers (and durations, in milliseconds) go up to {1}',
  },
  LR106: {
    severity: 'error',
    title: 'expression too complex',
    message: 'this expression nests more than {0} levels deep',
    help: 'split it into several rules or use `in [...]`',
    variants: {
      size: { message: 'this expression has more than {0} parts', help: 'split it into several rules or use `in [...]`' },
    },
  },
  // 2xx: names
  LR200: { severity: 'error', title: 'unknown field' },
  LR201: { severity: 'error', title: 'unknown buyer' },
  LR202: { severity: 'error', title: 'unknown flow' },
  LR203: { severity: 'error', title: 'duplicate buyer' },
  LR204: { severity: 'error', title: 'duplicate flow' },
  LR205: { severity: 'error', title: 'duplicate field' },
  LR206: { severity: 'error', title: 'no flow' },
  LR207: { severity: 'error', title: 'no lead schema' },
  LR208: {
    severity: 'error',
    title: 'lead schema file unusable',
    variants: {
      xPii: {
        message: 'the lead schema `{0}`: property `{1}` has `"x-pii": {2}`, which is neither true nor false',
        help: 'write `"x-pii": true` for personal data or `"x-pii": false` for none',
      },
    },
  },
  LR209: { severity: 'error', title: 'duplicate clause' },
  LR210: { severity: 'error', title: 'reserved name' },
  LR211: {
    severity: 'error',
    title: 'second lead schema',
    message: 'a file has one `lead` declaration; this is a second one',
    help: 'merge the fields into the first `lead` block',
  },
  LR212: { severity: 'error', title: 'unknown option' },
  LR213: { severity: 'warning', title: 'required field in `requires`' },
  LR214: { severity: 'error', title: 'field listed twice' },
  LR215: {
    severity: 'error',
    title: 'file outside the rule folder',
    message: '{0} `{1}` is an absolute path: a rule file reads only files inside its own folder',
    help: 'write the path relative to the rule file, inside its folder',
    variants: {
      escapes: { message: "{0} `{1}` is outside the rule file's folder: a rule file reads only files inside it", help: 'move the file into the rule file\'s folder (or a folder below it)' },
      linksOutside: { message: "{0} `{1}` is a link to a file outside the rule file's folder", help: 'copy the file into the rule file\'s folder instead of linking to it' },
      notFile: { message: '{0} `{1}` is not a regular file', help: 'name a regular file: not a directory, a device or a pipe' },
      tooLarge: { message: '{0} `{1}` is larger than {2}', help: 'templates and lead schemas are small files; check the path' },
    },
  },
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
  LR708: {
    severity: 'error',
    title: 'personal data in a ping, a pixel or a field that is not PII',
    variants: {
      rewrite: {
        message: '`{0}` is not personal data, so it cannot be set from `{1}`, which is (a value derived from personal data is personal data)',
        help: 'mark `{0}` `pii`, or set it from fields that are not personal data',
      },
      pixel: {
        message: '{0} sends `lead.{1}`{2}, which is personal data (`{1}` is marked `pii`); pixels go to third-party trackers',
        help: 'send a digest: `{{hash lead.{1}}}`, or leave it out',
      },
    },
  },
  LR709: { severity: 'warning', title: 'backup post without a post' },
  // 9xx: internal errors (a bug in leadroute, not in the rule file), reported instead of thrown
  LR900: { severity: 'error', title: 'internal error in the checker' },
  LR901: { severity: 'error', title: 'internal error: the emitted plan is invalid' },
} as const satisfies Record<string, DiagnosticInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

type Table = typeof DIAGNOSTIC_CODES;

/** The codes whose entry has a message template, and the `CODE.variant` phrasings. */
type TemplatedCode = { [C in DiagnosticCode]: Table[C] extends { message: string } ? C : never }[DiagnosticCode];
type VariantId = {
  [C in DiagnosticCode]: Table[C] extends { variants: infer V } ? `${C}.${Extract<keyof V, string>}` : never;
}[DiagnosticCode];
export type MessageId = TemplatedCode | VariantId;

type TemplateOf<I extends MessageId> = I extends `${infer C extends DiagnosticCode}.${infer V}`
  ? Table[C] extends { variants: Record<V, infer T> } ? T : never
  : I extends DiagnosticCode ? Table[I] : never;

/** The placeholder numbers a template string uses. */
type Placeholders<S> = S extends `${string}{${infer N extends number}}${infer Rest}` ? N | Placeholders<Rest> : never;
type TemplatePlaceholders<T> = Placeholders<T extends { message: infer M } ? M : never> | Placeholders<T extends { help: infer H } ? H : never>;
/** A tuple with one argument per placeholder `{0}` … `{n}`. */
type ArgTuple<N, Acc extends DiagnosticArg[] = []> = [N] extends [never]
  ? Acc
  : Acc['length'] extends N ? ArgTuple<Exclude<N, Acc['length']>, [...Acc, DiagnosticArg]> : Acc;
export type DiagnosticArg = string | number;
export type MessageArgs<I extends MessageId> = ArgTuple<TemplatePlaceholders<TemplateOf<I>>>;

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  /** A concrete fix, e.g. "did you mean `credit_score`?". */
  suggestion?: string;
}

/** The template a message id names, and the code it reports under. */
export function messageTemplate(id: string): { code: DiagnosticCode; template: MessageTemplate } | undefined {
  const dot = id.indexOf('.');
  const code = (dot < 0 ? id : id.slice(0, dot)) as DiagnosticCode;
  const info: DiagnosticInfo | undefined = DIAGNOSTIC_CODES[code];
  if (!info) return undefined;
  if (dot >= 0) {
    const variant = info.variants?.[id.slice(dot + 1)];
    return variant ? { code, template: variant } : undefined;
  }
  return info.message === undefined ? undefined : { code, template: { message: info.message, ...(info.help ? { help: info.help } : {}) } };
}

/** Numbers are shown with thousands separators (`4,999`). */
const argText = (a: DiagnosticArg): string => (typeof a === 'number' ? a.toLocaleString('en-US') : a);

/** `{0}` … replaced by the arguments. */
export function fillTemplate(template: string, args: readonly DiagnosticArg[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => {
    const arg = args[Number(n)];
    return arg === undefined ? whole : argText(arg);
  });
}

/**
 * A diagnostic from the table: `diagnostic('LR200', span, 'credit_scor')`.
 * The older form, `diagnostic(code, span, message, help)`, still serves the
 * codes whose entry has no template yet.
 */
export function diagnostic<I extends MessageId>(id: I, span: Span, ...args: MessageArgs<I>): Diagnostic;
export function diagnostic(code: DiagnosticCode, span: Span, message: string, suggestion?: string): Diagnostic;
export function diagnostic(id: string, span: Span, ...rest: (DiagnosticArg | undefined)[]): Diagnostic {
  const found = messageTemplate(id);
  if (found) {
    const args = rest.filter((a): a is DiagnosticArg => a !== undefined);
    const { code, template } = found;
    const d: Diagnostic = { code, severity: DIAGNOSTIC_CODES[code].severity, message: fillTemplate(template.message, args), span };
    if (template.help !== undefined) d.suggestion = fillTemplate(template.help, args);
    return d;
  }
  const code = id as DiagnosticCode;
  const [message, suggestion] = rest;
  const d: Diagnostic = { code, severity: DIAGNOSTIC_CODES[code].severity, message: String(message ?? ''), span };
  if (suggestion !== undefined) d.suggestion = String(suggestion);
  return d;
}

/** The diagnostic with a suggestion the call site worked out (did you mean …), if it has one. */
export function suggest(d: Diagnostic, suggestion: string | undefined): Diagnostic {
  return suggestion === undefined ? d : { ...d, suggestion };
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
  return formatWithLines(d, source?.split(/\r?\n/), opts);
}

function formatWithLines(d: Diagnostic, sourceLines: readonly string[] | undefined, opts: FormatOptions): string {
  const color = opts.color ?? false;
  const red = ansi('31;1', color);
  const yellow = ansi('33;1', color);
  const bold = ansi('1', color);
  const cyan = ansi('36', color);
  const sev = d.severity === 'error' ? red(`error ${d.code}`) : yellow(`warning ${d.code}`);
  const lines = [`${bold(`${d.span.file}:${d.span.line}:${d.span.col}`)}: ${sev}: ${d.message}`];
  const text = sourceLines?.[d.span.line - 1];
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

/**
 * Render diagnostics in source order, at most MAX_DIAGNOSTICS_SHOWN of them; the
 * rest are counted on one last line:
 *
 *   … 99,900 more not shown: 99,890 errors, 10 warnings
 */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: Record<string, string>,
  opts: FormatOptions = {},
): string {
  const sorted = sortDiagnostics(diagnostics);
  const shown = sorted.slice(0, MAX_DIAGNOSTICS_SHOWN);
  // Each source is split into lines once, not once per diagnostic.
  const lines = new Map<string, readonly string[] | undefined>();
  const linesOf = (file: string) => {
    if (!lines.has(file)) lines.set(file, sources[file]?.split(/\r?\n/));
    return lines.get(file);
  };
  const parts = shown.map((d) => formatWithLines(d, linesOf(d.span.file), opts));
  const hidden = sorted.length - shown.length;
  if (hidden > 0) parts.push(notShownLine(sorted.slice(shown.length)));
  return parts.join('\n\n');
}

function notShownLine(hidden: readonly Diagnostic[]): string {
  const errors = hidden.filter((d) => d.severity === 'error').length;
  const warnings = hidden.length - errors;
  const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
  const tally = [errors > 0 ? count(errors, 'error') : '', warnings > 0 ? count(warnings, 'warning') : ''].filter(Boolean).join(', ');
  return `… ${hidden.length.toLocaleString('en-US')} more not shown: ${tally}`;
}

export { editDistance, closestName, didYouMean } from '../core/suggest.js';
