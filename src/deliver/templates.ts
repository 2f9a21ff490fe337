// Payload and pixel templates: Handlebars, compiled once per plan.
//
// Every template is compiled in its own Handlebars environment with
//   strict: true             a variable the context does not hold is an error,
//   knownHelpersOnly: true   only the helpers below exist (no user code),
//   no prototype access      (`lead.constructor` and friends read as nothing),
//   no partials, no decorators.
//
// Values are encoded for the template's format, whatever the braces: `{{x}}`
// and `{{{x}}}` both go through the format's encoder (JSON string content,
// XML escapes, percent-encoding for form bodies and pixel URLs; nothing for
// plain text). A helper's output already encoded for that format (json in a
// JSON template, xml in an XML one, url in a form body or pixel URL) is used
// as is, so `{{url x}}` in a pixel URL is not encoded twice. A JSON template
// must render valid JSON (write values with the json helper:
// `{"state": {{json lead.state}}}`), a pixel template an http(s) URL; the
// rendered output is checked.
//
// The helpers, with their docs and implementations, are one table in
// src/core/template-helpers.ts; the walk over a template's AST (which calls are
// helper calls, which paths are read from the root) is src/core/template-walk.ts,
// shared with the checker. `hash` is for pixels: no raw email in a URL; `default`
// is the one place strict mode lets a missing field through.
//
// The context: { lead, ping: {id}, post: {id}, sale: {price, buyer, exclusive}, now,
// secret: {NAME} }. In a ping template `lead` holds only the lead's non-PII
// fields (and zip3); `secret` holds the secrets the plan reads (src/deliver/secrets.ts),
// in ping and post templates only (never in a pixel's).
//
// A request header's value (`header "Name" "value"`) is a template of its own,
// in the format `header`: plain text, refused if it renders a line break.

// The template AST types are handlebars' global `hbs` namespace; the emitted
// .d.ts uses them but drops the import that declares them, so name it here.
/// <reference types="handlebars" preserve="true" />
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { AnyPlan, PlanHeader, PlanTemplate } from '../plan/index.js';
import {
  EncodedText,
  TEMPLATE_BLOCK_HELPERS,
  TEMPLATE_HELPER_DEFS,
  TEMPLATE_HELPER_NAMES,
  TEMPLATE_HELPERS,
  TEMPLATE_ROOTS,
  templateText,
  xmlEscape,
  type Encoding,
  type TemplateHost,
} from '../core/template-helpers.js';
import { walkTemplate } from '../core/template-walk.js';
import { isTemplatedUrl } from '../core/urls.js';
import { hasControlCharacter } from '../core/headers.js';

export type TemplateFormat = PlanTemplate['format'] | 'url' | 'header';

/** The documented helper set (src/core/template-helpers.ts). */
export { TEMPLATE_HELPERS, xmlEscape };

/** What a template is rendered with. */
export interface TemplateContext {
  lead: Record<string, unknown>;
  ping: { id: string };
  post: { id: string };
  sale: { price: number; buyer: string; exclusive: boolean };
  /** ISO 8601. */
  now: string;
  /** The secrets the plan reads, by name (ping and post templates only). */
  secret: Readonly<Record<string, string>>;
}

/** The root names a template may use. */
export const CONTEXT_ROOTS: readonly string[] = TEMPLATE_ROOTS;

/** A template problem with its position in the template source (1-based line and column). */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** The template's name (file path, "inline", or a plan key). */
    readonly template: string,
    readonly line: number,
    readonly col: number,
    /** parse: syntax; compile: unknown helper, partial...; render: missing variable...; output: invalid JSON or URL. */
    readonly kind: 'parse' | 'compile' | 'render' | 'output',
  ) {
    super(line > 0 ? `${template}:${line}:${col}: ${message}` : `${template}: ${message}`);
    this.name = 'TemplateError';
  }
}

// ---------------------------------------------------------------- encoding

const hb = Handlebars.create();
// Handlebars' own `log` would write lead data to the console: templates have
// only the vocabulary's helpers (the plan verifier refuses any other name too).
hb.unregisterHelper('log');

const HOST: TemplateHost = { sha256Hex: (text) => createHash('sha256').update(text).digest('hex') };

