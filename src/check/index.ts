// The checker: everything that can be wrong with a parsed rule file short of a
// syntax error: names, types, flow structure, random ranges, reachability,
// cycles, hours and caps. It never throws: whatever the AST (parse recovery
// leaves `error` nodes, which the parser has already reported), it returns
// diagnostics sorted by position, and the resolved lead fields.

import type { RuleFile } from '../lang/ast.js';
import { runCheck, type CheckOptions, type CheckResult } from './checker.js';

export type { CheckOptions, CheckResult } from './checker.js';
export type { LeadField, LeadType } from './types.js';
export { bind, Bindings, type Binding, type NamedNode, type NameSymbol } from './binder.js';

/** Check a parsed rule file. `options.readFile` reads a `lead from` schema or
 *  a payload template by resolved path (default: the file system);
 *  `options.baseDir` is what such paths are resolved against (default: the
 *  rule file's directory). */
export function check(file: RuleFile, options: CheckOptions = {}): CheckResult {
  return runCheck(file, options, true);
}
