// The language front end: text → AST, with syntax diagnostics.
export type * from './ast.js';
export { parse, type ParseResult } from './parse.js';
export {
  DIAGNOSTIC_CODES,
  diagnostic,
  suggest,
  type MessageId,
  didYouMean,
  closestName,
  editDistance,
  formatDiagnostic,
  formatDiagnostics,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
} from './diagnostics.js';
export { BUILTINS, isBuiltin, US_STATES, RESERVED_FIELD_NAMES, type BuiltinName, type BuiltinSignature, type BuiltinType } from './builtins.js';
export { RuleParser, ruleParser } from './parser.js';
export { TEMPLATE_HELPERS, TEMPLATE_HELPER_NAMES, TEMPLATE_BLOCK_HELPERS, TEMPLATE_ROOTS, TEMPLATE_VALUES } from './templates.js';