// Handlebars passes its options object last; the registry's implementations take the arguments alone.
for (const name of TEMPLATE_HELPER_NAMES) {
  const impl = TEMPLATE_HELPER_DEFS[name].impl as (args: readonly unknown[], host: TemplateHost) => unknown;
  hb.registerHelper(name, ((...a: unknown[]) => impl(a.slice(0, -1), HOST)) as Handlebars.HelperDelegate);
}

/** The output helpers the compiler wraps every mustache in, one a format. */
const OUT: Record<TemplateFormat, string> = { json: '__out_json', xml: '__out_xml', form: '__out_url', url: '__out_url', text: '__out_text', header: '__out_text' };

function outHelper(kind: Encoding | null, encode: (s: string) => string) {
  return (v: unknown) => {
    if (v instanceof EncodedText && v.kind === kind) return v.text;
    return kind === null ? templateText(v) : encode(templateText(v));
  };
}
hb.registerHelper('__out_json', outHelper('json', (s) => JSON.stringify(s).slice(1, -1)) as Handlebars.HelperDelegate);
hb.registerHelper('__out_xml', outHelper('xml', xmlEscape) as Handlebars.HelperDelegate);
hb.registerHelper('__out_url', outHelper('url', encodeURIComponent) as Handlebars.HelperDelegate);
hb.registerHelper('__out_text', outHelper(null, (s) => s) as Handlebars.HelperDelegate);

const KNOWN_HELPERS: Record<string, boolean> = {};
for (const h of [...TEMPLATE_HELPER_NAMES, ...TEMPLATE_BLOCK_HELPERS, ...Object.values(OUT)]) KNOWN_HELPERS[h] = true;

const COMPILE_OPTIONS = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: KNOWN_HELPERS,
  noEscape: true, // every value goes through an __out helper instead
} as const;

const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
} as const;

// ---------------------------------------------------------------- parsing

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;

interface Loc {
  line: number;
  col: number;
}

function parseErrorLocation(err: unknown): Loc {
  const e = err as { lineNumber?: number; column?: number };
  if (typeof e.lineNumber === 'number') return { line: e.lineNumber, col: (e.column ?? 0) + 1 };
  // Parse errors from the generated parser carry the position only in the
  // (shared, synchronous) lexer state; the message has the line too.
  const lexer = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line?: number; first_column?: number } } } }).Parser
    ?.lexer;
  const loc = lexer?.yylloc;
  if (loc && typeof loc.first_line === 'number') return { line: loc.first_line, col: (loc.first_column ?? 0) + 1 };
  const m = /line (\d+)/.exec(String((err as Error).message));
  return { line: m ? Number(m[1]) : 1, col: 1 };
}

function parseErrorMessage(err: unknown): string {
  const msg = String((err as Error).message ?? err);
  const lines = msg.split('\n');
  if (lines[0]!.startsWith('Parse error')) {
    const got = /got '([^']+)'/.exec(msg);
    const expecting = /Expecting (.*), got/.exec(msg);
    const want = expecting ? expecting[1]!.split(', ').map((s) => s.replace(/'/g, '')) : [];
    const nice = want.includes('CLOSE') ? 'expected `}}`' : want.length ? `expected ${want.slice(0, 4).join(', ')}` : '';
    return `template syntax error: unexpected ${got ? got[1] : 'input'}${nice ? `, ${nice}` : ''}`;
  }
  if (lines[0]!.startsWith('Lexical error')) return 'template syntax error: unrecognised text';
  return `template syntax error: ${lines[0]!.replace(/ - \d+:\d+$/, '')}`;
}

/** Parse a template; a syntax error becomes a TemplateError with its line and column. */
export function parseTemplate(source: string, name = 'inline'): Program {
  return parseRaw(source, name, true);
}

function parseRaw(source: string, name: string, processed: boolean): Program {
  try {
    // Handlebars.compile applies whitespace control itself to an AST it is given.
    return processed ? hb.parse(source) : hb.parseWithoutProcessing(source);
  } catch (err) {
    const { line, col } = parseErrorLocation(err);
    throw new TemplateError(parseErrorMessage(err), name, line, col, 'parse');
  }
}

