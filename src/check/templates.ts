// Handlebars templates: ping and post payloads (`json "templates/x.hbs"`)
// and pixel URLs (inline). Each is parsed with Handlebars itself, so what
// passes here compiles at run time; a syntax error is reported at the
// template's path in the rule file, naming the template's own line:col. Every
// variable a template reads is checked against what exists where it is
// rendered (`lead.*` against the lead schema), every helper against the fixed
// set, a ping template may not read a pii field, and a secret
// (`{{secret.NAME}}`) goes only where secretsAllowed says.

import Handlebars from 'handlebars';
import type { Span, StringLit, TemplateRef } from '../lang/ast.js';
import { closestName, didYouMean, type MessageArgs, type MessageId } from '../lang/diagnostics.js';
import {
  personalDataAllowed,
  SECRET_NAME,
  SECRET_ROOT,
  secretsAllowed,
  TEMPLATE_BLOCK_HELPERS,
  TEMPLATE_HELPER_NAMES,
  TEMPLATE_VALUES,
  type TemplateUseKind,
} from '../core/template-helpers.js';
import { parseTemplateForReading } from '../core/template-parse.js';
import { walkTemplate } from '../core/template-walk.js';
import { isTemplatedUrl } from '../core/urls.js';
import { type CheckContext, isSpan, listText } from './context.js';
import { fileRefusal, readNamedFile, type FileProblem } from './files.js';
import type { SchemaOptions } from './schema.js';

/** Every helper name a template may call, for "did you mean" and the list of helpers. */
const ALL_HELPERS: readonly string[] = [...TEMPLATE_HELPER_NAMES, ...TEMPLATE_BLOCK_HELPERS];

/** Where a template is rendered, which decides what it may read. */
export interface TemplateUse {
  kind: TemplateUseKind;
  /** The buyer has a `ping` (so `ping.*` exists after it) / a `post`. */
  hasPing: boolean;
  hasPost: boolean;
  /** In a post: the names the buyer's `bid` carries (`ping.bid_id`). */
  carried?: readonly string[];
}

/** A diagnostic about one reference in a template, at that reference. */
type RefReport = <I extends MessageId>(id: I, r: Ref, ...args: MessageArgs<I>) => void;

interface Parsed {
  ast?: hbs.AST.Program;
  error?: { message: string; line: number; col: number; hint?: string };
}

/** One place in a template: line and 0-based column, as Handlebars gives them. */
interface Loc {
  line: number;
  column: number;
}

interface Ref {
  kind: 'var' | 'helper' | 'partial';
  /** The text as written: `lead.email`, `json`. */
  text: string;
  parts: string[];
  data: boolean;
  depth: number;
  /** Read inside a `hash` call: what reaches the output is its digest. */
  hashed?: boolean;
  start: Loc;
  end: Loc;
}

// ---------------------------------------------------------------- parsing

const TOKEN_TEXT: Record<string, string> = {
  CLOSE: '`}}`',
  CLOSE_UNESCAPED: '`}}}`',
  OPEN_ENDBLOCK: '`{{/…}}`',
  ID: 'a name',
};
/** The expected tokens worth naming, most helpful first. */
const EXPECTED_ORDER = ['CLOSE', 'CLOSE_UNESCAPED', 'OPEN_ENDBLOCK', 'ID'];

/** Parse a template; never throws. The AST may be shared (core/template-parse.ts): it is only read. */
export function parseTemplate(source: string): Parsed {
  const parsed = parseTemplateForReading(source);
  return parsed.ast !== undefined ? { ast: parsed.ast } : { error: describeParseError(source, parsed.error) };
}

