// Limits the language sets on one rule file, defined once: the parser and
// checker report a positioned diagnostic when a source passes one, and the plan
// verifier refuses a plan that passes one, so nothing downstream (the emitter,
// the loader's expression compiler, the router) ever recurses deeper than this.

/** Deepest nesting of one expression: each operator, call, list or parenthesis
 *  around an operand is one level; `a + b + c` is two levels deep. */
export const MAX_EXPR_DEPTH = 100;

/** Most nodes (operators, operands, list items) in one expression. */
export const MAX_EXPR_NODES = 10_000;

/** Most diagnostics printed for one run unless --max-errors says otherwise; the rest are counted, not shown. */
export const MAX_DIAGNOSTICS_SHOWN = 20;

/** Did-you-mean compares at most this many characters of a name. */
export const MAX_SUGGESTION_NAME_LENGTH = 64;

/** Largest file a rule file may name (a `lead from` schema, a payload
 *  template): templates and schemas are small; a larger file is refused before
 *  it is read, so a rule file cannot make the checker read a device or a log. */
export const MAX_NAMED_FILE_BYTES = 1024 * 1024;

// ---------------------------------------------------------------- leads
// Limits on one lead, checked before anything else reads it (the runtime's
// lead guard, src/runtime/lead-guard.ts): a lead that passes one is rejected,
// naming the field, and the batch goes on. grammar/REFERENCE.md lists them
// (test/trust/leads-limits.test.ts ties the two).

/** Deepest nesting of objects and arrays in a lead: a flat lead is 1 level,
 *  a `list` field 2. Deeper leads are rejected before they are hashed. */
export const MAX_LEAD_DEPTH = 32;

/** Most values (fields, list items, nested values, counted together) in one lead. */
export const MAX_LEAD_VALUES = 10_000;

/** Longest field name (object key) in a lead. */
export const MAX_LEAD_NAME_LENGTH = 256;

/**
 * Longest text, in UTF-16 code units, a lead field of each text type may
 * carry; `other` is any other text in the lead (undeclared fields, nested
 * values). An e-mail address's 254 is RFC 5321's longest forward path.
 */
export const MAX_LEAD_TEXT = {
  string: 10_000,
  enum: 10_000,
  email: 254,
  phone: 32,
  zip: 10,
  state: 2,
  time: 64,
  other: 10_000,
} as const;