function locOf(n: Node | undefined): Loc {
  const l = (n as { loc?: hbs.AST.SourceLocation } | undefined)?.loc;
  return l ? { line: l.start.line, col: l.start.column + 1 } : { line: 0, col: 0 };
}

function isPath(n: Node | undefined): n is hbs.AST.PathExpression {
  return n !== undefined && n.type === 'PathExpression';
}

// ---------------------------------------------------------------- variables

export interface TemplateVariable {
  /** Dotted path from the context root: "lead.zip", "sale.price". */
  path: string;
  /** 1-based position of the path in the template source. */
  line: number;
  col: number;
}

/**
 * The context variables a template reads, with positions, in source order: every
 * path evaluated against the root context (inside `each`/`with` blocks only
 * `@root.` paths are). Throws TemplateError on a syntax error.
 */
export function templateVariables(source: string, name = 'inline'): TemplateVariable[] {
  const ast = parseTemplate(source, name);
  const out: TemplateVariable[] = [];
  walkTemplate(ast, {
    path: (p, rooted, local) => {
      let parts = p.parts;
      if (p.data) {
        if (parts[0] !== 'root') return; // @index, @key, @first ...
        parts = parts.slice(1);
      } else if (!rooted || local || p.depth > 0) return;
      if (parts.length === 0) return; // `this`
      const { line, col } = locOf(p);
      out.push({ path: parts.join('.'), line, col });
    },
  });
  return out;
}

// ---------------------------------------------------------------- compiling

function outPath(helper: string, loc: hbs.AST.SourceLocation): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [helper], original: helper, loc } as hbs.AST.PathExpression;
}

/**
 * Rewrite the AST: every mustache `{{X …}}` becomes `{{{__out_fmt (X …)}}}`, and
 * path arguments get Handlebars' strict flag (a missing field is an error), except
 * the value `default` is there to default. Refuses partials and decorators.
 */
function rewrite(prog: Program, format: TemplateFormat, name: string): void {
  const helper = OUT[format];
  const strictParams = (callee: hbs.AST.Expression, params: hbs.AST.Expression[]) => {
    const fn = isPath(callee) ? callee.original : '';
    if ((TEMPLATE_BLOCK_HELPERS as readonly string[]).includes(fn)) return; // if/each/...: lenient, as Handlebars means them
    params.forEach((p, i) => {
      if (fn === 'default' && i === 0) return;
      if (p.type === 'PathExpression') (p as { strict?: boolean }).strict = true;
      else if (p.type === 'SubExpression') {
        const s = p as hbs.AST.SubExpression;
        strictParams(s.path, s.params);
      }
    });
  };
  walkTemplate(prog, {
    mustache: (st, helperCall) => {
      const m = st as hbs.AST.MustacheStatement & { escaped: boolean };
      let value: hbs.AST.Expression;
      if (helperCall) {
        strictParams(m.path, m.params);
        value = { type: 'SubExpression', path: m.path, params: m.params, hash: m.hash, loc: m.loc } as hbs.AST.SubExpression;
      } else {
        value = m.path;
        if (isPath(value)) (value as { strict?: boolean }).strict = true;
      }
      m.path = outPath(helper, m.loc);
      m.params = [value];
      m.hash = undefined as unknown as hbs.AST.Hash;
      m.escaped = false;
    },
    unsupported: (st, what) => {
      const { line, col } = locOf(st);
      throw new TemplateError(`${what}s are not supported in leadroute templates`, name, line, col, 'compile');
    },
  });
}

function compileError(err: unknown, name: string): TemplateError {
  if (err instanceof TemplateError) return err;
  const e = err as { message?: string; lineNumber?: number; column?: number };
  let msg = String(e.message ?? err).replace(/ - \d+:\d+$/, '');
  const unknown = /unknown helper (\S+)/.exec(msg);
  if (unknown) msg = `unknown helper \`${unknown[1]}\` (helpers: ${Object.keys(TEMPLATE_HELPERS).join(', ')})`;
  const { line, col } = typeof e.lineNumber === 'number' ? { line: e.lineNumber, col: (e.column ?? 0) + 1 } : { line: 0, col: 0 };
  return new TemplateError(msg, name, line, col, 'compile');
}

