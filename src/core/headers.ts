// Request headers a rule file may set on a ping or a post (`header "Name"
// "value"`), one rule for the checker (LR712, LR713), the plan verifier and
// the selling side: what a header name may be, which headers leadroute sets
// itself, and what looks like a credential written into a rule file.

/** An HTTP header name: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers that describe the connection or the message framing: the HTTP
 *  client sets them, and one set by hand would break or smuggle the request. */
export const RESERVED_HEADERS: readonly string[] = ['host', 'content-length', 'transfer-encoding', 'connection'];

export type HeaderNameProblem = 'invalid' | 'reserved';

/** What is wrong with a header name, or undefined when it may be set. */
export function headerNameProblem(name: string): HeaderNameProblem | undefined {
  if (!HEADER_NAME.test(name)) return 'invalid';
  if (RESERVED_HEADERS.includes(name.toLowerCase())) return 'reserved';
  return undefined;
}

/** A header value may not hold a line break or another control character
 *  but tab (it would end the header and start another). */
export const hasControlCharacter = (value: string): boolean => /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);

/** Names that carry a credential: Authorization, *-Key, *Token*, *Secret*. */
export function isCredentialHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'authorization' || n === 'proxy-authorization' || /(^|[-_])(api)?key$/.test(n) || n.includes('token') || n.includes('secret');
}

/** Authentication scheme words, which may stand before the credential as text. */
const SCHEME_WORDS = /^(bearer|basic|token|digest|apikey|api-key|key)\b\s*/i;

/**
 * Whether a credential header's value holds a credential written as text: after
 * an optional scheme word (`Bearer `), literal text, and no `{{secret.…}}`. A
 * value that is all placeholders (`{{lead.source}}`) holds none.
 */
export function looksLikeWrittenCredential(name: string, value: string): boolean {
  if (!isCredentialHeader(name) || /\{\{\{?\s*(@root\.)?secret\./.test(value)) return false;
  const text = value.replace(/\{\{\{?[^}]*\}?\}\}/g, '').trim().replace(SCHEME_WORDS, '').trim();
  return text !== '';
}