function describeParseError(source: string, e: unknown): { message: string; line: number; col: number; hint?: string } {
  const err = e as { message?: unknown; lineNumber?: unknown; column?: unknown };
  const raw = typeof err?.message === 'string' ? err.message : String(e);
  // A Handlebars exception (mismatched block) carries its position.
  if (typeof err?.lineNumber === 'number' && typeof err.column === 'number') {
    return { message: raw.replace(/ - \d+:\d+$/, ''), line: err.lineNumber, col: err.column + 1 };
  }
  // A grammar error: parse again with a parser whose error hook keeps the
  // offending token's location (the shared parser is left as it is).
  let hash: { token?: unknown; text?: unknown; loc?: { first_line?: unknown; first_column?: unknown }; expected?: unknown } | undefined;
  try {
    const shared = (Handlebars as unknown as { Parser?: object }).Parser;
    if (!shared) throw new Error('no parser');
    const p = Object.create(shared) as { parse(s: string): unknown; parseError: unknown };
    p.parseError = (str: string, h: typeof hash) => {
      hash = h;
      throw new Error(str);
    };
    p.parse(source);
  } catch {
    // expected
  }
  const lineMatch = /on line (\d+)/.exec(raw);
  let line = lineMatch ? Number(lineMatch[1]) : 1;
  let col = 1;
  if (hash?.loc && typeof hash.loc.first_line === 'number' && typeof hash.loc.first_column === 'number') {
    line = hash.loc.first_line;
    col = hash.loc.first_column + 1;
  }
  let message = raw.split('\n')[0]!.replace(/:$/, '');
  let hint: string | undefined;
  if (hash && typeof hash.token === 'string') {
    const expected = Array.isArray(hash.expected) ? hash.expected.map((x) => String(x).replace(/'/g, '')) : [];
    const wanted = EXPECTED_ORDER.filter((t) => expected.includes(t))
      .slice(0, 2)
      .map((t) => TOKEN_TEXT[t]!);
    const tail = wanted.length > 0 ? ` (expected ${wanted.join(' or ')})` : '';
    if (hash.token === 'EOF') message = `the template ends too soon${tail}`;
    else {
      const text = typeof hash.text === 'string' && hash.text !== '' ? hash.text : hash.token;
      message = `unexpected \`${text}\`${tail}`;
      // Handlebars' lexer reports the location before the offending token
      // has been read; find the token itself on that line.
      const lineText = source.split(/\r?\n/)[line - 1];
      const i = lineText === undefined ? -1 : lineText.indexOf(text, col - 1);
      if (i >= 0) col = i + 1;
      if (text === '}}}' && expected.includes('CLOSE'))
        hint = '`}}}` closes a `{{{…}}}`; to follow `}}` with a `}`, put a space between them';
    }
  }
  return hint === undefined ? { message, line, col } : { message, line, col, hint };
}

// ---------------------------------------------------------------- walking

type Node = { type?: string; [k: string]: unknown };

function locOf(n: Node): { start: Loc; end: Loc } {
  const loc = n.loc as { start?: Loc; end?: Loc } | undefined;
  const start = loc?.start && typeof loc.start.line === 'number' ? loc.start : { line: 1, column: 0 };
  const end = loc?.end && typeof loc.end.line === 'number' ? loc.end : start;
  return { start, end };
}

function pathRef(n: Node, kind: Ref['kind']): Ref {
  const { start, end } = locOf(n);
  return {
    kind,
    text: typeof n.original === 'string' ? n.original : '?',
    parts: Array.isArray(n.parts) ? n.parts.map(String) : [],
    data: n.data === true,
    depth: typeof n.depth === 'number' ? n.depth : 0,
    start,
    end,
  };
}

/** A partial or decorator, as a reference the checker reports. */
function unsupportedRef(st: Node, what: 'partial' | 'decorator'): Ref {
  const { start, end } = locOf(st);
  const name = st.name as Node | undefined;
  return {
    kind: 'partial',
    text: `${what} ${typeof name?.original === 'string' ? name.original : '?'}`,
    parts: [],
    data: false,
    depth: 0,
    start,
    end,
  };
}

/** The most nodes of one template the checker looks at. */
const MAX_TEMPLATE_NODES = 100_000;

/**
 * Every helper, partial and context variable a template uses, in source
 * order (src/core/template-walk.ts decides which paths are read from the root
 * context). `@index` and friends are kept where they cannot be set, to report.
 */
export function templateRefs(ast: hbs.AST.Program): Ref[] {
  const out: Ref[] = [];
  walkTemplate(
    ast,
    {
      path: (p, rooted, local, hashed) => {
        const r = pathRef(p as unknown as Node, 'var');
        if (hashed) r.hashed = true;
        if (r.data && r.parts[0] !== 'root') {
          if (rooted) out.push(r); // @index and friends exist only inside `each`
        } else if (r.data || (rooted && !local)) out.push(r);
      },
      helper: (p) => out.push(pathRef(p as unknown as Node, 'helper')),
      unsupported: (st, what) => out.push(unsupportedRef(st as unknown as Node, what)),
    },
    MAX_TEMPLATE_NODES,
  );
  return out;
}

// ---------------------------------------------------------------- checking

/** The field `zip3` is derived from, as the runtime picks it: the first field
 *  of type zip, else one named `zip`. */
export function zipSource(ctx: CheckContext): string | undefined {
  for (const f of ctx.fields.values()) if (f.type.kind === 'zip') return f.name;
  return ctx.fields.has('zip') ? 'zip' : undefined;
}

export class TemplateChecker {
  private readonly cache = new Map<string, { source?: string; parsed?: Parsed; problem?: FileProblem }>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly options: SchemaOptions,
  ) {}

  /** A template file: read it, parse it, check what it reads. */
  file(ref: TemplateRef | undefined, use: TemplateUse): void {
    if (!ref || typeof ref !== 'object') return;
    const lit = ref.path;
    const span = isSpan(lit?.span) ? lit.span : isSpan(ref.span) ? ref.span : this.ctx.fileStart();
    const rel = lit?.value;
    if (typeof rel !== 'string' || rel.trim() === '') {
      this.ctx.report('LR704', span);
      return;
    }
    const entry = this.load(rel);
    if (entry.source === undefined) {
      const refusal = fileRefusal(entry.problem ?? 'missing', 'the template', rel, span);
      if (refusal) this.ctx.diagnostics.push(refusal);
      else this.ctx.report('LR704.unreadable', span, rel);
      return;
    }
    const parsed = entry.parsed!;
    const name = `the template \`${rel}\``;
    if (parsed.error) {
      const { message, line, col, hint } = parsed.error;
      this.ctx.report('LR705', span, name, String(line), String(col), message, hint);
      return;
    }
    if (parsed.ast) this.refs(templateRefs(parsed.ast), use, { name, at: (r) => ` (at ${r.start.line}:${r.start.column + 1})`, span: () => span });
  }

  /** An inline template: a pixel URL. Positions map into the string when it
   *  has no escapes. */
  inline(lit: StringLit | undefined, use: TemplateUse, what: string): void {
    if (!lit || typeof lit.value !== 'string' || !isTemplatedUrl(lit.value)) return;
    const whole = isSpan(lit.span) ? lit.span : this.ctx.fileStart();
    const parsed = parseTemplate(lit.value);
    const exact =
      isSpan(lit.span) && lit.span.line === lit.span.endLine && lit.span.end - lit.span.start === lit.value.length + 2 && !lit.value.includes('\n');
    const sub = (startCol: number, endCol: number): Span => {
      if (!exact) return whole;
      const from = Math.max(0, Math.min(lit.value.length, startCol));
      const to = Math.max(from + 1, Math.min(lit.value.length, endCol));
      return {
        ...whole,
        col: whole.col + 1 + from,
        endCol: whole.col + 1 + to,
        start: whole.start + 1 + from,
        end: whole.start + 1 + to,
        endLine: whole.line,
      };
    };
    if (parsed.error) {
      const { message, line, col, hint } = parsed.error;
      this.ctx.report('LR705.inline', line === 1 ? sub(col - 1, col) : whole, what, String(col), message, hint);
      return;
    }
    if (parsed.ast)
      this.refs(templateRefs(parsed.ast), use, {
        name: what,
        at: () => '',
        span: (r) => (r.start.line === 1 && r.end.line === 1 ? sub(r.start.column, r.end.column) : whole),
      });
  }

  private load(rel: string): { source?: string; parsed?: Parsed; problem?: FileProblem } {
    let entry = this.cache.get(rel);
    if (entry) return entry;
    const read = readNamedFile(this.options, this.ctx.file?.file, rel);
    entry = 'problem' in read ? { problem: read.problem } : { source: read.text, parsed: parseTemplate(read.text) };
    this.cache.set(rel, entry);
    return entry;
  }

  private refs(
    refs: Ref[],
    use: TemplateUse,
    where: { name: string; at: (r: Ref) => string; span: (r: Ref) => Span },
  ): void {
    const report: RefReport = (id, r, ...args) => this.ctx.report(id, where.span(r), ...args);
    for (const r of refs) {
      const at = where.at(r);
      if (r.kind === 'partial') {
        report('LR707', r, where.name, r.text.replace(/^(\w+) (.*)$/, '$1 `$2`'), at);
        continue;
      }
      if (r.kind === 'helper') {
        const name = r.text;
        const known = ALL_HELPERS.includes(name);
        if (known && r.parts.length === 1 && !r.data) continue;
        const best = didYouMean(name, ALL_HELPERS);
        if (best !== undefined) report('LR707.unknownHelper', r, where.name, name, at, best);
        else report('LR707.unknownHelperList', r, where.name, name, at, listText(ALL_HELPERS.map((h) => `\`${h}\``)));
        continue;
      }
      this.variable(r, use, where.name, at, report);
    }
  }

  private variable(
    r: Ref,
    use: TemplateUse,
    name: string,
    at: string,
    report: RefReport,
  ): void {
    let parts = r.parts;
    if (r.data) {
      if (parts[0] === 'root') parts = parts.slice(1);
      else {
        report('LR706', r, name, r.text, at);
        return;
      }
    }
    if (r.depth > 0) {
      report('LR706.outerContext', r, name, r.text, at);
      return;
    }
    const roots = [
      'lead',
      'now',
      ...(use.kind === 'ping' ? [] : ['sale']),
      ...(use.kind !== 'ping' && use.hasPing ? ['ping'] : []),
      ...(use.kind === 'pixel' && use.hasPost ? ['post'] : []),
      ...(secretsAllowed(use.kind) ? [SECRET_ROOT] : []),
    ];
    const head = parts[0];
    if (head === SECRET_ROOT) {
      // `secret.NAME` only, so the names a plan reads are known before it runs.
      if (!secretsAllowed(use.kind)) report('LR713', r, name, r.text, at);
      else if (parts.length !== 2 || !SECRET_NAME.test(parts[1]!)) report('LR713.name', r, name, r.text, at);
      return;
    }
    if (head === undefined || head === 'lead') {
      // The whole lead (`{{json lead}}`): in a ping, the runtime hands the
      // template only the non-pii fields, so nothing personal can leave.
      const key = head === undefined ? undefined : parts[1];
      if (key === undefined) return;
      const field = this.ctx.fields.get(key);
      if (!field) {
        if (!this.ctx.fieldsKnown) return;
        if (key === 'zip3' && zipSource(this.ctx) !== undefined) {
          if (use.kind !== 'ping')
            report('LR706.zip3', r, name, at, String(zipSource(this.ctx)));
          return;
        }
        const best = closestName(key, this.ctx.fields.keys());
        report('LR706.noLeadField', r, name, key, at, best);
        return;
      }
      // Pings carry no personal data; pixels (third-party trackers) only a digest of it.
      const allowed = !field.pii || personalDataAllowed(use.kind, r.hashed === true);
      if (!allowed && use.kind === 'ping') report('LR708', r, name, key, at);
      if (!allowed && use.kind === 'pixel') report('LR708.pixel', r, name, key, at);
      return;
    }
    if (head === 'now') {
      if (parts.length > 1) report('LR706.nowParts', r, name, r.text, at);
      return;
    }
    if (head === 'sale' || head === 'ping' || head === 'post') {
      if (!roots.includes(head)) {
        const why =
          use.kind === 'ping'
            ? 'a ping is sent before any sale'
            : head === 'ping'
              ? 'this buyer has no `ping`'
              : head === 'post'
                ? use.kind === 'pixel'
                  ? 'this buyer has no `post`'
                  : "a post's own reply is not known while it is being written"
                : 'it is not set here';
        report('LR706.notSetBecause', r, name, r.text, at, why);
        return;
      }
      const keys = head === 'ping' && use.kind === 'post' && use.carried ? [...TEMPLATE_VALUES.ping, ...use.carried] : TEMPLATE_VALUES[head];
      const key = parts[1];
      if (key === undefined || !keys.includes(key) || parts.length > 2) {
        const best = key === undefined ? undefined : closestName(key, keys);
        report('LR706.notSetKeys', r, name, r.text, at, head, listText(keys.map((k) => `\`${head}.${k}\``)), best);
      }
      return;
    }
    const field = this.ctx.fields.get(head);
    const best = field ? undefined : closestName(head, roots);
    if (field) report('LR706.leadFieldRoot', r, name, r.text, at, head);
    else if (best !== undefined) report('LR706.rootDidYouMean', r, name, r.text, at, best);
    else report('LR706.roots', r, name, r.text, at, listText(roots.map((x) => `\`${x}\``)));
  }
}
