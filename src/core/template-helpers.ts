// The vocabulary of payload and pixel templates (Handlebars), one entry per
// helper: its arity, its doc and its implementation. The checker
// (src/check/templates.ts) knows a template's helpers from this table and the
// renderer (src/deliver/templates.ts) registers exactly these implementations,
// so the two cannot disagree about which helpers exist.
//
// Like the builtins (src/core/builtins.ts), the one implementation that needs a
// platform service (`hash`: SHA-256) receives it from the caller, so core
// imports nothing from Node.

/** Output already encoded for one format: the renderer writes it as it is in that format. */
export type Encoding = 'json' | 'xml' | 'url';

/** A helper's output that is already encoded (`{{url x}}` in a pixel URL is not encoded twice). */
export class EncodedText {
  constructor(
    readonly kind: Encoding,
    readonly text: string,
  ) {}

  toString(): string {
    return this.text;
  }
}

/** What the renderer lends the helpers. */
export interface TemplateHost {
  sha256Hex(text: string): string;
}

export interface TemplateHelperDef {
  /** How many arguments it takes (Handlebars' trailing options object not counted). */
  arity: { min: number; max: number };
  doc: string;
  impl: (args: readonly unknown[], host: TemplateHost) => unknown;
}

/** A value as text: missing is empty, lists comma-joined, objects as JSON. */
export function templateText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof EncodedText) return v.text;
  if (Array.isArray(v)) return v.map(templateText).join(',');
  return JSON.stringify(v) ?? '';
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function toTime(v: unknown): number | null {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function formatDate(v: unknown, fmt: unknown): string {
  const t = toTime(v);
  if (t === null) return '';
  switch (fmt ?? 'iso') {
    case 'date':
      return new Date(t).toISOString().slice(0, 10);
    case 'unix':
      return String(Math.floor(t / 1000));
    case 'ms':
      return String(t);
    default:
      return new Date(t).toISOString();
  }
}

const one = { min: 1, max: 1 };

export const TEMPLATE_HELPER_DEFS = {
  url: {
    arity: one,
    doc: 'percent-encode a value (encodeURIComponent)',
    impl: ([v]) => new EncodedText('url', encodeURIComponent(templateText(v))),
  },
  json: {
    arity: one,
    doc: 'the value as JSON (strings quoted; null when missing)',
    impl: ([v]) => new EncodedText('json', JSON.stringify(v === undefined ? null : v instanceof EncodedText ? v.text : v) ?? 'null'),
  },
  xml: {
    arity: one,
    doc: 'XML-escape a value',
    impl: ([v]) => new EncodedText('xml', xmlEscape(templateText(v))),
  },
  money: {
    arity: one,
    doc: 'a number with two decimals: 45 → "45.00"',
    impl: ([v]) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? n.toFixed(2) : '';
    },
  },
  date: {
    arity: { min: 1, max: 2 },
    doc: 'a time as "iso" (default), "date" (YYYY-MM-DD), "unix" (seconds) or "ms"',
    impl: ([v, fmt]) => formatDate(v, fmt),
  },
  hash: {
    arity: one,
    doc: 'SHA-256 (hex) of the trimmed, lower-cased value',
    impl: ([v], host) => host.sha256Hex(templateText(v).trim().toLowerCase()),
  },
  lower: { arity: one, doc: 'lower-case a string', impl: ([v]) => templateText(v).toLowerCase() },
  upper: { arity: one, doc: 'upper-case a string', impl: ([v]) => templateText(v).toUpperCase() },
  default: {
    arity: { min: 2, max: 2 },
    doc: 'the value, or the second argument when the value is missing',
    impl: ([v, d]) => (v === undefined || v === null || v === '' ? d : v),
  },
} as const satisfies Record<string, TemplateHelperDef>;

export type TemplateHelperName = keyof typeof TEMPLATE_HELPER_DEFS;

/** The helper whose output is a digest: personal data may go to a pixel only through it. */
export const HASH_HELPER: TemplateHelperName = 'hash';

/** What a template is sent as. */
export type TemplateUseKind = 'ping' | 'post' | 'pixel';

/**
 * Where personal data may go, decided once for the checker (LR708) and the
 * plan verifier: never in a ping (a buyer that has not bought the lead), in a
 * pixel only as a digest (pixels go to third-party trackers), in a post freely
 * (the buyer bought the lead).
 */
export function personalDataAllowed(use: TemplateUseKind, hashed: boolean): boolean {
  switch (use) {
    case 'ping':
      return false;
    case 'pixel':
      return hashed;
    case 'post':
      return true;
    default:
      return use satisfies never;
  }
}

export const TEMPLATE_HELPER_NAMES: readonly TemplateHelperName[] = Object.keys(TEMPLATE_HELPER_DEFS) as TemplateHelperName[];

export function isTemplateHelper(name: string): name is TemplateHelperName {
  return Object.prototype.hasOwnProperty.call(TEMPLATE_HELPER_DEFS, name);
}

/** The documented helper set (name → what it does). */
export const TEMPLATE_HELPERS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(TEMPLATE_HELPER_NAMES.map((n) => [n, TEMPLATE_HELPER_DEFS[n].doc])),
);

/** Handlebars built-ins that stay available (block helpers for conditionals and lists). */
export const TEMPLATE_BLOCK_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'] as const;

/** Whether a name is a block built-in. */
export function isBlockHelper(name: string): boolean {
  return (TEMPLATE_BLOCK_HELPERS as readonly string[]).includes(name);
}

/** The block helpers whose body keeps the caller's context (`each`/`with` change it). */
export const CONTEXT_KEEPING_HELPERS: readonly string[] = ['if', 'unless'];

/** The root names a template may use: { lead, ping: {id}, post: {id}, sale: {…}, now, secret: {NAME} }. */
export const TEMPLATE_ROOTS: readonly string[] = ['lead', 'ping', 'post', 'sale', 'now', 'secret'];

/** The root under which a ping or post template reads a secret: `{{secret.SOLARCO_TOKEN}}`. */
export const SECRET_ROOT = 'secret';

/** A secret's name: an environment variable's (upper case, digits, `_`). */
export const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Where a secret may go: in what a ping or a post sends the buyer (its URL's
 * path and query, its headers, its body), never in a pixel (third-party
 * trackers). Read by the checker (LR713) and the plan verifier.
 */
export function secretsAllowed(use: TemplateUseKind): boolean {
  switch (use) {
    case 'ping':
    case 'post':
      return true;
    case 'pixel':
      return false;
    default:
      return use satisfies never;
  }
}

/** What a template may read below each root besides `lead.*`. */
export const TEMPLATE_VALUES: Readonly<Record<'sale' | 'ping' | 'post', readonly string[]>> = {
  sale: ['price', 'buyer', 'exclusive'],
  ping: ['id'],
  post: ['id'],
};