function renderError(err: unknown, name: string): TemplateError {
  if (err instanceof TemplateError) return err;
  const e = err as { message?: string; lineNumber?: number; column?: number };
  let msg = String(e.message ?? err).replace(/ - \d+:\d+$/, '');
  const missing = /^"([^"]+)" not defined in/.exec(msg);
  if (missing) msg = `\`${missing[1]}\` is not defined (a missing field: use {{default … ""}} or {{#if …}} for optional fields)`;
  const { line, col } = typeof e.lineNumber === 'number' ? { line: e.lineNumber, col: (e.column ?? 0) + 1 } : { line: 0, col: 0 };
  return new TemplateError(msg, name, line, col, 'render');
}

export interface CompiledTemplate {
  readonly name: string;
  readonly format: TemplateFormat;
  readonly source: string;
  /** Render; throws TemplateError (render: missing variable; output: invalid JSON or URL). */
  render(ctx: Partial<TemplateContext> & Record<string, unknown>): string;
}

/** Compile a template for a format. Throws TemplateError (parse or compile). */
export function compileTemplate(source: string, format: TemplateFormat, name = 'inline'): CompiledTemplate {
  const ast = parseRaw(source, name, false);
  rewrite(ast, format, name);
  let fn: Handlebars.TemplateDelegate;
  try {
    fn = hb.compile(ast as unknown as string, COMPILE_OPTIONS);
    // Handlebars compiles lazily: force it so unknown helpers surface now.
    try {
      fn({});
    } catch (err) {
      const m = String((err as Error).message);
      if (/knownHelpersOnly|unknown helper/i.test(m)) throw err;
    }
  } catch (err) {
    throw compileError(err, name);
  }
  const render = (ctx: Record<string, unknown>): string => {
    let out: string;
    try {
      out = fn(ctx, RUNTIME_OPTIONS);
    } catch (err) {
      throw renderError(err, name);
    }
    if (format === 'json') {
      try {
        JSON.parse(out);
      } catch (err) {
        // The parser's message quotes the output (lead values): keep only the position.
        const at = /position (\d+)/.exec(String((err as Error).message));
        throw new TemplateError(
          `did not render valid JSON${at ? ` (at character ${at[1]})` : ''}; write values with the json helper: {{json lead.field}}`,
          name,
          0,
          0,
          'output',
        );
      }
    } else if (format === 'url') {
      let u: URL | null = null;
      try {
        u = new URL(out);
      } catch {
        u = null;
      }
      if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
        throw new TemplateError('did not render an http(s) URL', name, 0, 0, 'output');
      }
    } else if (format === 'header' && hasControlCharacter(out)) {
      // Not the value: it may hold a secret or lead data.
      throw new TemplateError('rendered a line break or a control character into a header value', name, 0, 0, 'output');
    }
    return out;
  };
  return { name, format, source, render };
}

/**
 * Check a template without rendering it: syntax, partials, unknown helpers.
 * Null when it compiles.
 */
