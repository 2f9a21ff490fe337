// State shared by the checker's passes: the diagnostics found so far and the
// names in scope.

import type { BuyerDecl, RuleFile, Span } from '../lang/ast.js';
import { diagnostic, type Diagnostic, type MessageArgs, type MessageId } from '../lang/diagnostics.js';
import { Bindings } from './bindings.js';
import type { LeadField } from './types.js';

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Lead fields by name (the first declaration wins). */
  readonly fields = new Map<string, LeadField>();
  /** False when the lead schema is missing or unusable: unknown names are then
   *  not reported, since the real error is the schema's. */
  fieldsKnown = true;
  /** Declared buyer and flow names (first declaration wins). */
  readonly buyers = new Set<string>();
  readonly flows = new Set<string>();
  /** Each declared buyer's first declaration, by name. */
  readonly buyerDecls = new Map<string, BuyerDecl>();
  /** What every name denotes, bound once before the passes run (src/check/binder.ts); the passes read it instead of resolving again. */
  readonly bindings = new Bindings();

  constructor(readonly file: RuleFile) {}

  /** A diagnostic from the table: `ctx.report('LR200', span, name, didYouMean(name, known))`. */
  report<I extends MessageId>(id: I, span: Span | undefined, ...args: MessageArgs<I>): void;
  report(id: string, span: Span | undefined, ...args: (string | number | undefined)[]): void {
    this.diagnostics.push((diagnostic as (id: string, span: Span, ...args: (string | number | undefined)[]) => Diagnostic)(id, span ?? this.fileStart(), ...args));
  }

  /** A one-character span at the start of the file, for file-level diagnostics. */
  fileStart(): Span {
    const s = this.file?.span;
    const file = s?.file ?? this.file?.file ?? '<input>';
    return { file, line: 1, col: 1, endLine: 1, endCol: 2, start: 0, end: 1 };
  }
}

/** Whether a value is a well-formed span (parse recovery may leave gaps). */
export function isSpan(s: unknown): s is Span {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return typeof o.line === 'number' && typeof o.col === 'number' && typeof o.start === 'number';
}

/** The first `length` characters of a span: a keyword at the start of a clause. */
export function headSpan(span: Span, length: number): Span {
  if (!isSpan(span)) return span;
  const len = Math.max(0, Math.min(length, span.end - span.start));
  if (len === 0) return span;
  return { ...span, endLine: span.line, endCol: span.col + len, end: span.start + len };
}

/** The last `length` characters of a one-line span: a number ending a clause. */
export function tailSpan(span: Span, length: number): Span {
  if (!isSpan(span) || span.line !== span.endLine) return span;
  const len = Math.max(0, Math.min(length, span.end - span.start));
  if (len === 0) return span;
  return { ...span, line: span.endLine, col: span.endCol - len, start: span.end - len };
}

/** "line 3", for messages that point back at another declaration. */
export function lineOf(span: Span | undefined): string {
  return isSpan(span) ? `line ${span.line}` : 'an earlier line';
}

export function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** "a, b and c" */
export function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
