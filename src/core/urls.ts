// URLs whose path and query are templates (pixel, ping and post URLs): the
// host is fixed text, so lead data cannot choose where a request goes. One
// rule, read by the checker (LR700), the plan verifier and the selling side.

/** Whether a URL is a template (holds `{{…}}`); one that is not is sent as written. */
export const isTemplatedUrl = (url: string): boolean => url.includes('{{');

/** The `user@host:port` part of an absolute URL, as written; undefined when there is none. */
export function urlAuthority(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url.trim())?.[1];
}

/** Whether an absolute URL names its host without `{{…}}` (in user info, host or port). */
export function hasFixedHost(url: string): boolean {
  const authority = urlAuthority(url);
  return authority !== undefined && authority !== '' && !authority.includes('{{');
}
