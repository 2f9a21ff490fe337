// Secrets: `{{secret.NAME}}` in a ping's or post's URL, headers and body.
//
// A rule file names a secret; it never holds one. The value comes from a
// secret source the Seller is given (the embedder's own lookup, or an
// environment: the CLI passes process.env), read once, when the Seller is
// made, for exactly the names the plan's templates read. A name that is not
// set (or set to nothing) is an error then, naming the buyer and the
// variable, not a request sent without its credential later.
//
// Once resolved, every value is redacted (replaced by `[secret NAME]`)
// wherever text leaves the selling side or is kept: journal rows, bid and
// delivery records, decisions, error messages, including the words of a
// buyer that echoes the key back. `Secrets.redact` is the one function that
// does it; the Seller applies it once at each boundary: where answers come in
// (the HTTP client), and where text goes out (journal, records, errors). The value
// is matched as written and as it would be escaped in the payload formats
// (JSON string, URL and form encoding, XML), so an echo through any of them
// is caught too.

import { SECRET_NAME, SECRET_ROOT, xmlEscape } from '../core/template-helpers.js';
import type { AnyPlan, PlanBuyer } from '../plan/index.js';
import { templateVariables } from './templates.js';

/** Where secret values come from: an environment (`process.env`), or a lookup of the embedder's. */
export type SecretSource = Readonly<Record<string, string | undefined>> | ((name: string) => string | undefined);

/** A secret a buyer's templates read. */
export interface SecretUse {
  buyer: string;
  name: string;
}

/** Every template of a buyer that may read a secret: ping and post URLs, headers and bodies. */
function secretTemplates(b: PlanBuyer): string[] {
  const out: string[] = [];
  for (const spec of [b.ping, b.post, b.backupPost]) {
    if (!spec) continue;
    out.push(spec.url);
    for (const h of spec.headers ?? []) out.push(h.value);
    if (spec.template) out.push(spec.template.source);
  }
  return out.filter((t) => t.includes('{{'));
}

/** The secrets a plan reads, each with the buyers reading it, in plan order. */
export function secretsUsed(plan: AnyPlan): SecretUse[] {
  const uses: SecretUse[] = [];
  const seen = new Set<string>();
  for (const b of plan.buyers) {
    for (const source of secretTemplates(b)) {
      let paths: string[];
      try {
        paths = templateVariables(source).map((v) => v.path);
      } catch {
        continue; // a template that does not parse fails when the plan's templates are compiled
      }
      for (const path of paths) {
        const [root, name, ...rest] = path.split('.');
        if (root !== SECRET_ROOT || name === undefined || rest.length > 0 || !SECRET_NAME.test(name)) continue;
        const key = `${b.name}\u0000${name}`;
        if (!seen.has(key)) seen.add(key), uses.push({ buyer: b.name, name });
      }
    }
  }
  return uses;
}

/** Secrets the plan reads that the source does not hold. */
export class MissingSecretError extends Error {
  constructor(readonly missing: readonly SecretUse[]) {
    super(
      missing
        .map((m) => `buyer \`${m.buyer}\` reads {{secret.${m.name}}}, but the environment variable ${m.name} is not set`)
        .join('; '),
    );
    this.name = 'MissingSecretError';
  }
}

const lookup = (source: SecretSource, name: string): string | undefined =>
  typeof source === 'function' ? source(name) : Object.prototype.hasOwnProperty.call(source, name) ? source[name] : undefined;

/** How a value may appear in text that leaves: as written and as each payload format escapes it. */
function writtenForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), xmlEscape(value)];
  return [...new Set(forms)].filter((f) => f !== '');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The resolved secrets of one Seller: their values for the templates, and the redaction of them. */
export class Secrets {
  /** By name, for the templates' `secret` context. */
  readonly values: Readonly<Record<string, string>>;
  private readonly pattern: RegExp | null;
  private readonly nameOf: Map<string, string>;

  private constructor(values: Record<string, string>) {
    this.values = Object.freeze(values);
    this.nameOf = new Map();
    for (const [name, value] of Object.entries(values)) for (const form of writtenForms(value)) if (!this.nameOf.has(form)) this.nameOf.set(form, name);
    // Longest first, so a value that holds another is replaced whole.
    const forms = [...this.nameOf.keys()].sort((a, b) => b.length - a.length);
    this.pattern = forms.length > 0 ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : null;
  }

  /** No secrets: nothing to send, nothing to redact. */
  static readonly none = new Secrets({});

  /** True when the plan reads no secret. */
  get isEmpty(): boolean {
    return this.pattern === null;
  }

  /** Read the secrets the plan reads from the source, once. Throws MissingSecretError naming every buyer and variable not set. */
  static resolve(plan: AnyPlan, source: SecretSource): Secrets {
    const uses = secretsUsed(plan);
    if (uses.length === 0) return Secrets.none;
    const values: Record<string, string> = {};
    const missing: SecretUse[] = [];
    for (const use of uses) {
      const value = lookup(source, use.name);
      if (typeof value === 'string' && value !== '') values[use.name] = value;
      else missing.push(use);
    }
    if (missing.length > 0) throw new MissingSecretError(missing);
    return new Secrets(values);
  }

  /** The text with every secret value (in any of its written forms) replaced by `[secret NAME]`. */
  redact(text: string): string {
    if (this.pattern === null || text === '') return text;
    return text.replace(this.pattern, (found) => `[secret ${this.nameOf.get(found)}]`);
  }

  /**
   * Redact every string in a record, in place (plain objects and arrays, any
   * depth), and return it: a Sale, a delivery or pixel record, an attempt.
   */
  redactDeep<T>(value: T): T {
    if (this.pattern === null) return value;
    const seen = new Set<object>();
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.redact(v);
      // A frozen object is the plan's or the router's own, never text a buyer wrote.
      if (v === null || typeof v !== 'object' || seen.has(v) || Object.isFrozen(v)) return v;
      seen.add(v);
      // Written only where a string changed: a frozen part with nothing to redact is left alone.
      const obj = v as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const next = walk(obj[k]);
        if (next !== obj[k]) obj[k] = next;
      }
      return v;
    };
    return walk(value) as T;
  }
}
