// How a mock buyer words its answers: the format (JSON, XML, form, text), the
// field each thing goes in (dotted paths), the status words, and prices as
// numbers or as text. Every default lives here, in PING_ANSWER_DEFAULTS and
// POST_ANSWER_DEFAULTS: the server answers with them, the startup banner prints
// them, and docs/MOCK-BUYERS.md lists them.

export type AnswerFormat = 'json' | 'xml' | 'form' | 'text';

/** A status value: a word ("Accepted") or a boolean. */
export type StatusWord = string | boolean;

export interface MockPingAnswer {
  /** How the answer is written. Default json. */
  format?: AnswerFormat;
  /** Write the price as text ("42.50") instead of a number. Default false. */
  priceAsText?: boolean;
  /** Where each value goes; null leaves it out. */
  paths?: { status?: string | null; price?: string | null; reason?: string | null; id?: string | null; bidId?: string | null; exclusive?: string | null };
  /** The status value of a bid, a no-bid and a duplicate. */
  words?: { bid?: StatusWord; noBid?: StatusWord; duplicate?: StatusWord };
}

export interface MockPostAnswer {
  format?: AnswerFormat;
  priceAsText?: boolean;
  paths?: { status?: string | null; reason?: string | null; leadId?: string | null; redirect?: string | null; price?: string | null };
  words?: { accepted?: StatusWord; rejected?: StatusWord; duplicate?: StatusWord };
}

export interface ResolvedPingAnswer {
  format: AnswerFormat;
  priceAsText: boolean;
  paths: { status: string | null; price: string | null; reason: string | null; id: string | null; bidId: string | null; exclusive: string | null };
  words: { bid: StatusWord; noBid: StatusWord; duplicate: StatusWord };
}

export interface ResolvedPostAnswer {
  format: AnswerFormat;
  priceAsText: boolean;
  paths: { status: string | null; reason: string | null; leadId: string | null; redirect: string | null; price: string | null };
  words: { accepted: StatusWord; rejected: StatusWord; duplicate: StatusWord };
}

/** The ping answer when the configuration says nothing: {"status":"accepted","bid":{"amount":42.5},"ping_id":"…","exclusive":false}. */
export const PING_ANSWER_DEFAULTS: ResolvedPingAnswer = {
  format: 'json',
  priceAsText: false,
  paths: { status: 'status', price: 'bid.amount', reason: 'reason', id: 'ping_id', bidId: null, exclusive: 'exclusive' },
  words: { bid: 'accepted', noBid: 'rejected', duplicate: 'duplicate' },
};

/** The post answer when the configuration says nothing: {"result":"success","lead_id":"…"}. */
export const POST_ANSWER_DEFAULTS: ResolvedPostAnswer = {
  format: 'json',
  priceAsText: false,
  paths: { status: 'result', reason: 'reason', leadId: 'lead_id', redirect: 'redirect_url', price: 'price' },
  words: { accepted: 'success', rejected: 'rejected', duplicate: 'duplicate' },
};

export function resolvePingAnswer(a: MockPingAnswer | undefined): ResolvedPingAnswer {
  const d = PING_ANSWER_DEFAULTS;
  return { format: a?.format ?? d.format, priceAsText: a?.priceAsText ?? d.priceAsText, paths: { ...d.paths, ...a?.paths }, words: { ...d.words, ...a?.words } };
}

export function resolvePostAnswer(a: MockPostAnswer | undefined): ResolvedPostAnswer {
  const d = POST_ANSWER_DEFAULTS;
  return { format: a?.format ?? d.format, priceAsText: a?.priceAsText ?? d.priceAsText, paths: { ...d.paths, ...a?.paths }, words: { ...d.words, ...a?.words } };
}

export type AnswerValue = string | number | boolean;

/** An answer's values by path, in order; a null path (left out) or undefined value is skipped. */
export type AnswerFields = [path: string | null, value: AnswerValue | undefined][];

export const price = (amount: number, asText: boolean): AnswerValue => (asText ? amount.toFixed(2) : amount);

const CONTENT_TYPES: Record<AnswerFormat, string> = {
  json: 'application/json',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain; charset=utf-8',
};

type Tree = { [key: string]: AnswerValue | Tree };

/** Dotted paths to nested objects ("bid.amount" → {bid: {amount}}). A path clashing with a value already set is skipped. */
function treeOf(fields: [string, AnswerValue][]): Tree {
  const root: Tree = {};
  for (const [path, value] of fields) {
    const parts = path.split('.');
    let node: Tree = root;
    let ok = true;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      if (next === undefined) node = node[p] = {};
      else if (typeof next === 'object') node = next;
      else {
        ok = false;
        break;
      }
    }
    if (ok) node[parts[parts.length - 1]!] = value;
  }
  return root;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function xmlOf(tree: Tree, indent: string): string {
  return Object.entries(tree)
    .map(([k, v]) => (typeof v === 'object' ? `${indent}<${k}>\n${xmlOf(v, `${indent}  `)}\n${indent}</${k}>` : `${indent}<${k}>${xmlEscape(String(v))}</${k}>`))
    .join('\n');
}

/**
 * Write an answer. XML has one root element: the paths' first segment when
 * they all share it ("response.status", "response.price"), else <response>
 * around them.
 */
export function renderAnswer(format: AnswerFormat, fields: AnswerFields): { contentType: string; body: string } {
  const kept = fields.filter((f): f is [string, AnswerValue] => f[0] !== null && f[1] !== undefined);
  let body: string;
  switch (format) {
    case 'json':
      body = JSON.stringify(treeOf(kept));
      break;
    case 'xml': {
      const tree = treeOf(kept);
      const keys = Object.keys(tree);
      const rooted = keys.length === 1 && typeof tree[keys[0]!] === 'object' ? tree : { response: tree };
      body = `<?xml version="1.0" encoding="UTF-8"?>\n${xmlOf(rooted, '')}\n`;
      break;
    }
    case 'form':
      body = new URLSearchParams(kept.map(([k, v]) => [k, String(v)])).toString();
      break;
    case 'text':
      body = `${kept.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
      break;
    default: {
      const never: never = format;
      throw new Error(`unknown answer format ${String(never)}`);
    }
  }
  return { contentType: CONTENT_TYPES[format], body };
}
