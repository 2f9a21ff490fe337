// The vocabulary of payload and pixel templates (Handlebars): the helpers a
// template may call and the values it may read. Part of the language, so the
// checker (which checks templates against it) and the delivery side (which
// renders them) share one definition.

/** The documented helper set (name → what it does). */
export const TEMPLATE_HELPERS: Readonly<Record<string, string>> = Object.freeze({
  url: 'percent-encode a value (encodeURIComponent)',
  json: 'the value as JSON (strings quoted; null when missing)',
  xml: 'XML-escape a value',
  money: 'a number with two decimals: 45 → "45.00"',
  date: 'a time as "iso" (default), "date" (YYYY-MM-DD), "unix" (seconds) or "ms"',
  hash: 'SHA-256 (hex) of the trimmed, lower-cased value',
  lower: 'lower-case a string',
  upper: 'upper-case a string',
  default: 'the value, or the second argument when the value is missing',
});

export const TEMPLATE_HELPER_NAMES: readonly string[] = Object.keys(TEMPLATE_HELPERS);

/** Handlebars built-ins that stay available (block helpers for conditionals and lists). */
export const TEMPLATE_BLOCK_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'] as const;

/** The root names a template may use: { lead, ping: {id}, post: {id}, sale: {…}, now }. */
export const TEMPLATE_ROOTS: readonly string[] = ['lead', 'ping', 'post', 'sale', 'now'];

/** What a template may read below each root besides `lead.*`. */
export const TEMPLATE_VALUES: Readonly<Record<'sale' | 'ping' | 'post', readonly string[]>> = {
  sale: ['price', 'buyer', 'exclusive'],
  ping: ['id'],
  post: ['id'],
};