export function checkTemplate(source: string, format: TemplateFormat = 'text', name = 'inline'): TemplateError | null {
  try {
    compileTemplate(source, format, name);
    return null;
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
}

// ---------------------------------------------------------------- per plan

/** Keys a TemplateSet uses for a buyer's templates. */
export const templateKey = {
  ping: (buyer: string) => `${buyer}:ping`,
  post: (buyer: string) => `${buyer}:post`,
  backup: (buyer: string) => `${buyer}:backup`,
  pixel: (buyer: string, i: number) => `${buyer}:pixel:${i}`,
  /** The URL of a template's endpoint (`ping`, `post`, `backup`), when it holds `{{…}}`. */
  url: (key: string) => `${key}:url`,
  /** The value of an endpoint's `i`-th header, when it holds `{{…}}`. */
  header: (key: string, i: number) => `${key}:header:${i}`,
};


/** Every template of a plan, compiled once, by key (see templateKey). */
export class TemplateSet {
  private readonly map = new Map<string, CompiledTemplate>();

  private static readonly cache = new WeakMap<AnyPlan, TemplateSet>();

  /** The plan's templates (cached per plan object). Throws TemplateSetError listing every broken template. */
  static forPlan(plan: AnyPlan): TemplateSet {
    let set = TemplateSet.cache.get(plan);
    if (!set) {
      set = new TemplateSet(plan);
      TemplateSet.cache.set(plan, set);
    }
    return set;
  }

  constructor(plan?: AnyPlan) {
    if (!plan) return;
    const errors: TemplateError[] = [];
    const bySource = new Map<string, CompiledTemplate>();
    const add = (key: string, source: string, format: TemplateFormat, name: string) => {
      const k = format + '\u0000' + source;
      let t = bySource.get(k);
      if (!t) {
        try {
          t = compileTemplate(source, format, name);
        } catch (err) {
          if (err instanceof TemplateError) {
            errors.push(err);
            return;
          }
          throw err;
        }
        bySource.set(k, t);
      }
      this.map.set(key, t);
    };
    for (const b of plan.buyers) {
      if (b.ping?.template) add(templateKey.ping(b.name), b.ping.template.source, b.ping.template.format, b.ping.template.name);
      if (b.post?.template) add(templateKey.post(b.name), b.post.template.source, b.post.template.format, b.post.template.name);
      if (b.backupPost?.template) {
        add(templateKey.backup(b.name), b.backupPost.template.source, b.backupPost.template.format, b.backupPost.template.name);
      }
      (b.pixels ?? []).forEach((p, i) => add(templateKey.pixel(b.name, i), p.url, 'url', `${b.name} pixel ${i + 1}`));
      // Ping and post URLs with placeholders: values URL-encoded, as in a pixel URL.
      const urls: [string, string | undefined, string][] = [
        [templateKey.ping(b.name), b.ping?.url, 'ping URL'],
        [templateKey.post(b.name), b.post?.url, 'post URL'],
        [templateKey.backup(b.name), b.backupPost?.url, 'backup post URL'],
      ];
      for (const [key, url, what] of urls) if (url !== undefined && isTemplatedUrl(url)) add(templateKey.url(key), url, 'url', `${b.name} ${what}`);
      const headers: [string, PlanHeader[] | undefined, string][] = [
        [templateKey.ping(b.name), b.ping?.headers, 'ping'],
        [templateKey.post(b.name), b.post?.headers, 'post'],
        [templateKey.backup(b.name), b.backupPost?.headers, 'backup post'],
      ];
      for (const [key, list, what] of headers)
        (list ?? []).forEach((h, i) => isTemplatedUrl(h.value) && add(templateKey.header(key, i), h.value, 'header', `${b.name} ${what} header ${h.name}`));
    }
    if (errors.length > 0) throw new TemplateSetError(errors);
  }

  /** Add (or replace) a template under a key. */
  set(key: string, source: string, format: TemplateFormat, name = key): CompiledTemplate {
    const t = compileTemplate(source, format, name);
    this.map.set(key, t);
    return t;
  }

  get(key: string): CompiledTemplate | undefined {
    return this.map.get(key);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }
}

export class TemplateSetError extends Error {
  constructor(readonly errors: TemplateError[]) {
    super(`${errors.length} template${errors.length === 1 ? '' : 's'} failed to compile:\n${errors.map((e) => '  ' + e.message).join('\n')}`);
    this.name = 'TemplateSetError';
  }
}

/**
 * An endpoint's `header` options as the request sends them: names lower-cased
 * (so one of them replaces leadroute's own header of that name), values
 * rendered with the request's context when they hold `{{…}}`. Throws
 * TemplateError when one cannot render.
 */
export function renderHeaders(
  templates: TemplateSet,
  key: string,
  headers: readonly PlanHeader[] | undefined,
  context: () => Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  headers.forEach((h, i) => {
    if (!isTemplatedUrl(h.value)) {
      out[h.name.toLowerCase()] = h.value;
      return;
    }
    const t = templates.get(templateKey.header(key, i));
    if (!t) throw new TemplateError('header template was not compiled', `header ${h.name}`, 0, 0, 'compile');
    out[h.name.toLowerCase()] = t.render(context());
  });
  return out;
}

/** The Content-Type a rendered payload of this format is sent with. */
export function contentTypeOf(format: TemplateFormat): string {
  switch (format) {
    case 'json':
      return 'application/json';
    case 'xml':
      return 'application/xml; charset=utf-8';
    case 'form':
      return 'application/x-www-form-urlencoded';
    default:
      return 'text/plain; charset=utf-8';
  }
}
