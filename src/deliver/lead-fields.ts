// The lead's fields a buyer's delivery reads after the sale: what a post left
// for later (a delivery queue's job, ./scheduler.ts) needs to carry, and no
// more. A post with the default JSON body sends the whole lead; a templated
// one (body, URL, headers) sends what its templates read; the buyer's pixels,
// fired when the post is answered, read their URLs' fields and their `when`.

import { isTemplatedUrl } from '../core/urls.js';
import type { PlanBuyer, PlanPost } from '../plan/index.js';
import { templateVariables } from './templates.js';
import type { SaleContext } from './types.js';

const cache = new WeakMap<PlanBuyer, ReadonlySet<string> | null>();

/** The lead fields the buyer's posts and pixels read, or null when they read the whole lead. */
export function leadFieldsRead(buyer: PlanBuyer): ReadonlySet<string> | null {
  if (cache.has(buyer)) return cache.get(buyer)!;
  const fields = new Set<string>();
  let whole = false;
  const fromTemplate = (source: string) => {
    for (const v of templateVariables(source)) {
      const [root, field] = v.path.split('.');
      if (root !== 'lead') continue;
      if (field === undefined) whole = true;
      else fields.add(field);
    }
  };
  const fromPost = (post: PlanPost | null | undefined) => {
    if (!post) return;
    if (post.method !== 'GET' && !post.template) whole = true; // the default body: the whole lead
    if (post.template) fromTemplate(post.template.source);
    if (isTemplatedUrl(post.url)) fromTemplate(post.url);
    for (const h of post.headers ?? []) if (isTemplatedUrl(h.value)) fromTemplate(h.value);
  };
  fromPost(buyer.post);
  fromPost(buyer.backupPost);
  for (const px of buyer.pixels ?? []) {
    fromTemplate(px.url);
    if (px.when) fieldsOfExpr(px.when, fields);
  }
  const result = whole ? null : fields;
  cache.set(buyer, result);
  return result;
}

/** Every field an expression reads (plan expressions are plain JSON: `{ op: 'field', name }`). */
function fieldsOfExpr(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) fieldsOfExpr(n, into);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.op === 'field' && typeof o.name === 'string') into.add(o.name);
    for (const v of Object.values(o)) fieldsOfExpr(v, into);
  }
}

/** The sale with only the lead fields the buyer's delivery reads. */
export function saleForLater(buyer: PlanBuyer, sale: SaleContext): SaleContext {
  const read = leadFieldsRead(buyer);
  if (read === null) return sale;
  const lead: Record<string, unknown> = {};
  for (const name of read) if (Object.hasOwn(sale.lead, name)) lead[name] = sale.lead[name];
  return { ...sale, lead };
}
