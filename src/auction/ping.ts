// Building a ping: only the lead's non-PII fields leave. Either the buyer's ping
// template, rendered with a lead that holds only the non-PII fields (and the
// derived zip3), or a JSON object of the ping's `fields` (null: every non-PII
// field) plus `ping_id`. PII fields named in `fields` are dropped (the checker
// rejects such a plan; this is for plans that skipped it). The PII guard
// (pii.ts) then searches the result before it is sent.

import type { FieldType, PlanBuyer, PlanField, PlanPing } from '../plan/index.js';
import { isTemplatedUrl } from '../core/urls.js';
import { contentTypeOf, renderHeaders, templateKey, TemplateError, type TemplateSet } from '../deliver/templates.js';

export { DEFAULT_AUCTION_TIMEOUT_MS, DEFAULT_PING_TIMEOUT_MS } from '../plan/index.js';

export interface PingPayload {
  url: string;
  body: string;
  contentType: string;
  /** The ping's `header` options, names lower-cased, values rendered (empty when it has none). */
  headers: Record<string, string>;
  /** PII fields the ping's field list named and that were left out (shared; do not modify). */
  dropped: readonly string[];
}

function zip3Of(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const m = /^\s*(\d{3})/.exec(v);
    return m ? m[1] : undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v).padStart(5, '0').slice(0, 3);
  return undefined;
}

function isZip(t: FieldType): boolean {
  return t.kind === 'zip';
}

/** The zip field zip3 is derived from: the first field of type zip, else one named `zip`. */
export function zipFieldOf(fields: PlanField[]): PlanField | undefined {
  return fields.find((f) => isZip(f.type)) ?? fields.find((f) => f.name === 'zip');
}

/** The lead as a ping may see it: declared non-PII fields, plus zip3. */
export function publicLead(fields: PlanField[], lead: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.pii) continue;
    const v = lead[f.name];
    if (v !== undefined && v !== null) out[f.name] = v;
  }
  if (out.zip3 === undefined && !fields.some((f) => f.name === 'zip3')) {
    const z = zipFieldOf(fields);
    const v = z ? zip3Of(lead[z.name]) : undefined;
    if (v !== undefined) out.zip3 = v;
  }
  return out;
}

/** The headers of a ping without `header` options (shared; do not modify). */
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A field-list ping's resolved names: what is sent and what is left out. */
interface FieldPlan {
  names: string[];
  dropped: string[];
  /** The names as one string: pings that send the same fields share a body prefix. */
  key: string;
}

const fieldPlans = new WeakMap<PlanPing, FieldPlan>();
const fieldsByName = new WeakMap<PlanField[], Map<string, PlanField>>();

function byNameOf(fields: PlanField[]): Map<string, PlanField> {
  let m = fieldsByName.get(fields);
  if (!m) fieldsByName.set(fields, (m = new Map(fields.map((f) => [f.name, f]))));
  return m;
}

/** Which names a field-list ping sends (resolved once per plan ping). */
function fieldPlanOf(fields: PlanField[], ping: PlanPing): FieldPlan {
  let fp = fieldPlans.get(ping);
  if (fp) return fp;
  const byName = byNameOf(fields);
  // zip3 is derived from the zip field unless the schema declares its own
  const derivedZip3 = !byName.has('zip3') && zipFieldOf(fields) !== undefined;
  const requested = ping.fields ?? [...fields.filter((f) => !f.pii).map((f) => f.name), ...(derivedZip3 ? ['zip3'] : [])];
  fp = { names: [], dropped: [], key: '' };
  for (const n of requested) {
    const f = byName.get(n);
    // PII, or a name the lead schema does not declare (its PII status unknown)
    if (f?.pii || (!f && n !== 'zip3')) fp.dropped.push(n);
    else fp.names.push(n);
  }
  fp.key = fp.names.join('\u0000');
  fieldPlans.set(ping, fp);
  return fp;
}

/**
 * Builds one lead's pings: the lead's public view is computed once and shared
 * by every buyer's ping in the auction, and so is the JSON of a field list that
 * several buyers ask for (their pings differ only in the ping id that ends them).
 */
export class PingBuilder {
  private pub: Record<string, unknown> | null = null;
  /** A field list's JSON up to the ping id, by FieldPlan.key. */
  private readonly prefixes = new Map<string, string>();

