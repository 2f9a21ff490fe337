// Handlebars' parse of a template, for reading it: the checker's checks of
// what a template reads (src/check/templates.ts) and the plan verifier's
// (src/plan/verify-templates.ts). The same template is parsed again and again:
// a plan names one payload template for many buyers (each buyer's plan entry
// holds its own copy, and the verifier parses each), and a process checks and
// loads many files naming the same templates. So parses are kept by their
// source text.
//
// The ASTs kept here are shared, so they are only read. The renderer
// (src/deliver/templates.ts) rewrites the AST it compiles, and parses its own.

import Handlebars from 'handlebars';

/** The AST, or what Handlebars threw. */
export type TemplateParse = { readonly ast: hbs.AST.Program; readonly error?: undefined } | { readonly ast?: undefined; readonly error: unknown };

/** How many parses are kept, most recently used first. */
const KEPT = 256;
/** Longer templates are parsed each time rather than kept (their text would be kept with them). */
const LONGEST_KEPT = 64 * 1024;
const parses = new Map<string, TemplateParse>();

/** Handlebars.parse(source), never throwing; the AST is shared: do not change it. */
export function parseTemplateForReading(source: string): TemplateParse {
  const kept = parses.get(source);
  if (kept !== undefined) {
    parses.delete(source); // to the most recent end
    parses.set(source, kept);
    return kept;
  }
  let parsed: TemplateParse;
  try {
    parsed = { ast: Handlebars.parse(source) };
  } catch (error) {
    parsed = { error };
  }
  if (source.length <= LONGEST_KEPT) {
    parses.set(source, parsed);
    if (parses.size > KEPT) parses.delete(parses.keys().next().value!);
  }
  return parsed;
}
