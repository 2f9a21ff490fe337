// Limits the language sets on one rule file, defined once: the parser and
// checker report a positioned diagnostic when a source passes one, and the plan
// verifier refuses a plan that passes one, so nothing downstream (the emitter,
// the loader's expression compiler, the router) ever recurses deeper than this.

/** Deepest nesting of one expression: each operator, call, list or parenthesis
 *  around an operand is one level; `a + b + c` is two levels deep. */
export const MAX_EXPR_DEPTH = 100;

/** Most nodes (operators, operands, list items) in one expression. */
export const MAX_EXPR_NODES = 10_000;

/** Most diagnostics printed for one run; the rest are counted, not shown. */
export const MAX_DIAGNOSTICS_SHOWN = 100;

/** Did-you-mean compares at most this many characters of a name. */
export const MAX_SUGGESTION_NAME_LENGTH = 64;

/** Largest file a rule file may name (a `lead from` schema, a payload
 *  template): templates and schemas are small; a larger file is refused before
 *  it is read, so a rule file cannot make the checker read a device or a log. */
export const MAX_NAMED_FILE_BYTES = 1024 * 1024;