  constructor(
    private readonly fields: PlanField[],
    private readonly lead: Record<string, unknown>,
    private readonly templates: TemplateSet,
    /** The time templates see as `now`: ISO text, or epoch ms (formatted only if a template renders). */
    private now: string | number,
    /** The secrets the plan reads (src/deliver/secrets.ts), as templates see them: `secret.NAME`. */
    private readonly secrets: Readonly<Record<string, string>> = {},
  ) {}

  private publicView(): Record<string, unknown> {
    return (this.pub ??= publicLead(this.fields, this.lead));
  }

  /** The ping for a buyer. Throws TemplateError when its template cannot render. */
  build(buyer: PlanBuyer, pingId: string): PingPayload {
    const ping = buyer.ping!;
    const pub = this.publicView();
    const url = isTemplatedUrl(ping.url) ? this.renderUrl(buyer, pub, pingId) : ping.url;
    const headers = ping.headers ? renderHeaders(this.templates, templateKey.ping(buyer.name), ping.headers, () => this.context(buyer, pub, pingId)) : NO_HEADERS;
    if (ping.template) {
      const t = this.templates.get(templateKey.ping(buyer.name));
      if (!t) throw new TemplateError('ping template was not compiled', ping.template.name, 0, 0, 'compile');
      const body = t.render(this.context(buyer, pub, pingId));
      return { url, body, contentType: contentTypeOf(t.format), headers, dropped: [] };
    }
    const plan = fieldPlanOf(this.fields, ping);
    if (ping.method === 'GET') return { url: withQuery(url, plan, pub, pingId), body: '', contentType: '', headers, dropped: plan.dropped };
    const body = this.fieldsJsonBefore(plan, pub) + JSON.stringify(pingId) + '}';
    return { url, body, contentType: 'application/json', headers, dropped: plan.dropped };
  }

  /** What a ping's templates (its body, its URL) see: the lead's public view, never its PII. */
  private context(buyer: PlanBuyer, pub: Record<string, unknown>, pingId: string): Record<string, unknown> {
    return {
      lead: pub,
      ping: { id: pingId },
      post: { id: '' },
      sale: { price: 0, buyer: buyer.name, exclusive: false },
      now: typeof this.now === 'string' ? this.now : (this.now = new Date(this.now).toISOString()),
      secret: this.secrets,
    };
  }

  /** A ping URL with placeholders, its values URL-encoded. */
  private renderUrl(buyer: PlanBuyer, pub: Record<string, unknown>, pingId: string): string {
    const t = this.templates.get(templateKey.url(templateKey.ping(buyer.name)));
    if (!t) throw new TemplateError('ping URL template was not compiled', `${buyer.name} ping URL`, 0, 0, 'compile');
    return t.render(this.context(buyer, pub, pingId));
  }

  /** `{"a":…,"b":…,"ping_id":` for a field list: what JSON.stringify gives for its fields plus ping_id, up to the id. */
  private fieldsJsonBefore(plan: FieldPlan, pub: Record<string, unknown>): string {
    let prefix = this.prefixes.get(plan.key);
    if (prefix === undefined) {
      const obj: Record<string, unknown> = {};
      for (const n of plan.names) {
        const v = pub[n];
        // ping_id is always ours, and always last
        if (v !== undefined && n !== 'ping_id') obj[n] = v;
      }
      const json = JSON.stringify(obj);
      prefix = json === '{}' ? '{"ping_id":' : `${json.slice(0, -1)},"ping_id":`;
      this.prefixes.set(plan.key, prefix);
    }
    return prefix;
  }
}

/** Build the ping for a buyer. Throws TemplateError when its template cannot render. */
export function buildPing(
  fields: PlanField[],
  buyer: PlanBuyer,
  lead: Record<string, unknown>,
  pingId: string,
  templates: TemplateSet,
  nowIso: string,
  secrets: Readonly<Record<string, string>> = {},
): PingPayload {
  return new PingBuilder(fields, lead, templates, nowIso, secrets).build(buyer, pingId);
}

/** A GET ping's fields as query parameters after the URL's own (`?state=CA&zip3=941&ping_id=…`): a text, a number, or JSON for anything else. */
function withQuery(url: string, plan: FieldPlan, pub: Record<string, unknown>, pingId: string): string {
  const params = new URLSearchParams();
  for (const n of plan.names) {
    const v = pub[n];
    if (v === undefined || n === 'ping_id') continue;
    params.append(n, typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  }
  params.append('ping_id', pingId);
  return `${url}${url.includes('?') ? '&' : '?'}${params.toString()}`;
}
